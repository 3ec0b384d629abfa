//! `spikemesh._native`: the Rust side of the Python package. Every call is the code the
//! `spikemesh` command runs (the `spikemesh_cli` library, the golden model, the RTL); this file
//! only converts between numpy and Rust, releases the GIL around long runs, and turns errors
//! into `spikemesh.SpikemeshError` with the command's message (file, line, field).

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyReadonlyArray2};
use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use spikemesh_sim::rtl_mesh::RtlMesh;
use spikemesh_sim::{record_run, simulate, DeliveryOrder};
use spikemesh_spec::{Mapping, Stimulus};
use std::path::PathBuf;

create_exception!(
    _native,
    SpikemeshError,
    pyo3::exceptions::PyException,
    "An error the spikemesh command would print."
);

/// Any error as the command prints it (the whole chain of causes).
fn err(e: impl std::fmt::Display) -> PyErr {
    SpikemeshError::new_err(format!("{e:#}"))
}

/// A network file, loaded and mapped onto its hardware.
#[pyclass(module = "spikemesh._native", frozen)]
pub struct Network {
    net: spikemesh_spec::Network,
    mapping: Mapping,
    path: PathBuf,
}

#[pymethods]
impl Network {
    /// Loads a network TOML file (errors name the file, line and field).
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Network> {
        let (net, mapping) = spikemesh_cli::load(&path).map_err(err)?;
        Ok(Network { net, mapping, path })
    }

    /// Imports a NIR file onto `board` as `spikemesh import` does; returns the network and the
    /// report as JSON text.
    #[staticmethod]
    #[pyo3(signature = (path, board, out, weight_bits=None, neurons_per_core=None, model=None, convention=None, dt=None, reset=None, steps=200))]
    #[allow(clippy::too_many_arguments)]
    fn from_nir(
        py: Python<'_>,
        path: PathBuf,
        board: String,
        out: PathBuf,
        weight_bits: Option<u32>,
        neurons_per_core: Option<usize>,
        model: Option<String>,
        convention: Option<String>,
        dt: Option<f64>,
        reset: Option<String>,
        steps: usize,
    ) -> PyResult<(Network, String)> {
        let args = spikemesh_cli::import::Args {
            nir: path,
            board,
            weight_bits,
            convention: spikemesh_cli::convention_args::ConventionArgs { dt, convention, reset },
            model,
            neurons_per_core,
            out,
            stimulus: None,
            steps,
            json: true,
        };
        let report = py.detach(|| spikemesh_cli::import::import(&args)).map_err(err)?;
        let net = Network::load(report.imported.toml.clone())?;
        Ok((net, report.json().to_string()))
    }

    /// The file it was loaded from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Populations as (name, size, is_input, recorded).
    #[getter]
    fn populations(&self) -> Vec<(String, usize, bool, bool)> {
        self.net.populations.iter().map(|p| (p.name.clone(), p.size, p.is_input(), p.record)).collect()
    }

    /// Builds the bitstream as `spikemesh synth` does (Yosys, nextpnr, pack) into `out`, with
    /// nextpnr's `seed`; returns its report as JSON text (LUTs, block RAMs, Fmax, timing met,
    /// cycles per timestep). The GIL is released while the tools run.
    #[pyo3(signature = (out, seed=1, verify_netlist=0))]
    fn synth_json(&self, py: Python<'_>, out: PathBuf, seed: u64, verify_netlist: usize) -> PyResult<String> {
        let args = spikemesh_cli::synth::Args {
            net: self.path.clone(),
            board: None,
            seed,
            out,
            stop_after: spikemesh_cli::synth::Stage::Bitstream,
            measure_steps: 20,
            verify_netlist,
            json: true,
        };
        let (report, _) = py.detach(|| spikemesh_cli::synth::synth_report(&args)).map_err(err)?;
        serde_json::to_string(&report).map_err(err)
    }

    /// `spikemesh check --json` as JSON text: the fit, the board's memory, the clock.
    fn check_json(&self) -> PyResult<String> {
        spikemesh_cli::check_json(&self.net, &self.mapping).map(|v| v.to_string()).map_err(err)
    }

