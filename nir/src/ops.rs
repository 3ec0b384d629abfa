//! Linear nodes unrolled into sparse maps: Linear, Affine, Scale, Flatten, Conv1d, Conv2d,
//! SumPool2d and AvgPool2d (cross-correlation with PyTorch's conventions, as NIR defines them).

use crate::error::Result;
use crate::fields::Fields;

/// A linear map with an optional constant, as sparse rows: `out[i] = bias[i] + sum(w * in[j])`.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseOp {
    /// Input elements.
    pub in_size: usize,
    /// Output shape (its product is the output size).
    pub out_shape: Vec<usize>,
    /// Per output element: (input element, weight).
    pub rows: Vec<Vec<(u32, f64)>>,
    /// Constant added to each output element (Affine and convolution biases).
    pub bias: Option<Vec<f64>>,
}

/// A linear node, ready or waiting for its input shape (poolings do not store it).
#[derive(Debug, Clone, PartialEq)]
pub enum Lin {
    /// Unrolled.
    Ready(SparseOp),
    /// Passes values through unchanged (Flatten; nested graphs' Input and Output); checks the
    /// element count when the node states its input shape.
    Identity {
        /// Input elements the node declares, if it does.
        in_size: Option<usize>,
    },
    /// A 2-D pooling over (C, H, W).
    Pool {
        /// (kh, kw).
        kernel: [usize; 2],
        /// (sh, sw).
        stride: [usize; 2],
        /// (ph, pw), zero padding.
        padding: [usize; 2],
        /// Divide by the window size (AvgPool2d) or not (SumPool2d).
        average: bool,
    },
}

impl Lin {
    /// The map for an input of shape `in_shape`, or a message saying why it does not apply.
    pub fn unroll(&self, in_shape: &[usize]) -> std::result::Result<SparseOp, String> {
        let n: usize = in_shape.iter().product();
        match self {
            Lin::Ready(op) if op.in_size == n => Ok(op.clone()),
            Lin::Ready(op) => Err(format!("expects {} input elements, gets {n} (shape {in_shape:?})", op.in_size)),
            Lin::Identity { in_size: Some(k) } if *k != n => {
                Err(format!("declares {k} input elements, gets {n} (shape {in_shape:?})"))
            }
            Lin::Identity { .. } => Ok(SparseOp {
                in_size: n,
                out_shape: vec![n],
                rows: (0..n as u32).map(|i| vec![(i, 1.0)]).collect(),
                bias: None,
            }),
            Lin::Pool { kernel, stride, padding, average } => {
                let [c, h, w] = match in_shape {
                    [c, h, w] => [*c, *h, *w],
                    [h, w] => [1, *h, *w],
                    _ => return Err(format!("pools over (C, H, W), gets shape {in_shape:?}")),
                };
                let oh = out_len(h, kernel[0], stride[0], padding[0], 1)?;
                let ow = out_len(w, kernel[1], stride[1], padding[1], 1)?;
                let scale = if *average { 1.0 / (kernel[0] * kernel[1]) as f64 } else { 1.0 };
                let mut rows = Vec::with_capacity(c * oh * ow);
                for ch in 0..c {
                    for oy in 0..oh {
                        for ox in 0..ow {
                            let mut row = Vec::new();
                            for ky in 0..kernel[0] {
                                for kx in 0..kernel[1] {
                                    let (iy, ix) = (
                                        (oy * stride[0] + ky) as isize - padding[0] as isize,
                                        (ox * stride[1] + kx) as isize - padding[1] as isize,
                                    );
                                    if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                                        row.push(((ch * h * w + iy as usize * w + ix as usize) as u32, scale));
                                    }
                                }
                            }
                            rows.push(row);
                        }
                    }
                }
                Ok(SparseOp { in_size: n, out_shape: vec![c, oh, ow], rows, bias: None })
            }
        }
    }
}

fn out_len(n: usize, k: usize, s: usize, p: usize, d: usize) -> std::result::Result<usize, String> {
    if k == 0 || s == 0 || d == 0 {
        return Err(format!("kernel {k}, stride {s} and dilation {d} must all be at least 1"));
    }
    let span = d.saturating_mul(k - 1).saturating_add(1);
    if n.saturating_add(p.saturating_mul(2)) < span {
        return Err(format!("a kernel spanning {span} with stride {s} does not fit an input of {n} padded by {p}"));
    }
    Ok((n + 2 * p - span) / s + 1)
}

/// Parses a linear node.
pub(crate) fn parse(f: &Fields) -> Result<Lin> {
    match f.kind {
        "Linear" | "Affine" => {
            let (shape, w) = f.get("weight")?;
            let [out, inp] = match shape.as_slice() {
                [o, i] => [*o, *i],
                _ => return Err(f.err(format!("`weight` has shape {shape:?}, not (out, in)"))),
            };
            let bias = if f.kind == "Affine" {
                let (bs, b) = f.get("bias")?;
                if b.len() != out {
                    return Err(f.err(format!("`bias` has shape {bs:?}, `weight` has {out} outputs")));
                }
                Some(b)
            } else {
                None
            };
            let rows = (0..out)
                .map(|i| (0..inp).filter(|&j| w[i * inp + j] != 0.0).map(|j| (j as u32, w[i * inp + j])).collect())
                .collect();
            Ok(Lin::Ready(SparseOp { in_size: inp, out_shape: vec![out], rows, bias }))
        }
        "Scale" => {
            let (shape, s) = f.get("scale")?;
            let rows = s.iter().enumerate().map(|(i, &x)| vec![(i as u32, x)]).collect();
            Ok(Lin::Ready(SparseOp {
                in_size: s.len(),
                out_shape: if shape.is_empty() { vec![1] } else { shape },
                rows,
                bias: None,
            }))
        }
        "Flatten" => Ok(Lin::Identity { in_size: f.shape("input_type")?.map(|s| s.iter().product()) }),
        "SumPool2d" | "AvgPool2d" => Ok(Lin::Pool {
            kernel: pair(f, "kernel_size", None)?,
            stride: pair(f, "stride", None)?,
            padding: pair(f, "padding", Some(0))?,
            average: f.kind == "AvgPool2d",
        }),
        "Conv1d" | "Conv2d" => conv(f),
        _ => unreachable!("graph.rs sends only linear kinds here"),
    }
}

