//! The UART in Verilator against ideal bit streams: the transmitter's bits land where an
//! ideal receiver samples them, and the receiver decodes senders up to 2 % off in rate,
//! including fractional dividers (115200 baud from 12 MHz is 104.17 clocks per bit).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::link::uart::{UartRx, UartTx};
use spikemesh_sim::verilator::Model;

// 8 clocks per bit (the validated minimum), fractional dividers, and a 16 MHz clock.
const RATES: [(u64, u64); 4] =
    [(24_000_000, 3_000_000), (12_000_000, 115_200), (25_000_000, 115_200), (16_000_000, 2_000_000)];

#[test]
fn transmitter_bits_are_where_an_ideal_receiver_samples_them() {
    for (clk, baud) in RATES {
        let mut m = Model::open(
            &spikemesh_hdl::verilog_of(UartTx::new(baud, clk)),
            "top",
            &format!("a UART transmitter ({baud} baud at {clk} Hz)"),
            None,
        )
        .unwrap();
        let (clock, data, valid, ready, tx) =
            (m.port("clock"), m.port("data"), m.port("valid"), m.port("ready"), m.port("tx"));
        let mut r = ChaCha8Rng::seed_from_u64(baud);
        let bytes: Vec<u8> = (0..40).map(|_| r.gen()).collect();
        let mut line = Vec::new();
        let mut next = 0;
        m.eval();
        let period = clk as f64 / baud as f64;
        let total = ((bytes.len() as f64 + 2.0) * 10.0 * period) as usize;
        for _ in 0..total {
            m.set(valid, (next < bytes.len()) as u64);
            m.set(data, bytes.get(next).copied().unwrap_or(0) as u64);
            m.eval();
            if m.get(ready) == 1 && next < bytes.len() {
                next += 1;
            }
            line.push(m.get(tx) == 1);
            m.tick(clock, 1);
        }
        assert!(line[0], "the line idles high from power-up");
        // Ideal receiver: find each start bit's falling edge, sample mid-bit.
        let mut got = Vec::new();
        let mut i = 1;
        while i < line.len() {
            if line[i - 1] && !line[i] {
                let at = |k: f64| line.get(i + (k * period) as usize).copied().unwrap_or(true);
                assert!(!at(0.5), "start bit");
                let mut b = 0u8;
                for k in 0..8 {
                    if at(1.5 + k as f64) {
                        b |= 1 << k;
                    }
                }
                assert!(at(9.5), "stop bit high");
                got.push(b);
                i += (9.6 * period) as usize;
            } else {
                i += 1;
            }
        }
        assert_eq!(got, bytes, "{baud} baud at {clk} Hz");
    }
}

#[test]
fn receiver_decodes_senders_two_percent_off_and_flags_framing_errors() {
    for (clk, baud) in RATES {
        let mut m = Model::open(
            &spikemesh_hdl::verilog_of(UartRx::new(baud, clk)),
            "top",
            &format!("a UART receiver ({baud} baud at {clk} Hz)"),
            None,
        )
        .unwrap();
        let (clock, rx, data, valid, ferr) =
            (m.port("clock"), m.port("rx"), m.port("data"), m.port("valid"), m.port("framing_error"));
        for skew in [-0.02, 0.0, 0.02] {
            let mut r = ChaCha8Rng::seed_from_u64(baud ^ (skew * 100.0) as u64);
            let period = clk as f64 / (baud as f64 * (1.0 + skew));
            // (byte, stop bit high?) frames with random idle gaps; one framing error in the middle.
            let frames: Vec<(u8, bool)> = (0..30).map(|k| (r.gen(), k != 15)).collect();
            let mut wave = vec![true; 20];
            for &(b, stop) in &frames {
                let bits: Vec<bool> =
                    std::iter::once(false).chain((0..8).map(|k| b >> k & 1 == 1)).chain([stop]).collect();
                let start = wave.len() as f64;
                for (k, bit) in bits.iter().enumerate() {
                    let end = (start + (k + 1) as f64 * period).round() as usize;
                    wave.resize(end, *bit);
                }
                // After a framing error the line must go idle before the next frame.
                let gap =
                    if stop { r.gen_range(0..3) } else { 0 } as f64 * period + if stop { 0.0 } else { 2.0 * period };
                wave.resize(wave.len() + gap as usize + 1, true);
            }
            wave.resize(wave.len() + (3.0 * period) as usize, true);
            let (mut got, mut errors) = (Vec::new(), 0);
            m.eval();
            for &level in &wave {
                m.set(rx, level as u64);
                m.tick(clock, 1);
                m.eval();
                if m.get(valid) == 1 {
                    got.push(m.get(data) as u8);
                }
                errors += m.get(ferr);
            }
            let want: Vec<u8> = frames.iter().filter(|f| f.1).map(|f| f.0).collect();
            assert_eq!(got, want, "{baud} baud at {clk} Hz, sender {:+}%", skew * 100.0);
            assert_eq!(errors, 1, "the one low stop bit is flagged");
        }
    }
}
