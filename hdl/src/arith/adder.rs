//! `sum = a + b` computed in exactly `width` bits and sign-extended back to `D`.
//!
//! The accumulators hold `weight_bits + ceil(log2 axons)` bits and `docs/semantics.md` proves
//! the sum never leaves that range, so adding in that width is exact; it keeps the carry chain
//! on the one-synapse-per-clock path as short as the shape allows (12 bits on the UP5K core
//! instead of 34). rust-hdl widths are fixed at compile time, hence this small custom block.

use rust_hdl::prelude::*;

/// A `width`-bit signed adder on `D`-bit ports.
#[derive(LogicBlock)]
pub struct NarrowAdd<const D: usize> {
    /// Addend (sign-extended; only the low `width` bits are used).
    pub a: Signal<In, Bits<D>>,
    /// Addend (sign-extended; only the low `width` bits are used).
    pub b: Signal<In, Bits<D>>,
    /// Sum, sign-extended to `D` bits.
    pub sum: Signal<Out, Bits<D>>,
    _width: usize,
}

impl<const D: usize> NarrowAdd<D> {
    /// An adder of `width` bits (1..=D).
    pub fn new(width: usize) -> Self {
        assert!((1..=D).contains(&width));
        Self { a: Default::default(), b: Default::default(), sum: Default::default(), _width: width }
    }
}

impl<const D: usize> Logic for NarrowAdd<D> {
    fn update(&mut self) {
        let m = (1u64 << self._width) - 1;
        let s = (self.a.val().to_u64().wrapping_add(self.b.val().to_u64())) & m;
        let s = if (s >> (self._width - 1)) & 1 == 1 { s | !m } else { s };
        self.sum.next = Bits::<D>::from(s & ((1u64 << D) - 1));
    }

    fn connect(&mut self) {
        self.sum.connect();
    }

    fn hdl(&self) -> Verilog {
        let w = self._width;
        if w == D {
            return Verilog::Custom("always @(*) begin\n    sum = a + b;\nend\n".into());
        }
        Verilog::Custom(format!(
            "wire unused_bits = &{{1'b0, a[{top}:{w}], b[{top}:{w}], 1'b0}};\nwire [{w1}:0] s = a[{w1}:0] + b[{w1}:0];\nalways @(*) begin\n    sum = {{{{{ext}{{s[{w1}]}}}}, s}};\nend\n",
            top = D - 1,
            w1 = w - 1,
            ext = D - w
        ))
    }
}