/// A (height, width) pair stored as one integer or two.
fn pair(f: &Fields, field: &str, default: Option<usize>) -> Result<[usize; 2]> {
    let v = match (f.opt(field)?, default) {
        (Some((_, d)), _) => d,
        (None, Some(x)) => vec![x as f64],
        (None, None) => return Err(f.err(format!("has no `{field}`"))),
    };
    let ok = |x: f64| x >= 0.0 && x.fract() == 0.0;
    match v.as_slice() {
        [a] if ok(*a) => Ok([*a as usize; 2]),
        [a, b] if ok(*a) && ok(*b) => Ok([*a as usize, *b as usize]),
        _ => Err(f.err(format!("`{field}` = {v:?} is not one or two non-negative integers"))),
    }
}

fn conv(f: &Fields) -> Result<Lin> {
    let two_d = f.kind == "Conv2d";
    let (ws, w) = f.get("weight")?;
    let (co, cig, kh, kw) = match (two_d, ws.as_slice()) {
        (true, [a, b, c, d]) => (*a, *b, *c, *d),
        (false, [a, b, c]) => (*a, *b, 1, *c),
        _ => return Err(f.err(format!("`weight` has shape {ws:?}, not (C_out, C_in/groups, kernel...)"))),
    };
    let groups = match f.opt("groups")? {
        Some((_, g)) if g.len() == 1 && g[0] >= 1.0 && g[0].fract() == 0.0 => g[0] as usize,
        None => 1,
        Some((_, g)) => return Err(f.err(format!("`groups` = {g:?} is not a positive integer"))),
    };
    if co % groups != 0 {
        return Err(f.err(format!("{co} output channels are not a multiple of groups = {groups}")));
    }
    let ci = cig * groups;
    let spatial = f
        .shape("input_shape")?
        .ok_or_else(|| f.err("has no `input_shape`: spikemesh unrolls convolutions and needs it"))?;
    let (h, wd) = match (two_d, spatial.as_slice()) {
        (true, [a, b]) => (*a, *b),
        (false, [a]) => (1, *a),
        _ => return Err(f.err(format!("`input_shape` = {spatial:?} does not match a {}", f.kind))),
    };
    let one = |p: [usize; 2]| if two_d { p } else { [0, p[1]] };
    let stride = if two_d { pair(f, "stride", Some(1))? } else { [1, pair(f, "stride", Some(1))?[0]] };
    let dilation = if two_d { pair(f, "dilation", Some(1))? } else { [1, pair(f, "dilation", Some(1))?[0]] };
    let padding = match f.opt_text("padding") {
        Some(s) if s == "valid" => [0, 0],
        Some(s) if s == "same" => one([dilation[0] * (kh - 1) / 2, dilation[1] * (kw - 1) / 2]),
        Some(s) => return Err(f.err(format!("`padding` = \"{s}\" (known: \"valid\", \"same\", or numbers)"))),
        None if two_d => pair(f, "padding", Some(0))?,
        None => [0, pair(f, "padding", Some(0))?[0]],
    };
    let bias = match f.opt("bias")? {
        Some((_, b)) if b.len() == co => Some(b),
        Some((_, b)) if b.len() == 1 => Some(vec![b[0]; co]),
        Some((s, _)) => return Err(f.err(format!("`bias` has shape {s:?}, not ({co},)"))),
        None => None,
    };
    let e = |m: String| f.err(m);
    let oh = out_len(h, kh, stride[0], padding[0], dilation[0]).map_err(e)?;
    let ow = out_len(wd, kw, stride[1], padding[1], dilation[1]).map_err(e)?;
    let mut rows = Vec::with_capacity(co * oh * ow);
    let per_group_out = co / groups;
    for o in 0..co {
        let g = o / per_group_out;
        for oy in 0..oh {
            for ox in 0..ow {
                let mut row = Vec::new();
                for c in 0..cig {
                    let ch = g * cig + c;
                    for ky in 0..kh {
                        for kx in 0..kw {
                            let weight = w[((o * cig + c) * kh + ky) * kw + kx];
                            let iy = (oy * stride[0] + ky * dilation[0]) as isize - padding[0] as isize;
                            let ix = (ox * stride[1] + kx * dilation[1]) as isize - padding[1] as isize;
                            if weight != 0.0 && iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < wd {
                                row.push(((ch * h * wd + iy as usize * wd + ix as usize) as u32, weight));
                            }
                        }
                    }
                }
                rows.push(row);
            }
        }
    }
    let out_shape = if two_d { vec![co, oh, ow] } else { vec![co, ow] };
    let bias = bias.map(|b| (0..co * oh * ow).map(|i| b[i / (oh * ow)]).collect());
    Ok(Lin::Ready(SparseOp { in_size: ci * h * wd, out_shape, rows, bias }))
}
