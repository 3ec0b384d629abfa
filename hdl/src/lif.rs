//! LIF update datapath: the hardware twin of `spec/src/neuron/lif.rs`, pipelined.
//!
//! One neuron enters per clock (`in_valid`, with a `tag` naming it) and leaves `LATENCY`
//! clocks later. Stages: (1) leak = v >>> leak_shift; (2) v - leak; (3) + input;
//! (4) saturate, and compare with the threshold in parallel — `sum >= threshold` equals
//! `sat >= threshold` because 1 <= threshold <= max potential; then the output selects the
//! next state. Every value is `D` bits wide (`CoreShape::datapath_bits`), so nothing changes
//! width inside.
//!
//! The type's threshold and reset are needed late, so they arrive late instead of riding
//! the pipeline: `threshold` is sampled `THRESHOLD_AT` clocks after the neuron entered and
//! `reset` `RESET_AT` clocks after (the core reads them from their RAMs just in time). A
//! refractory neuron keeps its potential: `write_v` is low and nothing carries `v` along.

use crate::shape::NB;
use rust_hdl::prelude::*;

/// Clocks from `in_valid` to `out_valid`.
pub const LATENCY: usize = 4;
/// Clocks after `in_valid` at which `threshold` must hold the neuron's threshold.
pub const THRESHOLD_AT: usize = 3;
/// Clocks after `in_valid` at which `reset` must hold the neuron's reset value.
pub const RESET_AT: usize = 4;

/// One neuron's LIF update, four register stages deep.
#[derive(LogicBlock)]
pub struct LifUpdate<const D: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// A neuron enters this clock.
    pub in_valid: Signal<In, bool>,
    /// Which neuron (carried to the output).
    pub tag: Signal<In, Bits<NB>>,
    /// Membrane potential, sign-extended.
    pub v: Signal<In, Signed<D>>,
    /// Refractory counter.
    pub refractory: Signal<In, Bits<8>>,
    /// Summed input of this timestep, sign-extended.
    pub acc: Signal<In, Signed<D>>,
    /// Type: threshold, `THRESHOLD_AT` clocks after the neuron entered.
    pub threshold: Signal<In, Signed<D>>,
    /// Type: leak shift (0 = no leak).
    pub leak_shift: Signal<In, Bits<5>>,
    /// Type: reset potential, `RESET_AT` clocks after the neuron entered.
    pub reset: Signal<In, Signed<D>>,
    /// Type: reset by subtraction.
    pub subtract: Signal<In, bool>,
    /// Type: refractory period.
    pub refractory_period: Signal<In, Bits<8>>,
    /// A result leaves this clock.
    pub out_valid: Signal<Out, bool>,
    /// Which neuron the result belongs to.
    pub out_tag: Signal<Out, Bits<NB>>,
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
    zero: Constant<Signed<D>>,
    ones: Constant<Bits<D>>,
    zero5: Constant<Bits<5>>,
    zero8: Constant<Bits<8>>,
    one8: Constant<Bits<8>>,
    zero_fill: Constant<Bits<D>>,
    sign_fill: Signal<Local, Bits<D>>,
    leak: Signal<Local, Signed<D>>,
    // Stage registers: what every stage carries forward.
    valid: [DFF<bool>; 4],
    tags: [DFF<Bits<NB>>; 4],
    refr: [DFF<Bits<8>>; 4],
    period: [DFF<Bits<8>>; 4],
    sub: [DFF<bool>; 4],
    thr_q: DFF<Signed<D>>,
    v_in: DFF<Signed<D>>,
    acc_in: [DFF<Signed<D>>; 2],
    s1_leak: DFF<Signed<D>>,
    s2_vl: DFF<Signed<D>>,
    s3_sum: DFF<Signed<D>>,
    s4_sat: DFF<Signed<D>>,
    s4_ge: DFF<bool>,
}

impl<const D: usize> LifUpdate<D> {
    /// The datapath for `potential_bits`-bit potentials.
    pub fn new(potential_bits: usize) -> Self {
        let max = (1i64 << (potential_bits - 1)) - 1;
        Self {
            clock: Default::default(),
            in_valid: Default::default(),
            tag: Default::default(),
            v: Default::default(),
            refractory: Default::default(),
            acc: Default::default(),
            threshold: Default::default(),
            leak_shift: Default::default(),
            reset: Default::default(),
            subtract: Default::default(),
            refractory_period: Default::default(),
            out_valid: Default::default(),
            out_tag: Default::default(),
            v_next: Default::default(),
            write_v: Default::default(),
            refractory_next: Default::default(),
            fire: Default::default(),
            busy: Default::default(),
            pmax: Constant::new(signed::<D>(max)),
            pmin: Constant::new(signed::<D>(-max - 1)),
            zero: Constant::new(signed::<D>(0)),
            ones: Constant::new(Bits::<D>::mask()),
            zero5: Constant::new(Bits::<5>::from(0u64)),
            zero8: Constant::new(Bits::<8>::from(0u64)),
            one8: Constant::new(Bits::<8>::from(1u64)),
            zero_fill: Constant::new(Bits::<D>::from(0u64)),
            sign_fill: Default::default(),
            leak: Default::default(),
            valid: Default::default(),
            tags: Default::default(),
            refr: Default::default(),
            period: Default::default(),
            sub: Default::default(),
            thr_q: Default::default(),
            v_in: Default::default(),
            acc_in: Default::default(),
            s1_leak: Default::default(),
            s2_vl: Default::default(),
            s3_sum: Default::default(),
            s4_sat: Default::default(),
            s4_ge: Default::default(),
        }
    }
}

