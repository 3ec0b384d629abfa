//! Every class of bad input gets a diagnostic naming file, line and field.

use spikemesh_spec::{Diagnostic, Mapping, Network};
use std::path::Path;

const HW: &str = r#"
[hardware]
board = "sim"
mesh = [2, 1]
neurons_per_core = 8
axons_per_core = 8
weight_bits = 4
potential_bits = 8
"#;

fn parse(text: &str) -> Result<Network, Vec<Diagnostic>> {
    Network::parse(Path::new("net.toml"), text).map_err(|e| e.diagnostics().to_vec())
}

/// Parses and maps; returns the single diagnostic expected.
fn one_error(text: &str) -> Diagnostic {
    let r = parse(text).and_then(|n| Mapping::build(&n).map(|_| ()).map_err(|e| e.diagnostics().to_vec()));
    let d = r.expect_err("the file should be rejected");
    assert_eq!(d.len(), 1, "expected one diagnostic, got {d:#?}");
    d.into_iter().next().unwrap()
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect("needle in text") + 1
}

fn check(d: &Diagnostic, text: &str, needle: &str, field: &str, msg: &str) {
    assert_eq!(d.file, Path::new("net.toml"));
    assert_eq!(d.line, Some(line_of(text, needle)), "line of {d}");
    assert_eq!(d.field, field, "field of {d}");
    assert!(d.message.contains(msg), "message of {d} should contain {msg:?}");
    let shown = d.to_string();
    assert!(shown.starts_with(&format!("net.toml:{}:", line_of(text, needle))), "{shown}");
}

#[test]
fn unknown_key_in_hardware() {
    let t = HW.replace("weight_bits = 4", "weight_bits = 4\nwieght_bits = 4");
    let d = one_error(&t);
    check(&d, &t, "wieght_bits", "hardware.wieght_bits", "unknown field `wieght_bits`");
}

#[test]
fn unknown_key_in_inline_neuron_table() {
    let t = format!("{HW}\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ threshold = 5, leek_shift = 1 }}\n");
    let d = one_error(&t);
    check(&d, &t, "leek_shift", "population[0].neuron.leek_shift", "unknown field `leek_shift`");
}

#[test]
fn unknown_top_level_table() {
    let t = format!("{HW}\n[extra]\nx = 1\n");
    let d = one_error(&t);
    check(&d, &t, "[extra]", "extra", "unknown field `extra`");
}

#[test]
fn wrong_type() {
    let t = format!("{HW}\n[[population]]\nname = \"a\"\nsize = \"ten\"\nneuron = {{ threshold = 5 }}\n");
    let d = one_error(&t);
    check(&d, &t, "size = \"ten\"", "population[0].size", "invalid type");
}

#[test]
fn syntax_error_has_a_line() {
    let t = format!("{HW}\n[[population]]\nname = \"a\nsize = 2\n");
    let d = parse(&t).expect_err("bad syntax");
    assert_eq!(d[0].line, Some(line_of(&t, "name = \"a")));
}

#[test]
fn threshold_too_wide_for_potential_bits() {
    let t = format!("{HW}\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ threshold = 300 }}\n");
    let d = one_error(&t);
    check(&d, &t, "threshold = 300", "population[0].neuron.threshold", "300 is out of range 1..=127");
}

#[test]
fn reset_and_refractory_and_leak_ranges() {
    for (bad, field, msg) in [
        ("reset = -129", "reset", "-129 is out of range -128..=127"),
        ("refractory = 16", "refractory", "16 is out of range 0..=15"),
        ("leak_shift = 8", "leak_shift", "8 is out of range 0..=7"),
    ] {
        let t = format!("{HW}\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ threshold = 5, {bad} }}\n");
        let d = one_error(&t);
        check(&d, &t, bad, &format!("population[0].neuron.{field}"), msg);
    }
}

