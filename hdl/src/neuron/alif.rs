//! `alif` update datapath: the hardware twin of `spec/src/neuron/alif.rs`, written from
//! `docs/neuron-models.md` (section 3).
//!
//! `lif`'s three stages, with the adaptation: (1) the leak `v >>> leak_shift` (floor, by the
//! shifter `sign ^ ((v ^ sign) >> s)`), `v + input`, and the decayed adaptation
//! `a1 = a - (a >> adapt_shift)`; (2) `v + input - leak`, and the raised threshold
//! `threshold + a1`, exact in `P + 1` bits; (3) saturation. The output compares the saturated
//! potential with the raised threshold: unlike `lif`'s, that threshold may exceed the largest
//! potential, so the compare cannot move before the saturation. Type words as `spec`'s
//! `type_words`: threshold, reset, control (`leak_shift | subtract << 5 | refractory << 6`),
//! adapt_step, adapt_shift.
//!
//! The block is explicit Verilog and runs only through it (Verilator, Yosys): its rust-hdl
//! `update` does nothing.

use rust_hdl::prelude::*;

/// Clocks from `in_valid` to `out_valid`.
pub const LATENCY: usize = 3;

/// One neuron's `alif` update, three register stages deep.
#[derive(LogicBlock)]
pub struct AlifUpdate<const D: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// A neuron enters this clock.
    pub in_valid: Signal<In, bool>,
    /// Membrane potential (`P` bits), sign-extended.
    pub v: Signal<In, Signed<D>>,
    /// Threshold adaptation (`P - 1` bits, unsigned), zero-extended.
    pub a: Signal<In, Bits<D>>,
    /// Refractory counter.
    pub refractory: Signal<In, Bits<8>>,
    /// Summed input of this timestep, sign-extended.
    pub acc: Signal<In, Signed<D>>,
    /// Type word 0: base threshold.
    pub threshold: Signal<In, Signed<D>>,
    /// Type word 1: potential after a spike in value mode.
    pub reset: Signal<In, Signed<D>>,
    /// Type word 2: leak_shift in bits 4:0, subtract in bit 5, refractory period in 13:6.
    pub control: Signal<In, Bits<D>>,
    /// Type word 3: added to the adaptation at each spike.
    pub adapt_step: Signal<In, Bits<D>>,
    /// Type word 4: the adaptation loses `a >> adapt_shift` per timestep (0: none).
    pub adapt_shift: Signal<In, Bits<D>>,
    /// A result leaves this clock.
    pub out_valid: Signal<Out, bool>,
    /// Next potential (write it back only when `write_v`).
    pub v_next: Signal<Out, Signed<D>>,
    /// The potential changed (low while refractory: `v` is held).
    pub write_v: Signal<Out, bool>,
    /// Next adaptation (always written: it decays through the refractory period).
    pub a_next: Signal<Out, Bits<D>>,
    /// Next refractory counter.
    pub refractory_next: Signal<Out, Bits<8>>,
    /// The neuron fires.
    pub fire: Signal<Out, bool>,
    /// Any stage holds a neuron.
    pub busy: Signal<Out, bool>,
    _potential_bits: usize,
}

impl<const D: usize> AlifUpdate<D> {
    /// The datapath for `potential_bits`-bit potentials (`D` holds `v + input` exactly).
    pub fn new(potential_bits: usize) -> Self {
        assert!((4..D).contains(&potential_bits) && D >= 14, "alif needs 4 <= P < D and D >= 14 (word 2)");
        Self {
            clock: Default::default(),
            in_valid: Default::default(),
            v: Default::default(),
            a: Default::default(),
            refractory: Default::default(),
            acc: Default::default(),
            threshold: Default::default(),
            reset: Default::default(),
            control: Default::default(),
            adapt_step: Default::default(),
            adapt_shift: Default::default(),
            out_valid: Default::default(),
            v_next: Default::default(),
            write_v: Default::default(),
            a_next: Default::default(),
            refractory_next: Default::default(),
            fire: Default::default(),
            busy: Default::default(),
            _potential_bits: potential_bits,
        }
    }
}

impl<const D: usize> Logic for AlifUpdate<D> {
    fn update(&mut self) {}

    fn connect(&mut self) {
        self.out_valid.connect();
        self.v_next.connect();
        self.write_v.connect();
        self.a_next.connect();
        self.refractory_next.connect();
        self.fire.connect();
        self.busy.connect();
    }

