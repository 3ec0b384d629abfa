//! The fit report `spikemesh check` prints: what the mapping uses against what the hardware has.

use crate::mapping::Mapping;
use crate::network::Network;
use serde::Serialize;
use std::fmt;

/// Use of one core.
#[derive(Debug, Clone, Serialize)]
pub struct CoreFit {
    /// Core x.
    pub x: usize,
    /// Core y.
    pub y: usize,
    /// Neuron slots used.
    pub neurons: usize,
    /// Axon rows used.
    pub axons: usize,
    /// Axon rows the core holds (`core_axons`; `axons_per_core` without it).
    pub axon_rows: usize,
    /// Synapses stored.
    pub synapses: usize,
    /// Neuron types used.
    pub types: usize,
    /// Destination entries used.
    pub destinations: usize,
    /// The neuron model its datapath runs (one per core).
    pub model: String,
    /// With shared kernels (`core_kernels`): its shape, the kernel rows used and the most
    /// taps an axon has.
    pub kernel: Option<(crate::kernel::Kernel, usize, usize)>,
}

/// The fit of a whole network.
#[derive(Debug, Clone, Serialize)]
pub struct FitReport {
    /// Network file.
    pub file: String,
    /// Board name.
    pub board: String,
    /// Mesh shape [x, y].
    pub mesh: [usize; 2],
    /// Neuron slots per core.
    pub neurons_per_core: usize,
    /// Axon rows per core.
    pub axons_per_core: usize,
    /// Type-table entries per core.
    pub neuron_types: usize,
    /// Destination entries per core.
    pub destinations_per_core: usize,
    /// Weight width.
    pub weight_bits: u32,
    /// Potential width.
    pub potential_bits: u32,
    /// Accumulator width implied by the shape.
    pub accumulator_bits: u32,
    /// Synapses each core integrates per clock.
    pub synapses_per_clock: usize,
    /// Clocks to integrate one axon event (crossbar words per row).
    pub clocks_per_event: usize,
    /// Cores holding at least one neuron or axon.
    pub cores_used: usize,
    /// Populations: (name, size, input, record).
    pub populations: Vec<PopulationFit>,
    /// Host-driven input neurons.
    pub input_neurons: usize,
    /// Simulated neurons.
    pub neurons: usize,
    /// All synapses.
    pub synapses: usize,
    /// Per-core use.
    pub cores: Vec<CoreFit>,
    /// Crossbar bits of a core of `axons_per_core` rows (axons x neurons x weight bits).
    pub crossbar_bits_per_core: usize,
    /// Crossbar bits of every core together, each with its own rows.
    pub crossbar_bits: usize,
    /// Bits of each synapse's delay (0: no delays).
    pub delay_bits: u32,
    /// What delays add per core, in bits: a delay per axon row (axons x delay bits), and
    /// `2^delay_bits - 1` more accumulators per neuron (the ring of `docs/semantics.md`,
    /// "Synaptic delay").
    pub delay_cost_bits_per_core: [usize; 2],
    /// Axon rows this network uses beyond one per (source, core): a source whose synapses into
    /// a core have k delays takes k rows there (`mapping`).
    pub delay_rows: usize,
}

/// One population in the report.
#[derive(Debug, Clone, Serialize)]
pub struct PopulationFit {
    /// Name.
    pub name: String,
    /// Neurons.
    pub size: usize,
    /// Host-driven.
    pub input: bool,
    /// Recorded.
    pub record: bool,
    /// Cores (x, y) it occupies, empty for inputs.
    pub cores: Vec<[usize; 2]>,
    /// Its neuron model (none for inputs).
    pub model: Option<String>,
}

impl FitReport {
    /// Builds the report of a mapped network.
    pub fn new(net: &Network, m: &Mapping) -> Self {
        let hw = &net.hardware;
        let cores: Vec<CoreFit> = m
            .cores
            .iter()
            .map(|c| CoreFit {
                x: c.x,
                y: c.y,
                neurons: c.neurons_used,
                axons: c.axon_source.len(),
                axon_rows: hw.axons_of(hw.core_index(c.x, c.y)),
                synapses: c.synapses,
                types: c.types.len(),
                destinations: c.destinations.len(),
                model: c.model().name().to_string(),
                kernel: hw.kernel_of(hw.core_index(c.x, c.y)).zip(c.kernel.as_ref()).map(|(k, img)| {
                    (k, img.rows.len() / img.segment, img.taps.iter().map(Vec::len).max().unwrap_or(1))
                }),
            })
            .collect();
        let populations = net
            .populations
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut on: Vec<[usize; 2]> = Vec::new();
                if let Some(first) = m.slot_of(i, 0) {
                    for c in first / hw.neurons_per_core..=(first + p.size - 1) / hw.neurons_per_core {
                        let (x, y) = hw.core_xy(c);
                        on.push([x, y]);
                    }
                }
                let model = match &p.kind {
                    crate::network::PopulationKind::Neurons { neuron, .. } => Some(neuron.model.name().to_string()),
                    crate::network::PopulationKind::Input { .. } => None,
                };
                PopulationFit {
                    name: p.name.clone(),
                    size: p.size,
                    input: p.is_input(),
                    record: p.record,
                    cores: on,
                    model,
                }
            })
            .collect();
        Self {
            file: net.path.display().to_string(),
            board: hw.board.name().to_string(),
            mesh: [hw.mesh_x, hw.mesh_y],
            neurons_per_core: hw.neurons_per_core,
            axons_per_core: hw.axons_per_core,
            neuron_types: hw.neuron_types,
            destinations_per_core: hw.destinations_per_core,
            weight_bits: hw.widths.weight_bits,
            potential_bits: hw.widths.potential_bits,
            accumulator_bits: hw.accumulator_bits(),
            synapses_per_clock: hw.synapses_per_clock,
            clocks_per_event: hw.neurons_per_core.div_ceil(hw.synapses_per_clock),
            cores_used: cores.iter().filter(|c| c.neurons > 0 || c.axons > 0).count(),
            input_neurons: net.populations.iter().filter(|p| p.is_input()).map(|p| p.size).sum(),
            neurons: net.populations.iter().filter(|p| !p.is_input()).map(|p| p.size).sum(),
            synapses: net.synapse_count(),
            crossbar_bits_per_core: hw.axons_per_core * hw.neurons_per_core * hw.widths.weight_bits as usize,
            crossbar_bits: (0..hw.cores()).map(|c| hw.axons_of(c)).sum::<usize>()
                * hw.neurons_per_core
                * hw.widths.weight_bits as usize,
            delay_bits: hw.delay_bits,
            delay_rows: m
                .cores
                .iter()
                .map(|c| c.axon_source.len() - c.axon_source.iter().collect::<std::collections::BTreeSet<_>>().len())
                .sum(),
            delay_cost_bits_per_core: [
                hw.axons_per_core * hw.delay_bits as usize,
                ((1 << hw.delay_bits) - 1) * hw.neurons_per_core * hw.accumulator_bits() as usize,
            ],
            populations,
            cores,
        }
    }
}

