//! LIF update datapath: the hardware twin of `spec/src/neuron/lif.rs`, pipelined.
//!
//! One neuron enters per clock (`in_valid`) and its result leaves `LATENCY` clocks later;
//! results leave in the order neurons entered (the core counts them to know which is which).
//! Stages: (1) leak = v >>> leak_shift (`arith/leak.rs`: a DSP multiply for potentials up to 16
//! bits), and v + input in parallel; (2) minus the leak;
//! (3) saturate, and compare with the threshold in parallel — `sum >= threshold` equals
//! `sat >= threshold` because 1 <= threshold <= max potential; then the output selects the
//! next state. `v + input - leak` is the spec's `v - leak + I`, exact in `D` bits
//! (`neuron::datapath_bits`): nothing changes width inside, so the order does not matter.
//!
//! The type parameters (threshold, leak shift, reset, mode, refractory period) must hold
//! still while any neuron is inside (from `in_valid` until `busy` falls): the core changes
//! them only with the pipeline empty, so none of them rides the pipeline. A refractory neuron
//! keeps its potential: `write_v` is low and nothing carries `v` along.

use crate::arith::leak::Leak;
use rust_hdl::prelude::*;

/// Clocks from `in_valid` to `out_valid`.
pub const LATENCY: usize = 3;

/// One neuron's LIF update, three register stages deep.
#[derive(LogicBlock)]
pub struct LifUpdate<const D: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// A neuron enters this clock.
    pub in_valid: Signal<In, bool>,
    /// Membrane potential, sign-extended.
    pub v: Signal<In, Signed<D>>,
    /// Refractory counter.
    pub refractory: Signal<In, Bits<8>>,
    /// Summed input of this timestep, sign-extended.
    pub acc: Signal<In, Signed<D>>,
    /// Type: threshold.
    pub threshold: Signal<In, Signed<D>>,
    /// Type: leak shift (0 = no leak).
    pub leak_shift: Signal<In, Bits<5>>,
    /// Type: reset potential.
    pub reset: Signal<In, Signed<D>>,
    /// Type: reset by subtraction.
    pub subtract: Signal<In, bool>,
    /// Type: refractory period.
    pub refractory_period: Signal<In, Bits<8>>,
    /// A result leaves this clock.
    pub out_valid: Signal<Out, bool>,
    /// Next potential (write it back only when `write_v`).
    pub v_next: Signal<Out, Signed<D>>,
    /// The potential changed (low while refractory: the stored potential stays).
    pub write_v: Signal<Out, bool>,
    /// Next refractory counter.
    pub refractory_next: Signal<Out, Bits<8>>,
    /// The neuron fires.
    pub fire: Signal<Out, bool>,
    /// Any stage holds a neuron.
    pub busy: Signal<Out, bool>,
    pmax: Constant<Signed<D>>,
    pmin: Constant<Signed<D>>,
    p_sign: Constant<Bits<D>>,
    top_zero: Constant<Bits<D>>,
    top_ones: Constant<Bits<D>>,
    top_half: Constant<Bits<D>>,
    top: Signal<Local, Bits<D>>,
    zero8: Constant<Bits<8>>,
    one8: Constant<Bits<8>>,
    leak: Leak<D>,
    // Stage registers: what every stage carries forward.
    valid: [DFF<bool>; 3],
    refr: [DFF<Bits<8>>; 3],
    s1_leak: DFF<Signed<D>>,
    s1_va: DFF<Signed<D>>,
    s2_sum: DFF<Signed<D>>,
    s3_sat: DFF<Signed<D>>,
    s3_ge: DFF<bool>,
}

impl<const D: usize> LifUpdate<D> {
    /// The datapath for `potential_bits`-bit potentials; `multiply`: the leak may use a DSP.
    pub fn new(potential_bits: usize, multiply: bool) -> Self {
        let max = (1i64 << (potential_bits - 1)) - 1;
        Self {
            clock: Default::default(),
            in_valid: Default::default(),
            v: Default::default(),
            refractory: Default::default(),
            acc: Default::default(),
            threshold: Default::default(),
            leak_shift: Default::default(),
            reset: Default::default(),
            subtract: Default::default(),
            refractory_period: Default::default(),
            out_valid: Default::default(),
            v_next: Default::default(),
            write_v: Default::default(),
            refractory_next: Default::default(),
            fire: Default::default(),
            busy: Default::default(),
            pmax: Constant::new(signed::<D>(max)),
            pmin: Constant::new(signed::<D>(-max - 1)),
            p_sign: Constant::new(Bits::<D>::from(potential_bits as u64 - 1)),
            top_zero: Constant::new(Bits::<D>::from(0u64)),
            top_ones: Constant::new(Bits::<D>::from((1u64 << (D + 1 - potential_bits)) - 1)),
            top_half: Constant::new(Bits::<D>::from(1u64 << (D - potential_bits))),
            top: Default::default(),
            zero8: Constant::new(Bits::<8>::from(0u64)),
            one8: Constant::new(Bits::<8>::from(1u64)),
            leak: Leak::new(potential_bits, multiply),
            valid: Default::default(),
            refr: Default::default(),
            s1_leak: Default::default(),
            s1_va: Default::default(),
            s2_sum: Default::default(),
            s3_sat: Default::default(),
            s3_ge: Default::default(),
        }
    }
}

