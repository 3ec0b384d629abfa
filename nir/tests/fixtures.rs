//! The NIR fixtures written by the official `nir` package (nir/tests/fixtures/make_fixtures.py,
//! run by `make nir-fixtures`, which `make test` runs first): every supported node type, nested
//! graphs, recurrence, CubaLIF with w_in, Affine bias, per-neuron parameters, and malformed
//! files. For each good file: what was read equals what Python wrote, the float reference
//! spikes exactly as an independent numpy simulation, and the imported network maps and agrees
//! with the reference; for each bad file: an error that names the file and what is wrong.

use serde_json::Value;
use spikemesh_nir::compare::agreement;
use spikemesh_nir::convention::{Framework, Reset, Rules};
use spikemesh_nir::quantise::{import, Options};
use spikemesh_nir::reduce::Net;
use spikemesh_nir::Convention;
use spikemesh_nir::{Graph, Reference};
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::PathBuf;

fn dir() -> PathBuf {
    let d = std::env::var_os("SPIKEMESH_NIR_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/nir-fixtures"));
    assert!(
        d.join("manifest.json").exists(),
        "no NIR fixtures in {}: run `make nir-fixtures` (make test does)",
        d.display()
    );
    d
}

fn manifest() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(dir().join("manifest.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap().as_object().unwrap().clone()
}

fn options(board: &str) -> Options {
    Options {
        board: board.into(),
        weight_bits: 8,
        dt: 1e-3,
        model: None,
        neurons_per_core: None,
        synapses_per_clock: None,
        reset: Reset::Value,
        deferred_subtract: false,
        core_rows: false,
        kernels: false,
        clock_mhz: None,
    }
}

/// Plain NIR at 1 ms, value reset: what every fixture here is written in.
fn plain() -> Convention {
    Convention {
        framework: Framework::Nir,
        dt: 1e-3,
        framework_rules: Rules::chip(Reset::Value),
        evidence: "test".into(),
        notes: Vec::new(),
    }
}

#[test]
fn every_good_fixture_reads_as_written() {
    let m = manifest();
    let mut checked = 0;
    for (name, e) in m.iter().filter(|(_, e)| e["ok"] == true) {
        let net = spikemesh_nir::load(&dir().join(format!("{name}.nir"))).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (layer, size) in e["sizes"].as_object().unwrap() {
            let l = net.layer(layer).unwrap_or_else(|| panic!("{name}: no layer {layer}"));
            assert_eq!(net.layers[l].size as u64, size.as_u64().unwrap(), "{name}: size of {layer}");
        }
        if let Some(n) = e.get("synapses") {
            let got: usize = net.connections.iter().map(|c| c.rows.iter().map(Vec::len).sum::<usize>()).sum();
            assert_eq!(got as u64, n.as_u64().unwrap(), "{name}: synapses");
        }
        if let Some(w) = e.get("weight") {
            // The first connection out of the first input holds the first Linear/Affine: a
            // weight stored as f32 must come back bit for bit.
            let (i, j, v) = (w[0].as_u64().unwrap() as usize, w[1].as_u64().unwrap() as u32, w[2].as_f64().unwrap());
            let c = net.connections.iter().find(|c| net.layers[c.from].neurons.is_none()).unwrap();
            let got = c.rows[i].iter().find(|(k, _)| *k == j).map(|x| x.1);
            assert_eq!(got, Some(v), "{name}: weight [{i}][{j}]");
        }
        checked += 1;
    }
    assert_eq!(checked, 9, "every good fixture is checked");
}

/// Input spikes per timestep as (layer, element) from the fixture's stimulus file.
fn stimulus(name: &str, net: &Net, steps: usize) -> Vec<Vec<(usize, usize)>> {
    spikemesh_nir::stimulus::read(&dir().join(format!("{name}-stimulus.csv")), net, steps).unwrap()
}

#[test]
fn reference_spikes_exactly_as_numpy() {
    let m = manifest();
    let mut checked = 0;
    for (name, e) in m.iter().filter(|(_, e)| e.get("spikes").is_some()) {
        let net = spikemesh_nir::load(&dir().join(format!("{name}.nir"))).unwrap();
        let steps = e["steps"].as_u64().unwrap() as usize;
        let mut r = Reference::new(&net, 1e-3, Rules::chip(Reset::Value)).unwrap();
        let mut got: Vec<(usize, usize, usize)> = Vec::new();
        for (t, ins) in stimulus(name, &net, steps).iter().enumerate() {
            got.extend(r.step(ins).into_iter().map(|(l, k)| (l, t, k)));
        }
        got.sort_unstable();
        let mut want: Vec<(usize, usize, usize)> = Vec::new();
        for (layer, list) in e["spikes"].as_object().unwrap() {
            let l = net.layer(layer).unwrap();
            want.extend(
                list.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| (l, s[0].as_u64().unwrap() as usize, s[1].as_u64().unwrap() as usize)),
            );
        }
        want.sort_unstable();
        assert!(!want.is_empty(), "{name}: the fixture fires");
        assert_eq!(got, want, "{name}: reference spikes (layer, timestep, neuron) differ from numpy's");
        checked += 1;
    }
    assert!(checked >= 5, "{checked} fixtures with numpy spikes");
}

