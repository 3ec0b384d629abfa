//! Finds the neuron datapaths: every file in `src/neuron/` other than `mod.rs` is one model's,
//! and each defines `pub static HDL`. The generated list is what `neuron::DATAPATHS` holds,
//! so adding a datapath is adding its file, with no registry to edit.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("src/neuron");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| f.strip_suffix(".rs").map(str::to_string))
        .filter(|m| m != "mod")
        .collect();
    names.sort();
    let mut out = String::new();
    for m in &names {
        let path = dir.join(format!("{m}.rs"));
        writeln!(out, "#[path = {:?}]\npub mod {m};", path.display().to_string()).unwrap();
    }
    let list: Vec<String> = names.iter().map(|m| format!("&{m}::HDL")).collect();
    writeln!(
        out,
        "/// Every neuron datapath, by file name.\npub static DATAPATHS: &[&dyn NeuronHdl] = &[{}];",
        list.join(", ")
    )
    .unwrap();
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("datapaths.rs");
    std::fs::write(dest, out).unwrap();
}
