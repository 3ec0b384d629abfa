//! The flattened graph reduced to what a crossbar runs: layers of neurons (or inputs) and,
//! between them, the composed linear maps.
//!
//! Chains of linear nodes are multiplied out, so `Flatten -> Conv2d -> Scale` between two
//! neuron nodes becomes one weight per (pre, post) pair. Biases (Affine, convolution) are
//! carried through the chain into a constant input of the target layer. A Delay node on the
//! way adds its element's delay to every term passing through it, so each synapse ends up
//! with the sum of the delays on its path. A cycle through linear nodes alone has no
//! discrete-time meaning and is refused; cycles through neurons (recurrence) are fine, since
//! every edge into a neuron delivers next timestep.

use crate::error::{NirError, Result};
use crate::graph::{Graph, Neurons, Node, SparseOp};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Sparse rows: per target element, (source element, weight).
pub type Rows = Vec<Vec<(u32, f64)>>;

/// Per synapse of [`Rows`], laid out as they are: its delay in seconds.
pub type Delays = Vec<Vec<f64>>;

/// A synapse with its delay: (source element, weight, delay in seconds).
type Delayed = (u32, f64, f64);

/// A layer: a top-level Input (host-driven) or a neuron node.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Node name (flattened: `outer.inner`).
    pub name: String,
    /// Elements.
    pub size: usize,
    /// Parameters; None for an input.
    pub neurons: Option<Neurons>,
    /// Constant input per neuron from biases upstream (zero when none).
    pub bias: Vec<f64>,
}

/// The composed weights from one layer into another: `rows[post]` lists (pre, weight).
#[derive(Debug, Clone)]
pub struct Connection {
    /// Source layer.
    pub from: usize,
    /// Target layer.
    pub to: usize,
    /// Weights by target neuron.
    pub rows: Rows,
    /// The delay of each synapse in seconds, laid out as `rows` (the sum of the Delay nodes on
    /// its path; 0 without any).
    pub delays: Delays,
}

impl Connection {
    /// A connection whose synapses have no delay.
    pub fn undelayed(from: usize, to: usize, rows: Rows) -> Self {
        let delays = rows.iter().map(|r| vec![0.0; r.len()]).collect();
        Connection { from, to, rows, delays }
    }
}

/// A NIR graph as layers and connections.
#[derive(Debug, Clone)]
pub struct Net {
    /// The NIR file.
    pub file: PathBuf,
    /// Inputs first (file order), then neuron layers (file order).
    pub layers: Vec<Layer>,
    /// Non-empty connections.
    pub connections: Vec<Connection>,
    /// The layers that feed the graph's Output nodes (the readout), by Output name.
    pub outputs: Vec<(String, usize)>,
    /// Every Delay node: its name and its delays (seconds), checked against `dt` where the
    /// timestep is known ([`Net::check_delays`]).
    pub delay_nodes: Vec<(String, Vec<f64>)>,
}

/// A source layer's node and the delay its spikes took on the way, in seconds as the bits of
/// a non-negative f64 (which order as the values do).
type Term = (usize, u64);

/// A value inside the graph as a linear function of layer spikes plus a constant.
#[derive(Debug, Clone)]
struct Form {
    shape: Vec<usize>,
    terms: BTreeMap<Term, Rows>,
    bias: Option<Vec<f64>>,
}

impl Form {
    fn size(&self) -> usize {
        self.shape.iter().product()
    }

    fn identity(node: usize, shape: &[usize]) -> Form {
        let n: usize = shape.iter().product();
        let rows = (0..n as u32).map(|i| vec![(i, 1.0)]).collect();
        Form { shape: shape.to_vec(), terms: BTreeMap::from([((node, 0f64.to_bits()), rows)]), bias: None }
    }

