//! The geometry of the memories a command may name (`spec::memory_map::geometry`), as the
//! constant table the bridge looks a command's memory id up in (`exec.rs`). Built from the
//! spec's table, so the bridge checks every address against the same numbers as the host, the
//! golden model's memory images and the bridge proof (`formal::bridge`).
//!
//! The lookup stays in the bridge's own clock rather than in a block of its own: the same
//! logic as a separate block made Yosys and ABC map `up5k-feedforward`'s bridge to 46 more
//! LUT4 (4346 against 4300, measured), which no longer fit the UP5K.

use rust_hdl::prelude::*;
use spikemesh_spec::memory_map::{geometry, Geometry, MEMORIES};
use spikemesh_spec::Hardware;

/// Memory ids the table covers (`memory_map::MEMORIES`; rust-hdl needs a literal length).
pub const IDS: usize = 16;

/// Per memory id: whether the chip's model has it, its rows, columns, the bits a value may
/// not use (outside its width or packed fields when unsigned, above the sign bit when
/// signed), whether its words are signed and whether the host may write it.
pub struct Table {
    /// The chip's model has this memory (an absent id never matches).
    pub known: [Constant<bool>; IDS],
    /// Rows.
    pub rows: [Constant<Bits<24>>; IDS],
    /// Columns (words per row).
    pub cols: [Constant<Bits<24>>; IDS],
    /// Bits a value may not use.
    pub mask: [Constant<Bits<40>>; IDS],
    /// Signed words.
    pub signed: [Constant<bool>; IDS],
    /// Writable by the host.
    pub writable: [Constant<bool>; IDS],
    /// The ids themselves, to compare a command's memory byte with.
    pub ids: [Constant<Bits<8>>; IDS],
}

/// The table of `hw`'s chip.
pub fn table(hw: &Hardware) -> Table {
    assert_eq!(MEMORIES as usize, IDS, "the table has one entry per memory id");
    let known: Vec<Option<Geometry>> = (0..MEMORIES).map(|m| geometry(m, hw)).collect();
    let absent = Geometry { rows: 0, cols: 0, bits: 1, signed: false, writable: false, allowed: 0 };
    let geo: Vec<Geometry> = known.iter().map(|g| g.unwrap_or(absent)).collect();
    let c24 = |v: u64| Constant::new(Bits::<24>::from(v));
    Table {
        known: std::array::from_fn(|m| Constant::new(known[m].is_some())),
        rows: std::array::from_fn(|m| c24(geo[m].rows as u64)),
        cols: std::array::from_fn(|m| c24(geo[m].cols as u64)),
        mask: std::array::from_fn(|m| {
            let free = if geo[m].signed { (1u64 << (geo[m].bits - 1)) - 1 } else { geo[m].allowed };
            Constant::new(Bits::<40>::from(!free & ((1u64 << 40) - 1)))
        }),
        signed: std::array::from_fn(|m| Constant::new(geo[m].signed)),
        writable: std::array::from_fn(|m| Constant::new(geo[m].writable)),
        ids: std::array::from_fn(|i| Constant::new(Bits::<8>::from(i as u64))),
    }
}
