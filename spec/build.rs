//! Finds the neuron models: every file in `src/neuron/` other than `mod.rs` is one model,
//! and each defines `pub static MODEL`. The generated list is what `neuron::MODELS` holds,
//! so adding a model is adding its file, with no registry to edit.

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
    let list: Vec<String> = names.iter().map(|m| format!("&{m}::MODEL")).collect();
    writeln!(out, "/// Every neuron model, by file name.\npub static MODELS: &[&dyn Model] = &[{}];", list.join(", "))
        .unwrap();
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("models.rs");
    std::fs::write(dest, out).unwrap();
}
