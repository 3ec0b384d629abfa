//! `spikemesh simulate`: stimulus in, spike CSV (and raster) out, on the golden model, the
//! RTL in Verilator, or both in lock-step.

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use spikemesh_hdl::fpga::netlist::Fault;
use spikemesh_sim::cosim::{compare, lockstep_mesh};
use spikemesh_sim::rtl_mesh::RtlMesh;
use spikemesh_sim::{record_run, simulate, DeliveryOrder};
use spikemesh_spec::spikes::write_spike_csv;
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::io::IsTerminal;
use std::path::PathBuf;

use crate::convention_args::{ConventionArgs, RulesKind};

/// Which simulator runs the network.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineKind {
    /// The Rust golden model.
    Golden,
    /// The generated RTL, cycle by cycle in Verilator.
    Verilator,
    /// Both in lock-step, stopping at the first difference.
    Both,
    /// The float64 reference of a NIR graph (NET is the .nir file; docs/nir.md).
    Reference,
    /// The mesh as Yosys synthesizes it for the network's board (post-synthesis netlist with
    /// the vendor cell models), in lock-step with the golden model.
    Netlist,
}

/// What `simulate` and `run` share: the network, its stimulus, and what to record and write.
#[derive(clap::Args)]
pub struct RunSpec {
    /// Network TOML file.
    pub net: PathBuf,
    /// Timesteps to run.
    #[arg(long)]
    pub steps: usize,
    /// Stimulus CSV (`timestep,population,neuron`), added to any drive the TOML declares.
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Output CSV of recorded spikes (`timestep,population,neuron`).
    #[arg(long)]
    pub out: PathBuf,
    /// Also draw a spike raster PNG.
    #[arg(long)]
    pub raster: Option<PathBuf>,
    /// Record every population, not only those with `record = true`.
    #[arg(long)]
    pub record_all: bool,
}

/// A network ready to run: mapped, with its stimulus and the populations to record.
pub struct Prepared {
    /// The network (recording flags as the run needs them).
    pub net: Network,
    /// Its mapping onto the hardware.
    pub mapping: Mapping,
    /// Input spikes per timestep.
    pub stim: Stimulus,
    /// Which populations are recorded.
    pub record: Vec<bool>,
}

impl RunSpec {
    /// Loads, maps and builds the stimulus, reporting errors with file and line.
    pub fn prepare(&self) -> Result<Prepared> {
        let mut net = Network::load(&self.net)?;
        if self.record_all {
            // Recording is part of the chip's memory image (recorded neurons also send their
            // spikes to the host), so it is set before mapping.
            for p in &mut net.populations {
                p.record = true;
            }
        }
        let mapping = Mapping::build(&net)?;
        let stim = Stimulus::build(&net, self.steps, self.input.as_deref())?;
        let record = net.populations.iter().map(|p| p.record).collect();
        Ok(Prepared { net, mapping, stim, record })
    }
}

/// Options of `spikemesh simulate`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: RunSpec,
    /// Simulator.
    #[arg(long, value_enum, default_value = "golden")]
    engine: EngineKind,
    /// Write a VCD waveform of the RTL (verilator and both engines).
    #[arg(long)]
    vcd: Option<PathBuf>,
    /// The reference engine's timestep and reset, when the file does not settle them.
    #[command(flatten)]
    convention: ConventionArgs,
    /// The reference engine's order of a timestep: the framework's that wrote the file, or the chip's.
    #[arg(long, value_enum, default_value = "framework")]
    rules: RulesKind,
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

/// `simulate model.nir --engine reference`: the NIR graph in float64.
fn run_reference(args: &Args) -> Result<()> {
    let a = &args.spec;
    if a.raster.is_some() || args.vcd.is_some() {
        bail!("--raster and --vcd draw network files and RTL runs; the reference engine writes spikes only");
    }
    let (nir, conv) = spikemesh_nir::open(&a.net, &args.convention.forced()?)?;
    let stim = match &a.input {
        Some(f) => spikemesh_nir::stimulus::read(f, &nir, a.steps)?,
        None => vec![Vec::new(); a.steps],
    };
    let record: Vec<bool> =
        (0..nir.layers.len()).map(|l| a.record_all || nir.outputs.iter().any(|o| o.1 == l)).collect();
    let mut r = spikemesh_nir::Reference::new(&nir, conv.dt, args.rules.of(&conv))?;
    let mut text = String::from("timestep,population,neuron\n");
    let (mut fired, mut recorded) = (0usize, 0usize);
    for (t, inputs) in stim.iter().enumerate() {
        let mut spikes = r.step(inputs);
        fired += spikes.len();
        spikes.extend(inputs.iter().copied());
        spikes.sort_unstable();
        for (l, k) in spikes.into_iter().filter(|&(l, _)| record[l]) {
            text += &format!("{t},{},{k}\n", nir.layers[l].name);
            recorded += 1;
        }
    }
    std::fs::write(&a.out, text).with_context(|| format!("writing {}", a.out.display()))?;
    println!(
        "{} timesteps of the float reference ({} convention, dt = {} s): {} input spikes, {fired} neuron spikes; {recorded} recorded spikes -> {}",
        a.steps,
        conv.framework.name(),
        conv.dt,
        stim.iter().map(Vec::len).sum::<usize>(),
        a.out.display()
    );
    Ok(())
}

