//! Memory fit before synthesis: the RAM blocks a chip of a given shape needs on its board's
//! FPGA, from the memories `core.rs`, `mesh/fanout.rs` and the host bridge instantiate (tested
//! against Yosys).
//!
//! On the iCE40, Yosys chooses per memory, with a cost model: very small memories can become
//! flip-flops. So the prediction is a range. The most: every memory in whole blocks of its
//! best single shape (SB_RAM40_4K 256x16 .. 2048x2); Yosys's count equals it for the
//! reference tiles (tested) and never exceeds it. The least: the raw bits of the memories of
//! 256 bits or more, divided by a block's capacity. The crossbar takes SPRAM on the UP5K.
//!
//! On the ECP5 the count is exact: each tile memory is marked for LUT RAM (under
//! [`crate::memory::LUT_RAM_WORDS`] words) or block RAM (`memory::mark_ram_style`), and a
//! block RAM takes whole DP16KD (16Kx1 .. 512x36) of its best single shape.

use crate::memory::in_lut_ram;
use crate::shape::spram_blocks;
use crate::shape::{addr_bits, CoreShape, CrossbarStyle};
use serde::Serialize;
use spikemesh_spec::config::Board;
use spikemesh_spec::Hardware;

/// One memory: depth x width bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Words.
    pub depth: usize,
    /// Bits per word.
    pub width: usize,
}

impl Memory {
    /// A memory of `depth` words (at least 2: a 1-word array is still a RAM) of `width` bits.
    fn of(depth: usize, width: usize) -> Self {
        Memory { depth: depth.max(2), width }
    }
}

/// Every memory of one neuron core except a SPRAM crossbar, in instantiation order
/// (`core/mod.rs`), the model's middle state register (`cuba`'s current) included.
pub fn core_memories(s: &CoreShape) -> Vec<Memory> {
    let m = Memory::of;
    let mut v = Vec::new();
    let lanes = s.lanes();
    if s.crossbar == CrossbarStyle::Inferred {
        // One bank per lane (`memory/crossbar.rs`); with shared kernels the kernel rows.
        let (rows, cols) = s.crossbar_size();
        let bank = m(rows.max(2) << (addr_bits(cols) - s.lane_bits()), s.weight_bits);
        v.extend(std::iter::repeat_n(bank, lanes));
    }
    // Shared kernels: the tap table (`memory/taps.rs`), as deep as it is addressed.
    if let Some(k) = s.kernel {
        use crate::memory::taps::TapTable;
        v.push(m(TapTable::depth(s.axons, k.taps), TapTable::width(s.neurons, &k)));
    }
    let (tq, types) = (s.type_queue_ram(), s.type_table_ram());
    v.extend([
        m(tq.0, tq.1),                  // type indices + spike queue
        m(types.0, types.1),            // threshold, reset, control word
        m(s.neurons, s.potential_bits), // potential
    ]);
    // The model's middle register: without one the core's `aux` RAM is never written, and
    // Yosys removes it. (The iCE40 count left it out until 2026-12-07: `check` said 11 to 13
    // block RAMs for the MNIST iCEBreaker chip, where Yosys used 15.)
    v.extend(s.aux_state().map(|f| m(s.neurons, f.bits as usize)));
    // Accumulator + refractory counter, one bank per lane (`memory/accumulators.rs`); with
    // delays a ring of accumulator slots per bank (slot above the word address), the counters
    // in a RAM beside it, and a delay per axon row (`core.rs`).
    let words = s.neurons.div_ceil(lanes);
    if s.delay_bits == 0 {
        v.extend(std::iter::repeat_n(m(words, s.acc_bits + s.refractory_bits.max(1)), lanes));
    } else {
        let ring = crate::memory::accumulators::ring_depth(words, s.delay_bits as usize);
        for _ in 0..lanes {
            v.extend([m(ring, s.acc_bits), m(words, s.refractory_bits.max(1))]);
        }
        v.push(m(s.axons, s.delay_bits as usize));
    }
    v
}

/// Every memory of one tile of a `mesh_x x mesh_y` chip except a SPRAM crossbar: its core's,
/// then the fan-out unit's.
pub fn tile_memories(s: &CoreShape, destinations: usize, mesh_x: usize, mesh_y: usize) -> Vec<Memory> {
    let p = crate::mesh::fanout::Packing::new(s, destinations, mesh_x, mesh_y);
    let mut v = core_memories(s);
    v.extend([
        Memory::of(s.neurons, p.fan_bits()),     // fan-out table (packed)
        Memory::of(destinations, p.dest_bits()), // destination memory (packed)
    ]);
    v
}

/// The host bridge's memories (`link/bridge.rs`): the frame receiver's and transmitter's buffers.
pub fn bridge_memories() -> [Memory; 2] {
    let m = Memory { depth: 1 << crate::link::framerx::FB, width: 8 };
    [m, Memory { depth: 1 << crate::link::frametx::TB, width: 8 }]
}

