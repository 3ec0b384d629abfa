//! A session with a board (or the virtual board) over a serial line.
//!
//! One command is in flight at a time: the board answers each before it takes the next.
//! When an answer does not come in time, the same frame (same sequence number) is sent
//! again; the board answers a repeat without running it twice. A session always starts with
//! IDENTIFY, so a board that still remembers the previous session's last command never takes
//! this session's first one for a repeat.

use crate::error::HostError;
use spikemesh_spec::flit::Flit;
use spikemesh_spec::mapping::Mapping;
use spikemesh_spec::memory_map::{self, config_writes};
use spikemesh_spec::neuron::ModelId;
use spikemesh_spec::protocol::{
    feature_delay_bits, BoardInfo, Command, Decoder, Frame, Reason, Response, BYTE_WRITE_WORDS, FEATURE_BYTE_WRITES,
    FEATURE_PULLED_SPIKES, INJECT_FLITS, READ_WORDS, WRITE_WORDS,
};
use spikemesh_spec::Hardware;
use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

/// The board's counters (STATUS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// Timesteps run since reset.
    pub timestep: u32,
    /// Frames the board accepted.
    pub frames_ok: u32,
    /// Frames the board rejected (bad encoding, checksum, or sent while it was busy).
    pub frames_rejected: u32,
    /// Recorded spikes the board sent.
    pub spikes_sent: u32,
}

/// A recorded spike from the board: its timestep and the host flit (core x, y, neuron slot).
pub type BoardSpike = (u32, Flit);

/// How long a command waits for its answer before it is sent again, unless the caller says:
/// a board answers in microseconds, the virtual board in milliseconds. A large chip's
/// post-synthesis netlist in Verilator can take seconds (`--timeout-ms`).
pub const DEFAULT_TIMEOUT_MS: u64 = 2000;

/// A session with a board.
pub struct Board<P> {
    port: P,
    dec: Decoder,
    seq: u8,
    info: Option<BoardInfo>,
    /// The model the board's cores run, once read.
    model: Option<ModelId>,
    /// The shared kernels of the network being loaded (`core_kernels`): INFO does not report
    /// them, so the host checks tap writes against the network's and the board answers.
    kernels: Vec<Option<spikemesh_spec::kernel::Kernel>>,
    /// How long to wait for the board's next frame before sending a command again.
    pub timeout: Duration,
    /// How many times a command is sent again before giving up.
    pub retries: u32,
    /// Frames from the board that failed their check.
    pub bad_frames: u64,
    /// Commands sent again because their answer did not come.
    pub resent: u64,
    /// Recorded spikes received.
    pub spikes_received: u64,
    /// Use STEP, whose SPIKES frames stream without waiting for the host, even on a board that
    /// offers STEP_PULLED: faster over a link with a long round trip, but a damaged SPIKES
    /// frame is lost (and counted by [`Board::check_spikes`]).
    pub stream_spikes: bool,
}

impl Board<Box<dyn serialport::SerialPort>> {
    /// Opens the serial port `path` at `baud` and identifies the board.
    pub fn open(path: &str, baud: u32) -> Result<Self, HostError> {
        let perr = |e: serialport::Error| HostError::Port { port: path.into(), source: e.into() };
        let port = serialport::new(path, baud).timeout(Duration::from_millis(10)).open().map_err(perr)?;
        // Bytes a previous session left in the line's buffer are not for us.
        port.clear(serialport::ClearBuffer::All).map_err(perr)?;
        let mut b = Board::new(port);
        b.identify()?;
        Ok(b)
    }
}

impl<P: Read + Write> Board<P> {
    /// A session over `port` (any byte stream; the serial port in practice). Call
    /// [`Board::identify`] first.
    pub fn new(port: P) -> Self {
        // Start from a sequence number the last session probably did not end on.
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let seq = (nanos >> 8) as u8 ^ std::process::id() as u8;
        Self {
            port,
            dec: Decoder::new(),
            seq,
            info: None,
            model: None,
            kernels: Vec::new(),
            timeout: Duration::from_millis(DEFAULT_TIMEOUT_MS),
            retries: 3,
            bad_frames: 0,
            resent: 0,
            spikes_received: 0,
            stream_spikes: false,
        }
    }

