//! DSP fit before synthesis: the multiplier blocks a chip takes on its board's FPGA. Unlike
//! logic cells, which only a synthesis measures, they are counted exactly: each core's
//! datapath says how its products split into blocks (`NeuronHdl::dsp_blocks`, held against
//! Yosys by `hdl/tests/neuron_synth.rs`), and the UP5K's four 32-bit event counters take one
//! `SB_MAC16` each (`link/counter.rs`). The MNIST import's two `cuba` cores asked 12 of the
//! UP5K's 8 and did not place (2026-12-06); `check` and the import now refuse that shape.

use crate::shape::CoreShape;
use serde::Serialize;
use spikemesh_spec::config::Board;
use spikemesh_spec::Hardware;

/// Event counters of the chip (timesteps; frames accepted, rejected; spikes sent).
pub const EVENT_COUNTERS: usize = 4;

/// Unsigned bits of an operand an iCE40 `SB_MAC16` multiplies.
pub const ICE40_OPERAND: usize = 16;

/// Unsigned bits of an operand an ECP5 `MULT18X18D` multiplies (18 signed).
pub const ECP5_OPERAND: usize = 17;

/// The DSP verdict for a board.
#[derive(Debug, Clone, Serialize)]
pub struct DspFit {
    /// FPGA.
    pub device: String,
    /// Block primitive (`SB_MAC16`, `MULT18X18D`).
    pub block: String,
    /// Blocks the neuron datapaths take, all cores.
    pub datapaths: usize,
    /// Blocks the event counters take.
    pub counters: usize,
    /// Blocks the device has.
    pub available: usize,
    /// "fits" or "does not fit".
    pub verdict: &'static str,
}

impl DspFit {
    /// Blocks the chip takes.
    pub fn blocks(&self) -> usize {
        self.datapaths + self.counters
    }
}

/// The DSP fit of `hw` on its board, or None where the device has no DSP blocks (the HX8K:
/// its products are logic) or the board is `sim`.
pub fn dsp_fit(hw: &Hardware) -> Option<DspFit> {
    // Lattice DS1105 (iCE40 UltraPlus family table): UP5K 8 DSPs; DS1044 (ECP5 family
    // table): LFE5U-25F 28 and LFE5U-85F 156 18x18 multipliers.
    let (device, block, operand, available) = match hw.board {
        Board::Icebreaker => ("iCE40 UP5K", "SB_MAC16", ICE40_OPERAND, 8),
        Board::Ulx3s25f => ("ECP5 LFE5U-25F", "MULT18X18D", ECP5_OPERAND, 28),
        Board::Ulx3s85f => ("ECP5 LFE5U-85F", "MULT18X18D", ECP5_OPERAND, 156),
        Board::Hx8kBreakout | Board::Sim => return None,
    };
    let shape = CoreShape::for_board(hw);
    let per_core = crate::neuron::datapath(shape.model).map_or(0, |d| d.dsp_blocks(&shape, operand));
    let datapaths = per_core * hw.cores();
    let counters = if shape.dsp_counters { EVENT_COUNTERS } else { 0 };
    Some(DspFit {
        device: device.into(),
        block: block.into(),
        datapaths,
        counters,
        available,
        verdict: if datapaths + counters <= available { "fits" } else { "does not fit" },
    })
}

impl std::fmt::Display for DspFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DSP blocks on the {}: {} of {} {} ({} in the neuron datapaths, {} event counters): {}",
            self.device,
            self.blocks(),
            self.available,
            self.block,
            self.datapaths,
            self.counters,
            self.verdict
        )
    }
}
