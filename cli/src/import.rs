//! `spikemesh import`: a NIR file onto a spikemesh network file, with what quantisation costs.

use anyhow::Result;
use spikemesh_nir::compare::{agreement, LayerAgreement};
use spikemesh_nir::quantise::{import, Imported, Options};
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::PathBuf;

/// Options of `spikemesh import`.
#[derive(clap::Args)]
pub struct Args {
    /// NIR file (HDF5, as written by the `nir` package).
    pub nir: PathBuf,
    /// Target board: icebreaker, ulx3s-85f, ulx3s-25f, hx8k-breakout or sim.
    #[arg(long)]
    pub board: String,
    /// Signed weight width.
    #[arg(long, default_value_t = 8)]
    pub weight_bits: u32,
    /// Timestep in seconds (forward Euler, docs/nir.md).
    #[arg(long, default_value_t = 1e-3)]
    pub dt: f64,
    /// Neuron model: lif or cuba (default: lif when it is exact for the graph, else cuba).
    #[arg(long)]
    pub model: Option<String>,
    /// Neuron slots per core (default: about half the neurons, 16 to 256).
    #[arg(long)]
    pub neurons_per_core: Option<usize>,
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

/// Runs `spikemesh import`.
pub fn run(a: Args) -> Result<()> {
    let nir = spikemesh_nir::load(&a.nir)?;
    let opt = Options {
        board: a.board.clone(),
        weight_bits: a.weight_bits,
        dt: a.dt,
        model: a.model.clone(),
        neurons_per_core: a.neurons_per_core,
    };
    let imported = import(&nir, &opt, &a.out)?;
    let net = Network::load(&imported.toml)?;
    let mapping = Mapping::build(&net)?;
    let (stim, what) = match &a.stimulus {
        Some(f) => (Stimulus::build(&net, a.steps, Some(f))?, format!("{} ({} timesteps)", f.display(), a.steps)),
        None => (
            Stimulus::random(&net, a.steps, 0.2, 1),
            format!("random inputs at 0.2 spikes per timestep, seed 1 ({} timesteps)", a.steps),
        ),
    };
    let agree = agreement(&nir, a.dt, &net, &mapping, &stim);
    if a.json {
        let v = serde_json::json!({ "import": imported, "stimulus": what, "agreement": agree });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_report(&a, &imported, &what, &agree, &net);
    }
    Ok(())
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
    println!(
        "{:<16} {:>10} {:>10} {:>10} {:>8} {:>12}",
        "layer", "reference", "quantised", "identical", "jaccard", "rate corr."
    );
    for l in agree {
        if let Some(c) = l.potential_correlation {
            println!("{:<16} readout (LI, no spikes): potential correlation {c:.4}", l.name);
            continue;
        }
        println!(
            "{:<16} {:>10} {:>10} {:>10} {:>8.3} {:>12}",
            l.name,
            l.reference_spikes,
            l.quantised_spikes,
            l.identical,
            l.jaccard,
            l.rate_correlation.map_or("-".into(), |c| format!("{c:.4}"))
        );
    }
}
