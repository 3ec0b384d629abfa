//! Shared kernels (`spec::kernel`) in the neuron core, in Verilator against the golden model:
//! random 2-D convolutions stored as kernel rows and taps, beside unshared random synapses
//! into the same core, at 1, 2 and 4 synapses per clock, with and without delays, and in a
//! mesh beside a core without kernels.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_sim::cosim::lockstep;
use spikemesh_sim::rtl_core::Stress;
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::fmt::Write;
use std::path::Path;

/// One convolution: a `side x side` input of `cin` channels, a `k x k` kernel at `stride`
/// with `pad`, `cout` channels; outputs placed position-major (neuron = position x cout + c).
#[derive(Clone, Copy, Debug)]
struct Conv {
    side: usize,
    cin: usize,
    k: usize,
    stride: usize,
    pad: usize,
    cout: usize,
}

impl Conv {
    fn out_side(&self) -> usize {
        (self.side + 2 * self.pad - self.k) / self.stride + 1
    }
}

/// The convolution's synapses as [pre, post, weight] pairs, with a random kernel.
fn conv_pairs(c: Conv, r: &mut ChaCha8Rng, wmax: i64) -> String {
    let kernel: Vec<i64> = (0..c.cin * c.k * c.k * c.cout).map(|_| r.gen_range(-wmax - 1..=wmax)).collect();
    let o = c.out_side();
    let mut pairs = Vec::new();
    for oy in 0..o {
        for ox in 0..o {
            for ky in 0..c.k {
                for kx in 0..c.k {
                    let (iy, ix) =
                        ((oy * c.stride + ky) as i64 - c.pad as i64, (ox * c.stride + kx) as i64 - c.pad as i64);
                    if iy < 0 || ix < 0 || iy >= c.side as i64 || ix >= c.side as i64 {
                        continue;
                    }
                    for ci in 0..c.cin {
                        let pre = (ci * c.side + iy as usize) * c.side + ix as usize;
                        for co in 0..c.cout {
                            let w = kernel[((ci * c.k + ky) * c.k + kx) * c.cout + co];
                            if w != 0 {
                                pairs.push(format!("[{pre}, {}, {w}]", (oy * o + ox) * c.cout + co));
                            }
                        }
                    }
                }
            }
        }
    }
    pairs.join(", ")
}

/// Input -> conv (shared kernels), conv <-> a small random population: on one core, or
/// (`mesh`) the convolution alone on core 0 of a 2x1 mesh and the population on core 1.
fn network(c: Conv, p: usize, delay_bits: u32, seed: u64, mesh: bool) -> String {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let conv_n = c.out_side() * c.out_side() * c.cout;
    let extra = 2 * c.cout;
    // Neither a power of two: the tap table's address is a multiply (`memory/taps.rs`).
    let n = if mesh { conv_n } else { conv_n + extra };
    let inputs = c.side * c.side * c.cin;
    // Every segment of a row may be non-zero (the random projections), so taps cover them all.
    let taps = n / c.cout;
    assert!(taps <= 16, "{c:?}: {taps} segments");
    // The zero row, the kernel, and every segment of the unshared rows.
    let rows = 1 + c.cin * c.k * c.k + (n + 1) * (1 << delay_bits) * (n / c.cout);
    let mut t = String::new();
    let _ = write!(
        t,
        "[hardware]\nboard = \"sim\"\nmesh = [{cores}, 1]\nneurons_per_core = {n}\naxons_per_core = {a}\nweight_bits = 5\n\
         potential_bits = 12\nrefractory_bits = 2\nneuron_types = 2\nsynapses_per_clock = {p}\ndelay_bits = {delay_bits}\n\
         core_kernels = [{{ segment = {s}, taps = {taps}, rows = {rows} }}{more}]\n",
        cores = 1 + mesh as usize,
        more = if mesh { ", {}" } else { "" },
        // Kernel rows are crossbar rows: the address space holds them too.
        a = ((inputs + n) * (1 << delay_bits)).max(rows),
        s = c.cout,
    );
    let neuron = |thr: i64| format!("neuron = {{ threshold = {thr}, leak_shift = 2, reset = 0, refractory = 1 }}");
    let _ = write!(t, "\n[[population]]\nname = \"in\"\nsize = {inputs}\ninput = true\n");
    let _ = write!(t, "\n[[population]]\nname = \"conv\"\nsize = {conv_n}\nrecord = true\n{}\n", neuron(20));
    let _ = write!(t, "\n[[population]]\nname = \"r\"\nsize = {extra}\nrecord = true\n{}\n", neuron(12));
    let _ = write!(
        t,
        "\n[[projection]]\nfrom = \"in\"\nto = \"conv\"\nconnectivity = {{ pairs = [{}] }}\n",
        conv_pairs(c, &mut r, 15)
    );
    if delay_bits > 0 {
        let _ = writeln!(t, "delay = {{ uniform = [0, {}], seed = {} }}", (1 << delay_bits) - 1, r.gen::<u32>());
    }
    for (from, to, prob) in [("conv", "r", 0.2), ("r", "conv", 0.3), ("r", "r", 0.3)] {
        let _ = write!(
            t,
            "\n[[projection]]\nfrom = \"{from}\"\nto = \"{to}\"\nconnectivity = {{ random = {prob}, seed = {} }}\nweight = {{ uniform = [-12, 10], seed = {} }}\n",
            r.gen::<u32>(),
            r.gen::<u32>()
        );
    }
    t
}

