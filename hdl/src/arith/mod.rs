//! Small arithmetic blocks the core and the datapaths share, as explicit Verilog.

pub mod adder;
pub mod leak;
pub mod resize;
