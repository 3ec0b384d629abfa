//! Synthesis smoke tests, one per FPGA family: the 256-neuron, 256-axon, 4-bit core through
//! Yosys, checking from `stat` that every memory landed in RAM primitives (not flip-flops or
//! LUTs), then through nextpnr, checking that the core meets a clock.

use spikemesh_hdl::fpga::flow::{measurement_top, pnr, synth, Device};
use spikemesh_hdl::shape::{CoreShape, CrossbarStyle};

fn shape(crossbar: CrossbarStyle) -> CoreShape {
    CoreShape::reference(crossbar)
}

fn dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("spikemesh-synth-test-{name}-{}", std::process::id()))
}

/// Flip-flops a core of this shape may use: pipeline and control only. Any of its memories
/// in flip-flops would add thousands (the potentials alone are 256 x 16 bits).
const MAX_FFS: u64 = 1000;

#[test]
fn ice40_up5k_core_maps_memories_to_spram_and_bram() {
    let v = spikemesh_hdl::core_verilog(&shape(CrossbarStyle::Ice40Spram), false);
    let s = synth(&v, "top", Device::Up5k, &dir("up5k")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.count("SB_SPRAM256KA"), 1, "the 256 kbit crossbar is one SPRAM: {:?}", s.cells);
    // Potentials; accumulators + refractory counters; type indices + spike queue; type table.
    assert_eq!(s.count("SB_RAM40_4K"), 4, "neuron memories in four block RAMs: {:?}", s.cells);
    assert!(s.ffs() < MAX_FFS, "{} flip-flops: a memory landed in FFs? {:?}", s.ffs(), s.cells);
    assert!(s.luts() < 1500, "{} LUT4: a memory landed in LUTs? {:?}", s.luts(), s.cells);
    assert!(!s.cells.keys().any(|k| k.starts_with("$mem")), "unmapped memory: {:?}", s.cells);
    let ports = spikemesh_hdl::ports::parse_ports(&v, "top").unwrap();
    let w = synth(&measurement_top(&v, &ports), "measure", Device::Up5k, &dir("up5k-pnr"))
        .unwrap_or_else(|e| panic!("{e}"));
    let p = pnr(&w, Device::Up5k, 24.0, 1, &dir("up5k-pnr")).unwrap_or_else(|e| panic!("{e}"));
    let fmax = p.fmax_mhz.values().copied().fold(f64::INFINITY, f64::min);
    assert!(fmax >= 24.0, "UP5K core reaches {fmax:.1} MHz, below the 24 MHz the examples ask for");
}

#[test]
fn ecp5_core_maps_memories_to_dp16kd() {
    let v = spikemesh_hdl::core_verilog(&shape(CrossbarStyle::Inferred), false);
    let s = synth(&v, "top", Device::Ecp5_25k, &dir("ecp5")).unwrap_or_else(|e| panic!("{e}"));
    // 256 x 256 x 4 bits = 256 kbit: at least 15 DP16KD (18 kbit each) for the crossbar alone.
    assert!(s.count("DP16KD") >= 16, "crossbar and neuron memories in DP16KD: {:?}", s.cells);
    assert!(s.ffs() < MAX_FFS, "{} flip-flops: a memory landed in FFs? {:?}", s.ffs(), s.cells);
    assert!(s.luts() < 1500, "{} LUT4: a memory landed in LUTs? {:?}", s.luts(), s.cells);
    assert!(!s.cells.keys().any(|k| k.starts_with("$mem")), "unmapped memory: {:?}", s.cells);
    let ports = spikemesh_hdl::ports::parse_ports(&v, "top").unwrap();
    let w = synth(&measurement_top(&v, &ports), "measure", Device::Ecp5_25k, &dir("ecp5-pnr"))
        .unwrap_or_else(|e| panic!("{e}"));
    let p = pnr(&w, Device::Ecp5_25k, 50.0, 1, &dir("ecp5-pnr")).unwrap_or_else(|e| panic!("{e}"));
    let fmax = p.fmax_mhz.values().copied().fold(f64::INFINITY, f64::min);
    assert!(fmax >= 50.0, "ECP5 core reaches {fmax:.1} MHz, below 50 MHz");
}

