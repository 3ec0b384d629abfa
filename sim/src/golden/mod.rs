//! The golden model: a simulator of `docs/semantics.md`, built from the same memory images the
//! hardware loads.
//!
//! The chip is held core by core ([`core::CoreSim`]), each with its own accumulators and its
//! crossbar rows stored for vector adds ([`rows::Rows`]) and its registers in columns
//! ([`registers::Registers`]). At the start of a timestep every core looks up the axon rows that
//! the last timestep's spikes drive in it, adds them, and then updates its neurons. Cores touch
//! only their own memory within a timestep, so they may be stepped on several threads: the
//! result is the same for any thread count.

mod core;
mod registers;
mod rows;

use self::core::CoreSim;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use spikemesh_spec::mapping::{Mapping, Placement};
use spikemesh_spec::{NeuronState, Widths};

/// Chips with at least this many neuron slots step their cores on every thread by default:
/// below it a timestep is a few microseconds, about what handing the cores to threads costs.
const PARALLEL_FROM_SLOTS: usize = 4096;

/// The order in which the synaptic events of one timestep are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOrder {
    /// Row by row, core by core (the fast path).
    InOrder,
    /// Every synaptic event of the timestep shuffled with this seed (for order-independence tests).
    Shuffled(u64),
}

/// Which threads step the cores.
enum Threads {
    /// This thread, core after core.
    One,
    /// Rayon's global pool (every hardware thread, or `RAYON_NUM_THREADS`).
    All,
    /// A pool of a chosen size.
    Pool(rayon::ThreadPool),
}

/// Golden-model state of a whole chip.
pub struct Golden {
    widths: Widths,
    neurons_per_core: usize,
    cores: Vec<CoreSim>,
    /// The sources (global neuron slot, then `slots + input id`) that spiked in the last
    /// timestep: each core queues the rows they drive at the start of the next.
    sources: Vec<u32>,
    /// Synaptic events one spike of each source makes (non-zero weights it reaches).
    source_events: Vec<u64>,
    /// First input id of each population (inputs only).
    input_first: Vec<Option<usize>>,
    timestep: u32,
    fired: Vec<u32>,
    synaptic_events: u64,
    order: DeliveryOrder,
    rng: ChaCha8Rng,
    threads: Threads,
}

impl Golden {
    /// A chip loaded with `mapping`'s images, all potentials and counters at zero.
    pub fn new(mapping: &Mapping) -> Self {
        let hw = &mapping.hardware;
        let n = hw.neurons_per_core;
        let slots = hw.cores() * n;
        let crossbars = mapping.cores.iter().map(|img| img.crossbar.as_slice());
        let dense_every = rows::dense_every(crossbars, n, hw.widths.weight_bits);
        let mut cores: Vec<CoreSim> = mapping
            .cores
            .iter()
            .enumerate()
            .map(|(c, img)| CoreSim::new(c, img, n, &hw.widths, (hw.delay_bits, dense_every)))
            .collect();
        let mut source_events = Vec::new();
        let fanouts = (0..slots)
            .map(|g| mapping.neuron_destinations(g / n, g % n))
            .chain(mapping.input_fanout.iter().map(|d| d.as_slice()));
        // A source's rows sorted by core in one pass over its destinations (not one per core:
        // construction was sources x cores x destinations).
        let mut rows_at: Vec<Vec<u32>> = vec![Vec::new(); cores.len()];
        for dests in fanouts {
            rows_at.iter_mut().for_each(Vec::clear);
            for d in dests {
                rows_at[hw.core_index(d.x as usize, d.y as usize)].push(d.axon);
            }
            for (core, rows) in cores.iter_mut().zip(&rows_at) {
                core.add_source(rows);
            }
            source_events.push(
                dests.iter().map(|d| cores[hw.core_index(d.x as usize, d.y as usize)].events(d.axon) as u64).sum(),
            );
        }
        let input_first = mapping
            .placement
            .iter()
            .map(|p| match p {
                Placement::Input { first } => Some(*first),
                Placement::Slots { .. } => None,
            })
            .collect();
        let threads = if slots >= PARALLEL_FROM_SLOTS && cores.len() > 1 { Threads::All } else { Threads::One };
        Self {
            widths: hw.widths,
            neurons_per_core: n,
            cores,
            sources: Vec::new(),
            source_events,
            input_first,
            timestep: 0,
            fired: Vec::new(),
            synaptic_events: 0,
            order: DeliveryOrder::InOrder,
            rng: ChaCha8Rng::seed_from_u64(0),
            threads,
        }
    }

