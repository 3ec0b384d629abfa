//! Leaky integrate-and-fire, exactly as `docs/semantics.md` states it.

use super::{NeuronState, Widths};
use serde::Serialize;

/// What happens to the potential after a spike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMode {
    /// v is set to `reset`.
    Value,
    /// `threshold` is subtracted from v.
    Subtract,
}

/// Parameters of one LIF neuron type (all already checked against the widths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LifParams {
    /// Fires when the new potential is >= this; 1..=potential max.
    pub threshold: i64,
    /// v loses v >>> leak_shift each step; 0 means no leak.
    pub leak_shift: u32,
    /// Potential after a spike in `Value` mode.
    pub reset: i64,
    /// How the potential is reset.
    pub reset_mode: ResetMode,
    /// Timesteps the neuron ignores input after a spike.
    pub refractory: u32,
}

/// One LIF timestep; returns true when the neuron fires.
///
/// `input` is the exact sum of the weights delivered this timestep. While refractory the
/// neuron holds its potential and discards input: that keeps the update a pure function of
/// (state, input) with no hidden carry, which the hardware pipeline mirrors.
#[inline]
pub fn step(p: &LifParams, s: &mut NeuronState, input: i64, w: &Widths) -> bool {
    if s.refractory > 0 {
        s.refractory -= 1;
        return false;
    }
    // `>>` on i64 is an arithmetic shift, i.e. floor division by 2^k, as in the RTL.
    let leak = if p.leak_shift == 0 {
        0
    } else {
        s.v >> p.leak_shift
    };
    let u = (s.v - leak + input).clamp(w.potential_min(), w.potential_max());
    if u >= p.threshold {
        s.v = match p.reset_mode {
            ResetMode::Value => p.reset,
            // threshold >= 1 and u >= threshold, so u - threshold lies in [0, u): no overflow.
            ResetMode::Subtract => u - p.threshold,
        };
        s.refractory = p.refractory;
        true
    } else {
        s.v = u;
        false
    }
}
