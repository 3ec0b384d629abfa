//! The pipelined `cuba` datapath in Verilator against the spec's `cuba` update: random vectors
//! at real widths (edges of every range included), and every state and input at 4 bits,
//! streamed one per clock in runs of one type (results compared in order after the latency).

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::neuron::cuba::{CubaUpdate, LATENCY};
use spikemesh_spec::neuron::{Params, Widths, MAX_PARAMS};

mod common;

use common::{check_against_spec, edge, random_runs_of, Datapath, Ports, Vector};

fn datapath<const D: usize>(p: usize, u: usize) -> Datapath {
    let v = spikemesh_hdl::verilog_of(CubaUpdate::<D>::new(p, u));
    Datapath::new(&v, &format!("the {D}-bit cuba datapath (P = {p}, U = {u})"), LATENCY)
}

/// Streams `runs` of one type each and checks every result against the spec's `step`.
fn check(dp: &mut Datapath, w: &Widths, runs: &[Vec<Vector>]) -> usize {
    let ports = Ports { middle: "u", middle_next: "u_next", words: ["threshold", "bias", "reset", "decays", "timing"] };
    check_against_spec(dp, "cuba", &ports, w, runs)
}

fn widths(p: u32, u: u32) -> Widths {
    Widths { weight_bits: 8, potential_bits: p, current_bits: u, refractory_bits: 8 }
}

/// Random runs of random types for `w`, with inputs up to `acc_lim` in magnitude.
fn random_runs(w: &Widths, acc_lim: i64, seed: u64, vectors: usize) -> Vec<Vec<Vector>> {
    let lim = w.potential_max();
    let half = 1i64 << (w.current_bits - 1);
    let params = |r: &mut ChaCha8Rng| {
        let k = r.gen_range(0..=6.min(w.potential_bits as i64 - 2));
        let decay = |r: &mut ChaCha8Rng| [0, 1, 4094, 4095, r.gen_range(0..4096)][r.gen_range(0..5)];
        let mut p: Params = [0; MAX_PARAMS];
        p[..8].copy_from_slice(&[
            edge(r, 1, (lim >> k).max(1)),
            decay(r),
            decay(r),
            edge(r, -lim, lim),
            k,
            edge(r, -lim, lim),
            // value, subtract, deferred
            r.gen_range(0..3),
            r.gen_range(0..256),
        ]);
        p
    };
    let vector = |r: &mut ChaCha8Rng, params: Params| Vector {
        state: [edge(r, -lim, lim), edge(r, -half + 1, half), if r.gen_bool(0.7) { 0 } else { r.gen_range(1..256) }],
        acc: edge(r, -acc_lim - 1, acc_lim),
        params,
    };
    random_runs_of(seed, vectors, params, vector)
}

#[test]
fn cuba_datapath_is_bit_exact_with_the_spec() {
    // Lava's widths, and others, on the widest datapath with 24-bit inputs.
    let w = widths(24, 24);
    assert!(check(&mut datapath::<34>(24, 24), &w, &random_runs(&w, (1 << 23) - 1, 1, 1_000_000)) >= 1_000_000);
    for (p, u) in [(16, 16), (12, 20), (20, 12), (32, 32)] {
        let w = widths(p as u32, u as u32);
        let n = check(&mut datapath::<34>(p, u), &w, &random_runs(&w, (1 << 20) - 1, p as u64, 200_000));
        assert!(n >= 200_000);
    }
    // The 26-bit datapath a 24-bit cuba core gets.
    assert!(check(&mut datapath::<26>(24, 24), &w, &random_runs(&w, (1 << 14) - 1, 7, 400_000)) >= 400_000);
}

#[test]
fn cuba_datapath_is_exact_on_every_small_state_and_input() {
    // 4-bit potential and current: every v, u and input in range, refractory 0 and 1, under
    // decays at their edges and alignments 0..2.
    let (p, u) = (4u32, 4u32);
    let mut dp = datapath::<34>(p as usize, u as usize);
    let w = widths(p, u);
    let mut runs = Vec::new();
    for (du, dv) in [(0, 0), (4095, 4095), (0, 4095), (2047, 1), (4094, 2048)] {
        for k in 0..=2i64 {
            // (bias, reset mode: value 0, subtract 1, deferred 2)
            for (bias, subtract) in [(0, 0), (-7, 1), (5, 0), (3, 2), (-2, 2)] {
                let mut params: Params = [0; MAX_PARAMS];
                params[..8].copy_from_slice(&[(7 >> k).max(1), du, dv, bias, k, -3, subtract, 2]);
                let mut run = Vec::new();
                for v in -7..=7 {
                    for uu in -7..=8 {
                        for acc in -16..=15 {
                            for refr in 0..=1 {
                                run.push(Vector { state: [v, uu, refr], acc, params });
                            }
                        }
                    }
                }
                runs.push(run);
            }
        }
    }
    let n = check(&mut dp, &w, &runs);
    assert_eq!(n, 5 * 3 * 5 * 15 * 16 * 32 * 2);
}
