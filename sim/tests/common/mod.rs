//! Shared by the simulation tests: a neuron datapath in Verilator fed one neuron per clock,
//! random values and neuron tables, and random mesh networks. Each test uses a part of it.
#![allow(dead_code)]

pub mod link;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_sim::verilator::{build, Model, PortId};
use spikemesh_spec::neuron::{model_named, Params, Widths};
use std::collections::VecDeque;
use std::fmt::Debug;

/// A built datapath and its handshake ports.
pub struct Datapath {
    /// The model, for setting and reading the other ports.
    pub m: Model,
    clock: PortId,
    in_valid: PortId,
    out_valid: PortId,
    latency: usize,
}

impl Datapath {
    /// Builds (or loads from the cache) the datapath `verilog` with top module `top`.
    pub fn new(verilog: &str, what: &str, latency: usize) -> Self {
        let built = build(verilog, "top", false, what).unwrap_or_else(|e| panic!("{e}"));
        let m = Model::load(&built).unwrap();
        let (clock, in_valid, out_valid) = (m.port("clock"), m.port("in_valid"), m.port("out_valid"));
        Self { m, clock, in_valid, out_valid, latency }
    }

    /// Streams a run of `n` neurons of one type (its parameter ports already set), then lets
    /// the pipeline drain, as the core does before it changes parameters. `drive(m, i)` sets
    /// neuron i's inputs, `want(i)` is its expected result with a description, and `got(m)`
    /// reads the result leaving this clock. Returns the results checked.
    pub fn run<T: PartialEq + Debug>(
        &mut self,
        n: usize,
        mut drive: impl FnMut(&mut Model, usize),
        want: impl Fn(usize) -> (T, String),
        got: impl Fn(&Model) -> T,
    ) -> usize {
        let mut expected = VecDeque::new();
        let mut checked = 0;
        for k in 0..n + self.latency + 1 {
            if k < n {
                drive(&mut self.m, k);
                expected.push_back(want(k));
            }
            self.m.set(self.in_valid, (k < n) as u64);
            self.m.eval();
            if self.m.get(self.out_valid) == 1 {
                let (w, what) = expected.pop_front().expect("an output without an input");
                assert_eq!(got(&self.m), w, "{what}");
                checked += 1;
            }
            self.m.tick(self.clock, 1);
        }
        assert!(expected.is_empty(), "{} results never came out", expected.len());
        checked
    }
}

/// One neuron for a three-register datapath: state `[v, middle, refractory]`, its input, its type.
#[derive(Debug, Clone, Copy)]
pub struct Vector {
    /// Potential, middle register, refractory counter.
    pub state: [i64; 3],
    /// Summed input.
    pub acc: i64,
    /// The type's parameters.
    pub params: Params,
}