/// SB_RAM40_4K blocks for one memory: the cheapest of the four block shapes.
pub fn ice40_blocks(m: Memory) -> usize {
    [(256, 16), (512, 8), (1024, 4), (2048, 2)]
        .iter()
        .map(|&(d, w)| m.depth.div_ceil(d) * m.width.div_ceil(w))
        .min()
        .unwrap_or(0)
}

/// The fewest and the most SB_RAM40_4K blocks Yosys may use for `mems` (see the module doc).
pub fn ice40_range(mems: &[Memory]) -> (usize, usize) {
    let least = mems.iter().filter(|m| m.depth * m.width >= 256).map(|m| (m.depth * m.width).div_ceil(4096)).sum();
    let most = mems.iter().map(|&m| ice40_blocks(m)).sum();
    (least, most)
}

/// DP16KD blocks for one memory in block RAM (18 kbit, 16Kx1 .. 512x36).
pub fn ecp5_blocks(m: Memory) -> usize {
    [(16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36)]
        .iter()
        .map(|&(d, w)| m.depth.div_ceil(d) * m.width.div_ceil(w))
        .min()
        .unwrap_or(0)
}

/// The memory verdict for a board.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryFit {
    /// FPGA.
    pub device: String,
    /// Block RAMs needed at most (every memory in block RAM, best single block shape).
    pub block_rams: usize,
    /// Block RAMs needed at least.
    pub block_rams_min: usize,
    /// Block RAMs the device has.
    pub block_rams_available: usize,
    /// SPRAM blocks needed.
    pub sprams: usize,
    /// SPRAM blocks the device has.
    pub sprams_available: usize,
    /// "fits", "does not fit", or (ECP5, between the least and the most) "may fit".
    pub verdict: &'static str,
}

/// The memory fit of `hw` on its board, or None for the `sim` board.
pub fn memory_fit(hw: &Hardware) -> Option<MemoryFit> {
    let shape = CoreShape::for_board(hw);
    // Each core's memories: its crossbar holds its own rows (`core_axons`).
    let tiles: Vec<(CoreShape, Vec<Memory>)> = (0..hw.cores())
        .map(|c| {
            let s = CoreShape::for_core(hw, c);
            let mems = tile_memories(&s, hw.destinations_per_core, hw.mesh_x, hw.mesh_y);
            (s, mems)
        })
        .collect();
    let (device, brams, sprams, ecp5) = match hw.board {
        Board::Icebreaker => ("iCE40 UP5K", 30, 4, false),
        Board::Hx8kBreakout => ("iCE40 HX8K", 32, 0, false),
        Board::Ulx3s25f => ("ECP5 LFE5U-25F", 56, 0, true),
        Board::Ulx3s85f => ("ECP5 LFE5U-85F", 208, 0, true),
        Board::Sim => return None,
    };
    let spram = if shape.crossbar == CrossbarStyle::Ice40Spram {
        tiles
            .iter()
            .map(|(s, _)| {
                let (rows, cols) = s.crossbar_size();
                spram_blocks(rows, cols, s.weight_bits)
            })
            .sum()
    } else {
        0
    };
    let bridge = bridge_memories();
    let (max, min) = if ecp5 {
        // Exact: every tile memory is marked for LUT RAM or block RAM by its depth
        // (`memory::mark_ram_style`), and Yosys keeps one block shape per memory (25664 x 5
        // bits took 10 blocks of 16384x1, not 4096x4 + 16384x1, 7 + 2). The bridge's two
        // buffers are unmarked and took a block each in every chip measured.
        let kept: usize = tiles
            .iter()
            .flat_map(|(_, mems)| mems.iter().copied())
            .filter(|m| !in_lut_ram(m.depth))
            .map(ecp5_blocks)
            .sum();
        let b: usize = bridge.iter().map(|&m| ecp5_blocks(m)).sum();
        (kept + b, kept + b)
    } else {
        let (least, most) = tiles.iter().fold((0, 0), |(l, m), (_, mems)| {
            let (a, b) = ice40_range(mems);
            (l + a, m + b)
        });
        let (bl, bm) = ice40_range(&bridge);
        (most + bm, least + bl)
    };
    Some(MemoryFit {
        device: device.into(),
        block_rams: max,
        block_rams_min: min,
        block_rams_available: brams,
        sprams: spram,
        sprams_available: sprams,
        verdict: if spram > sprams || min > brams {
            "does not fit"
        } else if max <= brams {
            "fits"
        } else {
            "may fit"
        },
    })
}

impl std::fmt::Display for MemoryFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let brams = if self.block_rams_min == self.block_rams {
            format!("{} of {} block RAMs", self.block_rams, self.block_rams_available)
        } else {
            format!(
                "{} to {} of {} block RAMs (Yosys may put small memories in logic)",
                self.block_rams_min, self.block_rams, self.block_rams_available
            )
        };
        let spram = if self.sprams_available > 0 {
            format!(", {} of {} SPRAM", self.sprams, self.sprams_available)
        } else {
            String::new()
        };
        write!(f, "memory on the {}: {brams}{spram}: {}", self.device, self.verdict)
    }
}