#[test]
fn threshold_comes_from_top_level_default_and_is_checked_there() {
    let t = format!("{HW}\n[neuron]\nthreshold = 500\n\n[[population]]\nname = \"a\"\nsize = 2\n");
    let d = one_error(&t);
    check(&d, &t, "threshold = 500", "neuron.threshold", "out of range");
    let t = format!("{HW}\n[[population]]\nname = \"a\"\nsize = 2\n");
    let d = one_error(&t);
    assert!(d.message.contains("has no neuron threshold"), "{d}");
}

const TWO: &str = "\n[[population]]\nname = \"in\"\nsize = 4\ninput = true\n\n[[population]]\nname = \"a\"\nsize = 4\nneuron = { threshold = 5 }\n";

#[test]
fn constant_weight_too_wide() {
    let t =
        format!("{HW}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = 8\n");
    let d = one_error(&t);
    check(&d, &t, "weight = 8", "projection[0].weight", "weight 8 does not fit weight_bits = 4 (range -8..=7)");
}

#[test]
fn uniform_weight_bound_too_wide() {
    let t = format!("{HW}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = {{ uniform = [-9, 3], seed = 1 }}\n");
    let d = one_error(&t);
    check(&d, &t, "uniform = [-9", "projection[0].weight.uniform[0]", "weight -9 does not fit");
}

#[test]
fn explicit_pair_weight_too_wide_and_index_out_of_range() {
    let t = format!("{HW}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = {{ pairs = [\n  [0, 1, 3],\n  [1, 2, 9],\n] }}\n");
    let d = one_error(&t);
    check(&d, &t, "[1, 2, 9]", "projection[0].connectivity.pairs[1][2]", "weight 9 does not fit");
    let t = format!("{HW}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = {{ pairs = [\n  [0, 4],\n] }}\nweight = 1\n");
    let d = one_error(&t);
    check(&d, &t, "[0, 4]", "projection[0].connectivity.pairs[0][1]", "post index 4 is outside the population (0..4)");
}

#[test]
fn weights_file_errors_name_the_csv_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("syn.csv"), "pre,post,weight\n0,1,2\n1,1,-12\n").unwrap();
    let t = format!("{HW}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = {{ file = \"syn.csv\" }}\n");
    let e = Network::parse(&dir.path().join("net.toml"), &t).expect_err("rejected");
    let d = &e.diagnostics()[0];
    assert_eq!(d.file, dir.path().join("syn.csv"));
    assert_eq!(d.line, Some(3));
    assert_eq!(d.field, "weight");
    assert!(d.message.contains("weight -12 does not fit"), "{d}");
}

#[test]
fn weights_file_happy_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("syn.csv"), "pre,post,weight\n0,1,2\n3,0,-8\n").unwrap();
    let t = format!("{HW}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = {{ file = \"syn.csv\" }}\n");
    let n = Network::parse(&dir.path().join("net.toml"), &t).unwrap();
    let s: Vec<_> = n.projections[0].synapses.iter().map(|s| (s.pre, s.post, s.weight)).collect();
    assert_eq!(s, vec![(0, 1, 2), (3, 0, -8)]);
}

#[test]
fn populations_that_do_not_fit_the_mesh_say_how_much() {
    let t = format!("{HW}\n[[population]]\nname = \"a\"\nsize = 10\nneuron = {{ threshold = 5 }}\n\n[[population]]\nname = \"b\"\nsize = 10\nneuron = {{ threshold = 5 }}\n");
    let d = one_error(&t);
    assert_eq!(d.field, "population[1].size");
    assert!(d.message.contains("need 20 neuron slots, the 2x1 mesh of 8-neuron cores has 16 (4 short)"), "{d}");
    // The second `size = 10` (population 'b') is the one reported.
    let second = t.lines().enumerate().filter(|(_, l)| l.contains("size = 10")).nth(1).unwrap().0 + 1;
    assert_eq!(d.line, Some(second));
}

