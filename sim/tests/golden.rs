//! The golden model against an independent reference, on random networks.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_sim::{simulate, DeliveryOrder, Golden};
use spikemesh_spec::mapping::Source;
use spikemesh_spec::{Mapping, Network, NeuronState, PopulationKind, Spike, Stimulus};
use std::path::Path;

mod common;

use common::random_neuron;

/// A random but valid network file (every shape and width varies with the seed); half of them
/// have synaptic delays (1 to 4 delay bits, a constant or a uniform delay per projection).
fn random_network(seed: u64) -> String {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    // Drawn from its own generator, so the rest of the network is what it was before delays.
    let mut rd = ChaCha8Rng::seed_from_u64(seed ^ 0xde1a);
    let mut delay_bits: u32 = if rd.gen_bool(0.5) { rd.gen_range(1..=4) } else { 0 };
    let (mx, my) = (r.gen_range(1..=3), r.gen_range(1..=3));
    // Mostly small cores; one in five past 64 neurons, so that runs span several of the
    // golden update's 64-neuron chunks and rows are long enough to be stored sparse.
    let n = if r.gen_bool(0.2) { r.gen_range(60..=150) } else { r.gen_range(2..=12) };
    // Mostly narrow widths; sometimes wide ones, so that the golden model's other paths run:
    // 16-bit dense rows (weights past 8 bits), `lif` in 64-bit lanes (potentials past 30 bits)
    // and 64-bit register columns (`cuba`'s current of 33 bits at current_bits = 32).
    let wide = r.gen_bool(0.25);
    let wb = if wide { r.gen_range(9..=16) } else { r.gen_range(2..=8) };
    let pb = if wide { r.gen_range(28..=32) } else { r.gen_range(6..=16) };
    let rb = r.gen_range(0..=3);
    let cb = if wide { r.gen_range(28..=32) } else { r.gen_range(6..=16) };
    let wmax = (1i64 << (wb - 1)) - 1;
    let capacity = mx * my * n;
    let mut pops = String::new();
    let n_inputs = r.gen_range(1..=2);
    let mut names = Vec::new();
    let mut input_total = 0;
    for i in 0..n_inputs {
        let size = r.gen_range(1..=8);
        input_total += size;
        pops +=
            &format!("\n[[population]]\nname = \"in{i}\"\nsize = {size}\ninput = true\nrecord = {}\n", r.gen_bool(0.5));
        names.push((format!("in{i}"), true));
    }
    // Populations draw a model each; placement gives each core one model, so a change of
    // model on a partly filled core skips to the next core, as the mapper does.
    let (mut next_slot, mut last_model) = (0usize, "");
    for i in 0..r.gen_range(1..=4) {
        let model = ["lif", "cuba", "alif"][r.gen_range(0..3)];
        if !last_model.is_empty() && model != last_model && next_slot % n != 0 {
            next_slot += n - next_slot % n;
        }
        let left = capacity - next_slot.min(capacity);
        if left == 0 {
            break;
        }
        let size = r.gen_range(1..=left.min(3 * n));
        next_slot += size;
        last_model = model;
        pops += &format!(
            "\n[[population]]\nname = \"p{i}\"\nsize = {size}\nrecord = true\nneuron = {}\n",
            random_neuron(&mut r, model, pb, rb, wmax)
        );
        names.push((format!("p{i}"), false));
    }
    let left = capacity - next_slot.min(capacity);
    let neuron_total = capacity - left;
    // A source takes one axon row per core and delay: fewer delay bits where the rows of every
    // delay would pass the 16384 axons a core may have.
    while (input_total + neuron_total) << delay_bits > 16384 {
        delay_bits -= 1;
    }
    let dmax = (1i64 << delay_bits) - 1;
    let targets: Vec<&String> = names.iter().filter(|(_, inp)| !inp).map(|(n, _)| n).collect();
    let mut projs = String::new();
    for k in 0..r.gen_range(1..=5) {
        let from = &names[r.gen_range(0..names.len())].0;
        let to = targets[r.gen_range(0..targets.len())];
        let conn = match r.gen_range(0..3) {
            0 => "\"all_to_all\"".to_string(),
            _ => format!("{{ random = {:.2}, seed = {} }}", r.gen_range(0.05..0.9), r.gen::<u32>()),
        };
        let lo = r.gen_range(-(wmax + 1)..=wmax);
        let hi = r.gen_range(lo..=wmax);
        projs += &format!("\n[[projection]]\nfrom = \"{from}\"\nto = \"{to}\"\nconnectivity = {conn}\nweight = {{ uniform = [{lo}, {hi}], seed = {k} }}\n");
        if delay_bits > 0 {
            let lo = rd.gen_range(0..=dmax);
            projs += &match rd.gen_range(0..3) {
                0 => format!("delay = {lo}\n"),
                _ => {
                    format!("delay = {{ uniform = [{lo}, {}], seed = {} }}\n", rd.gen_range(lo..=dmax), rd.gen::<u32>())
                }
            };
        }
    }
    // Projections may repeat a (from, to) pair; keep the first to avoid duplicate synapses.
    let mut seen = std::collections::HashSet::new();
    let projs: String = projs
        .split("\n[[projection]]")
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key: Vec<&str> = p.lines().take(3).collect();
            seen.insert(key.join("|"))
        })
        .map(|p| format!("\n[[projection]]{p}"))
        .collect();
    format!(
        "[hardware]\nboard = \"sim\"\nmesh = [{mx}, {my}]\nneurons_per_core = {n}\naxons_per_core = {}\nweight_bits = {wb}\npotential_bits = {pb}\ncurrent_bits = {cb}\nrefractory_bits = {rb}\ndestinations_per_core = {}\ndelay_bits = {delay_bits}\n{pops}{projs}",
        // A source takes one axon row and one destination entry per core and delay it reaches.
        (input_total + neuron_total) << delay_bits,
        (n * mx * my) << delay_bits,
    )
}

