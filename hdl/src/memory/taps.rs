//! The tap table of a core with shared kernels (`spec::kernel`): for each axon row, up to
//! `taps` words (kernel row, segment base, last flag; `spec::memory_map::tap_word`),
//! addressed by (axon, tap) as one RAM of `axons x taps` words, at `axon * taps + tap`.
//!
//! It stores only the bits a tap of this core can have: the kernel row's `addr_bits(rows)`,
//! the base's bits above the segment's alignment and below the neuron count's, and the
//! flag; the others read as zero. A convolution core of 400 kernel rows and 8 segments of 32
//! then keeps 13 bits a tap, not 27, and 9 taps an axon, not 16.
//!
//! A custom block rather than a `Ram` because its address is computed from the two indices,
//! which rust-hdl's generated logic cannot write without a shift by a run-time width.

use super::ram::packed_body;
use crate::shape::{addr_bits, AB, DW};
use rust_hdl::prelude::*;
use spikemesh_spec::kernel::{tap_bits, tap_fields, Kernel};
use spikemesh_spec::memory_map::TAP_BITS;

/// Bits of the tap index port (`spec::kernel::MAX_TAPS` = 16 taps).
pub const TAP_INDEX_BITS: usize = 4;

/// `axons x taps` tap words with a one-cycle registered read, zero-extended to `DW` bits.
#[derive(LogicBlock)]
pub struct TapTable {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Axon row to read.
    pub read_axon: Signal<In, Bits<AB>>,
    /// Tap to read.
    pub read_tap: Signal<In, Bits<TAP_INDEX_BITS>>,
    /// The tap word at (axon, tap) of the previous cycle.
    pub read_data: Signal<Out, Bits<DW>>,
    /// Axon row to write.
    pub write_axon: Signal<In, Bits<AB>>,
    /// Tap to write.
    pub write_tap: Signal<In, Bits<TAP_INDEX_BITS>>,
    /// Word to write (its fields are stored).
    pub write_data: Signal<In, Bits<DW>>,
    /// Write enable.
    pub write_enable: Signal<In, bool>,
    _axons: usize,
    _taps: usize,
    _fields: [(usize, usize); 3],
    _sim: Vec<u64>,
}

impl TapTable {
    /// A zeroed table of `axons` rows of `k.taps` words for a core of `neurons`.
    pub fn new(axons: usize, neurons: usize, k: &Kernel) -> Self {
        assert!((1..=1 << TAP_INDEX_BITS).contains(&k.taps), "taps {}", k.taps);
        let fields = tap_fields(neurons, k);
        assert!(fields[1].0 + fields[1].1 <= fields[2].0, "the base field overlaps the flag");
        Self {
            clock: Default::default(),
            read_axon: Default::default(),
            read_tap: Default::default(),
            read_data: Default::default(),
            write_axon: Default::default(),
            write_tap: Default::default(),
            write_data: Default::default(),
            write_enable: Default::default(),
            _axons: axons.max(2),
            _taps: k.taps,
            _fields: fields,
            _sim: vec![0; Self::depth(axons, k.taps)],
        }
    }

    /// Words the table holds: axons x taps.
    pub fn depth(axons: usize, taps: usize) -> usize {
        axons.max(2) * taps
    }

    /// Bits a word stores.
    pub fn width(neurons: usize, k: &Kernel) -> usize {
        tap_bits(neurons, k)
    }

    fn mask(&self) -> u64 {
        self._fields.iter().map(|&(lo, w)| ((1u64 << w) - 1) << lo).fold(0, |a, b| a | b)
    }
}

impl Logic for TapTable {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let at = |axon: usize, tap: usize| (axon * self._taps + tap) % self._sim.len();
            let ra = at(self.read_axon.val().index(), self.read_tap.val().index());
            self.read_data.next = Bits::<DW>::from(self._sim[ra]);
            if self.write_enable.val() {
                let wa = at(self.write_axon.val().index(), self.write_tap.val().index());
                self._sim[wa] = self.write_data.val().to_u64() & self.mask();
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let depth = Self::depth(self._axons, self._taps);
        let ab = addr_bits(depth);
        let rb = addr_bits(self._axons);
        let t = self._taps;
        let tb = addr_bits(t);
        // address = axon * taps + tap, in `ab` bits: a concatenation when taps is a power of
        // two, else a multiply by the constant (a few adders).
        let addr = |p: &str| {
            let axon = if ab > rb {
                format!("{{{}'d0, {p}_axon[{}:0]}}", ab - rb, rb - 1)
            } else {
                format!("{p}_axon[{}:0]", ab - 1)
            };
            let tap = if ab > tb {
                format!("{{{}'d0, {p}_tap[{}:0]}}", ab - tb, tb - 1)
            } else {
                format!("{p}_tap[{}:0]", ab - 1)
            };
            if t == 1 {
                axon
            } else if t.is_power_of_two() {
                format!(
                    "{{{p}_axon[{}:0], {p}_tap[{}:0]}}",
                    ab - t.trailing_zeros() as usize - 1,
                    t.trailing_zeros() - 1
                )
            } else {
                format!("{axon} * {ab}'d{t} + {tap}")
            }
        };
        // Every port bit the address leaves unused is so on purpose (the data's are listed by
        // the packed body).
        let mut spare: Vec<String> = Vec::new();
        if rb < AB {
            spare.push(format!("read_axon[{}:{rb}]", AB - 1));
            spare.push(format!("write_axon[{}:{rb}]", AB - 1));
        }
        let used_tb = if t == 1 {
            0
        } else if t.is_power_of_two() {
            t.trailing_zeros() as usize
        } else {
            tb
        };
        if used_tb < TAP_INDEX_BITS {
            spare.push(format!("read_tap[{}:{used_tb}]", TAP_INDEX_BITS - 1));
            spare.push(format!("write_tap[{}:{used_tb}]", TAP_INDEX_BITS - 1));
        }
        Verilog::Custom(format!(
            "// tap table: {axons} axons x {t} taps (fields of the {tw}-bit tap word)\nwire [{a1}:0] raddr = {ra};\nwire [{a1}:0] waddr = {wa};\n{body}",
            axons = self._axons,
            tw = TAP_BITS,
            a1 = ab - 1,
            ra = addr("read"),
            wa = addr("write"),
            body = packed_body(DW, depth, &self._fields, "raddr", "waddr", spare),
        ))
    }
}
