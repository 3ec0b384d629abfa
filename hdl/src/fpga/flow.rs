//! Runs Yosys and nextpnr (the pinned yowasp builds, or the user's via env) and reads their
//! reports. Every figure spikemesh prints about resources or timing comes from here.

use crate::ports::{Dir, Port};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// FPGA families/devices spikemesh targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// Lattice iCE40 UP5K (iCEBreaker), SG48 package.
    Up5k,
    /// Lattice iCE40 HX8K (breakout board), CT256 package.
    Hx8k,
    /// Lattice ECP5 LFE5U-25F (ULX3S 25F), CABGA381.
    Ecp5_25k,
    /// Lattice ECP5 LFE5U-85F (ULX3S 85F), CABGA381.
    Ecp5_85k,
}

impl Device {
    /// True for iCE40 parts.
    pub fn is_ice40(self) -> bool {
        matches!(self, Device::Up5k | Device::Hx8k)
    }
    fn nextpnr_args(self) -> Vec<&'static str> {
        match self {
            Device::Up5k => vec!["--up5k", "--package", "sg48"],
            Device::Hx8k => vec!["--hx8k", "--package", "ct256"],
            Device::Ecp5_25k => vec!["--25k", "--package", "CABGA381"],
            Device::Ecp5_85k => vec!["--85k", "--package", "CABGA381"],
        }
    }
}

/// What went wrong running a tool.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The tool could not be started.
    #[error("cannot run {tool} ({path}); run `make tools` or set {env}=")]
    Missing {
        /// Tool name.
        tool: &'static str,
        /// Path tried.
        path: String,
        /// Env override.
        env: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// The tool failed.
    #[error("{tool} failed; its last lines:\n{tail}\nfull log: {log}")]
    Failed {
        /// Tool name.
        tool: &'static str,
        /// Last lines.
        tail: String,
        /// Log path.
        log: String,
    },
    /// A report could not be read.
    #[error("{0}")]
    Report(String),
}

/// The tool an environment variable names, or `default` on PATH.
pub fn tool(env: &'static str, default: &str) -> String {
    std::env::var(env).unwrap_or_else(|_| default.to_string())
}

/// What a tool printed (stdout then stderr), also written to its log file.
pub struct ToolOutput {
    /// Everything it printed.
    pub text: String,
    /// Its last `tail` lines when it exited with failure; None on success.
    pub failure_tail: Option<String>,
}

/// Runs `cmd`, writes all it prints to `log`, and keeps the last `tail` lines if it fails.
/// Shared by the FPGA flow and the Verilator model builds, which wrap it in their own errors.
pub fn run_logged(cmd: &mut Command, log: &Path, tail: usize) -> std::io::Result<ToolOutput> {
    let out = cmd.output()?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::write(log, &text);
    let failure_tail = (!out.status.success()).then(|| {
        let last: Vec<&str> = text.lines().rev().take(tail).collect();
        last.into_iter().rev().collect::<Vec<_>>().join("\n")
    });
    Ok(ToolOutput { text, failure_tail })
}

fn run(
    name: &'static str,
    env: &'static str,
    path: &str,
    args: &[String],
    dir: &Path,
    log: &str,
) -> Result<String, FlowError> {
    let log = dir.join(log);
    let out = run_logged(Command::new(path).args(args).current_dir(dir), &log, 20)
        .map_err(|source| FlowError::Missing { tool: name, path: path.into(), env, source })?;
    match out.failure_tail {
        Some(tail) => Err(FlowError::Failed { tool: name, tail, log: log.display().to_string() }),
        None => Ok(out.text),
    }
}

/// Runs Yosys on the script file `script` in `dir` (proofs and checks); its output on success.
pub fn yosys_script(script: &str, dir: &Path) -> Result<String, FlowError> {
    run("yosys", "YOSYS", &tool("YOSYS", "yosys"), &["-q".into(), "-s".into(), script.into()], dir, "yosys.log")
}

/// Cell counts of a synthesized design, from `stat -json`.
#[derive(Debug, Clone, Default)]
pub struct SynthStats {
    /// Every cell type and its count.
    pub cells: BTreeMap<String, u64>,
    /// Where the netlist JSON is.
    pub netlist: PathBuf,
}

impl SynthStats {
    /// Count of one cell type.
    pub fn count(&self, cell: &str) -> u64 {
        self.cells.get(cell).copied().unwrap_or(0)
    }
    /// Cells whose name starts with `prefix`, summed.
    pub fn count_prefix(&self, prefix: &str) -> u64 {
        self.cells.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(_, v)| v).sum()
    }
    /// LUT4s (iCE40 `SB_LUT4`, ECP5 `LUT4`).
    pub fn luts(&self) -> u64 {
        self.count("SB_LUT4") + self.count("LUT4")
    }
    /// Flip-flops (iCE40 `SB_DFF*`, ECP5 `TRELLIS_FF`).
    pub fn ffs(&self) -> u64 {
        self.count_prefix("SB_DFF") + self.count("TRELLIS_FF")
    }
    /// Carry cells (iCE40 `SB_CARRY`, ECP5 `CCU2C`).
    pub fn carries(&self) -> u64 {
        self.count("SB_CARRY") + self.count("CCU2C")
    }
}

