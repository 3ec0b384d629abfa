//! `spikemesh import`: a NIR file onto a spikemesh network file, with what quantisation costs.

use anyhow::Result;
use spikemesh_nir::compare::{agreement, rules_agreement, LayerAgreement};
use spikemesh_nir::fit::{import_to_fit, Tried};
use spikemesh_nir::quantise::{Imported, Options};
use spikemesh_nir::{Convention, Net};
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::PathBuf;

use crate::convention_args::ConventionArgs;

/// Options of `spikemesh import`.
#[derive(clap::Args)]
pub struct Args {
    /// NIR file (HDF5, as written by the `nir` package).
    pub nir: PathBuf,
    /// Target board: icebreaker, ulx3s-85f, ulx3s-25f, hx8k-breakout or sim.
    #[arg(long)]
    pub board: String,
    /// Signed weight width (default: the widest of 8 down to 4 whose network fits the board).
    #[arg(long)]
    pub weight_bits: Option<u32>,
    /// Timestep and reset, when the file does not settle them (docs/nir.md).
    #[command(flatten)]
    pub convention: ConventionArgs,
    /// Neuron model: lif or cuba (default: lif when it is exact for the graph, else cuba).
    #[arg(long)]
    pub model: Option<String>,
    /// Neuron slots per core (default: about half the neurons, 16 to 256, or the size that
    /// fits the board).
    #[arg(long)]
    pub neurons_per_core: Option<usize>,
    /// Core clock in MHz, made by the board's PLL (default: the board's; `spikemesh synth`
    /// reports the Fmax the chip reaches)
    #[arg(long)]
    pub clock_mhz: Option<f64>,
    /// Output directory: net.toml and one weight CSV per connection.
    #[arg(long)]
    pub out: PathBuf,
    /// Stimulus for the agreement report (`timestep,population,neuron`, input node names);
    /// default: every input spikes with probability 0.2 per timestep (seed 1).
    #[arg(long)]
    pub stimulus: Option<PathBuf>,
    /// Timesteps of the agreement run.
    #[arg(long, default_value_t = 200)]
    pub steps: usize,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What one import did: the convention, the quantisation, the shapes tried, the agreement.
pub struct Report {
    /// The convention the file settled (or the flags forced).
    pub convention: Convention,
    /// Where the network went and what quantisation cost per layer.
    pub imported: Imported,
    /// The shapes passed over to fit the board.
    pub tried: Vec<Tried>,
    /// The stimulus of the agreement run, in words.
    pub stimulus: String,
    /// Float reference (chip rules) against the golden model.
    pub agreement: Vec<LayerAgreement>,
    /// The framework's rules against the chip's, both float.
    pub rules: Vec<LayerAgreement>,
    /// The network written.
    pub network: Network,
}

impl Report {
    /// The report as `--json` prints it.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "convention": self.convention, "import": self.imported, "shapes_tried": self.tried,
            "stimulus": self.stimulus, "agreement": self.agreement, "rules_agreement": self.rules
        })
    }
}

/// Imports `a.nir` as `spikemesh import` does, without printing (the Python package calls it).
pub fn import(a: &Args) -> Result<Report> {
    if let Some(mhz) = a.clock_mhz.filter(|&f| !spikemesh_spec::network::is_usable_clock(f)) {
        anyhow::bail!(
            "--clock-mhz {mhz}: not a usable core clock (above 0, at most {} MHz); give the clock the board's PLL \
             should make, e.g. --clock-mhz 40, or leave the flag out for the board's own",
            spikemesh_spec::network::MAX_CLOCK_MHZ
        );
    }
    let (nir, conv) = spikemesh_nir::open(&a.nir, &a.convention.forced()?)?;
    let opt = Options {
        board: a.board.clone(),
        weight_bits: a.weight_bits.unwrap_or(spikemesh_nir::fit::WEIGHT_BITS[0]),
        dt: conv.dt,
        model: a.model.clone(),
        neurons_per_core: a.neurons_per_core,
        synapses_per_clock: None,
        reset: conv.framework_rules.reset,
        deferred_subtract: conv.framework_rules.deferred_subtract,
        core_rows: false,
        kernels: false,
        clock_mhz: a.clock_mhz,
    };
    let (imported, tried) = import_to_fit(&nir, &opt, a.weight_bits.is_some(), a.neurons_per_core.is_some(), &a.out)?;
    let net = Network::load(&imported.toml)?;
    let mapping = Mapping::build(&net)?;
    let (stim, stimulus) = match &a.stimulus {
        Some(f) => (Stimulus::build(&net, a.steps, Some(f))?, format!("{} ({} timesteps)", f.display(), a.steps)),
        None => (
            Stimulus::random(&net, a.steps, 0.2, 1),
            format!("random inputs at 0.2 spikes per timestep, seed 1 ({} timesteps)", a.steps),
        ),
    };
    let agreement = agreement(&nir, &conv, &net, &mapping, &stim)?;
    let rules = rules_agreement(&nir, &conv, &reference_inputs(&nir, &net, &stim))?;
    Ok(Report { convention: conv, imported, tried, stimulus, agreement, rules, network: net })
}

/// Runs `spikemesh import`.
pub fn run(a: Args) -> Result<()> {
    let r = import(&a)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r.json())?);
    } else {
        print_convention(&r.convention);
        print_tried(&r.tried);
        print_report(&a, &r.imported, &r.stimulus, &r.agreement, &r.network);
        print_rules(&r.convention, &r.stimulus, &r.rules);
    }
    Ok(())
}

