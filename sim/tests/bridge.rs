//! The host bridge on the whole chip, through its UART pins (`sim::board`): every command,
//! every refusal, and a network loaded and run over the wire against the golden model. The
//! random command sequences are in `bridge_fuzz.rs`.

use spikemesh_hdl::chip::clock_hz;
use spikemesh_hdl::link::bridge::board_info;
use spikemesh_sim::Golden;
use spikemesh_spec::flit::Flit;
use spikemesh_spec::memory_map;
use spikemesh_spec::protocol::{Command, Reason, Response};
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::Path;

mod common;

use common::link::{net, Link};

#[test]
fn identify_and_refusals() {
    let n = net("link-2x1.toml");
    let mut l = Link::open(&n);
    assert_eq!(l.cmd(&Command::Identify), vec![Response::Ident(board_info(&n.hardware, clock_hz(&n.hardware)))]);
    let nack = |r: Reason| vec![Response::Nack(r)];
    // Unknown kind, wrong lengths.
    assert_eq!(
        l.raw(&spikemesh_spec::protocol::Frame { kind: 0x42, seq: 9, payload: vec![] }.encode()),
        vec![(9, Response::Nack(Reason::UnknownKind))]
    );
    assert_eq!(
        l.raw(&spikemesh_spec::protocol::Frame { kind: 0x05, seq: 10, payload: vec![1, 0, 0] }.encode()),
        vec![(10, Response::Nack(Reason::BadLength))]
    );
    assert_eq!(
        l.raw(&spikemesh_spec::protocol::Frame { kind: 0x02, seq: 11, payload: vec![0; 13] }.encode()),
        vec![(11, Response::Nack(Reason::BadLength))]
    );
    assert_eq!(
        l.raw(&spikemesh_spec::protocol::Frame { kind: 0x04, seq: 12, payload: vec![0; 4] }.encode()),
        vec![(12, Response::Nack(Reason::BadLength))]
    );
    // Outside the hardware: core, memory, row, column, value width, read-only memory.
    let w = |core, mem, row, col, data: Vec<i64>| Command::WriteMem { core, mem, row, col, data };
    assert_eq!(l.cmd(&w(2, 0, 0, 0, vec![1])), nack(Reason::OutOfRange));
    assert_eq!(l.cmd(&w(0, 11, 0, 0, vec![1])), nack(Reason::OutOfRange));
    assert_eq!(l.cmd(&w(0, memory_map::CROSSBAR, 64, 0, vec![1])), nack(Reason::OutOfRange));
    assert_eq!(l.cmd(&w(0, memory_map::CROSSBAR, 0, 31, vec![1, 2])), nack(Reason::OutOfRange));
    assert_eq!(
        l.cmd(&w(0, memory_map::CROSSBAR, 0, 0, vec![5, 31, 32])),
        nack(Reason::OutOfRange),
        "6-bit weights end at 31"
    );
    assert_eq!(l.cmd(&w(0, memory_map::CROSSBAR, 0, 0, vec![-33])), nack(Reason::OutOfRange));
    assert_eq!(l.cmd(&w(0, memory_map::ACCUMULATOR, 0, 0, vec![1])), nack(Reason::OutOfRange));
    // Packed words: fan-out entries store base (7 bits here), count (2) and record; destination
    // entries store axon (6), y (1), x (1). Any other bit is refused, never dropped.
    assert_eq!(l.cmd(&w(0, memory_map::FANOUT, 0, 0, vec![1 << 10])), nack(Reason::OutOfRange));
    assert_eq!(l.cmd(&w(0, memory_map::DESTINATION, 0, 0, vec![1 << 22])), nack(Reason::OutOfRange));
    assert_eq!(l.cmd(&w(0, memory_map::DESTINATION, 0, 0, vec![1 << 19])), nack(Reason::OutOfRange));
    let fan = memory_map::fanout_word(100, 2, true) as i64;
    let dest = Flit::axon(1, 0, 63).encode() as i64;
    l.ack(&w(1, memory_map::FANOUT, 0, 31, vec![fan]));
    l.ack(&w(1, memory_map::DESTINATION, 63, 0, vec![dest]));
    assert_eq!(l.read(1, memory_map::FANOUT, 0, 31, 1), vec![fan]);
    assert_eq!(l.read(1, memory_map::DESTINATION, 63, 0, 1), vec![dest]);
    // Back to no fan-out, so the STEPs below stream nothing.
    l.ack(&w(1, memory_map::FANOUT, 0, 31, vec![0]));
    // A refused write changed nothing (all or nothing).
    assert_eq!(l.read(0, memory_map::CROSSBAR, 0, 0, 3), vec![0, 0, 0]);
    l.ack(&w(1, memory_map::CROSSBAR, 63, 29, vec![31, -32, 7]));
    assert_eq!(l.read(1, memory_map::CROSSBAR, 63, 29, 3), vec![31, -32, 7]);
    assert_eq!(l.cmd(&Command::ReadMem { core: 0, mem: 0, row: 0, col: 30, count: 3 }), nack(Reason::OutOfRange));
    assert_eq!(l.cmd(&Command::ReadMem { core: 0, mem: 0, row: 0, col: 0, count: 0 }), nack(Reason::OutOfRange));
    // Flits: core flits for an existing core and axon only.
    assert_eq!(l.cmd(&Command::Inject(vec![Flit::axon(2, 0, 0)])), nack(Reason::OutOfRange));
    assert_eq!(l.cmd(&Command::Inject(vec![Flit::axon(0, 0, 64)])), nack(Reason::OutOfRange));
    // An open timestep refuses memory access until STEP closes it.
    l.ack(&Command::Inject(vec![Flit::axon(0, 0, 3)]));
    assert_eq!(l.cmd(&Command::ReadMem { core: 0, mem: 5, row: 0, col: 0, count: 1 }), nack(Reason::Busy));
    assert_eq!(l.cmd(&Command::Step(1)), vec![Response::Ack]);
    assert_eq!(l.read(0, memory_map::POTENTIAL, 0, 0, 1), vec![0]);
    match &l.cmd(&Command::Status)[..] {
        [Response::Counters { timestep, frames_ok, frames_rejected, spikes_sent }] => {
            assert_eq!((*timestep, *frames_rejected, *spikes_sent), (1, 0, 0));
            assert_eq!(*frames_ok, 32, "every frame so far, this STATUS included");
        }
        other => panic!("STATUS answered {other:?}"),
    }
    // A repeated command (same kind and seq) is answered again, not run again.
    let again = Command::Inject(vec![Flit::axon(0, 0, 3)]).frame(l.seq + 1);
    assert_eq!(l.raw(&again.encode()), vec![(l.seq + 1, Response::Ack)]);
    assert_eq!(l.raw(&again.encode()), vec![(l.seq + 1, Response::Ack)]);
    l.seq += 1;
    assert_eq!(l.cmd(&Command::Step(1)), vec![Response::Ack]);
    match &l.cmd(&Command::Status)[..] {
        [Response::Counters { timestep, .. }] => assert_eq!(*timestep, 2, "the repeated INJECT opened one timestep"),
        other => panic!("STATUS answered {other:?}"),
    }
}

