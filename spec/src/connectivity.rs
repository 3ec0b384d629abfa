//! Expands a projection's connectivity and weight rules into explicit synapses.
//!
//! Random draws use ChaCha8 seeded from the file, in a fixed (pre, post) order, so a seed
//! gives the same network on every machine and every run.

use crate::error::{Diagnostic, FieldPath};
use crate::locate::Locator;
use crate::network::Synapse;
use crate::neuron::Widths;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use toml::Value;

/// What expansion needs to know about the projection and where it stands in the file.
pub struct Context<'a> {
    /// Positions for diagnostics.
    pub loc: &'a Locator,
    /// Path of the `[[projection]]` table.
    pub at: FieldPath,
    /// Directory that relative file names resolve against.
    pub base_dir: &'a Path,
    /// Source population size.
    pub pre_size: usize,
    /// Target population size.
    pub post_size: usize,
    /// Widths the weights must fit.
    pub widths: Widths,
    /// Synapses all crossbars of the chip can hold; more can never map, so expansion stops there.
    pub max_synapses: usize,
}

type Diags = Vec<Diagnostic>;

enum Weight {
    Constant(i64),
    Uniform { lo: i64, hi: i64, seed: u64 },
}

/// Expands `connectivity` and `weight` into synapses, or explains every problem found.
pub fn expand(ctx: &Context, conn: &Value, weight: Option<&Value>) -> Result<Vec<Synapse>, Diags> {
    let cp = ctx.at.key("connectivity");
    let wp = ctx.at.key("weight");
    let weight = weight.map(|w| parse_weight(ctx, &wp, w)).transpose()?;
    // (pre, post, explicit weight if the rule carries one)
    let pairs: Vec<(u32, u32, Option<i64>)> = match conn {
        Value::String(s) if s == "all_to_all" => {
            too_many(ctx, &cp, ctx.pre_size.saturating_mul(ctx.post_size))?;
            let mut v = Vec::with_capacity(ctx.pre_size * ctx.post_size);
            for pre in 0..ctx.pre_size as u32 {
                for post in 0..ctx.post_size as u32 {
                    v.push((pre, post, None));
                }
            }
            v
        }
        Value::String(s) if s == "one_to_one" => {
            if ctx.pre_size != ctx.post_size {
                return Err(vec![ctx.loc.at(
                    &cp,
                    format!("one_to_one needs equal sizes, but the source has {} neurons and the target {}", ctx.pre_size, ctx.post_size),
                )]);
            }
            (0..ctx.pre_size as u32).map(|i| (i, i, None)).collect()
        }
        Value::String(s) => {
            return Err(vec![ctx.loc.at(
                &cp,
                format!("unknown connectivity '{s}' (known: \"all_to_all\", \"one_to_one\", {{ random = p, seed = s }}, {{ pairs = [[pre, post], ...] }}, {{ file = \"synapses.csv\" }})"),
            )])
        }
        Value::Table(t) => {
            let known = ["random", "seed", "pairs", "file"];
            if let Some(k) = t.keys().find(|k| !known.contains(&k.as_str())) {
                return Err(vec![ctx.loc.at(&cp.key(k), format!("unknown key '{k}' in connectivity (known: random + seed, pairs, file)"))]);
            }
            match (t.get("random"), t.get("pairs"), t.get("file")) {
                (Some(p), None, None) => random_pairs(ctx, &cp, p, t.get("seed"))?,
                (None, Some(p), None) => explicit_pairs(ctx, &cp.key("pairs"), p)?,
                (None, None, Some(f)) => file_pairs(ctx, &cp.key("file"), f)?,
                _ => {
                    return Err(vec![ctx.loc.at(&cp, "connectivity takes exactly one of: random, pairs, file")]);
                }
            }
        }
        _ => return Err(vec![ctx.loc.at(&cp, "connectivity must be a string or an inline table")]),
    };
    assign_weights(ctx, &wp, pairs, weight)
}

fn too_many(ctx: &Context, cp: &FieldPath, n: usize) -> Result<(), Diags> {
    if n > ctx.max_synapses {
        return Err(vec![ctx.loc.at(
            cp,
            format!(
                "this projection makes more than {} synapses, the most the chip's crossbars can hold",
                ctx.max_synapses
            ),
        )]);
    }
    Ok(())
}

fn int(ctx: &Context, path: &FieldPath, v: &Value) -> Result<i64, Diags> {
    v.as_integer().ok_or_else(|| vec![ctx.loc.at(path, format!("expected an integer, found {}", v.type_str()))])
}

fn seed(ctx: &Context, path: &FieldPath, v: Option<&Value>) -> Result<u64, Diags> {
    let Some(v) = v else {
        return Err(vec![ctx
            .loc
            .at(path, "a random rule needs a seed (seed = <integer>), so the network is reproducible")]);
    };
    let s = int(ctx, path, v)?;
    u64::try_from(s).map_err(|_| vec![ctx.loc.at(path, format!("seed {s} must not be negative"))])
}