/// Synthesizes module `top` of `verilog` for `device` in `dir`.
pub fn synth(verilog: &str, top: &str, device: Device, dir: &Path) -> Result<SynthStats, FlowError> {
    synth_with(verilog, top, device, dir, true)
}

/// [`synth`], with `hide_mac16 = false` leaving instantiated `SB_MAC16`s exposed to Yosys's
/// `ice40_dsp` pass: the synthesis-only fault the netlist co-simulation must catch.
pub fn synth_with(
    verilog: &str,
    top: &str,
    device: Device,
    dir: &Path,
    hide_mac16: bool,
) -> Result<SynthStats, FlowError> {
    std::fs::create_dir_all(dir).map_err(|e| FlowError::Report(format!("{}: {e}", dir.display())))?;
    std::fs::write(dir.join("design.v"), verilog).map_err(|e| FlowError::Report(e.to_string()))?;
    // Only the UP5K has DSP blocks among the iCE40s (`CoreShape::leak_multiply` keeps
    // multiplies out of HX8K designs).
    let synth = match device {
        Device::Up5k => "synth_ice40 -dsp",
        Device::Hx8k => "synth_ice40",
        _ => "synth_ecp5",
    };
    // Instantiated SB_MAC16s (`link/counter.rs`) hide from `ice40_dsp` under another name.
    let (hide, unhide) = if device == Device::Up5k && hide_mac16 {
        let bb = crate::link::counter::hidden_mac16_blackbox();
        std::fs::write(dir.join("hidden_mac16.v"), bb).map_err(|e| FlowError::Report(e.to_string()))?;
        let h = crate::link::counter::HIDDEN_MAC16;
        (
            format!("read_verilog -lib hidden_mac16.v; chtype -set {h} t:SB_MAC16; "),
            format!("chtype -set SB_MAC16 t:{h}; delete {h}; "),
        )
    } else {
        (String::new(), String::new())
    };
    let script = format!(
        "read_verilog -sv design.v; {hide}{synth} -top {top}; {unhide}write_json netlist.json; write_verilog -noattr netlist.v; tee -q -o stat.json stat -json"
    );
    let yosys = tool("YOSYS", "yosys");
    run("yosys", "YOSYS", &yosys, &["-q".into(), "-p".into(), script], dir, "yosys.log")?;
    let stat =
        std::fs::read_to_string(dir.join("stat.json")).map_err(|e| FlowError::Report(format!("stat.json: {e}")))?;
    let v: serde_json::Value = serde_json::from_str(&stat).map_err(|e| FlowError::Report(format!("stat.json: {e}")))?;
    let cells = v["design"]["num_cells_by_type"]
        .as_object()
        .ok_or_else(|| FlowError::Report("stat.json has no design.num_cells_by_type".into()))?
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
        .collect();
    Ok(SynthStats { cells, netlist: dir.join("netlist.json") })
}

/// Place-and-route results, from nextpnr's `--report`.
#[derive(Debug, Clone, Default)]
pub struct PnrStats {
    /// Achieved Fmax per clock net, MHz.
    pub fmax_mhz: BTreeMap<String, f64>,
    /// Resource use: (used, available) per bel type.
    pub utilisation: BTreeMap<String, (u64, u64)>,
}

/// Places and routes a synthesized netlist, aiming at `mhz`; pins are left unconstrained.
pub fn pnr(stats: &SynthStats, device: Device, mhz: f64, seed: u64, dir: &Path) -> Result<PnrStats, FlowError> {
    place_and_route(stats, device, mhz, seed, dir, None)
}

/// Places and routes a board top with its pin file (`.pcf` or `.lpf`), aiming at `mhz`, and
/// writes the routed design for [`pack`] (`top.asc` on iCE40, `top.config` on ECP5).
pub fn pnr_pinned(
    stats: &SynthStats,
    device: Device,
    mhz: f64,
    seed: u64,
    dir: &Path,
    pins: &Path,
) -> Result<PnrStats, FlowError> {
    place_and_route(stats, device, mhz, seed, dir, Some(pins))
}

/// Packs the routed design in `dir` into a bitstream: `top.bin` (icepack) or `top.bit`
/// (ecppack). Returns its path.
pub fn pack(device: Device, dir: &Path) -> Result<PathBuf, FlowError> {
    let (name, env, args, out) = if device.is_ice40() {
        ("icepack", "ICEPACK", vec!["top.asc".to_string(), "top.bin".into()], "top.bin")
    } else {
        ("ecppack", "ECPPACK", vec!["--compress".to_string(), "top.config".into(), "top.bit".into()], "top.bit")
    };
    run(name, env, &tool(env, name), &args, dir, &format!("{name}.log"))?;
    Ok(dir.join(out))
}