#[test]
fn axon_budget_exceeded() {
    let t = format!("{HW}\n[[population]]\nname = \"in\"\nsize = 9\ninput = true\n\n[[population]]\nname = \"a\"\nsize = 4\nneuron = {{ threshold = 5 }}\n\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = 1\n");
    let d = one_error(&t);
    check(&d, &t, "axons_per_core", "hardware.axons_per_core", "core (0,0) needs 9 axons");
    assert!(d.message.contains("'in' 9"), "{d}");
}

/// `core_axons`: one count per core, each at most `axons_per_core`, and a core needing more
/// rows than its own count is named by its entry.
#[test]
fn rows_per_core_are_checked_and_named() {
    let net = "\n[[population]]\nname = \"in\"\nsize = 6\ninput = true\n\n[[population]]\nname = \"a\"\nsize = 4\nneuron = { threshold = 5 }\n\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = 1\n";
    let with = |rows: &str| format!("{}core_axons = {rows}\n{net}", HW.trim_start());
    let t = with("[8]");
    let d = one_error(&t);
    check(&d, &t, "core_axons", "hardware.core_axons", "lists 1 cores, the mesh has 2");
    let t = with("[8, 9]");
    let d = one_error(&t);
    check(&d, &t, "core_axons", "hardware.core_axons[1]", "9 is out of range 1..=8");
    let t = with("[5, 8]");
    let d = one_error(&t);
    check(&d, &t, "core_axons", "hardware.core_axons[0]", "core (0,0) needs 6 axons");
    assert!(d.message.contains("raise core_axons[0] to 6"), "{d}");
    let n = parse(&with("[6, 1]")).unwrap();
    let m = Mapping::build(&n).unwrap();
    assert_eq!((m.cores[0].crossbar.len(), m.cores[1].crossbar.len()), (6 * 8, 8), "each image holds its core's rows");
}

/// `core_kernels`: one entry per core, each field in range, and a core whose rows need more
/// taps or kernel rows than its entry gives is named with what it needs.
#[test]
fn shared_kernels_are_checked_and_named() {
    let net = "\n[[population]]\nname = \"in\"\nsize = 6\ninput = true\n\n[[population]]\nname = \"a\"\nsize = 4\nneuron = { threshold = 5 }\n\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = { uniform = [1, 7], seed = 1 }\n";
    let with = |k: &str| format!("{}synapses_per_clock = 1\ncore_kernels = {k}\n{net}", HW.trim_start());
    let at = "hardware.core_kernels";
    let t = with("[{}]");
    check(&one_error(&t), &t, "core_kernels", at, "lists 1 cores, the mesh has 2");
    let t = with("[{ segment = 3, taps = 1, rows = 8 }, {}]");
    check(&one_error(&t), &t, "core_kernels", &format!("{at}[0].segment"), "divides neurons_per_core (8)");
    let t = with("[{ segment = 4, taps = 17, rows = 8 }, {}]");
    check(&one_error(&t), &t, "core_kernels", &format!("{at}[0].taps"), "17 is out of range 1..=16");
    let t = with("[{ segment = 4, taps = 1 }, {}]");
    check(&one_error(&t), &t, "core_kernels", &format!("{at}[0]"), "give all three");
    // Six rows of four random weights: six distinct segments, and the zero row.
    let t = with("[{ segment = 4, taps = 1, rows = 2 }, {}]");
    let d = one_error(&t);
    check(&d, &t, "core_kernels", &format!("{at}[0].rows"), "raise rows to 7");
    let t = with("[{ segment = 2, taps = 1, rows = 8 }, {}]");
    let d = one_error(&t);
    check(&d, &t, "core_kernels", &format!("{at}[0].taps"), "axon row 0 has synapses in 2 segments");
    assert!(d.message.contains("raise taps to 2"), "{d}");
    let m = Mapping::build(&parse(&with("[{ segment = 4, taps = 1, rows = 7 }, {}]")).unwrap()).unwrap();
    let k = m.cores[0].kernel.as_ref().unwrap();
    assert_eq!((k.rows.len(), k.taps.len()), (7 * 4, 8), "seven kernel rows; taps for every row the core holds");
    assert!(m.cores[1].kernel.is_none());
}

