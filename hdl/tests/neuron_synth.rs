//! Synthesis smoke tests of the neuron datapaths, one per FPGA family: the `cuba` datapath at
//! Lava's widths (24-bit `u` and `v`, 34-bit ports) puts its decay multiplies in DSP blocks
//! where the device has them (`SB_MAC16`, `MULT18X18D`), in logic on the HX8K, and meets a
//! clock after place and route. The `lif` and `alif` datapaths are synthesised beside it for the figures
//! (`--nocapture` prints both; `docs/performance.md` records them).

use spikemesh_hdl::fpga::flow::{measurement_top, pnr, synth, Device, SynthStats};
use spikemesh_hdl::neuron::{alif::AlifUpdate, cuba::CubaUpdate, lif::LifUpdate};

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
fn ice40_up5k_cuba_multiplies_in_sb_mac16_and_meets_24_mhz() {
    let (s, fmax) = measure("cuba-up5k", &spikemesh_hdl::verilog_of(CubaUpdate::<34>::new(24, 24)), Device::Up5k, 24.0);
    assert!(s.count("SB_MAC16") >= 2, "two 24 x 13 decay products in DSPs: {:?}", s.cells);
    assert!(fmax >= 24.0, "cuba datapath reaches {fmax:.1} MHz on the UP5K");
    measure("lif-up5k", &spikemesh_hdl::verilog_of(LifUpdate::<18>::new(16, true)), Device::Up5k, 24.0);
    let (_, fmax) = measure("alif-up5k", &spikemesh_hdl::verilog_of(AlifUpdate::<18>::new(16)), Device::Up5k, 24.0);
    assert!(fmax >= 24.0, "alif datapath reaches {fmax:.1} MHz on the UP5K");
}

#[test]
fn ecp5_cuba_multiplies_in_mult18x18d_and_meets_50_mhz() {
    let (s, fmax) =
        measure("cuba-ecp5", &spikemesh_hdl::verilog_of(CubaUpdate::<34>::new(24, 24)), Device::Ecp5_25k, 50.0);
    assert!(s.count("MULT18X18D") >= 2, "two 24 x 13 decay products in DSPs: {:?}", s.cells);
    assert!(fmax >= 50.0, "cuba datapath reaches {fmax:.1} MHz on the ECP5");
    measure("lif-ecp5", &spikemesh_hdl::verilog_of(LifUpdate::<18>::new(16, true)), Device::Ecp5_25k, 50.0);
    let (_, fmax) = measure("alif-ecp5", &spikemesh_hdl::verilog_of(AlifUpdate::<18>::new(16)), Device::Ecp5_25k, 50.0);
    assert!(fmax >= 50.0, "alif datapath reaches {fmax:.1} MHz on the ECP5");
}

#[test]
fn ice40_hx8k_cuba_multiplies_in_logic() {
    let v = spikemesh_hdl::verilog_of(CubaUpdate::<34>::new(24, 24));
    let s = synth(&v, "top", Device::Hx8k, &dir("cuba-hx8k")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.count("SB_MAC16"), 0, "the HX8K has no DSP: {:?}", s.cells);
    println!("cuba-hx8k: {} LUT4, {} FF, {} carry", s.luts(), s.ffs(), s.carries());
    assert!(s.luts() > 500, "two 24 x 13 multipliers in logic take hundreds of LUTs: {:?}", s.cells);
}
