//! `cargo bench -p spikemesh-sim`: golden-model throughput on examples/bench-1024.toml.

use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::Path;

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/bench-1024.toml");
    let net = Network::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mapping = Mapping::build(&net).unwrap_or_else(|e| panic!("{e}"));
    let stim = Stimulus::build(&net, 5200, None).unwrap_or_else(|e| panic!("{e}"));
    for run in 0..3 {
        // One thread: the figure `spikemesh bench golden` gives first.
        let b = spikemesh_sim::bench::golden(&mapping, &stim, 200, net.synapse_count(), 1)
            .unwrap_or_else(|e| panic!("{e}"));
        println!(
            "golden bench-1024 run {run}, one thread: {:.3e} synaptic events/s, {:.0} timesteps/s, {:.1} spikes/timestep ({:.1}x the 1e8 target)",
            b.synaptic_events_per_s,
            b.timesteps_per_s,
            b.spikes_per_timestep,
            b.synaptic_events_per_s / 1e8
        );
    }
}