#[test]
fn duplicate_population_names() {
    let t = format!("{HW}\n[[population]]\nname = \"a\"\nsize = 1\nneuron = {{ threshold = 5 }}\n\n[[population]]\nname = \"a\"\nsize = 1\nneuron = {{ threshold = 5 }}\n");
    let d = one_error(&t);
    let second = t.lines().enumerate().filter(|(_, l)| l.contains("name = \"a\"")).nth(1).unwrap().0 + 1;
    assert_eq!(d.line, Some(second));
    assert_eq!(d.field, "population[1].name");
    assert!(d.message.contains(&format!("first defined at line {}", line_of(&t, "name = \"a\""))), "{d}");
}

#[test]
fn dangling_projection_endpoint() {
    let t = format!(
        "{HW}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"hidden\"\nconnectivity = \"all_to_all\"\nweight = 1\n"
    );
    let d = one_error(&t);
    check(&d, &t, "to = \"hidden\"", "projection[0].to", "no population named 'hidden' (populations: in, a)");
}

#[test]
fn projection_into_an_input() {
    let t =
        format!("{HW}{TWO}\n[[projection]]\nfrom = \"a\"\nto = \"in\"\nconnectivity = \"all_to_all\"\nweight = 1\n");
    let d = one_error(&t);
    check(&d, &t, "to = \"in\"", "projection[0].to", "cannot receive synapses");
}

#[test]
fn duplicate_synapse_across_projections() {
    let t = format!("{HW}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"one_to_one\"\nweight = 1\n\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = {{ pairs = [[2, 2]] }}\nweight = 3\n");
    let d = one_error(&t);
    assert_eq!(d.field, "projection[1]");
    assert!(d.message.contains("from neuron 2 to neuron 2 is defined by projection[0] and again here"), "{d}");
}

#[test]
fn one_to_one_needs_equal_sizes() {
    let t = format!("{HW}\n[[population]]\nname = \"in\"\nsize = 3\ninput = true\n\n[[population]]\nname = \"a\"\nsize = 4\nneuron = {{ threshold = 5 }}\n\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"one_to_one\"\nweight = 1\n");
    let d = one_error(&t);
    check(&d, &t, "one_to_one", "projection[0].connectivity", "one_to_one needs equal sizes");
}

#[test]
fn missing_weight_and_missing_seed() {
    let t = format!("{HW}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\n");
    assert!(one_error(&t).message.contains("needs a weight"));
    let t = format!(
        "{HW}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = {{ random = 0.5 }}\nweight = 1\n"
    );
    let d = one_error(&t);
    check(&d, &t, "random = 0.5", "projection[0].connectivity.seed", "needs a seed");
}

#[test]
fn neuron_type_table_overflow() {
    let t = HW.replace("potential_bits = 8", "potential_bits = 8\nneuron_types = 1")
        + "\n[[population]]\nname = \"a\"\nsize = 2\nneuron = { threshold = 5 }\n\n[[population]]\nname = \"b\"\nsize = 2\nneuron = { threshold = 6 }\n";
    let d = one_error(&t);
    check(
        &d,
        &t,
        "neuron_types = 1",
        "hardware.neuron_types",
        "core (0,0) needs 2 distinct neuron types, hardware has 1",
    );
}

#[test]
fn destination_memory_overflow() {
    let t = HW.replace("potential_bits = 8", "potential_bits = 8\ndestinations_per_core = 1")
        + "\n[[population]]\nname = \"a\"\nsize = 16\nneuron = { threshold = 5 }\n\n[[projection]]\nfrom = \"a\"\nto = \"a\"\nconnectivity = { pairs = [[0, 0], [0, 9], [1, 1]] }\nweight = 1\n";
    let d = one_error(&t);
    check(
        &d,
        &t,
        "destinations_per_core = 1",
        "hardware.destinations_per_core",
        "core (0,0) needs 3 destination entries",
    );
}

