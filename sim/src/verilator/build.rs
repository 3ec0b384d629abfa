//! Builds a Verilator model into a shared library at run time, cached by content hash.
//!
//! generate Verilog -> `verilator --cc` -> compile the model and the shim in a few unity
//! units (`unity_units`), link them with the Verilator runtime (compiled once per toolchain)
//! -> `libmodel.so`. The cache key covers the
//! Verilog, the shim, the tracing flag and the Verilator and compiler versions, so a change
//! in any of them rebuilds and nothing stale is ever loaded.

use super::shim;
use spikemesh_hdl::ports::Port;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What can go wrong while building a model.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A tool could not be started.
    #[error("cannot run {tool} (set VERILATOR=/path/to/verilator, or run `make tools`)")]
    Spawn {
        /// The command.
        tool: String,
        /// Why.
        source: std::io::Error,
    },
    /// A tool ran and failed.
    #[error("{tool} failed; its last lines:\n{tail}\nfull log: {log}")]
    Failed {
        /// The command.
        tool: String,
        /// Last lines of its output.
        tail: String,
        /// Where the whole log is.
        log: String,
    },
    /// Anything else (I/O, bad Verilog).
    #[error("{0}")]
    Other(String),
}

/// A built model library and the ports it exposes.
#[derive(Debug, Clone)]
pub struct Built {
    /// Path of `libmodel.so`.
    pub library: PathBuf,
    /// Ports of the top module.
    pub ports: Vec<Port>,
}

/// The Verilator binary: `VERILATOR`, else `verilator` on PATH.
pub fn verilator_bin() -> String {
    std::env::var("VERILATOR").unwrap_or_else(|_| "verilator".into())
}

fn cxx() -> String {
    std::env::var("CXX").unwrap_or_else(|_| "g++".into())
}

fn run(cmd: &mut Command, tool: &str, log: &Path) -> Result<String, BuildError> {
    let out = spikemesh_hdl::fpga::flow::run_logged(cmd, log, 25)
        .map_err(|source| BuildError::Spawn { tool: tool.into(), source })?;
    match out.failure_tail {
        Some(tail) => Err(BuildError::Failed { tool: tool.into(), tail, log: log.display().to_string() }),
        None => Ok(out.text),
    }
}

fn tool_versions() -> Result<String, BuildError> {
    let v = run(
        Command::new(verilator_bin()).arg("--version"),
        "verilator --version",
        &std::env::temp_dir().join("spikemesh-verilator-version.log"),
    )?;
    let root = run(
        Command::new(verilator_bin()).args(["--getenv", "VERILATOR_ROOT"]),
        "verilator --getenv",
        &std::env::temp_dir().join("spikemesh-verilator-root.log"),
    )?;
    let c = run(
        Command::new(cxx()).arg("--version"),
        "c++ --version",
        &std::env::temp_dir().join("spikemesh-cxx-version.log"),
    )?;
    Ok(format!("{v}|{root}|{}", c.lines().next().unwrap_or("")))
}

/// Where built models live: `SPIKEMESH_MODEL_CACHE`, else `~/.cache/spikemesh/models`.
pub fn cache_root() -> PathBuf {
    if let Ok(p) = std::env::var("SPIKEMESH_MODEL_CACHE") {
        return PathBuf::from(p);
    }
    let base = std::env::var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| ".".into())).join(".cache"));
    base.join("spikemesh").join("models")
}

