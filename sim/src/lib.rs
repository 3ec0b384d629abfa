//! spikemesh-sim: the golden model and the runs built on it.

pub mod bench;
pub mod board;
pub mod config_bus;
pub mod cosim;
pub mod golden;
pub mod lossy;
pub mod netlist;
pub mod pty;
pub mod rtl_core;
pub mod rtl_mesh;
pub mod rtl_router;
pub mod run;
pub mod verilator;

pub use golden::{DeliveryOrder, Golden};
pub use run::{record_run, record_run_until, simulate, Engine, RunResult};
