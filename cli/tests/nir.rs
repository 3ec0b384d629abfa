//! NIR import to evaluation through the command line: the digits classifier (committed
//! network = what import writes; accuracy on the reference, the golden model, the RTL and the
//! virtual board), the CubaLIF recurrent fixture through `check` and `simulate --engine both`,
//! and clear errors for bad inputs.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn digits(f: &str) -> String {
    root().join("examples/digits").join(f).display().to_string()
}

fn spikemesh(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spikemesh")).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

fn ok(args: &[&str]) -> String {
    let o = spikemesh(args);
    let t = text(&o);
    assert!(o.status.success(), "spikemesh {args:?} failed:\n{t}");
    t
}

fn eval_args<'a>(net: &'a str, samples: &'a str, labels: &'a str) -> Vec<&'a str> {
    vec!["evaluate", net, "--samples", samples, "--labels", labels, "--steps-per-sample", "18", "--json"]
}

#[test]
fn the_committed_digits_network_is_what_import_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("net");
    let report = ok(&["import", &digits("digits.nir"), "--board", "icebreaker", "--out", out.to_str().unwrap()]);
    assert!(report.contains("quantisation per layer"), "{report}");
    let committed = root().join("examples/digits/net");
    let mut files: Vec<_> = std::fs::read_dir(&committed).unwrap().map(|e| e.unwrap().file_name()).collect();
    files.sort();
    let mut fresh: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    fresh.sort();
    assert_eq!(files, fresh);
    for f in files {
        assert_eq!(
            std::fs::read_to_string(committed.join(&f)).unwrap(),
            std::fs::read_to_string(out.join(&f)).unwrap(),
            "{f:?} differs from a fresh import: run `make train-digits` or re-import"
        );
    }
}

/// The JSON an `evaluate --json` prints on stdout (stderr may say a model is being built).
fn accuracy(args: &[&str]) -> Value {
    let o = spikemesh(args);
    assert!(o.status.success(), "spikemesh {args:?} failed:\n{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {}", text(&o)))
}

#[test]
fn digits_reach_95_percent_on_the_reference_and_the_golden_model() {
    let (s, l) = (digits("test-samples.csv"), digits("test-labels.csv"));
    let net = digits("net/net.toml");
    let golden = accuracy(&eval_args(&net, &s, &l));
    assert_eq!(golden["samples"], 450);
    assert!(golden["accuracy"].as_f64().unwrap() >= 0.95, "{golden}");
    let nir = digits("digits.nir");
    let mut args = eval_args(&nir, &s, &l);
    args.extend(["--engine", "reference"]);
    let reference = accuracy(&args);
    assert!(reference["accuracy"].as_f64().unwrap() >= 0.95, "{reference}");
    // Quantisation costs something, but not more than a point here.
    let loss = reference["accuracy"].as_f64().unwrap() - golden["accuracy"].as_f64().unwrap();
    assert!(loss.abs() < 0.01, "quantisation loss {loss}");
    let confusion: u64 = golden["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(confusion, 450);
}

#[test]
fn digits_on_the_rtl_equal_the_golden_model_sample_by_sample() {
    let (s, l, net) = (digits("test-samples.csv"), digits("test-labels.csv"), digits("net/net.toml"));
    let mut args = eval_args(&net, &s, &l);
    args.extend(["--engine", "verilator", "--limit", "40"]);
    let v = accuracy(&args);
    assert_eq!(v["checked_against_golden"], true);
    assert_eq!(v["samples"], 40);
    assert!(v["cycles_per_sample"][0].as_f64().unwrap() > 0.0, "{v}");
}

/// Kills the board-sim process when the test ends, pass or fail.
struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn digits_on_the_virtual_board_equal_the_golden_model() {
    let net = digits("net/net.toml");
    let mut sim = Child(
        Command::new(env!("CARGO_BIN_EXE_spikemesh")).args(["board-sim", &net]).stdout(Stdio::piped()).spawn().unwrap(),
    );
    let mut first = String::new();
    BufReader::new(sim.0.stdout.as_mut().unwrap()).read_line(&mut first).unwrap();
    let port = first.trim().strip_prefix("virtual board on ").expect("board-sim prints its PTY").to_string();
    let (s, l) = (digits("test-samples.csv"), digits("test-labels.csv"));
    let mut args = eval_args(&net, &s, &l);
    args.extend(["--port", &port, "--limit", "60"]);
    let v = accuracy(&args);
    assert_eq!(v["checked_against_golden"], true);
    assert_eq!(v["samples"], 60);
    assert!(v["accuracy"].as_f64().unwrap() >= 0.9, "{v}");
}

fn fixture(name: &str) -> String {
    let d = std::env::var_os("SPIKEMESH_NIR_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/nir-fixtures"));
    assert!(d.join("manifest.json").exists(), "no NIR fixtures in {}: run `make nir-fixtures`", d.display());
    d.join(name).display().to_string()
}

