//! Block RAM, SPRAM and DP16KD wrappers, and the synapse crossbar.

pub mod crossbar;
pub mod ram;