fn parse_weight(ctx: &Context, wp: &FieldPath, w: &Value) -> Result<Weight, Diags> {
    let fits = |path: &FieldPath, x: i64| {
        if (ctx.widths.weight_min()..=ctx.widths.weight_max()).contains(&x) {
            Ok(x)
        } else {
            Err(vec![ctx.loc.at(path, weight_range_msg(ctx, x))])
        }
    };
    match w {
        Value::Integer(x) => Ok(Weight::Constant(fits(wp, *x)?)),
        Value::Table(t) => {
            if let Some(k) = t.keys().find(|k| *k != "uniform" && *k != "seed") {
                return Err(vec![ctx
                    .loc
                    .at(&wp.key(k), format!("unknown key '{k}' in weight (known: uniform, seed)"))]);
            }
            let Some(u) = t.get("uniform") else {
                return Err(vec![ctx.loc.at(wp, "weight must be an integer or { uniform = [lo, hi], seed = s }")]);
            };
            let up = wp.key("uniform");
            let arr = u
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| vec![ctx.loc.at(&up, "uniform takes two integers [lo, hi] (both included)")])?;
            let lo = fits(&up.index(0), int(ctx, &up.index(0), &arr[0])?)?;
            let hi = fits(&up.index(1), int(ctx, &up.index(1), &arr[1])?)?;
            if lo > hi {
                return Err(vec![ctx.loc.at(&up, format!("uniform range [{lo}, {hi}] is empty (lo > hi)"))]);
            }
            let seed = seed(ctx, &wp.key("seed"), t.get("seed"))?;
            Ok(Weight::Uniform { lo, hi, seed })
        }
        _ => Err(vec![ctx.loc.at(
            wp,
            format!("weight must be an integer or {{ uniform = [lo, hi], seed = s }}, found {}", w.type_str()),
        )]),
    }
}

fn weight_range_msg(ctx: &Context, x: i64) -> String {
    format!(
        "weight {x} does not fit weight_bits = {} (range {}..={})",
        ctx.widths.weight_bits,
        ctx.widths.weight_min(),
        ctx.widths.weight_max()
    )
}

fn random_pairs(
    ctx: &Context,
    cp: &FieldPath,
    p: &Value,
    s: Option<&Value>,
) -> Result<Vec<(u32, u32, Option<i64>)>, Diags> {
    let rp = cp.key("random");
    let prob = p
        .as_float()
        .or_else(|| p.as_integer().map(|i| i as f64))
        .ok_or_else(|| vec![ctx.loc.at(&rp, format!("random takes a probability, found {}", p.type_str()))])?;
    if !(0.0..=1.0).contains(&prob) {
        return Err(vec![ctx.loc.at(&rp, format!("{prob} is not a probability (0 <= random <= 1)"))]);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed(ctx, &cp.key("seed"), s)?);
    let mut v = Vec::new();
    for pre in 0..ctx.pre_size as u32 {
        for post in 0..ctx.post_size as u32 {
            if rng.gen::<f64>() < prob {
                v.push((pre, post, None));
                too_many(ctx, cp, v.len())?;
            }
        }
    }
    Ok(v)
}

fn check_index(ctx: &Context, path: &FieldPath, x: i64, size: usize, end: &str) -> Result<u32, Diags> {
    if x >= 0 && (x as usize) < size {
        Ok(x as u32)
    } else {
        Err(vec![ctx.loc.at(path, format!("{end} index {x} is outside the population (0..{size})"))])
    }
}

