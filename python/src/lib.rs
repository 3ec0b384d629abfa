//! `spikemesh._native`: the Rust side of the Python package. Every call is the code the
//! `spikemesh` command runs (the `spikemesh_cli` library, the golden model, the RTL); this file
//! only converts between numpy and Rust, releases the GIL around long runs, and turns errors
//! into `spikemesh.SpikemeshError` with the command's message (file, line, field).

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyReadonlyArray2, PyReadonlyArray3};
use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use spikemesh_sim::rtl_mesh::RtlMesh;
use spikemesh_sim::{record_run_until, DeliveryOrder, Golden};
use spikemesh_spec::{Mapping, Stimulus};
use std::path::PathBuf;

mod progress;
mod stimulus;

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
    #[pyo3(signature = (path, board, out, weight_bits=None, neurons_per_core=None, model=None, convention=None, dt=None, reset=None, steps=200, clock_mhz=None))]
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
        clock_mhz: Option<f64>,
    ) -> PyResult<(Network, String)> {
        let args = spikemesh_cli::import::Args {
            nir: path,
            board,
            weight_bits,
            convention: spikemesh_cli::convention_args::ConventionArgs { dt, convention, reset },
            model,
            neurons_per_core,
            clock_mhz,
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
    #[pyo3(signature = (steps, inputs, engine="golden", record=None, port=None, baud=None, progress=None))]
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
        progress: Option<Py<PyAny>>,
    ) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
        let net = &self.net;
        let given = stimulus::Steps::new(net, steps, &inputs).map_err(err)?;
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
        let wanted_ref = &wanted[..];
        // The RTL and the board are far slower than drawing their input: theirs is drawn first.
        let whole = |given: stimulus::Steps| given.collect::<Result<Vec<_>, _>>().map(|steps| Stimulus { steps });
        let result = match engine {
            "golden" => progress::run(py, progress.as_ref(), steps, |c| {
                let mut chip = Golden::new(mapping);
                chip.set_order(DeliveryOrder::InOrder);
                given
                    .streamed(|steps| record_run_until(&mut chip, mapping, steps, wanted_ref, |t| c.at(t)))
                    .map_err(err)
            })?,
            "verilator" => progress::run(py, progress.as_ref(), steps, |c| {
                let stim = whole(given).map_err(err)?;
                let mut rtl = RtlMesh::new(mapping, None).map_err(err)?;
                Ok(record_run_until(&mut rtl, mapping, &stim.steps, wanted_ref, |t| c.at(t)))
            })?,
            "board" => {
                let port = port.ok_or_else(|| {
                    err("engine 'board' needs port= (the board's serial port, or the path `spikemesh board-sim` printed)")
                })?;
                progress::run(py, progress.as_ref(), steps, |c| {
                    on_board(net, mapping, &whole(given).map_err(err)?, wanted_ref, &port, baud, c)
                })?
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

    /// Classifies samples, uint8 [n, steps, size] of 0/1 into input population `input`, as
    /// `spikemesh evaluate` does (the same code: `spikemesh_cli::score`): each sample from rest,
    /// on the golden model (samples over all threads), the RTL or a board (both checked against
    /// the golden model). Returns the per-class scores [n, classes] (spike counts, or final
    /// potentials with decode="potential"), the engine's name, its threads, samples/s, and the
    /// clock cycles of each sample on the RTL (empty otherwise).
    #[pyo3(signature = (samples, input, output=None, engine="golden", decode="spikes", port=None, baud=None, progress=None))]
    #[allow(clippy::too_many_arguments)] // Python keywords, one per option
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        samples: PyReadonlyArray3<'py, u8>,
        input: &str,
        output: Option<String>,
        engine: &str,
        decode: &str,
        port: Option<String>,
        baud: Option<u32>,
        progress: Option<Py<PyAny>>,
    ) -> Evaluated<'py> {
        use spikemesh_cli::score::{self, Decode, Hardware};
        let net = &self.net;
        let p = net.population_index(input).ok_or_else(|| err(format!("input: no population named '{input}'")))?;
        if !net.populations[p].is_input() {
            return Err(err(format!("input: '{input}' is not an input population")));
        }
        let a = samples.as_array();
        let size = net.populations[p].size;
        if a.shape()[2] != size {
            return Err(err(format!(
                "samples: shape {:?}, expected [n, steps, {size}] (samples, timesteps, neurons of '{input}')",
                a.shape()
            )));
        }
        let mut data = vec![vec![Vec::new(); a.shape()[1]]; a.shape()[0]];
        for ((n, t, k), &x) in a.indexed_iter() {
            match x {
                0 => {}
                1 => data[n][t].push((p as u32, k as u32)),
                _ => return Err(err(format!("samples[{n}, {t}, {k}] = {x}: spikes are 0 or 1"))),
            }
        }
        let out_pop = score::output_population(net, output.as_deref()).map_err(err)?;
        let decode = match decode {
            "spikes" => Decode::Spikes,
            "potential" => Decode::Potential,
            other => return Err(err(format!("decode '{other}': spikes or potential"))),
        };
        let hw = match (engine, &port) {
            ("golden", _) => Hardware::Golden,
            ("verilator", _) => Hardware::Verilator,
            ("board", Some(port)) => Hardware::Board {
                port,
                baud: baud.unwrap_or(net.hardware.baud),
                timeout_ms: spikemesh_host::board::DEFAULT_TIMEOUT_MS,
            },
            ("board", None) => return Err(err("engine 'board' needs port= (the board's serial port)")),
            (other, _) => return Err(err(format!("engine '{other}': golden, verilator or board"))),
        };
        let mapping = &self.mapping;
        let scored = progress::run(py, progress.as_ref(), data.len(), |c| {
            match score::score(net, mapping, &data, out_pop, decode, &hw, &|| c.tick()) {
                Ok(s) => Ok(Some(s)),
                // Stopped by the counter: the Python error that stopped it is raised instead.
                Err(_) if c.stopped() => Ok(None),
                Err(e) => Err(err(e)),
            }
        })?;
        let classes = net.populations[out_pop].size;
        let flat: Vec<f64> = scored.scores.into_iter().flatten().collect();
        let scores = Array2::from_shape_vec((data.len(), classes), flat).map_err(err)?;
        Ok((scores.into_pyarray(py), scored.engine, scored.threads, scored.samples_per_s, scored.cycles))
    }
}

/// What `Network.evaluate` returns: scores, engine, threads, samples/s, cycles per sample.
type Evaluated<'py> = PyResult<(Bound<'py, numpy::PyArray2<f64>>, String, usize, f64, Vec<u64>)>;

/// Loads the network onto the board on `port` and runs `stim` there, as `spikemesh run` does.
fn on_board(
    net: &spikemesh_spec::Network,
    mapping: &Mapping,
    stim: &Stimulus,
    wanted: &[bool],
    port: &str,
    baud: Option<u32>,
    counter: &progress::Counter,
) -> PyResult<Option<spikemesh_sim::RunResult>> {
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
    let result = record_run_until(&mut engine, mapping, &stim.steps, wanted, |t| counter.at(t));
    if let Some((t, e)) = engine.error.take() {
        return Err(err(format!("{port}, timestep {t}: {e}")));
    }
    if result.is_some() {
        board.check_spikes().map_err(err)?;
    }
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
