//! The validated network: what every later stage (mapping, golden model, hardware) reads.

use crate::config::Board;
use crate::locate::Locator;
use crate::neuron::{NeuronType, Widths};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The hardware shape, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hardware {
    /// Target board.
    pub board: Board,
    /// Cores in x.
    pub mesh_x: usize,
    /// Cores in y.
    pub mesh_y: usize,
    /// Neuron slots per core.
    pub neurons_per_core: usize,
    /// Axon rows per core: the axon address space of every core (flits, the bridge's checks).
    pub axons_per_core: usize,
    /// Crossbar rows each core holds, row-major: at most `axons_per_core`. A core with fewer
    /// rows stores only those; an axon beyond them has no synapses (`docs/semantics.md`).
    pub core_axons: Vec<usize>,
    /// Each core's shared kernels (`crate::kernel`), row-major; empty, or `None` for a core
    /// that stores its rows whole.
    pub core_kernels: Vec<Option<crate::kernel::Kernel>>,
    /// Entries in each core's neuron-type table.
    pub neuron_types: usize,
    /// Entries in each core's destination memory.
    pub destinations_per_core: usize,
    /// Arithmetic widths.
    pub widths: Widths,
    /// Bits of each synapse's delay: delays `0 ..= 2^delay_bits - 1` extra timesteps
    /// (`docs/semantics.md`, "Synaptic delay"); 0 is the chip without delays.
    pub delay_bits: u32,
    /// Core clock in MHz.
    pub clock_mhz: f64,
    /// Host UART baud rate.
    pub baud: u32,
    /// Synapses each core integrates per clock (crossbar word lanes; `docs/hardware.md`).
    pub synapses_per_clock: usize,
    /// The bridge accepts WRITE_BYTES, one byte per word (`docs/protocol.md`): a fifth of the
    /// load time for weights of up to 8 bits, for about 50 logic cells.
    pub byte_writes: bool,
    /// The bridge accepts STEP_PULLED and NEXT (`docs/protocol.md`): each SPIKES frame is an
    /// answer the host can ask for again, so a damaged frame loses no spike.
    pub pulled_spikes: bool,
    /// The model a chip with the host bridge runs on every core: the first simulated
    /// population's (validation sets it; `lif` without one). The bridge's memory table and the
    /// host's checks follow it (`memory_map::geometry`); empty cores get its silent type.
    pub chip_model: crate::neuron::ModelId,
}

/// The widest `delay_bits`: delays up to 15 timesteps, a ring of 16 accumulators per neuron.
pub const MAX_DELAY_BITS: u32 = 4;

/// The longest delay a synapse holds, in extra timesteps.
pub const MAX_DELAY: u32 = (1 << MAX_DELAY_BITS) - 1;

/// The fastest core clock a network file may ask for, in MHz (beyond any board's PLL range).
pub const MAX_CLOCK_MHZ: f64 = 500.0;

/// Whether `mhz` is a core clock a network file may ask for: finite, above 0, at most
/// [`MAX_CLOCK_MHZ`]. Whether the board's PLL makes it is `check`'s question.
pub fn is_usable_clock(mhz: f64) -> bool {
    mhz.is_finite() && mhz > 0.0 && mhz <= MAX_CLOCK_MHZ
}

/// The synapses per clock a board gets when its file does not say: the most that its biggest
/// example places, routes and meets timing with (`docs/performance.md`, "Synapses per clock";
/// on the iCEBreaker a 2x2 mesh of 256-neuron cores with the bridge has no block RAM left for
/// more than 2, and `up5k-feedforward` takes 1 to leave the router room).
pub fn default_synapses_per_clock(board: Board, weight_bits: u32) -> usize {
    match board {
        // One 16-bit SPRAM word per clock: no more weights than it holds.
        Board::Icebreaker => match weight_bits {
            ..=8 => 2,
            _ => 1,
        },
        Board::Hx8kBreakout | Board::Ulx3s85f | Board::Ulx3s25f | Board::Sim => 4,
    }
}

/// The UART rate a board gets when its file does not say: the fastest that the boards' FTDI
/// bridges make exactly (3 MHz / n, FTDI AN_120) with at least 8 core clocks per bit, up to
/// 3 Mbaud, the ULX3S's FT231X maximum (the FT2232H of the iCEBreaker and the HX8K breakout
/// goes to 12 Mbaud). 1.5 Mbaud at the iCEBreaker's 12 MHz, 3 Mbaud at the ULX3S's 25 MHz.
pub fn default_baud(clock_mhz: f64) -> u32 {
    [3_000_000, 1_500_000, 1_000_000, 500_000, 250_000]
        .into_iter()
        .find(|&b| clock_mhz * 1e6 / b as f64 >= 8.0)
        .unwrap_or(115_200)
}