impl<const D: usize> Logic for LifUpdate<D> {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..4 {
            self.valid[i].clock.next = self.clock.val();
            self.tags[i].clock.next = self.clock.val();
            self.refr[i].clock.next = self.clock.val();
            self.period[i].clock.next = self.clock.val();
            self.sub[i].clock.next = self.clock.val();
        }
        for i in 0..2 {
            self.acc_in[i].clock.next = self.clock.val();
        }
        dff_setup!(self, clock, s1_leak, s2_vl, s3_sum, s4_sat, s4_ge, thr_q, v_in);
        // Stage 0 -> 1: everything enters; the leak is computed here.
        self.valid[0].d.next = self.in_valid.val();
        self.tags[0].d.next = self.tag.val();
        self.refr[0].d.next = self.refractory.val();
        self.period[0].d.next = self.refractory_period.val();
        self.sub[0].d.next = self.subtract.val();
        self.v_in.d.next = self.v.val();
        self.acc_in[0].d.next = self.acc.val();
        // Arithmetic shift right from a logical shift plus sign fill (Signed has no >>).
        // The sign from a comparison: a bit index from the generic width would leak into the Verilog.
        self.sign_fill.next = self.zero_fill.val();
        if self.v.val() < self.zero.val() {
            self.sign_fill.next = !(self.ones.val() >> self.leak_shift.val());
        }
        self.leak.next = signed_cast((unsigned_cast(self.v.val()) >> self.leak_shift.val()) | self.sign_fill.val());
        if self.leak_shift.val() == self.zero5.val() {
            self.leak.next = self.zero.val();
        }
        self.s1_leak.d.next = self.leak.val();
        // Carry the per-neuron values down the stages.
        for i in 1..4 {
            self.valid[i].d.next = self.valid[i - 1].q.val();
            self.tags[i].d.next = self.tags[i - 1].q.val();
            self.refr[i].d.next = self.refr[i - 1].q.val();
            self.period[i].d.next = self.period[i - 1].q.val();
            self.sub[i].d.next = self.sub[i - 1].q.val();
        }
        self.acc_in[1].d.next = self.acc_in[0].q.val();
        // Stage 1 -> 2: v - leak. Stage 2 -> 3: + input (exact: |v|, |leak| < 2^31, |acc| < 2^30).
        self.s2_vl.d.next = self.v_in.q.val() - self.s1_leak.q.val();
        self.s3_sum.d.next = self.s2_vl.q.val() + self.acc_in[1].q.val();
        // Stage 3 -> 4: saturate, and the threshold compare in parallel.
        self.s4_sat.d.next = self.s3_sum.q.val();
        if self.s3_sum.q.val() > self.pmax.val() {
            self.s4_sat.d.next = self.pmax.val();
        }
        if self.s3_sum.q.val() < self.pmin.val() {
            self.s4_sat.d.next = self.pmin.val();
        }
        self.s4_ge.d.next = self.s3_sum.q.val() >= self.threshold.val();
        self.thr_q.d.next = self.threshold.val();
        // Output: refractory hold, fire (reset or subtract), or integrate.
        self.out_valid.next = self.valid[3].q.val();
        self.out_tag.next = self.tags[3].q.val();
        self.busy.next = self.valid[0].q.val() | self.valid[1].q.val() | self.valid[2].q.val() | self.valid[3].q.val();
        self.fire.next = false;
        self.write_v.next = false;
        self.v_next.next = self.s4_sat.q.val();
        self.refractory_next.next = self.refr[3].q.val() - self.one8.val();
        if self.refr[3].q.val() == self.zero8.val() {
            self.write_v.next = true;
            self.refractory_next.next = self.zero8.val();
            if self.s4_ge.q.val() {
                self.fire.next = true;
                self.refractory_next.next = self.period[3].q.val();
                self.v_next.next = self.reset.val();
                if self.sub[3].q.val() {
                    // sat >= threshold >= 1, so sat - threshold is in [0, sat): no overflow.
                    self.v_next.next = self.s4_sat.q.val() - self.thr_q.q.val();
                }
            }
        }
    }
}
