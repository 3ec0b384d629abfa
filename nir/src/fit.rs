//! The import fits the board: where the user left them open, the weight width, the core size
//! and the synapses per clock are chosen so that `spikemesh check` says the network fits the
//! board's memories and DSP blocks. The widest weights that fit win (they cost the least
//! accuracy); among those, on the ECP5 boards the fastest chip (the smallest cores, see
//! [`fast_cores`]), elsewhere the core size the import would pick by itself first, then the
//! fewest cores (logic binds on the iCE40 boards). Nothing that `check` refuses is written.

use crate::error::{NirError, Result};
use crate::quantise::{import, Imported, Options};
use crate::reduce::Net;
use serde::Serialize;
use spikemesh_hdl::fpga::dsp_fit::{dsp_fit, ECP5_OPERAND};
use spikemesh_hdl::fpga::fit::memory_fit;
use spikemesh_hdl::shape::{CoreShape, CrossbarStyle};
use spikemesh_spec::{Hardware, Network};
use std::fmt::Write as _;
use std::path::Path;

/// Weight widths tried, widest first, when `--weight-bits` is not given: below 4 bits the
/// rounding error of a trained network's weights is larger than most of them.
pub const WEIGHT_BITS: [u32; 5] = [8, 7, 6, 5, 4];

/// On the ECP5 boards memory binds before logic, so the import prefers small cores there: a core
/// streams an axon's row in `neurons_per_core / synapses_per_clock` clocks and the cores stream
/// theirs side by side, so a layer split over more cores is a faster chip. MNIST's 784-128-10
/// on the ULX3S-85F, mean clocks per image on the RTL (30 test images, 2026-12-07, the network
/// of 2026-12-06): 35472 at 128 neurons per core (1.42 ms at 25 MHz), 20733 at 64, 11977 at 32,
/// 9579 at 16 (0.38 ms). This bounds how many cores it may spread to, whatever their model: the
/// multipliers (as many per core as `cuba` takes at Lava's widths, the most of any model:
/// [`mults_per_core`]) and a 60 % share of the LUT4s at 1600 per core (that MNIST chip's 9
/// `cuba` cores with their routers and the bridge: 13971 LUT4). Lattice's ECP5 data sheet
/// (DS1044, family table): LFE5U-25F 24k LUT4 and 28 multipliers, LFE5U-85F 84k and 156.
/// None: the board's logic binds first (the iCE40 boards), so the import keeps its own size.
pub fn fast_cores(board: &str) -> Option<usize> {
    const LUTS_PER_CORE: usize = 1600;
    let (luts, mults) = match board {
        "ulx3s-25f" => (24_000, 28),
        "ulx3s-85f" => (84_000, 156),
        _ => return None,
    };
    Some((mults / mults_per_core()).min(luts * 6 / 10 / LUTS_PER_CORE))
}

/// ECP5 multipliers a core takes at most: `cuba` at Lava's 24-bit current and potential, as
/// `check` counts them (`NeuronHdl::dsp_blocks`): 4.
pub fn mults_per_core() -> usize {
    let cuba = spikemesh_spec::neuron::model_named("cuba").expect("cuba is a built-in model");
    let reference = CoreShape::reference(CrossbarStyle::Inferred);
    let shape = CoreShape { potential_bits: 24, current_bits: 24, ..reference }.with_model(cuba);
    spikemesh_hdl::neuron::datapath(cuba).map_or(1, |d| d.dsp_blocks(&shape, ECP5_OPERAND).max(1))
}

/// One shape the search tried, and what the board's memory made of it.
#[derive(Debug, Clone, Serialize)]
pub struct Tried {
    /// Signed weight width.
    pub weight_bits: u32,
    /// Neuron slots per core asked for (None: the import's own choice).
    pub neurons_per_core: Option<usize>,
    /// Synapses per clock asked for (None: the board's default).
    pub synapses_per_clock: Option<usize>,
    /// Each core's crossbar as deep as its own axons (`core_axons`).
    pub core_rows: bool,
    /// Cores whose rows repeat store them as shared kernels (`core_kernels`).
    pub kernels: bool,
    /// `check`'s verdict on the board's memories and DSP blocks, or why the network did not map.
    pub verdict: String,
}

