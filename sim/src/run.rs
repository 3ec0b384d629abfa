//! A whole run on any engine (golden model or RTL): stimulus in, recorded spikes out.

use crate::golden::{DeliveryOrder, Golden};
use spikemesh_spec::mapping::Mapping;
use spikemesh_spec::{Spike, Stimulus};

/// Something that runs timesteps of a mapped network.
pub trait Engine {
    /// Runs the next timestep with the host's `inputs` (population, neuron); returns the
    /// global slots that fired, sorted.
    fn step(&mut self, inputs: &[(u32, u32)]) -> Vec<u32>;
    /// Membrane potential of every global slot.
    fn potentials(&mut self) -> Vec<i64>;
    /// The middle state register (`cuba`'s `u`, `alif`'s adaptation; 0 for models without
    /// one) of every global slot, if this engine can read it.
    fn middle_registers(&mut self) -> Option<Vec<i64>> {
        None
    }
    /// The refractory counter of every global slot, if this engine can read it.
    fn refractory_counters(&mut self) -> Option<Vec<i64>> {
        None
    }
    /// Whether this engine reports spikes of `slot` (the chip only sends recorded neurons'
    /// spikes to the host).
    fn observes(&self, _slot: u32) -> bool {
        true
    }
}

impl Engine for Golden {
    fn step(&mut self, inputs: &[(u32, u32)]) -> Vec<u32> {
        // The golden model reports spikes in slot order already.
        Golden::step(self, inputs).to_vec()
    }
    fn potentials(&mut self) -> Vec<i64> {
        Golden::potentials(self)
    }
    fn middle_registers(&mut self) -> Option<Vec<i64>> {
        Some(Golden::middle_registers(self))
    }
    fn refractory_counters(&mut self) -> Option<Vec<i64>> {
        Some(Golden::refractory_counters(self))
    }
}

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunResult {
    /// Recorded spikes, by timestep then population then neuron.
    pub spikes: Vec<Spike>,
    /// Membrane potential of every global slot after the last timestep.
    pub potentials: Vec<i64>,
    /// Synaptic events delivered (golden model only; 0 from other engines).
    pub synaptic_events: u64,
    /// Spikes fired by simulated neurons (recorded or not).
    pub neuron_spikes: u64,
}

/// Runs `stim.steps.len()` timesteps on `engine`, recording the populations `record[p]`
/// marks (input spikes of recorded input populations included). `progress` gets the count done.
pub fn record_run(
    engine: &mut dyn Engine,
    mapping: &Mapping,
    stim: &Stimulus,
    record: &[bool],
    mut progress: impl FnMut(usize),
) -> RunResult {
    record_run_until(engine, mapping, &stim.steps, record, |t| {
        progress(t);
        true
    })
    .expect("a run that is never stopped finishes")
}

/// [`record_run`] that stops after the timestep where `go_on` returns false (None then): how
/// an interrupt from Python ends a long run.
pub fn record_run_until<S: AsRef<[(u32, u32)]>>(
    engine: &mut dyn Engine,
    mapping: &Mapping,
    steps: impl IntoIterator<Item = S>,
    record: &[bool],
    mut go_on: impl FnMut(usize) -> bool,
) -> Option<RunResult> {
    let mut spikes = Vec::new();
    let mut neuron_spikes = 0u64;
    for (t, inputs) in steps.into_iter().enumerate() {
        let inputs = inputs.as_ref();
        let fired = engine.step(inputs);
        neuron_spikes += fired.len() as u64;
        let start = spikes.len();
        for &g in &fired {
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
        if !go_on(t + 1) {
            return None;
        }
    }
    Some(RunResult { spikes, potentials: engine.potentials(), synaptic_events: 0, neuron_spikes })
}

/// Runs the golden model (see [`record_run`]), counting synaptic events too.
pub fn simulate(
    mapping: &Mapping,
    stim: &Stimulus,
    record: &[bool],
    order: DeliveryOrder,
    progress: impl FnMut(usize),
) -> RunResult {
    let mut chip = Golden::new(mapping);
    chip.set_order(order);
    let mut r = record_run(&mut chip, mapping, stim, record, progress);
    r.synaptic_events = chip.synaptic_events();
    r
}
