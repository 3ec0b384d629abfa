//! NIR nodes as spikemesh understands them, and the graph flattened (nested graphs inlined).
//!
//! Every node that only maps values linearly (Linear, Affine, Scale, Flatten, the
//! convolutions and poolings) becomes one [`SparseOp`]: convolutions and poolings are unrolled
//! here, with their shared weights expanded, because a crossbar holds one weight per synapse.

use crate::error::{NirError, Result};
use crate::fields::Fields;
use crate::hdf5::{Group, Value};
use crate::ops;
pub use crate::ops::SparseOp;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Node types this importer reads, for error messages.
pub const SUPPORTED: &str = "Input, Output, Affine, Linear, Scale, Flatten, Conv1d, Conv2d, SumPool2d, AvgPool2d, \
     Delay, LIF, IF, CubaLIF, LI, NIRGraph";

/// Which NIR neuron a layer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum NeuronKind {
    /// `IF`: v' = R I, no leak.
    If,
    /// `LIF`: tau v' = (v_leak - v) + R I.
    Lif,
    /// `CubaLIF`: a synaptic current I (tau_syn) feeding a LIF membrane (tau_mem).
    CubaLif,
    /// `LI`: a LIF membrane that never spikes (a readout).
    Li,
}

impl NeuronKind {
    /// NIR's name for it.
    pub fn nir_name(self) -> &'static str {
        match self {
            NeuronKind::If => "IF",
            NeuronKind::Lif => "LIF",
            NeuronKind::CubaLif => "CubaLIF",
            NeuronKind::Li => "LI",
        }
    }
}

/// A neuron node's parameters, one value per neuron (scalars broadcast). Parameters a kind
/// does not have hold their neutral value (tau = inf, v_leak = 0, w_in = 1, v_threshold = inf).
#[derive(Debug, Clone, PartialEq)]
pub struct Neurons {
    /// The NIR type.
    pub kind: NeuronKind,
    /// The node's shape.
    pub shape: Vec<usize>,
    /// Membrane time constant (s).
    pub tau_mem: Vec<f64>,
    /// Synaptic time constant (s), CubaLIF only.
    pub tau_syn: Vec<f64>,
    /// Resistance.
    pub r: Vec<f64>,
    /// Leak (resting) potential.
    pub v_leak: Vec<f64>,
    /// Spike when v > v_threshold.
    pub v_threshold: Vec<f64>,
    /// Potential after a spike.
    pub v_reset: Vec<f64>,
    /// Input weight into the synaptic current, CubaLIF only.
    pub w_in: Vec<f64>,
}

impl Neurons {
    /// Number of neurons.
    pub fn size(&self) -> usize {
        self.r.len()
    }
}

/// One node of the flattened graph.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A graph input: the stimulus (top level) or a pass-through (inside a nested graph).
    Input {
        /// Its shape.
        shape: Vec<usize>,
    },
    /// A graph output (top level) or a pass-through (nested).
    Output {
        /// Its shape.
        shape: Vec<usize>,
    },
    /// A linear map (with its NIR type name, for messages).
    Op {
        /// NIR type name.
        kind: String,
        /// The map; poolings are unrolled once the input shape is known.
        op: ops::Lin,
    },
    /// Neurons.
    Neurons(Neurons),
    /// `y(t) = x(t - delay)`, element by element: it becomes the delays of the synapses its
    /// values pass on their way to a neuron (docs/delays.md).
    Delay {
        /// Its shape.
        shape: Vec<usize>,
        /// Per element, in seconds (finite, not negative).
        delay: Vec<f64>,
    },
}

/// The flattened graph: nested graphs inlined, their nodes named `outer.inner`.
#[derive(Debug, Clone)]
pub struct Graph {
    /// The file it came from.
    pub file: PathBuf,
    /// Nodes in file order, by flattened name.
    pub nodes: Vec<(String, Node)>,
    /// Edges as node indices (source, target).
    pub edges: Vec<(usize, usize)>,
    /// Whether a node is a top-level Input or Output (nested ones pass values through).
    pub top: Vec<bool>,
}

impl Graph {
    /// Reads a NIR file.
    pub fn read(path: &Path) -> Result<Graph> {
        let root = crate::hdf5::read(path)?;
        let node = root
            .groups
            .get("node")
            .ok_or_else(|| NirError::file(path, "no `node` group at the root: this HDF5 file is not a NIR graph"))?;
        let mut g = Graph { file: path.to_path_buf(), nodes: Vec::new(), edges: Vec::new(), top: Vec::new() };
        let kind = text(path, "(root)", node, "type")?;
        if kind != "NIRGraph" {
            return Err(NirError::file(path, format!("the root node is a {kind}, not a NIRGraph")));
        }
        g.inline(node, "", true)?;
        Ok(g)
    }

