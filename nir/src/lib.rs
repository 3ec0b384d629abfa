//! NIR import: read a NIR file in pure Rust, simulate it in float64, and quantise it onto a
//! spikemesh network file (docs/nir.md).
//!
//! The path is `hdf5` (file to tree) -> `graph` (typed nodes, nested graphs inlined) ->
//! `reduce` (layers and composed weights) -> `quantise` (network file) and `reference`
//! (float simulation); `compare` measures what quantisation costs.

pub mod compare;
pub mod convention;
pub mod error;
mod fields;
pub mod fit;
pub mod graph;
pub mod hdf5;
mod headroom;
mod netfile;
pub mod ops;
pub mod placement;
pub mod quantise;
pub mod reduce;
pub mod reference;
pub mod stimulus;

pub use convention::{Convention, Forced};
pub use error::NirError;
pub use graph::Graph;
pub use reduce::Net;
pub use reference::Reference;

/// Reads and reduces a NIR file, and settles whose conventions it is written in: the net's
/// parameters come back as plain NIR at the convention's timestep.
pub fn open(path: &std::path::Path, forced: &Forced) -> Result<(Net, Convention), NirError> {
    let mut net = Net::build(&Graph::read(path)?)?;
    placement::by_position(&mut net);
    let convention = convention::settle(&mut net, forced)?;
    Ok((net, convention))
}

/// [`open`] with nothing forced: the convention the file settles, or plain NIR at 1 ms.
pub fn load(path: &std::path::Path) -> Result<Net, NirError> {
    open(path, &Forced::default()).map(|(net, _)| net)
}