fn pct(used: usize, of: usize) -> f64 {
    100.0 * used as f64 / of.max(1) as f64
}

impl fmt::Display for FitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: fits", self.file)?;
        writeln!(
            f,
            "hardware: board {}, {}x{} mesh, {} neurons x {} axons per core, {}-bit weights, {}-bit potentials ({}-bit accumulators)",
            self.board, self.mesh[0], self.mesh[1], self.neurons_per_core, self.axons_per_core, self.weight_bits, self.potential_bits, self.accumulator_bits
        )?;
        writeln!(
            f,
            "integration: {} synapses per clock, {} clocks per axon event per core",
            self.synapses_per_clock, self.clocks_per_event
        )?;
        writeln!(
            f,
            "network:  {} input neurons, {} neurons, {} synapses; {} of {} cores used",
            self.input_neurons,
            self.neurons,
            self.synapses,
            self.cores_used,
            self.cores.len()
        )?;
        for p in &self.populations {
            let role = match (p.input, p.record) {
                (true, true) => "input, recorded",
                (true, false) => "input",
                (false, true) => "recorded",
                (false, false) => "",
            };
            let role = match &p.model {
                Some(m) if role.is_empty() => m.clone(),
                Some(m) => format!("{m}, {role}"),
                None => role.to_string(),
            };
            let on = p.cores.iter().map(|c| format!("({},{})", c[0], c[1])).collect::<Vec<_>>().join(" ");
            writeln!(
                f,
                "  population {:<16} {:>7} neurons  {:<16} {}",
                p.name,
                p.size,
                role,
                if on.is_empty() { "host".into() } else { format!("cores {on}") }
            )?;
        }
        writeln!(f, "  core     model  neurons           axons             synapses  types      destinations")?;
        for c in &self.cores {
            writeln!(
                f,
                "  ({},{})  {:<5}  {:>5}/{:<5} {:>5.1}%  {:>5}/{:<5} {:>5.1}%  {:>8}  {:>3}/{:<3}  {:>6}/{:<6}",
                c.x,
                c.y,
                c.model,
                c.neurons,
                self.neurons_per_core,
                pct(c.neurons, self.neurons_per_core),
                c.axons,
                c.axon_rows,
                pct(c.axons, c.axon_rows),
                c.synapses,
                c.types,
                self.neuron_types,
                c.destinations,
                self.destinations_per_core
            )?;
        }
        if self.cores.iter().all(|c| c.axon_rows == self.axons_per_core) {
            write!(f, "crossbar: {} bits per core", self.crossbar_bits_per_core)?;
        } else {
            write!(f, "crossbar: {} bits in all, each core holding its own rows (core_axons)", self.crossbar_bits)?;
        }
        for c in &self.cores {
            if let Some((k, rows, taps)) = c.kernel {
                // An event streams each tap's kernel row: segment / lanes clocks a tap.
                let clocks = taps * k.segment.div_ceil(self.synapses_per_clock);
                write!(
                    f,
                    "\nshared kernels: core ({},{}) {rows} of {} kernel rows of {} weights, up to {taps} of {} taps an axon: \
                     at most {clocks} clocks per axon event",
                    c.x, c.y, k.rows, k.segment, k.taps
                )?;
            }
        }
        if self.delay_bits > 0 {
            let [beside, ring] = self.delay_cost_bits_per_core;
            write!(
                f,
                "\ndelays: {} bits per axon row ({beside} bits per core), {} accumulators per neuron instead of 1 \
                 ({ring} more bits per core); a source takes one axon row per core and delay: {} rows more than \
                 without delays",
                self.delay_bits,
                1 << self.delay_bits,
                self.delay_rows
            )?;
        }
        Ok(())
    }
}