#[test]
fn hardware_ranges_and_board_names() {
    let t = HW.replace("weight_bits = 4", "weight_bits = 17");
    check(&one_error(&t), &t, "weight_bits = 17", "hardware.weight_bits", "17 is out of range 2..=16");
    let t = HW.replace("mesh = [2, 1]", "mesh = [2, 0]");
    check(&one_error(&t), &t, "mesh = [2, 0]", "hardware.mesh[1]", "0 is out of range 1..=16");
    let t = HW.replace("board = \"sim\"", "board = \"icestick\"");
    check(&one_error(&t), &t, "icestick", "hardware.board", "unknown variant `icestick`");
    let t = HW.replace("potential_bits = 8", "potential_bits = 8\nbaud = 3000000\nclock_mhz = 20");
    check(&one_error(&t), &t, "baud = 3000000", "hardware.baud", "needs at least 24 MHz (8 clocks per bit)");
}

#[test]
fn drive_only_on_inputs_and_rate_is_a_probability() {
    let t = format!("{HW}\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ threshold = 5 }}\ndrive = {{ rate = 0.1, seed = 1 }}\n");
    check(&one_error(&t), &t, "drive =", "population[0].drive", "only input populations");
    let t =
        format!("{HW}\n[[population]]\nname = \"in\"\nsize = 2\ninput = true\ndrive = {{ rate = 1.5, seed = 1 }}\n");
    check(&one_error(&t), &t, "drive =", "population[0].drive.rate", "not a probability");
}

#[test]
fn several_problems_are_reported_together() {
    let t = format!("{HW}\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ threshold = 500, reset = 900 }}\n");
    let d = parse(&t).expect_err("rejected");
    assert_eq!(d.len(), 2, "{d:#?}");
}

#[test]
fn every_example_parses_and_maps() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let net = Network::load(&p).unwrap_or_else(|e| panic!("{e}"));
            Mapping::build(&net).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 4, "examples found: {n}");
}

#[test]
fn a_projection_larger_than_the_chip_is_refused_before_it_is_built() {
    let t = format!("{HW}\n[[population]]\nname = \"in\"\nsize = 16000000\ninput = true\n\n[[population]]\nname = \"a\"\nsize = 16\nneuron = {{ threshold = 5 }}\n\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = 1\n");
    let d = one_error(&t);
    check(&d, &t, "all_to_all", "projection[0].connectivity", "more than 128 synapses");
}

#[test]
fn every_board_name_in_the_docs_parses() {
    // The names docs/config.md lists are exactly the names the parser takes and prints.
    use spikemesh_spec::config::Board;
    for b in [Board::Icebreaker, Board::Ulx3s85f, Board::Ulx3s25f, Board::Hx8kBreakout, Board::Sim] {
        let text = format!(
            "[hardware]\nboard = \"{}\"\nmesh = [1, 1]\nneurons_per_core = 4\naxons_per_core = 4\nweight_bits = 4\npotential_bits = 8\n\n[[population]]\nname = \"a\"\nsize = 1\nneuron = {{ threshold = 5 }}\n",
            b.name()
        );
        let n = spikemesh_spec::Network::parse(Path::new("boards.toml"), &text)
            .unwrap_or_else(|e| panic!("{}: {e}", b.name()));
        assert_eq!(n.hardware.board, b);
        let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/config.md")).unwrap();
        assert!(docs.contains(&format!("`{}`", b.name())), "docs/config.md names {}", b.name());
    }
}