#[test]
fn ice40_block_ram_prediction_brackets_yosys() {
    use spikemesh_hdl::fpga::fit::{ice40_blocks, ice40_range, tile_memories};
    // The up5k-feedforward shape: a 2x2 mesh of reference tiles with 256 destinations each,
    // at two synapses per clock (two accumulator banks per core).
    let shape = CoreShape::reference(CrossbarStyle::Ice40Spram).with_lanes(2);
    let predicted: usize = 4 * tile_memories(&shape, 256, 2, 2).iter().map(|&m| ice40_blocks(m)).sum::<usize>();
    let v = spikemesh_hdl::mesh::mesh_verilog(&shape, 256, 2, 2, false);
    let s = synth(&v, "top", Device::Up5k, &dir("fit-up5k")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(predicted as u64, s.count("SB_RAM40_4K"), "{:?}", s.cells);
    assert_eq!(s.count("SB_SPRAM256KA"), 4);
    // An odd shape without SPRAM on the HX8K, at four synapses per clock (four crossbar and
    // four accumulator banks), with synaptic delays.
    let odd = CoreShape {
        neurons: 100,
        axons: 70,
        axon_space: 70,
        types: 5,
        weight_bits: 5,
        potential_bits: 13,
        refractory_bits: 3,
        acc_bits: 12,
        crossbar: CrossbarStyle::Inferred,
        router_fifo: 2,
        leak_multiply: true,
        dsp_counters: false,
        lut_ram: false,
        model: spikemesh_spec::neuron::ModelId::lif(),
        current_bits: 16,
        synapses_per_clock: 4,
        // With delays: a ring of 4 accumulator slots, the counters beside it, a delay per row.
        delay_bits: 2,
        kernel: None,
    };
    let (least, most) = ice40_range(&tile_memories(&odd, 300, 1, 1));
    let v = spikemesh_hdl::mesh::mesh_verilog(&odd, 300, 1, 1, false);
    let s = synth(&v, "top", Device::Hx8k, &dir("fit-hx8k")).unwrap_or_else(|e| panic!("{e}"));
    let got = s.count("SB_RAM40_4K") as usize;
    assert!(least <= got && got <= most, "Yosys used {got} block RAMs, predicted {least}..={most}");
    // Crossbar rows per core (`core_axons`): beside it, a core holding 8 of the 70 rows; each
    // tile's memories as its own shape says, the short one behind its row guard.
    let short = CoreShape { axons: 8, ..odd.clone() };
    let cores = [odd.clone(), short.clone()];
    let (least, most) = cores.iter().fold((0, 0), |(l, m), c| {
        let (a, b) = ice40_range(&tile_memories(c, 300, 2, 1));
        (l + a, m + b)
    });
    let v = spikemesh_hdl::mesh::mesh_module(&odd, &cores, 300, 2, 1, false, "top");
    let s = synth(&v, "top", Device::Hx8k, &dir("fit-hx8k-rows")).unwrap_or_else(|e| panic!("{e}"));
    let got = s.count("SB_RAM40_4K") as usize;
    assert!(least <= got && got <= most, "rows per core: Yosys used {got} block RAMs, predicted {least}..={most}");
    let v = spikemesh_hdl::mesh::mesh_verilog(&odd, 300, 2, 1, false);
    let full = synth(&v, "top", Device::Hx8k, &dir("fit-hx8k-full")).unwrap_or_else(|e| panic!("{e}"));
    let full = full.count("SB_RAM40_4K") as usize;
    assert!(got < full, "the short core saves block RAM: {got}, against {full} with 70 rows in both");
}

/// `check`'s least ECP5 block RAM count against Yosys, on a 3x1 chip of `cuba` cores (their
/// current memory counts too) where one core holds 70 rows, one 1 (`core_axons`), and one 40
/// axons' taps of 120 shared kernel rows (`core_kernels`): the short core's crossbar and the
/// memories under 256 words go to LUT RAM (`memory::in_lut_ram`), the kernel rows and the
/// 640-word tap table to block RAM.
#[test]
fn ecp5_block_ram_prediction_equals_yosys_with_rows_per_core() {
    let text = "[hardware]\nboard = \"ulx3s-25f\"\nmesh = [3, 1]\nneurons_per_core = 64\naxons_per_core = 128\n\
                core_axons = [70, 1, 40]\ncore_kernels = [{}, {}, { segment = 16, taps = 16, rows = 120 }]\n\
                weight_bits = 5\npotential_bits = 24\ncurrent_bits = 24\nrefractory_bits = 0\n\
                destinations_per_core = 256\n\n[[population]]\nname = \"a\"\nsize = 100\n\
                neuron = { model = \"cuba\", threshold = 100, du = 100, dv = 100 }\n";
    let hw = spikemesh_spec::Network::parse(std::path::Path::new("rows.toml"), text)
        .unwrap_or_else(|e| panic!("{e}"))
        .hardware;
    let fit = spikemesh_hdl::fpga::fit::memory_fit(&hw).unwrap();
    let v = spikemesh_hdl::chip::chip_verilog(&hw, false);
    let s =
        synth(&v, spikemesh_hdl::chip::CHIP, Device::Ecp5_25k, &dir("fit-ecp5-rows")).unwrap_or_else(|e| panic!("{e}"));
    let got = s.count("DP16KD") as usize;
    assert_eq!(got, fit.block_rams_min, "Yosys used {got} DP16KD; check said {fit}");
}