/// The stimulus as the reference takes it: (layer, element) per timestep.
fn reference_inputs(nir: &Net, net: &Network, stim: &Stimulus) -> Vec<Vec<(usize, usize)>> {
    let layer_of_pop: Vec<Option<usize>> = net.populations.iter().map(|p| nir.layer(&p.name)).collect();
    stim.steps
        .iter()
        .map(|s| s.iter().filter_map(|&(p, k)| layer_of_pop[p as usize].map(|l| (l, k as usize))).collect())
        .collect()
}

/// The shapes the search weighed before the one written, at the import's own core size
/// (`--json` lists every core size tried).
fn print_tried(tried: &[Tried]) {
    if tried.len() < 2 {
        return;
    }
    println!("shapes weighed to fit the board (widest weights first; --json lists all {}):", tried.len());
    for t in tried.iter().filter(|t| t.neurons_per_core.is_none()) {
        let lanes = t.synapses_per_clock.map_or(String::new(), |n| format!(", {n} synapses per clock"));
        println!("    weight_bits {:>2}{lanes}: {}", t.weight_bits, t.verdict);
    }
}

fn print_convention(c: &Convention) {
    let r = c.framework_rules;
    println!(
        "convention: {} (from {}): dt = {} s, {} reset{}{}",
        c.framework.name(),
        c.evidence,
        c.dt,
        if r.reset == spikemesh_nir::convention::Reset::Value { "value" } else { "subtract" },
        if r.deferred_subtract { ", subtracted one timestep after the spike" } else { "" },
        match (r.same_step, r.spike_from_previous) {
            (true, false) => ", spikes cross every layer within a timestep",
            (true, true) =>
                ", each layer emits the spike of its previous potential (one timestep per hop, as the chip)",
            _ => "",
        },
    );
    for n in &c.notes {
        println!("    note: {n}");
    }
}

/// What the chip's order of a timestep costs against the framework's, in float.
fn print_rules(c: &Convention, what: &str, rules: &[LayerAgreement]) {
    if rules.is_empty() {
        println!(
            "\nthe chip runs a timestep in {}'s order: the float reference above is also the framework's.",
            c.framework.name()
        );
        return;
    }
    println!(
        "\n{}'s order of a timestep vs the chip's (one timestep per hop), both float, on {what}:",
        c.framework.name()
    );
    println!("{}", agreement_header("framework", "chip"));
    for l in rules {
        println!("{}", agreement_row(l));
    }
}

fn print_report(a: &Args, imp: &Imported, what: &str, agree: &[LayerAgreement], net: &Network) {
    let hw = &net.hardware;
    println!(
        "{} -> {} (model {}, {}x{} mesh of {}-neuron {}-axon cores, {}-bit weights, {}-bit potentials)",
        a.nir.display(),
        imp.toml.display(),
        imp.model,
        hw.mesh_x,
        hw.mesh_y,
        hw.neurons_per_core,
        hw.axons_per_core,
        hw.widths.weight_bits,
        hw.widths.potential_bits
    );
    println!("\nquantisation per layer (weights in potential units; scale = one integer weight step):");
    println!(
        "{:<16} {:<8} {:>6} {:>12} {:>9} {:>7} {:>9} {:>10} {:>9}  threshold (float -> chip)",
        "layer", "NIR", "size", "scale", "synapses", "clipped", "to zero", "RMS err", "rel."
    );
    for l in &imp.layers {
        let th = l.threshold.map_or("none (readout)".to_string(), |(f, c)| format!("{f:.4} -> {c:.4}"));
        println!(
            "{:<16} {:<8} {:>6} {:>12.4e} {:>9} {:>7} {:>9} {:>10.3e} {:>8.2}%  {th}",
            l.name,
            l.nir_type,
            l.size,
            l.scale,
            l.synapses,
            l.clipped,
            l.rounded_to_zero,
            l.rms_weight_error,
            100.0 * l.rms_weight_error_relative
        );
        for n in &l.notes {
            println!("    note: {n}");
        }
    }
    println!("\nfloat reference vs quantised golden model on {what}:");
    println!("{}", agreement_header("reference", "quantised"));
    for l in agree {
        if l.saturated > 0 {
            println!(
                "{:<16} note: the quantised potential sat at its limit in {} neuron-timesteps (saturated where the float one grows on)",
                l.name, l.saturated
            );
        }
        if let Some(c) = l.potential_correlation {
            println!("{:<16} readout (LI, no spikes): potential correlation {c:.4}", l.name);
            continue;
        }
        println!("{}", agreement_row(l));
    }
}

/// The columns of an agreement table, the two runs named `a` and `b`.
fn agreement_header(a: &str, b: &str) -> String {
    format!("{:<16} {a:>10} {b:>10} {:>10} {:>8} {:>12}", "layer", "identical", "jaccard", "rate corr.")
}

/// One layer of an agreement table.
fn agreement_row(l: &LayerAgreement) -> String {
    format!(
        "{:<16} {:>10} {:>10} {:>10} {:>8.3} {:>12}",
        l.name,
        l.reference_spikes,
        l.quantised_spikes,
        l.identical,
        l.jaccard,
        l.rate_correlation.map_or("-".into(), |c| format!("{c:.4}"))
    )
}
