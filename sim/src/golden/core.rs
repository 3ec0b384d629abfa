//! One core of the golden model: its neurons' state, its accumulators and its crossbar rows.
//!
//! Within a timestep a core reads and writes only its own memory, as the hardware's cores do,
//! so the cores of a chip can be stepped on different threads with the same result.

use super::rows::Rows;
use spikemesh_spec::mapping::CoreImage;
use spikemesh_spec::neuron::{Run, MAX_STATE};
use spikemesh_spec::{NeuronState, NeuronType, Widths};

/// State and synapses of one core.
pub(crate) struct CoreSim {
    /// Global slot of this core's neuron 0.
    first: u32,
    /// Runs of consecutive local slots of one neuron type: (first, end, type).
    pub(crate) runs: Vec<(usize, usize, NeuronType)>,
    /// State registers column by column: `regs[r][j]` is register `r` of neuron slot `j`.
    pub(crate) regs: [Vec<i64>; MAX_STATE],
    /// Input summed for the next update, per neuron slot (exact: `docs/semantics.md` bounds it
    /// by `W + ceil(log2 A)` <= 30 bits).
    pub(crate) acc: Vec<i32>,
    /// Zeros between deliveries: 16-bit lanes for timesteps whose sum cannot exceed them.
    narrow: Vec<i16>,
    pub(crate) rows: Rows,
    /// Axon rows to deliver before the next update (the spikes of the previous timestep).
    pub(crate) pending: Vec<u32>,
    /// Global slots that fired in the last update, ascending.
    pub(crate) fired: Vec<u32>,
}

impl CoreSim {
    /// Core `index` of a chip loaded with `img`, all state at zero.
    pub(crate) fn new(index: usize, img: &CoreImage, neurons: usize, weight_bits: u32) -> Self {
        let mut runs: Vec<(usize, usize, NeuronType)> = Vec::new();
        for (j, &t) in img.neuron_type.iter().enumerate() {
            let ty = img.types[t as usize];
            match runs.last_mut() {
                Some((_, end, last)) if *last == ty => *end = j + 1,
                _ => runs.push((j, j + 1, ty)),
            }
        }
        Self {
            first: (index * neurons) as u32,
            runs,
            regs: std::array::from_fn(|_| vec![0; neurons]),
            acc: vec![0; neurons],
            narrow: vec![0; neurons],
            rows: Rows::new(&img.crossbar, img.axon_source.len(), neurons, weight_bits),
            pending: Vec::new(),
            fired: Vec::new(),
        }
    }

    /// Delivers the pending axon rows, then updates every neuron once with its summed input
    /// (which the update zeroes), leaving the slots that fired in `fired`.
    pub(crate) fn step(&mut self, w: &Widths) {
        self.rows.deliver(&self.pending, &mut self.acc, &mut self.narrow);
        self.pending.clear();
        self.update(w);
    }

    /// Updates every neuron with the input already in the accumulators.
    pub(crate) fn update(&mut self, w: &Widths) {
        self.fired.clear();
        for &(first, end, ty) in &self.runs {
            let run = Run {
                regs: self.regs.each_mut().map(|r| &mut r[first..end]),
                inputs: &mut self.acc[first..end],
                first: self.first + first as u32,
                fired: &mut self.fired,
            };
            ty.model.get().step_run(&ty.params, w, run);
        }
    }

    /// The state of neuron slot `j`.
    pub(crate) fn neuron(&self, j: usize) -> NeuronState {
        NeuronState { s: std::array::from_fn(|r| self.regs[r][j]) }
    }
}
