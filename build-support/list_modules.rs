// Shared by `spec/build.rs` and `hdl/build.rs` (each `include!`s it): one module per file.

/// Lists the files of `src/<folder>/` other than `mod.rs` as modules (`#[path]` to each) and
/// writes them, with `pub static <list>: &[&dyn <tr>]` holding each one's `<item>`, to
/// `$OUT_DIR/<out>`, for the folder's `mod.rs` to `include!`. Adding a file is all it takes.
fn list_modules(folder: &str, item: &str, tr: &str, list: &str, out: &str) {
    use std::fmt::Write;
    use std::path::Path;
    let dir = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("src").join(folder);
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=../build-support/list_modules.rs");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| f.strip_suffix(".rs").map(str::to_string))
        .filter(|m| m != "mod")
        .collect();
    names.sort();
    let mut text = String::new();
    for m in &names {
        let path = dir.join(format!("{m}.rs"));
        writeln!(text, "#[path = {:?}]\npub mod {m};", path.display().to_string()).unwrap();
    }
    let items: Vec<String> = names.iter().map(|m| format!("&{m}::{item}")).collect();
    writeln!(text, "/// One per file of `src/{folder}/`, by file name.\npub static {list}: &[&dyn {tr}] = &[{}];", items.join(", "))
        .unwrap();
    std::fs::write(Path::new(&std::env::var("OUT_DIR").unwrap()).join(out), text).unwrap();
}
