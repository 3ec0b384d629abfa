//! A host session with a board, real or virtual, RTL or post-synthesis netlist: the board as
//! a simulation engine ([`BoardEngine`]), and the whole check of a chip against the golden
//! model ([`verify`]) that `synth --verify-netlist`, the netlist tests and the RTL board share.

use anyhow::{anyhow, bail, Result};
use spikemesh_host::{Board, HostError};
use spikemesh_sim::{Engine, Golden};
use spikemesh_spec::{Mapping, Network, Stimulus};

/// The board as a simulation engine, so runs record spikes exactly as `simulate` does.
pub struct BoardEngine<'a, P> {
    pub board: &'a mut Board<P>,
    pub mapping: &'a Mapping,
    /// The board's timestep (0 after a reset).
    pub t: u32,
    /// The first failure, with its timestep.
    pub error: Option<(u32, HostError)>,
}

impl<P: std::io::Read + std::io::Write> BoardEngine<'_, P> {
    /// Injects one timestep's inputs, runs it, and returns the recorded slots that spiked
    /// (sorted); a spike of another timestep or from outside the mesh is an error.
    pub fn try_step(&mut self, inputs: &[(u32, u32)]) -> Result<Vec<u32>, HostError> {
        self.board.inject(&self.mapping.input_flits(inputs))?;
        let hw = &self.mapping.hardware;
        let mut slots = Vec::new();
        for (ts, f) in self.board.step(1)? {
            if ts != self.t || !f.host || f.x as usize >= hw.mesh_x || f.y as usize >= hw.mesh_y {
                return Err(HostError::Unexpected {
                    command: "STEP",
                    got: format!("a spike {f:?} for timestep {ts} during timestep {}", self.t),
                });
            }
            slots.push(self.mapping.slot_of_host_flit(f));
        }
        slots.sort_unstable();
        Ok(slots)
    }
}

impl<P: std::io::Read + std::io::Write> Engine for BoardEngine<'_, P> {
    fn step(&mut self, inputs: &[(u32, u32)]) -> Vec<u32> {
        // After a failure the run is void: skip the rest quickly and report the first error.
        if self.error.is_some() {
            return Vec::new();
        }
        let r = self.try_step(inputs).unwrap_or_else(|e| {
            self.error = Some((self.t, e));
            Vec::new()
        });
        self.t += 1;
        r
    }

    fn potentials(&mut self) -> Vec<i64> {
        if self.error.is_some() {
            return Vec::new();
        }
        self.board.read_potentials().unwrap_or_else(|e| {
            self.error = Some((self.t, e));
            Vec::new()
        })
    }

    fn observes(&self, slot: u32) -> bool {
        self.mapping.is_recorded(slot)
    }
}

/// Loads `mapping` (of `net`) onto the board behind `b` and checks it against the golden model: every
/// core's crossbar row 0 (kernel row 1 with shared kernels) reads back as written; `steps` timesteps of the network's drive, each
/// with the recorded spikes the golden model fires; the final potentials; and the board's own
/// counters (timesteps run, spikes sent). Returns the recorded spikes compared.
pub fn verify<P: std::io::Read + std::io::Write>(
    b: &mut Board<P>,
    net: &Network,
    mapping: &Mapping,
    steps: usize,
) -> Result<u64> {
    b.identify()?;
    b.load(mapping, |_, _| {})?;
    let n = mapping.hardware.neurons_per_core;
    for (c, img) in mapping.cores.iter().enumerate() {
        // The crossbar as the core stores it: axon row 0, or with shared kernels kernel row 1
        // (row 0 is the zero row), one segment long.
        let (row, loaded) = match &img.kernel {
            None => (0, &img.crossbar[..n]),
            Some(k) => (1, &k.rows[k.segment..2 * k.segment]),
        };
        let got = b.read(c as u8, spikemesh_spec::memory_map::CROSSBAR, row, 0, loaded.len())?;
        if got != loaded.iter().map(|&w| w as i64).collect::<Vec<_>>() {
            bail!("crossbar row {row} of core {c} reads back differently from what was loaded");
        }
    }
    let stim = Stimulus::build(net, steps, None)?;
    let mut gold = Golden::new(mapping);
    let mut spikes = 0u64;
    let mut engine = BoardEngine { board: b, mapping, t: 0, error: None };
    for (t, inputs) in stim.steps.iter().enumerate() {
        let want: Vec<u32> = gold.step(inputs).iter().copied().filter(|&g| mapping.is_recorded(g)).collect();
        let got = engine.try_step(inputs).map_err(|e| anyhow!("timestep {t}: the board's spikes are wrong: {e}"))?;
        engine.t += 1;
        if got != want {
            bail!("timestep {t}: recorded spikes differ: the golden model fired slots {want:?}, the board {got:?}");
        }
        spikes += got.len() as u64;
    }
    let pots = b.read_potentials()?;
    if let Some(j) = pots.iter().zip(gold.potentials()).position(|(a, g)| *a != g) {
        bail!("potential of slot {j} after {steps} timesteps: golden {}, board {}", gold.potentials()[j], pots[j]);
    }
    let s = b.check_spikes()?;
    if s.timestep as usize != steps {
        bail!("the board counted {} timesteps, the host ran {steps}", s.timestep);
    }
    Ok(spikes)
}
