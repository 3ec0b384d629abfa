//! The host bridge against random command sequences: every frame a host could send, each
//! answered as `spec::protocol` promises, on the chip in Verilator through its UART pins.

use spikemesh_hdl::chip::clock_hz;
use spikemesh_hdl::link::bridge::board_info;
use spikemesh_spec::flit::Flit;
use spikemesh_spec::memory_map;
use spikemesh_spec::protocol::{Command, Reason, Response};
use spikemesh_spec::Mapping;

mod common;

use common::link::{net, Link};

/// What the board must answer to one frame, from `spec::protocol` and the geometry table.
#[derive(Debug, PartialEq)]
enum Want {
    /// Exactly these responses.
    Exactly(Vec<Response>),
    /// DATA with this many words.
    Data(usize),
    /// SPIKES frames (any number), then ACK.
    Stepped,
    /// One answer to STEP_PULLED or NEXT: a SPIKES frame (the STEP waits) or ACK (it ended).
    Pulled,
}

/// The host's view of the board between commands: what the spec says it holds.
#[derive(Debug, Default)]
struct Expect {
    /// A timestep is open (INJECT without STEP since).
    open: bool,
    /// The mesh's timestep counter (timesteps started since RESET).
    timestep: u32,
    /// Frames accepted since RESET.
    frames: u32,
    /// Spikes received since RESET.
    spikes: u32,
    /// A STEP_PULLED waits for NEXT: the timesteps it still covers, up to this counter value.
    paused: Option<u32>,
}

/// The answer the protocol promises for `f`, given the board's state. Refusals are checked
/// in one order: length, a READ_MEM's count, busy, addresses, values.
fn promised(
    hw: &spikemesh_spec::Hardware,
    info: &spikemesh_spec::protocol::BoardInfo,
    f: &spikemesh_spec::protocol::Frame,
    e: &Expect,
) -> Want {
    use spikemesh_spec::protocol::kind;
    use spikemesh_spec::protocol::{MessageError, READ_WORDS};
    let nack = |r| Want::Exactly(vec![Response::Nack(r)]);
    if f.kind == kind::WRITE_BYTES && !hw.byte_writes {
        return nack(Reason::UnknownKind);
    }
    if [kind::STEP_PULLED, kind::NEXT].contains(&f.kind) && !hw.pulled_spikes {
        return nack(Reason::UnknownKind);
    }
    // Inside a paused STEP_PULLED only these kinds are taken; the rest would run inside it.
    if e.paused.is_some() && ![kind::NEXT, kind::RESET, kind::IDENTIFY, kind::STATUS].contains(&f.kind) {
        return nack(Reason::Busy);
    }
    match Command::parse(f) {
        Err(MessageError::Kind(_)) => nack(Reason::UnknownKind),
        Err(MessageError::Length { .. }) => nack(Reason::BadLength),
        Err(MessageError::Field { .. }) => nack(Reason::OutOfRange),
        Ok(Command::Identify) => Want::Exactly(vec![Response::Ident(*info)]),
        Ok(Command::Status) => Want::Exactly(vec![Response::Counters {
            timestep: e.timestep,
            frames_ok: e.frames + 1,
            frames_rejected: 0,
            spikes_sent: e.spikes,
        }]),
        Ok(Command::Reset) => Want::Exactly(vec![Response::Ack]),
        Ok(Command::Step(0)) => Want::Exactly(vec![Response::Ack]),
        Ok(Command::Step(_)) => Want::Stepped,
        Ok(Command::StepPulled(0)) => Want::Exactly(vec![Response::Ack]),
        Ok(Command::StepPulled(_)) => Want::Pulled,
        Ok(Command::Next) if e.paused.is_some() => Want::Pulled,
        Ok(Command::Next) => nack(Reason::Busy),
        Ok(Command::Inject(flits)) => {
            let ok = flits.iter().all(|f| {
                (f.x as usize) < hw.mesh_x && (f.y as usize) < hw.mesh_y && (f.payload as usize) < hw.axons_per_core
            });
            if ok {
                Want::Exactly(vec![Response::Ack])
            } else {
                nack(Reason::OutOfRange)
            }
        }
        Ok(Command::ReadMem { core, mem, row, col, count }) => {
            if count == 0 || count as usize > READ_WORDS {
                nack(Reason::OutOfRange)
            } else if e.open {
                nack(Reason::Busy)
            } else if memory_map::check_access(hw, core, mem, row, col as u32, count as usize, false).is_err() {
                nack(Reason::OutOfRange)
            } else {
                Want::Data(count as usize)
            }
        }
        Ok(Command::WriteMem { core, mem, row, col, data }) => {
            match memory_map::check_access(hw, core, mem, row, col as u32, data.len(), true) {
                _ if e.open => nack(Reason::Busy),
                Ok(g) if data.iter().all(|&v| g.holds(v)) => Want::Exactly(vec![Response::Ack]),
                _ => nack(Reason::OutOfRange),
            }
        }
        Ok(Command::WriteBytes { core, mem, row, col, data }) => {
            match memory_map::check_access(hw, core, mem, row, col as u32, data.len(), true) {
                _ if e.open => nack(Reason::Busy),
                Ok(g) if data.iter().all(|&b| g.holds(g.byte_value(b))) => Want::Exactly(vec![Response::Ack]),
                _ => nack(Reason::OutOfRange),
            }
        }
    }
}

