//! Whose conventions a NIR file is written in. NIR has no timestep and no reset rule, so each
//! framework's exporter writes its own into the same fields (docs/nir.md, "What each
//! framework's exporter writes"). Where relations between the parameters settle which
//! exporter wrote the file, this module picks its timestep and reset rule, rewrites the
//! parameters into plain NIR (forward Euler at that timestep reproduces the framework), and
//! says what it read them from.

use crate::error::{NirError, Result};
use crate::graph::{NeuronKind, Neurons};
use crate::reduce::Net;
use serde::Serialize;

/// The exporters whose files the import recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// Plain NIR: forward Euler at `--dt` (1 ms by default), the file's `v_reset`.
    Nir,
    /// snnTorch's `export_to_nir`: `tau = dt / (1 - beta)`, `r = tau / dt`, dt = 1e-4.
    Snntorch,
    /// Norse's `to_nir`: `tau = dt / tau_mem_inv` at Norse's dt = 1e-3, `r = 1`.
    Norse,
    /// Spyx's `to_nir`: `tau = 1 / (1 - beta)` in timesteps, `r = beta`.
    Spyx,
}

/// The names `--convention` takes, in [`Framework`] order.
pub const FRAMEWORKS: &[&str] = &["nir", "snntorch", "norse", "spyx"];

impl Framework {
    /// The name `--convention` takes.
    pub fn name(self) -> &'static str {
        FRAMEWORKS[self as usize]
    }

    /// Parses a `--convention` value.
    pub fn parse(s: &str) -> Option<Framework> {
        [Framework::Nir, Framework::Snntorch, Framework::Norse, Framework::Spyx].into_iter().find(|f| f.name() == s)
    }
}

/// What a spike does to the potential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reset {
    /// `v = v_reset`.
    Value,
    /// `v -= v_threshold`.
    Subtract,
}

/// The order of one timestep: the framework's own, or the chip's (docs/nir.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// What a spike does to the potential.
    pub reset: Reset,
    /// snnTorch and Spyx subtract the threshold one timestep after the spike, undecayed
    /// (`v_t = beta v_{t-1} + x_t - theta H(v_{t-1} - theta)`); the chip subtracts at once,
    /// so the subtracted threshold then decays with the potential.
    pub deferred_subtract: bool,
    /// Spikes cross every layer within the timestep (the frameworks' sequential forward pass);
    /// otherwise each hop takes one timestep, as on the chip. Recurrent edges always take one.
    pub same_step: bool,
    /// Spyx: a layer emits the spike test of its previous potential.
    pub spike_from_previous: bool,
}

impl Rules {
    /// The chip's order: every hop one timestep, the reset at once.
    pub fn chip(reset: Reset) -> Rules {
        Rules { reset, deferred_subtract: false, same_step: false, spike_from_previous: false }
    }
}

/// The convention the import settled on, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Convention {
    /// The exporter.
    pub framework: Framework,
    /// Timestep in seconds (after the parameters were rewritten to plain NIR).
    pub dt: f64,
    /// The framework's own order of a timestep (the float reference follows it).
    pub framework_rules: Rules,
    /// The relation in the file (or the flag) that settled it.
    pub evidence: String,
    /// What the rewrite changed, in words (clipped decays, for instance).
    pub notes: Vec<String>,
}

impl Convention {
    /// The chip's rules with this convention's reset: one timestep per hop, and the reset the
    /// framework's (a deferred subtract is `cuba`'s `deferred` mode; without a leak, as in an
    /// IF, deferring it changes nothing, so `lif` runs those at once).
    pub fn chip_rules(&self) -> Rules {
        Rules { deferred_subtract: self.framework_rules.deferred_subtract, ..Rules::chip(self.framework_rules.reset) }
    }

    /// Whether the chip's order of a timestep is the framework's own.
    pub fn chip_is_faithful(&self) -> bool {
        self.framework_rules == self.chip_rules()
    }
}

/// What the user forced on the command line.
#[derive(Debug, Clone, Default)]
pub struct Forced {
    /// `--dt`.
    pub dt: Option<f64>,
    /// `--convention`.
    pub framework: Option<Framework>,
    /// `--reset`.
    pub reset: Option<Reset>,
}

