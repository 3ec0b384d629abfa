//! `cuba` update datapath: the hardware twin of `spec/src/neuron/cuba.rs` (Loihi's fixed-point
//! CUBA neuron, as Lava's bit-accurate LIF), pipelined like the `lif` one.
//!
//! One neuron enters per clock (`in_valid`); its result leaves `LATENCY` clocks later, in
//! order. Stages: (1) magnitudes of `u` and `v`, and the input aligned and reduced modulo
//! `2^U` (the wrap makes the high bits irrelevant); (2) the two 12-bit decay products, the only
//! wide operations, which Yosys maps to DSP blocks (`SB_MAC16`, `MULT18X18D`) where the device
//! has them; (3) `>> 12` on the magnitudes and the sign put back (rounding toward zero), then
//! `u' = wrap(decay(u) + input)`; (4) `decay(v) + u' + bias`, saturated to `±(2^(P-1)-1)`;
//! then the output compares `v'` with `threshold << align_shift`, strictly, and picks the next
//! state. The parameters hold still while `busy` is high and are valid from a clock before a
//! neuron enters (the core's contract), so none rides the pipeline; the aligned threshold is
//! kept in a register. The type words are those of `spec`'s `type_words`: `decays` is word 3
//! (`du | dv << 12 | reset_mode << 24`, 2 bits: value, subtract, deferred), `timing` word 4
//! (`align_shift | refractory << 5`).
//!
//! The block is explicit Verilog and runs only through it (Verilator, Yosys): its rust-hdl
//! `update` does nothing.

use rust_hdl::prelude::*;

/// Clocks from `in_valid` to `out_valid`.
pub const LATENCY: usize = 4;

/// One neuron's `cuba` update, four register stages deep.
#[derive(LogicBlock)]
pub struct CubaUpdate<const D: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// A neuron enters this clock.
    pub in_valid: Signal<In, bool>,
    /// Membrane potential (`P` bits), sign-extended.
    pub v: Signal<In, Signed<D>>,
    /// Synaptic current (`U + 1` bits: the wrap range includes `+2^(U-1)`), sign-extended.
    pub u: Signal<In, Signed<D>>,
    /// Refractory counter.
    pub refractory: Signal<In, Bits<8>>,
    /// Summed input of this timestep, sign-extended.
    pub acc: Signal<In, Signed<D>>,
    /// Type word 0: threshold (before alignment).
    pub threshold: Signal<In, Signed<D>>,
    /// Type word 1: bias.
    pub bias: Signal<In, Signed<D>>,
    /// Type word 2: potential after a spike in value mode.
    pub reset: Signal<In, Signed<D>>,
    /// Type word 3: du in bits 11:0, dv in 23:12, reset mode in 25:24 (subtract 1, deferred 2).
    pub decays: Signal<In, Bits<D>>,
    /// Type word 4: align_shift in bits 4:0, refractory period in 12:5.
    pub timing: Signal<In, Bits<D>>,
    /// A result leaves this clock.
    pub out_valid: Signal<Out, bool>,
    /// Next potential (write it back only when `write_v`).
    pub v_next: Signal<Out, Signed<D>>,
    /// The potential changed (low while refractory: `v` is held).
    pub write_v: Signal<Out, bool>,
    /// Next current (always written: it integrates through the refractory period).
    pub u_next: Signal<Out, Signed<D>>,
    /// Next refractory counter.
    pub refractory_next: Signal<Out, Bits<8>>,
    /// The neuron fires.
    pub fire: Signal<Out, bool>,
    /// Any stage holds a neuron.
    pub busy: Signal<Out, bool>,
    _potential_bits: usize,
    _current_bits: usize,
}

impl<const D: usize> CubaUpdate<D> {
    /// The datapath for `potential_bits`-bit potentials and `current_bits`-bit currents.
    pub fn new(potential_bits: usize, current_bits: usize) -> Self {
        assert!(
            current_bits + 1 < D && potential_bits < D && D >= 26,
            "cuba needs D > U + 1, D > P and D >= 26 (word 3)"
        );
        Self {
            clock: Default::default(),
            in_valid: Default::default(),
            v: Default::default(),
            u: Default::default(),
            refractory: Default::default(),
            acc: Default::default(),
            threshold: Default::default(),
            bias: Default::default(),
            reset: Default::default(),
            decays: Default::default(),
            timing: Default::default(),
            out_valid: Default::default(),
            v_next: Default::default(),
            write_v: Default::default(),
            u_next: Default::default(),
            refractory_next: Default::default(),
            fire: Default::default(),
            busy: Default::default(),
            _potential_bits: potential_bits,
            _current_bits: current_bits,
        }
    }
}

impl<const D: usize> Logic for CubaUpdate<D> {
    fn update(&mut self) {}

