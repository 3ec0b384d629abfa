//! `cuba`: current-based LIF with Loihi's fixed-point arithmetic, as Lava's bit-accurate LIF
//! process model (`PyLifModelBitAcc`) computes it; `docs/semantics.md` has the equations.
//!
//! With `current_bits = potential_bits = 24`, `align_shift = 6`, `reset = 0`, value reset and
//! no refractory period, a type here is Lava's LIF with the same `du`, `dv`, `vth`
//! (= `threshold`) and effective bias (`bias_mant << bias_exp` = `bias`), step for step.

use super::{decay12, step_registers, Model, ParamSpec, Params, Run, State, StateField, TypeWord, Widths};

/// The model, as `neuron::MODELS` lists it.
pub static MODEL: Cuba = Cuba;

// Parameter slots, in `params()` order.
const THRESHOLD: usize = 0;
const DU: usize = 1;
const DV: usize = 2;
const BIAS: usize = 3;
const ALIGN_SHIFT: usize = 4;
const RESET: usize = 5;
const RESET_MODE: usize = 6;
const REFRACTORY: usize = 7;

/// `cuba`'s reset modes as the file writes them: lif's two, and `deferred`, the threshold
/// subtracted at the next update after the decay (snnTorch's and Spyx's reset;
/// docs/semantics.md). The index is the mode's code in type word 3, bits 25:24.
pub const RESET_MODES: &[&str] = &["value", "subtract", "deferred"];
const VALUE: i64 = 0;
const SUBTRACT: i64 = 1;
const DEFERRED: i64 = 2;

/// The `cuba` model.
pub struct Cuba;

/// Largest `|v|`: Loihi saturates the potential symmetrically, at `±(2^(P-1) - 1)`.
fn v_limit(w: &Widths) -> i64 {
    w.potential_max()
}

/// `x` wrapped modulo `2^bits` into `(-2^(bits-1), 2^(bits-1)]`: Lava keeps `+2^(bits-1)`
/// and maps `-2^(bits-1)` onto it, so this range (not two's complement's) is the exact one.
pub fn wrap_current(x: i64, bits: u32) -> i64 {
    let m = x.rem_euclid(1i64 << bits);
    if m > 1i64 << (bits - 1) {
        m - (1i64 << bits)
    } else {
        m
    }
}

