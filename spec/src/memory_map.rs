//! The configuration address map of a neuron core: which memory a config access reaches.
//!
//! The host bridge, the memory-image loader and the co-simulation all address core memories
//! through these ids; the hardware decodes them in `hdl/src/core.rs`.

/// Crossbar weight: row = axon, col = neuron; data = signed weight.
pub const CROSSBAR: u8 = 0;
/// Neuron-type index of a neuron: col = neuron.
pub const NEURON_TYPE: u8 = 1;
/// Threshold of a neuron type: row = type.
pub const TYPE_THRESHOLD: u8 = 2;
/// Reset potential of a neuron type: row = type.
pub const TYPE_RESET: u8 = 3;
/// Control word of a neuron type: row = type; see [`type_control`].
pub const TYPE_CONTROL: u8 = 4;
/// Membrane potential: col = neuron.
pub const POTENTIAL: u8 = 5;
/// Refractory counter: col = neuron.
pub const REFRACTORY: u8 = 6;
/// Accumulator, the input summed for the next update (read only, for debugging): col = neuron.
pub const ACCUMULATOR: u8 = 7;

/// The model's state register between `v` and the refractory counter (`cuba`'s `u`, `alif`'s
/// adaptation), for models that have one: col = neuron.
pub const AUX_STATE: u8 = 12;

/// Fan-out entry of a neuron: col = neuron; see [`fanout_word`].
pub const FANOUT: u8 = 8;
/// Destination memory: row = entry; data = the flit word (`spec::flit`) of the axon event.
pub const DESTINATION: u8 = 9;

/// Packs a neuron's fan-out entry: base in bits 19:0, count in bits 28:20, and bit 29 set
/// when the neuron's spikes are also sent to the host (its population is recorded).
pub fn fanout_word(base: u32, count: u32, record: bool) -> u64 {
    (base as u64 & 0xf_ffff) | (count as u64 & 0x1ff) << 20 | (record as u64) << 29
}

/// Packs a LIF type's control word: leak_shift in bits 4:0, subtract mode in bit 5,
/// refractory period in bits 13:6.
pub fn type_control(leak_shift: u32, subtract: bool, refractory: u32) -> u64 {
    (leak_shift as u64 & 0x1f) | (subtract as u64) << 5 | (refractory as u64 & 0xff) << 6
}

use crate::mapping::CoreImage;

/// The memory id of word `k` of a neuron type's parameter record (`Model::type_words`): words
/// 0 to 2 are ids 2 to 4 (for `lif`: threshold, reset, control), words 3 and 4 ids 10 and 11.
pub fn type_word(k: usize) -> u8 {
    match k {
        0 => TYPE_THRESHOLD,
        1 => TYPE_RESET,
        2 => TYPE_CONTROL,
        _ => 10 + (k - 3) as u8,
    }
}

/// One configuration-port write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigWrite {
    /// Memory id.
    pub mem: u8,
    /// Row (axon or neuron type).
    pub row: u32,
    /// Column (neuron).
    pub col: u32,
    /// Data, two's complement in the low bits.
    pub data: u64,
}

