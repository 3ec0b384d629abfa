//! Neuron datapaths: one file per model, the hardware twin of `spec/src/neuron/<model>.rs`.
//!
//! A datapath takes one neuron per clock (state, summed input and the type's parameter words)
//! and hands back its next state, in order, a fixed number of clocks later; the contract is in
//! `docs/neuron-models.md`. Each is proven equal to its spec `step` on its own
//! (`sim/tests/<model>_cosim.rs`). The core (`core.rs`) instantiates the `lif` datapath itself
//! so far, so cores of other models are refused before any RTL is built ([`check_datapaths`]).

pub mod alif;
pub mod cuba;
pub mod lif;

use spikemesh_spec::{FieldPath, Mapping, Network, SpecError};

/// The models the neuron core runs: the RTL, the virtual board and the bitstream run only these.
pub const DATAPATHS: &[&str] = &["lif"];

/// Checks that every core of `mapping` runs a model with a datapath. Each core that does not
/// gets a diagnostic at its first population's `neuron.model`, naming the core and model.
pub fn check_datapaths(net: &Network, mapping: &Mapping) -> spikemesh_spec::Result<()> {
    let n = mapping.hardware.neurons_per_core;
    let mut diags = Vec::new();
    for (c, img) in mapping.cores.iter().enumerate() {
        let model = img.model().name();
        let Some(pop) = mapping.slot_owner[c * n..(c + 1) * n].iter().flatten().map(|o| o.0 as usize).next() else {
            continue;
        };
        if !DATAPATHS.contains(&model) {
            let at = FieldPath::root().key("population").index(pop).key("neuron").key("model");
            diags.push(net.locator.at(
                &at,
                format!(
                    "core ({},{}) runs '{model}' (population '{}'), but the neuron core runs {} only so far (the other datapaths are proven alone, not yet in the core); the golden model runs every model (--engine golden)",
                    img.x,
                    img.y,
                    net.populations[pop].name,
                    DATAPATHS.join(", ")
                ),
            ));
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(SpecError::Invalid(diags))
    }
}
