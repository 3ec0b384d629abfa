//! The host's input flits (`Mapping::input_flits`): one per destination core of each input
//! spike, dealt round-robin over the cores so that the cores behind the host's one port
//! integrate side by side.

use spikemesh_spec::{Mapping, Network};

/// Input `in` drives population `a` (cores 0 and 1), input `in2` population `b` (core 2).
const NET: &str = r#"
[hardware]
board = "sim"
mesh = [2, 2]
neurons_per_core = 8
axons_per_core = 16
weight_bits = 4
potential_bits = 8

[neuron]
threshold = 5

[[population]]
name = "in"
size = 8
input = true

[[population]]
name = "in2"
size = 8
input = true

[[population]]
name = "a"
size = 16

[[population]]
name = "b"
size = 8

[[projection]]
from = "in"
to = "a"
connectivity = "all_to_all"
weight = 1

[[projection]]
from = "in2"
to = "b"
connectivity = "all_to_all"
weight = 1
"#;

#[test]
fn input_flits_are_every_destination_dealt_round_robin() {
    let net = Network::parse(std::path::Path::new("net.toml"), NET).unwrap();
    let m = Mapping::build(&net).unwrap();
    // Every spike of `in`, then every spike of `in2`.
    let inputs: Vec<(u32, u32)> = (0..2).flat_map(|p| (0..8).map(move |k| (p, k))).collect();
    let flits = m.input_flits(&inputs);
    // Every destination once: each spike's own flits, 2 for `in`, 1 for `in2`.
    let key = |f: &spikemesh_spec::flit::Flit| (f.x, f.y, f.payload);
    let mut want: Vec<_> = inputs.iter().flat_map(|&i| m.input_flits(&[i])).map(|f| key(&f)).collect();
    let mut got: Vec<_> = flits.iter().map(key).collect();
    assert_eq!(got.len(), 24);
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
    // Dealt: the j-th flit of each core comes before the (j+1)-th of any core, so the core
    // of `in2` is fed from the start, not after all of `in`.
    let mut per_core = std::collections::HashMap::new();
    let rounds: Vec<usize> = flits
        .iter()
        .map(|f| {
            let n = per_core.entry((f.x, f.y)).or_insert(0usize);
            *n += 1;
            *n - 1
        })
        .collect();
    assert!(rounds.windows(2).all(|w| w[0] <= w[1]), "not dealt round-robin: {rounds:?}");
    assert_eq!(per_core.len(), 3);
}