fn explicit_pairs(ctx: &Context, pp: &FieldPath, p: &Value) -> Result<Vec<(u32, u32, Option<i64>)>, Diags> {
    let arr = p
        .as_array()
        .ok_or_else(|| vec![ctx.loc.at(pp, "pairs takes an array of [pre, post] or [pre, post, weight]")])?;
    let mut out = Vec::with_capacity(arr.len());
    let mut diags = Vec::new();
    for (k, e) in arr.iter().enumerate() {
        let ep = pp.index(k);
        let Some(t) = e.as_array().filter(|t| t.len() == 2 || t.len() == 3) else {
            diags.push(ctx.loc.at(&ep, "each pair is [pre, post] or [pre, post, weight]"));
            continue;
        };
        let r = (|| {
            let pre = check_index(ctx, &ep.index(0), int(ctx, &ep.index(0), &t[0])?, ctx.pre_size, "pre")?;
            let post = check_index(ctx, &ep.index(1), int(ctx, &ep.index(1), &t[1])?, ctx.post_size, "post")?;
            let w = t.get(2).map(|w| int(ctx, &ep.index(2), w)).transpose()?;
            Ok((pre, post, w))
        })();
        match r {
            Ok(x) => out.push(x),
            Err(mut d) => diags.append(&mut d),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn file_pairs(ctx: &Context, fp: &FieldPath, f: &Value) -> Result<Vec<(u32, u32, Option<i64>)>, Diags> {
    let name = f.as_str().ok_or_else(|| vec![ctx.loc.at(fp, "file takes a path (relative to this TOML file)")])?;
    let path = ctx.base_dir.join(name);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(&path)
        .map_err(|e| vec![ctx.loc.at(fp, format!("cannot read {}: {e}", path.display()))])?;
    let headers = rdr.headers().map_err(|e| vec![Diagnostic::whole_file(&path, e.to_string())])?.clone();
    let cols: Vec<&str> = headers.iter().collect();
    let with_weight = match cols.as_slice() {
        ["pre", "post"] => false,
        ["pre", "post", "weight"] => true,
        _ => {
            return Err(vec![Diagnostic::at_line(
                &path,
                Some(1),
                "",
                format!("the header must be `pre,post` or `pre,post,weight`, found `{}`", cols.join(",")),
            )])
        }
    };
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                diags.push(Diagnostic::at_line(&path, line, "", e.to_string()));
                break;
            }
        };
        let line = rec.position().map(|p| p.line() as usize);
        let at = |field: &str, message: String| Diagnostic::at_line(&path, line, field, message);
        let num = |i: usize, field: &str| -> Result<i64, Diagnostic> {
            rec.get(i)
                .unwrap_or("")
                .parse::<i64>()
                .map_err(|_| at(field, format!("expected an integer, found '{}'", rec.get(i).unwrap_or(""))))
        };
        let row = (|| {
            let pre = num(0, "pre")?;
            let post = num(1, "post")?;
            if pre < 0 || pre as usize >= ctx.pre_size {
                return Err(at(
                    "pre",
                    format!("pre index {pre} is outside the source population (0..{})", ctx.pre_size),
                ));
            }
            if post < 0 || post as usize >= ctx.post_size {
                return Err(at(
                    "post",
                    format!("post index {post} is outside the target population (0..{})", ctx.post_size),
                ));
            }
            let w = if with_weight {
                let w = num(2, "weight")?;
                if !(ctx.widths.weight_min()..=ctx.widths.weight_max()).contains(&w) {
                    return Err(at("weight", weight_range_msg(ctx, w)));
                }
                Some(w)
            } else {
                None
            };
            Ok((pre as u32, post as u32, w))
        })();
        match row {
            Ok(x) => out.push(x),
            Err(d) => diags.push(d),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn assign_weights(
    ctx: &Context,
    wp: &FieldPath,
    pairs: Vec<(u32, u32, Option<i64>)>,
    weight: Option<Weight>,
) -> Result<Vec<Synapse>, Diags> {
    let explicit = pairs.iter().filter(|p| p.2.is_some()).count();
    if explicit != 0 && explicit != pairs.len() {
        return Err(vec![ctx.loc.at(&ctx.at.key("connectivity"), "either every pair carries a weight or none does")]);
    }
    let has_explicit = explicit > 0;
    let mut rng = None;
    let w = match (weight, has_explicit) {
        (Some(_), true) => {
            return Err(vec![ctx.loc.at(
                wp,
                "the connectivity already gives each synapse a weight; remove `weight` or the weight column",
            )]);
        }
        (None, false) if !pairs.is_empty() => {
            return Err(vec![ctx.loc.at(&ctx.at, "this projection needs a weight: `weight = 3`, `weight = { uniform = [lo, hi], seed = s }`, or a weight per pair")]);
        }
        (w, _) => w,
    };
    if let Some(Weight::Uniform { seed, .. }) = w {
        rng = Some(ChaCha8Rng::seed_from_u64(seed));
    }
    let mut out = Vec::with_capacity(pairs.len());
    let mut diags = Vec::new();
    for (k, (pre, post, ew)) in pairs.into_iter().enumerate() {
        let weight = match (&w, ew) {
            (_, Some(x)) => {
                if !(ctx.widths.weight_min()..=ctx.widths.weight_max()).contains(&x) {
                    diags.push(
                        ctx.loc
                            .at(&ctx.at.key("connectivity").key("pairs").index(k).index(2), weight_range_msg(ctx, x)),
                    );
                    continue;
                }
                x
            }
            (Some(Weight::Constant(c)), None) => *c,
            (Some(Weight::Uniform { lo, hi, .. }), None) => rng.as_mut().map_or(*lo, |r| r.gen_range(*lo..=*hi)),
            (None, None) => {
                unreachable!("checked above: a weight rule exists when pairs lack weights")
            }
        };
        out.push(Synapse { pre, post, weight: weight as i32 });
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}
