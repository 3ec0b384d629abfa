//! Verilator models built at run time and driven from Rust (see `build.rs` for the flow).

mod build;
pub use spikemesh_hdl::ports;
mod shim;

pub use build::{build, cache_root, verilator_bin, BuildError, Built};
use libloading::{Library, Symbol};
use ports::{Dir, Port};
use std::collections::HashMap;
use std::ffi::{c_void, CString};
use std::path::Path;
use std::sync::Arc;

/// Index of a port, looked up once by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortId(u32);

type FnNew = unsafe extern "C" fn() -> *mut c_void;
type FnFree = unsafe extern "C" fn(*mut c_void);
type FnSet = unsafe extern "C" fn(*mut c_void, u32, u64);
type FnGet = unsafe extern "C" fn(*mut c_void, u32) -> u64;
type FnEval = unsafe extern "C" fn(*mut c_void);
type FnTick = unsafe extern "C" fn(*mut c_void, u32, u64);
type FnTrace = unsafe extern "C" fn(*mut c_void, *const i8) -> i32;
type FnTickWhile = unsafe extern "C" fn(*mut c_void, u32, u32, u64, u32, u64, u64) -> u64;

/// The functions of one loaded model library.
struct Api {
    _lib: Library,
    new: FnNew,
    free: FnFree,
    set: FnSet,
    get: FnGet,
    eval: FnEval,
    tick: FnTick,
    tick_while: FnTickWhile,
    trace_open: FnTrace,
}

/// One running instance of a Verilator model, with its own `VerilatedContext`.
pub struct Model {
    api: Arc<Api>,
    handle: *mut c_void,
    ports: Vec<Port>,
    by_name: HashMap<String, PortId>,
}

// The model is only touched through &mut self; each instance owns its context.
unsafe impl Send for Model {}

impl Model {
    /// Builds (or finds in the cache) module `top` of `verilog`, loads one instance and, with
    /// `vcd`, starts a waveform trace into that file.
    pub fn open(verilog: &str, top: &str, what: &str, vcd: Option<&Path>) -> Result<Self, BuildError> {
        let built = build(verilog, top, vcd.is_some(), what)?;
        let mut model = Self::load(&built)?;
        if let Some(path) = vcd {
            model.trace(path)?;
        }
        Ok(model)
    }

    /// Loads a built library and creates one instance.
    pub fn load(built: &Built) -> Result<Self, BuildError> {
        let err = |e: libloading::Error| BuildError::Other(format!("loading {}: {e}", built.library.display()));
        // SAFETY: the library is one we built from our own shim; its symbols have the signatures above.
        let api = unsafe {
            let lib = Library::new(&built.library).map_err(err)?;
            macro_rules! sym {
                ($n:literal, $t:ty) => {{
                    let s: Symbol<$t> = lib.get($n).map_err(err)?;
                    *s
                }};
            }
            Api {
                new: sym!(b"sm_new", FnNew),
                free: sym!(b"sm_free", FnFree),
                set: sym!(b"sm_set", FnSet),
                get: sym!(b"sm_get", FnGet),
                eval: sym!(b"sm_eval", FnEval),
                tick: sym!(b"sm_tick", FnTick),
                tick_while: sym!(b"sm_tick_while", FnTickWhile),
                trace_open: sym!(b"sm_trace_open", FnTrace),
                _lib: lib,
            }
        };
        // SAFETY: sm_new allocates a fresh model; it is freed exactly once in Drop.
        let handle = unsafe { (api.new)() };
        let by_name = built.ports.iter().enumerate().map(|(i, p)| (p.name.clone(), PortId(i as u32))).collect();
        Ok(Self { api: Arc::new(api), handle, ports: built.ports.clone(), by_name })
    }

    /// The port called `name`.
    pub fn port(&self, name: &str) -> PortId {
        *self.by_name.get(name).unwrap_or_else(|| panic!("the model has no port `{name}`"))
    }

    /// Drives input `p` (the value is masked to the port width).
    pub fn set(&mut self, p: PortId, v: u64) {
        let port = &self.ports[p.0 as usize];
        debug_assert_eq!(port.dir, Dir::Input, "{} is not an input", port.name);
        let v = if port.width == 64 { v } else { v & ((1u64 << port.width) - 1) };
        // SAFETY: handle is live; the index is one of this model's ports.
        unsafe { (self.api.set)(self.handle, p.0, v) }
    }

    /// Reads port `p` (zero-extended).
    pub fn get(&self, p: PortId) -> u64 {
        // SAFETY: handle is live; the index is one of this model's ports.
        unsafe { (self.api.get)(self.handle, p.0) }
    }

    /// Reads port `p` as a signed value of its width.
    pub fn get_signed(&self, p: PortId) -> i64 {
        let w = self.ports[p.0 as usize].width;
        let v = self.get(p);
        if w == 64 {
            v as i64
        } else {
            ((v << (64 - w)) as i64) >> (64 - w)
        }
    }

    /// Settles combinational logic after inputs changed.
    pub fn eval(&mut self) {
        // SAFETY: handle is live.
        unsafe { (self.api.eval)(self.handle) }
    }

    /// `n` rising edges of `clock`.
    pub fn tick(&mut self, clock: PortId, n: u64) {
        // SAFETY: handle is live.
        unsafe { (self.api.tick)(self.handle, clock.0, n) }
    }

    /// Rising edges of `clock` while `a == va` and `b == vb` (checked before each edge), at
    /// most `max`; returns how many ran.
    pub fn tick_while(&mut self, clock: PortId, a: (PortId, u64), b: (PortId, u64), max: u64) -> u64 {
        // SAFETY: handle is live; indices are this model's ports.
        unsafe { (self.api.tick_while)(self.handle, clock.0, a.0 .0, a.1, b.0 .0, b.1, max) }
    }

    /// Starts a VCD trace (the model must have been built with tracing).
    pub fn trace(&mut self, path: &Path) -> Result<(), BuildError> {
        let c = CString::new(path.display().to_string()).map_err(|e| BuildError::Other(e.to_string()))?;
        // SAFETY: handle is live; the string outlives the call.
        match unsafe { (self.api.trace_open)(self.handle, c.as_ptr()) } {
            0 => Ok(()),
            -2 => Err(BuildError::Other("this model was built without tracing".into())),
            _ => Err(BuildError::Other(format!("cannot open {}", path.display()))),
        }
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: handle came from sm_new and is freed once.
        unsafe { (self.api.free)(self.handle) }
    }
}