fn run(c: Conv, p: usize, delay_bits: u32, seed: u64, steps: usize) -> u64 {
    let text = network(c, p, delay_bits, seed, false);
    let net = Network::parse(Path::new("kernel.toml"), &text).unwrap_or_else(|e| panic!("{e}"));
    let m = Mapping::build(&net).unwrap_or_else(|e| panic!("{e}"));
    let k = m.cores[0].kernel.as_ref().expect("the core has shared kernels");
    // The convolution's rows share its kernel: far fewer kernel rows than (axon, segment) pairs.
    let stored = k.rows.len() / k.segment;
    let taps: usize = k.taps.iter().map(Vec::len).sum();
    assert!(stored < taps, "{stored} kernel rows for {taps} taps: nothing shared");
    let stim = Stimulus::random(&net, steps, 0.15, seed);
    let stress = Stress {
        out_stall: 0.2 * (seed % 2) as f64,
        in_gap: if seed.is_multiple_of(3) { 0.2 } else { 0.0 },
        shuffle: seed.is_multiple_of(2),
        seed,
    };
    match lockstep(&m, &stim, stress, Some(7), None).unwrap_or_else(|e| panic!("{e}")) {
        Ok(stats) => stats.events,
        Err(d) => panic!("{d}\n{c:?}, {p} synapses per clock, delay_bits {delay_bits}, seed {seed}"),
    }
}

#[test]
fn convolutions_on_shared_kernels_equal_the_golden_model() {
    let convs = [
        Conv { side: 6, cin: 1, k: 3, stride: 2, pad: 1, cout: 4 },
        Conv { side: 5, cin: 2, k: 3, stride: 1, pad: 0, cout: 4 },
        Conv { side: 5, cin: 1, k: 5, stride: 2, pad: 2, cout: 8 },
        Conv { side: 4, cin: 2, k: 2, stride: 2, pad: 0, cout: 2 },
    ];
    // One lane count per convolution (each is a Verilator build of its own): 1, 2, 4, 2.
    let mut events = 0;
    for (i, (&c, p)) in convs.iter().zip([1, 2, 4, 2]).enumerate() {
        events += run(c, p, 0, (i * 3 + p) as u64, 60);
    }
    assert!(events > 1000, "the convolutions should carry traffic: {events} events");
}

#[test]
fn shared_kernels_with_delays() {
    let c = Conv { side: 6, cin: 1, k: 3, stride: 2, pad: 1, cout: 4 };
    assert!(run(c, 2, 2, 11, 60) > 200);
}

/// In the chip: the tile's row guards and the mesh's configuration bus reach a kernel core
/// beside a core without kernels.
#[test]
fn a_kernel_core_beside_a_plain_core_on_a_2x1_mesh() {
    let c = Conv { side: 6, cin: 1, k: 3, stride: 2, pad: 1, cout: 4 };
    let text = network(c, 2, 0, 5, true);
    let net = Network::parse(Path::new("kernel-mesh.toml"), &text).unwrap_or_else(|e| panic!("{e}"));
    let m = Mapping::build(&net).unwrap_or_else(|e| panic!("{e}"));
    assert!(m.cores[0].kernel.is_some() && m.cores[1].kernel.is_none());
    let stim = Stimulus::random(&net, 60, 0.15, 5);
    match spikemesh_sim::cosim::lockstep_mesh(&m, &stim, Some(7), None).unwrap_or_else(|e| panic!("{e}")) {
        Ok(s) => assert!(s.host_flits_in > 100 && s.host_flits_out > 20, "{s:?}"),
        Err(d) => panic!("{d}"),
    }
}