fn random_stimulus(net: &Network, steps: usize, seed: u64) -> Stimulus {
    let rate = ChaCha8Rng::seed_from_u64(seed).gen_range(0.05..0.8);
    Stimulus::random(net, steps, rate, seed)
}

/// A reference simulator straight from the network's synapse lists: no mapping, no images,
/// no flattening, no accumulator ring (each timestep's input is summed from the whole spike
/// history: synapse delay `d` reads the spikes of `t - 1 - d`); shares only the neuron update
/// function, which has its own edge tests.
fn reference(net: &Network, stim: &Stimulus) -> (Vec<Spike>, Vec<Vec<i64>>) {
    let w = net.hardware.widths;
    let mut state: Vec<Vec<NeuronState>> =
        net.populations.iter().map(|p| vec![NeuronState::default(); p.size]).collect();
    let mut history: Vec<Vec<Vec<bool>>> = Vec::new();
    let mut out = Vec::new();
    for (t, inputs) in stim.steps.iter().enumerate() {
        let mut input: Vec<Vec<i64>> = net.populations.iter().map(|p| vec![0; p.size]).collect();
        for proj in &net.projections {
            for s in &proj.synapses {
                let back = 1 + s.delay as usize;
                if t >= back && history[t - back][proj.from][s.pre as usize] {
                    input[proj.to][s.post as usize] += s.weight as i64;
                }
            }
        }
        let mut now: Vec<Vec<bool>> = net.populations.iter().map(|p| vec![false; p.size]).collect();
        for (pi, p) in net.populations.iter().enumerate() {
            if let PopulationKind::Neurons { neuron, .. } = p.kind {
                for k in 0..p.size {
                    if neuron.step(&mut state[pi][k], input[pi][k], &w) {
                        now[pi][k] = true;
                    }
                }
            }
        }
        for &(p, k) in inputs {
            now[p as usize][k as usize] = true;
        }
        for (pi, p) in net.populations.iter().enumerate() {
            if p.record {
                for (k, _) in now[pi].iter().enumerate().filter(|(_, &f)| f) {
                    out.push(Spike { timestep: t as u32, population: pi as u32, neuron: k as u32 });
                }
            }
        }
        history.push(now);
    }
    (out, state.iter().map(|s| s.iter().map(|x| x.v()).collect()).collect())
}

