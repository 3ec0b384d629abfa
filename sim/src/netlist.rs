//! Verilator models of the netlist Yosys synthesizes for a board (`hdl::fpga::netlist`): the
//! closest this project gets to a board run. The PLL is not part of it: the netlists are of the
//! mesh (`RtlMesh::netlist`) and of the chip behind the board top (`VirtualBoard::netlist`), with
//! the core clock driven directly, as the RTL models are.

use crate::verilator::BuildError;
use spikemesh_hdl::fpga::flow::Device;
use spikemesh_hdl::fpga::netlist::{post_synthesis, Fault, Netlist};
use spikemesh_spec::Hardware;

/// Where a netlist model came from.
#[derive(Debug, Clone)]
pub struct NetlistInfo {
    /// The device it was synthesized for.
    pub device: Device,
    /// Yosys's time when this run synthesized it (None: cached).
    pub synth_seconds: Option<f64>,
    /// Cells in the netlist.
    pub cells: u64,
    /// The synthesis directory (netlist.json, netlist.v, yosys.log).
    pub dir: std::path::PathBuf,
}

/// The netlist of module `top` of `verilog` for the board of `hw`.
pub fn synthesize(verilog: &str, top: &str, hw: &Hardware, fault: Fault) -> Result<(Netlist, NetlistInfo), BuildError> {
    let b = spikemesh_hdl::fpga::boards::board(hw.board).ok_or_else(|| {
        BuildError::Other(format!(
            "board {} has no FPGA, so no netlist: set hardware.board to an FPGA board",
            hw.board.name()
        ))
    })?;
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) || std::env::var_os("SPIKEMESH_VERBOSE").is_some() {
        eprintln!(
            "spikemesh: synthesizing the netlist of `{top}` for {:?} with Yosys (cached after the first run)",
            b.device
        );
    }
    let n = post_synthesis(verilog, top, b.device, fault).map_err(|e| BuildError::Other(format!("synthesis: {e}")))?;
    if let Some(s) = n.synth_seconds {
        eprintln!(
            "spikemesh: Yosys synthesized the netlist of `{top}` ({} cells) in {s:.1} s; cached in {}",
            n.cells,
            n.dir.display()
        );
    }
    let info = NetlistInfo { device: b.device, synth_seconds: n.synth_seconds, cells: n.cells, dir: n.dir.clone() };
    Ok((n, info))
}