fn place_and_route(
    stats: &SynthStats,
    device: Device,
    mhz: f64,
    seed: u64,
    dir: &Path,
    pins: Option<&Path>,
) -> Result<PnrStats, FlowError> {
    let (name, env, default) = if device.is_ice40() {
        ("nextpnr-ice40", "NEXTPNR_ICE40", "nextpnr-ice40")
    } else {
        ("nextpnr-ecp5", "NEXTPNR_ECP5", "nextpnr-ecp5")
    };
    // YoWASP tools see only their working directory: give them file names inside it.
    std::fs::create_dir_all(dir).map_err(|e| FlowError::Report(format!("{}: {e}", dir.display())))?;
    if stats.netlist.parent() != Some(dir) {
        std::fs::copy(&stats.netlist, dir.join("netlist.json")).map_err(|e| FlowError::Report(e.to_string()))?;
    }
    let mut args: Vec<String> = device.nextpnr_args().into_iter().map(String::from).collect();
    args.extend(["--json".into(), "netlist.json".into(), "--freq".into(), format!("{mhz}")]);
    args.extend(["--seed".into(), seed.to_string(), "--report".into(), "report.json".into()]);
    // Timing is judged from the report (callers fail loudly); nextpnr would stop before it.
    args.push("--timing-allow-fail".into());
    match pins {
        Some(p) => {
            let ext = if device.is_ice40() { "pcf" } else { "lpf" };
            std::fs::copy(p, dir.join(format!("pins.{ext}")))
                .map_err(|e| FlowError::Report(format!("{}: {e}", p.display())))?;
            args.extend([format!("--{ext}"), format!("pins.{ext}")]);
            if device.is_ice40() {
                args.extend(["--asc".into(), "top.asc".into()]);
            } else {
                args.extend(["--textcfg".into(), "top.config".into()]);
            }
        }
        None => args.push(if device.is_ice40() {
            "--pcf-allow-unconstrained".into()
        } else {
            "--lpf-allow-unconstrained".into()
        }),
    }
    run(name, env, &tool(env, default), &args, dir, "nextpnr.log")?;
    let rep =
        std::fs::read_to_string(dir.join("report.json")).map_err(|e| FlowError::Report(format!("report.json: {e}")))?;
    let v: serde_json::Value =
        serde_json::from_str(&rep).map_err(|e| FlowError::Report(format!("report.json: {e}")))?;
    let fmax_mhz = v["fmax"]
        .as_object()
        .map(|o| o.iter().filter_map(|(k, x)| x["achieved"].as_f64().map(|f| (k.clone(), f))).collect())
        .unwrap_or_default();
    let utilisation = v["utilization"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, x)| (k.clone(), (x["used"].as_u64().unwrap_or(0), x["available"].as_u64().unwrap_or(0))))
                .collect()
        })
        .unwrap_or_default();
    Ok(PnrStats { fmax_mhz, utilisation })
}

/// A measurement wrapper around module `top` with three pins (clock, serial in, out):
/// a shift register drives every input and all outputs are XOR-reduced into one register,
/// so nothing is optimized away and any package has the pins. It adds one flip-flop per
/// input bit and a small XOR tree; figures measured with it say so.
pub fn measurement_top(verilog: &str, ports: &[Port]) -> String {
    let inputs: Vec<&Port> = ports.iter().filter(|p| p.dir == Dir::Input && p.name != "clock").collect();
    let outputs: Vec<&Port> = ports.iter().filter(|p| p.dir == Dir::Output).collect();
    let total: u32 = inputs.iter().map(|p| p.width).sum();
    let mut v = String::from(verilog);
    v += &format!("\nmodule measure(input wire clk, input wire din, output reg dout);\nreg [{}:0] sh;\n", total - 1);
    v += &format!("always @(posedge clk) sh <= {{sh[{}:0], din}};\n", total.saturating_sub(2));
    let mut at = 0;
    let mut conns = vec![".clock(clk)".to_string()];
    for p in &inputs {
        conns.push(format!(".{}(sh[{}:{at}])", p.name, at + p.width - 1));
        at += p.width;
    }
    for p in &outputs {
        v += &format!("wire [{}:0] o_{};\n", p.width - 1, p.name);
        conns.push(format!(".{0}(o_{0})", p.name));
    }
    v += &format!("top core(\n    {}\n);\n", conns.join(",\n    "));
    let xs: Vec<String> = outputs.iter().map(|p| format!("^o_{}", p.name)).collect();
    v += &format!("always @(posedge clk) dout <= {};\nendmodule\n", xs.join(" ^ "));
    v
}

/// An exclusive lock on the file `path` (created, with its folder, if missing), held until the
/// returned file is dropped or the process ends: caches that several processes fill (netlists,
/// Verilator models) take it so that one of them builds an entry and the others read it.
pub fn exclusive_lock(path: &Path) -> std::io::Result<std::fs::File> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path)?;
    f.lock()?;
    Ok(f)
}