/// Every write that loads `img` into its core: all the core's crossbar rows (zeros
/// included, so a reload leaves nothing behind), type indices, fan-out table, destination
/// memory, the type table and, on a chip with `delay_bits > 0`, every row's delay.
/// Potentials, refractory counters and accumulators are zeroed by the core's clear.
pub fn config_writes(img: &CoreImage, delay_bits: u32) -> Vec<ConfigWrite> {
    let n = img.neuron_type.len();
    // The image holds exactly the core's rows (`Hardware::axons_of`).
    let axons = img.crossbar.len() / n.max(1);
    let mut w = Vec::with_capacity(axons * n + n + 3 * img.types.len());
    match &img.kernel {
        None => {
            for a in 0..axons {
                for j in 0..n {
                    let data = img.crossbar[a * n + j] as i64 as u64;
                    w.push(ConfigWrite { mem: CROSSBAR, row: a as u32, col: j as u32, data });
                }
            }
        }
        // Shared kernels: the kernel rows in the crossbar, then every axon's taps.
        Some(k) => {
            for (r, row) in k.rows.chunks(k.segment).enumerate() {
                for (j, &wt) in row.iter().enumerate() {
                    w.push(ConfigWrite { mem: CROSSBAR, row: r as u32, col: j as u32, data: wt as i64 as u64 });
                }
            }
            for (a, taps) in k.taps.iter().enumerate() {
                for (i, &t) in taps.iter().enumerate() {
                    let data = tap_word(t, i + 1 == taps.len());
                    w.push(ConfigWrite { mem: TAP, row: a as u32, col: i as u32, data });
                }
            }
        }
    }
    for (j, &t) in img.neuron_type.iter().enumerate() {
        w.push(ConfigWrite { mem: NEURON_TYPE, row: 0, col: j as u32, data: t as u64 });
    }
    for (j, f) in img.fanout.iter().enumerate() {
        w.push(ConfigWrite { mem: FANOUT, row: 0, col: j as u32, data: fanout_word(f.base, f.count, img.record[j]) });
    }
    for (k, d) in img.destinations.iter().enumerate() {
        let flit = crate::flit::Flit::axon(d.x as u8, d.y as u8, d.axon as u16);
        w.push(ConfigWrite { mem: DESTINATION, row: k as u32, col: 0, data: flit.encode() });
    }
    for (i, t) in img.types.iter().enumerate() {
        for (k, data) in t.model.get().type_words(&t.params).into_iter().enumerate() {
            w.push(ConfigWrite { mem: type_word(k), row: i as u32, col: 0, data });
        }
    }
    if delay_bits > 0 {
        for a in 0..axons {
            let data = img.axon_delay.get(a).copied().unwrap_or(0) as u64;
            w.push(ConfigWrite { mem: AXON_DELAY, row: a as u32, col: 0, data });
        }
    }
    w
}

/// `writes` cut into runs to consecutive columns of one (memory, row): each run loads with
/// one WRITE_MEM (split further only by the frame size).
pub fn column_runs(writes: &[ConfigWrite]) -> Vec<&[ConfigWrite]> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < writes.len() {
        let (a, mut j) = (writes[i], i + 1);
        while j < writes.len()
            && writes[j].mem == a.mem
            && writes[j].row == a.row
            && writes[j].col == writes[j - 1].col + 1
        {
            j += 1;
        }
        runs.push(&writes[i..j]);
        i = j;
    }
    runs
}

/// Bits that hold `0..=max`.
fn bits_for_max(max: usize) -> u32 {
    (usize::BITS - max.leading_zeros()).max(1)
}

/// The fields (lowest bit, width) of a fan-out word that a chip of this shape can use: base
/// (at most `destinations`), count (at most [`fanout_limit`]) and the record bit. The hardware
/// stores only these bits, and a write with any other bit set is refused, so nothing is dropped.
pub fn fanout_fields(destinations: usize, cores: usize, delay_bits: u32) -> [(u32, u32); 3] {
    [(0, bits_for_max(destinations)), (20, bits_for_max(fanout_limit(cores, delay_bits))), (29, 1)]
}

/// The most destination entries one neuron may have on a chip of `cores` cores: one per core
/// and delay its spikes reach (`mapping`), and no more than the 9-bit count field holds.
pub fn fanout_limit(cores: usize, delay_bits: u32) -> usize {
    (cores << delay_bits).min(FANOUT_COUNT_MAX)
}

/// The largest count a fan-out word's field holds (bits 28:20).
pub const FANOUT_COUNT_MAX: usize = 511;

/// The fields of a destination word (an axon-event flit, `spec::flit`) a chip of this shape
/// can use: axon, y and x; the host bit is always clear.
pub fn destination_fields(axons: usize, mesh_x: usize, mesh_y: usize) -> [(u32, u32); 3] {
    [(0, bits_for_max(axons - 1)), (14, bits_for_max(mesh_y - 1)), (18, bits_for_max(mesh_x - 1))]
}

