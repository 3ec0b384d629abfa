//! The hardware frame receiver against `spec::protocol::Decoder` on the same byte stream:
//! the same frames accepted and rejected, in order, with the same bodies.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::link::framerx::FrameRx;
use spikemesh_sim::verilator::Model;
use spikemesh_spec::flit::Flit;
use spikemesh_spec::protocol::{Command, Decoder, MAX_BODY, WORD_MAX, WORD_MIN};

/// A stream of good, damaged and hostile frames.
fn stream(seed: u64) -> Vec<u8> {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for k in 0..120u32 {
        let cmd = match r.gen_range(0..5) {
            0 => Command::Step(r.gen()),
            1 => Command::Status,
            2 => Command::Inject(
                (0..r.gen_range(1..200))
                    .map(|_| Flit::axon(r.gen_range(0..16), r.gen_range(0..16), r.gen_range(0..16384)))
                    .collect(),
            ),
            3 => Command::WriteMem {
                core: r.gen(),
                mem: r.gen_range(0..11),
                row: r.gen_range(0..1 << 20),
                col: r.gen(),
                data: (0..r.gen_range(1..200)).map(|_| r.gen_range(WORD_MIN..=WORD_MAX)).collect(),
            },
            _ => Command::ReadMem { core: r.gen(), mem: 5, row: 0, col: r.gen(), count: r.gen() },
        };
        let mut f = cmd.frame(k as u8).encode();
        match r.gen_range(0..8) {
            0 => {
                let i = r.gen_range(0..f.len() * 8);
                f[i / 8] ^= 1 << (i % 8);
            }
            1 => {
                let cut = r.gen_range(1..f.len() - 1);
                f.truncate(cut);
            }
            2 => f.extend((0..r.gen_range(1..30)).map(|_| r.gen_range(1..=255u8))),
            3 => {
                // Overlong: a COBS-valid run of non-zero bytes past MAX_BODY.
                f = vec![0];
                for _ in 0..(MAX_BODY + 300) / 254 + 1 {
                    f.push(0xff);
                    f.extend((0..254).map(|_| r.gen_range(1..=255u8)));
                }
                f.push(0);
            }
            _ => {}
        }
        out.extend(f);
    }
    out
}

/// The frame receiver's model with its ports, fed one byte at a time.
struct Rx {
    m: Model,
    ports: [spikemesh_sim::verilator::PortId; 8],
}

impl Rx {
    fn open() -> Self {
        let mut m = Model::open(&spikemesh_hdl::verilog_of(FrameRx::new()), "top", "the frame receiver", None).unwrap();
        let ports = ["clock", "in_valid", "in_byte", "frame_ok", "frame_bad", "frame_len", "rd_addr", "rd_data"]
            .map(|n| m.port(n));
        m.eval();
        Self { m, ports }
    }

    /// Feeds `bytes` with a UART-like gap after each; returns every verdict, with the body of
    /// each accepted frame read back from the receiver's buffer.
    fn feed(&mut self, bytes: &[u8]) -> Vec<Result<Vec<u8>, ()>> {
        let [clock, iv, ib, ok, bad, len, ra, rd] = self.ports;
        let m = &mut self.m;
        let mut got = Vec::new();
        for &b in bytes {
            m.set(iv, 1);
            m.set(ib, b as u64);
            m.tick(clock, 1);
            m.set(iv, 0);
            // Verdicts appear one clock after the delimiter; give the UART-like gap.
            for _ in 0..2 {
                m.eval();
                if m.get(ok) == 1 {
                    let n = m.get(len) as usize;
                    let mut body = Vec::with_capacity(n);
                    for a in 0..n {
                        m.set(ra, a as u64);
                        m.tick(clock, 1);
                        m.eval();
                        body.push(m.get(rd) as u8);
                    }
                    got.push(Ok(body));
                } else if m.get(bad) == 1 {
                    got.push(Err(()));
                }
                m.tick(clock, 1);
            }
        }
        got
    }
}

