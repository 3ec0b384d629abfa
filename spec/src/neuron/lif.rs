//! `lif`: leaky integrate-and-fire with a shift leak, exactly as `docs/semantics.md` states it.
//! Plain integrate-and-fire is this model with `leak_shift = 0`.

use super::{Lane, Model, NeuronState, ParamSpec, Params, Run, State, StateField, TypeWord, Widths};
use serde::Serialize;

/// The model, as `neuron::MODELS` lists it.
pub static MODEL: Lif = Lif;

/// What happens to the potential after a spike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMode {
    /// v is set to `reset`.
    Value,
    /// `threshold` is subtracted from v.
    Subtract,
}

/// The two reset modes as the file writes them (index = [`ResetMode`] order).
pub const RESET_MODES: &[&str] = &["value", "subtract"];

/// Parameters of one LIF neuron type (all already checked against the widths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LifParams {
    /// Fires when the new potential is >= this; 1..=potential max.
    pub threshold: i64,
    /// v loses v >>> leak_shift each step; 0 means no leak.
    pub leak_shift: u32,
    /// Potential after a spike in `Value` mode.
    pub reset: i64,
    /// How the potential is reset.
    pub reset_mode: ResetMode,
    /// Timesteps the neuron ignores input after a spike.
    pub refractory: u32,
}

impl LifParams {
    /// The typed view of a `lif` type's parameter slots.
    pub fn from_params(p: &Params) -> Self {
        Self {
            threshold: p[0],
            leak_shift: p[1] as u32,
            reset: p[2],
            reset_mode: if p[3] == 1 { ResetMode::Subtract } else { ResetMode::Value },
            refractory: p[4] as u32,
        }
    }

    /// The parameter slots of this type.
    pub fn to_params(&self) -> Params {
        let mut p = [0; super::MAX_PARAMS];
        p[..5].copy_from_slice(&[
            self.threshold,
            self.leak_shift as i64,
            self.reset,
            (self.reset_mode == ResetMode::Subtract) as i64,
            self.refractory as i64,
        ]);
        p
    }
}

/// The `lif` model.
pub struct Lif;

impl Model for Lif {
    fn name(&self) -> &'static str {
        "lif"
    }

    fn summary(&self) -> &'static str {
        "leaky integrate-and-fire, shift leak, saturating potential (IF with leak_shift = 0)"
    }

    fn params(&self, w: &Widths) -> Vec<ParamSpec> {
        let pb = format!("potential_bits = {}", w.potential_bits);
        vec![
            ParamSpec::int(
                "threshold",
                "fires when the new potential is >= this",
                1,
                w.potential_max(),
                None,
                format!("threshold must be positive and fit {pb}"),
            ),
            ParamSpec::int(
                "leak_shift",
                "v loses v >>> leak_shift each timestep; 0 = no leak",
                0,
                w.potential_bits as i64 - 1,
                Some(0),
                "0 = no leak".into(),
            ),
            ParamSpec::int("reset", "potential after a spike (value mode)", w.potential_min(), w.potential_max(), Some(0), pb),
            ParamSpec::choice("reset_mode", "value: v = reset; subtract: v -= threshold", RESET_MODES, 0),
            ParamSpec::int(
                "refractory",
                "timesteps the neuron ignores input after a spike",
                0,
                w.refractory_max() as i64,
                Some(0),
                format!("refractory_bits = {}", w.refractory_bits),
            ),
        ]
    }

    fn state(&self, w: &Widths) -> Vec<StateField> {
        vec![
            StateField { name: "v", bits: w.potential_bits, signed: true },
            StateField { name: "refractory", bits: w.refractory_bits.max(1), signed: false },
        ]
    }

    fn step(&self, p: &Params, s: &mut State, input: i64, w: &Widths) -> bool {
        step_state(&LifParams::from_params(p), s, input, w)
    }

    fn step_run(&self, p: &Params, w: &Widths, run: Run<'_>) {
        let p = LifParams::from_params(p);
        // In i32 lanes when nothing can leave them: |v - leak| <= 2^(P-1) and the input is a
        // sum of at most 2^14 weights of at most 16 bits (validation), |input| <= 2^29, so
        // for P <= 30 every intermediate value is below 2^30 in magnitude.
        if w.potential_bits <= 30 {
            let l = Lanes::<i32>::new(&p, w);
            run.step::<i32, 2>(|[v, refractory, ..], x| l.step(v, refractory, x))
        } else {
            let l = Lanes::<i64>::new(&p, w);
            run.step::<i64, 2>(|[v, refractory, ..], x| l.step(v, refractory, x))
        }
    }

    fn type_words(&self, p: &Params) -> Vec<u64> {
        let l = LifParams::from_params(p);
        let subtract = l.reset_mode == ResetMode::Subtract;
        vec![
            l.threshold as u64,
            l.reset as u64,
            crate::memory_map::type_control(l.leak_shift, subtract, l.refractory),
        ]
    }

    fn type_word_geometry(&self, w: &Widths) -> Vec<TypeWord> {
        let control = crate::memory_map::type_control_fields(w.potential_bits, w.refractory_bits);
        vec![TypeWord::signed(w.potential_bits), TypeWord::signed(w.potential_bits), TypeWord::fields(&control)]
    }
}