/// The target of a write command and the words it writes (WRITE_BYTES's bytes as the memory
/// takes them, when the memory exists).
fn write_of(hw: &spikemesh_spec::Hardware, c: &Command) -> Option<(Command, Option<Vec<i64>>)> {
    let read = |core, mem, row, col, n: usize| Command::ReadMem { core, mem, row, col, count: n as u16 };
    match c {
        Command::WriteMem { core, mem, row, col, data } => {
            Some((read(*core, *mem, *row, *col, data.len()), Some(data.clone())))
        }
        Command::WriteBytes { core, mem, row, col, data } => {
            let words = memory_map::geometry(*mem, hw).map(|g| data.iter().map(|&b| g.byte_value(b)).collect());
            Some((read(*core, *mem, *row, *col, data.len()), words))
        }
        _ => None,
    }
}

/// A frame body (kind, payload) a host could send: well-formed commands near the hardware's
/// edges, command kinds with payloads of any length, and any kind at all.
/// `inputs`: the network's input flits, for bursts that make neurons fire.
fn fuzz_frame(inputs: Vec<Flit>) -> impl proptest::strategy::Strategy<Value = (u8, Vec<u8>)> {
    use proptest::prelude::*;
    // Mostly inside link-2x1's shape (2x1 cores, 32 neurons, 64 axons), sometimes just past it.
    let edge = |small: u32, edges: Vec<u32>| prop_oneof![4 => 0..small, 1 => prop::sample::select(edges)];
    let row = edge(4, vec![31, 32, 63, 64, 1 << 16, (1 << 24) - 1]);
    let col = edge(4, vec![29, 30, 31, 32, 63, 64, 0xffff]).prop_map(|c| c as u16);
    let core = prop_oneof![6 => 0u8..2, 1 => 2u8..=255];
    let value = prop_oneof![
        6 => -3i64..8,
        1 => prop::sample::select(vec![-(1i64 << 39), -33, -32, 31, 32, 127, 128, 1 << 19, 1 << 22, (1i64 << 39) - 1]),
    ];
    let byte = prop_oneof![6 => prop_oneof![0u8..8, 0xfdu8..=0xff], 1 => any::<u8>()];
    let flit = (
        prop_oneof![6 => 0u8..2, 1 => 2u8..16],
        prop_oneof![6 => Just(0u8), 1 => 1u8..16],
        edge(64, vec![64, 65, 1 << 13]),
        prop::bool::weighted(0.05),
    )
        .prop_map(|(x, y, p, host)| Flit { host, x, y, payload: p as u16 });
    let command = prop_oneof![
        3 => (core.clone(), 0u8..15, row.clone(), col.clone(), prop::collection::vec(value, 1..5))
            .prop_map(|(core, mem, row, col, data)| Command::WriteMem { core, mem, row, col, data }),
        2 => (core.clone(), 0u8..15, row.clone(), col.clone(), prop::collection::vec(byte, 1..5))
            .prop_map(|(core, mem, row, col, data)| Command::WriteBytes { core, mem, row, col, data }),
        3 => (core, 0u8..15, row, col, prop_oneof![4 => 0u16..6, 1 => 200u16..210])
            .prop_map(|(core, mem, row, col, count)| Command::ReadMem { core, mem, row, col, count }),
        2 => prop::collection::vec(flit, 1..5).prop_map(Command::Inject),
        1 => prop::collection::vec(prop::sample::select(inputs), 16..48).prop_map(Command::Inject),
        1 => (0u32..4).prop_map(Command::Step),
        1 => (0u32..4).prop_map(Command::StepPulled),
        2 => Just(Command::Next),
        1 => Just(Command::Status),
        1 => Just(Command::Reset),
        1 => Just(Command::Identify),
    ];
    prop_oneof![
        // A well-formed command, sometimes with one payload bit flipped (a field just wrong).
        6 => (command, prop::option::weighted(0.3, (any::<prop::sample::Index>(), 0u8..8))).prop_map(|(c, flip)| {
            let mut f = c.frame(0);
            if let (Some((i, bit)), false) = (flip, f.payload.is_empty()) {
                let i = i.index(f.payload.len());
                f.payload[i] ^= 1 << bit;
            }
            (f.kind, f.payload)
        }),
        2 => (1u8..=10, prop::collection::vec(any::<u8>(), 0..24)),
        1 => (any::<u8>(), prop::collection::vec(any::<u8>(), 0..12)),
    ]
    .prop_map(|(kind, mut payload)| {
        // A long STEP would only cost time: keep random ones to a few timesteps.
        if [spikemesh_spec::protocol::kind::STEP, spikemesh_spec::protocol::kind::STEP_PULLED].contains(&kind)
            && payload.len() == 4
        {
            payload = (u32::from_le_bytes(payload[..].try_into().unwrap()) % 4).to_le_bytes().to_vec();
        }
        (kind, payload)
    })
}

