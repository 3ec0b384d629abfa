//! `spikemesh synth`: network TOML -> board top Verilog -> Yosys -> nextpnr (with the board's
//! pins and clock) -> bitstream, with a report of what it costs, all read from the tools' own
//! reports.

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use spikemesh_hdl::fpga::flow::{pack, pnr_pinned, synth, Device};
use spikemesh_spec::config::Board;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Boards `--board` accepts.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum BoardArg {
    /// iCEBreaker (iCE40 UP5K).
    Icebreaker,
    /// ULX3S with an LFE5U-85F.
    #[value(name = "ulx3s-85f")]
    Ulx3s85f,
    /// ULX3S with an LFE5U-25F.
    #[value(name = "ulx3s-25f")]
    Ulx3s25f,
    /// iCE40-HX8K breakout board.
    Hx8kBreakout,
}

impl From<BoardArg> for Board {
    fn from(b: BoardArg) -> Self {
        match b {
            BoardArg::Icebreaker => Board::Icebreaker,
            BoardArg::Ulx3s85f => Board::Ulx3s85f,
            BoardArg::Ulx3s25f => Board::Ulx3s25f,
            BoardArg::Hx8kBreakout => Board::Hx8kBreakout,
        }
    }
}

/// Where the flow stops.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Stage {
    /// After Yosys.
    Synth,
    /// After nextpnr.
    Pnr,
    /// After packing the bitstream.
    Bitstream,
}

/// Options of `spikemesh synth`.
#[derive(clap::Args)]
pub struct Args {
    /// Network TOML file.
    pub net: PathBuf,
    /// Board (default: the file's `hardware.board`).
    #[arg(long, value_enum)]
    pub board: Option<BoardArg>,
    /// nextpnr placement seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output directory (Verilog, netlist, logs, reports, bitstream).
    #[arg(long, default_value = "build/fpga")]
    pub out: PathBuf,
    /// Stop after this stage.
    #[arg(long, value_enum, default_value = "bitstream")]
    pub stop_after: Stage,
    /// Timesteps of the network run on the RTL in Verilator to measure cycles per timestep
    /// (0: do not measure).
    #[arg(long, default_value_t = 20)]
    pub measure_steps: usize,
    /// Also run the chip's post-synthesis netlist (same script, vendor cell models, core clock
    /// driven directly) for this many timesteps through its UART against the golden model.
    #[arg(long, default_value_t = 0)]
    pub verify_netlist: usize,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One resource: used of available.
#[derive(Serialize)]
struct Resource {
    name: String,
    used: u64,
    available: u64,
}

/// What `spikemesh synth` measured (its `--json`).
#[derive(Serialize, Default)]
pub struct Report {
    network: String,
    board: String,
    device: String,
    verilog: String,
    synth_cells: std::collections::BTreeMap<String, u64>,
    resources: Vec<Resource>,
    requested_mhz: f64,
    synapses_per_clock: usize,
    fmax_mhz: Option<f64>,
    timing_met: Option<bool>,
    cycles_per_timestep: Option<f64>,
    /// Input spikes in the measured run (0: the network declares no drive, so the figure is
    /// an idle timestep).
    measured_input_spikes: usize,
    timesteps_per_s_at_fmax: Option<f64>,
    peak_synaptic_ops_per_s_at_fmax: Option<f64>,
    bitstream: Option<String>,
    seconds: std::collections::BTreeMap<String, f64>,
    /// The last passing co-simulation of this chip's post-synthesis netlist, if any.
    netlist_cosim: Option<crate::netlist_check::Record>,
}

fn spinner(what: &str) -> Result<ProgressBar> {
    let b = if std::io::stderr().is_terminal() { ProgressBar::new_spinner() } else { ProgressBar::hidden() };
    b.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}")?);
    b.set_message(what.to_string());
    b.enable_steady_tick(Duration::from_millis(120));
    Ok(b)
}

fn device_name(d: Device) -> &'static str {
    match d {
        Device::Up5k => "iCE40 UP5K (SG48)",
        Device::Hx8k => "iCE40 HX8K (CT256)",
        Device::Ecp5_25k => "ECP5 LFE5U-25F (CABGA381)",
        Device::Ecp5_85k => "ECP5 LFE5U-85F (CABGA381)",
    }
}

/// Repository-relative pin file, found next to the binary's source tree or the working directory.
fn pin_file(rel: &str) -> Result<PathBuf> {
    let candidates = [PathBuf::from(rel), Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)];
    candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .with_context(|| format!("pin file {rel} not found (run from the repository root)"))
}

