//! The geometry of the memory a command names (`spec::memory_map::geometry`), as a table the
//! bridge looks the command's memory id up in. Built from the spec's table, so the bridge
//! checks every address against the same numbers as the host, the golden model's memory
//! images and the bridge proof (`formal::bridge`).

use rust_hdl::prelude::*;
use spikemesh_spec::memory_map::{geometry, Geometry, MEMORIES};
use spikemesh_spec::Hardware;

/// Memory ids the table covers (`memory_map::MEMORIES`; rust-hdl needs a literal length).
const IDS: usize = 14;

/// The geometry of memory id `mem` in the chip of a `Hardware`; every output is zero for an
/// id the chip's model lacks (`known` low).
#[derive(LogicBlock)]
pub struct MemGeometry {
    /// The memory id a command names.
    pub mem: Signal<In, Bits<8>>,
    /// The chip's model has this memory.
    pub known: Signal<Out, bool>,
    /// The host may write it.
    pub writable: Signal<Out, bool>,
    /// Its words are signed.
    pub signed_words: Signal<Out, bool>,
    /// Rows.
    pub rows: Signal<Out, Bits<24>>,
    /// Columns (words per row).
    pub cols: Signal<Out, Bits<24>>,
    /// Bits a value may not use: outside its width or packed fields (unsigned), above the
    /// sign bit (signed).
    pub mask: Signal<Out, Bits<40>>,
    g_known: [Constant<bool>; IDS],
    g_rows: [Constant<Bits<24>>; IDS],
    g_cols: [Constant<Bits<24>>; IDS],
    g_mask: [Constant<Bits<40>>; IDS],
    g_signed: [Constant<bool>; IDS],
    g_wr: [Constant<bool>; IDS],
    mem_ids: [Constant<Bits<8>>; IDS],
    z24: Constant<Bits<24>>,
    z40: Constant<Bits<40>>,
}

impl MemGeometry {
    /// The table of `hw`'s chip.
    pub fn new(hw: &Hardware) -> Self {
        assert_eq!(MEMORIES as usize, IDS, "the table has one entry per memory id");
        let known: Vec<Option<Geometry>> = (0..MEMORIES).map(|m| geometry(m, hw)).collect();
        // Ids the chip's model lacks are unknown: their entries never match.
        let absent = Geometry { rows: 0, cols: 0, bits: 1, signed: false, writable: false, allowed: 0 };
        let geo: Vec<Geometry> = known.iter().map(|g| g.unwrap_or(absent)).collect();
        let c24 = |v: u64| Constant::new(Bits::<24>::from(v));
        let c40 = |v: u64| Constant::new(Bits::<40>::from(v));
        Self {
            mem: Default::default(),
            known: Default::default(),
            writable: Default::default(),
            signed_words: Default::default(),
            rows: Default::default(),
            cols: Default::default(),
            mask: Default::default(),
            g_known: std::array::from_fn(|m| Constant::new(known[m].is_some())),
            g_rows: std::array::from_fn(|m| c24(geo[m].rows as u64)),
            g_cols: std::array::from_fn(|m| c24(geo[m].cols as u64)),
            g_mask: std::array::from_fn(|m| {
                let free = if geo[m].signed { (1u64 << (geo[m].bits - 1)) - 1 } else { geo[m].allowed };
                c40(!free & ((1u64 << 40) - 1))
            }),
            g_signed: std::array::from_fn(|m| Constant::new(geo[m].signed)),
            g_wr: std::array::from_fn(|m| Constant::new(geo[m].writable)),
            mem_ids: std::array::from_fn(|i| Constant::new(Bits::<8>::from(i as u64))),
            z24: c24(0),
            z40: c40(0),
        }
    }
}

impl Logic for MemGeometry {
    #[hdl_gen]
    fn update(&mut self) {
        self.known.next = false;
        self.writable.next = false;
        self.signed_words.next = false;
        self.rows.next = self.z24.val();
        self.cols.next = self.z24.val();
        self.mask.next = self.z40.val();
        for m in 0..14 {
            if (self.mem.val() == self.mem_ids[m].val()) & self.g_known[m].val() {
                self.known.next = true;
                self.writable.next = self.g_wr[m].val();
                self.signed_words.next = self.g_signed[m].val();
                self.rows.next = self.g_rows[m].val();
                self.cols.next = self.g_cols[m].val();
                self.mask.next = self.g_mask[m].val();
            }
        }
    }
}