/// snnTorch's exporter fixes dt at 1e-4 (snntorch/export_nir.py).
const SNNTORCH_DT: f64 = 1e-4;
/// Norse's exporter divides by `tau_mem_inv` at its default dt of 1 ms (norse/torch/utils/export_nir.py).
const NORSE_DT: f64 = 1e-3;
/// The plain-NIR default timestep.
pub const DEFAULT_DT: f64 = 1e-3;
/// Relative tolerance of the relations: the exporters compute them in float32.
const REL: f64 = 1e-5;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL * a.abs().max(b.abs()).max(1e-30)
}

/// Neuron layers with a membrane time constant (the ones the relations speak about).
fn leaky(net: &Net) -> impl Iterator<Item = &Neurons> {
    net.layers
        .iter()
        .filter_map(|l| l.neurons.as_ref())
        .filter(|p| matches!(p.kind, NeuronKind::Lif | NeuronKind::CubaLif | NeuronKind::Li))
}

fn all_leaky(net: &Net, f: impl Fn(&Neurons, usize) -> bool) -> bool {
    leaky(net).count() > 0 && leaky(net).all(|p| (0..p.size()).all(|k| f(p, k)))
}

/// Which exporter's relations every leaky layer satisfies, with the relation in words.
fn detect(net: &Net) -> Option<(Framework, String)> {
    let snntorch = |p: &Neurons, k: usize| {
        close(p.r[k] * SNNTORCH_DT, p.tau_mem[k])
            && (p.kind != NeuronKind::CubaLif || close(p.w_in[k] * SNNTORCH_DT, p.tau_syn[k]))
    };
    if all_leaky(net, snntorch) {
        return Some((
            Framework::Snntorch,
            "r * 1e-4 = tau in every neuron (snnTorch writes r = tau / dt at dt = 1e-4)".into(),
        ));
    }
    let spyx = |p: &Neurons, k: usize| {
        p.kind != NeuronKind::Li && p.v_leak[k] == 0.0 && close(p.r[k], 1.0 - 1.0 / p.tau_mem[k])
    };
    if all_leaky(net, spyx) {
        return Some((
            Framework::Spyx,
            "r = 1 - 1/tau in every neuron (Spyx writes r = beta, tau = 1 / (1 - beta) in timesteps)".into(),
        ));
    }
    // Norse: r = 1, and a tau below a millisecond that plain NIR cannot run at 1 ms (Euler
    // would overshoot), but that is dt / tau_mem_inv at Norse's dt = 1 ms.
    let norse = |p: &Neurons, k: usize| p.r[k] == 1.0 && p.tau_mem[k] >= NORSE_DT * NORSE_DT;
    if all_leaky(net, norse) && leaky(net).any(|p| p.tau_mem.iter().any(|&t| t < NORSE_DT)) {
        return Some((
            Framework::Norse,
            "r = 1 and tau below 1 ms (Norse writes tau = dt / tau_mem_inv at dt = 1e-3)".into(),
        ));
    }
    None
}

/// Stops on a file that reads two ways: every time constant of a second or more with
/// `r = 1` is what Sinabs and Lava-DL write in timesteps, and also a plain NIR file of very
/// slow neurons in seconds; the two differ a thousandfold in their decay.
fn ambiguous(net: &Net) -> Result<()> {
    if all_leaky(net, |p, k| p.r[k] == 1.0 && p.tau_mem[k] >= 1.0) {
        return Err(NirError::file(
            &net.file,
            "every time constant is 1 or more with r = 1: Sinabs and Lava-DL write tau in timesteps \
             (give --dt 1), a plain NIR file writes it in seconds (give --dt with your timestep, e.g. --dt 1e-3); \
             the file does not say which (docs/nir.md, \"Finding the convention\")",
        ));
    }
    Ok(())
}

/// The framework's own order of a timestep.
fn rules(f: Framework) -> Rules {
    let subtract =
        Rules { reset: Reset::Subtract, deferred_subtract: true, same_step: true, spike_from_previous: false };
    match f {
        Framework::Nir => Rules::chip(Reset::Value),
        Framework::Snntorch => subtract,
        Framework::Spyx => Rules { spike_from_previous: true, ..subtract },
        Framework::Norse => Rules { reset: Reset::Value, same_step: true, ..Rules::chip(Reset::Value) },
    }
}

