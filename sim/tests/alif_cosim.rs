//! The pipelined `alif` datapath in Verilator against the spec's `alif` update: random vectors
//! at every potential width on the 34- and 18-bit datapaths, and every state and input at 4 bits.

mod common;

use common::{edge, Datapath};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::neuron::alif::{AlifUpdate, LATENCY};
use spikemesh_spec::neuron::{model_named, Params, Widths, MAX_PARAMS};

/// One neuron for the datapath: state `[v, a, refractory]`, its input, its type.
#[derive(Debug, Clone, Copy)]
struct Vector {
    state: [i64; 3],
    acc: i64,
    params: Params,
}

fn datapath<const D: usize>(p: usize) -> Datapath {
    let v = spikemesh_hdl::verilog_of(AlifUpdate::<D>::new(p));
    Datapath::new(&v, &format!("the {D}-bit alif datapath (P = {p})"), LATENCY)
}

fn widths(p: u32) -> Widths {
    Widths { weight_bits: 8, potential_bits: p, current_bits: p, refractory_bits: 8 }
}

/// Streams `runs` of one type each and checks every result against the spec's `step`.
fn check(dp: &mut Datapath, w: &Widths, runs: &[Vec<Vector>]) -> usize {
    let alif = model_named("alif").unwrap().get();
    let [pv, pa, pr, pacc] = ["v", "a", "refractory", "acc"].map(|n| dp.m.port(n));
    let [ov, owv, oa, or, ofire] = ["v_next", "write_v", "a_next", "refractory_next", "fire"].map(|n| dp.m.port(n));
    let words = ["threshold", "reset", "control", "adapt_step", "adapt_shift"].map(|n| dp.m.port(n));
    let mut checked = 0;
    for run in runs {
        for (q, value) in words.iter().zip(alif.type_words(&run[0].params)) {
            dp.m.set(*q, value);
        }
        checked += dp.run(
            run.len(),
            |m, i| {
                let x = run[i];
                m.set(pv, x.state[0] as u64);
                m.set(pa, x.state[1] as u64);
                m.set(pr, x.state[2] as u64);
                m.set(pacc, x.acc as u64);
            },
            |i| {
                let x = run[i];
                let mut s = [x.state[0], x.state[1], x.state[2], 0];
                let fire = alif.step(&x.params, &mut s, x.acc, w);
                let v = (x.state[2] == 0).then_some(s[0]);
                ((v, s[1], s[2], fire), format!("{x:?} P={}", w.potential_bits))
            },
            |m| {
                let v = (m.get(owv) == 1).then(|| m.get_signed(ov));
                (v, m.get(oa) as i64, m.get(or) as i64, m.get(ofire) == 1)
            },
        );
    }
    checked
}

/// Random runs of random types for `w`, with inputs up to `acc_lim` in magnitude.
fn random_runs(w: &Widths, acc_lim: i64, seed: u64, vectors: usize) -> Vec<Vec<Vector>> {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let (pmin, pmax) = (w.potential_min(), w.potential_max());
    let pb = w.potential_bits as i64;
    let mut runs = Vec::new();
    let mut left = vectors;
    while left > 0 {
        let mut p: Params = [0; MAX_PARAMS];
        p[..7].copy_from_slice(&[
            edge(&mut r, 1, pmax),
            r.gen_range(0..pb),
            edge(&mut r, pmin, pmax),
            r.gen_range(0..2),
            r.gen_range(0..256),
            edge(&mut r, 0, pmax),
            r.gen_range(0..pb),
        ]);
        let n = r.gen_range(1..200).min(left);
        left -= n;
        let run = (0..n)
            .map(|_| Vector {
                state: [
                    edge(&mut r, pmin, pmax),
                    edge(&mut r, 0, pmax),
                    if r.gen_bool(0.7) { 0 } else { r.gen_range(1..256) },
                ],
                acc: edge(&mut r, -acc_lim - 1, acc_lim),
                params: p,
            })
            .collect();
        runs.push(run);
    }
    runs
}

#[test]
fn alif_datapath_is_bit_exact_with_the_spec() {
    for p in [4u32, 8, 12, 16, 24, 32] {
        let w = widths(p);
        let n = check(&mut datapath::<34>(p as usize), &w, &random_runs(&w, (1 << 29) - 1, p as u64, 100_000));
        assert!(n >= 100_000);
    }
    // The 18-bit datapath of potentials up to 16 bits.
    for p in [8u32, 16] {
        let w = widths(p);
        let n = check(&mut datapath::<18>(p as usize), &w, &random_runs(&w, (1 << 16) - 1, 99, 100_000));
        assert!(n >= 100_000);
    }
}

#[test]
fn alif_datapath_is_exact_on_every_small_state_and_input() {
    let w = widths(4);
    let mut dp = datapath::<34>(4);
    let mut runs = Vec::new();
    for threshold in [1, 4, 7] {
        for (leak, subtract, step, shift) in [(0, 0, 0, 0), (1, 1, 3, 1), (3, 0, 7, 3), (2, 1, 5, 0)] {
            let mut params: Params = [0; MAX_PARAMS];
            params[..7].copy_from_slice(&[threshold, leak, -5, subtract, 2, step, shift]);
            let mut run = Vec::new();
            for v in -8..=7 {
                for a in 0..=7 {
                    for acc in -16..=15 {
                        for refr in 0..=1 {
                            run.push(Vector { state: [v, a, refr], acc, params });
                        }
                    }
                }
            }
            runs.push(run);
        }
    }
    assert_eq!(check(&mut dp, &w, &runs), 3 * 4 * 16 * 8 * 32 * 2);
}
