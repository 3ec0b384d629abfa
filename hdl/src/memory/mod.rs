//! Block RAM, SPRAM and DP16KD wrappers, the synapse crossbar and the banked accumulators.

pub mod accumulators;
pub mod crossbar;
pub mod ram;

use crate::shape::MAX_LANES;

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
