//! The chip's post-synthesis netlist run through its UART against the golden model, in
//! process: what `spikemesh synth --verify-netlist N` does, and the record `synth` reports.

use crate::session;
use anyhow::{anyhow, Result};
use serde::{Deserialize, Serialize};
use spikemesh_hdl::chip::{chip_verilog, CHIP};
use spikemesh_hdl::fpga::netlist::{netlist_dir, Fault};
use spikemesh_host::Board;
use spikemesh_sim::board::{VirtualBoard, Wire};
use spikemesh_spec::{Mapping, Network};

/// What a netlist co-simulation showed; kept beside the cached netlist.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// Timesteps run, each compared with the golden model.
    pub timesteps: usize,
    /// Recorded spikes compared.
    pub spikes: u64,
    /// Core clock cycles the netlist ran (configuration load included).
    pub cycles: u64,
    /// Cells in the netlist.
    pub cells: u64,
    /// Seconds since the Unix epoch when it passed.
    pub when: u64,
}

const RECORD: &str = "cosim.json";

/// The record of the chip netlist of `net`'s hardware, if one has passed.
pub fn record(net: &Network) -> Option<Record> {
    let b = spikemesh_hdl::fpga::boards::board(net.hardware.board)?;
    let dir = netlist_dir(&chip_verilog(&net.hardware, false), CHIP, b.device, Fault::None);
    serde_json::from_str(&std::fs::read_to_string(dir.join(RECORD)).ok()?).ok()
}

/// Loads `net` into the chip netlist through its UART, runs `steps` timesteps of its drive
/// and checks spikes, final potentials, a crossbar read-back and the board's counters against
/// the golden model; on success, writes the record.
pub fn verify(net: &Network, steps: usize) -> Result<Record> {
    let m = Mapping::build(net)?;
    let (board, info) = VirtualBoard::netlist(&net.hardware, Fault::None, None)?;
    let mut b = Board::new(Wire::new(board));
    b.timeout = std::time::Duration::from_secs(30);
    let spikes = session::verify(&mut b, net, &m, steps).map_err(|e| anyhow!("netlist: {e}"))?;
    let r = Record {
        timesteps: steps,
        spikes,
        cycles: b.port_mut().board.cycles,
        cells: info.cells,
        when: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
    };
    std::fs::write(info.dir.join(RECORD), serde_json::to_string_pretty(&r)?)?;
    Ok(r)
}
