//! The FPGA flow: Yosys/nextpnr, clocks (PLLs), board definitions and tops, and the fit prediction.

pub mod board_top;
pub mod boards;
pub mod dsp_fit;
pub mod ecp5_models;
pub mod fit;
pub mod flow;
pub mod netlist;
pub mod pll;