/// One LIF timestep on state `[v, refractory]`; returns true when the neuron fires.
///
/// `input` is the exact sum of the weights delivered this timestep. While refractory the
/// neuron holds its potential and discards input: that keeps the update a pure function of
/// (state, input) with no hidden carry, which the hardware pipeline mirrors.
#[inline]
pub fn step(p: &LifParams, st: &mut NeuronState, input: i64, w: &Widths) -> bool {
    step_state(p, &mut st.s, input, w)
}

#[inline]
fn step_state(p: &LifParams, s: &mut State, input: i64, w: &Widths) -> bool {
    let [v, refractory, ..] = s;
    Lanes::<i64>::new(p, w).step(v, refractory, input)
}

/// A type's parameters and rails in lanes of `T`, made once per run of neurons.
struct Lanes<T> {
    threshold: T,
    leak_shift: u32,
    reset: T,
    subtract: bool,
    refractory: T,
    min: T,
    max: T,
}

impl<T: Lane> Lanes<T> {
    #[inline]
    fn new(p: &LifParams, w: &Widths) -> Self {
        Self {
            threshold: T::of(p.threshold),
            leak_shift: p.leak_shift,
            reset: T::of(p.reset),
            subtract: p.reset_mode == ResetMode::Subtract,
            refractory: T::of(p.refractory as i64),
            min: T::of(w.potential_min()),
            max: T::of(w.potential_max()),
        }
    }