fn load(text: &str) -> (Network, Mapping) {
    let net = Network::parse(Path::new("random.toml"), text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let m = Mapping::build(&net).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (net, m)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn golden_equals_the_reference(seed in any::<u64>()) {
        let text = random_network(seed);
        let (net, m) = load(&text);
        let stim = random_stimulus(&net, 60, seed ^ 0x5eed);
        let record: Vec<bool> = net.populations.iter().map(|p| p.record).collect();
        let got = simulate(&m, &stim, &record, DeliveryOrder::InOrder, |_| {});
        let (want, pots) = reference(&net, &stim);
        prop_assert_eq!(&got.spikes, &want, "{}", text);
        for (pi, p) in net.populations.iter().enumerate() {
            if let Some(first) = m.slot_of(pi, 0) {
                prop_assert_eq!(&got.potentials[first..first + p.size], &pots[pi][..]);
            }
        }
    }

    #[test]
    fn delivery_order_does_not_matter(seed in any::<u64>(), order in any::<u64>()) {
        let (net, m) = load(&random_network(seed));
        let stim = random_stimulus(&net, 60, seed.rotate_left(7));
        let record = vec![true; net.populations.len()];
        let a = simulate(&m, &stim, &record, DeliveryOrder::InOrder, |_| {});
        let b = simulate(&m, &stim, &record, DeliveryOrder::Shuffled(order), |_| {});
        prop_assert_eq!(a, b);
    }

    /// Stepping the cores on 1, 2 or 3 threads (more than this machine's 2 cores: the pool
    /// then interleaves them) gives every spike and every register the same.
    #[test]
    fn thread_count_does_not_matter(seed in any::<u64>()) {
        let (net, m) = load(&random_network(seed));
        let stim = random_stimulus(&net, 40, seed.rotate_left(11));
        let trace = |threads: usize| {
            let mut g = Golden::new(&m);
            g.set_threads(threads).unwrap();
            let mut out = Vec::new();
            for inputs in &stim.steps {
                let fired = g.step(inputs).to_vec();
                out.push((fired, g.potentials(), g.middle_registers(), g.refractory_counters()));
            }
            out
        };
        let one = trace(1);
        prop_assert_eq!(&trace(2), &one);
        prop_assert_eq!(&trace(3), &one);
    }

    #[test]
    fn images_hold_every_synapse_exactly_once(seed in any::<u64>()) {
        let (net, m) = load(&random_network(seed));
        let n = net.hardware.neurons_per_core;
        let mut expected = vec![std::collections::HashMap::new(); net.hardware.cores()];
        for proj in &net.projections {
            let post_first = m.slot_of(proj.to, 0).unwrap();
            for s in &proj.synapses {
                let src = match m.slot_of(proj.from, 0) {
                    Some(f) => Source::Neuron(f + s.pre as usize),
                    None => Source::Input { population: proj.from, neuron: s.pre as usize },
                };
                let g = post_first + s.post as usize;
                expected[g / n].insert((src, s.delay as u8, g % n), s.weight as i16);
            }
        }
        for (c, img) in m.cores.iter().enumerate() {
            prop_assert!(img.axon_source.len() <= net.hardware.axons_per_core);
            for a in 0..net.hardware.axons_per_core {
                for j in 0..n {
                    let w = img.crossbar[a * n + j];
                    let row = img.axon_source.get(a).zip(img.axon_delay.get(a));
                    let want = row.and_then(|(src, d)| expected[c].get(&(*src, *d, j))).copied().unwrap_or(0);
                    prop_assert_eq!(w, want, "core {} axon {} neuron {}", c, a, j);
                }
            }
            // Every used axon carries at least one synapse, and its source lists this core.
            for (a, src) in img.axon_source.iter().enumerate() {
                prop_assert!(expected[c].keys().any(|(s, d, _)| s == src && *d == img.axon_delay[a]));
                let dests = match *src {
                    Source::Neuron(g) => m.neuron_destinations(g / n, g % n).to_vec(),
                    Source::Input { population, neuron } => {
                        let spikemesh_spec::mapping::Placement::Input { first } = m.placement[population] else { unreachable!() };
                        m.input_fanout[first + neuron].clone()
                    }
                };
                let (x, y) = net.hardware.core_xy(c);
                prop_assert_eq!(dests.iter().filter(|d| (d.x as usize, d.y as usize, d.axon as usize) == (x, y, a)).count(), 1);
            }
        }
    }
}

#[test]
fn tiny_example_follows_the_hand_derived_trace() {
    // in -> a (w 127, threshold 100, refractory 1) -> b (w 120, threshold 200, leak_shift 2).
    // a: input at t arrives at t+1; a fires at 1, is refractory at 2 (drops the input of 1),
    //    fires at 3, gets nothing at 4/5 (no input at 3/4), fires at 6, drops the input of 6.
    // b: 120 at t=2; 90 at 3; 90-22+120 = 188 at 4; 141 at 5; 106 at 6; 106-26+120 = 200 fires at 7.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let net = Network::load(&root.join("tiny.toml")).unwrap();
    let m = Mapping::build(&net).unwrap();
    let stim = Stimulus::build(&net, 12, Some(&root.join("tiny-stimulus.csv"))).unwrap();
    let mut chip = Golden::new(&m);
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut bv = Vec::new();
    for (t, inputs) in stim.steps.iter().enumerate() {
        let fired = chip.step(inputs).to_vec();
        if fired.contains(&0) {
            a.push(t);
        }
        if fired.contains(&1) {
            b.push(t);
        }
        bv.push(chip.potential(1));
    }
    assert_eq!(a, vec![1, 3, 6]);
    assert_eq!(b, vec![7]);
    assert_eq!(&bv[..8], &[0, 0, 120, 90, 188, 141, 106, 0]);
    assert_eq!(chip.synaptic_events(), 5 + 3, "5 input spikes and 3 spikes of a, one synapse each");
}

#[test]
fn runs_are_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let net = Network::load(&root.join("ei-recurrent.toml")).unwrap();
    let m = Mapping::build(&net).unwrap();
    let stim = Stimulus::build(&net, 200, None).unwrap();
    let record = vec![true; net.populations.len()];
    let a = simulate(&m, &stim, &record, DeliveryOrder::InOrder, |_| {});
    let b = simulate(&m, &stim, &record, DeliveryOrder::InOrder, |_| {});
    assert!(a.neuron_spikes > 100, "the example should be active: {} spikes", a.neuron_spikes);
    assert_eq!(a, b);
}
