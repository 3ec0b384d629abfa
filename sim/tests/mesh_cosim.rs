//! Whole meshes in Verilator against the golden model: every recorded spike at every
//! timestep and every potential on read-back, bit for bit.

use spikemesh_sim::cosim::lockstep_mesh;
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::Path;

fn example(name: &str) -> Network {
    Network::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn check(net: &Network, steps: usize, stim: Option<Stimulus>) -> spikemesh_sim::rtl_mesh::MeshStats {
    let m = Mapping::build(net).unwrap_or_else(|e| panic!("{e}"));
    let stim = stim.unwrap_or_else(|| Stimulus::build(net, steps, None).unwrap());
    match lockstep_mesh(&m, &stim, Some(25), None).unwrap_or_else(|e| panic!("{e}")) {
        Ok(s) => s,
        Err(d) => panic!("{d}"),
    }
}

#[test]
fn ei_recurrent_on_a_2x1_mesh() {
    let s = check(&example("ei-recurrent.toml"), 150, None);
    assert!(s.host_flits_out > 100, "recorded spikes reached the host: {s:?}");
}

#[test]
fn bench_1024_shortened_on_a_2x2_mesh() {
    let s = check(&example("bench-1024.toml"), 25, None);
    assert!(s.host_flits_out > 200, "{s:?}");
}

#[test]
fn up5k_feedforward_on_a_2x2_mesh() {
    let s = check(&example("up5k-feedforward.toml"), 60, None);
    assert!(s.host_flits_out > 50, "{s:?}");
}

use spikemesh_sim::rtl_mesh::RtlMesh;

/// `text` with `core_axons`: each core holding only the rows its mapping uses (at least 1).
fn own_rows(text: &str) -> String {
    let net = Network::parse(Path::new("mesh.toml"), text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let m = Mapping::build(&net).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let rows: Vec<String> = m.cores.iter().map(|c| c.axon_source.len().max(1).to_string()).collect();
    text.replacen("\naxons_per_core", &format!("\ncore_axons = [{}]\naxons_per_core", rows.join(", ")), 1)
}

fn random_meshes(shape: MeshShape, nets: u64, steps: usize, delay_bits: u32) {
    random_meshes_with(shape, nets, steps, delay_bits, false)
}

fn random_meshes_with(shape: MeshShape, nets: u64, steps: usize, delay_bits: u32, core_rows: bool) {
    let mut host_flits = 0;
    for seed in 0..nets {
        let dense = seed % 3 == 2;
        let text = random_mesh_net(seed, shape, dense, delay_bits);
        let text = if core_rows { own_rows(&text) } else { text };
        let net = Network::parse(Path::new("mesh.toml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let m = Mapping::build(&net).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let rate = if dense { 0.5 } else { 0.1 + 0.1 * (seed % 3) as f64 };
        let stim = Stimulus::random(&net, steps, rate, seed);
        let mut rtl = RtlMesh::new(&m, None).unwrap_or_else(|e| panic!("{e}"));
        rtl.host_stall = if seed % 2 == 1 { 0.6 } else { 0.0 };
        rtl.seed(seed);
        if let Err(d) = spikemesh_sim::cosim::compare(&m, &stim, &mut rtl, Some(20)) {
            panic!("{d}\n{text}");
        }
        assert_eq!(rtl.timestep_counter(), steps as u64, "the chip counted its timesteps");
        host_flits += rtl.stats.host_flits_in + rtl.stats.host_flits_out;
    }
    assert!(host_flits > nets * steps as u64, "the random networks carry traffic: {host_flits} host flits");
}

#[test]
fn random_networks_on_a_1x2_mesh() {
    random_meshes((1, 2, 16, 48, 6, 12), 6, 120, 0);
}

#[test]
fn random_networks_on_a_2x2_mesh() {
    random_meshes((2, 2, 12, 64, 5, 10), 6, 120, 0);
}

#[test]
fn random_networks_on_a_3x3_mesh() {
    random_meshes((3, 3, 6, 72, 4, 8), 6, 100, 0);
}

/// Random delays (every projection a constant or a uniform range of 0..=7 extra timesteps): the
/// ring of accumulator slots and the rows split by delay, against the golden model.
#[test]
fn random_networks_with_delays_on_a_2x2_mesh() {
    random_meshes((2, 2, 8, 40, 6, 12), 6, 100, 3);
}

/// Each core holding only its own rows (`core_axons`), with delays (the delay memory is as
/// deep as the crossbar): one tile module per row count, against the golden model.
#[test]
fn random_networks_with_rows_per_core_on_a_2x2_mesh() {
    random_meshes_with((2, 2, 8, 40, 6, 12), 4, 100, 2, true);
}

#[test]
fn random_networks_on_a_3x2_mesh() {
    random_meshes((3, 2, 8, 64, 8, 16), 6, 100, 0);
}

mod common;

use common::{random_mesh_net, MeshShape};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random network on a 2x2 mesh whose four cores each run a random model (one population
/// per core, so every core runs the model its population draws), with recurrence. The chip
/// (each core's model, the current width) is drawn from `seed / 2`, so two networks share each
/// Verilator build; the neurons, weights and connections from `seed`.
fn random_mixed_net(seed: u64) -> String {
    let mut chip = ChaCha8Rng::seed_from_u64(seed / 2);
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let (n, a, wb, pb, rb) = (8, 48, 6, 12, 2);
    let wmax = (1i64 << (wb - 1)) - 1;
    let mut t = format!(
        "[hardware]\nboard = \"sim\"\nmesh = [2, 2]\nneurons_per_core = {n}\naxons_per_core = {a}\nweight_bits = {wb}\npotential_bits = {pb}\ncurrent_bits = {}\nrefractory_bits = {rb}\ndestinations_per_core = 32\n\n[[population]]\nname = \"in\"\nsize = 8\ninput = true\n",
        chip.gen_range(8..=14)
    );
    for c in 0..4 {
        let model = ["lif", "cuba", "alif"][chip.gen_range(0..3)];
        let neuron = common::random_neuron(&mut r, model, pb, rb, wmax);
        t += &format!("\n[[population]]\nname = \"c{c}\"\nsize = {n}\nrecord = true\nneuron = {neuron}\n");
    }
    for to in 0..4 {
        for from in ["in".to_string(), format!("c{}", (to + 3) % 4), format!("c{to}")] {
            let lo = if from == "in" { 0 } else { -(wmax + 1) };
            t += &format!(
                "\n[[projection]]\nfrom = \"{from}\"\nto = \"c{to}\"\nconnectivity = {{ random = {:.2}, seed = {} }}\nweight = {{ uniform = [{lo}, {wmax}], seed = {} }}\n",
                r.gen_range(0.2..0.7),
                r.gen::<u32>(),
                r.gen::<u32>()
            );
        }
    }
    t
}

#[test]
fn random_mixed_model_networks_on_a_2x2_mesh() {
    let mut models = std::collections::BTreeSet::new();
    let mut host_flits = 0;
    for seed in 0..8 {
        let text = random_mixed_net(seed);
        let net = Network::parse(Path::new("mixed.toml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let m = Mapping::build(&net).unwrap_or_else(|e| panic!("{e}\n{text}"));
        models.extend(m.cores.iter().map(|c| c.model().name()));
        let stim = Stimulus::random(&net, 80, 0.3, seed);
        let mut rtl = RtlMesh::new(&m, None).unwrap_or_else(|e| panic!("{e}"));
        rtl.seed(seed);
        if let Err(d) = spikemesh_sim::cosim::compare(&m, &stim, &mut rtl, Some(10)) {
            panic!("{d}\n{text}");
        }
        host_flits += rtl.stats.host_flits_out;
    }
    assert_eq!(models.len(), 3, "every model ran on some core: {models:?}");
    assert!(host_flits > 1000, "the networks fire: {host_flits} recorded spikes");
}