/// Builds (or finds in the cache) the model of module `top` in `verilog`.
/// `what` names the model in the one progress line printed when a build is needed.
pub fn build(verilog: &str, top: &str, trace: bool, what: &str) -> Result<Built, BuildError> {
    let ports = spikemesh_hdl::ports::parse_ports(verilog, top).map_err(BuildError::Other)?;
    let shim_src = shim::source(&ports, trace);
    let versions = tool_versions()?;
    let mut h = DefaultHasher::new();
    (verilog, top, trace, &shim_src, &versions, CXX_FLAGS, FAST_OPT, SLOW_OPT, UNIT_BYTES).hash(&mut h);
    let dir = cache_root().join(format!("{:016x}", h.finish()));
    let lib = dir.join("libmodel.so");
    if lib.exists() {
        return Ok(Built { library: lib, ports });
    }
    // One build at a time in this process (a build already uses every core); a thread that
    // waited finds the library its predecessor published.
    static BUILDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = BUILDING.lock().unwrap_or_else(|p| p.into_inner());
    // And one build of this model on the machine: test processes run side by side (nextest),
    // and the second finds the library the first published instead of building it again.
    let _lock = lock_file(&dir.with_extension("lock"))?;
    if lib.exists() {
        return Ok(Built { library: lib, ports });
    }
    eprintln!(
        "spikemesh: building the Verilator model of {what} (first use of this shape; later runs load it from {})",
        dir.display()
    );
    let started = std::time::Instant::now();
    static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let work = dir.with_extension(format!("tmp{}-{serial}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let obj = work.join("obj");
    std::fs::create_dir_all(&obj).map_err(|e| BuildError::Other(format!("creating {}: {e}", obj.display())))?;
    let vfile = work.join(format!("{top}.v"));
    std::fs::write(&vfile, verilog).map_err(|e| BuildError::Other(e.to_string()))?;
    std::fs::write(work.join("shim.cpp"), &shim_src).map_err(|e| BuildError::Other(e.to_string()))?;
    let mut v = Command::new(verilator_bin());
    v.args([
        "--cc",
        "-O3",
        "--x-assign",
        "fast",
        "--x-initial",
        "fast",
        "--noassert",
        "-Wno-fatal",
        "-Wno-lint",
        "-Wno-style",
    ])
    .args(["--top-module", top, "--prefix", "Vtop", "--Mdir"])
    .arg(&obj)
    .arg(&vfile);
    if trace {
        v.arg("--trace");
    }
    run(&mut v, "verilator --cc", &work.join("verilator.log"))?;
    let root = run(
        Command::new(verilator_bin()).args(["--getenv", "VERILATOR_ROOT"]),
        "verilator --getenv",
        &work.join("root.log"),
    )?;
    let inc = PathBuf::from(root.trim()).join("include");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&obj)
        .map_err(|e| BuildError::Other(e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cpp"))
        .collect();
    sources.sort();
    sources.push(work.join("shim.cpp"));
    let units = unity_units(&sources, &work)?;
    let objects: Vec<PathBuf> = units.iter().map(|u| u.source.with_extension("o")).collect();
    compile(&units, &objects, &inc, Some(&obj), &work)?;
    let runtime = runtime_objects(&inc, &versions, trace)?;
    link(&[objects, runtime].concat(), &work, &work.join("libmodel.so"))?;
    // Publish atomically: a concurrent builder of the same model either wins or finds ours.
    match std::fs::rename(&work, &dir) {
        Ok(()) => {}
        Err(_) if lib.exists() => {
            let _ = std::fs::remove_dir_all(&work);
        }
        Err(e) => return Err(BuildError::Other(format!("publishing {}: {e}", dir.display()))),
    }
    eprintln!("spikemesh: built the Verilator model of {what} in {:.0} s", started.elapsed().as_secs_f64());
    Ok(Built { library: lib, ports })
}

/// Flags every object of a model is compiled with (the optimisation level is the unit's).
const CXX_FLAGS: [&str; 5] = ["-std=gnu++20", "-fPIC", "-fno-semantic-interposition", "-w", "-DVL_IGNORE_UNKNOWN_ARCH"];

/// Optimisation of a model's clocked code: `-O1` compiles a chip netlist 40 % faster and runs
/// the bench core 14 % slower (measured), and models are run far longer than built.
const FAST_OPT: &str = "-O2";

/// Optimisation of a model's construction and first settle (Verilator's `__Slow` files).
const SLOW_OPT: &str = "-O0";

/// Bytes of generated C++ per compilation unit of a model's clocked code: large models are
/// split over the cores, small ones compile as one unit.
const UNIT_BYTES: u64 = 1 << 20;

/// One translation unit: a file that `#include`s some of Verilator's output, and its `-O`.
#[derive(Debug)]
struct Unit {
    source: PathBuf,
    opt: &'static str,
}

/// Groups a model's C++ files into unity units (the scheme of Verilator's own `__ALL.cpp`).
/// Every generated file includes `verilated.h`, whose parse costs more than a small model's
/// code: one unit instead of six made a 3 kB model's build 5x faster (6.6 s -> 1.3 s of CPU).
/// The `__Slow` files (construction and the first settle, run once) compile at `-O0`: at `-O2`
/// they took 22 of a chip netlist's 67 s and make no difference to its speed. The clocked code
/// keeps `-O2`, split into units of about `UNIT_BYTES` so a large model uses every core.
fn unity_units(sources: &[PathBuf], work: &Path) -> Result<Vec<Unit>, BuildError> {
    let size = |p: &PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let (slow, fast): (Vec<&PathBuf>, Vec<&PathBuf>) =
        sources.iter().partition(|p| p.file_name().is_some_and(|n| n.to_string_lossy().contains("__Slow")));
    let jobs = cores() as u64;
    let fast_bytes: u64 = fast.iter().map(|p| size(p)).sum();
    let parts = fast_bytes.div_ceil(UNIT_BYTES).clamp(1, jobs) as usize;
    // Largest file first into the lightest unit: balanced units finish together.
    let mut by_size = fast.clone();
    by_size.sort_by_key(|p| std::cmp::Reverse(size(p)));
    let mut groups: Vec<(u64, Vec<&PathBuf>)> = vec![(0, Vec::new()); parts];
    for p in by_size {
        let g = groups.iter_mut().min_by_key(|g| g.0).expect("at least one unit");
        g.0 += size(p);
        g.1.push(p);
    }
    let mut units = Vec::new();
    let mut write = |name: String, files: &[&PathBuf], opt: &'static str| -> Result<(), BuildError> {
        let source = work.join(name);
        let text: String = files.iter().map(|f| format!("#include \"{}\"\n", f.display())).collect();
        std::fs::write(&source, text).map_err(|e| BuildError::Other(format!("writing {}: {e}", source.display())))?;
        units.push(Unit { source, opt });
        Ok(())
    };
    if !slow.is_empty() {
        write("unit_slow.cpp".into(), &slow, SLOW_OPT)?;
    }
    for (i, (_, files)) in groups.iter().enumerate().filter(|(_, g)| !g.1.is_empty()) {
        write(format!("unit_fast{i}.cpp"), files, FAST_OPT)?;
    }
    Ok(units)
}

/// The machine's cores: the compile threads, and the most units a model is split into.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Holds an exclusive lock on `path` until dropped (`fpga::flow::exclusive_lock`).
fn lock_file(path: &Path) -> Result<std::fs::File, BuildError> {
    spikemesh_hdl::fpga::flow::exclusive_lock(path)
        .map_err(|e| BuildError::Other(format!("locking {}: {e}", path.display())))
}

/// The Verilator runtime's objects (`verilated.cpp` and friends), compiled once per Verilator,
/// compiler and flags and shared by every model: they do not depend on the model, and
/// compiling them is most of a small model's build (about 11 s of CPU each time).
fn runtime_objects(inc: &Path, versions: &str, trace: bool) -> Result<Vec<PathBuf>, BuildError> {
    let mut names = vec!["verilated.cpp", "verilated_threads.cpp"];
    if trace {
        names.push("verilated_vcd_c.cpp");
    }
    let mut h = DefaultHasher::new();
    (versions, &names, CXX_FLAGS, FAST_OPT, 1u32).hash(&mut h);
    let dir = cache_root().join(format!("runtime-{:016x}", h.finish()));
    let objects: Vec<PathBuf> = names.iter().map(|n| dir.join(Path::new(n).with_extension("o"))).collect();
    if dir.exists() {
        return Ok(objects);
    }
    let _lock = lock_file(&dir.with_extension("lock"))?;
    if dir.exists() {
        return Ok(objects);
    }
    let work = dir.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| BuildError::Other(format!("creating {}: {e}", work.display())))?;
    let sources: Vec<Unit> = names.iter().map(|n| Unit { source: inc.join(n), opt: FAST_OPT }).collect();
    let tmp_objects: Vec<PathBuf> = objects.iter().map(|o| work.join(o.file_name().unwrap_or_default())).collect();
    compile(&sources, &tmp_objects, inc, None, &work)?;
    std::fs::rename(&work, &dir).map_err(|e| BuildError::Other(format!("publishing {}: {e}", dir.display())))?;
    Ok(objects)
}

/// Compiles `sources[i]` to `objects[i]` on all cores (`include`: the model's own headers).
fn compile(
    sources: &[Unit],
    objects: &[PathBuf],
    inc: &Path,
    include: Option<&Path>,
    work: &Path,
) -> Result<(), BuildError> {
    let jobs = cores();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let errors = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|sc| {
        for _ in 0..jobs {
            sc.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= sources.len() {
                    break;
                }
                let mut c = Command::new(cxx());
                c.args(CXX_FLAGS).arg(sources[i].opt).arg("-I").arg(inc).arg("-I").arg(inc.join("vltstd"));
                if let Some(dir) = include {
                    c.arg("-I").arg(dir);
                }
                c.arg("-c").arg(&sources[i].source).arg("-o").arg(&objects[i]);
                let what = format!("{} -c {}", cxx(), sources[i].source.display());
                if let Err(e) = run(&mut c, &what, &work.join(format!("cc{i}.log"))) {
                    errors.lock().unwrap_or_else(|p| p.into_inner()).push(e);
                }
            });
        }
    });
    match errors.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Links `objects` into the shared library `out`.
fn link(objects: &[PathBuf], work: &Path, out: &Path) -> Result<(), BuildError> {
    let mut l = Command::new(cxx());
    l.args(["-shared", "-fPIC", "-o"]).arg(out).args(objects).arg("-pthread");
    run(&mut l, "link", &work.join("link.log"))?;
    Ok(())
}
