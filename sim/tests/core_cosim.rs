//! The neuron core in Verilator against the golden model: spikes at every timestep and
//! potentials on read-back, bit for bit, on random and hand-made single-core networks.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_sim::cosim::lockstep;
use spikemesh_sim::rtl_core::Stress;
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::Path;

fn load(text: &str) -> (Network, Mapping) {
    let net = Network::parse(Path::new("cosim.toml"), text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let m = Mapping::build(&net).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (net, m)
}

fn check(text: &str, stim: &Stimulus, stress: Stress) -> spikemesh_sim::cosim::RtlStats {
    let (_, m) = load(text);
    match lockstep(&m, stim, stress, Some(17), None).unwrap_or_else(|e| panic!("{e}")) {
        Ok(stats) => stats,
        Err(d) => panic!("{d}\n{text}"),
    }
}

/// A one-core hardware shape.
#[derive(Clone, Copy)]
struct Shape {
    board: &'static str,
    n: usize,
    a: usize,
    wb: u32,
    pb: u32,
    rb: u32,
    types: usize,
    /// Synapses per clock.
    p: usize,
}

/// The `[hardware]` table of a one-core shape.
fn hw(s: Shape) -> String {
    let Shape { board, n, a, wb, pb, rb, types, p } = s;
    format!(
        "[hardware]\nboard = \"{board}\"\nmesh = [1, 1]\nneurons_per_core = {n}\naxons_per_core = {a}\nweight_bits = {wb}\npotential_bits = {pb}\nrefractory_bits = {rb}\nneuron_types = {types}\nsynapses_per_clock = {p}\n"
    )
}

/// A random network that fits one core of the given shape (inputs + recurrence).
fn random_net(seed: u64, shape: Shape) -> String {
    let Shape { n, a, wb, pb, rb, types, .. } = shape;
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let pmax = (1i64 << (pb - 1)) - 1;
    let wmax = (1i64 << (wb - 1)) - 1;
    let mut t = hw(shape);
    // Inputs take a third of the axons; neurons fill what the remaining axons can feed.
    let inputs = (a / 3).max(1);
    let used = n.min(a - inputs);
    let n_pops = r.gen_range(1..=types.min(3).min(used));
    let mut left = used;
    let mut names = Vec::new();
    for i in 0..n_pops {
        let size = if i + 1 == n_pops { left } else { r.gen_range(1..=left - (n_pops - 1 - i)) };
        left -= size;
        let threshold = r.gen_range(1..=pmax.min(3 * wmax + 2));
        let reset = r.gen_range(-(pmax + 1)..=pmax).min(threshold + 2);
        let mode = if r.gen_bool(0.5) { "value" } else { "subtract" };
        t += &format!(
            "\n[[population]]\nname = \"p{i}\"\nsize = {size}\nneuron = {{ threshold = {threshold}, leak_shift = {}, reset = {reset}, reset_mode = \"{mode}\", refractory = {} }}\n",
            r.gen_range(0..pb),
            r.gen_range(0..(1u32 << rb))
        );
        names.push(format!("p{i}"));
    }
    {
        t += &format!("\n[[population]]\nname = \"in\"\nsize = {inputs}\ninput = true\n");
        for (k, to) in names.iter().enumerate() {
            let conn = if inputs < 4 {
                "\"all_to_all\"".to_string()
            } else {
                format!("{{ random = 0.3, seed = {} }}", r.gen::<u32>() + k as u32)
            };
            t += &format!(
                "\n[[projection]]\nfrom = \"in\"\nto = \"{to}\"\nconnectivity = {conn}\nweight = {{ uniform = [{}, {wmax}], seed = {} }}\n",
                -(wmax + 1) / 2,
                r.gen::<u32>()
            );
        }
    }
    for (k, from) in names.iter().enumerate() {
        for (l, to) in names.iter().enumerate() {
            if r.gen_bool(0.7) {
                t += &format!(
                    "\n[[projection]]\nfrom = \"{from}\"\nto = \"{to}\"\nconnectivity = {{ random = {:.2}, seed = {} }}\nweight = {{ uniform = [{}, {wmax}], seed = {} }}\n",
                    r.gen_range(0.05..0.6),
                    k * 10 + l,
                    -(wmax + 1),
                    r.gen::<u32>()
                );
            }
        }
    }
    t
}

fn random_runs(shape: Shape, nets: u64, steps: usize) {
    let mut events = 0;
    for seed in 0..nets {
        let text = random_net(seed, shape);
        let (net, _) = load(&text);
        let stim = Stimulus::random(&net, steps, 0.05 + 0.1 * (seed % 4) as f64, seed);
        let stress = Stress {
            out_stall: 0.3 * (seed % 3) as f64,
            in_gap: 0.2 * (seed % 2) as f64,
            shuffle: seed % 2 == 1,
            seed,
        };
        events += check(&text, &stim, stress).events;
    }
    assert!(events > nets * steps as u64 / 4, "the random networks should carry traffic: {events} events");
}

#[test]
fn random_small_core() {
    random_runs(Shape { board: "sim", n: 16, a: 32, wb: 4, pb: 8, rb: 2, types: 4, p: 1 }, 12, 200);
}

#[test]
fn one_neuron_core_back_to_back_events() {
    // One neuron: consecutive events hit the same accumulator every cycle, which only the
    // integrate pipeline's write forwarding gets right.
    // With lanes, a one-neuron core's row is one word whose second lane has no neuron.
    for p in [1, 4] {
        let text = hw(Shape { board: "sim", n: 1, a: 4, wb: 5, pb: 10, rb: 2, types: 1, p })
                + "\n[[population]]\nname = \"n\"\nsize = 1\nneuron = { threshold = 40, leak_shift = 1, reset = -7, refractory = 1 }\n\n[[population]]\nname = \"in\"\nsize = 3\ninput = true\n\n[[projection]]\nfrom = \"in\"\nto = \"n\"\nconnectivity = { pairs = [[0, 0, 15], [1, 0, -16], [2, 0, 9]] }\n\n[[projection]]\nfrom = \"n\"\nto = \"n\"\nconnectivity = \"one_to_one\"\nweight = 11\n";
        let (net, _) = load(&text);
        for seed in 0..4 {
            let stim = Stimulus::random(&net, 400, 0.7, seed);
            let stats = check(&text, &stim, Stress { out_stall: 0.0, in_gap: 0.0, shuffle: seed % 2 == 1, seed });
            assert!(stats.events > 600, "{} events", stats.events);
        }
    }
}

#[test]
fn partial_crossbar_words() {
    // Rows whose length is not a multiple of the lanes: the last word is partial, and a
    // 3-neuron core at 4 lanes is one partial word (forwarded between back-to-back events).
    for (n, p) in [(5, 2), (5, 4), (3, 4)] {
        random_runs(Shape { board: "sim", n, a: 12, wb: 5, pb: 9, rb: 2, types: 2, p }, 6, 200);
    }
}

#[test]
fn random_odd_shape_core() {
    random_runs(Shape { board: "sim", n: 37, a: 50, wb: 6, pb: 13, rb: 3, types: 8, p: 4 }, 8, 200);
}

#[test]
fn random_wide_core() {
    random_runs(Shape { board: "sim", n: 24, a: 48, wb: 16, pb: 32, rb: 8, types: 16, p: 2 }, 6, 200);
}

#[test]
fn random_up5k_core_on_spram() {
    random_runs(Shape { board: "icebreaker", n: 256, a: 256, wb: 4, pb: 16, rb: 4, types: 16, p: 4 }, 3, 120);
}

#[test]
fn tiny_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let text = std::fs::read_to_string(root.join("tiny.toml")).unwrap();
    let (net, _) = load(&text);
    let stim = Stimulus::build(&net, 12, Some(&root.join("tiny-stimulus.csv"))).unwrap();
    check(&text, &stim, Stress::NONE);
}

