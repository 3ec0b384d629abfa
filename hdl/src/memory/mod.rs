//! Block RAM, SPRAM and DP16KD wrappers, the synapse crossbar and the banked accumulators.

pub mod accumulators;
pub mod crossbar;
pub mod ram;
