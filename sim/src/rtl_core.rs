//! One neuron core running in Verilator, driven cycle by cycle through its ports.
//!
//! Spike fan-out is done here in software (a single core's spikes come back as axon events),
//! so a one-core network runs end to end; the mesh of routers replaces this later.

use crate::config_bus::ConfigBus;
use crate::verilator::{BuildError, Model, PortId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::shape::CoreShape;
use spikemesh_spec::mapping::CoreImage;
use spikemesh_spec::memory_map::{self, config_writes};
use std::collections::VecDeque;
use std::path::Path;

/// Port handles of the core.
struct Ports {
    cfg: ConfigBus,
    clock: PortId,
    start: PortId,
    clear: PortId,
    busy: PortId,
    in_valid: PortId,
    in_axon: PortId,
    in_ready: PortId,
    out_valid: PortId,
    out_neuron: PortId,
    out_ready: PortId,
}

/// How the testbench stresses the core's handshakes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stress {
    /// Probability that `out_ready` is low in a cycle (output back-pressure).
    pub out_stall: f64,
    /// Probability that no axon event is offered in a cycle.
    pub in_gap: f64,
    /// Shuffle the order in which axon events are offered.
    pub shuffle: bool,
    /// Seed of the above.
    pub seed: u64,
}

impl Stress {
    /// No stalls, in order.
    pub const NONE: Stress = Stress { out_stall: 0.0, in_gap: 0.0, shuffle: false, seed: 0 };
}

/// Cycle counts of one timestep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepCycles {
    /// Clock cycles from `start` until the core was idle again.
    pub cycles: u64,
    /// Axon events integrated.
    pub events: u64,
}

/// A neuron core in Verilator.
pub struct RtlCore {
    model: Model,
    p: Ports,
    neurons: usize,
    // The core's delay bits: its images then load a delay per axon row.
    delay_bits: u32,
    rng: ChaCha8Rng,
    /// Clock cycles run so far.
    pub cycles: u64,
}

impl RtlCore {
    /// Builds (or loads from the cache) the model of `shape`; `vcd` starts a waveform trace.
    pub fn new(shape: &CoreShape, vcd: Option<&Path>) -> Result<Self, BuildError> {
        let verilog = spikemesh_hdl::core_verilog(shape, true);
        let what = format!(
            "a {}-neuron {}-axon core ({}-bit weights, {}-bit potentials)",
            shape.neurons, shape.axons, shape.weight_bits, shape.potential_bits
        );
        let model = Model::open(&verilog, "top", &what, vcd)?;
        let q = |n: &str| model.port(n);
        let p = Ports {
            cfg: ConfigBus::of(&model),
            clock: q("clock"),
            start: q("start"),
            clear: q("clear"),
            busy: q("busy"),
            in_valid: q("in_valid"),
            in_axon: q("in_axon"),
            in_ready: q("in_ready"),
            out_valid: q("out_valid"),
            out_neuron: q("out_neuron"),
            out_ready: q("out_ready"),
        };
        let mut core = Self {
            model,
            p,
            neurons: shape.neurons,
            delay_bits: shape.delay_bits,
            rng: ChaCha8Rng::seed_from_u64(0),
            cycles: 0,
        };
        core.model.eval();
        Ok(core)
    }

    fn tick(&mut self) {
        self.model.tick(self.p.clock, 1);
        self.cycles += 1;
    }

    fn wait_idle(&mut self) {
        self.model.eval();
        while self.model.get(self.p.busy) == 1 {
            self.tick();
        }
    }

    /// Writes one word through the configuration port (the core must be idle).
    pub fn cfg_write(&mut self, mem: u8, row: u32, col: u32, data: u64) {
        self.p.cfg.write(&mut self.model, mem, row, col, data);
        self.cycles += 1;
    }

    /// Reads one word through the configuration port (sign-extended for signed memories).
    pub fn cfg_read(&mut self, mem: u8, row: u32, col: u32) -> i64 {
        self.cycles += 1;
        self.p.cfg.read(&mut self.model, mem, row, col)
    }