    fn connect(&mut self) {
        self.out_valid.connect();
        self.v_next.connect();
        self.write_v.connect();
        self.u_next.connect();
        self.refractory_next.connect();
        self.fire.connect();
        self.busy.connect();
    }

    fn hdl(&self) -> Verilog {
        let (p, u, d) = (self._potential_bits, self._current_bits, D);
        // The sum of stage 4 holds |decay(v)| < 2^(P-1), |u'| <= 2^(U-1) and |bias| < 2^(P-1).
        let sw = p.max(u) + 3;
        // `name[w-1:0]` sign-extended to `top` bits.
        let sx =
            |name: &str, w: usize, top: usize| format!("{{{{{}{{{name}[{}]}}}}, {name}[{}:0]}}", top - w, w - 1, w - 1);
        let acc_unused = if u < d { format!("acc[{}:{u}], ", d - 1) } else { String::new() };
        let decays_unused = if d > 26 { format!("decays[{}:26], ", d - 1) } else { String::new() };
        Verilog::Custom(format!(
            "wire [11:0] du = decays[11:0];
wire [11:0] dv = decays[23:12];
wire subtract = decays[24];
wire deferred = decays[25];
wire [4:0] k = timing[4:0];
wire [7:0] period = timing[12:5];
wire unused_bits = &{{1'b0, v[{d1}:{p}], u[{d1}:{u1}], {acc_unused}threshold[{d1}:{p}], bias[{d1}:{p}], {decays_unused}timing[{d1}:13], 1'b0}};
// Stage 1: magnitudes (|u| <= 2^(U-1), |v| < 2^(P-1)) and the input aligned, modulo 2^U.
wire [{u}:0] u_lo = u[{u}:0];
wire [{u}:0] u_abs = u[{u}] ? -u_lo : u_lo;
wire [{pm1}:0] v_abs = v[{pm1}] ? -v[{pm1}:0] : v[{pm1}:0];
wire [{um1}:0] in_al = acc[{um1}:0] << k;
// The aligned threshold (it fits P bits: the spec checks it), registered: it depends on type
// words only, which hold still while a neuron is inside and are valid from a clock before it
// enters, and the shift would otherwise sit on the output's path to the potential RAM.
reg [{pm1}:0] theta;
always @(posedge clock) theta <= threshold[{pm1}:0] << k;
reg s1_valid, s1_us, s1_vs;
reg [7:0] s1_refr;
reg [{um1}:0] s1_um, s1_in;
reg [{pm1}:0] s1_vm;
always @(posedge clock) begin
    s1_valid <= in_valid;
    s1_refr <= refractory;
    s1_us <= u[{u}];
    s1_vs <= v[{pm1}];
    s1_um <= u_abs[{um1}:0];
    s1_vm <= v_abs;
    s1_in <= in_al;
end
wire unused_abs = u_abs[{u}];
// Stage 2: the decay products. u keeps 4096 - (du + 1) parts (Loihi's ds_offset), v 4096 - dv.
wire [12:0] fu = 13'd4095 - {{1'b0, du}};
wire [12:0] fv = 13'd4096 - {{1'b0, dv}};
// Deferred reset: a stored v above the aligned threshold fired last update, and its threshold
// comes off now, after the decay (docs/semantics.md). Compared here, a clock after the neuron
// entered, where `theta` is loaded whichever clock the type's words arrived on.
wire late_s1 = deferred & ~s1_vs & (s1_vm > theta);
reg s2_valid, s2_us, s2_vs, s2_late;
reg [7:0] s2_refr;
reg [{um1}:0] s2_in;
reg [{pu}:0] s2_pu;
reg [{pv}:0] s2_pv;
always @(posedge clock) begin
    s2_valid <= s1_valid;
    s2_late <= late_s1;
    s2_refr <= s1_refr;
    s2_us <= s1_us;
    s2_vs <= s1_vs;
    s2_in <= s1_in;
    s2_pu <= s1_um * fu;
    s2_pv <= s1_vm * fv;
