//! The UP5K's DSP event counters (`counter.rs`): Yosys proves, by induction over every
//! reachable state, that a design using them behaves exactly like the same design with
//! counters in logic:
//! - as written, with Yosys's own model of `SB_MAC16` (`+/ice40/cells_sim.v`, written from
//!   Lattice's documentation), and with the model Verilator runs (`SB_MAC16_MODEL`);
//! - after the FPGA flow's synthesis (`flow::synth`), whose `ice40_dsp` pass once rewrote
//!   their parameters (see `counter::HIDDEN_MAC16`).
//!
//! The designs show both counts, and also read them through a multiplexer and a register, as
//! the bridge does. A configuration
//! whose carry did not reach the top half would fail: the proof covers all 2^32 counts.

use spikemesh_hdl::fpga::flow::{synth, yosys_script, Device};
use spikemesh_hdl::fpga::netlist::ice40_cell_models;
use spikemesh_hdl::link::counter::{counter_body, SB_MAC16_MODEL};
use std::path::PathBuf;

fn design(name: &str, dsp: bool) -> String {
    format!(
        "module {name}(input wire clock, input wire clear, input wire inc, input wire other, input wire sel, output wire [31:0] a, output wire [31:0] b, output reg [31:0] pick);
{}{}assign a = qa;
assign b = qb;
always @(posedge clock) pick <= sel ? qa : qb;
endmodule
",
        counter_body(dsp, "qa", "clock", "clear", "inc"),
        counter_body(dsp, "qb", "clock", "clear", "other"),
    )
}

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("spikemesh-dsp-counter-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Proves `dsp_design` equal to `logic_design` in `dir`; `load_dut` reads the DSP design
/// (`dut.v` there) and leaves it flattened as the only module.
/// `cells`: the vendor cells the design under test holds, whose Yosys models `load_dut` reads.
fn prove(dir: &std::path::Path, cells: &[&str], load_dut: &str) -> Result<String, String> {
    std::fs::write(dir.join("dut.v"), design("dsp_design", true)).unwrap();
    std::fs::write(dir.join("ref.v"), design("logic_design", false)).unwrap();
    std::fs::write(dir.join("model.v"), SB_MAC16_MODEL).unwrap();
    // Yosys's own models of the cells in play, cut from its cells_sim.v (the whole file takes
    // a minute to read).
    let models = ice40_cell_models(cells).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("yosys_cells.v"), models).unwrap();
    let script = format!(
        "{load_dut}
design -stash dut
read_verilog ref.v
prep -top logic_design
design -stash ref
design -copy-from dut -as dsp_design dsp_design
design -copy-from ref -as logic_design logic_design
async2sync
miter -equiv -flatten -make_assert dsp_design logic_design miter
hierarchy -top miter
tee -o proof.log sat -verify -tempinduct -maxsteps 4 -prove-asserts -set-init-zero miter
"
    );
    std::fs::write(dir.join("prove.ys"), script).unwrap();
    yosys_script("prove.ys", dir).map_err(|e| e.to_string())?;
    Ok(std::fs::read_to_string(dir.join("proof.log")).unwrap_or_default())
}

fn assert_proven(out: Result<String, String>) {
    let out = out.unwrap_or_else(|e| panic!("{e}"));
    assert!(out.contains("Induction step proven: SUCCESS!"), "{out}");
}

#[test]
fn dsp_counters_equal_logic_counters_under_yosys_model() {
    let load = "read_verilog yosys_cells.v\nread_verilog dut.v\nprep -flatten -top dsp_design";
    assert_proven(prove(&dir("yosys"), &["SB_MAC16"], load));
}

#[test]
fn dsp_counters_equal_logic_counters_under_verilator_model() {
    // The WebAssembly Yosys sees only the test's folder, hence `model.v` next to the script.
    assert_proven(prove(&dir("model"), &[], "read_verilog model.v\nread_verilog dut.v\nprep -flatten -top dsp_design"));
}

#[test]
fn dsp_counters_survive_synthesis() {
    let d = dir("synth");
    let stats = synth(&design("dsp_design", true), "dsp_design", Device::Up5k, &d).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stats.count("SB_MAC16"), 2, "{:?}", stats.cells);
    // 32 for the output multiplexer, one for the power-up clear (`clear | ~booted`).
    assert_eq!(stats.luts(), 33, "only the output multiplexer and the clear are logic: {:?}", stats.cells);
    let cells: Vec<&str> = stats.cells.keys().map(String::as_str).collect();
    assert_proven(prove(
        &d,
        &cells,
        "read_json netlist.json\nread_verilog -overwrite yosys_cells.v\nprep -flatten -top dsp_design",
    ));
}