    /// Runs `steps` timesteps. `inputs` maps input population names to uint8 rasters
    /// [steps, size] (added to the file's drives); `engine` is "golden" or "verilator" (the RTL
    /// in lock-step is `spikemesh simulate --engine both`). Returns the spike raster of every
    /// recorded population (or of `record`), uint8 [steps, size], and the potentials of every
    /// simulated neuron after the last timestep, int64 [size], per population.
    #[pyo3(signature = (steps, inputs, engine="golden", record=None, port=None, baud=None))]
    #[allow(clippy::too_many_arguments)] // Python keywords, one per option
    fn simulate<'py>(
        &self,
        py: Python<'py>,
        steps: usize,
        inputs: Vec<(String, PyReadonlyArray2<'py, u8>)>,
        engine: &str,
        record: Option<Vec<String>>,
        port: Option<String>,
        baud: Option<u32>,
    ) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
        let net = &self.net;
        let mut stim = Stimulus::build(net, steps, None).map_err(err)?;
        for (name, raster) in &inputs {
            let p = net.population_index(name).ok_or_else(|| err(format!("inputs: no population named '{name}'")))?;
            let pop = &net.populations[p];
            if !pop.is_input() {
                return Err(err(format!("inputs: '{name}' is not an input population (the host drives only inputs)")));
            }
            let a = raster.as_array();
            if a.shape() != [steps, pop.size] {
                return Err(err(format!(
                    "inputs['{name}']: shape {:?}, expected [{steps}, {}] (timesteps, neurons)",
                    a.shape(),
                    pop.size
                )));
            }
            for ((t, k), &x) in a.indexed_iter() {
                match x {
                    0 => {}
                    1 => stim.steps[t].push((p as u32, k as u32)),
                    _ => return Err(err(format!("inputs['{name}'][{t}, {k}] = {x}: spikes are 0 or 1"))),
                }
            }
        }
        for s in &mut stim.steps {
            s.sort_unstable();
            if let Some(w) = s.windows(2).find(|w| w[0] == w[1]) {
                return Err(err(format!(
                    "population {} neuron {}: spiked by the file's drive and by inputs in one timestep",
                    w[0].0, w[0].1
                )));
            }
        }
        let wanted: Vec<bool> = match &record {
            None => net.populations.iter().map(|p| p.record).collect(),
            Some(names) => {
                let mut w = vec![false; net.populations.len()];
                for n in names {
                    w[net.population_index(n).ok_or_else(|| err(format!("record: no population named '{n}'")))?] = true;
                }
                w
            }
        };
        let mapping = &self.mapping;
        let result = match engine {
            "golden" => py.detach(|| simulate(mapping, &stim, &wanted, DeliveryOrder::InOrder, |_| {})),
            "verilator" => py.detach(|| -> PyResult<_> {
                let mut rtl = RtlMesh::new(mapping, None).map_err(err)?;
                Ok(record_run(&mut rtl, mapping, &stim, &wanted, |_| {}))
            })?,
            "board" => {
                let port = port.ok_or_else(|| {
                    err("engine 'board' needs port= (the board's serial port, or the path `spikemesh board-sim` printed)")
                })?;
                py.detach(|| -> PyResult<_> { on_board(net, mapping, &stim, &wanted, &port, baud) })?
            }
            other => return Err(err(format!("engine '{other}': golden, verilator or board"))),
        };
        let spikes = PyDict::new(py);
        let mut rasters: Vec<Option<Vec<u8>>> =
            net.populations.iter().zip(&wanted).map(|(p, &w)| w.then(|| vec![0u8; steps * p.size])).collect();
        for s in &result.spikes {
            if let Some(r) = &mut rasters[s.population as usize] {
                r[s.timestep as usize * net.populations[s.population as usize].size + s.neuron as usize] = 1;
            }
        }
        for (p, r) in net.populations.iter().zip(rasters) {
            if let Some(r) = r {
                // Moved into numpy, not copied.
                let a = Array2::from_shape_vec((steps, p.size), r).map_err(err)?;
                spikes.set_item(&p.name, a.into_pyarray(py))?;
            }
        }
        let potentials = PyDict::new(py);
        for (i, p) in net.populations.iter().enumerate().filter(|(_, p)| !p.is_input()) {
            let v: Vec<i64> = (0..p.size).map(|k| mapping.slot_of(i, k).map_or(0, |g| result.potentials[g])).collect();
            potentials.set_item(&p.name, v.into_pyarray(py))?;
        }
        Ok((spikes, potentials))
    }
}

/// Loads the network onto the board on `port` and runs `stim` there, as `spikemesh run` does.
fn on_board(
    net: &spikemesh_spec::Network,
    mapping: &Mapping,
    stim: &Stimulus,
    wanted: &[bool],
    port: &str,
    baud: Option<u32>,
) -> PyResult<spikemesh_sim::RunResult> {
    use spikemesh_hdl::neuron::{check_datapaths, Target};
    if let Some((p, _)) = net.populations.iter().zip(wanted).find(|(p, &w)| w && !p.record && !p.is_input()) {
        return Err(err(format!(
            "record: the board sends only recorded populations' spikes: set record = true on '{}' in {}",
            p.name,
            net.path.display()
        )));
    }
    check_datapaths(net, mapping, Target::Board).map_err(err)?;
    let mut board = spikemesh_host::Board::open(port, baud.unwrap_or(net.hardware.baud)).map_err(err)?;
    board.load(mapping, |_, _| {}).map_err(|e| err(format!("loading the network onto {port}: {e}")))?;
    let mut engine = spikemesh_cli::session::BoardEngine { board: &mut board, mapping, t: 0, error: None };
    let result = record_run(&mut engine, mapping, stim, wanted, |_| {});
    if let Some((t, e)) = engine.error.take() {
        return Err(err(format!("{port}, timestep {t}: {e}")));
    }
    board.check_spikes().map_err(err)?;
    Ok(result)
}

/// Runs the `spikemesh` command with `argv` (argv[0] is the program name); returns its exit code.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<String>) -> i32 {
    py.detach(|| spikemesh_cli::main_code(argv.into_iter().map(Into::into))) as i32
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Network>()?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add("SpikemeshError", m.py().get_type::<SpikemeshError>())?;
    Ok(())
}