/// Synapses per clock to try at `bits`-bit weights, most first. On the iCEBreaker one 16-bit
/// SPRAM word holds four 4-bit weights, so 4-bit crossbars can stream 4 per clock; the board's
/// default stays 2 (`spec::network::default_synapses_per_clock`: the demo's 2x2 mesh has no
/// block RAM for more), so the import asks for 4 itself where the memories still fit.
fn lanes(board: &str, bits: u32) -> Vec<Option<usize>> {
    if board == "icebreaker" && bits <= 4 {
        vec![Some(4), None]
    } else {
        vec![None]
    }
}

/// `check`'s verdict on `hw`'s memories and DSP blocks together (None: board `sim`), and its text.
fn verdict(hw: &Hardware) -> Option<(&'static str, String)> {
    let memory = memory_fit(hw)?;
    let dsp = dsp_fit(hw);
    let text = dsp.as_ref().map_or(memory.to_string(), |d| format!("{memory}; {d}"));
    let v = match dsp {
        Some(d) if d.verdict != "fits" => d.verdict,
        _ => memory.verdict,
    };
    Some((v, text))
}

/// How the cores store their rows: every core the widest core's rows, each its own rows, or
/// each its own rows with shared kernels where its rows repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Storage {
    Widest,
    OwnRows,
    Kernels,
}