    /// Element `i` delayed by `delay[i]` seconds: each row moves to the term of its source
    /// with that much more delay.
    fn delayed(&self, delay: &[f64]) -> Form {
        let mut terms: BTreeMap<Term, Rows> = BTreeMap::new();
        for (&(src, before), rows) in &self.terms {
            for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
                let key = (src, (f64::from_bits(before) + delay[i]).to_bits());
                terms.entry(key).or_insert_with(|| vec![Vec::new(); rows.len()])[i] = row.clone();
            }
        }
        Form { shape: self.shape.clone(), terms, bias: None }
    }

    fn add(&mut self, other: Form) {
        for (k, rows) in other.terms {
            match self.terms.get_mut(&k) {
                None => {
                    self.terms.insert(k, rows);
                }
                Some(mine) => {
                    for (a, b) in mine.iter_mut().zip(rows) {
                        *a = merge(std::mem::take(a), b, 1.0);
                    }
                }
            }
        }
        self.bias = match (self.bias.take(), other.bias) {
            (Some(a), Some(b)) => Some(a.iter().zip(&b).map(|(x, y)| x + y).collect()),
            (a, b) => a.or(b),
        };
    }

    fn apply(&self, op: &SparseOp) -> Form {
        let terms = self
            .terms
            .iter()
            .map(|(&k, rows)| {
                let out = op
                    .rows
                    .iter()
                    .map(|row| row.iter().fold(Vec::new(), |acc, &(j, a)| merge(acc, rows[j as usize].clone(), a)))
                    .collect();
                (k, out)
            })
            .collect();
        let carried = self.bias.as_ref().map(|b| {
            op.rows.iter().map(|row| row.iter().map(|&(j, a)| a * b[j as usize]).sum::<f64>()).collect::<Vec<_>>()
        });
        let bias = match (carried, &op.bias) {
            (Some(c), Some(b)) => Some(c.iter().zip(b).map(|(x, y)| x + y).collect()),
            (c, b) => c.or_else(|| b.clone()),
        };
        Form { shape: op.out_shape.clone(), terms, bias }
    }
}

/// `a + scale * b`, both sorted by index; entries that cancel to exactly 0 stay (a synapse
/// the file states is kept, so the report can count it).
fn merge(a: Vec<(u32, f64)>, b: Vec<(u32, f64)>, scale: f64) -> Vec<(u32, f64)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i].0 < b[j].0) {
            out.push(a[i]);
            i += 1;
        } else if i == a.len() || b[j].0 < a[i].0 {
            out.push((b[j].0, scale * b[j].1));
            j += 1;
        } else {
            out.push((a[i].0, a[i].1 + scale * b[j].1));
            i += 1;
            j += 1;
        }
    }
    out
}

impl Net {
    /// Reduces a flattened graph.
    pub fn build(g: &Graph) -> Result<Net> {
        let mut r = Reducer { g, memo: vec![None; g.nodes.len()], busy: vec![false; g.nodes.len()] };
        // Layers: top-level inputs first, so host-driven populations lead the network file.
        let mut order: Vec<usize> =
            (0..g.nodes.len()).filter(|&i| g.top[i] && matches!(g.nodes[i].1, Node::Input { .. })).collect();
        order.extend((0..g.nodes.len()).filter(|&i| matches!(g.nodes[i].1, Node::Neurons(_))));
        if !order.iter().any(|&i| matches!(g.nodes[i].1, Node::Input { .. })) {
            return Err(NirError::file(&g.file, "the graph has no Input node"));
        }
        let layer_of: BTreeMap<usize, usize> = order.iter().enumerate().map(|(l, &n)| (n, l)).collect();
        let mut layers = Vec::new();
        let mut connections = Vec::new();
        for &n in &order {
            let (name, node) = &g.nodes[n];
            let (size, neurons) = match node {
                Node::Input { shape } => (shape.iter().product(), None),
                Node::Neurons(nr) => (nr.size(), Some(nr.clone())),
                _ => unreachable!("layers are inputs and neurons"),
            };
            if size == 0 {
                return Err(NirError::node(&g.file, name, "has no elements (shape with a zero)"));
            }
            let mut bias = vec![0.0; size];
            if neurons.is_some() {
                if let Some(form) = r.input_of(n)? {
                    if form.size() != size {
                        return Err(NirError::node(
                            &g.file,
                            name,
                            format!("receives {} values (shape {:?}) but has {size} neurons", form.size(), form.shape),
                        ));
                    }
                    if let Some(b) = form.bias {
                        bias = b;
                    }
                    for (src, (rows, delays)) in by_source(form.terms, size, g, n)? {
                        connections.push(Connection { from: layer_of[&src], to: layer_of[&n], rows, delays });
                    }
                }
            }
            layers.push(Layer { name: name.clone(), size, neurons, bias });
        }
        let mut outputs = Vec::new();
        for (i, (name, node)) in g.nodes.iter().enumerate() {
            let Node::Output { shape } = node else { continue };
            if !g.top[i] {
                continue;
            }
            let form = r.input_of(i)?.ok_or_else(|| NirError::node(&g.file, name, "Output receives no edge"))?;
            let single = form.bias.is_none() && form.terms.len() == 1;
            let (&(src, delay), rows) =
                form.terms.iter().next().ok_or_else(|| NirError::node(&g.file, name, "Output receives nothing"))?;
            let is_identity = rows.iter().enumerate().all(|(k, row)| row.len() == 1 && row[0] == (k as u32, 1.0));
            if !single || !is_identity || delay != 0f64.to_bits() || !matches!(g.nodes[src].1, Node::Neurons(_)) {
                return Err(NirError::node(
                    &g.file,
                    name,
                    "an Output must be fed by one neuron node directly (spikes or LI potentials); a linear map before it has no neurons to run on",
                ));
            }
            let n: usize = shape.iter().product();
            if n != rows.len() {
                return Err(NirError::node(
                    &g.file,
                    name,
                    format!("has shape {shape:?} but receives {} values", rows.len()),
                ));
            }
            outputs.push((name.clone(), layer_of[&src]));
        }
        let delay_nodes = g
            .nodes
            .iter()
            .filter_map(|(name, node)| match node {
                Node::Delay { delay, .. } => Some((name.clone(), delay.clone())),
                _ => None,
            })
            .collect();
        Ok(Net { file: g.file.clone(), layers, connections, outputs, delay_nodes })
    }

