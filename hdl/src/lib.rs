//! spikemesh-hdl: rust-hdl blocks of the neuromorphic hardware, emitted as Verilog.

pub mod lif;

use rust_hdl::prelude::*;

/// Verilog of a block as the top module `top`.
pub fn verilog_of<U: Block>(mut uut: U) -> String {
    uut.connect_all();
    generate_verilog(&uut)
}
