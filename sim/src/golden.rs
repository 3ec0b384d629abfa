//! The golden model: an event-driven simulator of `docs/semantics.md`, built from the same
//! memory images the hardware loads.
//!
//! At load time every source's fan-out (its destination list, then each destination axon's
//! crossbar row) is flattened into one list of (target slot, weight) with zeros dropped, so
//! delivering a spike is one tight loop over a contiguous slice.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use spikemesh_spec::mapping::{Destination, Mapping, Placement};
use spikemesh_spec::{NeuronState, NeuronType, Widths};

/// The order in which the synaptic events of one timestep are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOrder {
    /// Source order, then fan-out order (the fast path).
    InOrder,
    /// Every synaptic event of the timestep shuffled with this seed (for order-independence tests).
    Shuffled(u64),
}

/// Golden-model state of a whole chip.
pub struct Golden {
    widths: Widths,
    neurons_per_core: usize,
    /// Runs of consecutive global slots of one neuron type: (first, end, type).
    runs: Vec<(usize, usize, NeuronType)>,
    state: Vec<NeuronState>,
    /// Input summed for the next update, per global slot.
    acc: Vec<i64>,
    /// Flattened (target slot, weight) lists; `neuron_out[g]` and `input_out[i]` index into it.
    targets: Vec<(u32, i32)>,
    neuron_out: Vec<(u32, u32)>,
    input_out: Vec<(u32, u32)>,
    /// First input id of each population (inputs only).
    input_first: Vec<Option<usize>>,
    timestep: u32,
    fired: Vec<u32>,
    synaptic_events: u64,
    order: DeliveryOrder,
    rng: ChaCha8Rng,
    /// (start, end) spans of `targets` to deliver this timestep; kept to avoid reallocating.
    spans: Vec<(u32, u32)>,
}