#[test]
fn unknown_neuron_model_names_the_known_ones() {
    let t =
        format!("{HW}\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ model = \"izhikevich\", threshold = 5 }}\n");
    let d = one_error(&t);
    check(
        &d,
        &t,
        "izhikevich",
        "population[0].neuron.model",
        "unknown neuron model 'izhikevich' (known: alif, cuba, lif)",
    );
}

#[test]
fn a_parameter_of_another_model_says_whose_it_is() {
    let t = format!("{HW}\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ threshold = 5, du = 100 }}\n");
    let d = one_error(&t);
    check(&d, &t, "du = 100", "population[0].neuron.du", "model 'lif' takes threshold, leak_shift");
    assert!(d.message.contains("`du` is a parameter of cuba"), "{d}");
    let t = format!(
        "{HW}\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ model = \"cuba\", threshold = 5, leak_shift = 1 }}\n"
    );
    let d = one_error(&t);
    check(&d, &t, "leak_shift", "population[0].neuron.leak_shift", "`leak_shift` is a parameter of alif, lif");
}

#[test]
fn cuba_ranges_and_the_shifted_threshold() {
    for (bad, field, msg) in [
        ("du = 4096", "du", "4096 is out of range 0..=4095"),
        ("dv = -1", "dv", "-1 is out of range 0..=4095"),
        ("bias = 128", "bias", "128 is out of range -127..=127"),
        (
            "threshold = 2, align_shift = 6",
            "threshold",
            "threshold 2 << align_shift 6 = 128 does not fit potential_bits = 8",
        ),
    ] {
        let t = format!(
            "{HW}\n[[population]]\nname = \"a\"\nsize = 2\nneuron = {{ model = \"cuba\", threshold = 5, {bad} }}\n"
        )
        .replace("threshold = 5, threshold = 2", "threshold = 2");
        let d = one_error(&t);
        let needle = bad.split(',').next().unwrap();
        check(&d, &t, needle, &format!("population[0].neuron.{field}"), msg);
    }
}

#[test]
fn top_level_defaults_apply_only_to_their_own_model() {
    // The lif defaults do not leak into the cuba population, which sets its own threshold.
    let t = format!(
        "{HW}\n[neuron]\nthreshold = 5\nleak_shift = 2\n\n[[population]]\nname = \"a\"\nsize = 2\n\n[[population]]\nname = \"b\"\nsize = 2\nneuron = {{ model = \"cuba\", threshold = 7, du = 10 }}\n"
    );
    let net = parse(&t).expect("valid");
    let w = net.hardware.widths;
    let ty = |i: usize| match net.populations[i].kind {
        spikemesh_spec::PopulationKind::Neurons { neuron, .. } => neuron,
        _ => unreachable!(),
    };
    assert_eq!((ty(0).model.name(), ty(0).param("leak_shift", &w)), ("lif", Some(2)));
    assert_eq!((ty(1).model.name(), ty(1).param("threshold", &w), ty(1).param("du", &w)), ("cuba", Some(7), Some(10)));
    // A cuba population without its own threshold has none: the lif default is not its.
    let t = t.replace("threshold = 7, ", "");
    let d = one_error(&t);
    assert!(d.message.contains("population 'b' has no neuron threshold"), "{d}");
}