    /// Index of the node called `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|(n, _)| n == name)
    }

    /// Adds the nodes and edges of graph group `gr`, names prefixed by `prefix`.
    fn inline(&mut self, gr: &Group, prefix: &str, top: bool) -> Result<()> {
        let file = self.file.clone();
        let here = if prefix.is_empty() { "(root)".to_string() } else { prefix.trim_end_matches('.').to_string() };
        let nodes = gr.groups.get("nodes").ok_or_else(|| NirError::node(&file, &here, "a NIRGraph without `nodes`"))?;
        // A nested graph's interface: the edge endpoints that name it resolve to its Input or
        // Output node.
        let mut nested: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for (name, ng) in &nodes.groups {
            let full = format!("{prefix}{name}");
            let kind = text(&file, &full, ng, "type")?;
            if kind == "NIRGraph" {
                self.inline(ng, &format!("{full}."), false)?;
                let sub = ng.groups.get("nodes").map(|n| &n.groups);
                let of = |want: &str| -> Vec<String> {
                    sub.into_iter()
                        .flatten()
                        .filter(|(_, g)| matches!(g.values.get("type"), Some(Value::Text { data, .. }) if data.first().map(|s| s.as_str()) == Some(want)))
                        .map(|(n, _)| format!("{full}.{n}"))
                        .collect()
                };
                nested.insert(name.clone(), (of("Input"), of("Output")));
                continue;
            }
            let node = parse_node(&file, &full, &kind, ng)?;
            self.nodes.push((full, node));
            self.top.push(top);
        }
        let edges = match gr.values.get("edges") {
            Some(Value::Text { shape, data }) if data.is_empty() || (shape.len() == 2 && shape[1] == 2) => data.clone(),
            Some(Value::Text { shape, .. }) => {
                return Err(NirError::node(&file, &here, format!("`edges` has shape {shape:?}, not (n, 2)")))
            }
            Some(Value::Array { .. }) => {
                return Err(NirError::node(&file, &here, "`edges` holds numbers, not node names"))
            }
            None => Vec::new(),
        };
        for pair in edges.chunks(2) {
            let resolve = |name: &str, as_source: bool| -> Result<usize> {
                let (head, rest) = match name.split_once('.') {
                    Some((h, r)) => (h, Some(r)),
                    None => (name, None),
                };
                if let Some((ins, outs)) = nested.get(head) {
                    let full = match rest {
                        Some(r) => format!("{prefix}{head}.{r}"),
                        None => {
                            let side = if as_source { outs } else { ins };
                            match side.as_slice() {
                                [one] => one.clone(),
                                _ => {
                                    return Err(NirError::node(
                                        &file,
                                        &format!("{prefix}{head}"),
                                        format!(
                                            "an edge names the nested graph `{head}`, which has {} {}s: name one as `{head}.<node>`",
                                            side.len(),
                                            if as_source { "Output" } else { "Input" }
                                        ),
                                    ))
                                }
                            }
                        }
                    };
                    return self.index(&full).ok_or_else(|| {
                        NirError::node(
                            &file,
                            &here,
                            format!("an edge names `{name}`, which the nested graph does not have"),
                        )
                    });
                }
                self.index(&format!("{prefix}{name}")).ok_or_else(|| {
                    NirError::node(
                        &file,
                        &here,
                        format!("an edge names `{name}`, but the graph has no node of that name"),
                    )
                })
            };
            let (src, dst) = (resolve(&pair[0], true)?, resolve(&pair[1], false)?);
            self.edges.push((src, dst));
        }
        Ok(())
    }
}

/// A string field of node `node`.
fn text(file: &Path, node: &str, g: &Group, field: &str) -> Result<String> {
    match g.values.get(field) {
        Some(Value::Text { data, .. }) if data.len() == 1 => Ok(data[0].clone()),
        Some(_) => Err(NirError::node(file, node, format!("`{field}` is not a single string"))),
        None => Err(NirError::node(file, node, format!("no `{field}` field"))),
    }
}

