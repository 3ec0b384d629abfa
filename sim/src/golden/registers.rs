//! A core's neuron state registers, stored column by column.
//!
//! Register `r` of every neuron slot is one column, so that the update reads neighbouring
//! neurons' registers from neighbouring memory and steps several per vector instruction. The
//! columns are 32 bits wide where every register of the core's models fits (every built-in
//! model at the usual widths: half the memory traffic of 64 bits), else 64.

use spikemesh_spec::neuron::{Columns, MAX_STATE};
use spikemesh_spec::{NeuronType, Widths};
use std::ops::Range;

/// The registers of one core's neuron slots.
pub(crate) enum Registers {
    /// 32-bit columns.
    Narrow([Vec<i32>; MAX_STATE]),
    /// 64-bit columns.
    Wide([Vec<i64>; MAX_STATE]),
}

impl Registers {
    /// `neurons` slots at zero, in columns wide enough for every register of `types`.
    pub(crate) fn new(neurons: usize, types: &[NeuronType], w: &Widths) -> Self {
        let narrow = types.iter().all(|t| t.model.get().state(w).iter().all(|f| f.fits_i32()));
        if narrow {
            Self::Narrow(std::array::from_fn(|_| vec![0; neurons]))
        } else {
            Self::Wide(std::array::from_fn(|_| vec![0; neurons]))
        }
    }

    /// The columns of slots `slots`, for a model's update.
    pub(crate) fn columns(&mut self, slots: Range<usize>) -> Columns<'_> {
        match self {
            Self::Narrow(c) => Columns::Narrow(c.each_mut().map(|r| &mut r[slots.clone()])),
            Self::Wide(c) => Columns::Wide(c.each_mut().map(|r| &mut r[slots.clone()])),
        }
    }

    /// Register `r` of slot `j`.
    pub(crate) fn get(&self, r: usize, j: usize) -> i64 {
        match self {
            Self::Narrow(c) => c[r][j] as i64,
            Self::Wide(c) => c[r][j],
        }
    }

    /// Register `r` of slots `slots`, into `out`.
    pub(crate) fn read(&self, r: usize, slots: Range<usize>, out: &mut [i64]) {
        match self {
            Self::Narrow(c) => out.iter_mut().zip(&c[r][slots]).for_each(|(o, &x)| *o = x as i64),
            Self::Wide(c) => out.copy_from_slice(&c[r][slots]),
        }
    }
}
