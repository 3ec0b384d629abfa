//! What quantisation costs: the float reference and the quantised golden model on one
//! stimulus, spike by spike and rate by rate, per layer.

use crate::reduce::Net;
use crate::reference::Reference;
use serde::Serialize;
use spikemesh_sim::Golden;
use spikemesh_spec::{Mapping, Network, Stimulus};

/// Agreement of one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerAgreement {
    /// Layer name.
    pub name: String,
    /// Spikes of the float reference.
    pub reference_spikes: usize,
    /// Spikes of the quantised network (golden model).
    pub quantised_spikes: usize,
    /// Spikes both fired: same neuron, same timestep.
    pub identical: usize,
    /// identical / (spikes in either), 1 when neither fires.
    pub jaccard: f64,
    /// Pearson correlation of per-neuron spike counts (None when either is constant).
    pub rate_correlation: Option<f64>,
    /// Non-spiking (LI) layers: Pearson correlation of the potentials, every neuron at every
    /// timestep (scale-free, so float and integer potentials compare directly).
    pub potential_correlation: Option<f64>,
}

/// Runs both on `stim` and compares every simulated layer. Populations are matched to layers
/// by name (`import` names them after the nodes).
pub fn agreement(nir: &Net, dt: f64, net: &Network, mapping: &Mapping, stim: &Stimulus) -> Vec<LayerAgreement> {
    let pop_of_layer: Vec<Option<usize>> = nir.layers.iter().map(|l| net.population_index(&l.name)).collect();
    let layer_of_pop: Vec<Option<usize>> = net.populations.iter().map(|p| nir.layer(&p.name)).collect();
    let mut reference = Reference::new(nir, dt);
    let mut golden = Golden::new(mapping);
    let n_layers = nir.layers.len();
    let mut counts_ref: Vec<Vec<u32>> = nir.layers.iter().map(|l| vec![0; l.size]).collect();
    let mut counts_q = counts_ref.clone();
    let mut identical = vec![0usize; n_layers];
    let mut union = vec![0usize; n_layers];
    let readout: Vec<bool> =
        nir.layers.iter().map(|l| l.neurons.as_ref().is_some_and(|p| p.kind == crate::graph::NeuronKind::Li)).collect();
    let mut traces: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); n_layers];
    for inputs in &stim.steps {
        let ref_in: Vec<(usize, usize)> =
            inputs.iter().filter_map(|&(p, k)| layer_of_pop[p as usize].map(|l| (l, k as usize))).collect();
        let mut a = reference.step(&ref_in);
        let mut b: Vec<(usize, usize)> = golden
            .step(inputs)
            .iter()
            .filter_map(|&g| mapping.slot_owner[g as usize])
            .filter_map(|(p, k)| layer_of_pop[p as usize].map(|l| (l, k as usize)))
            .collect();
        a.sort_unstable();
        b.sort_unstable();
        for (l, layer) in nir.layers.iter().enumerate().filter(|(l, _)| readout[*l]) {
            let Some(pop) = pop_of_layer[l] else { continue };
            for k in 0..layer.size {
                traces[l].0.push(reference.potentials(l)[k]);
                let g = mapping.slot_of(pop, k).expect("simulated population");
                traces[l].1.push(golden.potential(g) as f64);
            }
        }
        for &(l, k) in &a {
            counts_ref[l][k] += 1;
        }
        for &(l, k) in &b {
            counts_q[l][k] += 1;
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if j == b.len() || (i < a.len() && a[i] < b[j]) {
                union[a[i].0] += 1;
                i += 1;
            } else if i == a.len() || b[j] < a[i] {
                union[b[j].0] += 1;
                j += 1;
            } else {
                union[a[i].0] += 1;
                identical[a[i].0] += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (0..n_layers)
        .filter(|&l| nir.layers[l].neurons.is_some() && pop_of_layer[l].is_some())
        .map(|l| LayerAgreement {
            name: nir.layers[l].name.clone(),
            reference_spikes: counts_ref[l].iter().map(|&c| c as usize).sum(),
            quantised_spikes: counts_q[l].iter().map(|&c| c as usize).sum(),
            identical: identical[l],
            jaccard: if union[l] == 0 { 1.0 } else { identical[l] as f64 / union[l] as f64 },
            rate_correlation: pearson(&counts_ref[l], &counts_q[l]),
            potential_correlation: readout[l].then(|| pearson(&traces[l].0, &traces[l].1)).flatten(),
        })
        .collect()
}

fn pearson<T: Copy + Into<f64>>(a: &[T], b: &[T]) -> Option<f64> {
    let n = a.len() as f64;
    let ma = a.iter().map(|&x| x.into()).sum::<f64>() / n;
    let mb = b.iter().map(|&x| x.into()).sum::<f64>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (x.into() - ma, y.into() - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}