#[test]
fn each_core_runs_one_model() {
    // a (lif, 5) fills core 0 partly; b (cuba) starts on core 1; c (cuba) shares core 1.
    let t = format!(
        "{HW}\n[[population]]\nname = \"a\"\nsize = 5\nneuron = {{ threshold = 5 }}\n\n[[population]]\nname = \"b\"\nsize = 3\nneuron = {{ model = \"cuba\", threshold = 5 }}\n\n[[population]]\nname = \"c\"\nsize = 3\nneuron = {{ model = \"cuba\", threshold = 6 }}\n"
    );
    let net = parse(&t).expect("valid");
    let m = Mapping::build(&net).expect("fits");
    assert_eq!((m.slot_of(0, 0), m.slot_of(1, 0), m.slot_of(2, 0)), (Some(0), Some(8), Some(11)));
    assert_eq!((m.cores[0].model().name(), m.cores[1].model().name()), ("lif", "cuba"));
    // One more lif population cannot share core 1 and finds no third core.
    let t2 = format!("{t}\n[[population]]\nname = \"d\"\nsize = 1\nneuron = {{ threshold = 5 }}\n");
    let d = one_error(&t2);
    let line = t2.lines().position(|l| l == "name = \"d\"").unwrap() + 2;
    assert_eq!((d.line, d.field.as_str()), (Some(line), "population[3].size"), "{d}");
    assert!(d.message.contains("population 'd' does not fit"), "{d}");
    assert!(d.message.contains("one model per core leaves 5 slots empty"), "{d}");
    assert!(d.message.contains("'b' (cuba) shares no core with 'a' (lif) after core (0,0)"), "{d}");
}

#[test]
fn synapses_per_clock_must_be_a_lane_count() {
    let t = format!("{}\nsynapses_per_clock = 3\n", HW.trim_end());
    let d = one_error(&t);
    check(&d, &t, "synapses_per_clock", "hardware.synapses_per_clock", "3 is not 1, 2 or 4");
}

#[test]
fn synapses_per_clock_on_the_icebreaker_fit_one_spram_word() {
    let t = format!("{}\nsynapses_per_clock = 4\n", HW.trim_end())
        .replace("board = \"sim\"", "board = \"icebreaker\"")
        .replace("weight_bits = 4", "weight_bits = 8");
    let d = one_error(&t);
    check(&d, &t, "synapses_per_clock", "hardware.synapses_per_clock", "4 synapses of 8 bits is 32 bits");
}

#[test]
fn synapses_per_clock_defaults_per_board() {
    let with = |board: &str, wb: u32| {
        let t = HW
            .replace("board = \"sim\"", &format!("board = \"{board}\""))
            .replace("weight_bits = 4", &format!("weight_bits = {wb}"))
            + "\n[[population]]\nname = \"a\"\nsize = 2\nneuron = { threshold = 5 }\n";
        parse(&t).unwrap_or_else(|d| panic!("{d:?}")).hardware.synapses_per_clock
    };
    assert_eq!(with("icebreaker", 4), 2);
    assert_eq!(with("icebreaker", 16), 1, "a 16-bit SPRAM word holds one 16-bit weight");
    assert_eq!(with("ulx3s-85f", 4), 4);
    assert_eq!(with("sim", 16), 4);
}

#[test]
fn baud_defaults_to_the_fastest_ftdi_rate_the_clock_allows() {
    let with = |board: &str, clock: Option<f64>| {
        let clock = clock.map(|c| format!("clock_mhz = {c}\n")).unwrap_or_default();
        let t = HW.replace("board = \"sim\"", &format!("board = \"{board}\"\n{clock}"))
            + "\n[[population]]\nname = \"a\"\nsize = 2\nneuron = { threshold = 5 }\n";
        parse(&t).unwrap_or_else(|d| panic!("{d:?}")).hardware.baud
    };
    assert_eq!(with("icebreaker", None), 1_500_000, "12 MHz: 8 clocks per bit");
    assert_eq!(with("ulx3s-85f", None), 3_000_000, "25 MHz");
    assert_eq!(with("icebreaker", Some(24.0)), 3_000_000);
    assert_eq!(with("sim", Some(10.0)), 1_000_000);
    assert_eq!(with("sim", Some(1.0)), 115_200);
}

/// `a` fed from `in` all to all with `delay` (a TOML value) on a chip of `delay_bits`.
fn delayed(delay_bits: u32, delay: &str) -> String {
    let hw = HW.replace("potential_bits = 8", &format!("potential_bits = 8\ndelay_bits = {delay_bits}"));
    format!("{hw}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = \"all_to_all\"\nweight = 1\ndelay = {delay}\n")
}

