//! The network file an import writes: its `[hardware]` table, one population per NIR neuron
//! node, one projection per weight CSV.

use crate::convention::Reset;
use crate::reduce::Net;
use spikemesh_spec::config::Board;
use std::fmt::Write as _;

/// Neuron type parameters of one layer: TOML key and the value of each neuron.
pub(crate) type Params = Vec<(&'static str, Vec<i64>)>;

/// The width of `cuba`'s current and potential: Lava's fixed point (`docs/semantics.md`).
pub(crate) const CUBA_BITS: u32 = 24;

/// What `spikemesh import` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// Target board (its name in the network file).
    pub board: String,
    /// Signed weight width.
    pub weight_bits: u32,
    /// Timestep in seconds.
    pub dt: f64,
    /// Force a neuron model (`lif` or `cuba`); None picks `lif` when it is exact, else `cuba`.
    pub model: Option<String>,
    /// Neuron slots per core; None sizes them so the network spreads over about two cores.
    pub neurons_per_core: Option<usize>,
    /// Synapses each core integrates per clock; None leaves the board's default.
    pub synapses_per_clock: Option<usize>,
    /// What a spike does to the potential (the convention's, convention.rs).
    pub reset: Reset,
    /// The threshold of a spike comes off at the next update, after the decay (snnTorch,
    /// Spyx): `cuba`'s `deferred` reset mode.
    pub deferred_subtract: bool,
    /// Each core's crossbar holds only the rows its mapping uses (`core_axons`), not the
    /// widest core's: where uniform crossbars would not fit the board's memory (`fit.rs`).
    pub core_rows: bool,
    /// Cores whose rows share kernel rows store them so (`core_kernels`, `spec::kernel`), each
    /// core also at its own rows: where that fits the board and its own rows alone do not.
    pub kernels: bool,
    /// Core clock in MHz; None leaves the board's (a PLL makes it: `hdl/src/fpga/pll.rs`).
    pub clock_mhz: Option<f64>,
}

/// The chip the network file asks for (its `[hardware]` table).
#[derive(Clone)]
pub(crate) struct Shape {
    /// Target board.
    pub(crate) board: Board,
    /// Cores across and down.
    pub(crate) mesh: [usize; 2],
    /// Neuron slots per core.
    pub(crate) npc: usize,
    /// Axon rows the chip addresses per core.
    pub(crate) axons: usize,
    /// Each core's own rows (`core_axons`), when asked for.
    pub(crate) core_axons: Option<Vec<usize>>,
    /// Each core's shared kernels (`core_kernels`), when asked for.
    pub(crate) core_kernels: Option<Vec<Option<spikemesh_spec::kernel::Kernel>>>,
    /// Neuron types per core.
    pub(crate) types: usize,
    /// Fan-out entries per core.
    pub(crate) destinations: usize,
    /// Signed potential width.
    pub(crate) potential_bits: u32,
    /// Bits of the longest synaptic delay (0 without Delay nodes).
    pub(crate) delay_bits: u32,
}

/// A parameter as the network file writes it: `reset_mode` by name, the others as integers.
pub(crate) fn param_text(name: &str, v: i64) -> String {
    match name {
        // cuba's names: lif's two, then `deferred`.
        "reset_mode" => format!("\"{}\"", spikemesh_spec::neuron::cuba::RESET_MODES[v as usize]),
        _ => v.to_string(),
    }
}

/// The per-neuron parameter file of a layer.
pub(crate) fn neuron_file(layer: &str) -> String {
    format!("{}-neurons.csv", safe(layer))
}

