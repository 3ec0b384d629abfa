//! `alif`: LIF whose threshold rises by `adapt_step` at each spike and decays back, exactly as
//! `docs/semantics.md` ("The `alif` update") states it. Written from `docs/neuron-models.md`.

use super::lif::ResetMode;
use super::{step_registers, Model, ParamSpec, Params, Run, State, StateField, TypeWord, Widths};

/// The model, as `neuron::MODELS` lists it.
pub static MODEL: Alif = Alif;

// Parameter slots, in `params()` order: lif's five, then the adaptation.
const THRESHOLD: usize = 0;
const LEAK_SHIFT: usize = 1;
const RESET: usize = 2;
const RESET_MODE: usize = 3;
const REFRACTORY: usize = 4;
const ADAPT_STEP: usize = 5;
const ADAPT_SHIFT: usize = 6;

/// The `alif` model.
pub struct Alif;

impl Model for Alif {
    fn name(&self) -> &'static str {
        "alif"
    }

    fn summary(&self) -> &'static str {
        "adaptive LIF: the threshold rises by adapt_step at each spike and decays back by a shift"
    }

    fn params(&self, w: &Widths) -> Vec<ParamSpec> {
        let pb = format!("potential_bits = {}", w.potential_bits);
        let mut p = super::lif::MODEL.params(w);
        p.push(ParamSpec::int(
            "adapt_step",
            "added to the threshold's adaptation at each spike",
            0,
            w.potential_max(),
            Some(0),
            pb,
        ));
        p.push(ParamSpec::int(
            "adapt_shift",
            "the adaptation loses a >> adapt_shift each timestep; 0 = it never decays",
            0,
            w.potential_bits as i64 - 1,
            Some(0),
            "0 = no decay".into(),
        ));
        p
    }

    fn state(&self, w: &Widths) -> Vec<StateField> {
        vec![
            StateField { name: "v", bits: w.potential_bits, signed: true },
            StateField { name: "adaptation", bits: w.potential_bits - 1, signed: false },
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
        let [v, a, refractory, ..] = s;
        let shift = p[ADAPT_SHIFT];
        let a1 = if shift == 0 { *a } else { *a - (*a >> shift) };
        if *refractory > 0 {
            *refractory -= 1;
            *a = a1;
            return false;
        }
        let leak = if p[LEAK_SHIFT] == 0 { 0 } else { *v >> p[LEAK_SHIFT] };
        let u = (*v - leak + input).clamp(w.potential_min(), w.potential_max());
        let theta = p[THRESHOLD] + a1;
        if u >= theta {
            *v = if p[RESET_MODE] == ResetMode::Subtract as i64 { u - theta } else { p[RESET] };
            *a = (a1 + p[ADAPT_STEP]).min(w.potential_max());
            *refractory = p[REFRACTORY];
            true
        } else {
            *v = u;
            *a = a1;
            false
        }
    }

    fn type_words(&self, p: &Params) -> Vec<u64> {
        let subtract = p[RESET_MODE] == ResetMode::Subtract as i64;
        vec![
            p[THRESHOLD] as u64,
            p[RESET] as u64,
            crate::memory_map::type_control(p[LEAK_SHIFT] as u32, subtract, p[REFRACTORY] as u32),
            p[ADAPT_STEP] as u64,
            p[ADAPT_SHIFT] as u64,
        ]
    }

    fn type_word_geometry(&self, w: &Widths) -> Vec<TypeWord> {
        let mut g = super::lif::MODEL.type_word_geometry(w);
        g.push(TypeWord::fields(&[(0, w.potential_bits - 1)]));
        g.push(TypeWord::fields(&[(0, 5)]));
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neuron::{lif, NeuronState, MAX_PARAMS};

    const W: Widths = Widths { weight_bits: 4, potential_bits: 8, current_bits: 8, refractory_bits: 2 };

    fn params(threshold: i64, leak: i64, subtract: bool, refractory: i64, step: i64, shift: i64) -> Params {
        let mut p = [0; MAX_PARAMS];
        p[..7].copy_from_slice(&[threshold, leak, 0, subtract as i64, refractory, step, shift]);
        p
    }

    #[test]
    fn threshold_rises_at_each_spike_and_decays_back() {
        let p = params(10, 0, false, 0, 8, 1);
        let mut s = [0; 4];
        assert!(Alif.step(&p, &mut s, 10, &W));
        assert_eq!(s[..2], [0, 8], "a = 0 + 8");
        // a decays to 4 first, so the threshold is 14: 13 does not fire, 14 does.
        assert!(!Alif.step(&p, &mut s, 13, &W));
        assert_eq!(s[..2], [13, 4]);
        let mut s2 = [0, 4, 0, 0];
        assert!(Alif.step(&p, &mut s2, 12, &W), "a decays to 2: 12 >= 10 + 2");
        assert_eq!(s2[1], 2 + 8);
    }

    #[test]
    fn adaptation_saturates_and_subtract_uses_the_raised_threshold() {
        let p = params(100, 0, true, 0, 100, 0);
        let mut s = [0, 120, 0, 0];
        assert!(!Alif.step(&p, &mut s, 127, &W), "threshold 220 is above every potential");
        let p = params(10, 0, true, 0, 100, 0);
        let mut s = [0, 100, 0, 0];
        assert!(Alif.step(&p, &mut s, 127, &W));
        assert_eq!(s[..2], [127 - 110, 127], "v = u - (10 + 100); a = min(100 + 100, 127)");
    }

    #[test]
    fn refractory_holds_v_and_the_adaptation_still_decays() {
        let p = params(5, 0, false, 2, 16, 2);
        let mut s = [0; 4];
        assert!(Alif.step(&p, &mut s, 5, &W));
        assert_eq!(s[..3], [0, 16, 2]);
        assert!(!Alif.step(&p, &mut s, 100, &W));
        assert_eq!(s[..3], [0, 12, 1]);
    }

    #[test]
    fn without_adaptation_it_is_lif() {
        for (threshold, leak, subtract, refractory, input) in
            [(10, 0, false, 0, 7), (10, 2, true, 1, 30), (3, 1, false, 3, -50), (127, 0, true, 0, 127)]
        {
            let p = params(threshold, leak, subtract, refractory, 0, 3);
            let l = lif::LifParams::from_params(&p);
            let (mut a, mut b) = ([0i64; 4], NeuronState::default());
            for k in 0..20 {
                let x = if k % 3 == 0 { input } else { input / 2 };
                let fa = Alif.step(&p, &mut a, x, &W);
                let fb = lif::step(&l, &mut b, x, &W);
                assert_eq!((fa, a[0], a[2]), (fb, b.s[0], b.s[1]), "step {k}");
            }
        }
    }
}
