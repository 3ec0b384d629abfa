//! LIF update datapath: the hardware twin of `spec/src/neuron/lif.rs`.
use crate::shape::DW;
use rust_hdl::prelude::*;

/// One neuron's LIF update, combinational. Potentials, thresholds, resets and the input
/// arrive sign-extended to `DW` bits, so no signal changes width inside.
#[derive(LogicBlock)]
pub struct LifUpdate {
    pub v: Signal<In, Signed<DW>>,
    pub refractory: Signal<In, Bits<8>>,
    pub acc: Signal<In, Signed<DW>>,
    pub threshold: Signal<In, Signed<DW>>,
    pub leak_shift: Signal<In, Bits<5>>,
    pub reset: Signal<In, Signed<DW>>,
    pub subtract: Signal<In, bool>,
    pub refractory_period: Signal<In, Bits<8>>,
    pub v_next: Signal<Out, Signed<DW>>,
    pub refractory_next: Signal<Out, Bits<8>>,
    pub fire: Signal<Out, bool>,
    pub pmax: Constant<Signed<DW>>,
    pub pmin: Constant<Signed<DW>>,
    zero: Constant<Signed<DW>>,
    ones: Constant<Bits<DW>>,
    zero5: Constant<Bits<5>>,
    zero8: Constant<Bits<8>>,
    one8: Constant<Bits<8>>,
    zero_fill: Constant<Bits<DW>>,
    leak: Signal<Local, Signed<DW>>,
    sum: Signal<Local, Signed<DW>>,
    sat: Signal<Local, Signed<DW>>,
    sign_fill: Signal<Local, Bits<DW>>,
}

impl LifUpdate {
    pub fn new(potential_bits: usize) -> Self {
        let max = (1i64 << (potential_bits - 1)) - 1;
        Self {
            v: Default::default(),
            refractory: Default::default(),
            acc: Default::default(),
            threshold: Default::default(),
            leak_shift: Default::default(),
            reset: Default::default(),
            subtract: Default::default(),
            refractory_period: Default::default(),
            v_next: Default::default(),
            refractory_next: Default::default(),
            fire: Default::default(),
            pmax: Constant::new(signed::<DW>(max)),
            pmin: Constant::new(signed::<DW>(-max - 1)),
            zero: Constant::new(signed::<DW>(0)),
            ones: Constant::new(Bits::<DW>::mask()),
            zero5: Constant::new(Bits::<5>::from(0u64)),
            zero8: Constant::new(Bits::<8>::from(0u64)),
            one8: Constant::new(Bits::<8>::from(1u64)),
            zero_fill: Constant::new(Bits::<DW>::from(0u64)),
            leak: Default::default(),
            sum: Default::default(),
            sat: Default::default(),
            sign_fill: Default::default(),
        }
    }
}

impl Logic for LifUpdate {
    #[hdl_gen]
    fn update(&mut self) {
        // Arithmetic shift right from a logical shift plus sign fill (Signed has no >>).
        // Bit 33 is the sign bit of DW = 34 (a literal: a Rust const would leak into the Verilog).
        self.sign_fill.next = self.zero_fill.val();
        if self.v.val().get_bit(33) {
            self.sign_fill.next = !(self.ones.val() >> self.leak_shift.val());
        }
        self.leak.next = signed_cast((unsigned_cast(self.v.val()) >> self.leak_shift.val()) | self.sign_fill.val());
        if self.leak_shift.val() == self.zero5.val() {
            self.leak.next = self.zero.val();
        }
        // Exact: |v|, |leak| < 2^31 and |acc| < 2^30, so DW = 34 bits cannot overflow.
        self.sum.next = self.v.val() - self.leak.val() + self.acc.val();
        self.sat.next = self.sum.val();
        if self.sum.val() > self.pmax.val() {
            self.sat.next = self.pmax.val();
        }
        if self.sum.val() < self.pmin.val() {
            self.sat.next = self.pmin.val();
        }
        self.fire.next = false;
        self.v_next.next = self.v.val();
        self.refractory_next.next = self.refractory.val() - self.one8.val();
        if self.refractory.val() == self.zero8.val() {
            self.refractory_next.next = self.zero8.val();
            self.v_next.next = self.sat.val();
            if self.sat.val() >= self.threshold.val() {
                self.fire.next = true;
                self.refractory_next.next = self.refractory_period.val();
                self.v_next.next = self.reset.val();
                if self.subtract.val() {
                    // sat >= threshold >= 1, so sat - threshold is in [0, sat): no overflow.
                    self.v_next.next = self.sat.val() - self.threshold.val();
                }
            }
        }
    }
}