    /// Each synapse's delay in whole timesteps of `dt`, laid out as the connections' rows; an
    /// error names the Delay node whose delay is not a whole number of timesteps.
    pub fn delay_steps(&self, dt: f64) -> Result<Vec<Vec<Vec<u32>>>> {
        for (name, delays) in &self.delay_nodes {
            for (i, &d) in delays.iter().enumerate() {
                if !whole_steps(d, dt) {
                    return Err(NirError::node(
                        &self.file,
                        name,
                        format!(
                            "Delay: element {i} delays by {d} s, {:.3} timesteps of dt = {dt} s; a synapse delays by whole \
                             timesteps (give the file's dt with --dt, or delays that are multiples of it)",
                            d / dt
                        ),
                    ));
                }
            }
        }
        // Sums of whole steps are whole: only rounding noise of the float sums is left.
        Ok(self
            .connections
            .iter()
            .map(|c| c.delays.iter().map(|row| row.iter().map(|&d| (d / dt).round() as u32).collect()).collect())
            .collect())
    }

    /// Index of the layer called `name`.
    pub fn layer(&self, name: &str) -> Option<usize> {
        self.layers.iter().position(|l| l.name == name)
    }

    /// The input layers as a dataset names them, indexed by layer (what the reference takes).
    pub fn input_populations(&self) -> Vec<spikemesh_spec::dataset::InputPopulation> {
        self.layers
            .iter()
            .enumerate()
            .filter(|(_, l)| l.neurons.is_none())
            .map(|(i, l)| spikemesh_spec::dataset::InputPopulation {
                name: l.name.clone(),
                index: i as u32,
                size: l.size,
            })
            .collect()
    }
}

struct Reducer<'a> {
    g: &'a Graph,
    memo: Vec<Option<Form>>,
    busy: Vec<bool>,
}