/// Runs `spikemesh simulate`.
pub fn run(args: Args) -> Result<()> {
    let is_nir = args.spec.net.extension().is_some_and(|e| e == "nir");
    match (is_nir, args.engine == EngineKind::Reference) {
        (true, true) => return run_reference(&args),
        (true, false) => {
            bail!("a .nir file runs on --engine reference; `spikemesh import` it for the golden model and the RTL")
        }
        (false, true) => bail!("--engine reference simulates a NIR graph in float: pass the .nir file"),
        (false, false) => {}
    }
    let Prepared { net, mapping, stim, record } = args.spec.prepare()?;
    let a = &args.spec;
    if !record.iter().any(|&r| r) {
        eprintln!(
            "warning: no population has `record = true` (or pass --record-all); {} will hold no spikes",
            a.out.display()
        );
    }
    if args.vcd.is_some() && args.engine == EngineKind::Golden {
        bail!("--vcd traces the RTL: use it with --engine verilator or --engine both");
    }
    if args.engine != EngineKind::Golden {
        spikemesh_hdl::neuron::check_datapaths(&net, &mapping, spikemesh_hdl::neuron::Target::Mesh)?;
    }
    let bar = progress(a.steps)?;
    let tick = |done: usize| {
        if done.is_multiple_of(16) {
            bar.set_position(done as u64);
        }
    };
    let res = match args.engine {
        EngineKind::Golden => simulate(&mapping, &stim, &record, DeliveryOrder::InOrder, tick),
        EngineKind::Verilator => {
            let mut chip = RtlMesh::new(&mapping, args.vcd.as_deref())?;
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
        EngineKind::Reference => unreachable!("handled above"),
        EngineKind::Netlist => {
            let (mut chip, info) = RtlMesh::netlist(&mapping, Fault::None)?;
            let t0 = std::time::Instant::now();
            match compare(&mapping, &stim, &mut chip, Some(10)) {
                Ok(()) => println!(
                    "golden model and the post-synthesis netlist ({:?}, {} cells, vendor cells from Yosys's models; core clock driven directly, no PLL) agree: every recorded spike of {} timesteps, and every potential every 10 timesteps and at the end ({} cycles, {:.2e} cycles/s in Verilator)",
                    info.device,
                    info.cells,
                    a.steps,
                    chip.stats.cycles,
                    chip.stats.cycles as f64 / t0.elapsed().as_secs_f64()
                ),
                Err(d) => bail!("the post-synthesis netlist differs from the golden model: {d}"),
            }
            simulate(&mapping, &stim, &record, DeliveryOrder::InOrder, tick)
        }
        EngineKind::Both => {
            match lockstep_mesh(&mapping, &stim, Some(10), args.vcd.as_deref())? {
                Ok(s) => println!(
                    "golden model and RTL agree: every recorded spike of {} timesteps, and every potential (and middle state register: cuba's u, alif's adaptation) every 10 timesteps and at the end ({}x{} mesh, {} cycles, {:.0} per timestep)",
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
    let events = if args.engine == EngineKind::Verilator {
        String::new()
    } else {
        format!(", {} synaptic events", res.synaptic_events)
    };
    // The chip sends only recorded neurons' spikes to the host, so the RTL run counts those.
    let fired = if args.engine == EngineKind::Verilator {
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
        crate::raster::draw(png, &net, &mapping, &record, a.steps, &res.spikes)?;
        println!("raster -> {}", png.display());
    }
    if let Some(v) = &args.vcd {
        println!("waveform -> {}", v.display());
    }
    Ok(())
}
