//! The tap table of a core with shared kernels (`spec::kernel`): for each axon row, up to
//! `taps` words (kernel row, segment base, last flag; `spec::memory_map::tap_word`),
//! addressed by (axon, tap) as one RAM of `axons x taps` words.
//!
//! A custom block rather than a `Ram` because its address is the concatenation of the two
//! indices, which rust-hdl's generated logic cannot write without a shift by a run-time width.

use super::ram::unused_wire;
use crate::shape::{addr_bits, AB, DW};
use rust_hdl::prelude::*;
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
    /// Word to write (the low `TAP_BITS` are stored).
    pub write_data: Signal<In, Bits<DW>>,
    /// Write enable.
    pub write_enable: Signal<In, bool>,
    _axons: usize,
    _taps: usize,
    _sim: Vec<u64>,
}

impl TapTable {
    /// A zeroed table of `axons` rows of `taps` (a power of two, at most 16) words.
    pub fn new(axons: usize, taps: usize) -> Self {
        assert!(taps.is_power_of_two() && taps <= 1 << TAP_INDEX_BITS, "taps {taps}");
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
            _taps: taps,
            _sim: vec![0; axons.max(2).next_power_of_two() * taps],
        }
    }

    /// Words the table holds: (axons rounded up to a power of two) x taps, as addressed.
    pub fn depth(axons: usize, taps: usize) -> usize {
        axons.max(2).next_power_of_two() * taps
    }

    fn address(&self, axon: usize, tap: usize) -> usize {
        (axon % self._axons.next_power_of_two()) * self._taps + tap % self._taps
    }
}

impl Logic for TapTable {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let ra = self.address(self.read_axon.val().index(), self.read_tap.val().index()) % self._sim.len();
            self.read_data.next = Bits::<DW>::from(self._sim[ra]);
            if self.write_enable.val() {
                let wa = self.address(self.write_axon.val().index(), self.write_tap.val().index()) % self._sim.len();
                self._sim[wa] = self.write_data.val().to_u64() & ((1u64 << TAP_BITS) - 1);
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let rb = addr_bits(self._axons);
        let tb = self._taps.trailing_zeros() as usize;
        let w = TAP_BITS as usize;
        let mut spare = vec![format!("write_data[{}:{w}]", DW - 1)];
        if tb < TAP_INDEX_BITS {
            spare.push(format!("read_tap[{}:{tb}]", TAP_INDEX_BITS - 1));
            spare.push(format!("write_tap[{}:{tb}]", TAP_INDEX_BITS - 1));
        }
        if rb < AB {
            spare.push(format!("read_axon[{}:{rb}]", AB - 1));
            spare.push(format!("write_axon[{}:{rb}]", AB - 1));
        }
        // With one tap per axon the address is the axon alone.
        let addr = |p: &str| {
            if tb == 0 {
                format!("{p}_axon[{}:0]", rb - 1)
            } else {
                format!("{{{p}_axon[{}:0], {p}_tap[{}:0]}}", rb - 1, tb - 1)
            }
        };
        Verilog::Custom(format!(
            "// tap table: {axons} axons x {taps} taps of {w} bits
{unused}wire [{a1}:0] raddr = {ra};
wire [{a1}:0] waddr = {wa};
(* no_rw_check *)
reg [{w1}:0] mem [0:{last}];
always @(posedge clock) begin
    if (write_enable) begin
        mem[waddr] <= write_data[{w1}:0];
    end
    read_data <= {{{pad}'d0, mem[raddr]}};
end
",
            axons = self._axons,
            taps = self._taps,
            unused = unused_wire(&spare),
            a1 = rb + tb - 1,
            ra = addr("read"),
            wa = addr("write"),
            w1 = w - 1,
            last = Self::depth(self._axons, self._taps) - 1,
            pad = DW - w,
        ))
    }
}