    /// Loads a core image and zeroes the neuron state (pulses `clear`).
    pub fn load(&mut self, img: &CoreImage) {
        self.wait_idle();
        for w in config_writes(img, self.delay_bits) {
            self.cfg_write(w.mem, w.row, w.col, w.data);
        }
        self.clear();
    }

    /// Zeroes potentials, refractory counters and accumulators.
    pub fn clear(&mut self) {
        self.wait_idle();
        self.model.set(self.p.clear, 1);
        self.tick();
        self.model.set(self.p.clear, 0);
        self.wait_idle();
    }

    /// Membrane potentials of every neuron, read back through the configuration port.
    pub fn potentials(&mut self) -> Vec<i64> {
        self.wait_idle();
        (0..self.neurons as u32).map(|j| self.cfg_read(memory_map::POTENTIAL, 0, j)).collect()
    }

    /// Sets the seed of the stress pattern.
    pub fn seed(&mut self, seed: u64) {
        self.rng = ChaCha8Rng::seed_from_u64(seed);
    }

    /// Runs one timestep: starts the update, offers `inputs` (axon events of the host's
    /// spikes of this timestep) and every event `route` returns for each spike, and returns
    /// the neurons that fired (in the order they left the core) once the core is idle.
    pub fn timestep(
        &mut self,
        inputs: &[u32],
        mut route: impl FnMut(u32) -> Vec<u32>,
        stress: Stress,
    ) -> (Vec<u32>, StepCycles) {
        self.wait_idle();
        let c0 = self.cycles;
        self.model.set(self.p.start, 1);
        self.tick();
        self.model.set(self.p.start, 0);
        let mut queue: VecDeque<u32> = inputs.iter().copied().collect();
        let mut fired = Vec::new();
        let mut events = 0u64;
        let mut offered: Option<u32> = None;
        loop {
            if offered.is_none() && !queue.is_empty() && !(stress.in_gap > 0.0 && self.rng.gen_bool(stress.in_gap)) {
                let k = if stress.shuffle { self.rng.gen_range(0..queue.len()) } else { 0 };
                offered = queue.remove(k);
            }
            let calm = stress.out_stall == 0.0 && stress.in_gap == 0.0;
            if calm {
                // Nothing random to decide per cycle: run until a handshake can happen.
                self.model.set(self.p.out_ready, 1);
                self.model.set(self.p.in_valid, offered.is_some() as u64);
                self.model.set(self.p.in_axon, offered.unwrap_or(0) as u64);
                let n = if offered.is_some() {
                    self.model.tick_while(self.p.clock, (self.p.in_ready, 0), (self.p.out_valid, 0), u64::MAX)
                } else {
                    self.model.tick_while(self.p.clock, (self.p.busy, 1), (self.p.out_valid, 0), u64::MAX)
                };
                self.cycles += n;
            }
            let ready_out = !(stress.out_stall > 0.0 && self.rng.gen_bool(stress.out_stall));
            self.model.set(self.p.in_valid, offered.is_some() as u64);
            self.model.set(self.p.in_axon, offered.unwrap_or(0) as u64);
            self.model.set(self.p.out_ready, ready_out as u64);
            self.model.eval();
            let took_in = offered.is_some() && self.model.get(self.p.in_ready) == 1;
            let spike =
                (ready_out && self.model.get(self.p.out_valid) == 1).then(|| self.model.get(self.p.out_neuron) as u32);
            let busy = self.model.get(self.p.busy) == 1;
            if !busy && offered.is_none() && queue.is_empty() {
                break;
            }
            self.tick();
            if took_in {
                offered = None;
                events += 1;
            }
            if let Some(j) = spike {
                fired.push(j);
                queue.extend(route(j));
            }
        }
        self.model.set(self.p.in_valid, 0);
        self.model.set(self.p.out_ready, 0);
        (fired, StepCycles { cycles: self.cycles - c0, events })
    }
}
