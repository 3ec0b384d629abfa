//! Per-neuron parameters (`neuron_file`): each neuron's row overrides the population's table,
//! each distinct set becomes a neuron type of its core, and every bad row is named by file,
//! line and field.

use spikemesh_spec::{Mapping, Network};

const NET: &str = r#"
[hardware]
board = "sim"
mesh = [1, 1]
neurons_per_core = 8
axons_per_core = 8
weight_bits = 4
potential_bits = 8
neuron_types = 4

[[population]]
name = "in"
size = 2
input = true

[[population]]
name = "a"
size = 4
neuron = { threshold = 5, leak_shift = 1 }
neuron_file = "a.csv"
"#;

fn load(csv: &str) -> Result<Network, String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), csv).unwrap();
    let path = dir.path().join("net.toml");
    std::fs::write(&path, NET).unwrap();
    Network::load(&path).map_err(|e| e.to_string())
}

#[test]
fn rows_override_the_table_and_become_types() {
    let net = load("neuron,threshold\n0,5\n1,9\n2,5\n3,12\n").unwrap();
    let p = &net.populations[1];
    let th: Vec<i64> =
        (0..4).map(|k| p.neuron_type(k).unwrap().param("threshold", &net.hardware.widths).unwrap()).collect();
    assert_eq!(th, [5, 9, 5, 12]);
    // The table's other values stay.
    assert_eq!(p.neuron_type(3).unwrap().param("leak_shift", &net.hardware.widths), Some(1));
    let m = Mapping::build(&net).unwrap();
    assert_eq!(m.cores[0].types.len(), 3, "three distinct thresholds");
    assert_eq!(m.cores[0].neuron_type[..4], [0, 1, 0, 2]);
}

#[test]
fn bad_rows_name_file_line_and_field() {
    let e = load("neuron,threshold\n0,5\n1,900\n2,5\n3,5\n").unwrap_err();
    assert!(e.contains("a.csv:3") && e.contains("threshold") && e.contains("900 is out of range"), "{e}");
    let e = load("neuron,threshold\n0,5\n1,5\n1,6\n3,5\n").unwrap_err();
    assert!(e.contains("a.csv:4") && e.contains("neuron 1 is given twice"), "{e}");
    let e = load("neuron,threshold\n0,5\n1,5\n3,5\n").unwrap_err();
    assert!(e.contains("a.csv") && e.contains("neuron 2 has no row"), "{e}");
    let e = load("neuron,du\n0,5\n").unwrap_err();
    assert!(e.contains("a.csv:1") && e.contains("`du` is not a parameter of model 'lif'"), "{e}");
    let e = load("neuron,threshold\n0,5\n1,x\n2,5\n3,5\n").unwrap_err();
    assert!(e.contains("a.csv:3") && e.contains("'x' is not an integer"), "{e}");
    let e = load("neuron,threshold\n0,5\n9,5\n").unwrap_err();
    assert!(e.contains("a.csv:3") && e.contains("not a neuron of the population"), "{e}");
}

#[test]
fn more_distinct_sets_than_the_type_table_holds_is_an_error() {
    let net = load("neuron,threshold\n0,5\n1,6\n2,7\n3,8\n").unwrap();
    assert!(Mapping::build(&net).is_ok(), "four types fit neuron_types = 4");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), "neuron,threshold\n0,5\n1,6\n2,7\n3,8\n").unwrap();
    let path = dir.path().join("net.toml");
    std::fs::write(&path, NET.replace("neuron_types = 4", "neuron_types = 2")).unwrap();
    let e = Mapping::build(&Network::load(&path).unwrap()).unwrap_err().to_string();
    assert!(e.contains("needs 4 distinct neuron types, hardware has 2"), "{e}");
}
