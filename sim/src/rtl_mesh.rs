//! A whole chip (mesh of tiles) running in Verilator, driven through its host port.
//!
//! Per timestep: pulse `start`, offer the host's input spikes as axon-event flits on the host
//! port, take every flit the chip sends back (recorded spikes), and stop when the host has
//! handed over its flits and the chip is `quiet` (the exact barrier: nothing in flight).

use crate::config_bus::ConfigBus;
use crate::netlist::NetlistInfo;
use crate::run::Engine;
use crate::verilator::{BuildError, Model, PortId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::fpga::netlist::Fault;
use spikemesh_hdl::mesh::{core_shapes, mesh_module};
use spikemesh_hdl::shape::CoreShape;
use spikemesh_spec::flit::Flit;
use spikemesh_spec::mapping::Mapping;
use spikemesh_spec::memory_map::{self, config_writes};
use std::collections::VecDeque;
use std::path::Path;

struct Ports {
    cfg: ConfigBus,
    clock: PortId,
    start: PortId,
    clear: PortId,
    quiet: PortId,
    timestep: PortId,
    hin_valid: PortId,
    hin_flit: PortId,
    hin_ready: PortId,
    hout_valid: PortId,
    hout_flit: PortId,
    hout_ready: PortId,
    cfg_core: PortId,
}

/// Totals of a mesh run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MeshStats {
    /// Clock cycles of all timesteps.
    pub cycles: u64,
    /// Flits the host injected.
    pub host_flits_in: u64,
    /// Flits the host received (recorded spikes).
    pub host_flits_out: u64,
    /// Longest timestep, in cycles.
    pub max_timestep_cycles: u64,
}

/// A mapped network on the RTL mesh.
pub struct RtlMesh {
    model: Model,
    p: Ports,
    mapping: Mapping,
    rng: ChaCha8Rng,
    /// Probability that the host holds `host_out_ready` low in a cycle.
    pub host_stall: f64,
    /// Totals so far.
    pub stats: MeshStats,
}

impl RtlMesh {
    /// Builds (or loads from the cache) the chip for `mapping`'s hardware and loads its images.
    pub fn new(mapping: &Mapping, vcd: Option<&Path>) -> Result<Self, BuildError> {
        let verilog = Self::verilog(mapping, true);
        let what = Self::what(mapping, "");
        let model = Model::open(&verilog, "top", &what, vcd)?;
        Ok(Self::with_model(model, mapping))
    }

    /// The mesh as Yosys synthesizes it for the network's board (`crate::netlist`), with the
    /// images loaded; `fault` breaks the synthesis on purpose (tests).
    pub fn netlist(mapping: &Mapping, fault: Fault) -> Result<(Self, NetlistInfo), BuildError> {
        let (n, info) = crate::netlist::synthesize(&Self::verilog(mapping, false), "top", &mapping.hardware, fault)?;
        let what = Self::what(mapping, &format!(", post-synthesis netlist for {:?}", info.device));
        let model = Model::open(&n.verilog, "top", &what, None)?;
        Ok((Self::with_model(model, mapping), info))
    }

    fn verilog(mapping: &Mapping, with_models: bool) -> String {
        let hw = &mapping.hardware;
        let shape = CoreShape::for_board(hw);
        // Each core runs its populations' model (the mapper keeps one per core).
        let models: Vec<_> = mapping.cores.iter().map(|c| c.model()).collect();
        let cores = core_shapes(hw, &models);
        mesh_module(&shape, &cores, hw.destinations_per_core, hw.mesh_x, hw.mesh_y, with_models, "top")
    }

    fn what(mapping: &Mapping, suffix: &str) -> String {
        let hw = &mapping.hardware;
        format!(
            "a {}x{} mesh of {}-neuron {}-axon cores ({}-bit weights){suffix}",
            hw.mesh_x, hw.mesh_y, hw.neurons_per_core, hw.axons_per_core, hw.widths.weight_bits
        )
    }

    fn with_model(model: Model, mapping: &Mapping) -> Self {
        let q = |n: &str| model.port(n);
        let p = Ports {
            cfg: ConfigBus::of(&model),
            clock: q("clock"),
            start: q("start"),
            clear: q("clear"),
            quiet: q("quiet"),
            timestep: q("timestep"),
            hin_valid: q("host_in_valid"),
            hin_flit: q("host_in_flit"),
            hin_ready: q("host_in_ready"),
            hout_valid: q("host_out_valid"),
            hout_flit: q("host_out_flit"),
            hout_ready: q("host_out_ready"),
            cfg_core: q("cfg_core"),
        };
        let mut chip = Self {
            model,
            p,
            mapping: mapping.clone(),
            rng: ChaCha8Rng::seed_from_u64(0),
            host_stall: 0.0,
            stats: MeshStats::default(),
        };
        chip.load();
        chip
    }

    /// Memory `mem`'s word of every neuron slot of every core (a per-neuron state memory).
    fn read_all(&mut self, mem: u8) -> Vec<i64> {
        let n = self.mapping.hardware.neurons_per_core;
        let cores = self.mapping.hardware.cores();
        let mut v = Vec::with_capacity(cores * n);
        for c in 0..cores {
            for j in 0..n {
                v.push(self.cfg_read(c, mem, 0, j as u32));
            }
        }
        v
    }

