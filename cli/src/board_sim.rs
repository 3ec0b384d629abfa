//! `spikemesh board-sim`: the virtual board (the chip's Verilator model, UART pins and all)
//! behind a pseudo-terminal, for `spikemesh run --port <path>` or any serial program.

use anyhow::{Context, Result};
use spikemesh_hdl::fpga::netlist::Fault;
use spikemesh_sim::board::VirtualBoard;
use spikemesh_sim::pty::{serve, Pty};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// Options of `spikemesh board-sim`.
#[derive(clap::Args)]
pub struct Args {
    /// Network TOML file (its `[hardware]` shapes the chip; the host loads the network).
    net: PathBuf,
    /// Write a VCD waveform of the whole chip.
    #[arg(long)]
    vcd: Option<PathBuf>,
    /// Run the post-synthesis netlist (Yosys, for the network's board, with the vendor cell
    /// models) instead of the RTL: the design that becomes the bitstream, PLL aside.
    #[arg(long)]
    netlist: bool,
}

/// Runs `spikemesh board-sim` until killed.
pub fn run(a: Args) -> Result<()> {
    let net = spikemesh_spec::Network::load(&a.net)?;
    let hw = &net.hardware;
    let (mut board, netlist) = if a.netlist {
        let (b, info) = VirtualBoard::netlist(hw, Fault::None, a.vcd.as_deref())?;
        (b, Some(info))
    } else {
        (VirtualBoard::new(hw, a.vcd.as_deref())?, None)
    };
    let pty = Pty::open().context("opening a pseudo-terminal")?;
    println!("virtual board on {}", pty.path);
    println!(
        "  {}x{} cores of {} neurons x {} axons, {:.3} MHz core clock, UART {} baud ({:.2} clocks per bit); stop with Ctrl-C",
        hw.mesh_x,
        hw.mesh_y,
        hw.neurons_per_core,
        hw.axons_per_core,
        spikemesh_hdl::chip::clock_hz(hw) as f64 / 1e6,
        hw.baud,
        board.clocks_per_bit()
    );
    if let Some(i) = netlist {
        println!(
            "  post-synthesis netlist for {:?} ({} cells, vendor cells from the pinned Yosys's models); the core clock is driven directly (no PLL model)",
            i.device, i.cells
        );
    }
    std::io::stdout().flush()?;
    let stop = AtomicBool::new(false);
    serve(&mut board, &pty, &stop).context("serving the virtual board")?;
    Ok(())
}
