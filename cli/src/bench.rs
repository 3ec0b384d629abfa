//! `spikemesh bench`: throughput figures, printed, never asserted.

use anyhow::Result;
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::PathBuf;

/// The shared benchmark network, built in so `spikemesh bench` runs from any directory.
const BENCH_1024: &str = include_str!("../../examples/bench-1024.toml");

/// What to benchmark.
#[derive(clap::Subcommand)]
pub enum What {
    /// Golden-model synaptic events/s and timesteps/s (single-threaded).
    Golden {
        /// Network to run (default: the built-in examples/bench-1024.toml).
        #[arg(long)]
        net: Option<PathBuf>,
        /// Timed timesteps (after 200 warm-up steps).
        #[arg(long, default_value_t = 5000)]
        steps: usize,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a benchmark.
pub fn run(w: What) -> Result<()> {
    match w {
        What::Golden { net, steps, json } => {
            let n = match &net {
                Some(p) => Network::load(p)?,
                None => Network::parse(&PathBuf::from("examples/bench-1024.toml"), BENCH_1024)?,
            };
            let m = Mapping::build(&n)?;
            let warmup = 200;
            let stim = Stimulus::build(&n, warmup + steps, None)?;
            let b = spikemesh_sim::bench::golden(&m, &stim, warmup, n.synapse_count());
            if json {
                println!("{}", serde_json::to_string_pretty(&b)?);
            } else {
                println!(
                    "golden model on {} ({} neurons, {} synapses), single thread:",
                    n.path.display(),
                    b.neurons,
                    b.synapses
                );
                println!(
                    "  {} timesteps in {:.3} s, {:.1} spikes/timestep, {} synaptic events",
                    b.timesteps, b.seconds, b.spikes_per_timestep, b.synaptic_events
                );
                println!(
                    "  {:.3e} synaptic events/s ({:.2}x the 1e8/s target)",
                    b.synaptic_events_per_s,
                    b.synaptic_events_per_s / 1e8
                );
                println!("  {:.0} timesteps/s", b.timesteps_per_s);
            }
            Ok(())
        }
    }
}
