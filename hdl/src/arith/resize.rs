//! Width change between `I` and `O` bits, as explicit Verilog.
//!
//! rust-hdl's casts emit unsized masks that Verilator's -Wall reports as WIDTH problems; an
//! explicit concatenation or slice says exactly what is meant and lints clean.

use rust_hdl::prelude::*;

/// `output = input` zero- or sign-extended (or truncated) from `I` to `O` bits.
#[derive(LogicBlock)]
pub struct Resize<const I: usize, const O: usize> {
    /// Value in.
    pub wide_in: Signal<In, Bits<I>>,
    /// Value out.
    pub wide_out: Signal<Out, Bits<O>>,
    _signed: bool,
}

impl<const I: usize, const O: usize> Resize<I, O> {
    /// A zero-extending (or truncating) resize.
    pub fn zero() -> Self {
        Self { wide_in: Default::default(), wide_out: Default::default(), _signed: false }
    }

    /// A sign-extending (or truncating) resize.
    pub fn sign() -> Self {
        Self { wide_in: Default::default(), wide_out: Default::default(), _signed: true }
    }
}

impl<const I: usize, const O: usize> Logic for Resize<I, O> {
    fn update(&mut self) {
        let v = self.wide_in.val().to_u64();
        let v = if self._signed && I < 64 && (v >> (I - 1)) & 1 == 1 { v | (!0u64 << I) } else { v };
        let m = if O >= 64 { !0u64 } else { (1u64 << O) - 1 };
        self.wide_out.next = Bits::<O>::from(v & m);
    }

    fn connect(&mut self) {
        self.wide_out.connect();
    }

    fn hdl(&self) -> Verilog {
        let body = if O == I {
            "wide_in".to_string()
        } else if O < I {
            format!("wide_in[{}:0]", O - 1)
        } else if self._signed {
            format!("{{{{{}{{wide_in[{}]}}}}, wide_in}}", O - I, I - 1)
        } else {
            format!("{{{}'d0, wide_in}}", O - I)
        };
        let unused = if O < I {
            format!("wire unused_bits = &{{1'b0, wide_in[{}:{O}], 1'b0}};\n", I - 1)
        } else {
            String::new()
        };
        Verilog::Custom(format!("{unused}always @(*) begin\n    wide_out = {body};\nend\n"))
    }
}
