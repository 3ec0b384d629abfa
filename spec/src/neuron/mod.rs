//! Fixed-point neuron semantics: the one definition both the golden model and the RTL follow.
//!
//! A neuron *type* is a model plus its parameters; each core holds a small table of types
//! and each neuron slot names one. A new model (e.g. current-based LIF) is a new variant of
//! [`NeuronType`], a new file beside `lif.rs`, and a new arm in [`NeuronType::step`]; the
//! state record already has room for one model-specific register ([`NeuronState::aux`]).

pub mod lif;

use serde::Serialize;

pub use lif::{LifParams, ResetMode};

/// Bit widths that bound the neuron arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Widths {
    /// Signed width of a synaptic weight.
    pub weight_bits: u32,
    /// Signed width of a membrane potential.
    pub potential_bits: u32,
    /// Unsigned width of the refractory counter.
    pub refractory_bits: u32,
}

impl Widths {
    /// Smallest representable potential.
    pub fn potential_min(&self) -> i64 {
        -(1i64 << (self.potential_bits - 1))
    }
    /// Largest representable potential.
    pub fn potential_max(&self) -> i64 {
        (1i64 << (self.potential_bits - 1)) - 1
    }
    /// Smallest representable weight.
    pub fn weight_min(&self) -> i64 {
        -(1i64 << (self.weight_bits - 1))
    }
    /// Largest representable weight.
    pub fn weight_max(&self) -> i64 {
        (1i64 << (self.weight_bits - 1)) - 1
    }
    /// Largest refractory period.
    pub fn refractory_max(&self) -> u32 {
        (1u32 << self.refractory_bits) - 1
    }
    /// Width of the per-neuron input accumulator for `axons` axons: wide enough that the
    /// sum of one weight per axon can never overflow, whatever the order of arrival.
    pub fn accumulator_bits(&self, axons: usize) -> u32 {
        self.weight_bits + ceil_log2(axons as u64)
    }
}

/// ceil(log2(n)) for n >= 1 (0 for n = 1).
pub fn ceil_log2(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

/// One entry of a core's neuron-type table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum NeuronType {
    /// Leaky integrate-and-fire with a shift-based leak.
    Lif(LifParams),
}

/// The state registers of one neuron.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NeuronState {
    /// Membrane potential, always within the potential width.
    pub v: i64,
    /// Remaining refractory timesteps.
    pub refractory: u32,
    /// Model-specific register (unused by LIF, kept 0).
    pub aux: i64,
}

impl NeuronType {
    /// One timestep of this neuron given its summed input `input`; returns true if it fires.
    #[inline]
    pub fn step(&self, state: &mut NeuronState, input: i64, w: &Widths) -> bool {
        match self {
            NeuronType::Lif(p) => lif::step(p, state, input, w),
        }
    }

    /// A type that can never fire on zero input (used for empty neuron slots).
    pub fn silent(w: &Widths) -> Self {
        NeuronType::Lif(LifParams {
            threshold: w.potential_max(),
            leak_shift: 0,
            reset: 0,
            reset_mode: ResetMode::Value,
            refractory: 0,
        })
    }
}