/// A population name usable as a file name.
pub(crate) fn safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// The network file's text.
pub(crate) fn network_text(
    net: &Net,
    opt: &Options,
    model: &str,
    s: &Shape,
    layers: &[(&str, &Params)],
    csvs: &[(usize, String, String)],
) -> String {
    let mut t = String::new();
    // The file name only, so the text does not depend on where the import ran from.
    let source = net.file.file_name().map_or(net.file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let _ = writeln!(
        t,
        "# Imported by `spikemesh import` from {source} (dt = {} s, weight_bits = {}, board {}).",
        opt.dt, opt.weight_bits, opt.board
    );
    let _ = writeln!(t, "# One population per NIR neuron node; weights in the CSV files beside this one.");
    let _ = writeln!(t, "# Quantisation and its cost: docs/nir.md; re-run the import to see the report.\n");
    let _ = writeln!(t, "[hardware]");
    let _ = writeln!(t, "board = \"{}\"", s.board.name());
    let _ = writeln!(t, "mesh = [{}, {}]", s.mesh[0], s.mesh[1]);
    let _ = writeln!(t, "neurons_per_core = {}", s.npc);
    let _ = writeln!(t, "axons_per_core = {}", s.axons);
    if let Some(rows) = &s.core_axons {
        // Each core's crossbar as deep as its own axons: the widest core's rows in every core
        // would not fit the board's memory (`nir/src/fit.rs`).
        let rows: Vec<String> = rows.iter().map(usize::to_string).collect();
        let _ = writeln!(t, "core_axons = [{}]", rows.join(", "));
    }
    if let Some(kernels) = &s.core_kernels {
        // Rows that repeat (a convolution's kernel) stored once (`spec::kernel`).
        let ks: Vec<String> = kernels
            .iter()
            .map(|k| {
                k.map_or("{}".into(), |k| {
                    format!("{{ segment = {}, taps = {}, rows = {} }}", k.segment, k.taps, k.rows)
                })
            })
            .collect();
        let _ = writeln!(t, "core_kernels = [{}]", ks.join(", "));
    }
    let _ = writeln!(t, "weight_bits = {}", opt.weight_bits);
    let _ = writeln!(t, "potential_bits = {}", s.potential_bits);
    if model == "cuba" {
        let _ = writeln!(t, "current_bits = {CUBA_BITS}");
    }
    // NIR neurons have no refractory period.
    let _ = writeln!(t, "refractory_bits = 0");
    if s.delay_bits > 0 {
        // The graph's Delay nodes, as whole timesteps per synapse (the CSVs' delay column).
        let _ = writeln!(t, "delay_bits = {}", s.delay_bits);
    }
    let _ = writeln!(t, "neuron_types = {}", s.types);
    let _ = writeln!(t, "destinations_per_core = {}", s.destinations);
    if let Some(n) = opt.synapses_per_clock {
        let _ = writeln!(t, "synapses_per_clock = {n}");
    }
    match (s.board, opt.clock_mhz) {
        // A clock asked for (`import --clock-mhz`): `check` says whether the board's PLL makes
        // it, and `spikemesh synth` whether the chip meets it. The baud is the default for it
        // (`spikemesh_spec::network::default_baud`: 3 Mbaud from 24 MHz up, 8 clocks per bit).
        (_, Some(mhz)) => {
            let _ = writeln!(t, "clock_mhz = {mhz}");
        }
        // The iCEBreaker's PLL gives 24 MHz (as examples/up5k-feedforward.toml), and its FT2232H
        // takes 3 Mbaud: 8 core clocks per bit.
        (Board::Icebreaker, None) => t.push_str("clock_mhz = 24\nbaud = 3000000\n"),
        (Board::Ulx3s85f | Board::Ulx3s25f, None) => t.push_str("baud = 3000000\n"),
        (Board::Hx8kBreakout, None) => t.push_str("baud = 1000000\n"),
        (Board::Sim, None) => {}
    }
    let readout: Vec<usize> = net.outputs.iter().map(|(_, l)| *l).collect();
    for (l, layer) in net.layers.iter().enumerate() {
        let _ = writeln!(t, "\n[[population]]\nname = \"{}\"\nsize = {}", layer.name, layer.size);
        match &layer.neurons {
            None => {
                let _ = writeln!(t, "input = true");
            }
            Some(p) => {
                let (name, params) = layers.iter().find(|q| q.0 == layer.name).expect("quantised");
                // Values shared by every neuron go in the table; the others in the neuron file.
                let kv: Vec<String> = params.iter().map(|(k, v)| format!("{k} = {}", param_text(k, v[0]))).collect();
                let _ = writeln!(t, "# NIR {}", p.kind.nir_name());
                let _ = writeln!(t, "neuron = {{ model = \"{model}\", {} }}", kv.join(", "));
                if params.iter().any(|(_, xs)| xs.iter().any(|&x| x != xs[0])) {
                    let _ = writeln!(t, "neuron_file = \"{}\"", neuron_file(name));
                }
                if readout.contains(&l) {
                    let _ = writeln!(t, "record = true");
                }
            }
        }
    }
    for (from, to, file) in csvs {
        let _ = writeln!(
            t,
            "\n[[projection]]\nfrom = \"{}\"\nto = \"{to}\"\nconnectivity = {{ file = \"{file}\" }}",
            net.layers[*from].name
        );
    }
    t
}
