//! Synthesis smoke tests of the neuron models, one per FPGA family: a 256x256x4 `cuba` core at
//! Lava's widths (24-bit `u` and `v`) keeps its memories in RAM primitives, puts its decay
//! multiplies in DSP blocks where the device has them (`SB_MAC16`, `MULT18X18D`) and in logic
//! on the HX8K, and meets the board's clock after place and route. The datapaths alone are
//! measured beside it (`make bench` runs `datapath_figures`, which prints the figures that
//! `docs/performance.md` records).

use spikemesh_hdl::fpga::fit::{core_memories, ice40_range};
use spikemesh_hdl::fpga::flow::{measurement_top, pnr, synth, Device, SynthStats};
use spikemesh_hdl::neuron::{alif::AlifUpdate, cuba::CubaUpdate, lif::LifUpdate};
use spikemesh_hdl::shape::{CoreShape, CrossbarStyle};

/// The reference core running `cuba` at 24-bit current and potential, and its shape.
fn cuba_core(crossbar: CrossbarStyle) -> (String, CoreShape) {
    let cuba = spikemesh_spec::neuron::model_named("cuba").unwrap();
    let shape = CoreShape { potential_bits: 24, current_bits: 24, ..CoreShape::reference(crossbar) }.with_model(cuba);
    (spikemesh_hdl::core_verilog(&shape, false), shape)
}

/// The DSP blocks `check` predicts for one core of `shape` (`fpga/dsp_fit.rs`).
fn predicted(shape: &CoreShape, operand: usize) -> u64 {
    spikemesh_hdl::neuron::datapath(shape.model).unwrap().dsp_blocks(shape, operand) as u64
}

fn dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("spikemesh-neuron-synth-{name}-{}", std::process::id()))
}

/// Synthesis stats of `v`, and its Fmax after place and route with registered ports.
fn measure(name: &str, v: &str, device: Device, mhz: f64) -> (SynthStats, f64) {
    let s = synth(v, "top", device, &dir(name)).unwrap_or_else(|e| panic!("{e}"));
    let ports = spikemesh_hdl::ports::parse_ports(v, "top").unwrap();
    let w = synth(&measurement_top(v, &ports), "measure", device, &dir(&format!("{name}-pnr")))
        .unwrap_or_else(|e| panic!("{e}"));
    let p = pnr(&w, device, mhz, 1, &dir(&format!("{name}-pnr"))).unwrap_or_else(|e| panic!("{e}"));
    let fmax = p.fmax_mhz.values().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{name}: {} LUT4, {} FF, {} carry, DSP {}, Fmax {fmax:.2} MHz",
        s.luts(),
        s.ffs(),
        s.carries(),
        s.count("SB_MAC16") + s.count("MULT18X18D")
    );
    (s, fmax)
}

#[test]
fn ice40_up5k_cuba_core_maps_to_spram_bram_and_sb_mac16_and_meets_24_mhz() {
    let (v, shape) = cuba_core(CrossbarStyle::Ice40Spram);
    let (s, fmax) = measure("cuba-core-up5k", &v, Device::Up5k, 24.0);
    assert!(s.count("SB_MAC16") >= 2, "two 24 x 13 decay products in DSPs: {:?}", s.cells);
    assert_eq!(s.count("SB_MAC16"), predicted(&shape, 16), "check's DSP prediction: {:?}", s.cells);
    assert_eq!(s.count("SB_SPRAM256KA"), 1, "the crossbar in SPRAM: {:?}", s.cells);
    // `check`'s block RAM range for the core's memories, its current register included.
    let (least, most) = ice40_range(&core_memories(&shape));
    let brams = s.count("SB_RAM40_4K") as usize;
    assert!(least <= brams && brams <= most, "Yosys used {brams} block RAMs; check said {least} to {most}");
    assert!(!s.cells.keys().any(|k| k.starts_with("$mem")), "unmapped memory: {:?}", s.cells);
    assert!(s.ffs() < 1000, "{} flip-flops: a memory landed in FFs? {:?}", s.ffs(), s.cells);
    assert!(fmax >= 24.0, "the cuba core reaches {fmax:.1} MHz, below the iCEBreaker's 24 MHz core clock");
    let (_, fmax) = measure("alif-up5k", &spikemesh_hdl::verilog_of(AlifUpdate::<18>::new(16)), Device::Up5k, 24.0);
    assert!(fmax >= 24.0, "alif datapath reaches {fmax:.1} MHz on the UP5K");
}