impl Model for Cuba {
    fn name(&self) -> &'static str {
        "cuba"
    }

    fn summary(&self) -> &'static str {
        "current-based LIF, Loihi fixed point (12-bit decays rounded toward zero, u wraps, v saturates)"
    }

    fn params(&self, w: &Widths) -> Vec<ParamSpec> {
        let pb = format!("potential_bits = {}", w.potential_bits);
        let vmax = v_limit(w);
        let decay = |name, doc| ParamSpec::int(name, doc, 0, 4095, Some(0), "a 12-bit decay constant".into());
        vec![
            ParamSpec::int(
                "threshold",
                "fires when v > threshold << align_shift",
                1,
                vmax,
                None,
                format!("threshold must be positive and fit {pb}"),
            ),
            decay("du", "current decay: u keeps 4096 - (du + 1) parts in 4096 (Loihi's ds_offset)"),
            decay("dv", "voltage decay: v keeps 4096 - dv parts in 4096"),
            ParamSpec::int("bias", "added to v every timestep", -vmax, vmax, Some(0), pb.clone()),
            ParamSpec::int(
                "align_shift",
                "input and threshold are shifted left by this (Loihi's MSB alignment is 6)",
                0,
                16,
                Some(0),
                "at most 16".into(),
            ),
            ParamSpec::int("reset", "potential after a spike (value mode)", -vmax, vmax, Some(0), pb),
            ParamSpec::choice(
                "reset_mode",
                "value: v = reset; subtract: v -= threshold << align_shift; deferred: the same, at the next update after the decay",
                RESET_MODES,
                0,
            ),
            ParamSpec::int(
                "refractory",
                "timesteps v is held after a spike (u goes on integrating)",
                0,
                w.refractory_max() as i64,
                Some(0),
                format!("refractory_bits = {}", w.refractory_bits),
            ),
        ]
    }

    fn check(&self, p: &Params, w: &Widths) -> Result<(), (&'static str, String)> {
        let t = p[THRESHOLD] << p[ALIGN_SHIFT];
        if t > v_limit(w) {
            return Err((
                "threshold",
                format!(
                    "threshold {} << align_shift {} = {t} does not fit potential_bits = {} (at most {})",
                    p[THRESHOLD],
                    p[ALIGN_SHIFT],
                    w.potential_bits,
                    v_limit(w)
                ),
            ));
        }
        Ok(())
    }

    fn state(&self, w: &Widths) -> Vec<StateField> {
        vec![
            StateField { name: "v", bits: w.potential_bits, signed: true },
            // One bit more than current_bits: the wrap range includes +2^(U-1).
            StateField { name: "u", bits: w.current_bits + 1, signed: true },
            StateField { name: "refractory", bits: w.refractory_bits.max(1), signed: false },
        ]
    }

    fn step_run(&self, p: &Params, w: &Widths, run: Run<'_>) {
        // Three registers: the fourth column is neither read nor written.
        step_registers::<Self, 3>(self, p, w, run)
    }

    // Inlined into the golden model's update loop (`step_registers`), so that it vectorises.
    #[inline(always)]
    fn step(&self, p: &Params, s: &mut State, input: i64, w: &Widths) -> bool {
        let [v, u, refractory, ..] = s;
        let shift = p[ALIGN_SHIFT];
        *u = wrap_current(decay12(*u, p[DU] + 1) + (input << shift), w.current_bits);
        if *refractory > 0 {
            *refractory -= 1;
            return false;
        }
        let lim = v_limit(w);
        let theta = p[THRESHOLD] << shift;
        // Deferred: the spike that left v above theta is subtracted now, after the decay.
        let late = if p[RESET_MODE] == DEFERRED && *v > theta { theta } else { 0 };
        let next = (decay12(*v, p[DV]) + *u + p[BIAS] - late).clamp(-lim, lim);
        if next > theta {
            *v = match p[RESET_MODE] {
                VALUE => p[RESET],
                SUBTRACT => next - theta,
                _ => next,
            };
            *refractory = p[REFRACTORY];
            true
        } else {
            *v = next;
            false
        }
    }

    fn type_words(&self, p: &Params) -> Vec<u64> {
        vec![
            p[THRESHOLD] as u64,
            p[BIAS] as u64,
            p[RESET] as u64,
            (p[DU] | p[DV] << 12 | p[RESET_MODE] << 24) as u64,
            (p[ALIGN_SHIFT] | p[REFRACTORY] << 5) as u64,
        ]
    }

    fn type_word_geometry(&self, w: &Widths) -> Vec<TypeWord> {
        let pb = w.potential_bits;
        vec![
            TypeWord::signed(pb),
            TypeWord::signed(pb),
            TypeWord::signed(pb),
            TypeWord::fields(&[(0, 12), (12, 12), (24, 2)]),
            TypeWord::fields(&[(0, 5), (5, w.refractory_bits.max(1))]),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neuron::MAX_PARAMS;

    const W: Widths = Widths { weight_bits: 8, potential_bits: 24, current_bits: 24, refractory_bits: 2 };

    fn params(threshold: i64, du: i64, dv: i64, bias: i64, shift: i64) -> Params {
        let mut p = [0; MAX_PARAMS];
        p[..5].copy_from_slice(&[threshold, du, dv, bias, shift]);
        p
    }

    #[test]
    fn wrap_keeps_the_positive_end_and_moves_the_negative_one_onto_it() {
        let h = 1i64 << 23;
        assert_eq!(wrap_current(h, 24), h, "Lava keeps 2^23");
        assert_eq!(wrap_current(-h, 24), h, "Lava maps -2^23 to +2^23");
        assert_eq!(wrap_current(h + 1, 24), -h + 1);
        assert_eq!(wrap_current(-h - 1, 24), h - 1);
        assert_eq!(wrap_current(12345, 24), 12345);
    }

    #[test]
    fn current_decays_with_the_ds_offset_and_input_is_aligned() {
        let p = params(1000, 0, 0, 0, 6);
        // du = 0 still decays u by one part in 4096: u' = 4096 * 4095 >> 12 + (1 << 6).
        let mut s = [0, 4096, 0, 0];
        let mut st = s;
        Cuba.step(&p, &mut st, 1, &W);
        assert_eq!(st[1], 4095 + 64);
        // -4096 decays toward zero too (rounding toward zero, not floor).
        s[1] = -4097;
        let mut st = s;
        Cuba.step(&p, &mut st, 0, &W);
        assert_eq!(st[1], -((4097 * 4095) >> 12));
    }

    #[test]
    fn v_saturates_symmetrically_and_fires_strictly_above_threshold() {
        let lim = (1i64 << 23) - 1;
        let p = params(lim >> 6, 4095, 0, 0, 6);
        let mut s = [-lim, -(1i64 << 22), 0, 0];
        assert!(!Cuba.step(&p, &mut s, -(1 << 10), &W));
        assert_eq!(s[0], -lim, "saturates at -(2^23 - 1), not -2^23");
        let theta = (lim >> 6) << 6;
        let mut s = [theta - 1, 0, 0, 0];
        // du = 4095 clears u; v' = v + input << 6 = theta - 1 + 64 > theta: fires.
        assert!(Cuba.step(&p, &mut s, 1, &W));
        assert_eq!(s[0], 0);
        let mut s = [theta - 64, 0, 0, 0];
        assert!(!Cuba.step(&p, &mut s, 1, &W), "v == threshold does not fire");
        assert_eq!(s[0], theta);
    }

    #[test]
    fn refractory_holds_v_while_the_current_integrates() {
        let mut p = params(10, 4095, 0, 0, 0);
        p[REFRACTORY] = 2;
        let mut s = [0, 0, 0, 0];
        assert!(Cuba.step(&p, &mut s, 20, &W));
        assert_eq!(s, [0, 20, 2, 0]);
        assert!(!Cuba.step(&p, &mut s, 30, &W));
        assert_eq!(s, [0, 30, 1, 0]);
        assert!(!Cuba.step(&p, &mut s, 5, &W));
        assert_eq!(s, [0, 5, 0, 0]);
    }

    #[test]
    fn threshold_that_does_not_fit_after_the_shift_is_refused() {
        let p = params(1 << 17, 0, 0, 0, 6);
        assert!(Cuba.check(&p, &W).is_err());
        let p = params((1 << 17) - 1, 0, 0, 0, 6);
        assert!(Cuba.check(&p, &W).is_ok());
    }
}