/// Where the hardware's verdicts (`got`) differ from the spec decoder's (`want`), if anywhere.
fn differ(
    got: &[Result<Vec<u8>, ()>],
    want: &[Result<spikemesh_spec::protocol::Frame, spikemesh_spec::protocol::FrameError>],
) -> Option<String> {
    if got.len() != want.len() {
        let g: String = got.iter().map(|x| if x.is_ok() { 'o' } else { 'x' }).collect();
        let w: String = want.iter().map(|x| if x.is_ok() { 'o' } else { 'x' }).collect();
        let i = g.chars().zip(w.chars()).position(|(a, b)| a != b).unwrap_or(g.len().min(w.len()));
        return Some(format!(
            "frames seen differ from frame {i}:\nhardware {g}\nspec     {w}\nspec there: {:?}",
            want.get(i)
        ));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        match (g, w) {
            (Ok(body), Ok(f)) => {
                let mut expect = vec![f.kind, f.seq];
                expect.extend(&f.payload);
                if body.len() != f.payload.len() + 4 || body[..body.len() - 2] != expect[..] {
                    return Some(format!("frame {i}: hardware body {body:02x?}, spec {f:?}"));
                }
            }
            (Err(()), Err(_)) => {}
            _ => return Some(format!("frame {i}: hardware {g:?}, spec {w:?}")),
        }
    }
    None
}

#[test]
fn hardware_receiver_matches_the_spec_decoder() {
    let mut rx = Rx::open();
    let (mut accepted_total, mut rejected_total) = (0, 0);
    // One continuous stream: a frame cut off at the end of one seed's bytes runs into the next.
    let mut spec = Decoder::new();
    for seed in 0..6 {
        let bytes = stream(seed);
        let want = spec.push(&bytes);
        let got = rx.feed(&bytes);
        if let Some(d) = differ(&got, &want) {
            panic!("seed {seed}: {d}");
        }
        accepted_total += got.iter().filter(|g| g.is_ok()).count();
        rejected_total += got.iter().filter(|g| g.is_err()).count();
    }
    // The counters of both live in the bridge now (`counter.rs`); `tests/bridge.rs` reads them.
    assert!(accepted_total > 300, "most frames were good: {accepted_total}");
    assert!(rejected_total > 0, "some frames were bad");
}

/// Fuzz: any bytes at all (zeros included, so frames of every length and COBS state), mixed
/// with good frames, give the same verdicts in hardware as in the spec decoder.
#[test]
fn any_bytes_give_the_spec_decoders_verdicts() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let rx = std::cell::RefCell::new(Rx::open());
    let spec = std::cell::RefCell::new(Decoder::new());
    let piece = prop_oneof![
        // Byte soup, zeros about as often as in short frames.
        3 => prop::collection::vec(prop_oneof![1 => Just(0u8), 6 => any::<u8>()], 0..60),
        // Two good frames: a STEP, then one of any kind (the payload's first byte) and payload.
        2 => (any::<u8>(), prop::collection::vec(any::<u8>(), 0..40)).prop_map(|(seq, payload)| {
            let kind = payload.first().copied().unwrap_or(1);
            [Command::Step(0).frame(seq).encode(), spikemesh_spec::protocol::Frame { kind, seq, payload }.encode()].concat()
        }),
    ];
    let mut runner = TestRunner::new(Config { cases: 96, failure_persistence: None, ..Config::default() });
    let (ok, bad) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let result = runner.run(&prop::collection::vec(piece, 1..12), |pieces| {
        let bytes: Vec<u8> = pieces.concat();
        // Receiver and decoder carry their state from case to case alike, so a case may begin
        // mid-frame; both must still agree.
        let want = spec.borrow_mut().push(&bytes);
        let got = rx.borrow_mut().feed(&bytes);
        if let Some(d) = differ(&got, &want) {
            return Err(TestCaseError::fail(format!("bytes {bytes:02x?}: {d}")));
        }
        ok.set(ok.get() + got.iter().filter(|g| g.is_ok()).count());
        bad.set(bad.get() + got.iter().filter(|g| g.is_err()).count());
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (ok, bad) = (ok.get(), bad.get());
    eprintln!("{ok} frames accepted, {bad} rejected");
    assert!(ok > 100 && bad > 100, "both verdicts exercised: {ok} accepted, {bad} rejected");
}
