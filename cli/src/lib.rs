//! The `spikemesh` command as a library: the binary (`main.rs`) and the Python package's
//! console script run the same [`main_with`], so both are one program.

mod bench;
mod bench_golden;
mod board_sim;
pub mod convention_args;
mod evaluate;
mod floorplan;
pub mod import;
mod netlist_check;
mod raster;
mod run;
pub mod score;
pub mod session;
mod simulate;
mod soak;
pub mod synth;

use anyhow::Result;
use clap::{Parser, Subcommand};
use spikemesh_spec::report::FitReport;
use spikemesh_spec::{Mapping, Network};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "spikemesh", version, about = "Neuromorphic hardware for FPGAs: check, simulate, benchmark")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a network file and print how it maps onto the hardware.
    Check {
        /// Network TOML file.
        net: PathBuf,
        /// Print the fit report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a network (golden model, RTL in Verilator, or both) and write the recorded spikes.
    Simulate(simulate::Args),
    /// Write the Verilog (one core, the whole chip, the board top) and every core's memory image.
    Generate {
        /// Network TOML file.
        net: PathBuf,
        /// Output directory.
        #[arg(long, default_value = "build")]
        out: PathBuf,
        /// Append behavioural models of vendor primitives (for simulators other than Yosys).
        #[arg(long)]
        sim_models: bool,
    },
    /// Load a network onto a board over its serial port, run it, and write the recorded spikes.
    Run(run::Args),
    /// Serve the virtual board (the chip in Verilator, UART pins included) on a pseudo-terminal.
    BoardSim(board_sim::Args),
    /// Run the host link for long through a wire that damages bytes, against the golden model.
    Soak(soak::Args),
    /// Build a bitstream for a board: Yosys, nextpnr, pack, and a resource/timing report.
    Synth(synth::Args),
    /// Read a NIR graph, quantise it onto a network file, and report what quantisation costs.
    Import(import::Args),
    /// Run a labelled spike dataset and report accuracy, confusion and latency.
    Evaluate(evaluate::Args),
    /// Measure throughput.
    Bench {
        #[command(subcommand)]
        what: bench::What,
    },
}

/// `spikemesh check --json`: the fit report, the board's memory fit and its clock plan.
pub fn check_json(n: &Network, m: &Mapping) -> Result<serde_json::Value> {
    let mut v = serde_json::to_value(FitReport::new(n, m))?;
    v["memory_fit"] = serde_json::to_value(spikemesh_hdl::fpga::fit::memory_fit(&n.hardware))?;
    v["dsp_fit"] = serde_json::to_value(spikemesh_hdl::fpga::dsp_fit::dsp_fit(&n.hardware))?;
    v["clock"] = serde_json::to_value(spikemesh_hdl::fpga::pll::clock_plan(&n.hardware))?;
    Ok(v)
}

/// Loads and maps a network, so every command reports file/line errors the same way.
pub fn load(path: &Path) -> Result<(Network, Mapping)> {
    let net = Network::load(path)?;
    let mapping = Mapping::build(&net)?;
    Ok((net, mapping))
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Check { net, json } => {
            let (n, m) = load(&net)?;
            let report = FitReport::new(&n, &m);
            let memory = spikemesh_hdl::fpga::fit::memory_fit(&n.hardware);
            let clock = spikemesh_hdl::fpga::pll::clock_plan(&n.hardware);
            if json {
                println!("{}", serde_json::to_string_pretty(&check_json(&n, &m)?)?);
            } else {
                println!("{report}");
                match &memory {
                    // Logic cells depend on what Yosys and nextpnr make of the design: only a
                    // synthesis measures them. DSP blocks are counted (fpga/dsp_fit.rs).
                    Some(f) => {
                        println!("{f}");
                        match spikemesh_hdl::fpga::dsp_fit::dsp_fit(&n.hardware) {
                            Some(d) => println!("{d}"),
                            None => println!("DSP blocks: none on this device (products in logic cells)"),
                        }
                        println!("logic cells: not predicted; `spikemesh synth` measures them");
                    }
                    None => println!("board sim: no FPGA limits apply"),
                }
                if let Some(c) = &clock {
                    let source = if c.pll.is_empty() {
                        format!("the {} MHz oscillator itself", c.oscillator_mhz)
                    } else {
                        format!("a PLL from the {} MHz oscillator ({})", c.oscillator_mhz, c.pll)
                    };
                    println!(
                        "clock: {} MHz requested, {:.3} MHz from {source}; UART {} baud = {:.2} clocks per bit",
                        c.requested_mhz,
                        c.achieved_mhz,
                        n.hardware.baud,
                        c.achieved_mhz * 1e6 / n.hardware.baud as f64
                    );
                }
            }
            Ok(())
        }
        Command::Simulate(args) => simulate::run(args),
        Command::Generate { net, out, sim_models } => generate(&net, &out, sim_models),
        Command::Run(args) => run::run(args),
        Command::Synth(args) => synth::run(args),
        Command::BoardSim(args) => board_sim::run(args),
        Command::Soak(args) => soak::run(args),
        Command::Bench { what } => bench::run(what),
        Command::Import(args) => import::run(args),
        Command::Evaluate(args) => evaluate::run(args),
    }
}

/// `spikemesh generate`: `core.v` (one core), `chip.v` (mesh + host bridge, module `chip`),
/// `top.v` (board top, for FPGA boards) and `core_X_Y.csv` (config writes `mem,row,col,data`).
fn generate(net: &Path, out: &Path, sim_models: bool) -> Result<()> {
    use anyhow::Context;
    let (n, m) = load(net)?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let shape = spikemesh_hdl::shape::CoreShape::for_board(&n.hardware);
    let v = out.join("core.v");
    std::fs::write(&v, spikemesh_hdl::core_verilog(&shape, sim_models))
        .with_context(|| format!("writing {}", v.display()))?;
    println!("{} ({:?} crossbar) -> {}", net.display(), shape.crossbar, v.display());
    let c = out.join("chip.v");
    std::fs::write(&c, spikemesh_hdl::chip::chip_verilog(&n.hardware, sim_models))
        .with_context(|| format!("writing {}", c.display()))?;
    println!("chip ({}x{} mesh, host bridge) -> {}", n.hardware.mesh_x, n.hardware.mesh_y, c.display());
    if spikemesh_hdl::fpga::boards::board(n.hardware.board).is_some() {
        let t = out.join("top.v");
        std::fs::write(&t, spikemesh_hdl::fpga::board_top::board_verilog(&n.hardware)?)
            .with_context(|| format!("writing {}", t.display()))?;
        println!("board top ({}) -> {}", n.hardware.board.name(), t.display());
    }
    for img in &m.cores {
        let p = out.join(format!("core_{}_{}.csv", img.x, img.y));
        let mut text = String::from("mem,row,col,data\n");
        for w in spikemesh_spec::memory_map::config_writes(img, n.hardware.delay_bits) {
            text += &format!("{},{},{},{:#x}\n", w.mem, w.row, w.col, w.data);
        }
        std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?;
        println!("memory image of core ({},{}) -> {}", img.x, img.y, p.display());
    }
    Ok(())
}

/// Runs the `spikemesh` command on `args` (the first is the program name), printing an error
/// as the binary does; returns the exit code: 0, 1 for an error, 2 for a bad command line.
pub fn main_code(args: impl IntoIterator<Item = OsString>) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            // --help and --version print and succeed; a bad flag prints usage and fails.
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    }
}

/// [`main_code`] as the binary's exit code.
pub fn main_with(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    ExitCode::from(main_code(args))
}
