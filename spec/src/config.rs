//! The TOML file as written: field names, types and unknown-key rejection.
//!
//! Everything here is deserialised with `deny_unknown_fields`, so a misspelt key is an
//! error with a line number rather than a silently ignored setting. Range and cross-field
//! checks live in `validate.rs`.

use serde::Deserialize;

/// Root of a network file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// The `[hardware]` table.
    pub hardware: RawHardware,
    /// Optional default neuron parameters for every population.
    pub neuron: Option<RawNeuron>,
    /// The `[[population]]` tables, in file order.
    #[serde(default)]
    pub population: Vec<RawPopulation>,
    /// The `[[projection]]` tables, in file order.
    #[serde(default)]
    pub projection: Vec<RawProjection>,
}

/// Target boards known to spikemesh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Board {
    /// iCEBreaker: Lattice iCE40 UP5K.
    Icebreaker,
    /// ULX3S with an ECP5 LFE5U-85F.
    #[serde(rename = "ulx3s-85f")]
    Ulx3s85f,
    /// ULX3S with an ECP5 LFE5U-25F.
    #[serde(rename = "ulx3s-25f")]
    Ulx3s25f,
    /// Lattice iCE40-HX8K breakout board.
    Hx8kBreakout,
    /// Simulation only: no FPGA limits apply.
    Sim,
}

impl Board {
    /// The name used in the TOML file.
    pub fn name(&self) -> &'static str {
        match self {
            Board::Icebreaker => "icebreaker",
            Board::Ulx3s85f => "ulx3s-85f",
            Board::Ulx3s25f => "ulx3s-25f",
            Board::Hx8kBreakout => "hx8k-breakout",
            Board::Sim => "sim",
        }
    }
}

/// One core's entry of `core_kernels`: all three fields, or none.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKernel {
    /// Neurons per segment.
    pub segment: Option<i64>,
    /// Taps per axon.
    pub taps: Option<i64>,
    /// Kernel rows.
    pub rows: Option<i64>,
}

/// The `[hardware]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHardware {
    /// Target board.
    pub board: Board,
    /// Cores in x and y.
    pub mesh: [i64; 2],
    /// Neuron slots per core.
    pub neurons_per_core: i64,
    /// Axon rows per core crossbar.
    pub axons_per_core: i64,
    /// Crossbar rows of each core, row-major (default: `axons_per_core` for every core).
    pub core_axons: Option<Vec<i64>>,
    /// Shared kernels of each core, row-major: `{ segment, taps, rows }`, or `{}` for a core
    /// that stores its crossbar rows whole (default: every core).
    pub core_kernels: Option<Vec<RawKernel>>,
    /// Signed weight width.
    pub weight_bits: i64,
    /// Signed potential width.
    pub potential_bits: i64,
    /// Signed synaptic-current width of models that keep a current (default potential_bits).
    pub current_bits: Option<i64>,
    /// Refractory counter width (default 4).
    pub refractory_bits: Option<i64>,
    /// Entries in each core's neuron-type table (default 16).
    pub neuron_types: Option<i64>,
    /// Entries in each core's destination (fan-out) memory (default 4 per neuron).
    pub destinations_per_core: Option<i64>,
    /// Core clock in MHz.
    pub clock_mhz: Option<f64>,
    /// Host UART baud rate.
    pub baud: Option<i64>,
    /// Synapses each core integrates per clock: 1, 2 or 4 (default per board).
    pub synapses_per_clock: Option<i64>,
    /// Whether the bridge accepts WRITE_BYTES (default true).
    pub byte_writes: Option<bool>,
    /// Build the bridge's STEP_PULLED and NEXT commands (no recorded spike lost on a bad wire).
    pub pulled_spikes: Option<bool>,
    /// Bits of each synapse's delay (0 to 4, default 0: every spike arrives after one timestep).
    pub delay_bits: Option<i64>,
}

/// Neuron parameters as written: `model` and the model's own keys, checked against the
/// model in `validate.rs` (a key of another model is an error there, with its line).
pub type RawNeuron = toml::Table;

/// Generated Poisson-like input drive of an input population.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDrive {
    /// Probability that a neuron spikes in a timestep.
    pub rate: f64,
    /// Random seed.
    pub seed: i64,
}

/// One `[[population]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPopulation {
    /// Unique name.
    pub name: String,
    /// Number of neurons.
    pub size: i64,
    /// Spikes come from the host.
    #[serde(default)]
    pub input: bool,
    /// Record this population's spikes.
    #[serde(default)]
    pub record: bool,
    /// Neuron parameters (merged over the top-level `[neuron]`).
    pub neuron: Option<RawNeuron>,
    /// Generated input drive (input populations only).
    pub drive: Option<RawDrive>,
    /// Per-neuron parameters: a CSV file relative to the network file (`per_neuron.rs`).
    pub neuron_file: Option<String>,
}

/// One `[[projection]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProjection {
    /// Source population name.
    pub from: String,
    /// Target population name.
    pub to: String,
    /// Connectivity rule, interpreted in `connectivity.rs`.
    pub connectivity: toml::Value,
    /// Weight rule, interpreted in `connectivity.rs`.
    pub weight: Option<toml::Value>,
    /// Delay rule (extra timesteps per synapse), interpreted in `connectivity.rs`.
    pub delay: Option<toml::Value>,
}