#[test]
fn delays_need_delay_bits_and_say_how_many() {
    let t = delayed(0, "1");
    check(
        &one_error(&t),
        &t,
        "delay = 1",
        "projection[0].delay",
        "delay 1 does not fit delay_bits = 0 (delays 0..=0): set [hardware] delay_bits = 1 (or more)",
    );
    let t = delayed(2, "{ uniform = [1, 9], seed = 3 }");
    check(&one_error(&t), &t, "uniform = [1, 9]", "projection[0].delay.uniform[1]", "set [hardware] delay_bits = 4");
    let t = delayed(4, "16");
    check(&one_error(&t), &t, "delay = 16", "projection[0].delay", "the most is 15 timesteps (delay_bits = 4)");
    let t = delayed(2, "-1");
    check(&one_error(&t), &t, "delay = -1", "projection[0].delay", "delay -1 is negative");
    let t = delayed(5, "0");
    check(&one_error(&t), &t, "delay_bits = 5", "hardware.delay_bits", "5 is out of range 0..=4");
}

#[test]
fn delays_are_set_per_synapse_by_constant_uniform_or_file() {
    let n = parse(&delayed(2, "3")).unwrap();
    assert!(n.projections[0].synapses.iter().all(|s| s.delay == 3));
    let n = parse(&delayed(3, "{ uniform = [2, 5], seed = 7 }")).unwrap();
    let d: Vec<u32> = n.projections[0].synapses.iter().map(|s| s.delay).collect();
    assert!(d.iter().all(|x| (2..=5).contains(x)) && d.iter().any(|&x| x != d[0]), "{d:?}");
    // A delay rule draws from its own seed: the weights of a uniform weight rule stay as they were.
    let weights = |delay: &str| {
        let t = delayed(3, delay).replace("weight = 1", "weight = { uniform = [-8, 7], seed = 2 }");
        parse(&t).unwrap().projections[0].synapses.iter().map(|s| s.weight).collect::<Vec<_>>()
    };
    assert_eq!(weights("0"), weights("{ uniform = [0, 7], seed = 9 }"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("syn.csv"), "pre,post,weight,delay\n0,1,2,3\n3,0,-8,0\n").unwrap();
    let hw = HW.replace("potential_bits = 8", "potential_bits = 8\ndelay_bits = 2");
    let t = format!("{hw}{TWO}\n[[projection]]\nfrom = \"in\"\nto = \"a\"\nconnectivity = {{ file = \"syn.csv\" }}\n");
    let n = Network::parse(&dir.path().join("net.toml"), &t).unwrap();
    let s: Vec<_> = n.projections[0].synapses.iter().map(|s| (s.pre, s.post, s.weight, s.delay)).collect();
    assert_eq!(s, vec![(0, 1, 2, 3), (3, 0, -8, 0)]);
    // The file's delay column is checked against delay_bits, by line and column.
    std::fs::write(dir.path().join("syn.csv"), "pre,post,delay\n0,1,3\n1,1,4\n").unwrap();
    let t = t.replace("connectivity = { file = \"syn.csv\" }", "connectivity = { file = \"syn.csv\" }\nweight = 1");
    let e = Network::parse(&dir.path().join("net.toml"), &t).expect_err("rejected");
    let d = &e.diagnostics()[0];
    assert_eq!((d.file.clone(), d.line, d.field.as_str()), (dir.path().join("syn.csv"), Some(3), "delay"));
    assert!(d.message.contains("delay 4 does not fit delay_bits = 2"), "{d}");
    // A delay from the file and from a rule is ambiguous.
    std::fs::write(dir.path().join("syn.csv"), "pre,post,delay\n0,1,3\n").unwrap();
    let e = Network::parse(&dir.path().join("net.toml"), &format!("{t}delay = 1\n")).expect_err("rejected");
    assert!(e.diagnostics()[0].message.contains("remove `delay` or the delay column"), "{}", e.diagnostics()[0]);
}
