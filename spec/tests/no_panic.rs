//! No input makes the parser, validator or mapper panic: mangled files only produce errors.

use proptest::prelude::*;
use spikemesh_spec::{Mapping, Network};
use std::path::Path;

fn examples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    ["tiny.toml", "ei-recurrent.toml", "up5k-feedforward.toml"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn mangled_examples_never_panic(which in 0usize..3, edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, "[-0-9a-z\\[\\]{}=\" .,\n]{0,6}"), 1..6)) {
        let mut text = examples()[which].clone();
        for (at, op, s) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) { i -= 1; }
            match op {
                0 => text.insert_str(i, &s),
                1 => { let end = (i + s.len()).min(text.len()); let mut e = end; while !text.is_char_boundary(e) { e -= 1; } text.replace_range(i..e, ""); }
                2 => { let end = (i + s.len()).min(text.len()); let mut e = end; while !text.is_char_boundary(e) { e -= 1; } text.replace_range(i..e, &s); }
                _ => {
                    // Replace a number with an extreme one.
                    if let Some(p) = text[i..].find(|c: char| c.is_ascii_digit()) {
                        let j = i + p;
                        text.replace_range(j..j + 1, "99999999999");
                    }
                }
            }
        }
        if let Ok(net) = Network::parse(Path::new("mangled.toml"), &text) {
            let _ = Mapping::build(&net);
        }
    }
}
