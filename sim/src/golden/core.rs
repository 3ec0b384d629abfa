//! One core of the golden model: its neurons' state, its accumulators and its crossbar rows.
//!
//! Within a timestep a core reads and writes only its own memory, as the hardware's cores do,
//! so the cores of a chip can be stepped on different threads with the same result.

use super::registers::Registers;
use super::rows::Rows;
use spikemesh_spec::mapping::CoreImage;
use spikemesh_spec::neuron::Run;
use spikemesh_spec::{NeuronState, NeuronType, Widths};

/// State and synapses of one core.
pub(crate) struct CoreSim {
    /// Global slot of this core's neuron 0.
    first: u32,
    /// Neuron slots.
    neurons: usize,
    /// Runs of consecutive local slots of one neuron type: (first, end, type).
    pub(crate) runs: Vec<(usize, usize, NeuronType)>,
    /// State registers column by column.
    pub(crate) regs: Registers,
    /// Input summed for the updates ahead, a ring of `2^delay_bits` banks of one accumulator per
    /// neuron slot: timestep `t`'s bank is `acc[(t mod banks) * neurons..][..neurons]`
    /// (`docs/semantics.md`, "Synaptic delay"; each sum exact in `W + ceil(log2 A)` <= 30 bits).
    acc: Vec<i32>,
    /// The crossbar rows by delay: `rows[d]` holds the synapses of delay `d` (one set without
    /// delays), so that delivering into each bank stays a pass of vector adds.
    rows: Vec<Rows>,
    /// Per source (global neuron slot, then `slots + input id`), the axon rows it drives here
    /// (one per delay it has here): `(row, 1)` for one row, which is most sources, so that
    /// queueing a spike reads one table; `(start, n)` into `source_rows` for `n` of them.
    source_span: Vec<(u32, u32)>,
    /// The rows of the sources that drive several here, flattened.
    source_rows: Vec<u32>,
    /// Axon rows to deliver before the next update (the spikes of the previous timestep).
    pub(crate) pending: Vec<u32>,
    /// Global slots that fired in the last update, ascending.
    pub(crate) fired: Vec<u32>,
}

impl CoreSim {
    /// Core `index` of a chip loaded with `img`, all state at zero, with `2^delay_bits` banks,
    /// and rows kept dense from one weight in `dense_every` (`rows::dense_every`).
    pub(crate) fn new(
        index: usize,
        img: &CoreImage,
        neurons: usize,
        w: &Widths,
        (delay_bits, dense_every): (u32, usize),
    ) -> Self {
        let weight_bits = w.weight_bits;
        let mut runs: Vec<(usize, usize, NeuronType)> = Vec::new();
        for (j, &t) in img.neuron_type.iter().enumerate() {
            let ty = img.types[t as usize];
            match runs.last_mut() {
                Some((_, end, last)) if *last == ty => *end = j + 1,
                _ => runs.push((j, j + 1, ty)),
            }
        }
        let axons = img.axon_source.len();
        let rows = if delay_bits == 0 {
            vec![Rows::new(&img.crossbar, axons, neurons, weight_bits, dense_every)]
        } else {
            // A row's delay is the axon's (`mapping`): bank d's rows are the axons of delay d.
            (0..1usize << delay_bits)
                .map(|d| {
                    let mut of_delay = img.crossbar.clone();
                    for (a, &e) in img.axon_delay.iter().enumerate() {
                        if e as usize != d {
                            of_delay[a * neurons..(a + 1) * neurons].fill(0);
                        }
                    }
                    Rows::new(&of_delay, axons, neurons, weight_bits, dense_every)
                })
                .collect()
        };
        Self {
            first: (index * neurons) as u32,
            neurons,
            runs,
            regs: Registers::new(neurons, &img.types, w),
            acc: vec![0; rows.len() * neurons],
            rows,
            source_span: Vec::new(),
            source_rows: Vec::new(),
            pending: Vec::new(),
            fired: Vec::new(),
        }
    }

    /// Where in `acc` the bank of timestep `t` lies (the ring has one bank per delay).
    fn bank(&self, t: usize) -> std::ops::Range<usize> {
        let b = t % self.rows.len();
        b * self.neurons..(b + 1) * self.neurons
    }

    /// Notes that the next source of the chip's fan-out table drives axon rows `rows` here
    /// (call once per source, in source order).
    pub(crate) fn add_source(&mut self, rows: &[u32]) {
        let span = match rows {
            &[row] => (row, 1),
            _ => (self.source_rows.len() as u32, rows.len() as u32),
        };
        if rows.len() != 1 {
            self.source_rows.extend_from_slice(rows);
        }
        self.source_span.push(span);
    }

    /// Queues the axon rows that the spikes of `sources` drive here. Each core queues its own
    /// rows, on its own thread, so that the fan-out of a timestep's spikes is parallel too.
    pub(crate) fn queue(&mut self, sources: &[u32]) {
        for &s in sources {
            match self.source_span[s as usize] {
                (row, 1) => self.pending.push(row),
                // Element by element: a few rows are too short for `extend_from_slice`'s call
                // to `memmove` to pay.
                (start, n) => {
                    for &row in &self.source_rows[start as usize..(start + n) as usize] {
                        self.pending.push(row);
                    }
                }
            }
        }
    }

    /// Runs timestep `t`: delivers the pending axon rows (the spikes of `t - 1`) into the banks
    /// of `t + delay`, then updates every neuron once with bank `t` (which the update zeroes),
    /// leaving the slots that fired in `fired`.
    pub(crate) fn step(&mut self, w: &Widths, t: u32) {
        for (d, rows) in self.rows.iter().enumerate() {
            let bank = self.bank(t as usize + d);
            rows.deliver(&self.pending, &mut self.acc[bank]);
        }
        self.pending.clear();
        self.update(w, t);
    }

    /// Adds one synaptic event of the spikes of `t - 1` (weight `weight` of delay `delay` into
    /// neuron slot `j`), as [`Self::step`] would; for delivery in a shuffled order.
    pub(crate) fn add(&mut self, t: u32, j: u32, weight: i32, delay: u32) {
        let bank = self.bank((t + delay) as usize);
        self.acc[bank][j as usize] += weight;
    }

    /// Updates every neuron with the input already in timestep `t`'s bank.
    pub(crate) fn update(&mut self, w: &Widths, t: u32) {
        self.fired.clear();
        let bank = self.bank(t as usize);
        let acc = &mut self.acc[bank];
        for &(first, end, ty) in &self.runs {
            let run = Run {
                regs: self.regs.columns(first..end),
                inputs: &mut acc[first..end],
                first: self.first + first as u32,
                fired: &mut self.fired,
            };
            ty.model.get().step_run(&ty.params, w, run);
        }
    }

    /// Synaptic events that delivering to axon `a` makes (its non-zero weights, any delay).
    pub(crate) fn events(&self, a: u32) -> u32 {
        self.rows.iter().map(|r| r.events(a)).sum()
    }

    /// The non-zero synapses of axon row `a`: (neuron slot, weight, delay).
    pub(crate) fn synapses(&self, a: u32) -> Vec<(u32, i32, u32)> {
        let by_delay = self.rows.iter().enumerate();
        by_delay.flat_map(|(d, r)| r.synapses(a).into_iter().map(move |(j, w)| (j, w, d as u32))).collect()
    }

    /// The state of neuron slot `j`.
    pub(crate) fn neuron(&self, j: usize) -> NeuronState {
        NeuronState { s: std::array::from_fn(|r| self.regs.get(r, j)) }
    }
}
