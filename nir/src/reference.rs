//! The float reference: the NIR graph in float64, forward Euler with step `dt`, in the order
//! of one timestep that [`Rules`] gives: the chip's (one timestep per hop, reset at once), or
//! the framework's that wrote the file (docs/nir.md, "The float reference").

use crate::convention::{Reset, Rules};
use crate::error::Result;
use crate::graph::NeuronKind;
use crate::reduce::Net;
use std::collections::VecDeque;

/// A float64 simulation of a reduced NIR graph.
#[derive(Clone)]
pub struct Reference<'a> {
    net: &'a Net,
    dt: f64,
    rules: Rules,
    /// Layers in the order a same-step pass visits them (sources before targets).
    order: Vec<usize>,
    /// Per layer: membrane potential.
    v: Vec<Vec<f64>>,
    /// Per layer: synaptic current (CubaLIF).
    i: Vec<Vec<f64>>,
    /// Per layer: whether each element's potential was above threshold at the end of the
    /// previous timestep (deferred subtract, Spyx's output).
    above: Vec<Vec<bool>>,
    /// Per layer: the elements that spiked in the previous timestep (inputs: were driven).
    last: Vec<Vec<bool>>,
    /// Per connection, laid out as its rows: each synapse's delay in timesteps.
    delays: Vec<Vec<Vec<u32>>>,
    /// The spikes of the timesteps before the previous one, newest first, as far back as the
    /// longest delay reaches (empty without delays).
    older: VecDeque<Vec<Vec<bool>>>,
}

impl<'a> Reference<'a> {
    /// A network at rest (all state zero); an error names a Delay node whose delays are not
    /// whole timesteps of `dt`.
    pub fn new(net: &'a Net, dt: f64, rules: Rules) -> Result<Self> {
        let z = |x| net.layers.iter().map(|l| vec![x; l.size]).collect::<Vec<_>>();
        let delays = net.delay_steps(dt)?;
        let longest = delays.iter().flatten().flatten().copied().max().unwrap_or(0) as usize;
        let silent: Vec<Vec<bool>> = net.layers.iter().map(|l| vec![false; l.size]).collect();
        Ok(Reference {
            net,
            dt,
            rules,
            order: topological(net),
            v: z(0.0),
            i: z(0.0),
            above: net.layers.iter().map(|l| vec![false; l.size]).collect(),
            last: silent.clone(),
            older: vec![silent; longest].into(),
            delays,
        })
    }

    /// The spikes of layer `l` from `back` timesteps before this one (1: the previous), given
    /// this timestep's so far in `now`.
    fn spikes_of<'s>(&'s self, now: &'s [Vec<bool>], l: usize, back: usize) -> &'s [bool] {
        match back {
            0 => &now[l],
            1 => &self.last[l],
            k => &self.older[k - 2][l],
        }
    }