/// A decay beta in [0, 1], as snnTorch and Spyx clamp it in their forward pass (their
/// exporters write it unclamped); counts the clamped neurons.
fn clamp_beta(beta: f64, clamped: &mut usize) -> f64 {
    if (0.0..=1.0).contains(&beta) {
        beta
    } else {
        *clamped += 1;
        beta.clamp(0.0, 1.0)
    }
}

/// Rewrites a layer written as `beta` decays into plain NIR at step `dt`: forward Euler then
/// computes `v = beta v + x` (`tau = dt / (1 - beta)`, `r = tau / dt`); `beta = 1` is an IF.
fn from_beta(p: &mut Neurons, dt: f64, beta: impl Fn(&Neurons, usize) -> (f64, f64), clamped: &mut usize) {
    let mut all_one = true;
    for k in 0..p.size() {
        let (b_mem, b_syn) = beta(p, k);
        let b_mem = clamp_beta(b_mem, clamped);
        all_one &= b_mem == 1.0;
        p.tau_mem[k] = dt / (1.0 - b_mem);
        p.r[k] = 1.0 / (1.0 - b_mem);
        if p.kind == NeuronKind::CubaLif {
            let b_syn = clamp_beta(b_syn, clamped);
            p.tau_syn[k] = dt / (1.0 - b_syn);
            p.w_in[k] = 1.0 / (1.0 - b_syn);
        }
    }
    if all_one && p.kind == NeuronKind::Lif {
        // beta = 1 everywhere: no leak, so an IF with one unit of potential per unit of input.
        p.kind = NeuronKind::If;
        p.r.iter_mut().for_each(|r| *r = 1.0 / dt);
        p.tau_mem.iter_mut().for_each(|t| *t = f64::INFINITY);
    }
}

/// Settles the convention of `net` and rewrites its parameters into plain NIR at the chosen
/// timestep.
pub fn settle(net: &mut Net, forced: &Forced) -> Result<Convention> {
    if let Some(dt) = forced.dt {
        if !(dt.is_finite() && dt > 0.0) {
            return Err(NirError::file(&net.file, format!("--dt {dt} is not a positive time step")));
        }
    }
    let (framework, mut evidence) = match (forced.framework, forced.dt) {
        (Some(f), _) => (f, format!("--convention {}", f.name())),
        (None, Some(dt)) => (Framework::Nir, format!("--dt {dt}")),
        (None, None) => match detect(net) {
            Some(found) => found,
            None => {
                ambiguous(net)?;
                (Framework::Nir, "no exporter's relations hold: plain NIR at dt = 1e-3".into())
            }
        },
    };
    let mut notes = Vec::new();
    let mut clamped = 0;
    let dt = match framework {
        Framework::Nir => forced.dt.unwrap_or(DEFAULT_DT),
        Framework::Snntorch => {
            for p in net.layers.iter_mut().filter_map(|l| l.neurons.as_mut()) {
                if matches!(p.kind, NeuronKind::Lif | NeuronKind::CubaLif) {
                    from_beta(
                        p,
                        SNNTORCH_DT,
                        |p, k| (1.0 - SNNTORCH_DT / p.tau_mem[k], 1.0 - SNNTORCH_DT / p.tau_syn[k]),
                        &mut clamped,
                    );
                }
            }
            SNNTORCH_DT
        }
        Framework::Spyx => {
            for p in net.layers.iter_mut().filter_map(|l| l.neurons.as_mut()) {
                match p.kind {
                    NeuronKind::Lif | NeuronKind::CubaLif => {
                        from_beta(p, 1.0, |p, k| (p.r[k], 1.0 - 1.0 / p.tau_syn[k]), &mut clamped)
                    }
                    // Spyx's IF adds its input: r = 1 at dt = 1 is that already.
                    _ => {}
                }
            }
            1.0
        }
        Framework::Norse => {
            for p in net.layers.iter_mut().filter_map(|l| l.neurons.as_mut()) {
                match p.kind {
                    // tau_file = dt / tau_mem_inv: the true tau is tau_file / dt.
                    NeuronKind::Lif | NeuronKind::Li | NeuronKind::CubaLif => {
                        p.tau_mem.iter_mut().for_each(|t| *t /= NORSE_DT);
                        if p.kind == NeuronKind::CubaLif {
                            p.tau_syn.iter_mut().for_each(|t| *t /= NORSE_DT);
                        }
                    }
                    // Norse's IAF adds its input undivided (v = v + x).
                    NeuronKind::If => p.r.iter_mut().for_each(|r| *r = 1.0 / NORSE_DT),
                }
            }
            NORSE_DT
        }
    };
    if let Some(d) = forced.dt.filter(|_| forced.framework.is_some_and(|f| f != Framework::Nir)) {
        if d != dt {
            return Err(NirError::file(
                &net.file,
                format!(
                    "--dt {d} contradicts --convention {}, whose exporter writes dt = {dt}; give one of them",
                    framework.name()
                ),
            ));
        }
    }
    if clamped > 0 {
        notes.push(format!(
            "{clamped} decay(s) outside 0..1 in the file clamped as {} clamps them in its forward pass (its exporter writes them unclamped)",
            framework.name()
        ));
    }
    positive_time_constants(net, framework)?;
    let mut framework_rules = rules(framework);
    if let Some(r) = forced.reset {
        framework_rules.reset = r;
        if r == Reset::Value {
            framework_rules.deferred_subtract = false;
        }
        evidence += &format!("; --reset {}", if r == Reset::Value { "value" } else { "subtract" });
    }
    Ok(Convention { framework, dt, framework_rules, evidence, notes })
}