// ---- named edge cases: each checks spikes and potentials every timestep, and asserts on
// ---- the golden model that the case it is named after really happens.

const EDGE_HW: Shape = Shape { board: "sim", n: 8, a: 8, wb: 8, pb: 8, rb: 3, types: 8, p: 1 };

/// Lock-step with potentials compared every timestep; returns the golden potentials per step.
fn edge(body: &str, steps: usize, rate: f64, stress: Stress) -> Vec<Vec<i64>> {
    let text = hw(EDGE_HW) + body;
    let (net, m) = load(&text);
    let stim = Stimulus::random(&net, steps, rate, 7);
    match lockstep(&m, &stim, stress, Some(1), None).unwrap_or_else(|e| panic!("{e}")) {
        Ok(_) => {}
        Err(d) => panic!("{d}\n{text}"),
    }
    let mut g = spikemesh_sim::Golden::new(&m);
    stim.steps
        .iter()
        .map(|s| {
            g.step(s);
            g.potentials()
        })
        .collect()
}

const DRIVE: &str = "\n[[population]]\nname = \"in\"\nsize = 4\ninput = true\n";

#[test]
fn saturation_at_both_rails() {
    let body = format!(
        "\n[[population]]\nname = \"hi\"\nsize = 1\nneuron = {{ threshold = 127, reset_mode = \"subtract\" }}\n\n[[population]]\nname = \"lo\"\nsize = 1\nneuron = {{ threshold = 100 }}\n{DRIVE}\n[[projection]]\nfrom = \"in\"\nto = \"hi\"\nconnectivity = \"all_to_all\"\nweight = 127\n\n[[projection]]\nfrom = \"in\"\nto = \"lo\"\nconnectivity = \"all_to_all\"\nweight = -128\n"
    );
    let pots = edge(&body, 150, 0.6, Stress::NONE);
    assert!(pots.iter().any(|p| p[1] == -128), "lo reaches the bottom rail");
    assert!(pots.iter().any(|p| p[0] == 0), "hi saturates at 127 and subtracts the threshold to 0");
}

