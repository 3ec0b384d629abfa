//! Networks trained and exported by the frameworks themselves (nir/tests/frameworks/, written
//! by `make framework-fixtures`; these tests read only the committed files). For each: the
//! file's convention is found with no flags, the float reference at the framework's rules
//! gives the framework's own output spike counts on every test sample, and the imported
//! network on the golden model is within half a point of the framework's accuracy.

use serde_json::Value;
use spikemesh_nir::convention::Framework;
use spikemesh_nir::quantise::{import, Options};
use spikemesh_nir::{Forced, Net, Reference};
use spikemesh_sim::{Engine, Golden};
use spikemesh_spec::dataset::{Dataset, InputPopulation};
use spikemesh_spec::{Mapping, Network};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(name: &str) -> PathBuf {
    root().join("nir/tests/frameworks").join(name)
}

/// The committed digits test spikes (the same 450 images every framework was tested on).
fn digits(inputs: &[InputPopulation], steps: usize) -> Dataset {
    let d = root().join("examples/digits");
    Dataset::read(&d.join("test-samples.csv"), &d.join("test-labels.csv"), steps, inputs).unwrap()
}

/// The framework's own output spike counts per test sample, and its accuracy and steps.
fn framework_output(name: &str) -> (Vec<Vec<u32>>, f64, usize) {
    let text = std::fs::read_to_string(fixture(name).join("predictions.csv")).unwrap();
    let counts = text.lines().skip(1).map(|l| l.split(',').skip(3).map(|c| c.parse().unwrap()).collect()).collect();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(name).join("report.json")).unwrap()).unwrap();
    (counts, report["test_accuracy"].as_f64().unwrap(), report["steps_per_sample"].as_u64().unwrap() as usize)
}

fn argmax(xs: &[u32]) -> usize {
    (0..xs.len()).fold(0, |b, i| if xs[i] > xs[b] { i } else { b })
}

/// Output spike counts of the float reference at the framework's rules, per sample.
fn reference_counts(net: &Net, conv: &spikemesh_nir::Convention, data: &Dataset) -> Vec<Vec<u32>> {
    let out = net.outputs[0].1;
    data.samples
        .iter()
        .map(|sample| {
            let mut r = Reference::new(net, conv.dt, conv.framework_rules).unwrap();
            let mut counts = vec![0u32; net.layers[out].size];
            for step in sample {
                let ins: Vec<(usize, usize)> = step.iter().map(|&(l, k)| (l as usize, k as usize)).collect();
                for (l, k) in r.step(&ins) {
                    if l == out {
                        counts[k] += 1;
                    }
                }
            }
            counts
        })
        .collect()
}

/// Imports `net` with the convention the file settled: the network, its mapping, the test data.
fn imported(net: &Net, conv: &spikemesh_nir::Convention, steps: usize) -> (Network, Mapping, Dataset, String, String) {
    let out = tempfile::tempdir().unwrap();
    let opt = Options {
        board: "icebreaker".into(),
        weight_bits: 8,
        dt: conv.dt,
        model: None,
        neurons_per_core: None,
        synapses_per_clock: None,
        reset: conv.framework_rules.reset,
        deferred_subtract: conv.framework_rules.deferred_subtract,
        core_rows: false,
        kernels: false,
        clock_mhz: None,
    };
    let imp = import(net, &opt, out.path()).unwrap();
    let network = Network::load(&imp.toml).unwrap();
    let mapping = Mapping::build(&network).unwrap();
    let inputs = InputPopulation::of_network(&network);
    let text = std::fs::read_to_string(&imp.toml).unwrap();
    (network, mapping, digits(&inputs, steps), imp.model, text)
}

/// The golden model's accuracy on the imported network, and the model it runs.
fn golden_accuracy(net: &Net, conv: &spikemesh_nir::Convention, steps: usize) -> (f64, String) {
    let (network, mapping, data, model, _) = imported(net, conv, steps);
    let out_pop = network.population_index(&net.layers[net.outputs[0].1].name).unwrap();
    let mut correct = 0;
    for (sample, &label) in data.samples.iter().zip(&data.labels) {
        let mut g = Golden::new(&mapping);
        let mut counts = vec![0u32; network.populations[out_pop].size];
        for step in sample {
            for &slot in g.step(step) {
                if let Some((p, k)) = mapping.slot_owner[slot as usize] {
                    if p as usize == out_pop {
                        counts[k as usize] += 1;
                    }
                }
            }
        }
        correct += (argmax(&counts) == label as usize) as usize;
    }
    (correct as f64 / data.labels.len() as f64, model)
}