/// Loads `n` over the wire, runs `stim` and checks every recorded spike and every potential
/// against the golden model; returns (spikes, clocks to load).
fn over_the_wire(n: &Network, stim: &Stimulus) -> (usize, u64) {
    let m = Mapping::build(n).unwrap_or_else(|e| panic!("{e}"));
    let mut l = Link::open(n);
    let t0 = l.board.cycles;
    l.load(&m);
    let load_cycles = l.board.cycles - t0;
    let mut gold = Golden::new(&m);
    let mut total = 0;
    for (t, inputs) in stim.steps.iter().enumerate() {
        let want = l.open_timestep(&m, &mut gold, inputs);
        let mut got = Vec::new();
        let answers = l.cmd(&Command::Step(1));
        assert_eq!(answers.last(), Some(&Response::Ack));
        for a in &answers[..answers.len() - 1] {
            let Response::Spikes { timestep, spikes } = a else { panic!("STEP streamed {a:?}") };
            assert_eq!(*timestep as usize, t);
            got.extend(spikes.iter().map(|&f| m.slot_of_host_flit(f)));
        }
        got.sort_unstable();
        assert_eq!(got, want, "timestep {t}");
        total += got.len();
    }
    // Potentials read back over the wire equal the golden model's.
    let pots = gold.potentials();
    let per_core = n.hardware.neurons_per_core;
    for c in 0..n.hardware.cores() {
        let got = l.read(c as u8, memory_map::POTENTIAL, 0, 0, per_core as u16);
        for (j, v) in got.iter().enumerate() {
            assert_eq!(*v, pots[c * per_core + j], "core {c} neuron {j}");
        }
    }
    (total, load_cycles)
}

