//! The hardware frame receiver against `spec::protocol::Decoder` on the same byte stream:
//! the same frames accepted and rejected, in order, with the same bodies.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::framerx::FrameRx;
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

#[test]
fn hardware_receiver_matches_the_spec_decoder() {
    let mut m = Model::open(&spikemesh_hdl::verilog_of(FrameRx::new()), "top", "the frame receiver", None).unwrap();
    let p = |n: &str| m.port(n);
    let (clock, iv, ib, ok, bad, len, ra, rd) = (
        p("clock"),
        p("in_valid"),
        p("in_byte"),
        p("frame_ok"),
        p("frame_bad"),
        p("frame_len"),
        p("rd_addr"),
        p("rd_data"),
    );
    m.eval();
    let (mut accepted_total, mut rejected_total) = (0, 0);
    // One continuous stream: a frame cut off at the end of one seed's bytes runs into the next.
    let mut spec = Decoder::new();
    for seed in 0..6 {
        let bytes = stream(seed);
        let want = spec.push(&bytes);
        let mut got: Vec<Result<Vec<u8>, ()>> = Vec::new();
        for &b in &bytes {
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
        if got.len() != want.len() {
            let g: String = got.iter().map(|x| if x.is_ok() { 'o' } else { 'x' }).collect();
            let w: String = want.iter().map(|x| if x.is_ok() { 'o' } else { 'x' }).collect();
            let i = g.chars().zip(w.chars()).position(|(a, b)| a != b).unwrap_or(g.len().min(w.len()));
            panic!(
                "seed {seed}: frames seen differ from frame {i}:\nhardware {g}\nspec     {w}\nspec there: {:?}",
                want.get(i)
            );
        }
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            match (g, w) {
                (Ok(body), Ok(f)) => {
                    assert_eq!(body.len(), f.payload.len() + 4, "seed {seed} frame {i}: length");
                    assert_eq!(&body[..2], &[f.kind, f.seq], "seed {seed} frame {i}: header");
                    assert_eq!(&body[2..body.len() - 2], &f.payload[..], "seed {seed} frame {i}: payload");
                }
                (Err(()), Err(_)) => {}
                _ => panic!("seed {seed} frame {i}: hardware {g:?}, spec {w:?}"),
            }
        }
        accepted_total += got.iter().filter(|g| g.is_ok()).count();
        rejected_total += got.iter().filter(|g| g.is_err()).count();
    }
    // The counters of both live in the bridge now (`counter.rs`); `tests/bridge.rs` reads them.
    assert!(accepted_total > 300, "most frames were good: {accepted_total}");
    assert!(rejected_total > 0, "some frames were bad");
}