#[test]
fn random_commands_are_answered_as_the_spec_promises() {
    fuzz("link-2x1.toml", true);
}

/// The same on a cuba chip: its type words (ids 2-4, 10, 11), middle register (12) and model
/// code (13) follow cuba's memory table. Built without WRITE_BYTES (`byte_writes = false`, as
/// on a full UP5K), which it must refuse as an unknown kind.
#[test]
fn random_commands_to_a_cuba_chip_are_answered_as_the_spec_promises() {
    fuzz("link-cuba.toml", false);
}

fn fuzz(name: &str, byte_writes: bool) {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    use spikemesh_spec::protocol::Frame;
    let mut n = net(name);
    n.hardware.byte_writes = byte_writes;
    // Both options follow one switch here: link-2x1 has both, link-cuba neither (as a full UP5K).
    n.hardware.pulled_spikes = byte_writes;
    let hw = n.hardware.clone();
    let info = board_info(&hw, clock_hz(&hw));
    let mut l = Link::open(&n);
    // The network loaded, so injected axon events make neurons fire and pulled STEPs pause.
    let m = Mapping::build(&n).unwrap();
    l.load(&m);
    let inputs: Vec<Flit> = (0..16).flat_map(|a| m.input_flits(&[(0, a)])).collect();
    assert!(!inputs.is_empty());
    let mut runner = TestRunner::new(Config { cases: 128, failure_persistence: None, ..Config::default() });
    let frames = proptest::collection::vec(fuzz_frame(inputs), 1..48);
    // One board for every case (a model is costly to open): each case starts with RESET, so it
    // knows the state the spec promises. Memories keep what earlier cases wrote; the checks
    // below read before and after instead of assuming contents.
    let l = std::cell::RefCell::new(&mut l);
    // What the cases exercised, so a generator that drifts into trivia fails the test.
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::<String, usize>::new());
    let result = runner.run(&frames, |frames| {
        let mut l = l.borrow_mut();
        let mut seen = seen.borrow_mut();
        let mut e = Expect::default();
        l.ack(&Command::Reset);
        for (i, (kind, payload)) in frames.iter().enumerate() {
            // Parsing ignores the seq: the frame gets its seq when it is sent, after any read below.
            let f = Frame { kind: *kind, seq: 0, payload: payload.clone() };
            let want = promised(&hw, &info, &f, &e);
            let cmd = Command::parse(&f).ok();
            // What a write's target holds before, when it can be read.
            let write = cmd.as_ref().and_then(|c| write_of(&hw, c));
            let target = match &write {
                Some((r, _)) if !e.open => {
                    let r = r.clone();
                    let before = l.cmd(&r);
                    e.frames += 1;
                    match &before[..] {
                        [Response::Data(d)] => Some((r, d.clone())),
                        _ => None,
                    }
                }
                _ => None,
            };
            l.seq = l.seq.wrapping_add(1);
            let f = Frame { seq: l.seq, ..f };
            let got: Vec<Response> = l
                .raw(&f.encode())
                .into_iter()
                .map(|(s, r)| if s == f.seq { Ok(r) } else { Err(s) })
                .collect::<Result<_, _>>()
                .map_err(|s| TestCaseError::fail(format!("frame {i} {f:?}: an answer carried seq {s}")))?;
            e.frames += 1;
            let ctx = format!("frame {i} (kind {kind:#04x}, payload {payload:02x?}) = {cmd:?}, state {e:?}");
            match &want {
                Want::Exactly(w) => {
                    if &got != w {
                        return Err(TestCaseError::fail(format!("{ctx}: answered {got:?}, the spec promises {w:?}")));
                    }
                }
                Want::Data(k) => match &got[..] {
                    [Response::Data(d)] if d.len() == *k => {}
                    _ => return Err(TestCaseError::fail(format!("{ctx}: answered {got:?}, want DATA of {k} words"))),
                },
                Want::Stepped => {
                    let (last, spikes) =
                        got.split_last().ok_or_else(|| TestCaseError::fail(format!("{ctx}: no answer")))?;
                    let Some(Command::Step(k)) = cmd else { unreachable!() };
                    // The first timestep STEP finishes is the open one, if any.
                    let first = e.timestep - e.open as u32;
                    let end = first + k;
                    for s in spikes {
                        match s {
                            Response::Spikes { timestep, spikes } if (first..end).contains(timestep) => {
                                e.spikes += spikes.len() as u32
                            }
                            _ => {
                                return Err(TestCaseError::fail(format!(
                                    "{ctx}: STEP streamed {s:?}, timesteps {first}..{end}"
                                )))
                            }
                        }
                    }
                    if last != &Response::Ack {
                        return Err(TestCaseError::fail(format!("{ctx}: STEP ended with {last:?}")));
                    }
                }
                Want::Pulled => {
                    // The timesteps the pulled STEP covers: from the open one (or the one
                    // its last frame belonged to) up to `end`.
                    let (first, end) = match (&cmd, e.paused) {
                        (Some(Command::StepPulled(k)), _) => {
                            (e.timestep - e.open as u32, e.timestep - e.open as u32 + k)
                        }
                        (_, Some(end)) => (e.timestep.saturating_sub(1), end),
                        _ => unreachable!(),
                    };
                    match &got[..] {
                        [Response::Ack] => {
                            e.timestep = end;
                            e.paused = None;
                        }
                        [Response::Spikes { timestep, spikes }] if (first..end).contains(timestep) => {
                            *seen.entry("SPIKES pulled".into()).or_default() += 1;
                            e.spikes += spikes.len() as u32;
                            e.timestep = timestep + 1;
                            e.paused = Some(end);
                        }
                        _ => {
                            return Err(TestCaseError::fail(format!(
                                "{ctx}: answered {got:?}, want one SPIKES frame of timesteps {first}..{end} or ACK"
                            )))
                        }
                    }
                    e.open = false;
                }
            }
            // The spec's state after the answer.
            let acked = got.last() == Some(&Response::Ack);
            let name = match (&cmd, got.last()) {
                (_, Some(Response::Nack(r))) => format!("NACK {r:?}"),
                (Some(c), _) => format!("{} answered", format!("{c:?}").split(['(', ' ']).next().unwrap()),
                (None, _) => "unparsed".into(),
            };
            *seen.entry(name).or_default() += 1;
            match &cmd {
                Some(Command::Reset) => e = Expect::default(),
                Some(Command::Inject(_)) if acked => {
                    e.timestep += !e.open as u32;
                    e.open = true;
                }
                Some(Command::Step(k)) if *k > 0 && acked => {
                    e.timestep += k - e.open as u32;
                    e.open = false;
                }
                _ => {}
            }
            // A write is all or nothing: what it ACKed reads back, what it refused is untouched.
            if let (Some((_, words)), Some((read, before))) = (write, target) {
                let after = l.cmd(&read);
                e.frames += 1;
                *seen.entry(format!("write read back after {}", if acked { "ACK" } else { "NACK" })).or_default() += 1;
                let want = match words {
                    Some(w) if acked => w,
                    _ => before,
                };
                if after != vec![Response::Data(want.clone())] {
                    return Err(TestCaseError::fail(format!("{ctx}: read back {after:?}, want {want:?}")));
                }
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let seen = seen.into_inner();
    eprintln!("{seen:#?}");
    for k in [
        "NACK UnknownKind",
        "NACK BadLength",
        "NACK OutOfRange",
        "NACK Busy",
        "WriteMem answered",
        "ReadMem answered",
        "Inject answered",
        "Step answered",
        "Status answered",
        "Identify answered",
        "write read back after ACK",
        "write read back after NACK",
    ] {
        assert!(seen.get(k).copied().unwrap_or(0) > 0, "no case exercised {k:?}: {seen:?}");
    }
    assert_eq!(seen.contains_key("WriteBytes answered"), byte_writes, "WRITE_BYTES answers: {seen:?}");
    assert_eq!(seen.contains_key("StepPulled answered"), byte_writes, "STEP_PULLED answers: {seen:?}");
    assert_eq!(seen.contains_key("Next answered"), byte_writes, "NEXT answers: {seen:?}");
    assert_eq!(seen.contains_key("SPIKES pulled"), byte_writes, "pulled SPIKES frames: {seen:?}");
}
