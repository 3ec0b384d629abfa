//! `verilator --lint-only -Wall` on generated cores of many shapes and on routers: zero messages.
//!
//! One waiver: DECLFILENAME, because one generated file holds every module of a design.

use spikemesh_hdl::shape::{CoreShape, CrossbarStyle};
use std::process::Command;

fn lint(name: &str, verilog: &str) -> String {
    lint_top(name, verilog, "top")
}

fn lint_top(name: &str, verilog: &str, top: &str) -> String {
    let dir = std::env::temp_dir().join(format!("spikemesh-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.v"));
    std::fs::write(&file, verilog).unwrap();
    let verilator = std::env::var("VERILATOR").unwrap_or_else(|_| "verilator".into());
    let out = Command::new(&verilator)
        .args(["--lint-only", "-Wall", "-Wno-DECLFILENAME", "--top-module", top])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {verilator}: {e} (run `make tools` or set VERILATOR)"));
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    // Newer Verilators print a summary report even when linting; only `%` lines are findings.
    let findings: Vec<&str> = text.lines().filter(|l| l.starts_with('%')).collect();
    assert!(out.status.success() || !findings.is_empty(), "verilator failed without a finding:\n{text}");
    findings.join("\n")
}

#[test]
fn generated_cores_lint_clean() {
    let shapes = [
        (256, 256, 4, 16, 4, 16, CrossbarStyle::Ice40Spram),
        (256, 256, 4, 16, 4, 16, CrossbarStyle::Inferred),
        (256, 1024, 4, 16, 4, 16, CrossbarStyle::Ice40Spram),
        (1024, 1280, 8, 16, 4, 16, CrossbarStyle::Inferred),
        (100, 300, 5, 13, 3, 5, CrossbarStyle::Inferred),
        (1, 4, 2, 4, 0, 1, CrossbarStyle::Inferred),
        (64, 64, 16, 32, 8, 256, CrossbarStyle::Ice40Spram),
    ];
    // Every lane count each shape can build (an SPRAM word holds 16 bits of weights).
    let lanes = |wb: usize, c: CrossbarStyle| {
        [1, 2, 4].into_iter().filter(move |p| c == CrossbarStyle::Inferred || p * wb <= 16)
    };
    for (i, (neurons, axons, wb, pb, rb, types, crossbar)) in shapes.into_iter().enumerate() {
        // Every shape without delays, and at one lane with 1 to 4 delay bits as well.
        let builds =
            lanes(wb, crossbar).flat_map(|p| if p == 1 { vec![(p, 0), (p, 1 + i as u32 % 4)] } else { vec![(p, 0)] });
        for (p, delay_bits) in builds {
            let shape = CoreShape {
                neurons,
                axons,
                axon_space: axons,
                types,
                weight_bits: wb,
                potential_bits: pb,
                refractory_bits: rb,
                acc_bits: wb + spikemesh_spec::neuron::ceil_log2(axons as u64) as usize,
                crossbar,
                router_fifo: 2,
                leak_multiply: true,
                dsp_counters: false,
                // The ECP5 marks on every inferred crossbar: lint sees them too.
                lut_ram: crossbar == CrossbarStyle::Inferred,
                model: spikemesh_spec::neuron::ModelId::lif(),
                current_bits: 16,
                synapses_per_clock: p,
                delay_bits,
                kernel: None,
            };
            let name = format!("core_{neurons}_{axons}_{wb}_{pb}_p{p}_d{delay_bits}");
            let msgs = lint(&name, &spikemesh_hdl::core_verilog(&shape, true));
            assert!(msgs.trim().is_empty(), "{shape:?}:\n{msgs}");
            // Shared kernels on the same shape where a segment fits: 16 taps, 9 (a multiply
            // in the address) and one (the axon alone).
            for (segment, taps, rows) in [(16, 16, 400), (4, 9, 30), (4, 1, 2)] {
                if neurons % segment != 0 || segment % p != 0 {
                    continue;
                }
                let kernel = Some(spikemesh_spec::kernel::Kernel { segment, taps, rows });
                let shape = CoreShape { kernel, ..shape.clone() };
                let name = format!("{name}_k{segment}_{taps}");
                let msgs = lint(&name, &spikemesh_hdl::core_verilog(&shape, true));
                assert!(msgs.trim().is_empty(), "{shape:?}:\n{msgs}");
            }
        }
    }
}

#[test]
fn generated_routers_lint_clean() {
    let v = spikemesh_hdl::verilog_of(spikemesh_hdl::mesh::router::Router::new());
    let msgs = lint("router", &v);
    assert!(msgs.trim().is_empty(), "router:\n{msgs}");
}

