//! spikemesh-hdl: rust-hdl blocks of the neuromorphic hardware, emitted as Verilog.

pub mod adder;
pub mod boards;
pub mod bridge;
pub mod chip;
pub mod core;
pub mod crc16;
pub mod crossbar;
pub mod fanout;
pub mod fit;
pub mod flow;
pub mod framerx;
pub mod frametx;
pub mod lif;
pub mod mesh;
pub mod pll;
pub mod ports;
pub mod ram;
pub mod resize;
pub mod router;
pub mod shape;
pub mod tile;
pub mod uart;

use rust_hdl::prelude::*;

/// Verilog of a block as the top module `top`.
pub fn verilog_of<U: Block>(mut uut: U) -> String {
    uut.connect_all();
    generate_verilog(&uut)
}

/// Verilog of one neuron core of `shape` as module `top`. `with_models` appends behavioural
/// models of the vendor primitives it instantiates, for Verilator (synthesis uses the real cells).
pub fn core_verilog(shape: &shape::CoreShape, with_models: bool) -> String {
    let mut v = verilog_of(core::NeuronCore::new(shape));
    if with_models {
        v.push_str(primitive_models(shape));
    }
    v
}

/// Behavioural models of the vendor primitives a core of `shape` instantiates, for Verilator.
pub fn primitive_models(shape: &shape::CoreShape) -> &'static str {
    match shape.crossbar {
        shape::CrossbarStyle::Ice40Spram => crossbar::SB_SPRAM256KA_MODEL,
        shape::CrossbarStyle::Inferred => "",
    }
}
