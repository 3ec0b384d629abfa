//! The import fits the board: MNIST-shaped graphs (784 inputs) on the iCEBreaker, where 8-bit
//! weights do not fit its four SPRAMs. Built in memory: random weights, IF neurons.

use spikemesh_hdl::fpga::dsp_fit::dsp_fit;
use spikemesh_hdl::fpga::fit::memory_fit;
use spikemesh_nir::convention::Reset;
use spikemesh_nir::fit::import_to_fit;
use spikemesh_nir::graph::{NeuronKind, Neurons};
use spikemesh_nir::quantise::Options;
use spikemesh_nir::reduce::{Connection, Layer, Net};
use spikemesh_spec::Network;

/// Input(sizes[0]) -> IF(sizes[1]) -> ... with dense random weights (xorshift, no dependency).
fn mlp(sizes: &[usize]) -> Net {
    let mut state = 0x2545f4914f6cdd1du64;
    let mut w = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 2001) as f64 / 1000.0 - 1.0
    };
    let mut layers = vec![Layer { name: "input".into(), size: sizes[0], neurons: None, bias: vec![0.0; sizes[0]] }];
    let mut connections = Vec::new();
    for (i, &n) in sizes.iter().enumerate().skip(1) {
        let neurons = Neurons {
            kind: NeuronKind::If,
            shape: vec![n],
            tau_mem: vec![f64::INFINITY; n],
            tau_syn: vec![0.0; n],
            r: vec![1000.0; n],
            v_leak: vec![0.0; n],
            v_threshold: vec![1.0; n],
            v_reset: vec![0.0; n],
            w_in: vec![1.0; n],
        };
        layers.push(Layer { name: format!("if{i}"), size: n, neurons: Some(neurons), bias: vec![0.0; n] });
        let rows = (0..n).map(|_| (0..sizes[i - 1] as u32).map(|j| (j, 0.1 * w())).collect()).collect();
        connections.push(Connection::undelayed(i - 1, i, rows));
    }
    let last = layers.len() - 1;
    Net {
        file: "mnist-shape.nir".into(),
        layers,
        connections,
        outputs: vec![("output".into(), last)],
        delay_nodes: Vec::new(),
    }
}

fn options(weight_bits: u32) -> Options {
    Options {
        board: "icebreaker".into(),
        weight_bits,
        dt: 1e-3,
        model: None,
        neurons_per_core: None,
        synapses_per_clock: None,
        reset: Reset::Value,
        deferred_subtract: false,
        core_rows: false,
        kernels: false,
        clock_mhz: None,
    }
}

#[test]
fn a_784_128_10_graph_gets_the_widest_weights_that_fit_the_icebreaker() {
    let out = tempfile::tempdir().unwrap();
    let (imp, tried) = import_to_fit(&mlp(&[784, 128, 10]), &options(8), false, false, out.path()).unwrap();
    let net = Network::load(&imp.toml).unwrap();
    let fit = memory_fit(&net.hardware).unwrap();
    assert_eq!(fit.verdict, "fits", "{fit}");
    assert!(net.hardware.widths.weight_bits < 8, "8-bit weights need 8 SPRAMs of 4");
    assert!(tried.iter().any(|t| t.weight_bits == 8 && t.verdict.contains("does not fit")), "{tried:?}");
}

#[test]
fn weights_the_user_fixed_are_kept_and_a_shape_that_cannot_fit_is_refused_with_the_table() {
    let out = tempfile::tempdir().unwrap();
    let e = import_to_fit(&mlp(&[784, 128, 10]), &options(8), true, false, out.path()).unwrap_err().to_string();
    assert!(e.contains("no shape fits board icebreaker") && e.contains("weight_bits  8"), "{e}");
    assert!(e.contains("what would have to change"), "{e}");
    assert!(!out.path().join("net.toml").exists(), "nothing that does not fit is left behind");
    // 784-256-10 fits at no width from 8 to 4.
    let e = import_to_fit(&mlp(&[784, 256, 10]), &options(8), false, false, out.path()).unwrap_err().to_string();
    assert!(e.contains("weight_bits  4"), "{e}");
}