impl Golden {
    /// A chip loaded with `mapping`'s images, all potentials and counters at zero.
    pub fn new(mapping: &Mapping) -> Self {
        let hw = &mapping.hardware;
        let n = hw.neurons_per_core;
        let total = hw.cores() * n;
        let mut runs: Vec<(usize, usize, NeuronType)> = Vec::new();
        for (g, ty) in
            mapping.cores.iter().flat_map(|img| img.neuron_type.iter().map(|&t| img.types[t as usize])).enumerate()
        {
            match runs.last_mut() {
                Some((_, end, t)) if *t == ty => *end = g + 1,
                _ => runs.push((g, g + 1, ty)),
            }
        }
        // Non-zero entries of every used axon row, as global target slots.
        let rows: Vec<Vec<Vec<(u32, i32)>>> = mapping
            .cores
            .iter()
            .enumerate()
            .map(|(c, img)| {
                (0..img.axon_source.len())
                    .map(|a| {
                        let row = &img.crossbar[a * n..(a + 1) * n];
                        row.iter()
                            .enumerate()
                            .filter(|(_, &w)| w != 0)
                            .map(|(j, &w)| ((c * n + j) as u32, w as i32))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut targets = Vec::new();
        let mut flatten = |dests: &[Destination]| {
            let start = targets.len() as u32;
            for d in dests {
                let c = hw.core_index(d.x as usize, d.y as usize);
                targets.extend_from_slice(&rows[c][d.axon as usize]);
            }
            (start, targets.len() as u32)
        };
        let neuron_out: Vec<(u32, u32)> =
            (0..total).map(|g| flatten(mapping.neuron_destinations(g / n, g % n))).collect();
        let input_out: Vec<(u32, u32)> = mapping.input_fanout.iter().map(|d| flatten(d)).collect();
        let input_first = mapping
            .placement
            .iter()
            .map(|p| match p {
                Placement::Input { first } => Some(*first),
                Placement::Slots { .. } => None,
            })
            .collect();
        Self {
            widths: hw.widths,
            neurons_per_core: n,
            runs,
            state: vec![NeuronState::default(); total],
            acc: vec![0; total],
            targets,
            neuron_out,
            input_out,
            input_first,
            timestep: 0,
            fired: Vec::new(),
            synaptic_events: 0,
            order: DeliveryOrder::InOrder,
            rng: ChaCha8Rng::seed_from_u64(0),
            spans: Vec::new(),
        }
    }

    /// Sets the delivery order for the following timesteps.
    pub fn set_order(&mut self, order: DeliveryOrder) {
        if let DeliveryOrder::Shuffled(seed) = order {
            self.rng = ChaCha8Rng::seed_from_u64(seed);
        }
        self.order = order;
    }

    /// Runs timestep `self.timestep()`: updates every neuron with the input summed from the
    /// previous timestep's spikes, then delivers this timestep's neuron spikes and the host's
    /// `inputs` (population, neuron) for the next one. Returns the global slots that fired.
    pub fn step(&mut self, inputs: &[(u32, u32)]) -> &[u32] {
        self.fired.clear();
        let w = self.widths;
        for &(first, end, ty) in &self.runs {
            let (states, inputs) = (&mut self.state[first..end], &mut self.acc[first..end]);
            ty.model.get().step_run(&ty.params, &w, states, inputs, first as u32, &mut self.fired);
        }
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        spans.extend(self.fired.iter().map(|&g| self.neuron_out[g as usize]));
        for &(pop, k) in inputs {
            let first =
                self.input_first[pop as usize].expect("stimulus spikes are validated to name input populations");
            spans.push(self.input_out[first + k as usize]);
        }
        match self.order {
            DeliveryOrder::InOrder => {
                for &(s, e) in &spans {
                    let list = &self.targets[s as usize..e as usize];
                    self.synaptic_events += list.len() as u64;
                    for &(t, w) in list {
                        self.acc[t as usize] += w as i64;
                    }
                }
            }
            DeliveryOrder::Shuffled(_) => {
                let mut events: Vec<(u32, i32)> =
                    spans.iter().flat_map(|&(s, e)| self.targets[s as usize..e as usize].iter().copied()).collect();
                events.shuffle(&mut self.rng);
                self.synaptic_events += events.len() as u64;
                for (t, w) in events {
                    self.acc[t as usize] += w as i64;
                }
            }
        }
        self.spans = spans;
        self.timestep += 1;
        &self.fired
    }

    /// The next timestep to run (= timesteps run so far).
    pub fn timestep(&self) -> u32 {
        self.timestep
    }

    /// Synaptic events delivered so far (spikes times non-zero synapses reached).
    pub fn synaptic_events(&self) -> u64 {
        self.synaptic_events
    }

    /// Membrane potential of global slot `g`.
    pub fn potential(&self, g: usize) -> i64 {
        self.state[g].v()
    }

    /// Full state of neuron `slot` of core `core`.
    pub fn neuron(&self, core: usize, slot: usize) -> NeuronState {
        self.state[core * self.neurons_per_core + slot]
    }

    /// The middle state register of every global slot: register 1 of models with three
    /// (`cuba`'s `u`, `alif`'s adaptation), 0 for the others (as the RTL's `AUX_STATE` reads).
    pub fn middle_registers(&self) -> Vec<i64> {
        let mut out = vec![0; self.state.len()];
        for &(first, end, ty) in &self.runs {
            if ty.model.get().state(&self.widths).len() == 3 {
                for (o, st) in out[first..end].iter_mut().zip(&self.state[first..end]) {
                    *o = st.s[1];
                }
            }
        }
        out
    }

    /// The refractory counter (every model's last state register) of every global slot.
    pub fn refractory_counters(&self) -> Vec<i64> {
        let mut out = vec![0; self.state.len()];
        for &(first, end, ty) in &self.runs {
            let last = ty.model.get().state(&self.widths).len() - 1;
            for (o, st) in out[first..end].iter_mut().zip(&self.state[first..end]) {
                *o = st.s[last];
            }
        }
        out
    }

    /// Membrane potentials of every global slot.
    pub fn potentials(&self) -> Vec<i64> {
        self.state.iter().map(|s| s.v()).collect()
    }
}
