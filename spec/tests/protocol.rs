//! The wire protocol: round trips, and what corruption, truncation and garbage do.

use proptest::prelude::*;
use spikemesh_spec::flit::Flit;
use spikemesh_spec::protocol::*;

fn core_flit() -> impl Strategy<Value = Flit> {
    (0u8..16, 0u8..16, 0u16..16384).prop_map(|(x, y, a)| Flit::axon(x, y, a))
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(Command::Identify),
        Just(Command::Status),
        Just(Command::Reset),
        any::<u32>().prop_map(Command::Step),
        any::<u32>().prop_map(Command::StepPulled),
        Just(Command::Next),
        (
            any::<u8>(),
            0u8..16,
            0u32..1 << 24,
            any::<u16>(),
            prop::collection::vec(WORD_MIN..=WORD_MAX, 1..=WRITE_WORDS)
        )
            .prop_map(|(core, mem, row, col, data)| Command::WriteMem { core, mem, row, col, data }),
        (any::<u8>(), 0u8..16, 0u32..1 << 24, any::<u16>(), prop::collection::vec(any::<u8>(), 1..=BYTE_WRITE_WORDS))
            .prop_map(|(core, mem, row, col, data)| Command::WriteBytes { core, mem, row, col, data }),
        (any::<u8>(), 0u8..16, 0u32..1 << 24, any::<u16>(), any::<u16>())
            .prop_map(|(core, mem, row, col, count)| Command::ReadMem { core, mem, row, col, count }),
        prop::collection::vec(core_flit(), 1..=INJECT_FLITS).prop_map(Command::Inject),
    ]
}

fn response() -> impl Strategy<Value = Response> {
    prop_oneof![
        Just(Response::Ack),
        prop_oneof![Just(Reason::UnknownKind), Just(Reason::BadLength), Just(Reason::OutOfRange), Just(Reason::Busy)]
            .prop_map(Response::Nack),
        prop::collection::vec(WORD_MIN..=WORD_MAX, 0..=READ_WORDS).prop_map(Response::Data),
        (
            any::<u32>(),
            prop::collection::vec(
                (0u8..16, 0u8..16, 0u16..4096).prop_map(|(x, y, n)| Flit::record(x, y, n)),
                0..=SPIKES_PER_FRAME
            )
        )
            .prop_map(|(timestep, spikes)| Response::Spikes { timestep, spikes }),
        (any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
            |(timestep, frames_ok, frames_rejected, spikes_sent)| {
                Response::Counters { timestep, frames_ok, frames_rejected, spikes_sent }
            }
        ),
        (any::<[u8; 4]>(), any::<[u16; 3]>(), any::<[u8; 3]>(), any::<[u32; 3]>()).prop_map(|(a, b, c, d)| {
            Response::Ident(BoardInfo {
                version: a[0],
                mesh_x: a[1],
                mesh_y: a[2],
                neurons_per_core: b[0],
                axons_per_core: b[1],
                weight_bits: c[0],
                potential_bits: c[1],
                refractory_bits: c[2],
                neuron_types: b[2],
                destinations_per_core: d[0],
                clock_khz: d[1],
                baud: d[2],
                features: a[3],
            })
        }),
    ]
}

fn decode_all(bytes: &[u8]) -> (Vec<Frame>, usize) {
    let mut d = Decoder::new();
    let out = d.push(bytes);
    let rejected = out.iter().filter(|r| r.is_err()).count();
    (out.into_iter().filter_map(Result::ok).collect(), rejected)
}

proptest! {
    // A fixed seed: the same 500 cases every run. Any 16-bit CRC lets a random corruption
    // through once in 65536 (the truncation-and-junk case draws random junk), so fresh cases
    // each run would fail CI now and then with nothing changed. The structural weaknesses a
    // CRC must not have are checked exhaustively below (`no_single_bit_flip_...`).
    #![proptest_config(ProptestConfig {
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_2026),
        ..ProptestConfig::with_cases(500)
    })]

    #[test]
    fn commands_round_trip(c in command(), seq in any::<u8>()) {
        let (frames, rejected) = decode_all(&c.frame(seq).encode());
        prop_assert_eq!(rejected, 0);
        prop_assert_eq!(frames.len(), 1);
        prop_assert_eq!(frames[0].seq, seq);
        prop_assert_eq!(Command::parse(&frames[0]).unwrap(), c);
    }

    #[test]
    fn responses_round_trip(r in response(), seq in any::<u8>()) {
        let (frames, _) = decode_all(&r.frame(seq).encode());
        prop_assert_eq!(Response::parse(&frames[0]).unwrap(), r);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_every_frame_is_counted(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        let mut d = Decoder::new();
        let out = d.push(&bytes);
        prop_assert_eq!(out.len() as u64, d.accepted + d.rejected);
        for f in out.into_iter().flatten() {
            let _ = Command::parse(&f);
            let _ = Response::parse(&f);
        }
    }

    #[test]
    fn a_flipped_bit_is_never_accepted_as_something_else(c in command(), bit in any::<prop::sample::Index>()) {
        let good = c.frame(7);
        let mut wire = good.encode();
        let i = bit.index(wire.len() * 8);
        wire[i / 8] ^= 1 << (i % 8);
        let (frames, _) = decode_all(&wire);
        // CRC-16 catches every single-bit error; a flip that makes a delimiter splits the frame,
        // and the pieces fail COBS or CRC. Nothing corrupted is ever applied.
        for f in &frames {
            prop_assert_eq!(f, &good);
        }
        prop_assert!(frames.is_empty() || wire[i / 8] == 0 || i / 8 == 0 || i / 8 == wire.len() - 1);
    }

    #[test]
    fn the_link_recovers_after_truncation_and_garbage(a in command(), b in command(), cut in any::<prop::sample::Index>(), junk in prop::collection::vec(1u8..=255, 0..40)) {
        let fa = a.frame(1).encode();
        let cut = 1 + cut.index(fa.len() - 2); // drop the tail, delimiter included
        let mut wire = fa[..cut].to_vec();
        wire.extend(&junk);
        wire.extend(b.frame(2).encode());
        let (frames, _) = decode_all(&wire);
        prop_assert_eq!(frames.last().map(|f| Command::parse(f).unwrap()), Some(b));
        prop_assert!(frames.iter().all(|f| f.seq == 2), "nothing of the damaged frame was accepted");
    }
}