/// The fields of a type control word ([`type_control`]) a core of this shape can use:
/// leak_shift (below `potential_bits`), the subtract bit and the refractory period (at most
/// `refractory_bits` wide). The core stores only these; other bits are refused.
pub fn type_control_fields(potential_bits: u32, refractory_bits: u32) -> [(u32, u32); 3] {
    [(0, bits_for_max(potential_bits as usize - 1)), (5, 1), (6, refractory_bits.max(1))]
}

/// The mask of the bits `fields` cover.
pub fn fields_mask(fields: &[(u32, u32)]) -> u64 {
    fields.iter().fold(0, |m, &(lo, w)| m | ((1u64 << w) - 1) << lo)
}

/// Shape of one core memory as the configuration port sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Valid rows (0..rows).
    pub rows: u32,
    /// Valid columns (0..cols).
    pub cols: u32,
    /// Stored bits per word.
    pub bits: u32,
    /// Words are two's complement (sign-extended on read).
    pub signed: bool,
    /// The host may write it (the accumulators are read only).
    pub writable: bool,
    /// Unsigned words: the bits a value may use (packed words leave gaps).
    pub allowed: u64,
}

impl Geometry {
    /// Whether `value` (two's complement in 64 bits) is representable in this memory.
    pub fn holds(&self, value: i64) -> bool {
        if self.signed {
            let half = 1i64 << (self.bits - 1);
            (-half..half).contains(&value)
        } else {
            value >= 0 && (value as u64) & !self.allowed == 0
        }
    }

    /// The word a WRITE_BYTES byte stands for: sign-extended in a signed memory, else as is.
    pub fn byte_value(&self, b: u8) -> i64 {
        if self.signed {
            b as i8 as i64
        } else {
            b as i64
        }
    }

    /// The byte WRITE_BYTES carries for `value`, if one byte can (`byte_value` inverts it).
    pub fn value_byte(&self, value: i64) -> Option<u8> {
        let b = value as u8;
        (self.byte_value(b) == value).then_some(b)
    }
}

/// The delay of an axon row in extra timesteps (`mapping`: every synapse of a row has the
/// row's delay): row = axon, col 0. Only chips with `delay_bits > 0` have it.
pub const AXON_DELAY: u8 = 14;

/// The model code of the core (`ModelId::code`; read only): row 0, col 0. The host reads it to
/// know which model's memory table a board follows.
pub const MODEL_CODE: u8 = 13;

/// The taps of an axon on a core with shared kernels (`crate::kernel`): row = axon, col =
/// tap; data = [`tap_word`]. On such a core `CROSSBAR`'s rows are its kernel rows.
pub const TAP: u8 = 15;

/// Bits of a tap's kernel row and of its segment's first neuron in [`tap_word`] (the core's
/// axon and neuron index widths, `hdl::shape::{AB, NB}`).
pub const TAP_ROW_BITS: u32 = 14;
/// See [`TAP_ROW_BITS`].
pub const TAP_BASE_BITS: u32 = 12;
/// Bits of a tap word: kernel row, base, and the axon's-last-tap flag.
pub const TAP_BITS: u32 = TAP_ROW_BITS + TAP_BASE_BITS + 1;

/// Packs a tap: kernel row in bits 13:0, the segment's first neuron in 25:14, and bit 26 set
/// on the axon's last tap.
pub fn tap_word(t: crate::kernel::Tap, last: bool) -> u64 {
    t.row as u64 | (t.base as u64) << TAP_ROW_BITS | (last as u64) << (TAP_ROW_BITS + TAP_BASE_BITS)
}

/// Number of memory ids (0..MEMORIES); a core's model decides which of them it has.
pub const MEMORIES: u8 = 16;

