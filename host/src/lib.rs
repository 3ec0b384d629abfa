//! spikemesh-host: drive a spikemesh board, or the virtual board, over a serial line.

pub mod board;
pub mod error;

pub use board::{Board, BoardSpike, Status};
pub use error::HostError;