#[test]
fn wrong_lengths_and_fields_are_named() {
    let f = Frame { kind: kind::STEP, seq: 0, payload: vec![1, 2] };
    assert_eq!(Command::parse(&f).unwrap_err().to_string(), "message kind 0x05: payload of 2 bytes, 4 bytes");
    let f = Frame { kind: 0x42, seq: 0, payload: vec![] };
    assert_eq!(Command::parse(&f).unwrap_err(), MessageError::Kind(0x42));
    let host = Flit::record(1, 1, 3).encode() as u32;
    let f = Frame { kind: kind::INJECT, seq: 0, payload: host.to_le_bytes()[..3].to_vec() };
    assert!(Command::parse(&f).unwrap_err().to_string().contains("byte 2: an injected flit must be a core flit"));
}

#[test]
fn crc_and_overlong_frames_are_rejected_with_their_position() {
    let mut wire = Command::Status.frame(3).encode();
    let n = wire.len();
    wire[n - 2] ^= 0x10;
    let mut d = Decoder::new();
    let out = d.push(&wire);
    assert!(matches!(out[0], Err(FrameError::Crc { at, .. }) if at == (n - 1) as u64), "{out:?}");
    let long = vec![0x55u8; MAX_BODY * 2];
    let mut d = Decoder::new();
    let mut bytes = long.clone();
    bytes.push(0);
    bytes.extend(Command::Identify.frame(9).encode());
    let out = d.push(&bytes);
    assert!(matches!(out[0], Err(FrameError::Long { .. })), "{out:?}");
    assert_eq!(out[1].as_ref().unwrap().seq, 9, "the next frame is accepted");
    assert_eq!((d.accepted, d.rejected), (1, 1));
}

#[test]
fn spike_frames_use_most_of_the_wire() {
    // A timestep's spikes packed a full frame at a time: 3 bytes each plus 12 bytes of frame.
    let e = spike_efficiency(1000, SPIKES_PER_FRAME);
    assert!(e > 0.95, "{e}");
    // One frame per spike would waste most of it: the reason to pack.
    assert!(spike_efficiency(1000, 1) < 0.3);
}

/// Every single-bit flip of every frame of many commands, exhaustively: nothing but the frame
/// itself is ever accepted. With CRC-16/IBM-3740 (no final XOR) about one frame in 256 fails
/// this: its last payload byte equals the CRC register's high byte, the CRC then ends in a
/// zero byte, and flipping the COBS code byte before the delimiter truncates the frame into one
/// that passes its check.
#[test]
fn no_single_bit_flip_of_any_frame_is_accepted_as_another() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let (mut frames, mut flips) = (0, 0);
    for _ in 0..3000 {
        let c = command().new_tree(&mut runner).unwrap().current();
        let good = c.frame(frames as u8);
        let wire = good.encode();
        for i in 0..wire.len() * 8 {
            let mut w = wire.clone();
            w[i / 8] ^= 1 << (i % 8);
            let (got, _) = decode_all(&w);
            assert!(got.iter().all(|f| *f == good), "{c:?}: flipping bit {i} of {wire:02x?} gave {got:?}");
            flips += 1;
        }
        frames += 1;
    }
    assert!(flips > 100_000, "{flips} flips of {frames} frames");
}

/// WRITE_BYTES carries a word as one byte exactly when the memory reads that byte back as the
/// word: every 8-bit two's complement value in a signed memory, 0..=255 in an unsigned one.
#[test]
fn a_word_travels_as_one_byte_only_when_the_memory_reads_it_back_equal() {
    use spikemesh_spec::memory_map::Geometry;
    let g = |signed| Geometry { rows: 1, cols: 1, bits: 16, signed, writable: true, allowed: 0xffff };
    for v in -300i64..300 {
        for signed in [true, false] {
            let want = if signed { (-128..128).contains(&v) } else { (0..256).contains(&v) };
            let b = g(signed).value_byte(v);
            assert_eq!(b.is_some(), want, "{v} signed {signed}");
            if let Some(b) = b {
                assert_eq!(g(signed).byte_value(b), v);
            }
        }
    }
}