/// The ports of a three-register datapath, by name: the middle register's input and output,
/// and the type words' inputs in `type_words` order.
pub struct Ports {
    /// Middle register in (`u`, `a`).
    pub middle: &'static str,
    /// Middle register out (`u_next`, `a_next`).
    pub middle_next: &'static str,
    /// Type word inputs, word 0 first.
    pub words: [&'static str; 5],
}

/// Streams `runs` of one type each through `dp` and checks every result against `model`'s
/// `step` in the spec: the potential (when written), the middle register, the refractory
/// counter and the spike. Returns the results checked.
pub fn check_against_spec(dp: &mut Datapath, model: &str, ports: &Ports, w: &Widths, runs: &[Vec<Vector>]) -> usize {
    let spec = model_named(model).unwrap().get();
    let [pv, pm, pr, pacc] = ["v", ports.middle, "refractory", "acc"].map(|n| dp.m.port(n));
    let [ov, owv, om, or, ofire] =
        ["v_next", "write_v", ports.middle_next, "refractory_next", "fire"].map(|n| dp.m.port(n));
    let words = ports.words.map(|n| dp.m.port(n));
    let mut checked = 0;
    for run in runs {
        for (q, value) in words.iter().zip(spec.type_words(&run[0].params)) {
            dp.m.set(*q, value);
        }
        checked += dp.run(
            run.len(),
            |m, i| {
                let x = run[i];
                m.set(pv, x.state[0] as u64);
                m.set(pm, x.state[1] as u64);
                m.set(pr, x.state[2] as u64);
                m.set(pacc, x.acc as u64);
            },
            |i| {
                let x = run[i];
                let mut s = [x.state[0], x.state[1], x.state[2], 0];
                let fire = spec.step(&x.params, &mut s, x.acc, w);
                let v = (x.state[2] == 0).then_some(s[0]);
                ((v, s[1], s[2], fire), format!("{model} {x:?} P={} U={}", w.potential_bits, w.current_bits))
            },
            |m| {
                let v = (m.get(owv) == 1).then(|| m.get_signed(ov));
                (v, m.get_signed(om), m.get(or) as i64, m.get(ofire) == 1)
            },
        );
    }
    checked
}

/// `vectors` random neurons in runs of 1 to 199 of one random type each: `params(r)` draws a
/// type, `vector(r, params)` a neuron of it.
pub fn random_runs_of(
    seed: u64,
    vectors: usize,
    mut params: impl FnMut(&mut ChaCha8Rng) -> Params,
    mut vector: impl FnMut(&mut ChaCha8Rng, Params) -> Vector,
) -> Vec<Vec<Vector>> {
    use rand::SeedableRng;
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut runs = Vec::new();
    let mut left = vectors;
    while left > 0 {
        let p = params(&mut r);
        let n = r.gen_range(1..200).min(left);
        left -= n;
        runs.push((0..n).map(|_| vector(&mut r, p)).collect());
    }
    runs
}

/// A value in lo..=hi, at an edge (lo, hi or 0) one time in three.
pub fn edge(r: &mut ChaCha8Rng, lo: i64, hi: i64) -> i64 {
    match r.gen_range(0..9) {
        0 => lo,
        1 => hi,
        2 => 0,
        _ => r.gen_range(lo..=hi),
    }
}

/// A random valid neuron table of `model` for `pb`-bit potentials and weights up to `wmax`.
pub fn random_neuron(r: &mut ChaCha8Rng, model: &str, pb: u32, rb: u32, wmax: i64) -> String {
    let pmax = (1i64 << (pb - 1)) - 1;
    let threshold = r.gen_range(1..=pmax.min(4 * wmax + 1));
    let mode = if r.gen_bool(0.5) { "value" } else { "subtract" };
    let refr = r.gen_range(0..(1 << rb));
    let lif = |r: &mut ChaCha8Rng| {
        let reset = r.gen_range(-(pmax + 1)..=threshold + 1).min(pmax);
        let leak = r.gen_range(0..pb);
        format!("threshold = {threshold}, leak_shift = {leak}, reset = {reset}, reset_mode = \"{mode}\", refractory = {refr}")
    };
    match model {
        "lif" => format!("{{ {} }}", lif(r)),
        "alif" => format!(
            "{{ model = \"alif\", {}, adapt_step = {}, adapt_shift = {} }}",
            lif(r),
            r.gen_range(0..=pmax.min(2 * wmax)),
            r.gen_range(0..pb)
        ),
        _ => {
            let shift = r.gen_range(0..=2);
            let mode = ["value", "subtract", "deferred"][r.gen_range(0..3)];
            let threshold = threshold.min(pmax >> shift).max(1);
            format!(
                "{{ model = \"cuba\", threshold = {threshold}, du = {}, dv = {}, bias = {}, align_shift = {shift}, reset = {}, reset_mode = \"{mode}\", refractory = {refr} }}",
                r.gen_range(0..4096),
                r.gen_range(0..4096),
                r.gen_range(-wmax.min(pmax)..=wmax.min(pmax)),
                r.gen_range(-pmax..=pmax)
            )
        }
    }
}

/// A mesh shape: (mesh x, mesh y, neurons per core, axons per core, weight bits, potential bits).
pub type MeshShape = (usize, usize, usize, usize, u32, u32);

/// A random LIF network filling `shape`; `dense` makes every projection all-to-all. With
/// `delay_bits` > 0 every projection draws a constant or a uniform delay, and the chip has room
/// for one axon row and destination entry per source, core and delay.
pub fn random_mesh_net(seed: u64, (mx, my, n, a, wb, pb): MeshShape, dense: bool, delay_bits: u32) -> String {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let wmax = (1i64 << (wb - 1)) - 1;
    let pmax = (1i64 << (pb - 1)) - 1;
    let slots = mx * my * n;
    let neurons = slots.min(a * 2 / 3);
    let inputs = (a - neurons).clamp(1, 16);
    let mut t = format!(
        "[hardware]\nboard = \"sim\"\nmesh = [{mx}, {my}]\nneurons_per_core = {n}\naxons_per_core = {}\nweight_bits = {wb}\npotential_bits = {pb}\nrefractory_bits = 2\ndestinations_per_core = {}\ndelay_bits = {delay_bits}\n",
        a << delay_bits,
        (n * mx * my) << delay_bits
    );
    let dmax = (1u32 << delay_bits) - 1;
    t += &format!("\n[[population]]\nname = \"in\"\nsize = {inputs}\ninput = true\n");
    let n_pops = r.gen_range(1..=3);
    let mut left = neurons;
    let mut names = vec!["in".to_string()];
    for i in 0..n_pops {
        let size = if i + 1 == n_pops { left } else { r.gen_range(1..=left - (n_pops - 1 - i)) };
        left -= size;
        t += &format!(
            "\n[[population]]\nname = \"p{i}\"\nsize = {size}\nrecord = {}\nneuron = {{ threshold = {}, leak_shift = {}, reset = {}, reset_mode = \"{}\", refractory = {} }}\n",
            r.gen_bool(0.8),
            r.gen_range(1..=pmax.min(3 * wmax)),
            r.gen_range(0..pb),
            r.gen_range(-pmax / 4..=pmax / 8),
            if r.gen_bool(0.5) { "value" } else { "subtract" },
            r.gen_range(0..4)
        );
        names.push(format!("p{i}"));
    }
    for (k, from) in names.iter().enumerate() {
        for (l, to) in names.iter().enumerate().skip(1) {
            if k == 0 || r.gen_bool(0.6) {
                let conn = if dense {
                    "\"all_to_all\"".to_string()
                } else {
                    format!("{{ random = {:.2}, seed = {} }}", r.gen_range(0.05..0.4), k * 7 + l)
                };
                let lo = if k == 0 { 0 } else { -(wmax + 1) };
                t += &format!("\n[[projection]]\nfrom = \"{from}\"\nto = \"{to}\"\nconnectivity = {conn}\nweight = {{ uniform = [{lo}, {wmax}], seed = {} }}\n", r.gen::<u32>());
                if delay_bits > 0 {
                    let d0 = r.gen_range(0..=dmax);
                    t += &if r.gen_bool(0.3) {
                        format!("delay = {d0}\n")
                    } else {
                        format!(
                            "delay = {{ uniform = [{d0}, {}], seed = {} }}\n",
                            r.gen_range(d0..=dmax),
                            r.gen::<u32>()
                        )
                    };
                }
            }
        }
    }
    t
}