    /// Runs one timestep. `inputs` are (layer, element) spikes of input layers for this
    /// timestep: with the chip's rules they reach their targets next timestep, with a
    /// same-step framework's in this one. Returns the (layer, element) spikes of neuron
    /// layers, sorted.
    pub fn step(&mut self, inputs: &[(usize, usize)]) -> Vec<(usize, usize)> {
        let layers = &self.net.layers;
        let mut now: Vec<Vec<bool>> = layers.iter().map(|l| vec![false; l.size]).collect();
        let mut done = vec![false; layers.len()];
        for &(l, k) in inputs {
            now[l][k] = true;
        }
        for (l, layer) in layers.iter().enumerate() {
            done[l] = layer.neurons.is_none();
        }
        let mut fired = Vec::new();
        for idx in 0..self.order.len() {
            let l = self.order[idx];
            if layers[l].neurons.is_none() {
                continue;
            }
            let mut x = layers[l].bias.clone();
            for (ci, c) in self.net.connections.iter().enumerate().filter(|(_, c)| c.to == l) {
                // Same-step: a source already stepped this timestep delivers now; a later one
                // (recurrence) delivers what it fired last timestep. Chip: always last timestep.
                // A synapse of delay d reaches d timesteps further back.
                let hop = if self.rules.same_step && done[c.from] { 0 } else { 1 };
                if self.older.is_empty() {
                    let pre = self.spikes_of(&now, c.from, hop);
                    for (post, row) in c.rows.iter().enumerate() {
                        x[post] += row.iter().filter(|(j, _)| pre[*j as usize]).map(|(_, w)| w).sum::<f64>();
                    }
                    continue;
                }
                for (post, (row, delays)) in c.rows.iter().zip(&self.delays[ci]).enumerate() {
                    for (&(j, w), &d) in row.iter().zip(delays) {
                        if self.spikes_of(&now, c.from, hop + d as usize)[j as usize] {
                            x[post] += w;
                        }
                    }
                }
            }
            let out = self.integrate(l, &x);
            for (k, &s) in out.iter().enumerate() {
                if s {
                    fired.push((l, k));
                }
            }
            now[l] = out;
            done[l] = true;
        }
        if !self.rules.same_step {
            // Inputs of this timestep reach their targets next timestep, as on the chip.
            for &(l, k) in inputs {
                now[l][k] = true;
            }
        }
        if !self.older.is_empty() {
            self.older.pop_back();
            self.older.push_front(std::mem::take(&mut self.last));
        }
        self.last = now;
        fired.sort_unstable();
        fired
    }

    /// Integrates input `x` into layer `l` and applies the reset; returns its output spikes.
    fn integrate(&mut self, l: usize, x: &[f64]) -> Vec<bool> {
        let dt = self.dt;
        let rules = self.rules;
        let p = self.net.layers[l].neurons.as_ref().expect("neuron layer");
        let mut out = vec![false; x.len()];
        for (k, &xin) in x.iter().enumerate() {
            let v = &mut self.v[l][k];
            match p.kind {
                NeuronKind::If => *v += dt * p.r[k] * xin,
                NeuronKind::Lif | NeuronKind::Li => *v += dt / p.tau_mem[k] * (p.v_leak[k] - *v + p.r[k] * xin),
                NeuronKind::CubaLif => {
                    let i = &mut self.i[l][k];
                    *i += dt / p.tau_syn[k] * (p.w_in[k] * xin - *i);
                    *v += dt / p.tau_mem[k] * (p.v_leak[k] - *v + p.r[k] * *i);
                }
            }
            if p.kind == NeuronKind::Li {
                continue;
            }
            let th = p.v_threshold[k];
            let was_above = self.above[l][k];
            if rules.deferred_subtract {
                // snnTorch, Spyx: the spike of the previous timestep subtracts now, undecayed.
                if was_above {
                    *v -= th;
                }
                let above = *v > th;
                self.above[l][k] = above;
                out[k] = if rules.spike_from_previous { was_above } else { above };
            } else if *v > th {
                *v = match rules.reset {
                    Reset::Value => p.v_reset[k],
                    Reset::Subtract => *v - th,
                };
                out[k] = true;
            }
        }
        out
    }

    /// Membrane potentials of layer `l`.
    pub fn potentials(&self, l: usize) -> &[f64] {
        &self.v[l]
    }
}

/// Layers with every source before its targets, recurrent edges aside (depth-first from the
/// inputs, then any layer not reached, in file order).
fn topological(net: &Net) -> Vec<usize> {
    fn visit(net: &Net, l: usize, state: &mut [u8], order: &mut Vec<usize>) {
        if state[l] != 0 {
            return; // done, or on the stack: a recurrent edge
        }
        state[l] = 1;
        for c in net.connections.iter().filter(|c| c.to == l) {
            visit(net, c.from, state, order);
        }
        state[l] = 2;
        order.push(l);
    }
    let mut state = vec![0u8; net.layers.len()];
    let mut order = Vec::new();
    for l in 0..net.layers.len() {
        visit(net, l, &mut state, &mut order);
    }
    order
}
