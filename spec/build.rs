//! Finds the neuron models: every file in `src/neuron/` other than `mod.rs` is one model,
//! and each defines `pub static MODEL`. The generated list is what `neuron::MODELS` holds,
//! so adding a model is adding its file, with no registry to edit.

include!("../build-support/list_modules.rs");

fn main() {
    list_modules("neuron", "MODEL", "Model", "MODELS", "models.rs");
}
