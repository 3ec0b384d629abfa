//! What quantisation costs (the float reference against the quantised golden model) and what
//! the chip's order of a timestep costs (the framework's rules against the chip's), on one
//! stimulus, spike by spike and rate by rate, per layer.

use crate::convention::Convention;
use crate::error::Result;
use crate::graph::NeuronKind;
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
    /// Neuron-timesteps the quantised potential sat at its limit (saturated; the float one
    /// has none). Zero when comparing two float runs.
    pub saturated: usize,
}

/// Runs the float reference at the chip's rules and the quantised golden model on `stim`, and
/// compares every simulated layer: what quantisation costs. Populations are matched to layers
/// by name (`import` names them after the nodes).
pub fn agreement(
    nir: &Net,
    conv: &Convention,
    net: &Network,
    mapping: &Mapping,
    stim: &Stimulus,
) -> Result<Vec<LayerAgreement>> {
    let pop_of_layer: Vec<Option<usize>> = nir.layers.iter().map(|l| net.population_index(&l.name)).collect();
    let layer_of_pop: Vec<Option<usize>> = net.populations.iter().map(|p| nir.layer(&p.name)).collect();
    let mut reference = Reference::new(nir, conv.dt, conv.chip_rules())?;
    let mut golden = Golden::new(mapping);
    let mut tally = Tally::new(nir);
    let widths = &net.hardware.widths;
    let (vmin, vmax) = (widths.potential_min(), widths.potential_max());
    for inputs in &stim.steps {
        let ref_in: Vec<(usize, usize)> =
            inputs.iter().filter_map(|&(p, k)| layer_of_pop[p as usize].map(|l| (l, k as usize))).collect();
        let a = reference.step(&ref_in);
        let b: Vec<(usize, usize)> = golden
            .step(inputs)
            .iter()
            .filter_map(|&g| mapping.slot_owner[g as usize])
            .filter_map(|(p, k)| layer_of_pop[p as usize].map(|l| (l, k as usize)))
            .collect();
        tally.potentials(nir, |l, k| {
            let pop = pop_of_layer[l]?;
            let g = mapping.slot_of(pop, k).expect("simulated population");
            Some((reference.potentials(l)[k], golden.potential(g) as f64))
        });
        tally.spikes(a, b);
        for (l, pop) in pop_of_layer.iter().enumerate() {
            let Some(pop) = pop.filter(|_| nir.layers[l].neurons.is_some()) else { continue };
            for k in 0..nir.layers[l].size {
                let v = golden.potential(mapping.slot_of(pop, k).expect("simulated population"));
                // cuba saturates at +-vmax, lif at its two's complement ends.
                if v >= vmax || v <= vmin.max(-vmax) {
                    tally.saturated[l] += 1;
                }
            }
        }
    }
    Ok(tally.finish(nir, |l| pop_of_layer[l].is_some()))
}

/// Runs the float reference at the framework's rules and at the chip's on the same input
/// spikes: what the chip's order of a timestep costs against the framework that trained the
/// network (docs/nir.md). `reference_spikes` are the framework's, `quantised_spikes` the chip
/// rules'. Empty when the two rules are the same.
pub fn rules_agreement(nir: &Net, conv: &Convention, inputs: &[Vec<(usize, usize)>]) -> Result<Vec<LayerAgreement>> {
    if conv.chip_is_faithful() {
        return Ok(Vec::new());
    }
    let mut framework = Reference::new(nir, conv.dt, conv.framework_rules)?;
    let mut chip = Reference::new(nir, conv.dt, conv.chip_rules())?;
    let mut tally = Tally::new(nir);
    for ins in inputs {
        let (a, b) = (framework.step(ins), chip.step(ins));
        tally.potentials(nir, |l, k| Some((framework.potentials(l)[k], chip.potentials(l)[k])));
        tally.spikes(a, b);
    }
    Ok(tally.finish(nir, |_| true))
}

/// Spike and potential statistics of two runs of one graph, per layer.
struct Tally {
    counts: [Vec<Vec<u32>>; 2],
    identical: Vec<usize>,
    union: Vec<usize>,
    readout: Vec<bool>,
    traces: Vec<(Vec<f64>, Vec<f64>)>,
    saturated: Vec<usize>,
}

impl Tally {
    fn new(nir: &Net) -> Tally {
        let n = nir.layers.len();
        let counts: Vec<Vec<u32>> = nir.layers.iter().map(|l| vec![0; l.size]).collect();
        Tally {
            counts: [counts.clone(), counts],
            identical: vec![0; n],
            union: vec![0; n],
            readout: nir.layers.iter().map(|l| l.neurons.as_ref().is_some_and(|p| p.kind == NeuronKind::Li)).collect(),
            traces: vec![(Vec::new(), Vec::new()); n],
            saturated: vec![0; n],
        }
    }

    /// Records the potentials of every readout (LI) layer; `pair` gives (a, b) per neuron.
    fn potentials(&mut self, nir: &Net, pair: impl Fn(usize, usize) -> Option<(f64, f64)>) {
        for (l, layer) in nir.layers.iter().enumerate().filter(|(l, _)| self.readout[*l]) {
            for k in 0..layer.size {
                if let Some((a, b)) = pair(l, k) {
                    self.traces[l].0.push(a);
                    self.traces[l].1.push(b);
                }
            }
        }
    }

    /// Records one timestep's (layer, element) spikes of each side.
    fn spikes(&mut self, mut a: Vec<(usize, usize)>, mut b: Vec<(usize, usize)>) {
        a.sort_unstable();
        b.sort_unstable();
        for &(l, k) in &a {
            self.counts[0][l][k] += 1;
        }
        for &(l, k) in &b {
            self.counts[1][l][k] += 1;
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if j == b.len() || (i < a.len() && a[i] < b[j]) {
                self.union[a[i].0] += 1;
                i += 1;
            } else if i == a.len() || b[j] < a[i] {
                self.union[b[j].0] += 1;
                j += 1;
            } else {
                self.union[a[i].0] += 1;
                self.identical[a[i].0] += 1;
                i += 1;
                j += 1;
            }
        }
    }

    fn finish(self, nir: &Net, keep: impl Fn(usize) -> bool) -> Vec<LayerAgreement> {
        (0..nir.layers.len())
            .filter(|&l| nir.layers[l].neurons.is_some() && keep(l))
            .map(|l| LayerAgreement {
                name: nir.layers[l].name.clone(),
                reference_spikes: self.counts[0][l].iter().map(|&c| c as usize).sum(),
                quantised_spikes: self.counts[1][l].iter().map(|&c| c as usize).sum(),
                identical: self.identical[l],
                jaccard: if self.union[l] == 0 { 1.0 } else { self.identical[l] as f64 / self.union[l] as f64 },
                rate_correlation: pearson(&self.counts[0][l], &self.counts[1][l]),
                potential_correlation: self.readout[l].then(|| pearson(&self.traces[l].0, &self.traces[l].1)).flatten(),
                saturated: self.saturated[l],
            })
            .collect()
    }
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