#[test]
fn refractory_period_is_held() {
    let body = format!(
        "\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ threshold = 20, reset = 5, refractory = 3 }}\n{DRIVE}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = 30\n"
    );
    let pots = edge(&body, 120, 0.9, Stress::NONE);
    assert!(pots.windows(3).any(|w| w[0][0] == 5 && w[1][0] == 5 && w[2][0] == 5), "held at reset while refractory");
}

#[test]
fn zero_leak_integrates_without_loss() {
    let body = format!(
        "\n[[population]]\nname = \"a\"\nsize = 3\nneuron = {{ threshold = 120, leak_shift = 0 }}\n{DRIVE}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = {{ uniform = [-3, 5], seed = 1 }}\n"
    );
    let pots = edge(&body, 200, 0.3, Stress::NONE);
    assert!(pots.iter().any(|p| p.iter().any(|&v| v > 60)), "potentials climb without leak");
}

#[test]
fn neuron_firing_every_step() {
    // reset >= threshold: once fired, it fires every timestep (a tonic oscillator).
    let body = format!(
        "\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ threshold = 10, reset = 12, leak_shift = 3 }}\n{DRIVE}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = 11\n"
    );
    let pots = edge(&body, 100, 0.2, Stress::NONE);
    assert!(pots.iter().rev().take(20).all(|p| p[0] == 12), "a sits at its reset value, firing every step");
}

#[test]
fn all_zero_axon_row() {
    // Weight 0 synapses take axons whose crossbar rows are all zero.
    let body = format!(
        "\n[[population]]\nname = \"a\"\nsize = 4\nneuron = {{ threshold = 50, leak_shift = 1 }}\n{DRIVE}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = {{ pairs = [[0, 0], [0, 1], [1, 2]] }}\nweight = 0\n\n[[projection]]\nfrom = \"a\"\nto = \"a\"\nconnectivity = \"one_to_one\"\nweight = 0\n"
    );
    let pots = edge(&body, 60, 0.8, Stress::NONE);
    assert!(pots.iter().all(|p| p.iter().all(|&v| v == 0)), "zero rows change nothing");
}

#[test]
fn output_back_pressure() {
    // Every neuron fires almost every step while out_ready is low 90% of the time.
    let body = format!(
        "\n[[population]]\nname = \"a\"\nsize = 4\nneuron = {{ threshold = 5, reset = 6 }}\n{DRIVE}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = 7\n\n[[projection]]\nfrom = \"a\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = {{ uniform = [-2, 1], seed = 3 }}\n"
    );
    edge(&body, 80, 0.5, Stress { out_stall: 0.9, in_gap: 0.3, shuffle: true, seed: 5 });
}

/// Every neuron slot of one type with the parameters given, so the core's one-entry type
/// cache hits across timesteps and runs.
fn one_type(params: &str) -> String {
    hw(EDGE_HW)
        + &format!(
            "\n[[population]]\nname = \"a\"\nsize = 8\nneuron = {params}\n{DRIVE}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = 9\n"
        )
}

#[test]
fn type_parameters_rewritten_between_runs_take_effect() {
    // The core caches one type's parameters (all slots here are one type, so the cache hits
    // across runs). A host that rewrites the type must see the new values used; a read of the
    // type table moves the RAM port the threshold is taken from, which must come back.
    use spikemesh_sim::cosim::{compare, RtlChip};
    use spikemesh_spec::memory_map::{config_writes, TYPE_CONTROL, TYPE_RESET, TYPE_THRESHOLD};
    let (net_a, m_a) = load(&one_type("{ threshold = 30, reset = 0, leak_shift = 1 }"));
    let (_, m_b) = load(&one_type("{ threshold = 12, reset = -7, leak_shift = 3, reset_mode = \"subtract\" }"));
    let stim = Stimulus::random(&net_a, 60, 0.5, 3);
    let run = |chip: &mut RtlChip, m: &Mapping| compare(m, &stim, chip, Some(5)).unwrap_or_else(|d| panic!("{d}"));
    let mut chip = RtlChip::new(&m_a, None).unwrap_or_else(|e| panic!("{e}"));
    run(&mut chip, &m_a);
    // Rewrite every type word from the second network, clear the state, and run it.
    let types = [TYPE_THRESHOLD, TYPE_RESET, TYPE_CONTROL];
    for w in config_writes(&m_b.cores[0], 0).into_iter().filter(|w| types.contains(&w.mem)) {
        chip.core_mut().cfg_write(w.mem, w.row, w.col, w.data);
    }
    chip.core_mut().clear();
    run(&mut chip, &m_b);
    // Read a type word (the port leaves the threshold for a clock), clear, and run again.
    chip.core_mut().cfg_read(TYPE_RESET, 0, 0);
    chip.core_mut().clear();
    run(&mut chip, &m_b);
    // The two networks really differ, so a stale cache would have diverged.
    let (mut ga, mut gb) = (spikemesh_sim::Golden::new(&m_a), spikemesh_sim::Golden::new(&m_b));
    let differ = stim.steps.iter().any(|s| ga.step(s).to_vec() != gb.step(s).to_vec());
    assert!(differ, "the rewritten type changes the run");
}