/// The committed MNIST network (examples/mnist, trained in snnTorch) imports with no flags: 4-bit
/// weights on the iCEBreaker (8 bits need 8 of its 4 SPRAMs), 8-bit on the ULX3S-85F.
#[test]
fn the_committed_mnist_network_gets_the_widest_weights_each_board_fits() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/mnist/mnist.nir");
    let (net, conv) = spikemesh_nir::open(&path, &spikemesh_nir::Forced::default()).unwrap();
    for (board, bits) in [("icebreaker", 4), ("ulx3s-85f", 8)] {
        let out = tempfile::tempdir().unwrap();
        let opt = Options {
            board: board.into(),
            dt: conv.dt,
            reset: conv.framework_rules.reset,
            deferred_subtract: conv.framework_rules.deferred_subtract,
            core_rows: false,
            kernels: false,
            ..options(8)
        };
        let (imp, _) = import_to_fit(&net, &opt, false, false, out.path()).unwrap();
        let hw = Network::load(&imp.toml).unwrap().hardware;
        assert_eq!(hw.widths.weight_bits, bits, "{board}");
        let memory = memory_fit(&hw).unwrap();
        assert_eq!(memory.verdict, "fits", "{board}");
        if board == "ulx3s-85f" {
            // 9 cores, each crossbar 4 lane banks of 4096 x 8 bits (2 DP16KD each), and the
            // bridge's 2: Yosys used exactly 74 DP16KD for this `[hardware]` (synth, 2026-12-07).
            assert_eq!((hw.cores(), memory.block_rams_min), (9, 74), "{memory}");
        }
        let dsp = dsp_fit(&hw).unwrap();
        assert_eq!(dsp.verdict, "fits", "{board}: {dsp}");
        if board == "icebreaker" {
            // Two `cuba` cores take 12 of the UP5K's 8 DSP blocks (and 5522 of its 5280 logic
            // cells: 2026-12-06): one core holds all 138 neurons, its 4-bit row 4 per clock.
            assert_eq!((hw.cores(), hw.neurons_per_core, hw.synapses_per_clock), (1, 138, 4), "{dsp}");
        }
    }
}

/// The ECP5 boards' core budget (`fit::fast_cores`) from the multipliers `check` counts per
/// `cuba` core (4 at Lava's widths) and the LUTs: 7 cores on the 25F (its 28 multipliers allow 7,
/// its LUTs 9), 31 on the 85F (its LUTs allow 31, its 156 multipliers 39); none on the iCE40 boards.
#[test]
fn the_ecp5_core_budget_follows_the_counted_multipliers() {
    assert_eq!(spikemesh_nir::fit::mults_per_core(), 4);
    assert_eq!(spikemesh_nir::fit::fast_cores("ulx3s-25f"), Some(7));
    assert_eq!(spikemesh_nir::fit::fast_cores("ulx3s-85f"), Some(31));
    assert_eq!(spikemesh_nir::fit::fast_cores("icebreaker"), None);
}

/// `--clock-mhz` writes the clock asked for: the ULX3S keeps its 3 Mbaud where the clock allows
/// it (24 MHz and up), and otherwise, like the iCEBreaker off its 24 MHz, takes the default baud
/// for the clock.
#[test]
fn a_clock_asked_for_is_the_network_files_clock() {
    let cases = [("ulx3s-85f", 40.0, 3_000_000), ("ulx3s-85f", 12.0, 1_500_000), ("icebreaker", 12.0, 1_500_000)];
    for (board, mhz, baud) in cases {
        let out = tempfile::tempdir().unwrap();
        let opt = Options { board: board.into(), clock_mhz: Some(mhz), ..options(4) };
        let (imp, _) = import_to_fit(&mlp(&[64, 32, 10]), &opt, true, false, out.path()).unwrap();
        let hw = Network::load(&imp.toml).unwrap().hardware;
        assert_eq!((hw.clock_mhz, hw.baud), (mhz, baud), "{board}");
    }
}
