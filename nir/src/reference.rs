//! The float reference: the NIR graph in float64, forward Euler with step `dt`, spikes
//! delivered one timestep later per hop, as the chip delivers them (docs/nir.md).

use crate::graph::NeuronKind;
use crate::reduce::Net;

/// A float64 simulation of a reduced NIR graph.
pub struct Reference<'a> {
    net: &'a Net,
    dt: f64,
    /// Per layer: membrane potential.
    v: Vec<Vec<f64>>,
    /// Per layer: synaptic current (CubaLIF).
    i: Vec<Vec<f64>>,
    /// Per layer: which elements spiked in the previous timestep (inputs: were driven).
    last: Vec<Vec<bool>>,
}

impl<'a> Reference<'a> {
    /// A network at rest (all state zero).
    pub fn new(net: &'a Net, dt: f64) -> Self {
        let z = |x| net.layers.iter().map(|l| vec![x; l.size]).collect::<Vec<_>>();
        Reference { net, dt, v: z(0.0), i: z(0.0), last: net.layers.iter().map(|l| vec![false; l.size]).collect() }
    }

    /// Runs one timestep. `inputs` are (layer, element) spikes of input layers for this
    /// timestep; they reach their targets next timestep. Returns the (layer, element) spikes
    /// of neuron layers, sorted.
    pub fn step(&mut self, inputs: &[(usize, usize)]) -> Vec<(usize, usize)> {
        let dt = self.dt;
        let mut x: Vec<Vec<f64>> = self.net.layers.iter().map(|l| l.bias.clone()).collect();
        for c in &self.net.connections {
            let pre = &self.last[c.from];
            for (post, row) in c.rows.iter().enumerate() {
                x[c.to][post] += row.iter().filter(|(j, _)| pre[*j as usize]).map(|(_, w)| w).sum::<f64>();
            }
        }
        let mut fired = Vec::new();
        let mut next: Vec<Vec<bool>> = self.net.layers.iter().map(|l| vec![false; l.size]).collect();
        for (l, layer) in self.net.layers.iter().enumerate() {
            let Some(p) = &layer.neurons else { continue };
            for k in 0..layer.size {
                let v = &mut self.v[l][k];
                let xin = x[l][k];
                match p.kind {
                    NeuronKind::If => *v += dt * p.r[k] * xin,
                    NeuronKind::Lif | NeuronKind::Li => *v += dt / p.tau_mem[k] * (p.v_leak[k] - *v + p.r[k] * xin),
                    NeuronKind::CubaLif => {
                        let i = &mut self.i[l][k];
                        *i += dt / p.tau_syn[k] * (p.w_in[k] * xin - *i);
                        *v += dt / p.tau_mem[k] * (p.v_leak[k] - *v + p.r[k] * *i);
                    }
                }
                if p.kind != NeuronKind::Li && *v > p.v_threshold[k] {
                    *v = p.v_reset[k];
                    next[l][k] = true;
                    fired.push((l, k));
                }
            }
        }
        for &(l, k) in inputs {
            next[l][k] = true;
        }
        self.last = next;
        fired
    }

    /// Membrane potentials of layer `l`.
    pub fn potentials(&self, l: usize) -> &[f64] {
        &self.v[l]
    }
}