/// The fields each node type may carry (besides `type` and the type annotations): anything
/// else could change what the node computes, so it is refused rather than ignored.
fn known_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "Input" | "Output" => &["shape"],
        "Affine" => &["weight", "bias"],
        "Linear" => &["weight"],
        "Scale" => &["scale"],
        "Flatten" => &["start_dim", "end_dim"],
        "Conv1d" | "Conv2d" => &["weight", "bias", "stride", "padding", "dilation", "groups", "input_shape"],
        "SumPool2d" | "AvgPool2d" => &["kernel_size", "stride", "padding"],
        "IF" => &["r", "v_threshold", "v_reset"],
        "LIF" => &["tau", "r", "v_leak", "v_threshold", "v_reset"],
        "CubaLIF" => &["tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"],
        "LI" => &["tau", "r", "v_leak"],
        "Delay" => &["delay"],
        _ => &[],
    }
}

fn parse_node(file: &Path, name: &str, kind: &str, g: &Group) -> Result<Node> {
    let f = Fields { file, node: name, kind, g };
    let known = known_fields(kind);
    let annotations = ["type", "input_type", "output_type"];
    if let Some(extra) = g.values.keys().find(|k| !known.contains(&k.as_str()) && !annotations.contains(&k.as_str())) {
        if !known.is_empty() {
            return Err(f.err(format!(
                "has a field `{extra}` that spikemesh does not read (it reads {}); refusing rather than ignoring it",
                known.join(", ")
            )));
        }
    }
    Ok(match kind {
        "Input" => {
            Node::Input { shape: f.shape("shape")?.or(f.shape("input_type")?).ok_or_else(|| f.err("has no `shape`"))? }
        }
        "Output" => Node::Output {
            shape: f.shape("shape")?.or(f.shape("output_type")?).ok_or_else(|| f.err("has no `shape`"))?,
        },
        "Linear" | "Affine" | "Scale" | "Flatten" | "Conv1d" | "Conv2d" | "SumPool2d" | "AvgPool2d" => {
            Node::Op { kind: kind.to_string(), op: ops::parse(&f)? }
        }
        "IF" | "LIF" | "CubaLIF" | "LI" => Node::Neurons(neurons(&f)?),
        "Delay" => {
            let (shape, delay) = f.get("delay")?;
            if let Some(i) = delay.iter().position(|&d| d < 0.0) {
                return Err(f.err(format!("`delay` holds {} s at element {i}: a delay cannot be negative", delay[i])));
            }
            Node::Delay { shape: if shape.is_empty() { vec![1] } else { shape }, delay }
        }
        other => {
            return Err(NirError::node(
                file,
                name,
                format!("node type `{other}` is not supported (supported: {SUPPORTED})"),
            ))
        }
    })
}

fn neurons(f: &Fields) -> Result<Neurons> {
    let kind = match f.kind {
        "IF" => NeuronKind::If,
        "LIF" => NeuronKind::Lif,
        "CubaLIF" => NeuronKind::CubaLif,
        _ => NeuronKind::Li,
    };
    // The shape comes from `r`, which every one of these kinds has.
    let (shape, r) = f.get("r")?;
    let shape = if shape.is_empty() { vec![1] } else { shape };
    let n = r.len();
    let field = |name: &str, required: bool, neutral: f64| -> Result<Vec<f64>> {
        match f.opt(name)? {
            None if required => Err(f.err(format!("has no `{name}`"))),
            None => Ok(vec![neutral; n]),
            Some((_, d)) if d.len() == 1 => Ok(vec![d[0]; n]),
            Some((s, d)) if d.len() == n => {
                let _ = s;
                Ok(d)
            }
            Some((s, _)) => Err(f.err(format!("`{name}` has shape {s:?}, but `r` has shape {shape:?}"))),
        }
    };
    let spiking = kind != NeuronKind::Li;
    let leaky = kind != NeuronKind::If;
    let tau_name = if kind == NeuronKind::CubaLif { "tau_mem" } else { "tau" };
    let nrn = Neurons {
        kind,
        shape: shape.clone(),
        tau_mem: if leaky { field(tau_name, true, f64::INFINITY)? } else { vec![f64::INFINITY; n] },
        tau_syn: if kind == NeuronKind::CubaLif { field("tau_syn", true, 0.0)? } else { vec![0.0; n] },
        r,
        v_leak: if leaky { field("v_leak", true, 0.0)? } else { vec![0.0; n] },
        v_threshold: if spiking { field("v_threshold", true, 0.0)? } else { vec![f64::INFINITY; n] },
        v_reset: if spiking { field("v_reset", false, 0.0)? } else { vec![0.0; n] },
        w_in: if kind == NeuronKind::CubaLif { field("w_in", false, 1.0)? } else { vec![1.0; n] },
    };
    // Time constants are checked once the convention is settled (convention.rs): Spyx and
    // snnTorch write a negative tau for a decay they clamp in their forward pass.
    Ok(nrn)
}
