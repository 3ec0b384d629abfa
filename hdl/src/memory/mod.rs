//! Block RAM, SPRAM and DP16KD wrappers, the synapse crossbar and the banked accumulators.

pub mod accumulators;
pub mod crossbar;
pub mod ram;
pub mod taps;

use crate::shape::MAX_LANES;

/// Words below which an ECP5 memory goes to LUT RAM: a DP16KD holds 512 words at its widest,
/// so a shallower memory wastes most of a block, and 256 words is where Yosys's own choice
/// turned (`fpga::fit`). LUT RAM costs logic cells (docs/performance.md, "Memory fit").
pub const LUT_RAM_WORDS: usize = 256;

/// Whether a memory of `depth` words goes to LUT RAM on a device that has it.
pub fn in_lut_ram(depth: usize) -> bool {
    depth < LUT_RAM_WORDS
}

/// `verilog` with each memory marked for LUT RAM or block RAM by its depth ([`in_lut_ram`]),
/// for a device with LUT RAM. Every memory here is declared as `(* no_rw_check *)` followed
/// by `reg [W:0] NAME [0:LAST];` (`ram.rs`, `crossbar.rs`, `accumulators.rs`), so the mark
/// goes there. Why marked rather than left to Yosys: its cost model put wide memories of 64
/// to 255 words in block RAM, one 18-kbit block for as little as 1.5 kbit (a 128-neuron
/// `cuba` core's potentials, currents and fan-out table: 3 blocks); and with every memory
/// marked, the fit counts exactly what the netlist holds.
pub fn mark_ram_style(verilog: &str) -> String {
    let mut out = String::with_capacity(verilog.len() + verilog.len() / 50);
    let mut lines = verilog.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let depth = lines.peek().and_then(|next| declared_depth(next));
        match (line.trim() == "(* no_rw_check *)", depth) {
            (true, Some(d)) => {
                let style = if in_lut_ram(d) { "distributed" } else { "block" };
                out.push_str(
                    &line.replace("(* no_rw_check *)", &format!("(* no_rw_check, ram_style = \"{style}\" *)")),
                );
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// The words of a memory declared on `line` (`reg [W:0] NAME [0:LAST];`), if it is one.
fn declared_depth(line: &str) -> Option<usize> {
    let t = line.trim();
    let last = t.strip_prefix("reg [")?.strip_suffix("];")?.rsplit_once("[0:")?.1;
    last.parse::<usize>().ok().map(|l| l + 1)
}

/// `v`'s low `width` bits (1..=64) read as two's complement and sign-extended to 64 bits: the
/// simulation side of every memory that reads back signed words.
pub(crate) fn sign_extend(v: u64, width: usize) -> u64 {
    if width >= 64 {
        return v;
    }
    let m = (1u64 << width) - 1;
    let v = v & m;
    if (v >> (width - 1)) & 1 == 1 {
        v | !m
    } else {
        v
    }
}

/// Verilog assignments that tie lane outputs `from..MAX_LANES` (lanes a shape does not build)
/// to zero.
pub(crate) fn idle_lanes(from: usize) -> String {
    (from..MAX_LANES).map(|k| format!("    lane{k} = 0;\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memories_are_marked_by_depth_and_nothing_else_changes() {
        let v = "wire a;\n(* no_rw_check *)\nreg [23:0] mem [0:127];\n    (* no_rw_check *)\n    reg [3:0] bank2 [0:3935];\n(* no_rw_check *)\nwire b;\n";
        let m = mark_ram_style(v);
        assert_eq!(
            m,
            "wire a;\n(* no_rw_check, ram_style = \"distributed\" *)\nreg [23:0] mem [0:127];\n    (* no_rw_check, ram_style = \"block\" *)\n    reg [3:0] bank2 [0:3935];\n(* no_rw_check *)\nwire b;\n"
        );
        // The boundary: 255 words to LUT RAM, 256 to block RAM.
        assert!(mark_ram_style("(* no_rw_check *)\nreg [1:0] m [0:254];\n").contains("distributed"));
        assert!(mark_ram_style("(* no_rw_check *)\nreg [1:0] m [0:255];\n").contains("\"block\""));
    }
}
