//! spikemesh-spec: the contract every spikemesh crate agrees on.
//!
//! A network file is parsed ([`config`]), validated into a [`Network`] ([`validate`],
//! [`connectivity`]), placed on cores as memory images ([`mapping`]) and simulated under
//! the integer semantics of [`neuron`] (written out in `docs/semantics.md`).

pub mod config;
pub mod connectivity;
pub mod dataset;
pub mod encode;
pub mod error;
pub mod flit;
pub mod images;
pub mod kernel;
pub mod locate;
pub mod mapping;
pub mod memory_map;
pub mod network;
pub mod neuron;
pub mod per_neuron;
pub mod protocol;
pub mod report;
pub mod spikes;
pub mod validate;

pub use error::{Diagnostic, FieldPath, Result, SpecError};
pub use mapping::{CoreImage, Destination, Mapping, Source};
pub use network::{Hardware, Network, Population, PopulationKind, Projection, Synapse, MAX_DELAY, MAX_DELAY_BITS};
pub use neuron::{NeuronState, NeuronType, Widths};
pub use spikes::{DriveGen, Spike, Stimulus};
