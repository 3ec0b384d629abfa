//! The import fits the board: where the user left them open, the weight width and the core
//! size are chosen so that `spikemesh check` says the network fits the board's memories. The
//! widest weights that fit win (they cost the least accuracy); among those, the core size the
//! import would pick by itself first. Nothing that `check` refuses is written.

use crate::error::{NirError, Result};
use crate::quantise::{import, Imported, Options};
use crate::reduce::Net;
use serde::Serialize;
use spikemesh_hdl::fpga::fit::memory_fit;
use spikemesh_spec::Network;
use std::fmt::Write as _;
use std::path::Path;

/// Weight widths tried, widest first, when `--weight-bits` is not given: below 4 bits the
/// rounding error of a trained network's weights is larger than most of them.
pub const WEIGHT_BITS: [u32; 5] = [8, 7, 6, 5, 4];

/// One shape the search tried, and what the board's memory made of it.
#[derive(Debug, Clone, Serialize)]
pub struct Tried {
    /// Signed weight width.
    pub weight_bits: u32,
    /// Neuron slots per core asked for (None: the import's own choice).
    pub neurons_per_core: Option<usize>,
    /// `check`'s verdict on the board's memories, or why the network did not map.
    pub verdict: String,
}

/// Imports `net` into `out` with the first shape whose memories fit the board. `opt`'s
/// `weight_bits` and `neurons_per_core` are kept when `fixed_bits` / `fixed_npc` (the user
/// gave them); otherwise they are searched. Returns the import and every shape tried.
pub fn import_to_fit(
    net: &Net,
    opt: &Options,
    fixed_bits: bool,
    fixed_npc: bool,
    out: &Path,
) -> Result<(Imported, Vec<Tried>)> {
    let bits: Vec<u32> = if fixed_bits { vec![opt.weight_bits] } else { WEIGHT_BITS.to_vec() };
    let npcs: Vec<Option<usize>> = if fixed_npc {
        vec![opt.neurons_per_core]
    } else {
        vec![None, Some(16), Some(32), Some(64), Some(128), Some(256)]
    };
    let mut tried = Vec::new();
    let mut maybe: Option<Options> = None;
    for &weight_bits in &bits {
        for &neurons_per_core in &npcs {
            let o = Options { weight_bits, neurons_per_core, ..opt.clone() };
            let verdict = match import(net, &o, out) {
                Err(e) if e.message.contains("does not map") => format!("does not map: {}", e.message),
                Err(e) => return Err(e),
                Ok(imp) => {
                    let hw = Network::load(&imp.toml).map_err(|e| NirError::file(&net.file, e.to_string()))?.hardware;
                    match memory_fit(&hw) {
                        None => return Ok((imp, tried)), // the sim board has room for anything
                        Some(f) if f.verdict == "fits" => {
                            tried.push(Tried { weight_bits, neurons_per_core, verdict: f.to_string() });
                            return Ok((imp, tried));
                        }
                        Some(f) => {
                            if f.verdict == "may fit" && maybe.is_none() {
                                maybe = Some(o.clone());
                            }
                            f.to_string()
                        }
                    }
                }
            };
            tried.push(Tried { weight_bits, neurons_per_core, verdict });
        }
    }
    // Nothing fits for certain: a shape Yosys may still fit (ECP5's range) is written, and said so.
    if let Some(o) = maybe {
        let imp = import(net, &o, out)?;
        return Ok((imp, tried));
    }
    let mut table = String::new();
    for t in &tried {
        let npc = t.neurons_per_core.map_or("import's choice".to_string(), |n| n.to_string());
        let _ = writeln!(table, "  weight_bits {:>2}, neurons_per_core {npc:>15}: {}", t.weight_bits, t.verdict);
    }
    let _ = std::fs::remove_file(out.join("net.toml"));
    Err(NirError::file(
        &net.file,
        format!(
            "no shape fits board {} (tried, widest weights first):\n{table}what would have to change: fewer synapses per core \
             (a smaller layer, or a sparser one), narrower weights{}, or a board with more memory (ulx3s-85f has 208 block RAMs)",
            opt.board,
            if fixed_bits { " (--weight-bits)" } else { " than 4 bits" }
        ),
    ))
}