#[test]
fn network_over_the_wire_equals_golden() {
    let n = net("link-2x1.toml");
    let (total, load_cycles) = over_the_wire(&n, &Stimulus::build(&n, 40, None).unwrap());
    assert!(total > 50, "the run should fire: {total} spikes");
    eprintln!("loaded in {load_cycles} clocks; {total} spikes over the wire");
}

/// Random networks with random delays (0..=3 extra timesteps) through the host bridge: the
/// delay of every axon row written over the wire, then spikes and potentials against golden.
#[test]
fn random_networks_with_delays_over_the_wire_equal_golden() {
    let mut total = 0;
    for seed in 0..3 {
        let text = common::random_mesh_net(seed, (2, 1, 8, 24, 6, 12), seed == 2, 2);
        let n = Network::parse(Path::new("delays.toml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        total += over_the_wire(&n, &Stimulus::random(&n, 60, 0.3, seed)).0;
    }
    assert!(total > 50, "the runs should fire: {total} spikes");
}

#[test]
fn corrupt_frames_are_counted_never_applied() {
    use rand::{Rng, SeedableRng};
    let n = net("link-2x1.toml");
    let mut l = Link::open(&n);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let write = |seq: u8, v: i64| {
        Command::WriteMem { core: 1, mem: memory_map::CROSSBAR, row: 7, col: 3, data: vec![v] }.frame(seq).encode()
    };
    let mut rejected = 0;
    for round in 0..40u8 {
        let seq = 100 + round;
        let mut f = write(seq, 9);
        match round % 5 {
            // One flipped bit anywhere but the delimiters.
            0 => {
                let i = rng.gen_range(1..f.len() - 1);
                f[i] ^= 1 << rng.gen_range(0..8);
                if f[i] == 0 {
                    f[i] = 0x55; // a flip to zero would split the frame in two: also rejected, but keep one frame
                }
            }
            // A dropped byte.
            1 => {
                f.remove(rng.gen_range(1..f.len() - 1));
            }
            // Truncated: the host stops mid-frame (a disconnect); the next frame's zero ends it.
            2 => f.truncate(rng.gen_range(2..f.len() - 1)),
            // Garbage (no zeros) then the zero that ends it.
            3 => f = (0..rng.gen_range(1..40)).map(|_| rng.gen_range(1..=255u8)).chain([0]).collect(),
            // A byte inserted.
            _ => f.insert(rng.gen_range(1..f.len() - 1), rng.gen_range(1..=255u8)),
        }
        assert_eq!(l.raw(&f), vec![], "round {round}: a bad frame gets no answer");
        rejected += 1;
        // The board stays responsive and nothing was written.
        assert_eq!(l.read(1, memory_map::CROSSBAR, 7, 3, 1), vec![0], "round {round}");
        match &l.cmd(&Command::Status)[..] {
            [Response::Counters { frames_rejected, .. }] => assert_eq!(*frames_rejected, rejected, "round {round}"),
            other => panic!("STATUS answered {other:?}"),
        }
    }
    // A frame sent while the board is busy is rejected too, and the busy command finishes.
    l.seq += 1;
    let step = Command::Step(30).frame(l.seq).encode();
    let mut both = step.clone();
    both.extend(write(l.seq + 1, 9));
    let answers = l.raw(&both);
    assert_eq!(answers.last(), Some(&(l.seq, Response::Ack)));
    assert_eq!(answers.len(), 1, "no spikes (nothing loaded), only STEP's ACK");
    l.seq += 1;
    assert_eq!(l.read(1, memory_map::CROSSBAR, 7, 3, 1), vec![0], "the write sent during STEP was not applied");
    match &l.cmd(&Command::Status)[..] {
        [Response::Counters { frames_rejected, timestep, .. }] => {
            assert_eq!((*frames_rejected, *timestep), (rejected + 1, 30));
        }
        other => panic!("STATUS answered {other:?}"),
    }
    l.ack(&Command::WriteMem { core: 1, mem: memory_map::CROSSBAR, row: 7, col: 3, data: vec![9] });
    assert_eq!(l.read(1, memory_map::CROSSBAR, 7, 3, 1), vec![9]);
}

/// The repeat rule makes every SPIKES frame of a pulled STEP recoverable: STEP_PULLED or
/// NEXT sent again with its seq gets the same frame again, and the chip goes on only at a
/// new NEXT. Each timestep's spikes come back exactly as the golden model's, once.
#[test]
fn a_pulled_step_answers_a_repeat_with_the_same_spikes_frame() {
    let n = net("link-2x1.toml");
    let m = Mapping::build(&n).unwrap();
    let stim = Stimulus::build(&n, 12, None).unwrap();
    let mut l = Link::open(&n);
    l.load(&m);
    let mut gold = Golden::new(&m);
    let (mut frames, mut total) = (0, 0);
    for (t, inputs) in stim.steps.iter().enumerate() {
        let want = l.open_timestep(&m, &mut gold, inputs);
        let mut got = Vec::new();
        let mut cmd = Command::StepPulled(1);
        loop {
            let answer = l.cmd(&cmd);
            // The same frame again (same kind and seq): the same answer, nothing run twice.
            let again: Vec<Response> = l.raw(&cmd.frame(l.seq).encode()).into_iter().map(|(_, r)| r).collect();
            assert_eq!(again, answer, "timestep {t}: {cmd:?} sent again");
            match &answer[..] {
                [Response::Ack] => break,
                [Response::Spikes { timestep, spikes }] => {
                    assert_eq!(*timestep as usize, t);
                    got.extend(spikes.iter().map(|&f| m.slot_of_host_flit(f)));
                    frames += 1;
                }
                other => panic!("timestep {t}: {cmd:?} answered {other:?}"),
            }
            cmd = Command::Next;
        }
        got.sort_unstable();
        assert_eq!(got, want, "timestep {t}");
        total += got.len();
    }
    assert!(frames > 5 && total > 20, "the run should fire: {frames} frames, {total} spikes");
    assert_eq!(l.cmd(&Command::Next), vec![Response::Nack(Reason::Busy)], "NEXT with nothing waiting");
    match &l.cmd(&Command::Status)[..] {
        [Response::Counters { timestep, spikes_sent, .. }] => {
            assert_eq!((*timestep, *spikes_sent), (12, total as u32), "a repeat ran nothing twice")
        }
        other => panic!("STATUS answered {other:?}"),
    }
}

/// A core holding fewer crossbar rows than the chip addresses (`core_axons`): the bridge
/// accepts rows up to `axons_per_core`, and the tile ignores writes beyond the core's own rows,
/// reads them as zero and drops events to them (`docs/semantics.md`, "Crossbar rows per core").
/// Without the guard, row 10 of a 4-row memory is row 2.
#[test]
fn rows_beyond_a_cores_own_are_empty() {
    let text = "[hardware]\nboard = \"sim\"\nmesh = [1, 1]\nneurons_per_core = 4\naxons_per_core = 16\ncore_axons = [4]\n\
                weight_bits = 6\npotential_bits = 12\ndelay_bits = 1\n\n[[population]]\nname = \"in\"\nsize = 4\ninput = true\n\n\
                [[population]]\nname = \"out\"\nsize = 4\nrecord = true\nneuron = { threshold = 100, leak_shift = 0, reset = 0, refractory = 0 }\n\n\
                [[projection]]\nfrom = \"in\"\nto = \"out\"\nconnectivity = \"all_to_all\"\nweight = 3\n";
    let n = Network::parse(Path::new("rows.toml"), text).unwrap_or_else(|e| panic!("{e}"));
    let m = Mapping::build(&n).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.cores[0].crossbar.len(), 4 * 4, "the image holds the core's own rows");
    let mut l = Link::open(&n);
    l.load(&m);
    let xbar = memory_map::CROSSBAR;
    l.ack(&Command::WriteMem { core: 0, mem: xbar, row: 10, col: 0, data: vec![7] });
    assert_eq!(l.read(0, xbar, 10, 0, 1), vec![0], "a row beyond the core's reads as zero");
    assert_eq!(l.read(0, xbar, 2, 0, 1), vec![3], "the write beyond did not land on row 2");
    l.ack(&Command::WriteMem { core: 0, mem: memory_map::AXON_DELAY, row: 10, col: 0, data: vec![1] });
    assert_eq!(l.read(0, memory_map::AXON_DELAY, 2, 0, 1), vec![0]);
    l.ack(&Command::Inject(vec![Flit::axon(0, 0, 10)]));
    l.ack(&Command::Step(2));
    assert_eq!(l.read(0, memory_map::POTENTIAL, 0, 0, 4), vec![0; 4], "an event beyond the rows adds nothing");
    l.ack(&Command::Inject(vec![Flit::axon(0, 0, 2)]));
    l.ack(&Command::Step(2));
    assert_eq!(l.read(0, memory_map::POTENTIAL, 0, 0, 4), vec![3; 4], "an event to a row the core holds");
}
