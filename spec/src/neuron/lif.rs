//! Leaky integrate-and-fire, exactly as `docs/semantics.md` states it.

use super::{NeuronState, Widths};
use serde::Serialize;

/// What happens to the potential after a spike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMode {
    /// v is set to `reset`.
    Value,
    /// `threshold` is subtracted from v.
    Subtract,
}

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

/// One LIF timestep; returns true when the neuron fires.
///
/// `input` is the exact sum of the weights delivered this timestep. While refractory the
/// neuron holds its potential and discards input: that keeps the update a pure function of
/// (state, input) with no hidden carry, which the hardware pipeline mirrors.
#[inline]
pub fn step(p: &LifParams, s: &mut NeuronState, input: i64, w: &Widths) -> bool {
    if s.refractory > 0 {
        s.refractory -= 1;
        return false;
    }
    // `>>` on i64 is an arithmetic shift, i.e. floor division by 2^k, as in the RTL.
    let leak = if p.leak_shift == 0 { 0 } else { s.v >> p.leak_shift };
    let u = (s.v - leak + input).clamp(w.potential_min(), w.potential_max());
    if u >= p.threshold {
        s.v = match p.reset_mode {
            ResetMode::Value => p.reset,
            // threshold >= 1 and u >= threshold, so u - threshold lies in [0, u): no overflow.
            ResetMode::Subtract => u - p.threshold,
        };
        s.refractory = p.refractory;
        true
    } else {
        s.v = u;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: Widths = Widths { weight_bits: 4, potential_bits: 8, refractory_bits: 2 };

    fn lif(threshold: i64, leak_shift: u32, reset: i64, reset_mode: ResetMode, refractory: u32) -> LifParams {
        LifParams { threshold, leak_shift, reset, reset_mode, refractory }
    }

    fn run(p: &LifParams, v: i64, input: i64) -> (NeuronState, bool) {
        let mut s = NeuronState { v, ..Default::default() };
        let f = step(p, &mut s, input, &W);
        (s, f)
    }

    #[test]
    fn saturates_at_the_top_rail_then_fires() {
        // 8-bit potentials: max 127. 120 + 100 saturates to 127 before the threshold compare.
        let p = lif(127, 0, -5, ResetMode::Value, 0);
        let (s, f) = run(&p, 120, 100);
        assert!(f);
        assert_eq!(s.v, -5);
        let p = lif(127, 0, 0, ResetMode::Subtract, 0);
        let (s, f) = run(&p, 120, 100);
        assert!(f, "127 >= 127");
        assert_eq!(s.v, 0, "subtract works on the saturated value: 127 - 127");
    }

    #[test]
    fn saturates_at_the_bottom_rail() {
        let p = lif(10, 0, 0, ResetMode::Value, 0);
        let (s, f) = run(&p, -120, -100);
        assert!(!f);
        assert_eq!(s.v, -128);
        let (s, _) = run(&p, -128, -1);
        assert_eq!(s.v, -128, "stays on the rail");
    }

    #[test]
    fn leak_is_an_arithmetic_shift_toward_minus_infinity() {
        let p = lif(100, 1, 0, ResetMode::Value, 0);
        // 5 >> 1 = 2: 5 - 2 = 3. -5 >> 1 = -3 (floor): -5 + 3 = -2.
        assert_eq!(run(&p, 5, 0).0.v, 3);
        assert_eq!(run(&p, -5, 0).0.v, -2);
        assert_eq!(run(&p, -1, 0).0.v, 0, "-1 >> 1 = -1, so -1 decays to 0");
        assert_eq!(run(&p, 1, 0).0.v, 1, "1 >> 1 = 0, so +1 never decays");
        let p4 = lif(100, 4, 0, ResetMode::Value, 0);
        assert_eq!(run(&p4, 100, 3).0.v, 100 - 6 + 3);
    }

    #[test]
    fn zero_leak_shift_means_no_leak() {
        let p = lif(100, 0, 0, ResetMode::Value, 0);
        assert_eq!(run(&p, 50, 0).0.v, 50);
        assert_eq!(run(&p, -50, 0).0.v, -50);
    }

    #[test]
    fn refractory_holds_potential_and_discards_input() {
        let p = lif(10, 0, 3, ResetMode::Value, 2);
        let mut s = NeuronState::default();
        assert!(step(&p, &mut s, 10, &W));
        assert_eq!((s.v, s.refractory), (3, 2));
        assert!(!step(&p, &mut s, 100, &W));
        assert_eq!((s.v, s.refractory), (3, 1));
        assert!(!step(&p, &mut s, 100, &W));
        assert_eq!((s.v, s.refractory), (3, 0));
        assert!(step(&p, &mut s, 7, &W), "3 + 7 >= 10 once refractory ends");
    }

    #[test]
    fn reset_at_or_above_threshold_fires_every_step() {
        let p = lif(5, 0, 6, ResetMode::Value, 0);
        let mut s = NeuronState::default();
        assert!(step(&p, &mut s, 5, &W));
        for _ in 0..10 {
            assert!(step(&p, &mut s, 0, &W));
            assert_eq!(s.v, 6);
        }
    }

    #[test]
    fn subtract_mode_keeps_the_excess() {
        let p = lif(10, 0, 0, ResetMode::Subtract, 0);
        let (s, f) = run(&p, 4, 9);
        assert!(f);
        assert_eq!(s.v, 3);
    }

    #[test]
    fn just_below_threshold_does_not_fire() {
        let p = lif(10, 0, 0, ResetMode::Value, 0);
        let (s, f) = run(&p, 0, 9);
        assert!(!f);
        assert_eq!(s.v, 9);
    }
}