    fn hdl(&self) -> Verilog {
        let (p, d) = (self._potential_bits, D);
        let pmax = (1u64 << (p - 1)) - 1;
        Verilog::Custom(format!(
            "wire [4:0] s = control[4:0];
wire subtract = control[5];
wire [7:0] period = control[13:6];
wire [4:0] ash = adapt_shift[4:0];
wire unused_bits = &{{1'b0, v[{d1}:{p}], a[{d1}:{pm1}], threshold[{d1}:{p}], control[{d1}:14], adapt_step[{d1}:{pm1}], adapt_shift[{d1}:5], 1'b0}};
// Stage 1: leak = v >>> s (0 when s = 0), v + input, the adaptation decayed.
wire [{pm1}:0] vv = v[{pm1}:0];
wire [{pm1}:0] sg = {{{p}{{vv[{pm1}]}}}};
wire [{pm1}:0] leak = (s == 5'd0) ? {p}'d0 : (sg ^ ((vv ^ sg) >> s));
wire [{pm2}:0] aa = a[{pm2}:0];
wire [{pm2}:0] a1 = (ash == 5'd0) ? aa : aa - (aa >> ash);
reg [2:0] valid;
reg [7:0] r1, r2, r3;
reg [{pm1}:0] s1_leak;
reg [{d1}:0] s1_va;
reg [{pm2}:0] s1_a, s2_a, s3_a;
always @(posedge clock) begin
    valid <= {{valid[1:0], in_valid}};
    r1 <= refractory;
    r2 <= r1;
    r3 <= r2;
    s1_leak <= leak;
    s1_va <= v + acc;
    s1_a <= a1;
    s2_a <= s1_a;
    s3_a <= s2_a;
end
// Stage 2: v + input - leak (exact in D bits), and the raised threshold in P + 1 bits.
reg signed [{d1}:0] s2_sum;
reg [{p}:0] s2_theta, s3_theta;
always @(posedge clock) begin
    s2_sum <= $signed(s1_va) - $signed({{{{{ext}{{s1_leak[{pm1}]}}}}, s1_leak}});
    s2_theta <= {{1'b0, threshold[{pm1}:0]}} + {{2'b0, s1_a}};
    s3_theta <= s2_theta;
end
// Stage 3: saturate to P bits.
reg [{pm1}:0] s3_sat;
always @(posedge clock) begin
    if (s2_sum > {d}'sd{pmax}) s3_sat <= {p}'d{pmax};
    else if (s2_sum < -{d}'sd{pmin_mag}) s3_sat <= {{1'b1, {pm1}'d0}};
    else s3_sat <= s2_sum[{pm1}:0];
end
// Output: fire when the saturated potential reaches the raised threshold.
wire ready = r3 == 8'd0;
wire reach = $signed({{s3_sat[{pm1}], s3_sat}}) >= $signed(s3_theta);
wire [{p}:0] excess = {{s3_sat[{pm1}], s3_sat}} - s3_theta;
wire [{p}:0] raised = {{1'b0, s3_a}} + {{1'b0, adapt_step[{pm2}:0]}};
wire unused_excess = excess[{p}];
always @(*) begin
    out_valid = valid[2];
    busy = |valid;
    fire = ready & reach;
    write_v = ready;
    v_next = {{{{{ext}{{s3_sat[{pm1}]}}}}, s3_sat}};
    a_next = {{{aext}'d0, s3_a}};
    refractory_next = r3 - 8'd1;
    if (ready) begin
        refractory_next = 8'd0;
        if (reach) begin
            refractory_next = period;
            v_next = subtract ? {{{{{ext}{{excess[{pm1}]}}}}, excess[{pm1}:0]}} : reset;
            a_next = {{{aext}'d0, (raised > {p1}'d{pmax}) ? {pm1}'d{pmax} : raised[{pm2}:0]}};
        end
    end
end
",
            d1 = d - 1,
            pm1 = p - 1,
            pm2 = p - 2,
            p1 = p + 1,
            ext = d - p,
            aext = d - p + 1,
            pmin_mag = pmax + 1,
        ))
    }
}

/// The `alif` datapath, as `neuron::DATAPATHS` lists it.
pub static HDL: AlifHdl = AlifHdl;

/// `alif` behind the core's contract: the middle register is the adaptation `a`.
pub struct AlifHdl;

impl super::NeuronHdl for AlifHdl {
    fn name(&self) -> &'static str {
        "alif"
    }

    fn module(&self, shape: &crate::shape::CoreShape, d: usize, module: &str) -> String {
        let p = shape.potential_bits;
        let inner = match d {
            18 => crate::verilog_of(AlifUpdate::<18>::new(p)),
            26 => crate::verilog_of(AlifUpdate::<26>::new(p)),
            _ => crate::verilog_of(AlifUpdate::<{ crate::shape::DW }>::new(p)),
        };
        format!(
            "{header}    {module}_dp dp(.clock(clock), .in_valid(in_valid), .v(v), .a(aux), .refractory(refractory), .acc(acc),
        .threshold(w0), .reset(w1), .control(w2), .adapt_step(w3), .adapt_shift(w4),
        .out_valid(out_valid), .v_next(v_next), .write_v(write_v), .a_next(aux_next),
        .refractory_next(refractory_next), .fire(fire), .busy(busy));
endmodule
{inner}",
            header = super::contract_header(module, d),
            inner = crate::mesh::rename_top(&inner, &format!("{module}_dp")),
        )
    }
}
