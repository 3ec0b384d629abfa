//! What the `spikemesh` command and its tests share: a host session with a board.

pub mod session;
