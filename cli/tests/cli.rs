//! The `spikemesh` binary: exit codes, messages and files, as a user sees them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn spikemesh(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spikemesh")).args(args).output().expect("run spikemesh")
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name).display().to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn check_accepts_every_example() {
    for f in [
        "tiny.toml",
        "ei-recurrent.toml",
        "up5k-feedforward.toml",
        "bench-1024.toml",
        "one-core.toml",
        "cuba-recurrent.toml",
        "mixed-models.toml",
        "link-cuba.toml",
    ] {
        let o = spikemesh(&["check", &example(f)]);
        assert!(o.status.success(), "{f}: {}", text(&o.stderr));
        assert!(text(&o.stdout).contains(": fits"), "{}", text(&o.stdout));
    }
}

#[test]
fn check_json_reports_per_core_use() {
    let o = spikemesh(&["check", &example("up5k-feedforward.toml"), "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let cores = v["cores"].as_array().unwrap();
    assert_eq!(cores.len(), 4);
    for c in cores {
        assert_eq!(c["axons"], 256, "every core of the UP5K example uses its full axon budget");
    }
    assert_eq!(v["neurons"], 778);
    // Predicted before synthesis: 4 tiles of 6 block RAMs (one accumulator bank each, at one
    // synapse per clock) and the bridge's 2 (Yosys used 26), and the four crossbars fill the
    // four SPRAMs.
    assert_eq!(v["synapses_per_clock"], 1);
    assert_eq!(v["memory_fit"]["verdict"], "fits", "{}", v["memory_fit"]);
    assert_eq!(v["memory_fit"]["block_rams"], 26, "{}", v["memory_fit"]);
    assert_eq!(v["memory_fit"]["sprams"], 4);
    // 24 MHz from the iCEBreaker's 12 MHz oscillator, as icepll sets it up.
    assert_eq!(v["clock"]["achieved_mhz"], 24.0);
    assert_eq!(v["clock"]["pll"], "SB_PLL40: DIVR 0, DIVF 63, DIVQ 5, FILTER_RANGE 1");
    let o = spikemesh(&["check", &example("one-core.toml"), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["memory_fit"]["verdict"], "fits", "{}", v["memory_fit"]);
}

#[test]
fn bad_file_exits_non_zero_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    let t = std::fs::read_to_string(example("tiny.toml")).unwrap().replace("threshold = 200", "threshold = 70000");
    std::fs::write(&p, &t).unwrap();
    let line = t.lines().position(|l| l.contains("threshold = 70000")).unwrap() + 1;
    let o = spikemesh(&["check", p.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains(&format!("{}:{line}:", p.display())), "{err}");
    assert!(err.contains("field `population[2].neuron.threshold`"), "{err}");
    assert!(err.contains("70000 is out of range 1..=32767"), "{err}");
}

#[test]
fn missing_file_exits_non_zero() {
    let o = spikemesh(&["check", "/nonexistent/net.toml"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("/nonexistent/net.toml: cannot read the file"));
}

#[test]
fn simulate_writes_csv_and_raster_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let out = |n: &str| -> PathBuf { dir.path().join(n) };
    for name in ["a.csv", "b.csv"] {
        let o = spikemesh(&[
            "simulate",
            &example("ei-recurrent.toml"),
            "--steps",
            "300",
            "--out",
            out(name).to_str().unwrap(),
            "--raster",
            out("r.png").to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let a = std::fs::read_to_string(out("a.csv")).unwrap();
    assert_eq!(a, std::fs::read_to_string(out("b.csv")).unwrap());
    assert!(a.starts_with("timestep,population,neuron\n"));
    assert!(a.lines().count() > 100, "the example is active");
    assert!(a.lines().skip(1).all(|l| l.contains(",exc,") || l.contains(",inh,")), "only recorded populations");
    let png = std::fs::read(out("r.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn simulate_with_a_stimulus_file_and_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    let o = spikemesh(&[
        "simulate",
        &example("tiny.toml"),
        "--steps",
        "12",
        "--input",
        &example("tiny-stimulus.csv"),
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let got = std::fs::read_to_string(&csv).unwrap();
    assert!(got.contains("7,b,0\n"), "{got}");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "timestep,population,neuron\n0,in,0\n3,in,7\n").unwrap();
    let o = spikemesh(&[
        "simulate",
        &example("tiny.toml"),
        "--steps",
        "12",
        "--input",
        bad.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains(&format!("{}:3: field `neuron`", bad.display())), "{err}");
}

#[test]
fn bench_golden_prints_its_figures_as_json() {
    let o = spikemesh(&["bench", "golden", "--steps", "300", "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    // One run per thread count (default: one thread, then every thread), the same work in each.
    let runs = v.as_array().expect("a list of runs");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["threads"], 1);
    for r in runs {
        assert_eq!(r["timesteps"], 300);
        assert_eq!(r["neurons"], 1024);
        assert!(r["synaptic_events"].as_u64().unwrap() > 0);
        assert_eq!(r["synaptic_events"], runs[0]["synaptic_events"]);
        assert!(r["synaptic_events_per_s"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn simulate_engine_both_agrees_and_verilator_matches_golden() {
    let dir = tempfile::tempdir().unwrap();
    for (net, steps) in [("one-core.toml", "80"), ("ei-recurrent.toml", "60")] {
        let run = |engine: &str, out: &str| {
            let p = dir.path().join(out);
            let o = spikemesh(&[
                "simulate",
                &example(net),
                "--steps",
                steps,
                "--engine",
                engine,
                "--out",
                p.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{engine}: {}", text(&o.stderr));
            (text(&o.stdout), std::fs::read_to_string(p).unwrap())
        };
        let (both, _) = run("both", "b.csv");
        assert!(both.contains("golden model and RTL agree"), "{both}");
        let (_, golden) = run("golden", "g.csv");
        let (rtl_out, rtl) = run("verilator", "v.csv");
        assert!(rtl_out.contains("mesh"), "{rtl_out}");
        assert_eq!(golden, rtl, "{net}");
        assert!(golden.lines().count() > 50, "{net} is active");
    }
}

#[test]
fn vcd_needs_an_rtl_engine() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let o = spikemesh(&[
        "simulate",
        &example("tiny.toml"),
        "--steps",
        "5",
        "--vcd",
        "w.vcd",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("--vcd traces the RTL"), "{}", text(&o.stderr));
}

#[test]
fn mixed_models_show_per_core_and_run_in_the_golden_model() {
    let o = spikemesh(&["check", &example("mixed-models.toml"), "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let models: Vec<&str> = v["cores"].as_array().unwrap().iter().map(|c| c["model"].as_str().unwrap()).collect();
    assert_eq!(models, ["lif", "cuba", "alif", "lif"]);
    let dir = tempfile::tempdir().unwrap();
    for f in ["mixed-models.toml", "cuba-recurrent.toml"] {
        let out = dir.path().join("s.csv");
        let o = spikemesh(&["simulate", &example(f), "--steps", "200", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{f}: {}", text(&o.stderr));
        let spikes = std::fs::read_to_string(&out).unwrap().lines().count() - 1;
        assert!(spikes > 100, "{f}: {spikes} spikes");
    }
}

#[test]
fn rtl_runs_mixed_models_and_the_board_path_refuses_them_at_the_line() {
    let f = example("mixed-models.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.csv");
    let o = spikemesh(&["simulate", &f, "--engine", "both", "--steps", "30", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("golden model and RTL agree"), "{}", text(&o.stdout));
    // A chip with the host bridge runs one model on every core (the first population's, lif).
    let t = std::fs::read_to_string(&f).unwrap();
    let line = t.lines().position(|l| l.contains("model = \"cuba\"")).unwrap() + 1;
    let o = spikemesh(&["synth", &f, "--out", dir.path().join("fpga").to_str().unwrap()]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains(&format!("mixed-models.toml:{line}:")), "{err}");
    assert!(err.contains("field `population[2].neuron.model`: core (1,0) runs 'cuba'"), "{err}");
    assert!(err.contains("a chip with the host bridge runs one model on every core, here 'lif'"), "{err}");
}

/// `evaluate` on examples/delays/direction.toml: `delay_bits` and the file's delay column, or
/// neither (the same synapses, every delay 0); `extra` picks the engine.
fn direction_accuracy(delays: bool, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(&example("delays")).to_path_buf();
    let toml = std::fs::read_to_string(src.join("direction.toml")).unwrap();
    let csv = std::fs::read_to_string(src.join("synapses.csv")).unwrap();
    let (toml, csv) = if delays {
        (toml, csv)
    } else {
        let cut: String = csv.lines().map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n").collect();
        (toml.replace("delay_bits = 3", "delay_bits = 0"), cut)
    };
    std::fs::write(dir.path().join("direction.toml"), toml).unwrap();
    std::fs::write(dir.path().join("synapses.csv"), csv).unwrap();
    let net = dir.path().join("direction.toml").display().to_string();
    let (samples, labels) =
        (src.join("test-samples.csv").display().to_string(), src.join("test-labels.csv").display().to_string());
    let mut args = vec!["evaluate", &net, "--samples", &samples, "--labels", &labels, "--steps-per-sample", "24"];
    args.extend(extra);
    let o = spikemesh(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

#[test]
fn delays_tell_the_direction_and_without_them_it_is_chance() {
    let with = direction_accuracy(true, &[]);
    assert!(with.contains("accuracy 1.0000 (200 of 200)"), "{with}");
    // Without delays neither detector fires: every sample ties and goes to class 0, the 109
    // left-to-right crossings of the 200.
    let without = direction_accuracy(false, &[]);
    assert!(without.contains("accuracy 0.5450 (109 of 200)"), "{without}");
}

/// The same two figures on the RTL (every sample checked against the golden model): the chip
/// holds the delays, and without them it is as blind as the golden model.
#[test]
fn the_rtl_tells_the_direction_with_delays_only() {
    let net = Path::new(&example("delays")).join("direction.toml").display().to_string();
    let o = spikemesh(&["check", &net]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let report = text(&o.stdout);
    assert!(report.contains("delays: 3 bits per axon row (48 bits per core), 8 accumulators per neuron"), "{report}");
    assert!(report.contains("8 rows more than without delays"), "{report}");
    let rtl = ["--engine", "verilator"];
    let with = direction_accuracy(true, &rtl);
    assert!(with.contains("accuracy 1.0000 (200 of 200)"), "{with}");
    let without = direction_accuracy(false, &rtl);
    assert!(without.contains("accuracy 0.5450 (109 of 200)"), "{without}");
}

/// The encoder a standard task was trained with and the timesteps a sample runs on the chip,
/// as its report names them (examples/mnist).
fn task_encoding(task: &str) -> (String, String) {
    let report = std::fs::read_to_string(example(&format!("mnist/{task}-report.json"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    let encoder = v["encoder"].as_str().unwrap_or_else(|| panic!("{task}-report.json names no encoder"));
    let steps = v["steps_per_sample"].as_u64().unwrap_or_else(|| panic!("{task}-report.json: no steps_per_sample"));
    (encoder.to_string(), steps.to_string())
}

/// `evaluate` of a fixed slice of a standard task's test set (the first `limit` of 200 images),
/// encoded and run as the task's report says: its output.
fn evaluate_slice(net: &str, task: &str, engine: &str, limit: &str) -> String {
    let slice = |what: &str| example(&format!("mnist/slices/{task}-test-200-{what}.npy"));
    let (images, labels, (encoder, steps)) = (slice("images"), slice("labels"), task_encoding(task));
    let args = ["evaluate", net, "--images", &images, "--labels", &labels, "--encoder", &encoder];
    let o = spikemesh(&[&args[..], &["--steps-per-sample", &steps, "--engine", engine, "--limit", limit]].concat());
    let out = text(&o.stdout);
    assert!(o.status.success(), "{net}: {out}{}", text(&o.stderr));
    out
}

/// `evaluate`'s "accuracy X (N of 200)" line on a fixed slice of a standard task's test set.
fn slice_correct(net: &str, task: &str, engine: &str) -> usize {
    let out = evaluate_slice(net, task, engine, "200");
    let line = out.lines().find(|l| l.starts_with("accuracy ")).unwrap_or_else(|| panic!("{out}"));
    line.split('(').nth(1).and_then(|s| s.split(' ').next()).and_then(|n| n.parse().ok()).unwrap()
}

/// The MNIST network imported with no flags classifies an image in under a millisecond at each
/// board's clock: the mean clocks per image on the RTL (a figure, not a timing), every spike
/// equal to the golden model's. On the ULX3S-85F the import spreads the hidden layer over small
/// cores (`nir::fit::fast_cores`; 1.42 ms at its own core size); on the iCEBreaker one core
/// holds every neuron and streams 4 weights per clock, and the network was trained with a cost
/// on hidden spikes and 4 spikes per pixel at most (examples/mnist/README.md).
#[test]
fn mnist_takes_under_a_millisecond_per_image_on_both_boards() {
    for (board, mhz) in [("icebreaker", "24"), ("ulx3s-85f", "25")] {
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().display().to_string();
        let o = spikemesh(&["import", &example("mnist/mnist.nir"), "--board", board, "--out", &dir]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let net = out.path().join("net.toml").display().to_string();
        let out = evaluate_slice(&net, "mnist", "verilator", "10");
        assert!(out.contains("every sample's spikes equal the golden model's"), "{out}");
        // "latency per sample: N clock cycles on average, M at most = X us (Y us at most) at 25 MHz"
        let line = out.lines().find(|l| l.starts_with("latency per sample")).unwrap_or_else(|| panic!("{out}"));
        let us: f64 = line.split("= ").nth(1).and_then(|r| r.split(' ').next()).and_then(|x| x.parse().ok()).unwrap();
        assert!(line.ends_with(&format!("at {mhz} MHz")), "{board}: {line}");
        assert!(us <= 1000.0, "{board}: {line}");
    }
}

/// The committed MNIST-subset and Fashion-MNIST networks (examples/mnist, trained in snnTorch),
/// imported with no flags for each board, on the first 200 images of each test set
/// (examples/mnist/slices): the golden model's and the float reference's correct answers, as
/// figures. A change that moves any of them shows here; the full test sets are in `make mnist`
/// and `make fashion-mnist` (examples/mnist/README.md).
#[test]
fn standard_tasks_score_their_figures_on_a_fixed_slice() {
    // (task, float reference, iCEBreaker golden, ULX3S-85F golden), correct of 200.
    for (task, reference, icebreaker, ulx3s) in [("mnist", 192, 193, 193), ("fashion", 176, 174, 174)] {
        let nir = example(&format!("mnist/{task}.nir"));
        assert_eq!(slice_correct(&nir, task, "reference"), reference, "{task}: float reference");
        for (board, want) in [("icebreaker", icebreaker), ("ulx3s-85f", ulx3s)] {
            let out = tempfile::tempdir().unwrap();
            let dir = out.path().display().to_string();
            let o = spikemesh(&["import", &nir, "--board", board, "--out", &dir]);
            assert!(o.status.success(), "{task} on {board}: {}", text(&o.stderr));
            let net = out.path().join("net.toml").display().to_string();
            assert!(spikemesh(&["check", &net]).status.success(), "{task} on {board}: check");
            assert_eq!(slice_correct(&net, task, "golden"), want, "{task} on {board}: golden model");
        }
    }
}