#[test]
fn imports_map_and_agree_with_the_reference() {
    let m = manifest();
    for (name, e) in m.iter().filter(|(_, e)| e["ok"] == true) {
        let path = dir().join(format!("{name}.nir"));
        let nir = spikemesh_nir::load(&path).unwrap();
        let out = tempfile::tempdir().unwrap();
        let imp = import(&nir, &options("sim"), out.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Some(model) = e.get("model") {
            assert_eq!(imp.model, model.as_str().unwrap(), "{name}: model");
        }
        let net = Network::load(&imp.toml).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mapping = Mapping::build(&net).unwrap();
        // Delay nodes become the synapses' delays, in as few bits as the longest needs.
        let delay_bits = e.get("delay_bits").map_or(0, |b| b.as_u64().unwrap());
        assert_eq!(net.hardware.delay_bits as u64, delay_bits, "{name}: delay_bits");
        if let Some(t) = e.get("types") {
            let got: usize = mapping.cores.iter().map(|c| c.types.len()).sum();
            assert_eq!(got as u64, t.as_u64().unwrap(), "{name}: distinct neuron types");
        }
        let stim = match e.get("steps") {
            Some(s) => {
                Stimulus::build(&net, s.as_u64().unwrap() as usize, Some(&dir().join(format!("{name}-stimulus.csv"))))
                    .unwrap()
            }
            None => Stimulus::random(&net, 200, 0.2, 1),
        };
        let agree = agreement(&nir, &plain(), &net, &mapping, &stim).unwrap();
        assert!(!agree.is_empty());
        for a in &agree {
            if let Some(c) = a.potential_correlation {
                assert!(c > 0.99, "{name}/{}: potential correlation {c}", a.name);
                continue;
            }
            assert!(a.reference_spikes > 0, "{name}/{}: the layer fires", a.name);
            if e.get("exact") == Some(&Value::Bool(true)) {
                assert_eq!(a.jaccard, 1.0, "{name}/{}: quantised spikes equal the reference", a.name);
            }
            let r = a.rate_correlation.unwrap_or(1.0);
            assert!(r > 0.95, "{name}/{}: rate correlation {r}", a.name);
        }
    }
}

#[test]
fn malformed_files_are_refused_with_the_node_and_the_reason() {
    let m = manifest();
    let mut checked = 0;
    for (name, e) in m.iter().filter(|(_, e)| e["ok"] == false) {
        let path = dir().join(format!("{name}.nir"));
        let err = match spikemesh_nir::load(&path) {
            Ok(net) => import(&net, &options("sim"), tempfile::tempdir().unwrap().path()).map(|_| ()).unwrap_err(),
            Err(e) => e,
        };
        let text = err.to_string();
        let want = e["error"].as_str().unwrap();
        assert!(text.contains(want), "{name}: `{text}` lacks `{want}`");
        assert!(text.contains(&format!("{name}.nir")), "{name}: `{text}` names the file");
        checked += 1;
    }
    assert_eq!(checked, 12, "every malformed fixture is checked");
}

#[test]
fn edges_to_a_nested_graph_and_dotted_names_resolve() {
    let g = Graph::read(&dir().join("nested.nir")).unwrap();
    let names: Vec<&str> = g.nodes.iter().map(|(n, _)| n.as_str()).collect();
    for want in ["sub.input", "sub.fc", "sub.if", "sub.output", "fc2", "if2"] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
}

/// Corrupted and truncated copies of every good fixture: each is read (and, when it reads,
/// imported) without a panic; whatever is wrong comes back as an error.
#[test]
fn corrupted_files_never_panic() {
    let m = manifest();
    let tmp = tempfile::tempdir().unwrap();
    let mut state = 0x9e3779b97f4a7c15u64;
    let mut next = move || {
        // xorshift64*: deterministic, no dependency.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545f4914f6cdd1d)
    };
    let (mut read, mut refused) = (0, 0);
    for (name, _) in m.iter().filter(|(_, e)| e["ok"] == true) {
        let bytes = std::fs::read(dir().join(format!("{name}.nir"))).unwrap();
        for case in 0..120 {
            let mut b = bytes.clone();
            if case % 4 == 0 {
                b.truncate((next() as usize) % b.len());
            } else {
                for _ in 0..1 + case % 8 {
                    let i = (next() as usize) % b.len();
                    b[i] ^= 1 << (next() % 8);
                }
            }
            let p = tmp.path().join("x.nir");
            std::fs::write(&p, &b).unwrap();
            let outcome = std::panic::catch_unwind(|| match spikemesh_nir::load(&p) {
                Ok(net) => import(&net, &options("sim"), &tmp.path().join("out")).is_ok(),
                Err(e) => {
                    assert!(e.to_string().contains("x.nir"), "{e}");
                    false
                }
            });
            match outcome {
                Ok(true) => read += 1,
                Ok(false) => refused += 1,
                Err(_) => panic!("{name}, case {case}: a corrupted file made the importer panic"),
            }
        }
    }
    assert!(refused > 100, "corruption is noticed ({refused} refused, {read} read)");
}

/// A graph whose time constants were written for another step than `--dt` stops with the
/// layer and a hint of the steps the frameworks' exporters use (docs/nir.md).
#[test]
fn a_time_constant_too_short_for_dt_names_the_exporters_steps() {
    let nir = spikemesh_nir::load(&dir().join("cuba_recurrent.nir")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let opt = Options { dt: 1.0, ..options("sim") };
    let e = import(&nir, &opt, out.path()).expect_err("dt = 1 s is far longer than the fixture's 5 ms tau_syn");
    let text = e.to_string();
    assert!(text.contains("cuba_recurrent.nir"), "{text}");
    assert!(text.contains("weight steps") || text.contains("outside 0..4095"), "{text}");
    assert!(text.contains("snnTorch's exporter writes them for dt = 1e-4 (try --dt 1e-4)"), "{text}");
    assert!(!text.contains("try --dt 1)"), "no hint to try the step already given: {text}");
}

/// At 16-bit weights Loihi's align_shift of 6 would let the CubaLIF's current wrap (the
/// agreement fell to a rate correlation of 0.70); the import backs the shift off instead, says
/// so, and the quantised spikes follow the reference.
#[test]
fn sixteen_bit_weights_back_the_alignment_off_instead_of_wrapping_the_current() {
    let nir = spikemesh_nir::load(&dir().join("cuba_recurrent.nir")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let imp = import(&nir, &Options { weight_bits: 16, ..options("sim") }, out.path()).unwrap();
    let notes = imp.layers.iter().flat_map(|l| l.notes.iter()).cloned().collect::<Vec<_>>().join("; ");
    assert!(notes.contains("so that u cannot wrap"), "{notes}");
    let text = std::fs::read_to_string(&imp.toml).unwrap();
    assert!(!text.contains("align_shift = 6"), "{text}");
    let net = Network::load(&imp.toml).unwrap();
    let mapping = Mapping::build(&net).unwrap();
    for a in agreement(&nir, &plain(), &net, &mapping, &Stimulus::random(&net, 200, 0.2, 1)).unwrap() {
        assert!(a.jaccard > 0.9, "{}: Jaccard {}", a.name, a.jaccard);
        assert!(a.rate_correlation.unwrap_or(1.0) > 0.99, "{}: {:?}", a.name, a.rate_correlation);
    }
}

/// Placement by position (`placement.rs`) renumbers the hidden (C, H, W) layers of a
/// convolution and pooling and nothing else: on the same input spikes the float reference's
/// readout spikes are identical, and every layer fires as often.
#[test]
fn placement_by_position_keeps_the_function() {
    use rand::{Rng, SeedableRng};
    let path = dir().join("conv2d_pool.nir");
    let placed = spikemesh_nir::load(&path).unwrap();
    let mut plain = Net::build(&Graph::read(&path).unwrap()).unwrap();
    spikemesh_nir::convention::settle(&mut plain, &spikemesh_nir::Forced::default()).unwrap();
    let moved = spikemesh_nir::placement::by_position(&mut plain.clone());
    assert_eq!(moved, ["c1", "p1", "p2"], "the hidden feature maps");
    let readout: Vec<usize> = placed.outputs.iter().map(|o| o.1).collect();
    let mut a = Reference::new(&placed, 1e-3, Rules::chip(Reset::Value)).unwrap();
    let mut b = Reference::new(&plain, 1e-3, Rules::chip(Reset::Value)).unwrap();
    let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let (mut fired, mut counts_a, mut counts_b) = (0, vec![0; placed.layers.len()], vec![0; placed.layers.len()]);
    for _ in 0..100 {
        let ins: Vec<(usize, usize)> = (0..placed.layers[0].size).filter(|_| r.gen_bool(0.3)).map(|k| (0, k)).collect();
        let (sa, sb) = (a.step(&ins), b.step(&ins));
        let out = |s: &[(usize, usize)]| s.iter().filter(|x| readout.contains(&x.0)).copied().collect::<Vec<_>>();
        assert_eq!(out(&sa), out(&sb), "readout spikes");
        for &(l, _) in &sa {
            counts_a[l] += 1;
        }
        for &(l, _) in &sb {
            counts_b[l] += 1;
        }
        fired += out(&sa).len();
    }
    assert_eq!(counts_a, counts_b, "spikes per layer");
    assert!(fired > 0, "the readout fires");
}

/// The convolution fixture on the HX8K: at 8 bits its crossbars, each at its own rows, do not
/// fit the 32 block RAMs; the fit then stores the convolution's rows as shared kernels
/// (`core_kernels`), which "may fit", and writes that network: it maps, with the kernel rows
/// and taps in the core's image.
#[test]
fn a_convolution_takes_shared_kernels_where_its_rows_do_not_fit() {
    let nir = spikemesh_nir::load(&dir().join("conv2d_pool.nir")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (imp, tried) =
        spikemesh_nir::fit::import_to_fit(&nir, &options("hx8k-breakout"), false, false, out.path()).unwrap();
    assert!(
        tried[0].kernels && tried[0].verdict.contains("(shared kernels in 2 cores; without: does not fit)"),
        "{:?}",
        tried[0]
    );
    let net = Network::load(&imp.toml).unwrap();
    assert_eq!(net.hardware.widths.weight_bits, 8);
    let m = Mapping::build(&net).unwrap();
    let k = m.cores.iter().find_map(|c| c.kernel.as_ref()).expect("a core with shared kernels");
    let stored = k.rows.len() / k.segment;
    let taps: usize = k.taps.iter().map(Vec::len).sum();
    assert!(stored < taps, "{stored} kernel rows for {taps} taps: the kernel is shared");
}
