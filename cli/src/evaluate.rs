//! `spikemesh evaluate`: a labelled spike dataset through a network, on the golden model, the
//! RTL, the board (or virtual board), or the float reference of a NIR graph.

use crate::score::{self, Decode, Hardware};
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use spikemesh_spec::dataset::{Dataset, InputPopulation};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::convention_args::{ConventionArgs, RulesKind};

/// Which simulator runs the samples.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalEngine {
    /// The golden model.
    Golden,
    /// The RTL in Verilator, checked against the golden model on every sample.
    Verilator,
    /// The float64 reference of a NIR graph (NET is the .nir file).
    Reference,
}

/// Options of `spikemesh evaluate`.
#[derive(clap::Args)]
pub struct Args {
    /// Network TOML file (or a .nir file with --engine reference).
    pub net: PathBuf,
    /// Samples as spikes: `sample,timestep,population,neuron` (or give --images).
    #[arg(long, required_unless_present = "images", conflicts_with = "images")]
    pub samples: Option<PathBuf>,
    /// Samples as images: an IDX file (`*-idx3-ubyte`, gzip or not) or a `.npy` array [n, ...]
    /// of uint8 or of floats in 0..=1, encoded to spikes by --encoder.
    #[arg(long)]
    pub images: Option<PathBuf>,
    /// How --images become spikes: count:K, latency:K or rate:K:SEED (docs/config.md).
    #[arg(long, default_value = "count:8", requires = "images")]
    pub encoder: spikemesh_spec::encode::Encoder,
    /// The input population --images drive (default: the only one).
    #[arg(long, requires = "images")]
    pub input: Option<String>,
    /// Labels: `sample,label` CSV, or an IDX (`*-idx1-ubyte`) or `.npy` vector.
    #[arg(long)]
    pub labels: PathBuf,
    /// Timesteps each sample runs (its spikes must lie inside them).
    #[arg(long)]
    pub steps_per_sample: usize,
    /// Simulator (ignored with --port).
    #[arg(long, value_enum, default_value = "golden")]
    pub engine: EvalEngine,
    /// Run on a board (or the path `spikemesh board-sim` printed), checked against the golden model.
    #[arg(long)]
    pub port: Option<String>,
    /// Baud rate with --port (default: the network's).
    #[arg(long)]
    pub baud: Option<u32>,
    /// With --port: milliseconds to wait for an answer before sending a command again (a large
    /// chip's post-synthesis netlist behind `board-sim --netlist` can need more than a board).
    #[arg(long, default_value_t = spikemesh_host::board::DEFAULT_TIMEOUT_MS)]
    pub timeout_ms: u64,
    /// Output population (default: the last recorded one; a NIR graph's Output).
    #[arg(long)]
    pub output: Option<String>,
    /// How to read the class (default: spikes; potential for a NIR LI readout).
    #[arg(long, value_enum)]
    pub decode: Option<Decode>,
    /// Evaluate only the first N samples.
    #[arg(long)]
    pub limit: Option<usize>,
    /// The reference engine's timestep and reset, when the file does not settle them.
    #[command(flatten)]
    pub convention: ConventionArgs,
    /// The reference engine's order of a timestep: the framework's that wrote the file (its
    /// accuracy), or the chip's (what the imported network computes before quantisation).
    #[arg(long, value_enum, default_value = "framework")]
    pub rules: RulesKind,
    /// Write each sample's label, predicted class and per-class score (spike counts, or
    /// potentials with --decode potential) as CSV, to diff against another engine or framework.
    #[arg(long)]
    pub predictions: Option<PathBuf>,
    /// Draw the confusion matrix as a PNG.
    #[arg(long)]
    pub confusion_png: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What an evaluation measured.
#[derive(Serialize)]
struct Outcome {
    net: String,
    engine: String,
    samples: usize,
    correct: usize,
    accuracy: f64,
    classes: usize,
    /// confusion[label][predicted].
    confusion: Vec<Vec<usize>>,
    timesteps_per_sample: usize,
    /// RTL and board runs: compared with the golden model on every sample.
    checked_against_golden: bool,
    /// RTL only: clock cycles per sample (mean, max).
    cycles_per_sample: Option<(f64, u64)>,
    /// RTL only: microseconds per sample at the network's core clock (mean, max).
    latency_us: Option<(f64, f64)>,
    clock_mhz: Option<f64>,
    wall_seconds: f64,
    /// Samples per second of the engine alone (data loading excluded).
    samples_per_s: f64,
    /// Threads the samples were spread over (golden and reference: every hardware thread;
    /// the RTL and the board take one sample at a time).
    threads: usize,
    /// Per sample: (label, per-class score); for --predictions.
    #[serde(skip)]
    scores: Vec<(u32, Vec<f64>)>,
}

fn progress(n: usize) -> Result<ProgressBar> {
    Ok(if std::io::stderr().is_terminal() {
        let b = ProgressBar::new(n as u64);
        b.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} samples {per_sec} eta {eta}")?);
        b
    } else {
        ProgressBar::hidden()
    })
}

