//! A whole run of the golden model: stimulus in, recorded spikes out.

use crate::golden::{DeliveryOrder, Golden};
use spikemesh_spec::mapping::Mapping;
use spikemesh_spec::{Spike, Stimulus};

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunResult {
    /// Recorded spikes, by timestep then population then neuron.
    pub spikes: Vec<Spike>,
    /// Membrane potential of every global slot after the last timestep.
    pub potentials: Vec<i64>,
    /// Synaptic events delivered.
    pub synaptic_events: u64,
    /// Spikes fired by simulated neurons (recorded or not).
    pub neuron_spikes: u64,
}

/// Runs `stim.steps.len()` timesteps, recording the populations `record[p]` marks.
/// `progress` is called after every timestep with the number done.
pub fn simulate(
    mapping: &Mapping,
    stim: &Stimulus,
    record: &[bool],
    order: DeliveryOrder,
    mut progress: impl FnMut(usize),
) -> RunResult {
    let mut chip = Golden::new(mapping);
    chip.set_order(order);
    let mut spikes = Vec::new();
    let mut neuron_spikes = 0u64;
    for (t, inputs) in stim.steps.iter().enumerate() {
        let fired = chip.step(inputs);
        neuron_spikes += fired.len() as u64;
        let start = spikes.len();
        for &g in fired {
            if let Some((p, k)) = mapping.slot_owner[g as usize] {
                if record[p as usize] {
                    spikes.push(Spike { timestep: t as u32, population: p, neuron: k });
                }
            }
        }
        for &(p, k) in inputs {
            if record[p as usize] {
                spikes.push(Spike { timestep: t as u32, population: p, neuron: k });
            }
        }
        spikes[start..].sort_unstable();
        progress(t + 1);
    }
    RunResult { spikes, potentials: chip.potentials(), synaptic_events: chip.synaptic_events(), neuron_spikes }
}
