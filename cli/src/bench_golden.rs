//! `spikemesh bench golden`: the golden model's synaptic events/s, on one thread and on all,
//! and the same network written out for Brian2 (`make bench` runs both in one go).

use anyhow::{bail, Context, Result};
use spikemesh_sim::bench::GoldenBench;
use spikemesh_spec::neuron::lif::{LifParams, ResetMode};
use spikemesh_spec::{Mapping, Network, PopulationKind, Stimulus};
use std::path::Path;

/// Runs the bench (`warmup` untimed timesteps, then `steps` timed ones) on each thread count
/// (0: every hardware thread) and prints the figures.
pub fn run(
    n: &Network,
    (warmup, steps): (usize, usize),
    threads: &[usize],
    json: bool,
    export: Option<&Path>,
) -> Result<()> {
    let m = Mapping::build(n)?;
    let stim = Stimulus::build(n, warmup + steps, None)?;
    let mut all: Vec<GoldenBench> = Vec::new();
    for &t in threads {
        let b = spikemesh_sim::bench::golden(&m, &stim, warmup, n.synapse_count(), t)?;
        if !json {
            print(n, &b, all.first());
        }
        all.push(b);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&all)?);
    }
    if let Some(dir) = export {
        export_for_brian2(n, &m, (&stim, warmup), &all, dir)?;
    }
    Ok(())
}

fn print(n: &Network, b: &GoldenBench, one_thread: Option<&GoldenBench>) {
    println!(
        "golden model on {} ({} neurons, {} synapses), {} thread{}:",
        n.path.display(),
        b.neurons,
        b.synapses,
        b.threads,
        if b.threads == 1 { "" } else { "s" }
    );
    println!(
        "  {} timesteps in {:.3} s, {:.1} spikes/timestep, {} synaptic events",
        b.timesteps, b.seconds, b.spikes_per_timestep, b.synaptic_events
    );
    let speedup =
        one_thread.map(|o| format!(", {:.2}x the first run", b.synaptic_events_per_s / o.synaptic_events_per_s));
    println!(
        "  {:.3e} synaptic events/s, {:.0} timesteps/s{}",
        b.synaptic_events_per_s,
        b.timesteps_per_s,
        speedup.unwrap_or_default()
    );
}

/// Writes `n` for sim/benches/brian2/bench.py: one input population driving one `lif`
/// population, as little-endian int32 arrays, with the golden model's spike count to check.
/// The golden figures go with it, so that the script prints the ratios.
fn export_for_brian2(
    n: &Network,
    m: &Mapping,
    (stim, warmup): (&Stimulus, usize),
    runs: &[GoldenBench],
    dir: &Path,
) -> Result<()> {
    let Some(b) = runs.first() else { bail!("the Brian2 export needs at least one golden run (--threads)") };
    let (inputs, lif) = match n.populations.as_slice() {
        [i, l] if i.is_input() && !l.is_input() => (i, l),
        _ => bail!(
            "{}: the Brian2 export takes one input population followed by one neuron population \
             (as examples/bench-1024.toml); this network has {} populations",
            n.path.display(),
            n.populations.len()
        ),
    };
    let p = match &lif.kind {
        PopulationKind::Neurons { neuron, per_neuron: None } if neuron.model.get().name() == "lif" => {
            LifParams::from_params(&neuron.params)
        }
        _ => bail!(
            "{}: population `{}`: the Brian2 export writes one `lif` type for the whole population",
            n.path.display(),
            lif.name
        ),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let write = |name: &str, words: Vec<i32>| -> Result<()> {
        let path = dir.join(name);
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    };
    for (name, from) in [("input_synapses.bin", 0), ("synapses.bin", 1)] {
        let words = n
            .projections
            .iter()
            .filter(|pr| pr.from == from && pr.to == 1)
            .flat_map(|pr| pr.synapses.iter().flat_map(|s| [s.pre as i32, s.post as i32, s.weight]))
            .collect();
        write(name, words)?;
    }
    let spikes =
        stim.steps.iter().enumerate().flat_map(|(t, s)| s.iter().flat_map(move |&(_, k)| [t as i32, k as i32]));
    write("input_spikes.bin", spikes.collect())?;
    // The spike count over every timestep, warm-up included, as Brian2's monitor counts them.
    let mut chip = spikemesh_sim::Golden::new(m);
    let golden_spikes: usize = stim.steps.iter().map(|s| chip.step(s).len()).sum();
    let meta = serde_json::json!({
        "neurons": lif.size,
        "inputs": inputs.size,
        "steps": stim.steps.len(),
        "warmup": warmup,
        "potential_bits": n.hardware.widths.potential_bits,
        "neuron": {
            "threshold": p.threshold,
            "leak_shift": p.leak_shift,
            "reset": p.reset,
            "reset_mode": if p.reset_mode == ResetMode::Subtract { "subtract" } else { "value" },
            "refractory": p.refractory,
        },
        "golden_spikes": golden_spikes,
        "timed_synaptic_events": b.synaptic_events,
        "golden": runs,
    });
    let path = dir.join("network.json");
    std::fs::write(&path, serde_json::to_string_pretty(&meta)?)
        .with_context(|| format!("writing {}", path.display()))?;
    println!("network written for Brian2 -> {}", dir.display());
    Ok(())
}