    /// The update itself, the only place it is written (`docs/semantics.md`, "lif").
    #[inline(always)]
    fn step(&self, v: &mut T, refractory: &mut T, input: T) -> bool {
        if *refractory > T::ZERO {
            *refractory = *refractory - T::ONE;
            return false;
        }
        // `>>` on signed integers is an arithmetic shift, i.e. floor division by 2^k, as in
        // the RTL.
        let leak = if self.leak_shift == 0 { T::ZERO } else { *v >> self.leak_shift };
        // Saturation; `max` then `min` rather than `clamp`, whose min <= max assertion would
        // keep the loop from vectorising (the rails come from the widths: min < max).
        let u = (*v - leak + input).max(self.min).min(self.max);
        if u >= self.threshold {
            // threshold >= 1 and u >= threshold, so u - threshold lies in [0, u): no overflow.
            *v = if self.subtract { u - self.threshold } else { self.reset };
            *refractory = self.refractory;
            true
        } else {
            *v = u;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: Widths = Widths { weight_bits: 4, potential_bits: 8, current_bits: 8, refractory_bits: 2 };

    fn lif(threshold: i64, leak_shift: u32, reset: i64, reset_mode: ResetMode, refractory: u32) -> LifParams {
        LifParams { threshold, leak_shift, reset, reset_mode, refractory }
    }

    fn run(p: &LifParams, v: i64, input: i64) -> (NeuronState, bool) {
        let mut s = NeuronState { s: [v, 0, 0, 0] };
        let f = step(p, &mut s, input, &W);
        (s, f)
    }

    #[test]
    fn saturates_at_the_top_rail_then_fires() {
        // 8-bit potentials: max 127. 120 + 100 saturates to 127 before the threshold compare.
        let p = lif(127, 0, -5, ResetMode::Value, 0);
        let (s, f) = run(&p, 120, 100);
        assert!(f);
        assert_eq!(s.v(), -5);
        let p = lif(127, 0, 0, ResetMode::Subtract, 0);
        let (s, f) = run(&p, 120, 100);
        assert!(f, "127 >= 127");
        assert_eq!(s.v(), 0, "subtract works on the saturated value: 127 - 127");
    }

    #[test]
    fn saturates_at_the_bottom_rail() {
        let p = lif(10, 0, 0, ResetMode::Value, 0);
        let (s, f) = run(&p, -120, -100);
        assert!(!f);
        assert_eq!(s.v(), -128);
        let (s, _) = run(&p, -128, -1);
        assert_eq!(s.v(), -128, "stays on the rail");
    }

    #[test]
    fn leak_is_an_arithmetic_shift_toward_minus_infinity() {
        let p = lif(100, 1, 0, ResetMode::Value, 0);
        // 5 >> 1 = 2: 5 - 2 = 3. -5 >> 1 = -3 (floor): -5 + 3 = -2.
        assert_eq!(run(&p, 5, 0).0.v(), 3);
        assert_eq!(run(&p, -5, 0).0.v(), -2);
        assert_eq!(run(&p, -1, 0).0.v(), 0, "-1 >> 1 = -1, so -1 decays to 0");
        assert_eq!(run(&p, 1, 0).0.v(), 1, "1 >> 1 = 0, so +1 never decays");
        let p4 = lif(100, 4, 0, ResetMode::Value, 0);
        assert_eq!(run(&p4, 100, 3).0.v(), 100 - 6 + 3);
    }

    #[test]
    fn zero_leak_shift_means_no_leak() {
        let p = lif(100, 0, 0, ResetMode::Value, 0);
        assert_eq!(run(&p, 50, 0).0.v(), 50);
        assert_eq!(run(&p, -50, 0).0.v(), -50);
    }

    #[test]
    fn refractory_holds_potential_and_discards_input() {
        let p = lif(10, 0, 3, ResetMode::Value, 2);
        let mut s = NeuronState::default();
        assert!(step(&p, &mut s, 10, &W));
        assert_eq!((s.v(), s.s[1]), (3, 2));
        assert!(!step(&p, &mut s, 100, &W));
        assert_eq!((s.v(), s.s[1]), (3, 1));
        assert!(!step(&p, &mut s, 100, &W));
        assert_eq!((s.v(), s.s[1]), (3, 0));
        assert!(step(&p, &mut s, 7, &W), "3 + 7 >= 10 once refractory ends");
    }

    #[test]
    fn reset_at_or_above_threshold_fires_every_step() {
        let p = lif(5, 0, 6, ResetMode::Value, 0);
        let mut s = NeuronState::default();
        assert!(step(&p, &mut s, 5, &W));
        for _ in 0..10 {
            assert!(step(&p, &mut s, 0, &W));
            assert_eq!(s.v(), 6);
        }
    }

    #[test]
    fn subtract_mode_keeps_the_excess() {
        let p = lif(10, 0, 0, ResetMode::Subtract, 0);
        let (s, f) = run(&p, 4, 9);
        assert!(f);
        assert_eq!(s.v(), 3);
    }

    #[test]
    fn just_below_threshold_does_not_fire() {
        let p = lif(10, 0, 0, ResetMode::Value, 0);
        let (s, f) = run(&p, 0, 9);
        assert!(!f);
        assert_eq!(s.v(), 9);
    }
}
