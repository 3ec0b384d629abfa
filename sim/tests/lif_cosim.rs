//! The pipelined LIF datapath in Verilator against the spec's LIF update, on random vectors
//! streamed one per clock in runs of one type (results compared in order after the pipeline
//! latency).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::neuron::lif::{LifUpdate, LATENCY};
use spikemesh_sim::verilator::{build, Model};
use spikemesh_spec::neuron::lif::{self, LifParams, ResetMode};
use spikemesh_spec::neuron::{NeuronState, Widths};
use std::collections::VecDeque;

#[test]
fn lif_datapath_is_bit_exact_with_the_spec() {
    // The widest datapath (34 bits) over every potential width, with 30-bit inputs.
    for pbits in [4u32, 8, 12, 16, 24, 32] {
        let v = spikemesh_hdl::verilog_of(LifUpdate::<34>::new(pbits as usize, true));
        check(pbits, &v, (1i64 << 29) - 1, "34-bit");
    }
}

#[test]
fn narrow_lif_datapath_is_bit_exact_with_the_spec() {
    // The 18-bit datapath the UP5K shape gets: potentials up to 16 bits, 17-bit inputs.
    for pbits in [4u32, 8, 12, 16] {
        // Both leaks: the DSP multiply and (for devices without DSPs) the shifter.
        for multiply in [true, false] {
            let v = spikemesh_hdl::verilog_of(LifUpdate::<18>::new(pbits as usize, multiply));
            check(pbits, &v, (1i64 << 16) - 1, if multiply { "18-bit" } else { "18-bit shifter" });
        }
    }
}

fn check(pbits: u32, v: &str, acc_lim: i64, what: &str) {
    let built = build(v, "top", false, &format!("the {what} LIF datapath ({pbits}-bit potentials)"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut m = Model::load(&built).unwrap();
    let p = |n: &str| m.port(n);
    let (clk, pin) = (p("clock"), p("in_valid"));
    let (pv, pr, pacc, pth, pleak, preset, psub, pref) = (
        p("v"),
        p("refractory"),
        p("acc"),
        p("threshold"),
        p("leak_shift"),
        p("reset"),
        p("subtract"),
        p("refractory_period"),
    );
    let (oval, ov, or, ofire, owv) = (p("out_valid"), p("v_next"), p("refractory_next"), p("fire"), p("write_v"));
    let w = Widths { weight_bits: 16, potential_bits: pbits, current_bits: pbits, refractory_bits: 8 };
    let (pmin, pmax) = (w.potential_min(), w.potential_max());
    let mut r = ChaCha8Rng::seed_from_u64(pbits as u64);
    let edge = |r: &mut ChaCha8Rng, lo: i64, hi: i64| -> i64 {
        match r.gen_range(0..6) {
            0 => lo,
            1 => hi,
            2 => 0,
            _ => r.gen_range(lo..=hi),
        }
    };
    let new_params = |r: &mut ChaCha8Rng| LifParams {
        threshold: edge(r, 1, pmax).max(1),
        leak_shift: r.gen_range(0..pbits),
        reset: edge(r, pmin, pmax),
        reset_mode: if r.gen_bool(0.5) { ResetMode::Value } else { ResetMode::Subtract },
        refractory: r.gen_range(0..=255),
    };
    // Results leave in the order neurons entered: (v written back, refractory, fire, what).
    let mut expected: VecDeque<(Option<i64>, u32, bool, String)> = VecDeque::new();
    let mut params = new_params(&mut r);
    // The parameters change only with the pipeline empty (the core's contract): runs of
    // neurons of one type, then a drain, then the next type.
    let mut draining = false;
    let (mut checked, mut types) = (0, 1);
    for n in 0..20_000 + LATENCY as u64 + 1 {
        if draining && expected.is_empty() {
            params = new_params(&mut r);
            types += 1;
            draining = false;
        }
        let feed = n < 20_000 && !draining && r.gen_bool(0.9);
        if feed {
            let refractory = if r.gen_bool(0.7) { 0 } else { r.gen_range(1..=255) };
            let state = NeuronState { s: [edge(&mut r, pmin, pmax), refractory, 0, 0] };
            let acc = edge(&mut r, -acc_lim - 1, acc_lim);
            m.set(pv, state.v() as u64);
            m.set(pr, refractory as u64);
            m.set(pacc, acc as u64);
            let mut want = state;
            let fire = lif::step(&params, &mut want, acc, &w);
            // A refractory neuron leaves its stored potential alone.
            let v = (refractory == 0).then_some(want.v());
            expected.push_back((v, want.s[1] as u32, fire, format!("P={pbits} {params:?} {state:?} acc={acc}")));
        }
        draining |= !feed && r.gen_bool(0.05);
        m.set(pth, params.threshold as u64);
        m.set(preset, params.reset as u64);
        m.set(pleak, params.leak_shift as u64);
        m.set(psub, (params.reset_mode == ResetMode::Subtract) as u64);
        m.set(pref, params.refractory as u64);
        m.set(pin, feed as u64);
        m.eval();
        if m.get(oval) == 1 {
            let (v, rr, fire, what) = expected.pop_front().expect("an output without an input");
            let got_v = (m.get(owv) == 1).then(|| m.get_signed(ov));
            assert_eq!((got_v, m.get(or) as u32, m.get(ofire) == 1), (v, rr, fire), "{what}");
            checked += 1;
        }
        m.tick(clk, 1);
    }
    assert!(expected.is_empty(), "{} results never came out", expected.len());
    assert!(checked > 15_000, "{checked}");
    assert!(types > 50, "few parameter sets: {types}");
}