/// The class of a sample: argmax, ties to the lowest index.
fn argmax<T: PartialOrd + Copy>(xs: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] {
            best = i;
        }
    }
    best
}

/// Runs `spikemesh evaluate`.
pub fn run(a: Args) -> Result<()> {
    let is_nir = a.net.extension().is_some_and(|e| e == "nir");
    if is_nir != (a.engine == EvalEngine::Reference && a.port.is_none()) {
        bail!(if is_nir {
            "a .nir file runs only on --engine reference; import it first (`spikemesh import`) for the golden model, RTL or board"
        } else {
            "--engine reference simulates a NIR graph in float: pass the .nir file, not the network file"
        });
    }
    let t0 = Instant::now();
    let out = if is_nir { eval_reference(&a)? } else { eval_network(&a)? };
    let outcome = Outcome { wall_seconds: t0.elapsed().as_secs_f64(), ..out };
    if let Some(png) = &a.confusion_png {
        draw_confusion(png, &outcome.confusion)?;
    }
    if let Some(f) = &a.predictions {
        write_predictions(f, &outcome.scores)?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
    } else {
        print(&outcome);
        if let Some(png) = &a.confusion_png {
            println!("confusion matrix -> {}", png.display());
        }
    }
    Ok(())
}

/// `sample,label,predicted,score0,...`: integers print as integers (spike counts).
fn write_predictions(path: &Path, scores: &[(u32, Vec<f64>)]) -> Result<()> {
    let classes = scores.iter().map(|(_, s)| s.len()).max().unwrap_or(0);
    let mut text = String::from("sample,label,predicted");
    for c in 0..classes {
        text += &format!(",score{c}");
    }
    text.push('\n');
    for (i, (label, s)) in scores.iter().enumerate() {
        text += &format!("{i},{label},{}", argmax(s));
        for x in s {
            text += &format!(",{x}");
        }
        text.push('\n');
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn limit(a: &Args, d: &mut Dataset) {
    if let Some(n) = a.limit {
        d.samples.truncate(n);
        d.labels.truncate(n);
    }
}

impl Outcome {
    /// The scores of `predicted` against `labels`; no hardware figures (the RTL and board runs
    /// add theirs).
    fn scored(a: &Args, engine: String, labels: &[u32], scores: Vec<Vec<f64>>) -> Self {
        let predicted: Vec<usize> = scores.iter().map(|s| argmax(s)).collect();
        let (confusion, correct) = confusion(labels, &predicted);
        Outcome {
            net: a.net.display().to_string(),
            engine,
            samples: predicted.len(),
            correct,
            accuracy: correct as f64 / predicted.len().max(1) as f64,
            classes: confusion.len(),
            confusion,
            timesteps_per_sample: a.steps_per_sample,
            checked_against_golden: false,
            cycles_per_sample: None,
            latency_us: None,
            clock_mhz: None,
            wall_seconds: 0.0,
            samples_per_s: 0.0,
            threads: 1,
            scores: labels.iter().copied().zip(scores).collect(),
        }
    }
}

fn confusion(labels: &[u32], predicted: &[usize]) -> (Vec<Vec<usize>>, usize) {
    let classes = labels.iter().map(|&l| l as usize + 1).chain(predicted.iter().map(|&p| p + 1)).max().unwrap_or(0);
    let mut m = vec![vec![0; classes]; classes];
    let mut correct = 0;
    for (&l, &p) in labels.iter().zip(predicted) {
        m[l as usize][p] += 1;
        correct += (l as usize == p) as usize;
    }
    (m, correct)
}

/// The samples and labels: a spike CSV, or images through the encoder.
fn dataset(a: &Args, inputs: &[InputPopulation]) -> Result<Dataset> {
    let Some(images_path) = &a.images else {
        let samples = a.samples.as_ref().context("give --samples or --images")?;
        return Ok(Dataset::read(samples, &a.labels, a.steps_per_sample, inputs)?);
    };
    let input = match &a.input {
        Some(name) => inputs.iter().find(|p| &p.name == name).with_context(|| {
            let names: Vec<&str> = inputs.iter().map(|p| p.name.as_str()).collect();
            format!("--input {name}: no input population of that name (inputs: {})", names.join(", "))
        })?,
        None => match inputs {
            [only] => only,
            _ => bail!("{} input populations: name the one --images drive with --input", inputs.len()),
        },
    };
    let images = spikemesh_spec::images::Images::read(images_path)?;
    let labels = if a.labels.extension().is_some_and(|e| e == "csv") {
        // A label CSV without spikes: read it as a dataset with no spike file.
        Dataset::read_labels(&a.labels)?
    } else {
        spikemesh_spec::images::read_labels(&a.labels)?
    };
    let files = (images_path.as_path(), a.labels.as_path());
    Ok(Dataset::from_images(&images, labels, a.encoder, a.steps_per_sample, input, files)?)
}

fn eval_reference(a: &Args) -> Result<Outcome> {
    let (nir, conv) = spikemesh_nir::open(&a.net, &a.convention.forced()?)?;
    let rules = a.rules.of(&conv);
    let inputs = nir.input_populations();
    let mut data = dataset(a, &inputs)?;
    limit(a, &mut data);
    let out_layer = match &a.output {
        Some(n) => nir.layer(n).with_context(|| format!("no layer named '{n}' in {}", a.net.display()))?,
        None => nir.outputs.first().map(|o| o.1).with_context(|| format!("{} has no Output node", a.net.display()))?,
    };
    let li = nir.layers[out_layer].neurons.as_ref().is_some_and(|p| p.kind == spikemesh_nir::graph::NeuronKind::Li);
    let decode = a.decode.unwrap_or(if li { Decode::Potential } else { Decode::Spikes });
    let bar = progress(data.samples.len())?;
    // Samples are independent (each starts from rest): one per thread at a time.
    // Built (and its delays checked against dt) once; each sample starts from a copy at rest.
    let at_rest = spikemesh_nir::Reference::new(&nir, conv.dt, rules)?;
    let t_engine = Instant::now();
    let predicted: Vec<Vec<f64>> = data
        .samples
        .par_iter()
        .map(|sample| {
            let mut r = at_rest.clone();
            let mut counts = vec![0u32; nir.layers[out_layer].size];
            for step in sample {
                let ins: Vec<(usize, usize)> = step.iter().map(|&(l, k)| (l as usize, k as usize)).collect();
                for (l, k) in r.step(&ins) {
                    if l == out_layer {
                        counts[k] += 1;
                    }
                }
            }
            bar.inc(1);
            match decode {
                Decode::Spikes => counts.iter().map(|&c| c as f64).collect(),
                Decode::Potential => r.potentials(out_layer).to_vec(),
            }
        })
        .collect();
    let samples_per_s = predicted.len() as f64 / t_engine.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let which = match a.rules {
        RulesKind::Framework if conv.chip_is_faithful() => "the chip's rules, which are the framework's",
        RulesKind::Framework => "the framework's rules",
        RulesKind::Chip => "the chip's rules",
    };
    let engine = format!("reference (float64, {} convention, dt = {} s, {which})", conv.framework.name(), conv.dt);
    let threads = rayon::current_num_threads();
    Ok(Outcome { samples_per_s, threads, ..Outcome::scored(a, engine, &data.labels, predicted) })
}

fn eval_network(a: &Args) -> Result<Outcome> {
    let (net, mapping) = crate::load(&a.net)?;
    let inputs = InputPopulation::of_network(&net);
    let mut data = dataset(a, &inputs)?;
    limit(a, &mut data);
    let out_pop = score::output_population(&net, a.output.as_deref())?;
    let hw = match (&a.port, a.engine) {
        (Some(port), _) => {
            Hardware::Board { port, baud: a.baud.unwrap_or(net.hardware.baud), timeout_ms: a.timeout_ms }
        }
        (None, EvalEngine::Verilator) => Hardware::Verilator,
        (None, _) => Hardware::Golden,
    };
    let bar = progress(data.samples.len())?;
    let decode = a.decode.unwrap_or(Decode::Spikes);
    let s = score::score(&net, &mapping, &data.samples, out_pop, decode, &hw, &|| {
        bar.inc(1);
        true
    })?;
    bar.finish_and_clear();
    let clock = net.hardware.clock_mhz;
    let cycles = &s.cycles;
    let cyc = (!cycles.is_empty())
        .then(|| (cycles.iter().sum::<u64>() as f64 / cycles.len() as f64, *cycles.iter().max().expect("non-empty")));
    Ok(Outcome {
        checked_against_golden: !matches!(hw, Hardware::Golden),
        cycles_per_sample: cyc,
        samples_per_s: s.samples_per_s,
        threads: s.threads,
        latency_us: cyc.map(|(m, x)| (m / clock, x as f64 / clock)),
        clock_mhz: Some(clock),
        ..Outcome::scored(a, s.engine, &data.labels, s.scores)
    })
}

fn print(o: &Outcome) {
    println!("{} on {}: {} samples, {} timesteps each", o.net, o.engine, o.samples, o.timesteps_per_sample);
    println!("accuracy {:.4} ({} of {})", o.accuracy, o.correct, o.samples);
    print!("confusion (rows: label, columns: predicted)\n     ");
    for p in 0..o.classes {
        print!("{p:>5}");
    }
    println!();
    for (l, row) in o.confusion.iter().enumerate() {
        print!("{l:>5}");
        for c in row {
            print!("{c:>5}");
        }
        println!();
    }
    if o.checked_against_golden {
        println!("every sample's spikes equal the golden model's");
    }
    match (o.cycles_per_sample, o.latency_us, o.clock_mhz) {
        (Some((mean, max)), Some((lm, lx)), Some(clk)) => println!(
            "latency per sample: {mean:.0} clock cycles on average, {max} at most = {lm:.1} us ({lx:.1} us at most) at {clk} MHz"
        ),
        _ => println!("latency in clock cycles: run with --engine verilator (only the RTL run counts clock cycles)"),
    }
    println!(
        "{:.1} s wall time; the engine ran {:.1} samples/s on {} thread{}",
        o.wall_seconds,
        o.samples_per_s,
        o.threads,
        if o.threads == 1 { "" } else { "s" }
    );
}

fn draw_confusion(path: &Path, m: &[Vec<usize>]) -> Result<()> {
    use plotters::prelude::*;
    let n = m.len().max(1);
    let cell = 40u32;
    let size = (cell * n as u32 + 80, cell * n as u32 + 80);
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE)?;
    let max = m.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
    // Without a font the cells still show the counts as shades (no numbers).
    let labels = crate::raster::font_ready();
    let font = ("sans-serif", 14).into_font();
    for (l, row) in m.iter().enumerate() {
        for (p, &c) in row.iter().enumerate() {
            let (x, y) = (60 + p as i32 * cell as i32, 60 + l as i32 * cell as i32);
            let shade = 1.0 - c as f64 / max;
            let col = RGBColor((255.0 * shade) as u8, (255.0 * shade) as u8, 255);
            root.draw(&Rectangle::new([(x, y), (x + cell as i32, y + cell as i32)], col.filled()))?;
            if labels {
                let text_col = if shade < 0.5 { WHITE } else { BLACK };
                root.draw(&Text::new(c.to_string(), (x + 8, y + 12), font.clone().color(&text_col)))?;
            }
        }
        if labels {
            root.draw(&Text::new(l.to_string(), (40, 72 + l as i32 * cell as i32), font.clone()))?;
            root.draw(&Text::new(l.to_string(), (72 + l as i32 * cell as i32, 40), font.clone()))?;
        }
    }
    if labels {
        root.draw(&Text::new("predicted ->", (60, 10), font.clone()))?;
        root.draw(&Text::new("label", (4, 40), font))?;
    }
    root.present().with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
