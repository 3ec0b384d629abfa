//! LIF update datapath: the hardware twin of `spec/src/neuron/lif.rs`.
use rust_hdl::prelude::*;

/// Internal width: potentials up to 32 bits plus accumulators up to 32 bits, plus headroom.
pub const SUM_BITS: usize = 34;

#[derive(LogicBlock)]
pub struct LifUpdate {
    pub v: Signal<In, Signed<32>>,
    pub refractory: Signal<In, Bits<8>>,
    pub acc: Signal<In, Signed<32>>,
    pub threshold: Signal<In, Signed<32>>,
    pub leak_shift: Signal<In, Bits<5>>,
    pub reset: Signal<In, Signed<32>>,
    pub subtract: Signal<In, bool>,
    pub refractory_period: Signal<In, Bits<8>>,
    pub v_next: Signal<Out, Signed<32>>,
    pub refractory_next: Signal<Out, Bits<8>>,
    pub fire: Signal<Out, bool>,
    pub pmax: Constant<Signed<34>>,
    pub pmin: Constant<Signed<34>>,
    zero: Constant<Signed<34>>,
    ones: Constant<Bits<34>>,
    v_wide: Signal<Local, Signed<34>>,
    leak: Signal<Local, Signed<34>>,
    sum: Signal<Local, Signed<34>>,
    sat: Signal<Local, Signed<34>>,
    sign_fill: Signal<Local, Bits<34>>,
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
            pmax: Constant::new(signed::<34>(max)),
            pmin: Constant::new(signed::<34>(-max - 1)),
            zero: Constant::new(signed::<34>(0)),
            ones: Constant::new(Bits::<34>::mask()),
            v_wide: Default::default(),
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
        self.v_wide.next = signed_bit_cast::<34, 32>(self.v.val());
        // Arithmetic shift right built from a logical shift plus sign fill (Signed has no >>).
        self.sign_fill.next = 0.into();
        if self.v.val().get_bit(31) {
            self.sign_fill.next = !(self.ones.val() >> self.leak_shift.val());
        }
        self.leak.next =
            signed_cast((unsigned_cast(self.v_wide.val()) >> self.leak_shift.val()) | self.sign_fill.val());
        if self.leak_shift.val() == 0 {
            self.leak.next = self.zero.val();
        }
        self.sum.next = self.v_wide.val() - self.leak.val() + signed_bit_cast::<34, 32>(self.acc.val());
        self.sat.next = self.sum.val();
        if self.sum.val() > self.pmax.val() {
            self.sat.next = self.pmax.val();
        }
        if self.sum.val() < self.pmin.val() {
            self.sat.next = self.pmin.val();
        }
        self.fire.next = false;
        self.v_next.next = self.v.val();
        self.refractory_next.next = self.refractory.val() - 1;
        if self.refractory.val() == 0 {
            self.refractory_next.next = 0.into();
            self.v_next.next = signed_bit_cast::<32, 34>(self.sat.val());
            if self.sat.val() >= signed_bit_cast::<34, 32>(self.threshold.val()) {
                self.fire.next = true;
                self.refractory_next.next = self.refractory_period.val();
                self.v_next.next = self.reset.val();
                if self.subtract.val() {
                    self.v_next.next =
                        signed_bit_cast::<32, 34>(self.sat.val() - signed_bit_cast::<34, 32>(self.threshold.val()));
                }
            }
        }
    }
}