#[test]
fn a_cuba_recurrent_import_passes_check_and_rtl_cosimulation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cuba");
    ok(&["import", &fixture("cuba_recurrent.nir"), "--board", "sim", "--out", out.to_str().unwrap()]);
    let net = out.join("net.toml").display().to_string();
    let check = ok(&["check", &net]);
    assert!(check.contains("fits") && check.contains("cuba"), "{check}");
    let spikes = dir.path().join("s.csv").display().to_string();
    let stim = fixture("cuba_recurrent-stimulus.csv");
    let t = ok(&["simulate", &net, "--engine", "both", "--steps", "60", "--input", &stim, "--out", &spikes]);
    assert!(t.contains("golden model and RTL agree"), "{t}");
    assert!(std::fs::read_to_string(&spikes).unwrap().lines().count() > 10, "the network fires");
}

#[test]
fn simulate_reference_writes_the_output_spikes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.csv").display().to_string();
    let stim = fixture("nested-stimulus.csv");
    let t = ok(&[
        "simulate",
        &fixture("nested.nir"),
        "--engine",
        "reference",
        "--steps",
        "60",
        "--input",
        &stim,
        "--out",
        &out,
    ]);
    assert!(t.contains("float reference"), "{t}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("timestep,population,neuron\n") && csv.contains(",if2,"), "{csv}");
    // The other engines refuse a NIR file, and the reference refuses a network file.
    let o = spikemesh(&["simulate", &fixture("nested.nir"), "--steps", "5", "--out", &out]);
    assert!(!o.status.success() && text(&o).contains("--engine reference"), "{}", text(&o));
    let o = spikemesh(&["simulate", &digits("net/net.toml"), "--engine", "reference", "--steps", "5", "--out", &out]);
    assert!(!o.status.success() && text(&o).contains("pass the .nir file"), "{}", text(&o));
}

#[test]
fn bad_inputs_fail_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let o = spikemesh(&[
        "import",
        &fixture("bad_missing_edge.nir"),
        "--board",
        "sim",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("bad_missing_edge.nir") && text(&o).contains("ghost"), "{}", text(&o));
    let o = spikemesh(&["import", &digits("digits.nir"), "--board", "nosuch", "--out", dir.path().to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("unknown board 'nosuch'"), "{}", text(&o));
    // A sample file with a neuron outside the input population, on line 3.
    let s = dir.path().join("s.csv");
    std::fs::write(&s, "sample,timestep,population,neuron\n0,0,input,3\n0,1,input,64\n").unwrap();
    let l = dir.path().join("l.csv");
    std::fs::write(&l, "sample,label\n0,7\n").unwrap();
    let o = spikemesh(&eval_args(&digits("net/net.toml"), s.to_str().unwrap(), l.to_str().unwrap()));
    assert!(!o.status.success());
    assert!(text(&o).contains("s.csv:3") && text(&o).contains("neuron"), "{}", text(&o));
    // A timestep beyond --steps-per-sample.
    std::fs::write(&s, "sample,timestep,population,neuron\n0,18,input,3\n").unwrap();
    let o = spikemesh(&eval_args(&digits("net/net.toml"), s.to_str().unwrap(), l.to_str().unwrap()));
    assert!(!o.status.success() && text(&o).contains("s.csv:2") && text(&o).contains("timestep"), "{}", text(&o));
}