/// The whole path for one framework's fixture; returns (reference, golden) accuracy.
fn check(name: &str, want: Framework) -> (f64, f64) {
    let (net, conv) = spikemesh_nir::open(&fixture(name).join("model.nir"), &Forced::default()).unwrap();
    assert_eq!(conv.framework, want, "{name}: convention found from the file alone ({})", conv.evidence);
    let (framework_counts, framework_accuracy, steps) = framework_output(name);
    let data = digits(&net.input_populations(), steps);
    let counts = reference_counts(&net, &conv, &data);
    let same = counts.iter().zip(&framework_counts).filter(|(a, b)| a == b).count();
    assert_eq!(same, counts.len(), "{name}: reference output spike counts equal the framework's on every sample");
    let correct = counts.iter().zip(&data.labels).filter(|(c, &l)| argmax(c) == l as usize).count();
    let n = data.labels.len();
    assert_eq!(
        correct,
        (framework_accuracy * n as f64).round() as usize,
        "{name}: reference accuracy is the framework's"
    );
    let reference = correct as f64 / n as f64;
    let (golden, model) = golden_accuracy(&net, &conv, steps);
    assert!(
        (golden - framework_accuracy).abs() <= 0.005,
        "{name}: golden model ({model}) {golden:.4} against the framework's {framework_accuracy:.4}"
    );
    (reference, golden)
}

/// snnTorch's exporter writes dt = 1e-4 into `tau` and `r = tau / dt`, leaves its subtract
/// reset out, and its Leaky subtracts the threshold a timestep late, undecayed.
#[test]
fn snntorch_leaky_imports_with_no_flags_and_keeps_its_accuracy() {
    check("snntorch", Framework::Snntorch);
}

/// snnTorch's RSynaptic: a CubaLIF with a recurrent Linear, which the exporter writes as a
/// nested graph (flattened to `1.lif`, `1.w_rec`), with snnTorch's dt and deferred subtract.
#[test]
fn snntorch_rsynaptic_recurrence_imports_with_no_flags_and_keeps_its_accuracy() {
    check("snntorch-rsynaptic", Framework::Snntorch);
}

/// Norse's exporter writes `tau = dt / tau_mem_inv` at its dt = 1e-3.
#[test]
fn norse_lifbox_imports_with_no_flags_and_keeps_its_accuracy() {
    check("norse", Framework::Norse);
}

/// Spyx's exporter writes `r = beta` and, for a decay trained past 1 (which Spyx clamps), a
/// negative `tau`; its LIF emits the spike of the previous potential.
#[test]
fn spyx_lif_imports_with_no_flags_and_keeps_its_accuracy() {
    check("spyx", Framework::Spyx);
}

/// Read as plain NIR (what `--convention nir` forces), the same files lose what the tests above
/// keep: the check above would fail without the convention.
#[test]
fn without_the_convention_the_same_files_do_not_run() {
    let plain = Forced { framework: Some(Framework::Nir), ..Forced::default() };
    // Spyx's clamped decay is a negative tau in plain NIR: refused, with the hint.
    let e = spikemesh_nir::open(&fixture("spyx").join("model.nir"), &plain).unwrap_err().to_string();
    assert!(e.contains("time constants must be positive") && e.contains("--convention spyx"), "{e}");
    // snnTorch's and Norse's time constants do not fit plain NIR's 1 ms step.
    for name in ["snntorch", "norse"] {
        let (net, conv) = spikemesh_nir::open(&fixture(name).join("model.nir"), &plain).unwrap();
        let opt = Options {
            board: "icebreaker".into(),
            weight_bits: 8,
            dt: conv.dt,
            model: None,
            neurons_per_core: None,
            synapses_per_clock: None,
            reset: conv.framework_rules.reset,
            deferred_subtract: false,
            core_rows: false,
            kernels: false,
            clock_mhz: None,
        };
        let e = import(&net, &opt, tempfile::tempdir().unwrap().path()).map(|_| ()).unwrap_err().to_string();
        assert!(e.contains("model.nir"), "{name}: {e}");
    }
}

/// The imported snnTorch networks (cuba with the deferred reset, recurrence) on the RTL in
/// Verilator: every spike of every timestep equals the golden model's, on 20 test samples each.
#[test]
fn snntorch_imports_run_on_the_rtl_as_on_the_golden_model() {
    for name in ["snntorch", "snntorch-rsynaptic"] {
        let (net, conv) = spikemesh_nir::open(&fixture(name).join("model.nir"), &Forced::default()).unwrap();
        let (_, mapping, data, model, text) = imported(&net, &conv, framework_output(name).2);
        assert_eq!(model, "cuba", "{name}");
        assert!(text.contains("reset_mode = \"deferred\""), "{name}: imported with the deferred reset");
        let mut rtl = spikemesh_sim::rtl_mesh::RtlMesh::new(&mapping, None).unwrap();
        let mut spikes = 0;
        for (s, sample) in data.samples.iter().take(20).enumerate() {
            rtl.clear_state();
            let mut golden = Golden::new(&mapping);
            for (t, step) in sample.iter().enumerate() {
                let want: Vec<u32> = golden.step(step).iter().copied().filter(|&g| mapping.is_recorded(g)).collect();
                let mut got = rtl.step(step);
                got.sort_unstable();
                let mut want = want;
                want.sort_unstable();
                assert_eq!(got, want, "{name}: sample {s}, timestep {t}");
                spikes += want.len();
            }
        }
        assert!(spikes > 20, "{name}: the readout fires ({spikes} spikes)");
    }
}