end
// Stage 3: >> 12 on the magnitude, sign back (toward zero); u' = wrap(decay(u) + input)
// into (-2^(U-1), 2^(U-1)]: the low U bits, read as negative only above 2^(U-1).
wire [{u}:0] mu = s2_pu[{pu}:12];
wire [{u}:0] dec_u = s2_us ? -mu : mu;
wire [{um1}:0] m = dec_u[{um1}:0] + s2_in;
wire [{u}:0] u_new = (m > {u}'d{half}) ? {{1'b1, m}} : {{1'b0, m}};
wire [{p}:0] mv = s2_pv[{pv}:12];
wire [{p}:0] dec_v = s2_vs ? -mv : mv;
wire unused_dec = &{{1'b0, dec_u[{u}], s2_pu[11:0], s2_pv[11:0], 1'b0}};
reg s3_valid, s3_late;
reg [7:0] s3_refr;
reg [{u}:0] s3_u;
reg [{p}:0] s3_dv;
always @(posedge clock) begin
    s3_valid <= s2_valid;
    s3_late <= s2_late;
    s3_refr <= s2_refr;
    s3_u <= u_new;
    s3_dv <= dec_v;
end
// Stage 4: decay(v) + u' + bias (- the deferred threshold), exact in {sw} bits (each of the
// four terms is below 2^(max(P,U)) in magnitude), saturated to +-(2^(P-1) - 1).
wire signed [{swm1}:0] late = s3_late ? $signed({st}) : {sw}'sd0;
wire signed [{swm1}:0] vsum = $signed({sdv}) + $signed({su}) + $signed({sb}) - late;
wire signed [{swm1}:0] lim = {sw}'sd{lim};
reg s4_valid;
reg [7:0] s4_refr;
reg [{u}:0] s4_u;
reg [{pm1}:0] s4_v;
always @(posedge clock) begin
    s4_valid <= s3_valid;
    s4_refr <= s3_refr;
    s4_u <= s3_u;
    if (vsum > lim) s4_v <= lim[{pm1}:0];
    else if (vsum < -lim) s4_v <= -lim[{pm1}:0];
    else s4_v <= vsum[{pm1}:0];
end
// Output: fire strictly above the aligned threshold.
wire ready = s4_refr == 8'd0;
wire above = $signed(s4_v) > $signed(theta);
wire [{pm1}:0] excess = s4_v - theta;
always @(*) begin
    out_valid = s4_valid;
    busy = s1_valid | s2_valid | s3_valid | s4_valid;
    fire = ready & above;
    write_v = ready;
    u_next = {su_out};
    v_next = {sv_out};
    refractory_next = s4_refr - 8'd1;
    if (ready) begin
        refractory_next = 8'd0;
        if (above) begin
            refractory_next = period;
            if (subtract) v_next = {sexcess};
            else if (!deferred) v_next = reset;
        end
    end
end
",
            d1 = d - 1,
            u1 = u + 1,
            um1 = u - 1,
            pm1 = p - 1,
            pu = u + 12,
            pv = p + 12,
            half = 1u64 << (u - 1),
            swm1 = sw - 1,
            lim = (1u64 << (p - 1)) - 1,
            sdv = sx("s3_dv", p + 1, sw),
            su = sx("s3_u", u + 1, sw),
            sb = sx("bias", p, sw),
            st = sx("theta", p, sw),
            su_out = sx("s4_u", u + 1, d),
            sv_out = sx("s4_v", p, d),
            sexcess = sx("excess", p, d),
        ))
    }
}

/// The `cuba` datapath, as `neuron::DATAPATHS` lists it.
pub static HDL: CubaHdl = CubaHdl;

/// `cuba` behind the core's contract: the middle register is `u`; words as `type_words`.
pub struct CubaHdl;

impl super::NeuronHdl for CubaHdl {
    fn name(&self) -> &'static str {
        "cuba"
    }

    fn min_datapath_bits(&self, shape: &crate::shape::CoreShape) -> usize {
        (shape.current_bits + 2).max(26)
    }

    fn dsp_blocks(&self, shape: &crate::shape::CoreShape, operand: usize) -> usize {
        // Stage 2's two products: |u| (U - 1 bits) and |v| (P - 1 bits), each by a 13-bit
        // factor, split by Yosys into operand-wide slices of the wider side. `leak_multiply` is
        // off only where the device has no DSP blocks (the HX8K), and the products are logic.
        if !shape.leak_multiply {
            return 0;
        }
        (shape.current_bits - 1).div_ceil(operand) + (shape.potential_bits - 1).div_ceil(operand)
    }

    fn module(&self, shape: &crate::shape::CoreShape, d: usize, module: &str) -> String {
        let (p, u) = (shape.potential_bits, shape.current_bits);
        let inner = match d {
            26 => crate::verilog_of(CubaUpdate::<26>::new(p, u)),
            _ => crate::verilog_of(CubaUpdate::<{ crate::shape::DW }>::new(p, u)),
        };
        format!(
            "{header}    {module}_dp dp(.clock(clock), .in_valid(in_valid), .v(v), .u(aux), .refractory(refractory), .acc(acc),
        .threshold(w0), .bias(w1), .reset(w2), .decays(w3), .timing(w4),
        .out_valid(out_valid), .v_next(v_next), .write_v(write_v), .u_next(aux_next),
        .refractory_next(refractory_next), .fire(fire), .busy(busy));
endmodule
{inner}",
            header = super::contract_header(module, d),
            inner = crate::mesh::rename_top(&inner, &format!("{module}_dp")),
        )
    }
}