impl Reducer<'_> {
    /// What arrives at node `n`: the sum over its incoming edges, or None without any.
    fn input_of(&mut self, n: usize) -> Result<Option<Form>> {
        let preds: Vec<usize> = self.g.edges.iter().filter(|e| e.1 == n).map(|e| e.0).collect();
        let mut sum: Option<Form> = None;
        for p in preds {
            let v = self.value_of(p)?;
            match &mut sum {
                None => sum = Some(v),
                Some(s) if s.size() == v.size() => s.add(v),
                Some(s) => {
                    return Err(NirError::node(
                        &self.g.file,
                        &self.g.nodes[n].0,
                        format!(
                            "its inputs disagree in size: {} from one edge, {} from `{}`",
                            s.size(),
                            v.size(),
                            self.g.nodes[p].0
                        ),
                    ))
                }
            }
        }
        Ok(sum)
    }

    /// What node `n` puts out.
    fn value_of(&mut self, n: usize) -> Result<Form> {
        if let Some(f) = &self.memo[n] {
            return Ok(f.clone());
        }
        let (name, node) = &self.g.nodes[n];
        let err = |m: String| NirError::node(&self.g.file, name, m);
        let form = match node {
            Node::Neurons(nr) => Form::identity(n, &nr.shape),
            Node::Input { shape } if self.g.top[n] => Form::identity(n, shape),
            Node::Output { .. } if self.g.top[n] => return Err(err("a top-level Output has no outgoing edges".into())),
            Node::Input { shape } | Node::Output { shape } => {
                let f = self.through(n)?;
                let want: usize = shape.iter().product();
                if f.size() != want {
                    return Err(err(format!("declares shape {shape:?} but receives {} values", f.size())));
                }
                Form { shape: shape.clone(), ..f }
            }
            Node::Op { kind, op } => {
                let f = self.through(n)?;
                let sop = op.unroll(&f.shape).map_err(|m| err(format!("{kind} {m}")))?;
                f.apply(&sop)
            }
            Node::Delay { delay, .. } => {
                let f = self.through(n)?;
                if f.size() != delay.len() {
                    return Err(err(format!("Delay has {} delays but receives {} values", delay.len(), f.size())));
                }
                if f.bias.is_some() {
                    return Err(err(
                        "Delay: a bias (from an Affine or a convolution before it) passes through this delay; the chip adds a \
                         bias from the first timestep, so it cannot arrive late: move the bias after the Delay"
                            .into(),
                    ));
                }
                f.delayed(delay)
            }
        };
        self.memo[n] = Some(form.clone());
        Ok(form)
    }

    /// The input of a linear or pass-through node, guarding against cycles of linear nodes.
    fn through(&mut self, n: usize) -> Result<Form> {
        let name = &self.g.nodes[n].0;
        if self.busy[n] {
            return Err(NirError::node(
                &self.g.file,
                name,
                "lies on a cycle of linear nodes with no neuron in it; such a loop has no timestep to delay by",
            ));
        }
        self.busy[n] = true;
        let f = self.input_of(n)?;
        self.busy[n] = false;
        f.ok_or_else(|| NirError::node(&self.g.file, name, "receives no edge"))
    }
}

/// Whether `d` seconds is a whole number of timesteps of `dt` (within float rounding).
fn whole_steps(d: f64, dt: f64) -> bool {
    let steps = d / dt;
    let r = steps.round();
    (steps - r).abs() <= 1e-6 * r.max(1.0) && r <= u32::MAX as f64
}

/// The terms of the input of layer node `n` (of `size` neurons) grouped by source layer node:
/// rows of (pre, weight) sorted by pre, and each synapse's delay in seconds. A (pre, post) pair
/// reached through two different delays is refused: a synapse has one delay.
fn by_source(terms: BTreeMap<Term, Rows>, size: usize, g: &Graph, n: usize) -> Result<BTreeMap<usize, (Rows, Delays)>> {
    let mut out: BTreeMap<usize, Vec<Vec<Delayed>>> = BTreeMap::new();
    for ((src, delay), rows) in terms {
        let entry = out.entry(src).or_insert_with(|| vec![Vec::new(); size]);
        for (post, row) in rows.into_iter().enumerate() {
            entry[post].extend(row.into_iter().map(|(pre, w)| (pre, w, f64::from_bits(delay))));
        }
    }
    out.into_iter()
        .map(|(src, mut rows)| {
            for (post, row) in rows.iter_mut().enumerate() {
                row.sort_by_key(|e| e.0);
                if let Some(w) = row.windows(2).find(|w| w[0].0 == w[1].0) {
                    return Err(NirError::node(
                        &g.file,
                        &g.nodes[n].0,
                        format!(
                            "neuron {post} is reached from element {} of `{}` along two paths delayed by {} s and {} s; \
                             a synapse has one delay (give both paths the same delay, or one path)",
                            w[0].0, g.nodes[src].0, w[0].2, w[1].2
                        ),
                    ));
                }
            }
            let weights = rows.iter().map(|r| r.iter().map(|&(pre, w, _)| (pre, w)).collect()).collect();
            let delays = rows.iter().map(|r| r.iter().map(|e| e.2).collect()).collect();
            Ok((src, (weights, delays)))
        })
        .collect()
}
