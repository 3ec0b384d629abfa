//! Finds the neuron datapaths: every file in `src/neuron/` other than `mod.rs` is one model's,
//! and each defines `pub static HDL`. The generated list is what `neuron::DATAPATHS` holds,
//! so adding a datapath is adding its file, with no registry to edit.

include!("../build-support/list_modules.rs");

fn main() {
    list_modules("neuron", "HDL", "NeuronHdl", "DATAPATHS", "datapaths.rs");
}
