//! A reduced NIR graph onto spikemesh: one population per layer, integer weights scaled per
//! target layer to `weight_bits`, neuron parameters from `dt` (docs/nir.md), and a hardware
//! shape sized to what the network uses.

use crate::convention::Reset;
use crate::error::{NirError, Result};
use crate::graph::NeuronKind;
use crate::headroom;
pub use crate::netfile::Options;
use crate::netfile::{network_text, neuron_file, param_text, safe, Params, Shape, CUBA_BITS};
use crate::reduce::Net;
use serde::Serialize;
use spikemesh_spec::config::Board;
use spikemesh_spec::{Mapping, Network, MAX_DELAY, MAX_DELAY_BITS};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The quantisation of one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// Layer (population) name.
    pub name: String,
    /// NIR neuron type.
    pub nir_type: String,
    /// Neurons.
    pub size: usize,
    /// Potential units per integer weight step: a float weight w becomes round(w / scale).
    pub scale: f64,
    /// Synapses the graph states into this layer.
    pub synapses: usize,
    /// Weights beyond the weight range, clipped (none: the scale comes from the largest).
    pub clipped: usize,
    /// Non-zero weights that round to 0 (still stored: the synapse exists, it adds nothing).
    pub rounded_to_zero: usize,
    /// RMS of (quantised - exact) weight, in potential units.
    pub rms_weight_error: f64,
    /// RMS error relative to the largest weight.
    pub rms_weight_error_relative: f64,
    /// Threshold in float potential units, and as the chip compares it.
    pub threshold: Option<(f64, f64)>,
    /// What is not exact about this layer on the chip, in words.
    pub notes: Vec<String>,
}

/// The result of an import: where the network was written and how quantisation went.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The network file.
    pub toml: PathBuf,
    /// The neuron model chosen.
    pub model: String,
    /// Per simulated layer.
    pub layers: Vec<LayerReport>,
    /// The axon rows each core uses (at least 1), row-major: its `core_axons` entry when
    /// each core holds its own rows.
    pub rows_used: Vec<usize>,
    /// The kernel shape each core's rows would take (`spec::kernel::choose`), row-major: its
    /// `core_kernels` entry when kernels are asked for.
    pub kernels: Vec<Option<spikemesh_spec::kernel::Kernel>>,
}

/// One integer synapse: (pre, post, weight).
type Quantum = (u32, u32, i64);

struct Quantised {
    name: String,
    params: Params,
    /// Per connection into this layer: (from layer, [(pre, post, weight)]).
    weights: Vec<(usize, Vec<Quantum>)>,
    /// Per connection into this layer, in the order of `weights`: each synapse's delay in
    /// timesteps (the Delay nodes on its path).
    delays: Vec<Vec<u32>>,
    report: LayerReport,
}

const ALIGN: i64 = 6;