    fn tick(&mut self, n: u64) {
        self.model.tick(self.p.clock, n);
        self.stats.cycles += n;
    }

    fn wait_quiet(&mut self) {
        let n = self.model.tick_while(self.p.clock, (self.p.quiet, 0), (self.p.quiet, 0), u64::MAX);
        self.stats.cycles += n;
    }

    fn load(&mut self) {
        self.wait_quiet();
        let delay_bits = self.mapping.hardware.delay_bits;
        // Field by field, so the images are borrowed while the model is driven (no copy).
        let (model, p) = (&mut self.model, &self.p);
        for (c, img) in self.mapping.cores.iter().enumerate() {
            model.set(p.cfg_core, c as u64);
            for w in config_writes(img, delay_bits) {
                p.cfg.write(model, w.mem, w.row, w.col, w.data);
            }
        }
        self.model.set(self.p.clear, 1);
        self.tick(1);
        self.model.set(self.p.clear, 0);
        self.tick(1);
        self.wait_quiet();
        // The figures describe timesteps, not loading.
        self.stats = MeshStats::default();
    }

    /// Reads one word of core `core`'s memory `mem`. Its clock is not counted in the
    /// timestep figures.
    pub fn cfg_read(&mut self, core: usize, mem: u8, row: u32, col: u32) -> i64 {
        self.model.set(self.p.cfg_core, core as u64);
        self.p.cfg.read(&mut self.model, mem, row, col)
    }

    /// Zeroes every neuron's state and input accumulators (the cores' clear), as between two
    /// samples of a dataset; the memories and the timestep counter are kept.
    pub fn clear_state(&mut self) {
        self.wait_quiet();
        self.model.set(self.p.clear, 1);
        self.tick(1);
        self.model.set(self.p.clear, 0);
        self.tick(1);
        self.wait_quiet();
    }

    /// The chip's timestep counter.
    pub fn timestep_counter(&mut self) -> u64 {
        self.model.eval();
        self.model.get(self.p.timestep)
    }

    /// Sets the seed of the host's stall pattern.
    pub fn seed(&mut self, seed: u64) {
        self.rng = ChaCha8Rng::seed_from_u64(seed);
    }

    /// Runs one timestep, injecting `flits` from the host; returns the flits the chip sent to
    /// the host and the cycles the timestep took.
    pub fn timestep(&mut self, flits: &[Flit]) -> (Vec<Flit>, u64) {
        self.wait_quiet();
        let c0 = self.stats.cycles;
        self.model.set(self.p.start, 1);
        self.tick(1);
        self.model.set(self.p.start, 0);
        let mut queue: VecDeque<Flit> = flits.iter().copied().collect();
        let mut got = Vec::new();
        loop {
            let stall = self.host_stall > 0.0 && self.rng.gen_bool(self.host_stall);
            if queue.is_empty() && !stall {
                // Nothing to hand over: run until a flit comes out or the chip is quiet.
                self.model.set(self.p.hin_valid, 0);
                self.model.set(self.p.hout_ready, 1);
                let n = self.model.tick_while(self.p.clock, (self.p.quiet, 0), (self.p.hout_valid, 0), u64::MAX);
                self.stats.cycles += n;
            }
            let head = queue.front().copied();
            self.model.set(self.p.hin_valid, head.is_some() as u64);
            self.model.set(self.p.hin_flit, head.map_or(0, |f| f.encode()));
            self.model.set(self.p.hout_ready, !stall as u64);
            self.model.eval();
            let took = head.is_some() && self.model.get(self.p.hin_ready) == 1;
            let out = (!stall && self.model.get(self.p.hout_valid) == 1)
                .then(|| Flit::decode(self.model.get(self.p.hout_flit)));
            if head.is_none() && out.is_none() && self.model.get(self.p.quiet) == 1 {
                break;
            }
            self.tick(1);
            if took {
                queue.pop_front();
                self.stats.host_flits_in += 1;
            }
            if let Some(f) = out {
                got.push(f);
                self.stats.host_flits_out += 1;
            }
        }
        self.model.set(self.p.hin_valid, 0);
        let cycles = self.stats.cycles - c0;
        self.stats.max_timestep_cycles = self.stats.max_timestep_cycles.max(cycles);
        (got, cycles)
    }
}

impl Engine for RtlMesh {
    fn step(&mut self, inputs: &[(u32, u32)]) -> Vec<u32> {
        let flits = self.mapping.input_flits(inputs);
        let (got, _) = self.timestep(&flits);
        let mut slots: Vec<u32> = got
            .iter()
            .map(|&f| {
                assert!(f.host, "a core flit reached the host: {f:?}");
                self.mapping.slot_of_host_flit(f)
            })
            .collect();
        slots.sort_unstable();
        let n = slots.len();
        slots.dedup();
        assert_eq!(n, slots.len(), "a spike reached the host twice");
        slots
    }

    fn potentials(&mut self) -> Vec<i64> {
        self.read_all(memory_map::POTENTIAL)
    }

    fn middle_registers(&mut self) -> Option<Vec<i64>> {
        Some(self.read_all(memory_map::AUX_STATE))
    }

    fn refractory_counters(&mut self) -> Option<Vec<i64>> {
        Some(self.read_all(memory_map::REFRACTORY))
    }

    fn observes(&self, slot: u32) -> bool {
        self.mapping.is_recorded(slot)
    }
}
