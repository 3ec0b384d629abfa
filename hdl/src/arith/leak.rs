//! The LIF leak, `v >>> leak_shift` (0 when `leak_shift` is 0), as explicit Verilog.
//!
//! With potentials of at most 16 bits it is a multiplication, `v * 2^(15 - s) >> 15`, which
//! Yosys maps onto one DSP block (iCE40 `SB_MAC16`, ECP5 `MULT18X18D`) instead of a barrel
//! shifter in logic cells: the UP5K's eight DSPs are otherwise idle. Wider potentials use
//! the shifter, as `sign ^ ((v ^ sign) >> s)`. Both floor toward minus infinity, exactly as
//! `spec/src/neuron/lif.rs`.

use rust_hdl::prelude::*;

/// Combinational leak of a `D`-bit signed potential.
#[derive(LogicBlock)]
pub struct Leak<const D: usize> {
    /// Membrane potential, sign-extended to `D` bits.
    pub v: Signal<In, Signed<D>>,
    /// Shift (0 = no leak); below the potential width.
    pub shift: Signal<In, Bits<5>>,
    /// `v >>> shift`, or 0.
    pub amount: Signal<Out, Signed<D>>,
    _multiply: bool,
}

impl<const D: usize> Leak<D> {
    /// The leak for `potential_bits`-bit potentials; a multiply if `multiply` is allowed (the
    /// device has DSP blocks) and the potentials fit its 16-bit operands.
    pub fn new(potential_bits: usize, multiply: bool) -> Self {
        Self {
            v: Default::default(),
            shift: Default::default(),
            amount: Default::default(),
            _multiply: multiply && potential_bits <= 16,
        }
    }
}

impl<const D: usize> Logic for Leak<D> {
    fn update(&mut self) {
        let raw = unsigned_cast(self.v.val()).to_u64();
        let v = ((raw << (64 - D)) as i64) >> (64 - D);
        let s = self.shift.val().index() as u32;
        self.amount.next = signed::<D>(if s == 0 { 0 } else { v >> s });
    }

    fn connect(&mut self) {
        self.amount.connect();
    }

    fn hdl(&self) -> Verilog {
        let d = D;
        let body = if self._multiply {
            let unused = if d > 16 { format!("v[{}:16], ", d - 1) } else { String::new() };
            let ext = if d > 16 { format!("{{{}{{p[30]}}}}, ", d - 16) } else { String::new() };
            format!(
                "// v * 2^(15 - s) has v >>> s in bits 30:15 (floor, as an arithmetic shift).
wire signed [15:0] v16 = v[15:0];
wire [4:0] s15 = 5'd15 - shift;
wire signed [15:0] m = (shift == 5'd0) ? 16'sd0 : $signed(16'd1 << s15[3:0]);
wire signed [31:0] p = v16 * m;
wire unused_bits = &{{1'b0, {unused}p[31], p[14:0], s15[4], 1'b0}};
always @(*) begin
    amount = {{{ext}p[30:15]}};
end
"
            )
        } else {
            format!(
                "wire [{d1}:0] sg = {{{d}{{v[{d1}]}}}};
always @(*) begin
    amount = (shift == 5'd0) ? {d}'d0 : (sg ^ (($unsigned(v) ^ sg) >> shift));
end
",
                d1 = d - 1
            )
        };
        Verilog::Custom(body)
    }
}
