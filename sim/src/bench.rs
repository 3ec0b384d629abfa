//! Throughput measurement of the golden model (used by `spikemesh bench golden` and `cargo bench`).

use crate::golden::Golden;
use serde::Serialize;
use spikemesh_spec::{Mapping, Stimulus};
use std::time::Instant;

/// Figures of one golden-model benchmark run.
#[derive(Debug, Clone, Serialize)]
pub struct GoldenBench {
    /// Simulated neurons (used slots).
    pub neurons: usize,
    /// Synapses in the network.
    pub synapses: usize,
    /// Timesteps timed (after warm-up).
    pub timesteps: usize,
    /// Neuron spikes in the timed window.
    pub spikes: u64,
    /// Synaptic events in the timed window.
    pub synaptic_events: u64,
    /// Wall time of the timed window, seconds.
    pub seconds: f64,
    /// Synaptic events per second.
    pub synaptic_events_per_s: f64,
    /// Timesteps per second.
    pub timesteps_per_s: f64,
    /// Mean spikes per timestep (neuron spikes, inputs excluded).
    pub spikes_per_timestep: f64,
    /// Threads that stepped the cores.
    pub threads: usize,
}

/// Runs `warmup` untimed timesteps, then the rest of `stim` timed, with the cores stepped on
/// `threads` threads (0: every hardware thread).
pub fn golden(
    mapping: &Mapping,
    stim: &Stimulus,
    warmup: usize,
    synapses: usize,
    threads: usize,
) -> Result<GoldenBench, rayon::ThreadPoolBuildError> {
    let mut chip = Golden::new(mapping);
    chip.set_threads(if threads == 0 { rayon::current_num_threads() } else { threads })?;
    let warmup = warmup.min(stim.steps.len());
    for inputs in &stim.steps[..warmup] {
        chip.step(inputs);
    }
    let ev0 = chip.synaptic_events();
    let mut spikes = 0u64;
    let t0 = Instant::now();
    for inputs in &stim.steps[warmup..] {
        spikes += chip.step(inputs).len() as u64;
    }
    let seconds = t0.elapsed().as_secs_f64();
    let timesteps = stim.steps.len() - warmup;
    let events = chip.synaptic_events() - ev0;
    Ok(GoldenBench {
        neurons: mapping.slot_owner.iter().filter(|o| o.is_some()).count(),
        synapses,
        timesteps,
        spikes,
        synaptic_events: events,
        seconds,
        synaptic_events_per_s: events as f64 / seconds,
        timesteps_per_s: timesteps as f64 / seconds,
        spikes_per_timestep: spikes as f64 / timesteps.max(1) as f64,
        threads: chip.threads(),
    })
}
