//! The host bridge on the whole chip, through its UART pins (`sim::board`): every command,
//! every refusal, and a network loaded and run over the wire against the golden model.

use spikemesh_hdl::chip::clock_hz;
use spikemesh_hdl::link::bridge::board_info;
use spikemesh_sim::board::VirtualBoard;
use spikemesh_sim::Golden;
use spikemesh_spec::flit::Flit;
use spikemesh_spec::memory_map::{self, config_writes};
use spikemesh_spec::protocol::{Command, Decoder, Reason, Response, WRITE_WORDS};
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::Path;

mod common;

struct Link {
    board: VirtualBoard,
    dec: Decoder,
    seq: u8,
}

impl Link {
    fn open(net: &Network) -> Self {
        Self { board: VirtualBoard::new(&net.hardware, None).unwrap(), dec: Decoder::new(), seq: 0 }
    }

    /// Sends raw bytes and returns every answer until the board is idle.
    fn raw(&mut self, bytes: &[u8]) -> Vec<(u8, Response)> {
        self.board.send(bytes);
        let mut out = Vec::new();
        for _ in 0..10_000 {
            self.board.run(1_000_000, &mut out).unwrap();
            if self.board.is_idle() {
                break;
            }
        }
        assert!(self.board.is_idle(), "the board never went idle");
        self.dec
            .push(&out)
            .into_iter()
            .map(|f| {
                let f = f.expect("the board sends valid frames");
                (f.seq, Response::parse(&f).expect("the board sends valid messages"))
            })
            .collect()
    }

    fn cmd(&mut self, c: &Command) -> Vec<Response> {
        self.seq = self.seq.wrapping_add(1);
        let r = self.raw(&c.frame(self.seq).encode());
        for (s, _) in &r {
            assert_eq!(*s, self.seq, "answers carry the command's seq");
        }
        r.into_iter().map(|(_, r)| r).collect()
    }

    /// Steps the golden model on `inputs` and injects them, opening the board's timestep;
    /// returns the recorded slots the golden model spiked.
    fn open_timestep(&mut self, m: &Mapping, gold: &mut Golden, inputs: &[(u32, u32)]) -> Vec<u32> {
        let want = gold.step(inputs).iter().copied().filter(|&s| m.is_recorded(s)).collect();
        let flits = m.input_flits(inputs);
        if !flits.is_empty() {
            self.ack(&Command::Inject(flits));
        }
        want
    }

    fn ack(&mut self, c: &Command) {
        assert_eq!(self.cmd(c), vec![Response::Ack], "{c:?}");
    }

    fn read(&mut self, core: u8, mem: u8, row: u32, col: u16, count: u16) -> Vec<i64> {
        match &self.cmd(&Command::ReadMem { core, mem, row, col, count })[..] {
            [Response::Data(d)] => d.clone(),
            other => panic!("READ_MEM answered {other:?}"),
        }
    }

    fn load(&mut self, m: &Mapping) {
        for (c, img) in m.cores.iter().enumerate() {
            let w = config_writes(img, m.hardware.delay_bits);
            for chunk in memory_map::column_runs(&w).into_iter().flat_map(|run| run.chunks(WRITE_WORDS)) {
                let data = chunk.iter().map(|x| x.data as i64).collect();
                let (mem, row, col) = (chunk[0].mem, chunk[0].row, chunk[0].col as u16);
                self.ack(&Command::WriteMem { core: c as u8, mem, row, col, data });
            }
        }
        self.ack(&Command::Reset);
    }
}

fn net(name: &str) -> Network {
    Network::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name)).unwrap()
}

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