/// Runs `spikemesh synth`.
/// Runs `spikemesh synth`.
pub fn run(a: Args) -> Result<()> {
    let (r, achieved) = synth_report(&a)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print_report(&r, achieved);
    }
    if r.timing_met == Some(false) {
        bail!(
            "timing not met: Fmax {:.2} MHz < {achieved:.3} MHz core clock (try another --seed, or a lower clock_mhz)",
            r.fmax_mhz.unwrap_or(0.0)
        );
    }
    Ok(())
}

/// Builds the bitstream as `spikemesh synth` does and returns its report and the core clock
/// in MHz, printing progress only without `json` (the Python package calls it).
pub fn synth_report(a: &Args) -> Result<(Report, f64)> {
    let mut net = spikemesh_spec::Network::load(&a.net)?;
    if let Some(b) = a.board {
        net.hardware.board = b.into();
    }
    let hw = net.hardware.clone();
    let mapping = spikemesh_spec::Mapping::build(&net)?;
    spikemesh_hdl::neuron::check_datapaths(&net, &mapping, spikemesh_hdl::neuron::Target::Board)?;
    let info =
        spikemesh_hdl::fpga::boards::board(hw.board).ok_or(spikemesh_hdl::fpga::board_top::BoardTopError::NoFpga)?;
    let mut r = Report {
        network: a.net.display().to_string(),
        board: hw.board.name().into(),
        device: device_name(info.device).into(),
        requested_mhz: hw.clock_mhz,
        synapses_per_clock: hw.synapses_per_clock,
        ..Default::default()
    };
    if let Some(f) = spikemesh_hdl::fpga::fit::memory_fit(&hw) {
        if !a.json {
            println!("predicted: {f}");
        }
    }
    if let Some(d) = spikemesh_hdl::fpga::dsp_fit::dsp_fit(&hw) {
        if !a.json {
            println!("predicted: {d}");
        }
    }
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let verilog = spikemesh_hdl::fpga::board_top::board_verilog(&hw)?;
    let vpath = a.out.join("top.v");
    std::fs::write(&vpath, &verilog).with_context(|| format!("writing {}", vpath.display()))?;
    r.verilog = vpath.display().to_string();
    let achieved = spikemesh_hdl::chip::clock_hz(&hw) as f64 / 1e6;

    let t = Instant::now();
    let s = spinner(&format!("yosys: synthesizing for the {}", device_name(info.device)))?;
    let stats = synth(&verilog, "top", info.device, &a.out);
    s.finish_and_clear();
    let stats = stats?;
    r.seconds.insert("synth".into(), t.elapsed().as_secs_f64());
    r.synth_cells = stats.cells.clone();
    if !a.json {
        println!(
            "synth ({:.0} s): {} LUT4, {} FF, {} carry; logs in {}",
            r.seconds["synth"],
            stats.luts(),
            stats.ffs(),
            stats.carries(),
            a.out.display()
        );
    }
    if let Some(d) = spikemesh_hdl::fpga::dsp_fit::dsp_fit(&hw) {
        // The prediction `check` and the import rely on, against what Yosys made.
        let mapped = stats.count(&d.block) as usize;
        if mapped != d.blocks() {
            eprintln!(
                "warning: Yosys mapped {mapped} {} where `check` predicts {} (hdl/src/fpga/dsp_fit.rs): \
                 the prediction is wrong for this shape; please report it with this network",
                d.block,
                d.blocks()
            );
        }
    }
    if a.stop_after >= Stage::Pnr {
        let t = Instant::now();
        let s = spinner(&format!("nextpnr: placing and routing at {achieved:.3} MHz"))?;
        let p = pnr_pinned(&stats, info.device, achieved, a.seed, &a.out, &pin_file(info.pins)?);
        s.finish_and_clear();
        let p = p?;
        r.seconds.insert("pnr".into(), t.elapsed().as_secs_f64());
        for (k, (u, av)) in &p.utilisation {
            let key = [
                "ICESTORM_LC",
                "ICESTORM_RAM",
                "ICESTORM_SPRAM",
                "ICESTORM_DSP",
                "ICESTORM_PLL",
                "SB_IO",
                "TRELLIS_COMB",
                "TRELLIS_FF",
                "DP16KD",
                "MULT18X18D",
                "EHXPLLL",
                "TRELLIS_IO",
            ];
            if *u > 0 || key.contains(&k.as_str()) {
                r.resources.push(Resource { name: k.clone(), used: *u, available: *av });
            }
        }
        // Every clock domain must meet the core clock (the design has one).
        let fmax = p.fmax_mhz.values().copied().fold(f64::INFINITY, f64::min);
        if fmax.is_finite() {
            r.fmax_mhz = Some(fmax);
            r.timing_met = Some(fmax >= achieved);
            r.peak_synaptic_ops_per_s_at_fmax = Some(fmax * 1e6 * (hw.cores() * hw.synapses_per_clock) as f64);
        }
        if a.stop_after >= Stage::Bitstream {
            let t = Instant::now();
            let s = spinner("packing the bitstream")?;
            let b = pack(info.device, &a.out);
            s.finish_and_clear();
            r.bitstream = Some(b?.display().to_string());
            r.seconds.insert("pack".into(), t.elapsed().as_secs_f64());
        }
    }
    if a.measure_steps > 0 && r.fmax_mhz.is_some() {
        let t = Instant::now();
        let s = spinner("measuring cycles per timestep on the RTL (Verilator)")?;
        let stim = spikemesh_spec::Stimulus::build(&net, a.measure_steps, None)?;
        r.measured_input_spikes = stim.len();
        let m = spikemesh_sim::rtl_mesh::RtlMesh::new(&mapping, None).map(|mut chip| {
            for inputs in &stim.steps {
                let flits = mapping.input_flits(inputs);
                chip.timestep(&flits);
            }
            chip.stats.cycles as f64 / a.measure_steps as f64
        });
        s.finish_and_clear();
        match m {
            Ok(c) => {
                r.cycles_per_timestep = Some(c);
                r.timesteps_per_s_at_fmax = r.fmax_mhz.map(|f| f * 1e6 / c);
                r.seconds.insert("measure".into(), t.elapsed().as_secs_f64());
            }
            Err(e) => eprintln!("warning: cycles per timestep not measured: {e}"),
        }
    }
    if a.verify_netlist > 0 {
        let t = Instant::now();
        let s = spinner("co-simulating the chip's post-synthesis netlist through its UART (Verilator)")?;
        let v = crate::netlist_check::verify(&net, a.verify_netlist);
        s.finish_and_clear();
        v?;
        r.seconds.insert("netlist cosim".into(), t.elapsed().as_secs_f64());
    }
    r.netlist_cosim = crate::netlist_check::record(&net);
    Ok((r, achieved))
}