/// The geometry of memory `mem` in every core of `hw` (which run `hw.chip_model`), or None for
/// an id that model's cores lack. The bridge (`hdl/src/link/bridge.rs`) checks every host
/// access against this table before applying it.
pub fn geometry(mem: u8, hw: &crate::Hardware) -> Option<Geometry> {
    let n = hw.neurons_per_core as u32;
    let bits_for = |k: usize| (usize::BITS - (k.max(2) - 1).leading_zeros()).max(1);
    let g = |rows: u32, cols: u32, bits: u32, signed: bool| Geometry {
        rows,
        cols,
        bits,
        signed,
        writable: true,
        allowed: (1u64 << bits) - 1,
    };
    let p = hw.widths.potential_bits;
    let model = hw.chip_model.get();
    // Word k of a type's record, as the model stores it (`Model::type_word_geometry`).
    let words = model.type_word_geometry(&hw.widths);
    // Ids the model's words take (`type_word`); the model's other ids fall through to None.
    if let Some(w) = (0..words.len()).find(|&k| type_word(k) == mem).map(|k| words[k]) {
        return Some(Geometry {
            rows: hw.neuron_types as u32,
            cols: 1,
            bits: w.bits,
            signed: w.signed,
            writable: true,
            allowed: w.mask,
        });
    }
    Some(match mem {
        // A core with shared kernels holds its kernel rows there (at most `axons_per_core`).
        CROSSBAR => g(hw.axons_per_core as u32, n, hw.widths.weight_bits, true),
        NEURON_TYPE => g(1, n, bits_for(hw.neuron_types), false),
        AUX_STATE => {
            let state = model.state(&hw.widths);
            let f = state.get(1).filter(|_| state.len() == 3)?;
            g(1, n, f.bits, f.signed)
        }
        MODEL_CODE => Geometry { writable: false, ..g(1, 1, 16, false) },
        TAP if hw.core_kernels.iter().any(Option::is_some) => {
            let taps = hw.core_kernels.iter().flatten().map(|k| k.taps).max().unwrap_or(1);
            g(hw.axons_per_core as u32, taps as u32, TAP_BITS, false)
        }
        AXON_DELAY if hw.delay_bits > 0 => g(hw.axons_per_core as u32, 1, hw.delay_bits, false),
        POTENTIAL => g(1, n, p, true),
        REFRACTORY => g(1, n, hw.widths.refractory_bits.max(1), false),
        ACCUMULATOR => Geometry { writable: false, ..g(1, n, hw.accumulator_bits(), true) },
        FANOUT => Geometry {
            allowed: fields_mask(&fanout_fields(hw.destinations_per_core, hw.cores(), hw.delay_bits)),
            ..g(1, n, 30, false)
        },
        DESTINATION => Geometry {
            allowed: fields_mask(&destination_fields(hw.axons_per_core, hw.mesh_x, hw.mesh_y)),
            ..g(hw.destinations_per_core as u32, 1, crate::flit::FLIT_BITS, false)
        },
        _ => return None,
    })
}

/// Why a host access does not fit a board's memories (the bridge refuses it: NACK out of range).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// No such core.
    #[error("core {core}: the board has {cores} cores")]
    Core { core: u8, cores: usize },
    /// No such memory id.
    #[error("memory {0}: no such memory")]
    Memory(u8),
    /// A write to a memory the host may only read.
    #[error("memory {0} is read only")]
    ReadOnly(u8),
    /// The row, or the run of columns, lies outside the memory.
    #[error("memory {mem}: row {row}, columns {col}..{end} are outside its {rows} x {cols} words")]
    Outside { mem: u8, row: u32, col: u32, end: usize, rows: u32, cols: u32 },
}

/// Checks an access to `n` columns of (core, mem, row) from `col` against `hw`'s geometry
/// table, the same checks the bridge makes; returns the memory's geometry.
pub fn check_access(
    hw: &crate::Hardware,
    core: u8,
    mem: u8,
    row: u32,
    col: u32,
    n: usize,
    write: bool,
) -> Result<Geometry, AccessError> {
    if core as usize >= hw.cores() {
        return Err(AccessError::Core { core, cores: hw.cores() });
    }
    let g = geometry(mem, hw).ok_or(AccessError::Memory(mem))?;
    if write && !g.writable {
        return Err(AccessError::ReadOnly(mem));
    }
    if row >= g.rows || col as usize + n > g.cols as usize {
        return Err(AccessError::Outside { mem, row, col, end: col as usize + n, rows: g.rows, cols: g.cols });
    }
    Ok(g)
}