/// One shape that mapped: (weight_bits, neurons_per_core asked, synapses_per_clock asked,
/// verdict, neurons_per_core given, cores, how the rows are stored).
type Candidate = (u32, Option<usize>, Option<usize>, &'static str, usize, usize, Storage);

/// How close a verdict is to fitting (higher is better).
fn rank(verdict: &str) -> u8 {
    match verdict {
        "fits" => 2,
        "may fit" => 1,
        _ => 0,
    }
}

/// Imports `net` into `out` with the first shape whose memories and DSP blocks fit the board.
/// `opt`'s `weight_bits` and `neurons_per_core` are kept when `fixed_bits` / `fixed_npc` (the
/// user gave them); otherwise they are searched. Returns the import and every shape tried.
pub fn import_to_fit(
    net: &Net,
    opt: &Options,
    fixed_bits: bool,
    fixed_npc: bool,
    out: &Path,
) -> Result<(Imported, Vec<Tried>)> {
    let bits: Vec<u32> = if fixed_bits { vec![opt.weight_bits] } else { WEIGHT_BITS.to_vec() };
    // The import's own size first, then from small cores to one core holding every neuron
    // (the fewest cores, the least logic: what the iCE40 boards run out of).
    let neurons: usize = net.layers.iter().filter(|l| l.neurons.is_some()).map(|l| l.size).sum();
    let npcs: Vec<Option<usize>> = if fixed_npc {
        vec![opt.neurons_per_core]
    } else {
        let mut v = vec![None, Some(16), Some(32), Some(64), Some(128), Some(256)];
        if (1..=4096).contains(&neurons) && !v.contains(&Some(neurons)) {
            v.push(Some(neurons));
        }
        v
    };
    // Each import writes and maps the whole network, so import once per core size, and read
    // the other widths' fit off that shape (the width and the lanes change no mapping); then
    // import the best candidate for real and check it again.
    let mut tried = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    for &neurons_per_core in &npcs {
        let o = Options { weight_bits: bits[0], neurons_per_core, synapses_per_clock: None, ..opt.clone() };
        let (hw, rows, kernels) = match import(net, &o, out) {
            Err(e) if e.message.contains("does not map") => {
                tried.push(Tried {
                    weight_bits: bits[0],
                    neurons_per_core,
                    synapses_per_clock: None,
                    core_rows: false,
                    kernels: false,
                    verdict: format!("does not map: {}", e.message),
                });
                continue;
            }
            Err(e) => return Err(e),
            // The rows each core uses: where every core holding the widest core's rows does not
            // fit, each holds its own (`core_axons`; one tile module per row count).
            Ok(imp) => {
                let hw = Network::load(&imp.toml).map_err(|e| NirError::file(&net.file, e.to_string()))?.hardware;
                (hw, imp.rows_used, imp.kernels)
            }
        };
        for &weight_bits in &bits {
            for synapses_per_clock in lanes(&opt.board, weight_bits) {
                let mut h = hw.clone();
                h.widths.weight_bits = weight_bits;
                h.synapses_per_clock = synapses_per_clock
                    .unwrap_or_else(|| spikemesh_spec::network::default_synapses_per_clock(h.board, weight_bits));
                let Some((v, text)) = verdict(&h) else {
                    let o = Options { weight_bits, synapses_per_clock, ..o.clone() };
                    return import(net, &o, out).map(|imp| (imp, tried));
                };
                let mut best = (v, text, Storage::Widest);
                if v != "fits" {
                    // Each core at its own rows: taken where it fits better, shown either way.
                    let own = Hardware { core_axons: rows.clone(), ..h.clone() };
                    if let Some((v2, text2)) = verdict(&own) {
                        best = if rank(v2) > rank(v) {
                            (
                                v2,
                                format!("{text2} (each core holding its own rows; all {}: {v})", h.axons_per_core),
                                Storage::OwnRows,
                            )
                        } else {
                            (v, format!("{}; each core holding its own rows, {text2}", best.1), Storage::Widest)
                        };
                    }
                }
                let shared = kernels.iter().flatten().count();
                if best.0 != "fits" && shared > 0 {
                    // And the cores whose rows repeat (a convolution's) as shared kernels.
                    let k = Hardware { core_axons: rows.clone(), core_kernels: kernels.clone(), ..h.clone() };
                    if let Some((v3, text3)) = verdict(&k) {
                        best = if rank(v3) > rank(best.0) {
                            (
                                v3,
                                format!("{text3} (shared kernels in {shared} cores; without: {})", best.0),
                                Storage::Kernels,
                            )
                        } else {
                            (best.0, format!("{}; with shared kernels in {shared} cores, {text3}", best.1), best.2)
                        };
                    }
                }
                let (v, text, storage) = best;
                candidates.push((
                    weight_bits,
                    neurons_per_core,
                    synapses_per_clock,
                    v,
                    h.neurons_per_core,
                    h.cores(),
                    storage,
                ));
                tried.push(Tried {
                    weight_bits,
                    neurons_per_core,
                    synapses_per_clock,
                    core_rows: storage != Storage::Widest,
                    kernels: storage == Storage::Kernels,
                    verdict: text,
                });
            }
        }
    }
    // Widest weights first; among equal widths, on the ECP5 boards the smallest cores that the
    // board holds (the fastest chip), else the import's own core size, then the fewest cores;
    // then the most synapses per clock.
    let fast = fast_cores(&opt.board);
    candidates.sort_by_key(|&(b, npc_asked, lanes, _, npc, cores, _)| {
        let shape = match fast {
            Some(most) => (usize::from(cores > most), npc, 0),
            None => (usize::from(npc_asked.is_some()), cores, npc),
        };
        (std::cmp::Reverse(b), shape, std::cmp::Reverse(lanes.unwrap_or(0)))
    });
    for want in ["fits", "may fit"] {
        for &(weight_bits, neurons_per_core, synapses_per_clock, _, _, _, storage) in
            candidates.iter().filter(|c| c.3 == want)
        {
            let o = Options {
                weight_bits,
                neurons_per_core,
                synapses_per_clock,
                core_rows: storage == Storage::OwnRows,
                kernels: storage == Storage::Kernels,
                ..opt.clone()
            };
            let imp = import(net, &o, out)?;
            let hw = Network::load(&imp.toml).map_err(|e| NirError::file(&net.file, e.to_string()))?.hardware;
            if verdict(&hw).is_some_and(|(v, _)| v == want) {
                return Ok((imp, tried));
            }
        }
    }
    let mut table = String::new();
    for t in &tried {
        let npc = t.neurons_per_core.map_or("import's choice".to_string(), |n| n.to_string());
        let spc = t.synapses_per_clock.map_or("board's default".to_string(), |n| n.to_string());
        let _ = writeln!(
            table,
            "  weight_bits {:>2}, neurons_per_core {npc:>15}, synapses_per_clock {spc:>15}: {}",
            t.weight_bits, t.verdict
        );
    }
    let _ = std::fs::remove_file(out.join("net.toml"));
    Err(NirError::file(
        &net.file,
        format!(
            "no shape fits board {} (tried, widest weights first):\n{table}what would have to change: fewer synapses per core \
             (a smaller layer, or a sparser one), narrower weights{}, a neuron model with fewer multipliers (lif), or a board \
             with more memory (ulx3s-85f has 208 block RAMs and 156 multipliers)",
            opt.board,
            if fixed_bits { " (--weight-bits)" } else { " than 4 bits" }
        ),
    ))
}
