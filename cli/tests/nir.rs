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

/// Imports fixture `name` for the sim board into `dir`, runs its stimulus for 60 timesteps on
/// the golden model and the RTL in lock-step (they must agree, and the network must fire);
/// returns the imported net.toml.
fn import_and_cosimulate(dir: &Path, name: &str) -> String {
    let out = dir.join(name);
    ok(&["import", &fixture(&format!("{name}.nir")), "--board", "sim", "--out", out.to_str().unwrap()]);
    let net = out.join("net.toml").display().to_string();
    let spikes = dir.join(format!("{name}.csv")).display().to_string();
    let stim = fixture(&format!("{name}-stimulus.csv"));
    let t = ok(&["simulate", &net, "--engine", "both", "--steps", "60", "--input", &stim, "--out", &spikes]);
    assert!(t.contains("golden model and RTL agree"), "{t}");
    assert!(std::fs::read_to_string(&spikes).unwrap().lines().count() > 10, "the network fires");
    net
}

#[test]
fn a_cuba_recurrent_import_passes_check_and_rtl_cosimulation() {
    let dir = tempfile::tempdir().unwrap();
    let net = import_and_cosimulate(dir.path(), "cuba_recurrent");
    let check = ok(&["check", &net]);
    assert!(check.contains("fits") && check.contains("cuba"), "{check}");
}

/// A graph with `Delay` nodes (written by the official `nir` package) imports with its delays,
/// and the chip runs them: golden model and RTL agree spike for spike on the fixture's input.
#[test]
fn a_delay_import_runs_its_delays_on_the_rtl() {
    let dir = tempfile::tempdir().unwrap();
    let net = import_and_cosimulate(dir.path(), "delay_feedforward");
    assert!(std::fs::read_to_string(&net).unwrap().contains("delay_bits = 3"));
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
    // A clock no network file may ask for is refused by its flag, before anything is written.
    let out = dir.path().to_str().unwrap();
    let o = spikemesh(&["import", &digits("digits.nir"), "--board", "icebreaker", "--clock-mhz", "0", "--out", out]);
    assert!(!o.status.success() && text(&o).contains("--clock-mhz 0: not a usable core clock"), "{}", text(&o));
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

/// A `.npy` file of `descr` values (`'<f8'`, `'<i8'`, ...) with `shape`, as numpy.save writes it.
fn write_npy(path: &Path, descr: &str, shape: &[usize], data: &[u8]) {
    let dims = match shape {
        [n] => format!("{n},"),
        _ => shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    std::fs::write(path, bytes).unwrap();
}

/// An unsigned-byte IDX file of `shape`.
fn write_idx(path: &Path, shape: &[usize], data: &[u8]) {
    let mut bytes = vec![0, 0, 0x08, shape.len() as u8];
    for &d in shape {
        bytes.extend((d as u32).to_be_bytes());
    }
    bytes.extend(data);
    std::fs::write(path, bytes).unwrap();
}

/// `evaluate --images` encodes as the spike CSVs were written: the digits' pixels (p in 0..16,
/// recovered from the CSV as each input's spike count) as floats p/16 through `count:16` give
/// the CSV's samples, hence its accuracy and confusion exactly; an IDX file and a `.npy` of the
/// same images agree; a short file, and images of the wrong size, are errors that say so.
#[test]
fn evaluate_reads_images_and_encodes_them_as_the_spike_files_were_written() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(digits("test-samples.csv")).unwrap();
    let mut pixels = vec![0u32; 450 * 64];
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        pixels[f[0].parse::<usize>().unwrap() * 64 + f[3].parse::<usize>().unwrap()] += 1;
    }
    let labels: Vec<u8> = std::fs::read_to_string(digits("test-labels.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let p = |f: &str| dir.path().join(f).display().to_string();
    let floats: Vec<u8> = pixels.iter().flat_map(|&q| (q as f64 / 16.0).to_le_bytes()).collect();
    write_npy(Path::new(&p("x.npy")), "<f8", &[450, 8, 8], &floats);
    let labels64: Vec<u8> = labels.iter().flat_map(|&l| (l as i64).to_le_bytes()).collect();
    write_npy(Path::new(&p("y.npy")), "<i8", &[450], &labels64);
    let net = digits("net/net.toml");
    let from_csv = accuracy(&eval_args(&net, &digits("test-samples.csv"), &digits("test-labels.csv")));
    let steps = ["--steps-per-sample", "18", "--json"];
    let images = |x: &str, y: &str, enc: &str| -> Value {
        accuracy(&[&["evaluate", &net, "--images", x, "--labels", y, "--encoder", enc][..], &steps[..]].concat())
    };
    let from_npy = images(&p("x.npy"), &p("y.npy"), "count:16");
    assert_eq!((&from_npy["correct"], &from_npy["confusion"]), (&from_csv["correct"], &from_csv["confusion"]));
    assert_eq!(from_csv["correct"], 437);
    // Binarised images, as uint8 IDX (0 or 255) and as float npy (0 or 1): the same spikes.
    let bits: Vec<u8> = pixels.iter().map(|&q| if q >= 8 { 255 } else { 0 }).collect();
    write_idx(Path::new(&p("x.idx")), &[450, 8, 8], &bits);
    write_idx(Path::new(&p("y.idx")), &[450], &labels);
    let unit: Vec<u8> = bits.iter().flat_map(|&b| (b as f64 / 255.0).to_le_bytes()).collect();
    write_npy(Path::new(&p("bits.npy")), "<f8", &[450, 8, 8], &unit);
    let a = images(&p("x.idx"), &p("y.idx"), "latency:16");
    let b = images(&p("bits.npy"), &p("y.npy"), "latency:16");
    assert_eq!(a["confusion"], b["confusion"]);
    // Errors: a truncated IDX names the file and what its header needs; a wrong image size
    // names the population.
    write_idx(Path::new(&p("short.idx")), &[450, 8, 8], &bits[..1000]);
    let o = spikemesh(&[
        "evaluate",
        &net,
        "--images",
        &p("short.idx"),
        "--labels",
        &p("y.idx"),
        "--steps-per-sample",
        "18",
    ]);
    let t = text(&o);
    assert!(!o.status.success() && t.contains("short.idx") && t.contains("needs 28800"), "{t}");
    write_idx(Path::new(&p("wide.idx")), &[450, 65], &vec![0; 450 * 65]);
    let o =
        spikemesh(&["evaluate", &net, "--images", &p("wide.idx"), "--labels", &p("y.idx"), "--steps-per-sample", "18"]);
    let t = text(&o);
    assert!(!o.status.success() && t.contains("65 values") && t.contains("'input' has 64"), "{t}");
}
