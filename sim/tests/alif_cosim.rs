//! The pipelined `alif` datapath in Verilator against the spec's `alif` update: random vectors
//! at every potential width on the 34- and 18-bit datapaths, and every state and input at 4 bits.

mod common;

use common::{check_against_spec, edge, random_runs_of, Datapath, Ports, Vector};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::neuron::alif::{AlifUpdate, LATENCY};
use spikemesh_spec::neuron::{Params, Widths, MAX_PARAMS};

fn datapath<const D: usize>(p: usize) -> Datapath {
    let v = spikemesh_hdl::verilog_of(AlifUpdate::<D>::new(p));
    Datapath::new(&v, &format!("the {D}-bit alif datapath (P = {p})"), LATENCY)
}

fn widths(p: u32) -> Widths {
    Widths { weight_bits: 8, potential_bits: p, current_bits: p, refractory_bits: 8 }
}

/// Streams `runs` of one type each and checks every result against the spec's `step`.
fn check(dp: &mut Datapath, w: &Widths, runs: &[Vec<Vector>]) -> usize {
    let ports = Ports {
        middle: "a",
        middle_next: "a_next",
        words: ["threshold", "reset", "control", "adapt_step", "adapt_shift"],
    };
    check_against_spec(dp, "alif", &ports, w, runs)
}

/// Random runs of random types for `w`, with inputs up to `acc_lim` in magnitude.
fn random_runs(w: &Widths, acc_lim: i64, seed: u64, vectors: usize) -> Vec<Vec<Vector>> {
    let (pmin, pmax) = (w.potential_min(), w.potential_max());
    let pb = w.potential_bits as i64;
    let params = |r: &mut ChaCha8Rng| {
        let mut p: Params = [0; MAX_PARAMS];
        p[..7].copy_from_slice(&[
            edge(r, 1, pmax),
            r.gen_range(0..pb),
            edge(r, pmin, pmax),
            r.gen_range(0..2),
            r.gen_range(0..256),
            edge(r, 0, pmax),
            r.gen_range(0..pb),
        ]);
        p
    };
    let vector = |r: &mut ChaCha8Rng, params: Params| Vector {
        state: [edge(r, pmin, pmax), edge(r, 0, pmax), if r.gen_bool(0.7) { 0 } else { r.gen_range(1..256) }],
        acc: edge(r, -acc_lim - 1, acc_lim),
        params,
    };
    random_runs_of(seed, vectors, params, vector)
}

#[test]
fn alif_datapath_is_bit_exact_with_the_spec() {
    for p in [4u32, 8, 12, 16, 24, 32] {
        let w = widths(p);
        let n = check(&mut datapath::<34>(p as usize), &w, &random_runs(&w, (1 << 29) - 1, p as u64, 300_000));
        assert!(n >= 300_000);
    }
    // The 18-bit datapath of potentials up to 16 bits.
    for p in [8u32, 16] {
        let w = widths(p);
        let n = check(&mut datapath::<18>(p as usize), &w, &random_runs(&w, (1 << 16) - 1, 99, 200_000));
        assert!(n >= 200_000);
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
