//! `spikemesh simulate`: stimulus in, spike CSV (and raster) out, on the golden model, the
//! RTL in Verilator, or both in lock-step.

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use spikemesh_sim::cosim::lockstep_mesh;
use spikemesh_sim::rtl_mesh::RtlMesh;
use spikemesh_sim::{record_run, simulate, DeliveryOrder};
use spikemesh_spec::spikes::write_spike_csv;
use spikemesh_spec::Stimulus;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Which simulator runs the network.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineKind {
    /// The Rust golden model.
    Golden,
    /// The generated RTL, cycle by cycle in Verilator.
    Verilator,
    /// Both in lock-step, stopping at the first difference.
    Both,
}

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
    /// Simulator.
    #[arg(long, value_enum, default_value = "golden")]
    engine: EngineKind,
    /// Write a VCD waveform of the RTL (verilator and both engines).
    #[arg(long)]
    vcd: Option<PathBuf>,
}

fn progress(steps: usize) -> Result<ProgressBar> {
    Ok(if std::io::stdout().is_terminal() && steps >= 100 {
        let b = ProgressBar::new(steps as u64);
        b.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} timesteps {per_sec} eta {eta}")?);
        b
    } else {
        ProgressBar::hidden()
    })
}

/// Runs `spikemesh simulate`.
pub fn run(a: Args) -> Result<()> {
    let mut net = spikemesh_spec::Network::load(&a.net)?;
    if a.record_all {
        // Recording is part of the chip's memory image (recorded neurons also send their
        // spikes to the host), so it is set before mapping.
        for p in &mut net.populations {
            p.record = true;
        }
    }
    let mapping = spikemesh_spec::Mapping::build(&net)?;
    let stim = Stimulus::build(&net, a.steps, a.input.as_deref())?;
    let record: Vec<bool> = net.populations.iter().map(|p| p.record).collect();
    if !record.iter().any(|&r| r) {
        eprintln!(
            "warning: no population has `record = true` (or pass --record-all); {} will hold no spikes",
            a.out.display()
        );
    }
    if a.vcd.is_some() && a.engine == EngineKind::Golden {
        bail!("--vcd traces the RTL: use it with --engine verilator or --engine both");
    }
    let bar = progress(a.steps)?;
    let tick = |done: usize| {
        if done % 16 == 0 {
            bar.set_position(done as u64);
        }
    };
    let res = match a.engine {
        EngineKind::Golden => simulate(&mapping, &stim, &record, DeliveryOrder::InOrder, tick),
        EngineKind::Verilator => {
            let mut chip = RtlMesh::new(&mapping, a.vcd.as_deref())?;
            let t0 = std::time::Instant::now();
            let r = record_run(&mut chip, &mapping, &stim, &record, tick);
            let s = chip.stats;
            bar.finish_and_clear();
            println!(
                "RTL ({}x{} mesh): {} clock cycles ({:.0} per timestep, longest {}), {} flits in from the host, {} out; {:.2e} cycles/s in Verilator",
                mapping.hardware.mesh_x,
                mapping.hardware.mesh_y,
                s.cycles,
                s.cycles as f64 / a.steps.max(1) as f64,
                s.max_timestep_cycles,
                s.host_flits_in,
                s.host_flits_out,
                s.cycles as f64 / t0.elapsed().as_secs_f64()
            );
            r
        }
        EngineKind::Both => {
            match lockstep_mesh(&mapping, &stim, Some(10), a.vcd.as_deref())? {
                Ok(s) => println!(
                    "golden model and RTL agree: every recorded spike of {} timesteps, and every potential every 10 timesteps and at the end ({}x{} mesh, {} cycles, {:.0} per timestep)",
                    a.steps,
                    mapping.hardware.mesh_x,
                    mapping.hardware.mesh_y,
                    s.cycles,
                    s.cycles as f64 / a.steps.max(1) as f64
                ),
                Err(d) => bail!("{d}"),
            }
            simulate(&mapping, &stim, &record, DeliveryOrder::InOrder, tick)
        }
    };
    bar.finish_and_clear();
    write_spike_csv(&a.out, &net, &res.spikes).with_context(|| format!("writing {}", a.out.display()))?;
    let events = if a.engine == EngineKind::Verilator {
        String::new()
    } else {
        format!(", {} synaptic events", res.synaptic_events)
    };
    // The chip sends only recorded neurons' spikes to the host, so the RTL run counts those.
    let fired = if a.engine == EngineKind::Verilator {
        String::new()
    } else {
        format!(", {} neuron spikes", res.neuron_spikes)
    };
    println!(
        "{} timesteps: {} input spikes{fired}{events}; {} recorded spikes -> {}",
        a.steps,
        stim.len(),
        res.spikes.len(),
        a.out.display()
    );
    if let Some(png) = &a.raster {
        crate::raster::draw(png, &net, &record, a.steps, &res.spikes)?;
        println!("raster -> {}", png.display());
    }
    if let Some(v) = &a.vcd {
        println!("waveform -> {}", v.display());
    }
    Ok(())
}