#[test]
fn generated_uarts_lint_clean() {
    for (baud, clk) in [(3_000_000, 24_000_000), (115_200, 12_000_000)] {
        let tx = lint(
            &format!("uart_tx_{baud}"),
            &spikemesh_hdl::verilog_of(spikemesh_hdl::link::uart::UartTx::new(baud, clk)),
        );
        assert!(tx.trim().is_empty(), "tx:\n{tx}");
        let rx = lint(
            &format!("uart_rx_{baud}"),
            &spikemesh_hdl::verilog_of(spikemesh_hdl::link::uart::UartRx::new(baud, clk)),
        );
        assert!(rx.trim().is_empty(), "rx:\n{rx}");
    }
}

#[test]
fn generated_frame_receiver_lints_clean() {
    let msgs = lint("framerx", &spikemesh_hdl::verilog_of(spikemesh_hdl::link::framerx::FrameRx::new()));
    assert!(msgs.trim().is_empty(), "{msgs}");
}

#[test]
fn generated_frame_transmitter_lints_clean() {
    let msgs = lint("frametx", &spikemesh_hdl::verilog_of(spikemesh_hdl::link::frametx::FrameTx::new()));
    assert!(msgs.trim().is_empty(), "{msgs}");
}

#[test]
fn generated_chips_lint_clean() {
    // The whole chip: host bridge (UART, frame rx/tx, executor) on the mesh, for a small sim
    // board, the UP5K shape (SPRAM crossbars, models appended for Verilator), a chip with
    // delays and one with a shared-kernel core beside a plain one.
    for ex in ["link-2x1.toml", "up5k-feedforward.toml", "delays/direction.toml", "kernels/conv.toml"] {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(ex);
        let hw = spikemesh_spec::Network::load(&p).unwrap().hardware;
        let msgs =
            lint_top(&format!("chip_{}", ex.replace('/', "_")), &spikemesh_hdl::chip::chip_verilog(&hw, true), "chip");
        assert!(msgs.trim().is_empty(), "{ex}:\n{msgs}");
    }
}

#[test]
fn generated_neuron_datapaths_lint_clean() {
    use spikemesh_hdl::neuron::{alif::AlifUpdate, cuba::CubaUpdate};
    for (p, u) in [(24, 24), (4, 4), (16, 16), (12, 20), (20, 12), (32, 32)] {
        let msgs = lint(&format!("cuba_{p}_{u}"), &spikemesh_hdl::verilog_of(CubaUpdate::<34>::new(p, u)));
        assert!(msgs.trim().is_empty(), "cuba P={p} U={u}:\n{msgs}");
    }
    let msgs = lint("cuba_26", &spikemesh_hdl::verilog_of(CubaUpdate::<26>::new(24, 24)));
    assert!(msgs.trim().is_empty(), "26-bit cuba:\n{msgs}");
    for p in [4, 8, 16, 24, 32] {
        let msgs = lint(&format!("alif_{p}"), &spikemesh_hdl::verilog_of(AlifUpdate::<34>::new(p)));
        assert!(msgs.trim().is_empty(), "alif P={p}:\n{msgs}");
    }
    let msgs = lint("alif_18", &spikemesh_hdl::verilog_of(AlifUpdate::<18>::new(16)));
    assert!(msgs.trim().is_empty(), "18-bit alif:\n{msgs}");
}

#[test]
fn cores_and_meshes_of_every_model_lint_clean() {
    use spikemesh_spec::neuron::model_named;
    let base = CoreShape { current_bits: 24, potential_bits: 24, ..CoreShape::reference(CrossbarStyle::Inferred) };
    for (name, pb) in [("cuba", 24), ("alif", 16), ("cuba", 12)] {
        let shape = CoreShape { potential_bits: pb, ..base.with_model(model_named(name).unwrap()) };
        let msgs = lint(&format!("core_{name}_{pb}"), &spikemesh_hdl::core_verilog(&shape, true));
        assert!(msgs.trim().is_empty(), "{name} core, P={pb}:\n{msgs}");
    }
    let models: Vec<_> = ["lif", "cuba", "alif", "lif"].iter().map(|m| model_named(m).unwrap()).collect();
    let shape = CoreShape { neurons: 16, axons: 32, axon_space: 32, acc_bits: 9, ..base };
    // The last core holds 20 of the 32 rows (`core_axons`): its tile guards the rest.
    let mut cores: Vec<_> = models.iter().map(|&m| shape.with_model(m)).collect();
    cores[3].axons = 20;
    let v = spikemesh_hdl::mesh::mesh_module(&shape, &cores, 32, 2, 2, true, "top");
    let msgs = lint("mixed_mesh", &v);
    assert!(msgs.trim().is_empty(), "mixed mesh:\n{msgs}");
}