impl Hardware {
    /// Number of cores in the mesh.
    pub fn cores(&self) -> usize {
        self.mesh_x * self.mesh_y
    }
    /// Mesh coordinates of core index `c` (row-major: x varies fastest).
    pub fn core_xy(&self, c: usize) -> (usize, usize) {
        (c % self.mesh_x, c / self.mesh_x)
    }
    /// Core index of mesh coordinates (x, y).
    pub fn core_index(&self, x: usize, y: usize) -> usize {
        y * self.mesh_x + x
    }
    /// Crossbar rows core `c` holds (`core_axons`).
    pub fn axons_of(&self, c: usize) -> usize {
        self.core_axons.get(c).copied().unwrap_or(self.axons_per_core)
    }
    /// The shared-kernel shape of core `c`, if it has one (`core_kernels`).
    pub fn kernel_of(&self, c: usize) -> Option<crate::kernel::Kernel> {
        self.core_kernels.get(c).copied().flatten()
    }
    /// Width of each neuron's input accumulator (see `docs/semantics.md`).
    pub fn accumulator_bits(&self) -> u32 {
        self.widths.accumulator_bits(self.axons_per_core)
    }
}

/// Where a population's spikes come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationKind {
    /// Driven by the host (a stimulus file and/or a generated drive).
    Input {
        /// Generated Poisson-like drive, if declared.
        drive: Option<Drive>,
    },
    /// Neurons simulated on the cores.
    Neurons {
        /// The population's neuron type (every neuron's, unless `per_neuron` says otherwise).
        neuron: NeuronType,
        /// One type per neuron, from the population's `neuron_file`.
        per_neuron: Option<Vec<NeuronType>>,
    },
}

/// Generated input drive: each neuron spikes with probability `rate` per timestep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Drive {
    /// Spike probability per neuron per timestep.
    pub rate: f64,
    /// Random seed.
    pub seed: u64,
}

/// A named group of neurons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Population {
    /// Unique name.
    pub name: String,
    /// Number of neurons.
    pub size: usize,
    /// Input or simulated neurons.
    pub kind: PopulationKind,
    /// Whether its spikes are recorded.
    pub record: bool,
}

impl Population {
    /// The neuron type of neuron `k` (None for inputs).
    pub fn neuron_type(&self, k: usize) -> Option<NeuronType> {
        match &self.kind {
            PopulationKind::Neurons { per_neuron: Some(each), .. } => Some(each[k]),
            PopulationKind::Neurons { neuron, .. } => Some(*neuron),
            PopulationKind::Input { .. } => None,
        }
    }

    /// True for host-driven populations.
    pub fn is_input(&self) -> bool {
        matches!(self.kind, PopulationKind::Input { .. })
    }
}

/// One synapse of a projection, as neuron indices inside the two populations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Synapse {
    /// Index in the source population.
    pub pre: u32,
    /// Index in the target population.
    pub post: u32,
    /// Signed weight, within the weight width.
    pub weight: i32,
    /// Extra timesteps before the spike is integrated, within `delay_bits`.
    pub delay: u32,
}

/// The expanded synapses from one population to another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    /// Index of the source population.
    pub from: usize,
    /// Index of the target population.
    pub to: usize,
    /// Every synapse, in a deterministic order.
    pub synapses: Vec<Synapse>,
}

/// A checked network file.
#[derive(Debug, Clone)]
pub struct Network {
    /// The file it was read from.
    pub path: PathBuf,
    /// Hardware shape.
    pub hardware: Hardware,
    /// Populations in file order.
    pub populations: Vec<Population>,
    /// Projections in file order.
    pub projections: Vec<Projection>,
    /// Source positions, so later stages can point at the line that caused a problem.
    pub locator: Locator,
}

impl Network {
    /// Reads and validates a network file.
    pub fn load(path: &Path) -> crate::Result<Self> {
        crate::validate::load(path)
    }

    /// Validates network text as if it were read from `path` (relative files resolve next to it).
    pub fn parse(path: &Path, text: &str) -> crate::Result<Self> {
        crate::validate::parse(path, text)
    }

    /// Index of the population called `name`.
    pub fn population_index(&self, name: &str) -> Option<usize> {
        self.populations.iter().position(|p| p.name == name)
    }

    /// Total synapse count.
    pub fn synapse_count(&self) -> usize {
        self.projections.iter().map(|p| p.synapses.len()).sum()
    }
}