#[test]
fn ecp5_cuba_core_maps_to_dp16kd_and_mult18x18d_and_meets_50_mhz() {
    let (v, shape) = cuba_core(CrossbarStyle::Inferred);
    let (s, fmax) = measure("cuba-core-ecp5", &v, Device::Ecp5_25k, 50.0);
    assert!(s.count("MULT18X18D") >= 2, "two 24 x 13 decay products in DSPs: {:?}", s.cells);
    assert_eq!(s.count("MULT18X18D"), predicted(&shape, 17), "check's DSP prediction: {:?}", s.cells);
    assert!(s.count("DP16KD") >= 16, "crossbar and neuron memories in DP16KD: {:?}", s.cells);
    assert!(!s.cells.keys().any(|k| k.starts_with("$mem")), "unmapped memory: {:?}", s.cells);
    assert!(s.ffs() < 1000, "{} flip-flops: a memory landed in FFs? {:?}", s.ffs(), s.cells);
    assert!(fmax >= 50.0, "the cuba core reaches {fmax:.1} MHz on the ECP5, below 50 MHz");
    let (_, fmax) = measure("alif-ecp5", &spikemesh_hdl::verilog_of(AlifUpdate::<18>::new(16)), Device::Ecp5_25k, 50.0);
    assert!(fmax >= 50.0, "alif datapath reaches {fmax:.1} MHz on the ECP5");
}

/// The figures of the `cuba` and `lif` datapaths alone on both families (docs/performance.md):
/// measurements, not checks, so `make bench` runs them and `make test` does not.
#[test]
#[ignore]
fn datapath_figures() {
    for (device, mhz, fam) in [(Device::Up5k, 24.0, "up5k"), (Device::Ecp5_25k, 50.0, "ecp5")] {
        measure(&format!("cuba-{fam}"), &spikemesh_hdl::verilog_of(CubaUpdate::<34>::new(24, 24)), device, mhz);
        measure(&format!("lif-{fam}"), &spikemesh_hdl::verilog_of(LifUpdate::<18>::new(16, true)), device, mhz);
    }
}

/// `check`'s DSP count (`NeuronHdl::dsp_blocks`) is Yosys's, for the datapaths at widths
/// where a product takes one block and where it takes two, on both families.
#[test]
fn dsp_blocks_predicted_equal_yosys() {
    let reference = CoreShape::reference(CrossbarStyle::Inferred);
    let model = |name: &str| spikemesh_spec::neuron::model_named(name).unwrap();
    for (p, u) in [(16, 17), (12, 24)] {
        let shape = CoreShape { potential_bits: p, current_bits: u, ..reference.clone() }.with_model(model("cuba"));
        let v = spikemesh_hdl::verilog_of(CubaUpdate::<26>::new(p, u));
        for (device, cell, operand) in [(Device::Up5k, "SB_MAC16", 16), (Device::Ecp5_25k, "MULT18X18D", 17)] {
            let s = synth(&v, "top", device, &dir(&format!("cuba-{p}-{u}-{cell}"))).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.count(cell), predicted(&shape, operand), "cuba P={p} U={u} on {cell}: {:?}", s.cells);
        }
    }
    let shape = CoreShape { potential_bits: 16, ..reference }.with_model(model("lif"));
    let v = spikemesh_hdl::verilog_of(LifUpdate::<18>::new(16, true));
    let s = synth(&v, "top", Device::Up5k, &dir("lif-16-dsp")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.count("SB_MAC16"), predicted(&shape, 16), "lif: {:?}", s.cells);
}

#[test]
fn ice40_hx8k_cuba_multiplies_in_logic() {
    let v = spikemesh_hdl::verilog_of(CubaUpdate::<34>::new(24, 24));
    let s = synth(&v, "top", Device::Hx8k, &dir("cuba-hx8k")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.count("SB_MAC16"), 0, "the HX8K has no DSP: {:?}", s.cells);
    println!("cuba-hx8k: {} LUT4, {} FF, {} carry", s.luts(), s.ffs(), s.carries());
    assert!(s.luts() > 500, "two 24 x 13 multipliers in logic take hundreds of LUTs: {:?}", s.cells);
}
