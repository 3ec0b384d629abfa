//! The configuration address map of a neuron core: which memory a config access reaches.
//!
//! The host bridge, the memory-image loader and the co-simulation all address core memories
//! through these ids; the hardware decodes them in `hdl/src/core.rs`.

/// Crossbar weight: row = axon, col = neuron; data = signed weight.
pub const CROSSBAR: u8 = 0;
/// Neuron-type index of a neuron: col = neuron.
pub const NEURON_TYPE: u8 = 1;
/// Threshold of a neuron type: row = type.
pub const TYPE_THRESHOLD: u8 = 2;
/// Reset potential of a neuron type: row = type.
pub const TYPE_RESET: u8 = 3;
/// Control word of a neuron type: row = type; see [`type_control`].
pub const TYPE_CONTROL: u8 = 4;
/// Membrane potential: col = neuron.
pub const POTENTIAL: u8 = 5;
/// Refractory counter: col = neuron.
pub const REFRACTORY: u8 = 6;
/// Accumulator bank 0 (read only, for debugging): col = neuron.
pub const ACC0: u8 = 7;
/// Accumulator bank 1 (read only, for debugging): col = neuron.
pub const ACC1: u8 = 8;

/// Packs a LIF type's control word: leak_shift in bits 4:0, subtract mode in bit 5,
/// refractory period in bits 13:6.
pub fn type_control(leak_shift: u32, subtract: bool, refractory: u32) -> u64 {
    (leak_shift as u64 & 0x1f) | (subtract as u64) << 5 | (refractory as u64 & 0xff) << 6
}