/// Every time constant left after the rewrite is positive (infinite: no leak).
fn positive_time_constants(net: &Net, framework: Framework) -> Result<()> {
    for layer in &net.layers {
        let Some(p) = &layer.neurons else { continue };
        let tau_name = if p.kind == NeuronKind::CubaLif { "tau_mem" } else { "tau" };
        let mut fields = vec![(tau_name, &p.tau_mem)];
        if p.kind == NeuronKind::CubaLif {
            fields.push(("tau_syn", &p.tau_syn));
        }
        for (name, xs) in fields.into_iter().filter(|_| p.kind != NeuronKind::If) {
            if let Some(i) = xs.iter().position(|&t| t.is_nan() || t <= 0.0) {
                let hint = if framework == Framework::Nir {
                    "; an exporter that writes tau = dt / (1 - beta) writes a negative tau for a decay beta above 1, \
                     which snnTorch and Spyx clamp to 1 in their forward pass: if one of them wrote the file, give \
                     --convention snntorch or --convention spyx"
                } else {
                    ""
                };
                return Err(NirError::node(
                    &net.file,
                    &layer.name,
                    format!("`{name}` of neuron {i} is {}; time constants must be positive{hint}", xs[i]),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reduce::Layer;

    fn lif_net(tau: f64, r: f64) -> Net {
        let p = Neurons {
            kind: NeuronKind::Lif,
            shape: vec![2],
            tau_mem: vec![tau; 2],
            tau_syn: vec![0.0; 2],
            r: vec![r; 2],
            v_leak: vec![0.0; 2],
            v_threshold: vec![1.0; 2],
            v_reset: vec![0.0; 2],
            w_in: vec![1.0; 2],
        };
        let layers = vec![
            Layer { name: "in".into(), size: 2, neurons: None, bias: vec![0.0; 2] },
            Layer { name: "lif".into(), size: 2, neurons: Some(p), bias: vec![0.0; 2] },
        ];
        Net { file: "t.nir".into(), layers, connections: Vec::new(), outputs: Vec::new(), delay_nodes: Vec::new() }
    }

    #[test]
    fn time_constants_in_timesteps_or_seconds_are_refused_until_a_flag_says_which() {
        let e = settle(&mut lif_net(8.0, 1.0), &Forced::default()).unwrap_err().to_string();
        assert!(e.contains("--dt 1") && e.contains("Sinabs"), "{e}");
        let c = settle(&mut lif_net(8.0, 1.0), &Forced { dt: Some(1.0), ..Forced::default() }).unwrap();
        assert_eq!((c.framework, c.dt), (Framework::Nir, 1.0));
        // 20 ms in seconds with r = 1 is plain NIR, no question.
        assert_eq!(settle(&mut lif_net(0.02, 1.0), &Forced::default()).unwrap().framework, Framework::Nir);
        // snnTorch's relation settles its own files.
        assert_eq!(settle(&mut lif_net(1e-3, 10.0), &Forced::default()).unwrap().framework, Framework::Snntorch);
    }
}
