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
use spikemesh_sim::Golden;
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::Path;
use std::process::Command;

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name).display().to_string()
}

/// `spikemesh simulate NET --engine netlist --steps 50`: the commands the issue names.
fn simulate_netlist(net: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.csv");
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
        .args(["simulate", &example(net), "--engine", "netlist", "--steps", "50", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{text}");
    assert!(text.contains("golden model and the post-synthesis netlist"), "{text}");
    assert!(std::fs::read_to_string(&out).unwrap().lines().count() > 50, "the network fires");
}

#[test]
fn ice40_mesh_netlist_equals_golden() {
    simulate_netlist("small-icebreaker.toml");
}

#[test]
fn ecp5_mesh_netlist_equals_golden() {
    simulate_netlist("small-ulx3s-25f.toml");
}

/// A host session on `board`: load, `steps` timesteps of the network's drive, and every check
/// the host can make: spikes and final potentials equal the golden model's, a crossbar row reads
/// back as written, and the board's counters (timesteps, spikes sent) equal the host's.
fn session(board: VirtualBoard, net: &Network, steps: usize) -> Result<(), String> {
    let m = Mapping::build(net).unwrap();
    let mut b = Board::new(Wire::new(board));
    b.timeout = std::time::Duration::from_secs(20);
    b.identify().map_err(|e| e.to_string())?;
    b.load(&m, |_, _| {}).map_err(|e| e.to_string())?;
    let img = &m.cores[0];
    let n = net.hardware.neurons_per_core;
    let row = b.read(0, spikemesh_spec::memory_map::CROSSBAR, 0, 0, n).map_err(|e| e.to_string())?;
    if row != img.crossbar[..n].iter().map(|&w| w as i64).collect::<Vec<_>>() {
        return Err("crossbar row 0 of core 0 reads back differently".into());
    }
    let stim = Stimulus::build(net, steps, None).unwrap();
    let mut gold = Golden::new(&m);
    let mut spikes = 0u64;
    for (t, inputs) in stim.steps.iter().enumerate() {
        let want: Vec<u32> = gold.step(inputs).iter().copied().filter(|&g| m.is_recorded(g)).collect();
        b.inject(&m.input_flits(inputs)).map_err(|e| e.to_string())?;
        let mut got: Vec<u32> =
            b.step(1).map_err(|e| e.to_string())?.into_iter().map(|(_, f)| m.slot_of_host_flit(f)).collect();
        got.sort_unstable();
        if got != want {
            return Err(format!("timestep {t}: golden fired {want:?}, the board {got:?}"));
        }
        spikes += got.len() as u64;
    }
    if spikes == 0 {
        return Err("the network never fired".into());
    }
    let pots = b.read_potentials().map_err(|e| e.to_string())?;
    if pots != gold.potentials() {
        return Err("final potentials differ from the golden model's".into());
    }
    let s = b.check_spikes().map_err(|e| e.to_string())?;
    if s.timestep as usize != steps {
        return Err(format!("the board counted {} timesteps, the host ran {steps}", s.timestep));
    }
    Ok(())
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