/// Writes `out/net.toml` and one weight CSV per connection, and reports the quantisation.
pub fn import(net: &Net, opt: &Options, out: &Path) -> Result<Imported> {
    let file = &net.file;
    let board: Board = toml::Value::String(opt.board.clone()).try_into().map_err(|_| {
        NirError::file(
            file,
            format!("unknown board '{}' (known: icebreaker, ulx3s-85f, ulx3s-25f, hx8k-breakout, sim)", opt.board),
        )
    })?;
    if !(2..=16).contains(&opt.weight_bits) {
        return Err(NirError::file(file, format!("--weight-bits {} is outside 2..16", opt.weight_bits)));
    }
    if let Some(n) = opt.neurons_per_core.filter(|n| !(1..=4096).contains(n)) {
        return Err(NirError::file(file, format!("--neurons-per-core {n} is outside 1..4096")));
    }
    if !(opt.dt.is_finite() && opt.dt > 0.0) {
        return Err(NirError::file(file, format!("--dt {} is not a positive time step", opt.dt)));
    }
    let model = choose_model(net, opt)?;
    let wmax = (1i64 << (opt.weight_bits - 1)) - 1;
    let steps = net.delay_steps(opt.dt)?;
    for (c, d) in net.connections.iter().zip(&steps) {
        if let Some(&longest) = d.iter().flatten().max().filter(|&&x| x > MAX_DELAY) {
            return Err(NirError::node(
                file,
                &net.layers[c.to].name,
                format!(
                    "synapses from `{}` are delayed by up to {longest} timesteps (the Delay nodes on their path: {}); a \
                     synapse holds at most {MAX_DELAY} (delay_bits = {MAX_DELAY_BITS})",
                    net.layers[c.from].name,
                    net.delay_nodes.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    let longest = steps.iter().flatten().flatten().copied().max().unwrap_or(0);
    let delay_bits = 32 - longest.leading_zeros();
    let mut layers = Vec::new();
    for (l, layer) in net.layers.iter().enumerate() {
        if layer.neurons.is_some() {
            layers.push(quantise_layer(net, l, opt, wmax, &model, &steps)?);
        }
    }
    let potential_bits = match model.as_str() {
        "lif" => {
            // Room for the threshold and a full step of input above it, at least 8 bits.
            let top = layers
                .iter()
                .flat_map(|q| {
                    q.params
                        .iter()
                        .filter(|(k, _)| *k == "threshold" || *k == "reset")
                        .flat_map(|(_, v)| v.iter().map(|x| x.abs()))
                })
                .max()
                .unwrap_or(1)
                .max(wmax);
            (64 - (4 * top).leading_zeros() + 1).clamp(8, 32)
        }
        _ => CUBA_BITS,
    };
    std::fs::create_dir_all(out).map_err(|e| NirError::file(file, format!("cannot create {}: {e}", out.display())))?;
    let mut csvs = Vec::new();
    for q in &layers {
        for ((from, ws), delays) in q.weights.iter().zip(&q.delays) {
            let name = format!("{}--{}.csv", safe(&net.layers[*from].name), safe(&q.name));
            let delayed = delays.iter().any(|&d| d > 0);
            let mut text = String::from(if delayed { "pre,post,weight,delay\n" } else { "pre,post,weight\n" });
            for ((pre, post, w), d) in ws.iter().zip(delays) {
                if delayed {
                    let _ = writeln!(text, "{pre},{post},{w},{d}");
                } else {
                    let _ = writeln!(text, "{pre},{post},{w}");
                }
            }
            let path = out.join(&name);
            std::fs::write(&path, text)
                .map_err(|e| NirError::file(file, format!("cannot write {}: {e}", path.display())))?;
            csvs.push((*from, q.name.clone(), name));
        }
    }
    for q in &layers {
        let varying: Vec<&(&str, Vec<i64>)> =
            q.params.iter().filter(|(_, xs)| xs.iter().any(|&x| x != xs[0])).collect();
        if varying.is_empty() {
            continue;
        }
        let mut text = format!("neuron,{}\n", varying.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(","));
        for k in 0..q.report.size {
            let row: Vec<String> = varying.iter().map(|(name, xs)| param_text(name, xs[k]).replace('"', "")).collect();
            let _ = writeln!(text, "{k},{}", row.join(","));
        }
        let path = out.join(neuron_file(&q.name));
        std::fs::write(&path, text)
            .map_err(|e| NirError::file(file, format!("cannot write {}: {e}", path.display())))?;
    }
    let sim_neurons: usize = layers.iter().map(|q| q.report.size).sum();
    let npc = opt.neurons_per_core.unwrap_or_else(|| sim_neurons.div_ceil(2).next_power_of_two().clamp(16, 256));
    let cores = sim_neurons.div_ceil(npc).max(1);
    let mesh = crate::placement::mesh_shape(cores);
    let shape = Shape {
        board,
        mesh,
        npc,
        axons: 16384,
        core_axons: None,
        core_kernels: None,
        types: 256,
        destinations: 16384,
        potential_bits,
        delay_bits,
    };
    let toml_path = out.join("net.toml");
    let write = |s: &Shape| -> Result<Network> {
        let named: Vec<(&str, &Params)> = layers.iter().map(|q| (q.name.as_str(), &q.params)).collect();
        let text = network_text(net, opt, &model, s, &named, &csvs);
        std::fs::write(&toml_path, &text)
            .map_err(|e| NirError::file(file, format!("cannot write {}: {e}", toml_path.display())))?;
        Network::load(&toml_path).map_err(|e| {
            NirError::file(
                file,
                format!("the network written to {} is not valid (a bug in import):\n{e}", toml_path.display()),
            )
        })
    };
    // First with room for anything, to measure what each core uses; then sized to that.
    let trial = write(&Shape { board: Board::Sim, ..shape.clone() })?;
    let m = Mapping::build(&trial).map_err(|e| NirError::file(file, format!("the network does not map: {e}")))?;
    let rows_used: Vec<usize> = m.cores.iter().map(|c| c.axon_source.len().max(1)).collect();
    let pow2 = |n: usize, min: usize| n.max(min).next_power_of_two();
    let axons = pow2(m.cores.iter().map(|c| c.axon_source.len()).max().unwrap_or(1), 16);
    // Each core's rows as kernel rows and taps, where that is smaller (the trial's rows are
    // the chip's address space: only the first `rows_used` hold synapses).
    let kernels: Vec<_> = m
        .cores
        .iter()
        .zip(&rows_used)
        .map(|(c, &rows)| spikemesh_spec::kernel::choose(&c.crossbar[..rows * npc], rows, npc, opt.weight_bits, axons))
        .collect();
    let sized = Shape {
        axons,
        types: pow2(m.cores.iter().map(|c| c.types.len()).max().unwrap_or(1), 2),
        destinations: pow2(m.cores.iter().map(|c| c.destinations.len()).max().unwrap_or(1), 16).max(npc),
        core_axons: (opt.core_rows || opt.kernels).then(|| rows_used.clone()),
        core_kernels: opt.kernels.then(|| kernels.clone()),
        ..shape
    };
    let netw = write(&sized)?;
    Mapping::build(&netw).map_err(|e| NirError::file(file, format!("the sized network does not map: {e}")))?;
    Ok(Imported { toml: toml_path, model, layers: layers.into_iter().map(|q| q.report).collect(), rows_used, kernels })
}

/// A layer's integer weights at one scale, with what rounding did to them.
struct Weights {
    weights: Vec<(usize, Vec<Quantum>)>,
    synapses: usize,
    clipped: usize,
    zeroed: usize,
    /// Sum of squared rounding errors, in potential units.
    sq: f64,
}

/// (post, weight) of every synapse into the layer.
fn incoming(w: &Weights) -> impl Iterator<Item = (u32, i64)> + '_ {
    w.weights.iter().flat_map(|(_, ws)| ws.iter().map(|&(_, post, q)| (post, q)))
}

/// The weights into a layer in integer steps of `scale` (potential units per step).
fn quantise_weights(conns: &[&crate::reduce::Connection], gain: &[f64], scale: f64, wmax: i64) -> Weights {
    let (mut synapses, mut clipped, mut zeroed, mut sq) = (0usize, 0usize, 0usize, 0.0f64);
    let mut weights = Vec::new();
    for c in conns {
        let mut ws = Vec::new();
        for (post, row) in c.rows.iter().enumerate() {
            for &(pre, w) in row {
                let exact = w * gain[post] / scale;
                let mut q = exact.round() as i64;
                if q.abs() > wmax {
                    clipped += 1;
                    q = q.clamp(-wmax, wmax);
                }
                if q == 0 && exact != 0.0 {
                    zeroed += 1;
                }
                sq += ((q as f64 - exact) * scale).powi(2);
                synapses += 1;
                ws.push((pre, post as u32, q));
            }
        }
        weights.push((c.from, ws));
    }
    Weights { weights, synapses, clipped, zeroed, sq }
}

/// `cuba`'s current decay per neuron: from `tau_syn` for a CubaLIF, none (4095) otherwise.
fn current_decays(p: &crate::graph::Neurons, dt: f64, err: &dyn Fn(String) -> NirError) -> Result<Vec<i64>> {
    match p.kind {
        NeuronKind::CubaLif => p.tau_syn.iter().map(|t| decay12(dt / t, "tau_syn", 1, dt, err)).collect(),
        // No synaptic current: u holds this timestep's input only (decays by 4096/4096).
        _ => Ok(vec![4095; p.size()]),
    }
}

/// A 12-bit decay constant for `x = dt / tau`, less `offset` (Loihi's ds_offset for u).
fn decay12(x: f64, name: &str, offset: i64, dt: f64, err: &dyn Fn(String) -> NirError) -> Result<i64> {
    let d = (4096.0 * x).round() as i64 - offset;
    if !(0..=4095).contains(&d) {
        return Err(err(format!(
            "dt/{name} = {x} gives a 12-bit decay of {d}, outside 0..4095 (time constant too {} for dt = {dt}){}",
            if d < 0 { "long" } else { "short" },
            dt_hint(dt)
        )));
    }
    Ok(d)
}

/// The scale at or above `scale` (so no weight grows past the range) at which a subtract
/// reset is exact: for cuba the threshold is a whole number of steps (it fires at v > n and
/// subtracts n); for lif, which fires at v >= n + 1 and subtracts n + 1, half a step below one,
/// so the chip subtracts half a step more than NIR. Thresholds that differ neuron by neuron
/// keep `scale` (the report notes their rounding).
fn threshold_grid(vth: &[f64], scale: f64, model: &str) -> f64 {
    let th = vth[0];
    if !(th.is_finite() && th > 0.0) || vth.iter().any(|&t| t != th) {
        return scale;
    }
    // A graph whose weights were trained on this grid holds them as f32: the largest, k steps
    // exactly in decimal, reads back a few ulps off, and the threshold's steps then fall just
    // short of a whole number. Within 1e-6 they count as whole: the largest weight is then at
    // most wmax (1 + 1e-6) steps and still rounds to wmax.
    let steps = th / scale * (1.0 + 1e-6);
    match model {
        "lif" if steps >= 0.5 => th / ((steps - 0.5).floor() + 0.5),
        "cuba" if steps >= 1.0 => th / steps.floor(),
        _ => scale,
    }
}

/// `lif` when every layer is IF, or LIF whose leak is a power of two, with no bias and no
/// leak potential; `cuba` otherwise.
fn choose_model(net: &Net, opt: &Options) -> Result<String> {
    let mut why_not_lif = None;
    for l in &net.layers {
        let Some(p) = &l.neurons else { continue };
        let reason = match p.kind {
            NeuronKind::CubaLif => Some("is a CubaLIF (a synaptic current)".to_string()),
            NeuronKind::Li => Some("is an LI readout (never spikes)".to_string()),
            NeuronKind::Lif if p.tau_mem.iter().any(|&t| shift_of(opt.dt / t).is_none()) => {
                Some(format!("has dt/tau = {} , not 1/2, 1/4, ... (a shift leak)", opt.dt / p.tau_mem[0]))
            }
            _ if l.bias.iter().any(|&b| b != 0.0) => Some("has a bias (from an Affine or convolution)".to_string()),
            _ if p.v_leak.iter().any(|&v| v != 0.0) => Some("has a non-zero v_leak".to_string()),
            NeuronKind::Lif if opt.reset == Reset::Subtract && opt.deferred_subtract => Some(
                "leaks and subtracts its threshold a timestep late (only cuba's `deferred` reset does)".to_string(),
            ),
            _ => None,
        };
        if let (Some(r), None) = (reason, &why_not_lif) {
            why_not_lif = Some((l.name.clone(), r));
        }
    }
    match (opt.model.as_deref(), why_not_lif) {
        (None, None) | (Some("lif"), None) => Ok("lif".into()),
        (None, Some(_)) | (Some("cuba"), _) => Ok("cuba".into()),
        (Some("lif"), Some((node, why))) => {
            Err(NirError::node(&net.file, &node, format!("cannot run on `lif` exactly: it {why}; use --model cuba")))
        }
        (Some(other), _) => Err(NirError::file(&net.file, format!("--model {other}: import maps onto lif or cuba"))),
    }
}

/// k when x = 2^-k exactly (k >= 1).
fn shift_of(x: f64) -> Option<i64> {
    (1..32).find(|&k| (x - (-(k as f64)).exp2()).abs() <= 1e-12 * x)
}

/// What to try when a layer's parameters do not fit at step `dt`: the exporters write their
/// time constants for different steps (docs/nir.md, "What each framework's exporter writes").
fn dt_hint(dt: f64) -> String {
    let tries: Vec<&str> = [
        (1e-4, "snnTorch's exporter writes them for dt = 1e-4 (try --dt 1e-4)"),
        (1.0, "Sinabs, Spyx and Lava-DL in timesteps (try --dt 1)"),
    ]
    .iter()
    .filter(|(step, _)| *step != dt)
    .map(|(_, t)| *t)
    .collect();
    format!(
        "; the file's time constants may be written for another step than --dt {dt}: {}; see docs/nir.md, \"What each framework's exporter writes\"",
        tries.join(", ")
    )
}

fn quantise_layer(
    net: &Net,
    l: usize,
    opt: &Options,
    wmax: i64,
    model: &str,
    steps: &[Vec<Vec<u32>>],
) -> Result<Quantised> {
    let dt = opt.dt;
    let layer = &net.layers[l];
    let p = layer.neurons.as_ref().expect("neuron layer");
    let n = layer.size;
    let err = |m: String| NirError::node(&net.file, &layer.name, m);
    // Potential gained per unit of input, and per timestep from biases and v_leak.
    let (gain, drive): (Vec<f64>, Vec<f64>) = (0..n)
        .map(|k| {
            let b = layer.bias[k];
            match p.kind {
                NeuronKind::If => (dt * p.r[k], dt * p.r[k] * b),
                NeuronKind::Lif | NeuronKind::Li => {
                    let a = dt / p.tau_mem[k];
                    (a * p.r[k], a * (p.v_leak[k] + p.r[k] * b))
                }
                NeuronKind::CubaLif => {
                    let (a, c) = (dt / p.tau_mem[k], dt / p.tau_syn[k]);
                    (p.w_in[k] * c * a * p.r[k], a * (p.v_leak[k] + p.r[k] * p.w_in[k] * b))
                }
            }
        })
        .unzip();
    let conns: Vec<_> = net.connections.iter().filter(|c| c.to == l).collect();
    // In the order quantise_weights lists the synapses: connection, post, then the row.
    let delays: Vec<Vec<u32>> = net
        .connections
        .iter()
        .zip(steps)
        .filter(|(c, _)| c.to == l)
        .map(|(_, d)| d.iter().flatten().copied().collect())
        .collect();
    let mut largest = 0.0f64;
    for c in &conns {
        for (post, row) in c.rows.iter().enumerate() {
            for (_, w) in row {
                largest = largest.max((w * gain[post]).abs());
            }
        }
    }
    let mut notes = Vec::new();
    let subtract = opt.reset == Reset::Subtract && p.kind != NeuronKind::Li;
    let scale = if largest > 0.0 {
        let scale = largest / wmax as f64;
        if subtract {
            threshold_grid(&p.v_threshold, scale, model)
        } else {
            scale
        }
    } else {
        // No weights: express potentials in units of the threshold's hundredth.
        p.v_threshold.iter().copied().filter(|t| t.is_finite() && *t > 0.0).fold(1.0, f64::max) / 100.0
    };
    let (mut scale, mut scaled) = (scale, quantise_weights(&conns, &gain, scale, wmax));
    // cuba: u must not wrap for any input (headroom.rs). Where even align_shift 0 would let
    // it, coarsen the scale until it cannot; each pass rounds again, so check again.
    let mut align = ALIGN;
    // cuba's current decays: the headroom bound needs them, and so does the type below.
    let du = if model == "cuba" { current_decays(p, dt, &err)? } else { Vec::new() };
    if model == "cuba" {
        let amp = headroom::amplification(&du);
        let ulim = headroom::u_limit(CUBA_BITS);
        let vmax = (1i64 << (CUBA_BITS - 1)) - 1;
        let th_max = |scale: f64| {
            p.v_threshold.iter().filter(|t| t.is_finite()).map(|t| (t / scale).round() as i64).max().unwrap_or(1)
        };
        let mut coarsened = false;
        for _ in 0..8 {
            let a = headroom::fan_in(incoming(&scaled), n);
            if let Some(k) = headroom::align_shift(a, amp, th_max(scale), vmax, ulim, ALIGN) {
                align = k;
                break;
            }
            let grow = (a as f64 * amp / ulim as f64).max(1.0) * 1.001;
            scale = if subtract { threshold_grid(&p.v_threshold, scale * grow, model) } else { scale * grow };
            scaled = quantise_weights(&conns, &gain, scale, wmax);
            coarsened = true;
            align = 0;
        }
        if align < ALIGN {
            notes.push(format!(
                "align_shift {align} (not Loihi's {ALIGN}) so that u cannot wrap: {} steps of input at most per timestep, x{amp:.1} over a slow current",
                headroom::fan_in(incoming(&scaled), n)
            ));
        }
        if coarsened {
            notes.push(format!(
                "weights at most {} steps, not {wmax}, so that u cannot wrap even at align_shift 0",
                scaled.weights.iter().flat_map(|(_, ws)| ws.iter().map(|w| w.2.abs())).max().unwrap_or(0)
            ));
        }
    }
    let Weights { weights, synapses, clipped, zeroed, sq } = scaled;
    let rms = if synapses > 0 { (sq / synapses as f64).sqrt() } else { 0.0 };
    let vth = &p.v_threshold;
    let mut params: Params = Vec::new();
    let mut threshold = None;
    if model == "lif" {
        // NIR spikes when v > v_th, lif when v >= threshold: over integers, floor(v_th) + 1.
        let th: Vec<i64> = vth.iter().map(|t| (t / scale).floor() as i64 + 1).collect();
        if let Some(k) = th.iter().position(|&t| t < 1) {
            return Err(err(format!(
                "v_threshold {} of neuron {k} is not positive; lif thresholds are at least 1",
                vth[k]
            )));
        }
        threshold = Some((vth[0], (th[0] - 1) as f64 * scale));
        let leak: Vec<i64> = match p.kind {
            NeuronKind::If => vec![0; n],
            _ => p.tau_mem.iter().map(|t| shift_of(dt / t).unwrap_or(0)).collect(),
        };
        params.push(("threshold", th.clone()));
        params.push(("leak_shift", leak));
        if subtract {
            params.push(("reset_mode", vec![1; n]));
            notes.push(format!(
                "subtract reset: lif fires at v >= threshold and subtracts it, {} steps where NIR subtracts {:.3}",
                th[0],
                vth[0] / scale
            ));
        } else {
            params.push(("reset", p.v_reset.iter().map(|v| (v / scale).round() as i64).collect()));
            if p.v_reset.iter().any(|v| (v / scale).fract() != 0.0) {
                notes.push("v_reset rounded to the weight grid".into());
            }
        }
    } else {
        let aligned = |x: f64| (x / scale * (1i64 << align) as f64).round() as i64;
        let vmax = (1i64 << (CUBA_BITS - 1)) - 1;
        let th: Vec<i64> = if p.kind == NeuronKind::Li {
            // Never fires: v saturates at vmax, and the test is v > threshold << align.
            vec![vmax >> align; n]
        } else {
            let th: Vec<i64> = vth.iter().map(|t| (t / scale).round() as i64).collect();
            if let Some(k) = th.iter().position(|&t| t < 1 || t << align > vmax) {
                return Err(err(format!(
                    "v_threshold {} of neuron {k} is {} weight steps; cuba needs 1..{} at weight_bits = {}{}",
                    vth[k],
                    th[k],
                    vmax >> align,
                    64 - wmax.leading_zeros() + 1,
                    dt_hint(dt)
                )));
            }
            // Off the grid by more than float error (threshold_grid puts it on exactly).
            if let Some(k) = vth.iter().position(|t| ((t / scale) - (t / scale).round()).abs() > 1e-9 * (t / scale)) {
                notes.push(format!(
                    "threshold rounded to the weight grid (neuron {k}: {:.3} to {} steps)",
                    vth[k] / scale,
                    th[k]
                ));
            }
            threshold = Some((vth[0], th[0] as f64 * scale));
            th
        };
        let dv: Vec<i64> = match p.kind {
            NeuronKind::If => vec![0; n],
            _ => p.tau_mem.iter().map(|t| decay12(dt / t, "tau_mem", 0, dt, &err)).collect::<Result<_>>()?,
        };
        if p.kind == NeuronKind::CubaLif && layer.bias.iter().any(|&b| b != 0.0) && p.tau_syn.iter().any(|&t| t > dt) {
            notes.push(
                "bias enters v directly at its steady-state value (NIR filters it through the synaptic current)".into(),
            );
        }
        params.push(("threshold", th));
        params.push(("du", du));
        params.push(("dv", dv));
        params.push(("bias", drive.iter().map(|&d| aligned(d)).collect()));
        params.push(("align_shift", vec![align; n]));
        if subtract {
            params.push(("reset_mode", vec![if opt.deferred_subtract { 2 } else { 1 }; n]));
        } else {
            params.push(("reset", p.v_reset.iter().map(|&v| aligned(v)).collect()));
        }
    }
    let distinct = (0..n)
        .map(|k| params.iter().map(|(_, xs)| xs[k]).collect::<Vec<_>>())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if distinct > 1 {
        notes.push(format!("{distinct} distinct neuron types (per-neuron parameters, in a neuron_file)"));
    }
    let report = LayerReport {
        name: layer.name.clone(),
        nir_type: p.kind.nir_name().into(),
        size: n,
        scale,
        synapses,
        clipped,
        rounded_to_zero: zeroed,
        rms_weight_error: rms,
        rms_weight_error_relative: if largest > 0.0 { rms / largest } else { 0.0 },
        threshold,
        notes,
    };
    Ok(Quantised { name: layer.name.clone(), params, weights, delays, report })
}
