//! `spikemesh simulate`: stimulus in, spike CSV (and raster) out.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use spikemesh_sim::{simulate, DeliveryOrder};
use spikemesh_spec::spikes::write_spike_csv;
use spikemesh_spec::Stimulus;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Options of `spikemesh simulate`.
#[derive(clap::Args)]
pub struct Args {
    /// Network TOML file.
    net: PathBuf,
    /// Timesteps to run.
    #[arg(long)]
    steps: usize,
    /// Stimulus CSV (`timestep,population,neuron`), added to any drive the TOML declares.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Output CSV of recorded spikes (`timestep,population,neuron`).
    #[arg(long)]
    out: PathBuf,
    /// Also draw a spike raster PNG.
    #[arg(long)]
    raster: Option<PathBuf>,
    /// Record every population, not only those with `record = true`.
    #[arg(long)]
    record_all: bool,
}

/// Runs `spikemesh simulate`.
pub fn run(a: Args) -> Result<()> {
    let (net, mapping) = crate::load(&a.net)?;
    let stim = Stimulus::build(&net, a.steps, a.input.as_deref())?;
    let record: Vec<bool> = net.populations.iter().map(|p| a.record_all || p.record).collect();
    if !record.iter().any(|&r| r) {
        eprintln!(
            "warning: no population has `record = true` (or pass --record-all); {} will hold no spikes",
            a.out.display()
        );
    }
    let bar = if std::io::stdout().is_terminal() && a.steps >= 1000 {
        let b = ProgressBar::new(a.steps as u64);
        b.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} timesteps {per_sec} eta {eta}")?);
        b
    } else {
        ProgressBar::hidden()
    };
    let res = simulate(&mapping, &stim, &record, DeliveryOrder::InOrder, |done| {
        if done % 64 == 0 {
            bar.set_position(done as u64);
        }
    });
    bar.finish_and_clear();
    write_spike_csv(&a.out, &net, &res.spikes).with_context(|| format!("writing {}", a.out.display()))?;
    println!(
        "{} timesteps: {} input spikes, {} neuron spikes, {} synaptic events; {} recorded spikes -> {}",
        a.steps,
        stim.len(),
        res.neuron_spikes,
        res.synaptic_events,
        res.spikes.len(),
        a.out.display()
    );
    if let Some(png) = &a.raster {
        crate::raster::draw(png, &net, &record, a.steps, &res.spikes)?;
        println!("raster -> {}", png.display());
    }
    Ok(())
}
