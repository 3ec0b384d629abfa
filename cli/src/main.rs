//! `spikemesh`: check, simulate and benchmark spiking networks for FPGA neuromorphic hardware.

mod bench;
mod raster;
mod simulate;

use anyhow::Result;
use clap::{Parser, Subcommand};
use spikemesh_spec::report::FitReport;
use spikemesh_spec::{Mapping, Network};
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
    /// Run a network in the golden model and write the recorded spikes.
    Simulate(simulate::Args),
    /// Measure throughput.
    Bench {
        #[command(subcommand)]
        what: bench::What,
    },
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
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("{report}");
            }
            Ok(())
        }
        Command::Simulate(args) => simulate::run(args),
        Command::Bench { what } => bench::run(what),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
