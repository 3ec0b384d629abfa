//! NIR import: read a NIR file in pure Rust, simulate it in float64, and quantise it onto a
//! spikemesh network file (docs/nir.md).
//!
//! The path is `hdf5` (file to tree) -> `graph` (typed nodes, nested graphs inlined) ->
//! `reduce` (layers and composed weights) -> `quantise` (network file) and `reference`
//! (float simulation); `compare` measures what quantisation costs.

pub mod compare;
pub mod error;
mod fields;
pub mod graph;
pub mod hdf5;
pub mod ops;
pub mod quantise;
pub mod reduce;
pub mod reference;
pub mod stimulus;

pub use error::NirError;
pub use graph::Graph;
pub use reduce::Net;
pub use reference::Reference;

/// Reads and reduces a NIR file.
pub fn load(path: &std::path::Path) -> Result<Net, NirError> {
    Net::build(&Graph::read(path)?)
}
