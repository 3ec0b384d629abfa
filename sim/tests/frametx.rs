//! The hardware frame transmitter against `spec::protocol::Frame::encode`, byte for byte,
//! on random bodies and on the COBS edge cases (runs of 254 non-zero bytes, zeros at the
//! ends), with random back-pressure on its output.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::link::frametx::FrameTx;
use spikemesh_sim::verilator::Model;
use spikemesh_spec::protocol::{Frame, MAX_PAYLOAD};

fn bodies() -> Vec<Vec<u8>> {
    let mut r = ChaCha8Rng::seed_from_u64(5);
    let mut v: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![0, 0, 0],
        vec![1; 252],
        vec![1; 253],
        vec![1; 254],
        vec![7; 255],
        vec![9; MAX_PAYLOAD],
        [vec![5; 253], vec![0], vec![6; MAX_PAYLOAD - 254]].concat(),
        [vec![0], vec![3; 254], vec![0]].concat(),
    ];
    for _ in 0..60 {
        let n = r.gen_range(0..=MAX_PAYLOAD);
        let zeros = r.gen_range(0.0..0.5);
        v.push((0..n).map(|_| if r.gen_bool(zeros) { 0 } else { r.gen_range(1..=255) }).collect());
    }
    v
}

#[test]
fn hardware_transmitter_matches_the_spec_encoder() {
    let mut m = Model::open(&spikemesh_hdl::verilog_of(FrameTx::new()), "top", "the frame transmitter", None).unwrap();
    let p = |n: &str| m.port(n);
    let (clock, wa, wd, we, send, len, busy, ov, ob, ordy) = (
        p("clock"),
        p("wr_addr"),
        p("wr_data"),
        p("wr_en"),
        p("send"),
        p("len"),
        p("busy"),
        p("out_valid"),
        p("out_byte"),
        p("out_ready"),
    );
    let mut r = ChaCha8Rng::seed_from_u64(1);
    m.eval();
    for (i, payload) in bodies().into_iter().enumerate() {
        let frame = Frame { kind: r.gen(), seq: r.gen(), payload };
        let body: Vec<u8> = [vec![frame.kind, frame.seq], frame.payload.clone()].concat();
        for (a, &b) in body.iter().enumerate() {
            m.set(wa, a as u64);
            m.set(wd, b as u64);
            m.set(we, 1);
            m.tick(clock, 1);
        }
        m.set(we, 0);
        m.set(len, body.len() as u64);
        m.set(send, 1);
        m.tick(clock, 1);
        m.set(send, 0);
        let mut out = Vec::new();
        let mut cycles = 0;
        loop {
            let ready = r.gen_bool(0.6);
            m.set(ordy, ready as u64);
            m.eval();
            if ready && m.get(ov) == 1 {
                out.push(m.get(ob) as u8);
            }
            if m.get(busy) == 0 {
                break;
            }
            m.tick(clock, 1);
            cycles += 1;
            assert!(cycles < 100_000, "frame {i} never finished");
        }
        assert_eq!(out, frame.encode(), "frame {i} ({} payload bytes)", frame.payload.len());
    }
}