fn print_report(r: &Report, achieved: f64) {
    println!("{} on {} ({}):", r.network, r.board, r.device);
    for x in &r.resources {
        let pct = if x.available > 0 { 100.0 * x.used as f64 / x.available as f64 } else { 0.0 };
        println!("  {:<15} {:>6} / {:<6} {pct:5.1} %", x.name, x.used, x.available);
    }
    if let Some(f) = r.fmax_mhz {
        println!(
            "  Fmax {f:.2} MHz, core clock {achieved:.3} MHz (requested {} MHz): {}",
            r.requested_mhz,
            if f >= achieved { "timing met" } else { "TIMING NOT MET" }
        );
    }
    if let (Some(c), Some(ts)) = (r.cycles_per_timestep, r.timesteps_per_s_at_fmax) {
        println!(
            "  {c:.0} cycles per timestep (measured on the RTL): {ts:.0} timesteps/s at Fmax, {:.0} at the core clock",
            achieved * 1e6 / c
        );
        if r.measured_input_spikes == 0 {
            println!(
                "    (with no input spikes: the network declares no drive, so that is an idle timestep; `spikemesh evaluate --engine verilator` measures real inputs)"
            );
        }
    }
    if let Some(p) = r.peak_synaptic_ops_per_s_at_fmax {
        println!(
            "  peak {p:.3e} synaptic ops/s at Fmax ({} per core per clock: synapses_per_clock)",
            r.synapses_per_clock
        );
    }
    let secs: Vec<String> = r.seconds.iter().map(|(k, v)| format!("{k} {v:.1} s")).collect();
    println!("  wall time: {}", secs.join(", "));
    match &r.bitstream {
        Some(b) => println!("  bitstream: {b}"),
        None => println!("  (stopped before the bitstream)"),
    }
    match &r.netlist_cosim {
        Some(c) => println!(
            "  netlist co-simulated: the chip's post-synthesis netlist ({} cells; the bitstream's adds the board top's PLL and pins) equalled the golden model over {} timesteps, {} spikes, {} clock cycles through its UART",
            c.cells, c.timesteps, c.spikes, c.cycles
        ),
        None => println!(
            "  netlist NOT co-simulated: only the RTL has been compared with the golden model (`--verify-netlist 20` runs the netlist)"
        ),
    }
}