impl<const D: usize> Logic for LifUpdate<D> {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..3 {
            self.valid[i].clock.next = self.clock.val();
            self.refr[i].clock.next = self.clock.val();
        }
        dff_setup!(self, clock, s1_leak, s1_va, s2_sum, s3_sat, s3_ge);
        // Stage 0 -> 1: the leak, and v + input.
        self.valid[0].d.next = self.in_valid.val();
        self.refr[0].d.next = self.refractory.val();
        self.leak.v.next = self.v.val();
        self.leak.shift.next = self.leak_shift.val();
        self.s1_leak.d.next = self.leak.amount.val();
        self.s1_va.d.next = self.v.val() + self.acc.val();
        for i in 1..3 {
            self.valid[i].d.next = self.valid[i - 1].q.val();
            self.refr[i].d.next = self.refr[i - 1].q.val();
        }
        // Stage 1 -> 2: minus the leak (exact: |v|, |leak| < 2^31, |acc| < 2^30).
        self.s2_sum.d.next = self.s1_va.q.val() - self.s1_leak.q.val();
        // Stage 2 -> 3: saturate, and the threshold compare in parallel.
        // In range iff the bits from the potential's sign bit up are all equal: gates, where a
        // compare with pmax/pmin would be two carry chains.
        self.top.next = unsigned_cast(self.s2_sum.q.val()) >> self.p_sign.val();
        self.s3_sat.d.next = self.s2_sum.q.val();
        if (self.top.val() != self.top_zero.val()) & (self.top.val() != self.top_ones.val()) {
            self.s3_sat.d.next = self.pmax.val();
            if (self.top.val() & self.top_half.val()) != self.top_zero.val() {
                self.s3_sat.d.next = self.pmin.val();
            }
        }
        self.s3_ge.d.next = self.s2_sum.q.val() >= self.threshold.val();
        // Output: refractory hold, fire (reset or subtract), or integrate.
        self.out_valid.next = self.valid[2].q.val();
        self.busy.next = self.valid[0].q.val() | self.valid[1].q.val() | self.valid[2].q.val();
        self.fire.next = false;
        self.write_v.next = false;
        self.v_next.next = self.s3_sat.q.val();
        self.refractory_next.next = self.refr[2].q.val() - self.one8.val();
        if self.refr[2].q.val() == self.zero8.val() {
            self.write_v.next = true;
            self.refractory_next.next = self.zero8.val();
            if self.s3_ge.q.val() {
                self.fire.next = true;
                self.refractory_next.next = self.refractory_period.val();
                self.v_next.next = self.reset.val();
                if self.subtract.val() {
                    // sat >= threshold >= 1, so sat - threshold is in [0, sat): no overflow.
                    self.v_next.next = self.s3_sat.q.val() - self.threshold.val();
                }
            }
        }
    }
}

/// The `lif` datapath, as `neuron::DATAPATHS` lists it.
pub static HDL: LifHdl = LifHdl;

/// `lif` behind the core's contract: word 0 threshold, 1 reset, 2 control; no middle register.
pub struct LifHdl;

impl super::NeuronHdl for LifHdl {
    fn name(&self) -> &'static str {
        "lif"
    }

    fn dsp_blocks(&self, shape: &crate::shape::CoreShape, _operand: usize) -> usize {
        // The leak's 16 x 16 multiply (`arith/leak.rs`), when it is one.
        usize::from(shape.leak_multiply && shape.potential_bits <= 16)
    }

    fn module(&self, shape: &crate::shape::CoreShape, d: usize, module: &str) -> String {
        let (p, m) = (shape.potential_bits, shape.leak_multiply);
        let inner = match d {
            18 => crate::verilog_of(LifUpdate::<18>::new(p, m)),
            26 => crate::verilog_of(LifUpdate::<26>::new(p, m)),
            _ => crate::verilog_of(LifUpdate::<{ crate::shape::DW }>::new(p, m)),
        };
        format!(
            "{header}    wire unused_ports = &{{1'b0, aux, w2[{d1}:14], w3, w4, 1'b0}};
    {module}_dp dp(.clock(clock), .in_valid(in_valid), .v(v), .refractory(refractory), .acc(acc),
        .threshold(w0), .reset(w1), .leak_shift(w2[4:0]), .subtract(w2[5]), .refractory_period(w2[13:6]),
        .out_valid(out_valid), .v_next(v_next), .write_v(write_v), .refractory_next(refractory_next),
        .fire(fire), .busy(busy));
    assign aux_next = {d}'d0;
endmodule
{inner}",
            header = super::contract_header(module, d),
            d1 = d - 1,
            inner = crate::mesh::rename_top(&inner, &format!("{module}_dp")),
        )
    }
}