    /// What the board reported at IDENTIFY.
    pub fn info(&self) -> Option<&BoardInfo> {
        self.info.as_ref()
    }

    /// The neuron model the board's cores run, as core 0 reports it (`memory_map::MODEL_CODE`).
    pub fn model(&mut self) -> Result<ModelId, HostError> {
        if let Some(m) = self.model {
            return Ok(m);
        }
        self.known_info()?;
        let cmd = Command::ReadMem { core: 0, mem: memory_map::MODEL_CODE, row: 0, col: 0, count: 1 };
        let code = match self.exchange(&cmd, &mut Vec::new())? {
            Response::Data(d) if d.len() == 1 => d[0],
            other => return Err(HostError::Unexpected { command: "READ_MEM (model code)", got: format!("{other:?}") }),
        };
        let m = u16::try_from(code).ok().and_then(ModelId::from_code).ok_or_else(|| {
            HostError::Invalid(format!(
                "the board's cores report model code {code:#x}, which is none of this build's models ({})",
                spikemesh_spec::neuron::model_names().join(", ")
            ))
        })?;
        self.model = Some(m);
        Ok(m)
    }

    /// Reads whatever arrives within `until`; returns the frames decoded.
    fn receive(&mut self, until: Instant) -> Result<Vec<Frame>, HostError> {
        let mut buf = [0u8; 4096];
        loop {
            match self.port.read(&mut buf) {
                Ok(0) => {}
                Ok(n) => {
                    let mut frames = Vec::new();
                    for f in self.dec.push(&buf[..n]) {
                        match f {
                            Ok(f) => frames.push(f),
                            Err(_) => self.bad_frames += 1,
                        }
                    }
                    if !frames.is_empty() {
                        return Ok(frames);
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
                Err(e) => return Err(HostError::Port { port: "(open)".into(), source: e }),
            }
            if Instant::now() >= until {
                return Ok(Vec::new());
            }
        }
    }

    /// Sends `cmd` and waits for its answer; SPIKES frames on the way go to `spikes`.
    fn exchange(&mut self, cmd: &Command, spikes: &mut Vec<BoardSpike>) -> Result<Response, HostError> {
        let name = command_name(cmd);
        self.seq = self.seq.wrapping_add(1);
        let bytes = cmd.frame(self.seq).encode();
        let io = |e| HostError::Port { port: "(open)".into(), source: e };
        let bad_before = self.bad_frames;
        for attempt in 0..=self.retries {
            if attempt > 0 {
                self.resent += 1;
            }
            self.port.write_all(&bytes).map_err(io)?;
            self.port.flush().map_err(io)?;
            // Every frame from the board restarts the clock: a long STEP streams as it runs.
            let mut until = Instant::now() + self.timeout;
            loop {
                let frames = self.receive(until)?;
                if frames.is_empty() {
                    break;
                }
                until = Instant::now() + self.timeout;
                for f in frames {
                    if f.seq != self.seq {
                        continue; // a late answer to an earlier try or session
                    }
                    let r = Response::parse(&f).map_err(|e| HostError::Unexpected {
                        command: name,
                        got: format!("a malformed answer: {e}"),
                    })?;
                    match r {
                        // A pulled STEP's SPIKES frame is its command's answer.
                        Response::Spikes { .. } if matches!(cmd, Command::StepPulled(_) | Command::Next) => {
                            return Ok(r)
                        }
                        Response::Spikes { timestep, spikes: s } => self.take_spikes(spikes, timestep, s),
                        Response::Nack(reason) => return Err(HostError::Nack { command: name, reason }),
                        other => return Ok(other),
                    }
                }
            }
        }
        let bad_frames = self.bad_frames - bad_before;
        if bad_frames > 0 {
            return Err(HostError::Crc { command: name, seq: self.seq, bad_frames, tries: self.retries + 1 });
        }
        Err(HostError::Timeout {
            command: name,
            seq: self.seq,
            tries: self.retries + 1,
            timeout_ms: self.timeout.as_millis() as u64,
        })
    }

    fn expect_ack(&mut self, cmd: &Command) -> Result<(), HostError> {
        match self.exchange(cmd, &mut Vec::new())? {
            Response::Ack => Ok(()),
            other => Err(HostError::Unexpected { command: command_name(cmd), got: format!("{other:?}") }),
        }
    }

    /// Asks the board what it is, and which model its cores run ([`Board::model`]). A board
    /// in the middle of a timestep refuses the model read (busy); it is read again when needed.
    pub fn identify(&mut self) -> Result<BoardInfo, HostError> {
        match self.exchange(&Command::Identify, &mut Vec::new())? {
            Response::Ident(i) => {
                self.info = Some(i);
                self.model = None;
                self.finish_pulled_step()?;
                match self.model() {
                    Ok(_) | Err(HostError::Nack { reason: spikemesh_spec::protocol::Reason::Busy, .. }) => Ok(i),
                    Err(e) => Err(e),
                }
            }
            other => Err(HostError::Unexpected { command: "IDENTIFY", got: format!("{other:?}") }),
        }
    }

    /// What IDENTIFY reported, asking the board if this session has not yet.
    fn known_info(&mut self) -> Result<BoardInfo, HostError> {
        match self.info {
            Some(i) => Ok(i),
            None => self.identify(),
        }
    }

    /// Fails unless the board's hardware is exactly `hw`'s shape.
    pub fn check_fits(&mut self, hw: &Hardware) -> Result<(), HostError> {
        let i = self.known_info()?;
        let mut diffs = Vec::new();
        let mut cmp = |what: &str, board: u64, net: u64| {
            if board != net {
                diffs.push(format!("{what}: board {board}, network {net}"));
            }
        };
        cmp("mesh x", i.mesh_x as u64, hw.mesh_x as u64);
        cmp("mesh y", i.mesh_y as u64, hw.mesh_y as u64);
        cmp("neurons_per_core", i.neurons_per_core as u64, hw.neurons_per_core as u64);
        cmp("axons_per_core", i.axons_per_core as u64, hw.axons_per_core as u64);
        cmp("weight_bits", i.weight_bits as u64, hw.widths.weight_bits as u64);
        cmp("potential_bits", i.potential_bits as u64, hw.widths.potential_bits as u64);
        cmp("refractory_bits", i.refractory_bits as u64, hw.widths.refractory_bits as u64);
        cmp("neuron_types", i.neuron_types as u64, hw.neuron_types as u64);
        cmp("destinations_per_core", i.destinations_per_core as u64, hw.destinations_per_core as u64);
        cmp("protocol version", i.version as u64, spikemesh_spec::protocol::VERSION as u64);
        // A board built without delays reports 0 (`protocol::FEATURE_DELAY_SHIFT`).
        cmp("delay_bits", feature_delay_bits(i.features) as u64, hw.delay_bits as u64);
        // The model decides the memory table, so it is compared before anything is written.
        if diffs.is_empty() {
            let m = self.model()?;
            if m != hw.chip_model {
                diffs.push(format!("neuron model: board {}, network {}", m.name(), hw.chip_model.name()));
            }
        }
        if diffs.is_empty() {
            Ok(())
        } else {
            Err(HostError::Mismatch(diffs.join("; ")))
        }
    }

    /// Writes `data` to consecutive columns of (core, mem, row) from `col`, after checking
    /// every address and value against the board (nothing is truncated on the way).
    pub fn write(&mut self, core: u8, mem: u8, row: u32, col: u32, data: &[i64]) -> Result<(), HostError> {
        let g = memory_map::check_access(&self.hardware()?, core, mem, row, col, data.len(), true)?;
        for (k, v) in data.iter().enumerate() {
            if !g.holds(*v) {
                return Err(HostError::Invalid(format!(
                    "core {core} memory {mem} row {row} column {}: {v} does not fit its {} {}-bit words",
                    col as usize + k,
                    if g.signed { "signed" } else { "unsigned" },
                    g.bits
                )));
            }
        }
        // One byte per word where the board takes it and the values allow (weights of up to 8
        // bits: most of a network's load), else 5; every chunk is checked by the board again.
        let bytes = self.known_info()?.features & FEATURE_BYTE_WRITES != 0;
        for (k, chunk) in data.chunks(BYTE_WRITE_WORDS).enumerate() {
            let c = col as usize + k * BYTE_WRITE_WORDS;
            let small: Option<Vec<u8>> = chunk.iter().map(|&v| g.value_byte(v)).collect();
            match small.filter(|_| bytes) {
                Some(data) => self.expect_ack(&Command::WriteBytes { core, mem, row, col: c as u16, data })?,
                None => {
                    for (j, words) in chunk.chunks(WRITE_WORDS).enumerate() {
                        let c = (c + j * WRITE_WORDS) as u16;
                        self.expect_ack(&Command::WriteMem { core, mem, row, col: c, data: words.to_vec() })?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Reads `count` consecutive columns of (core, mem, row) from `col`.
    pub fn read(&mut self, core: u8, mem: u8, row: u32, col: u32, count: usize) -> Result<Vec<i64>, HostError> {
        memory_map::check_access(&self.hardware()?, core, mem, row, col, count, false)?;
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let n = (count - out.len()).min(READ_WORDS);
            let c = (col as usize + out.len()) as u16;
            match self.exchange(&Command::ReadMem { core, mem, row, col: c, count: n as u16 }, &mut Vec::new())? {
                Response::Data(d) if d.len() == n => out.extend(d),
                other => return Err(HostError::Unexpected { command: "READ_MEM", got: format!("{other:?}") }),
            }
        }
        Ok(out)
    }

    /// The shape the board reported, as a `Hardware` for the geometry table.
    fn hardware(&mut self) -> Result<Hardware, HostError> {
        let i = self.known_info()?;
        let chip_model = self.model()?;
        Ok(Hardware {
            board: spikemesh_spec::config::Board::Sim,
            mesh_x: i.mesh_x as usize,
            mesh_y: i.mesh_y as usize,
            neurons_per_core: i.neurons_per_core as usize,
            axons_per_core: i.axons_per_core as usize,
            // INFO does not report a core's own rows: `load` probes them (`check_rows`).
            core_axons: vec![i.axons_per_core as usize; i.mesh_x as usize * i.mesh_y as usize],
            // INFO does not report shared kernels either: the network's being loaded (`load`).
            core_kernels: self.kernels.clone(),
            neuron_types: i.neuron_types as usize,
            destinations_per_core: i.destinations_per_core as usize,
            widths: spikemesh_spec::neuron::Widths {
                weight_bits: i.weight_bits as u32,
                potential_bits: i.potential_bits as u32,
                // INFO does not report it: only the host's own check of writes to a current
                // (`AUX_STATE` of a cuba board) uses it, and the bridge checks those exactly.
                current_bits: i.potential_bits as u32,
                refractory_bits: i.refractory_bits as u32,
            },
            clock_mhz: i.clock_khz as f64 / 1e3,
            baud: i.baud,
            // INFO does not report it, and the memory map does not depend on it.
            synapses_per_clock: 1,
            byte_writes: i.features & FEATURE_BYTE_WRITES != 0,
            pulled_spikes: i.features & FEATURE_PULLED_SPIKES != 0,
            delay_bits: feature_delay_bits(i.features),
            chip_model,
        })
    }

    /// Loads a mapped network: checks the board fits it, writes every core memory, then
    /// RESET (potentials, refractory counters, accumulators and counters to zero).
    /// `progress(done, total)` counts words written.
    pub fn load(&mut self, m: &Mapping, mut progress: impl FnMut(usize, usize)) -> Result<(), HostError> {
        self.check_fits(&m.hardware)?;
        if let Some(img) = m.cores.iter().find(|c| c.model() != m.hardware.chip_model) {
            return Err(HostError::Invalid(format!(
                "core ({},{}) runs {}, but every core of the board runs {}",
                img.x,
                img.y,
                img.model().name(),
                m.hardware.chip_model.name()
            )));
        }
        // Kernels first: a board without them would fail the row probe for the wrong reason.
        self.kernels = m.hardware.core_kernels.clone();
        self.check_kernels(m)?;
        self.check_rows(m)?;
        let writes: Vec<_> = m.cores.iter().map(|img| config_writes(img, m.hardware.delay_bits)).collect();
        let total = writes.iter().map(Vec::len).sum();
        let mut done = 0;
        for (c, w) in writes.iter().enumerate() {
            for run in memory_map::column_runs(w) {
                let data: Vec<i64> = run.iter().map(|x| x.data as i64).collect();
                self.write(c as u8, run[0].mem, run[0].row, run[0].col, &data)?;
                done += run.len();
                progress(done, total);
            }
        }
        self.reset()
    }

    /// Fails unless every core of the board holds the crossbar rows `m` uses. INFO reports only
    /// the address space (`axons_per_core`); a core built with fewer rows (`core_axons`)
    /// ignores writes beyond them and reads them as zero, so the host writes a 1 into the
    /// last row each core uses and reads it back. `load` overwrites it. (The zero rows of an
    /// image beyond those may land nowhere: no event addresses them.)
    fn check_rows(&mut self, m: &Mapping) -> Result<(), HostError> {
        for (c, img) in m.cores.iter().enumerate() {
            // A core with shared kernels holds kernel rows in its crossbar (its axon rows
            // are its taps': `check_kernels`).
            let rows = img.kernel.as_ref().map_or(img.axon_source.len(), |k| k.rows.len() / k.segment);
            if rows == 0 {
                continue;
            }
            if self.probe(c as u8, memory_map::CROSSBAR, (rows - 1) as u32, 1)? != [1] {
                return Err(HostError::Mismatch(format!(
                    "core ({},{}) of the board holds fewer than the network's {rows} crossbar rows (its bitstream was \
                     built with other `core_axons`): build the bitstream from this network (`spikemesh synth`)",
                    img.x, img.y
                )));
            }
        }
        Ok(())
    }

    /// Writes `word` at column 0 of (core, mem, row) and reads that word back: whether the
    /// board holds the row (`check_rows`, `check_kernels`).
    fn probe(&mut self, core: u8, mem: u8, row: u32, word: i64) -> Result<Vec<i64>, HostError> {
        self.write(core, mem, row, 0, &[word])?;
        self.read(core, mem, row, 0, 1)
    }

    /// Fails unless every core the network gives shared kernels has a tap table with its axon
    /// rows: the host writes the first tap of the core's last used axon row and reads it back
    /// (a board built without kernels refuses the tap memory). `load` overwrites it.
    fn check_kernels(&mut self, m: &Mapping) -> Result<(), HostError> {
        for (c, img) in m.cores.iter().enumerate() {
            let Some(k) = &img.kernel else { continue };
            let last = img.axon_source.len().max(1) - 1;
            let Some(first) = k.taps.get(last).and_then(|t| t.first()) else { continue };
            let word = memory_map::tap_word(*first, false) as i64;
            // A refused write is the answer here (a board without kernels has no `TAP`).
            let answer = self.probe(c as u8, memory_map::TAP, last as u32, word);
            if !matches!(answer.as_deref(), Ok([w]) if *w == word) {
                return Err(HostError::Mismatch(format!(
                    "core ({},{}) of the board has no shared kernels, which the network gives it (`core_kernels`; the board \
                     answered {answer:?}): build the bitstream from this network (`spikemesh synth`)",
                    img.x, img.y
                )));
            }
        }
        Ok(())
    }

    /// Hands input flits to the board: they are the next timestep's input spikes.
    pub fn inject(&mut self, flits: &[Flit]) -> Result<(), HostError> {
        for chunk in flits.chunks(INJECT_FLITS) {
            self.expect_ack(&Command::Inject(chunk.to_vec()))?;
        }
        Ok(())
    }

    /// Whether STEP asks for each SPIKES frame (STEP_PULLED and NEXT) rather than letting
    /// them stream: when the board offers it and `stream_spikes` is off.
    pub fn pulls_spikes(&self) -> bool {
        !self.stream_spikes && self.board_has(FEATURE_PULLED_SPIKES)
    }

    /// Whether IDENTIFY reported this `features` bit.
    fn board_has(&self, feature: u8) -> bool {
        self.info.as_ref().is_some_and(|i| i.features & feature != 0)
    }

    /// Counts a SPIKES frame's spikes as received and appends them, with its timestep.
    fn take_spikes(&mut self, to: &mut Vec<BoardSpike>, timestep: u32, s: Vec<Flit>) {
        self.spikes_received += s.len() as u64;
        to.extend(s.into_iter().map(|f| (timestep, f)));
    }

    /// Runs `n` timesteps; returns the recorded spikes the board sent.
    pub fn step(&mut self, n: u32) -> Result<Vec<BoardSpike>, HostError> {
        let mut spikes = Vec::new();
        if !self.pulls_spikes() {
            return match self.exchange(&Command::Step(n), &mut spikes)? {
                Response::Ack => Ok(spikes),
                other => Err(HostError::Unexpected { command: "STEP", got: format!("{other:?}") }),
            };
        }
        // Each SPIKES frame answers one command, so a damaged one is asked for again (same
        // seq), and the chip waits for NEXT before it goes on.
        let mut answer = self.exchange(&Command::StepPulled(n), &mut spikes)?;
        loop {
            match answer {
                Response::Ack => return Ok(spikes),
                Response::Spikes { timestep, spikes: s } => self.take_spikes(&mut spikes, timestep, s),
                other => return Err(HostError::Unexpected { command: "STEP_PULLED", got: format!("{other:?}") }),
            }
            answer = self.exchange(&Command::Next, &mut spikes)?;
        }
    }

    /// Lets a pulled STEP that an earlier session left waiting run to its end (its spikes are
    /// dropped), as a streamed STEP would have: the board answers NEXT with NACK 4 once
    /// nothing waits.
    fn finish_pulled_step(&mut self) -> Result<(), HostError> {
        if !self.board_has(FEATURE_PULLED_SPIKES) {
            return Ok(());
        }
        loop {
            match self.exchange(&Command::Next, &mut Vec::new()) {
                Ok(Response::Spikes { .. }) => {}
                Ok(Response::Ack) | Err(HostError::Nack { reason: Reason::Busy, .. }) => return Ok(()),
                Ok(other) => return Err(HostError::Unexpected { command: "NEXT", got: format!("{other:?}") }),
                Err(e) => return Err(e),
            }
        }
    }

    /// Membrane potential of every neuron slot, core by core.
    pub fn read_potentials(&mut self) -> Result<Vec<i64>, HostError> {
        let hw = self.hardware()?;
        let mut v = Vec::new();
        for c in 0..hw.cores() {
            v.extend(self.read(c as u8, memory_map::POTENTIAL, 0, 0, hw.neurons_per_core)?);
        }
        Ok(v)
    }

    /// The board's counters.
    pub fn status(&mut self) -> Result<Status, HostError> {
        match self.exchange(&Command::Status, &mut Vec::new())? {
            Response::Counters { timestep, frames_ok, frames_rejected, spikes_sent } => {
                Ok(Status { timestep, frames_ok, frames_rejected, spikes_sent })
            }
            other => Err(HostError::Unexpected { command: "STATUS", got: format!("{other:?}") }),
        }
    }

    /// Zeroes neuron state, the timestep and the counters.
    pub fn reset(&mut self) -> Result<(), HostError> {
        self.expect_ack(&Command::Reset)?;
        self.spikes_received = 0;
        self.bad_frames = 0;
        Ok(())
    }

    /// Fails when spikes the board sent since the last reset did not all arrive.
    pub fn check_spikes(&mut self) -> Result<Status, HostError> {
        let s = self.status()?;
        if s.spikes_sent as u64 != self.spikes_received {
            return Err(HostError::SpikesLost {
                sent: s.spikes_sent as u64,
                received: self.spikes_received,
                bad_frames: self.bad_frames,
            });
        }
        Ok(s)
    }

    /// The underlying port (tests use it to inject faults).
    pub fn port_mut(&mut self) -> &mut P {
        &mut self.port
    }
}

fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Identify => "IDENTIFY",
        Command::WriteMem { .. } => "WRITE_MEM",
        Command::WriteBytes { .. } => "WRITE_BYTES",
        Command::ReadMem { .. } => "READ_MEM",
        Command::Inject(_) => "INJECT",
        Command::Step(_) => "STEP",
        Command::StepPulled(_) => "STEP_PULLED",
        Command::Next => "NEXT",
        Command::Status => "STATUS",
        Command::Reset => "RESET",
    }
}