    /// Sets the delivery order for the following timesteps.
    pub fn set_order(&mut self, order: DeliveryOrder) {
        if let DeliveryOrder::Shuffled(seed) = order {
            self.rng = ChaCha8Rng::seed_from_u64(seed);
        }
        self.order = order;
    }

    /// Steps the cores on `threads` threads (1: this thread only). Any count gives the same
    /// spikes and state; by default large chips use every hardware thread and small ones one.
    pub fn set_threads(&mut self, threads: usize) -> Result<(), rayon::ThreadPoolBuildError> {
        self.threads = match threads {
            0 | 1 => Threads::One,
            k => Threads::Pool(rayon::ThreadPoolBuilder::new().num_threads(k).build()?),
        };
        Ok(())
    }

    /// Threads that step the cores.
    pub fn threads(&self) -> usize {
        match &self.threads {
            Threads::One => 1,
            Threads::All => rayon::current_num_threads(),
            Threads::Pool(p) => p.current_num_threads(),
        }
    }

    /// Runs timestep `self.timestep()`: updates every neuron with the input summed from the
    /// previous timestep's spikes, then queues this timestep's neuron spikes and the host's
    /// `inputs` (population, neuron) for the next one. Returns the global slots that fired.
    pub fn step(&mut self, inputs: &[(u32, u32)]) -> &[u32] {
        let (w, t, sources) = (self.widths, self.timestep, &self.sources);
        let step = |c: &mut CoreSim| {
            c.queue(sources);
            c.step(&w, t)
        };
        match self.order {
            DeliveryOrder::InOrder => match &self.threads {
                Threads::One => self.cores.iter_mut().for_each(step),
                Threads::All => self.cores.par_iter_mut().for_each(step),
                Threads::Pool(pool) => pool.install(|| self.cores.par_iter_mut().for_each(step)),
            },
            DeliveryOrder::Shuffled(_) => {
                let mut events: Vec<(usize, u32, i32, u32)> = Vec::new();
                for (c, core) in self.cores.iter_mut().enumerate() {
                    core.queue(sources);
                    for &a in &core.pending {
                        events.extend(core.synapses(a).into_iter().map(|(j, wt, d)| (c, j, wt, d)));
                    }
                    core.pending.clear();
                }
                events.shuffle(&mut self.rng);
                for (c, j, wt, d) in events {
                    self.cores[c].add(t, j, wt, d);
                }
                self.cores.iter_mut().for_each(|c| c.update(&w, t));
            }
        }
        self.fired.clear();
        for core in &self.cores {
            self.fired.extend_from_slice(&core.fired);
        }
        let slots = self.cores.len() * self.neurons_per_core;
        let inputs = inputs.iter().map(|&(pop, k)| {
            let first =
                self.input_first[pop as usize].expect("stimulus spikes are validated to name input populations");
            slots + first + k as usize
        });
        self.sources.clear();
        self.sources.extend(self.fired.iter().map(|&g| g as usize).chain(inputs).map(|s| s as u32));
        self.synaptic_events += self.sources.iter().map(|&s| self.source_events[s as usize]).sum::<u64>();
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
        self.neuron(g / self.neurons_per_core, g % self.neurons_per_core).v()
    }

    /// Full state of neuron `slot` of core `core`.
    pub fn neuron(&self, core: usize, slot: usize) -> NeuronState {
        self.cores[core].neuron(slot)
    }

    /// The middle state register of every global slot: register 1 of models with three
    /// (`cuba`'s `u`, `alif`'s adaptation), 0 for the others (as the RTL's `AUX_STATE` reads).
    pub fn middle_registers(&self) -> Vec<i64> {
        self.register_of_every_slot(|len| (len == 3).then_some(1))
    }

    /// The refractory counter (every model's last state register) of every global slot.
    pub fn refractory_counters(&self) -> Vec<i64> {
        self.register_of_every_slot(|len| Some(len - 1))
    }

    /// Membrane potentials of every global slot.
    pub fn potentials(&self) -> Vec<i64> {
        self.register_of_every_slot(|_| Some(0))
    }

    /// One state register of every global slot: `pick(registers of the model)` names which,
    /// or `None` for 0.
    fn register_of_every_slot(&self, pick: impl Fn(usize) -> Option<usize>) -> Vec<i64> {
        let mut out = Vec::with_capacity(self.cores.len() * self.neurons_per_core);
        for core in &self.cores {
            let base = out.len();
            out.resize(base + self.neurons_per_core, 0);
            for &(first, end, ty) in &core.runs {
                if let Some(r) = pick(ty.model.get().state(&self.widths).len()) {
                    core.regs.read(r, first..end, &mut out[base + first..base + end]);
                }
            }
        }
        out
    }
}
