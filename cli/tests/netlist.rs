//! The netlist that becomes the bitstream, against the golden model (issue: post-synthesis
//! co-simulation). Yosys synthesizes the mesh and the chip (bridge included) for the network's
//! board with the flow's own script; Verilator runs the netlist with the vendor cell models
//! (Yosys's; for ECP5's block RAM and multiplier, spikemesh's `ecp5_models.rs`). The PLL is
//! not simulated: the core clock is driven directly.
//!
//! The first run of each shape synthesizes and builds (about a minute each); later runs load
//! them from ~/.cache/spikemesh.

use spikemesh_hdl::fpga::netlist::Fault;
use spikemesh_host::Board;
use spikemesh_sim::board::{VirtualBoard, Wire};
use spikemesh_spec::{Mapping, Network};
use std::path::Path;
use std::process::Command;

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name).display().to_string()
}

/// `spikemesh simulate NET --engine netlist --steps STEPS ARGS...` into a temporary file: it
/// must pass, saying the golden model and the netlist agree; returns the spikes written.
fn netlist_spikes(net: &Path, steps: &str, args: &[&Path]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.csv");
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
        .args(["simulate", "--engine", "netlist", "--steps", steps])
        .args(args)
        .arg(net)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{text}");
    assert!(text.contains("golden model and the post-synthesis netlist"), "{text}");
    std::fs::read_to_string(&out).unwrap()
}

/// `spikemesh simulate NET --engine netlist --steps 50`: the commands the issue names.
fn simulate_netlist(net: &str) {
    let spikes = netlist_spikes(Path::new(&example(net)), "50", &[]);
    assert!(spikes.lines().count() > 50, "the network fires");
}

#[test]
fn ice40_mesh_netlist_equals_golden() {
    simulate_netlist("small-icebreaker.toml");
}

#[test]
fn ecp5_mesh_netlist_equals_golden() {
    simulate_netlist("small-ulx3s-25f.toml");
}

/// The delay example as Yosys synthesizes it for the iCEBreaker: the ring of accumulator slots
/// and the row delays in vendor cells, a left-to-right crossing spike for spike against the
/// golden model (detector 0 fires).
#[test]
fn ice40_netlist_with_delays_equals_golden() {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(&example("delays")).to_path_buf();
    let toml = std::fs::read_to_string(src.join("direction.toml")).unwrap();
    std::fs::write(dir.path().join("direction.toml"), toml.replace("board = \"sim\"", "board = \"icebreaker\""))
        .unwrap();
    std::fs::copy(src.join("synapses.csv"), dir.path().join("synapses.csv")).unwrap();
    // Receptor i at timestep 2 + i: the crossing reaches detector 0 from all 8 at once.
    let stim: String = (0..8).map(|i| format!("{},receptors,{i}\n", 2 + i)).collect();
    std::fs::write(dir.path().join("stim.csv"), format!("timestep,population,neuron\n{stim}")).unwrap();
    let stim = dir.path().join("stim.csv");
    let spikes = netlist_spikes(&dir.path().join("direction.toml"), "24", &[Path::new("--input"), &stim]);
    assert!(spikes.lines().any(|l| l.ends_with(",direction,0")), "detector 0 fires:\n{spikes}");
    assert!(!spikes.lines().any(|l| l.ends_with(",direction,1")), "detector 1 stays silent:\n{spikes}");
}

/// A host session on `board` (`spikemesh_cli::session::verify`, what `synth --verify-netlist`
/// runs): load, `steps` timesteps of the network's drive, and every check the host can make;
/// and the network must have fired.
fn session(board: VirtualBoard, net: &Network, steps: usize) -> Result<(), String> {
    let m = Mapping::build(net).unwrap();
    let mut b = Board::new(Wire::new(board));
    b.timeout = std::time::Duration::from_secs(20);
    match spikemesh_cli::session::verify(&mut b, net, &m, steps) {
        Ok(0) => Err("the network never fired".into()),
        Ok(_) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn ice40_chip_netlist_equals_golden_through_the_uart() {
    let net = Network::load(Path::new(&example("small-icebreaker.toml"))).unwrap();
    let (board, info) = VirtualBoard::netlist(&net.hardware, Fault::None, None).unwrap();
    assert!(info.cells > 1000, "{info:?}");
    session(board, &net, 30).unwrap();
}

#[test]
fn ecp5_chip_netlist_equals_golden_through_the_uart() {
    let net = Network::load(Path::new(&example("small-ulx3s-25f.toml"))).unwrap();
    let (board, _) = VirtualBoard::netlist(&net.hardware, Fault::None, None).unwrap();
    session(board, &net, 30).unwrap();
}

/// A fault only synthesis makes: the UP5K's event counters (instantiated `SB_MAC16`s) left
/// exposed to Yosys's `ice40_dsp` pass, which rewrites their parameters. The RTL cannot see it;
/// the netlist must.
#[test]
fn a_synthesis_only_fault_fails_the_netlist_and_not_the_rtl() {
    let net = Network::load(Path::new(&example("small-icebreaker.toml"))).unwrap();
    session(VirtualBoard::new(&net.hardware, None).unwrap(), &net, 30).expect("the RTL passes");
    let (board, _) = VirtualBoard::netlist(&net.hardware, Fault::ExposedMac16, None).unwrap();
    let e = session(board, &net, 30).expect_err("the netlist with clobbered counters must fail");
    assert!(e.contains("spikes") || e.contains("timesteps"), "{e}");
}
