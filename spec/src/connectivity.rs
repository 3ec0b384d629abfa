//! Expands a projection's connectivity and weight rules into explicit synapses.
//!
//! Random draws use ChaCha8 seeded from the file, in a fixed (pre, post) order, so a seed
//! gives the same network on every machine and every run.

use crate::error::{Diagnostic, FieldPath};
use crate::locate::Locator;
use crate::network::{Synapse, MAX_DELAY, MAX_DELAY_BITS};
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
    /// Bits the delays must fit (`[hardware] delay_bits`).
    pub delay_bits: u32,
    /// Synapses all crossbars of the chip can hold; more can never map, so expansion stops there.
    pub max_synapses: usize,
}

type Diags = Vec<Diagnostic>;

/// A per-synapse value as a projection gives it: one for all, or drawn uniformly.
enum Rule {
    Constant(i64),
    Uniform { lo: i64, hi: i64, seed: u64 },
}

/// A synapse before its rules are applied: what the connectivity itself gives.
struct Pair {
    pre: u32,
    post: u32,
    /// The pair's own weight (a `pairs` entry's third number, or the file's weight column).
    weight: Option<i64>,
    /// The pair's own delay (the file's delay column).
    delay: Option<i64>,
}

/// Expands `connectivity`, `weight` and `delay` into synapses, or explains every problem found.
pub fn expand(
    ctx: &Context,
    conn: &Value,
    weight: Option<&Value>,
    delay: Option<&Value>,
) -> Result<Vec<Synapse>, Diags> {
    let cp = ctx.at.key("connectivity");
    let wp = ctx.at.key("weight");
    let dp = ctx.at.key("delay");
    let weight = weight.map(|w| parse_rule(ctx, &wp, w, &weight_limits(ctx))).transpose()?;
    let delay = delay.map(|d| parse_rule(ctx, &dp, d, &delay_limits(ctx))).transpose()?;
    let pair = |pre, post| Pair { pre, post, weight: None, delay: None };
    let pairs: Vec<Pair> = match conn {
        Value::String(s) if s == "all_to_all" => {
            too_many(ctx, &cp, ctx.pre_size.saturating_mul(ctx.post_size))?;
            let mut v = Vec::with_capacity(ctx.pre_size * ctx.post_size);
            for pre in 0..ctx.pre_size as u32 {
                for post in 0..ctx.post_size as u32 {
                    v.push(pair(pre, post));
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
            (0..ctx.pre_size as u32).map(|i| pair(i, i)).collect()
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
    assign(ctx, pairs, weight, delay)
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

/// What a rule's values must satisfy: its name, its range, and the message for a value outside.
struct Limits {
    what: &'static str,
    lo: i64,
    hi: i64,
    outside: Box<dyn Fn(i64) -> String>,
}

fn weight_limits(ctx: &Context) -> Limits {
    let widths = ctx.widths;
    Limits {
        what: "weight",
        lo: widths.weight_min(),
        hi: widths.weight_max(),
        outside: Box::new(move |x| weight_range_msg(&widths, x)),
    }
}

fn delay_limits(ctx: &Context) -> Limits {
    let bits = ctx.delay_bits;
    Limits { what: "delay", lo: 0, hi: (1 << bits) - 1, outside: Box::new(move |x| delay_range_msg(bits, x)) }
}

/// An integer, or `{ uniform = [lo, hi], seed = s }`, every value within `limits`.
fn parse_rule(ctx: &Context, path: &FieldPath, v: &Value, limits: &Limits) -> Result<Rule, Diags> {
    let what = limits.what;
    let fits = |path: &FieldPath, x: i64| {
        if (limits.lo..=limits.hi).contains(&x) {
            Ok(x)
        } else {
            Err(vec![ctx.loc.at(path, (limits.outside)(x))])
        }
    };
    match v {
        Value::Integer(x) => Ok(Rule::Constant(fits(path, *x)?)),
        Value::Table(t) => {
            if let Some(k) = t.keys().find(|k| *k != "uniform" && *k != "seed") {
                return Err(vec![ctx
                    .loc
                    .at(&path.key(k), format!("unknown key '{k}' in {what} (known: uniform, seed)"))]);
            }
            let Some(u) = t.get("uniform") else {
                return Err(vec![ctx
                    .loc
                    .at(path, format!("{what} must be an integer or {{ uniform = [lo, hi], seed = s }}"))]);
            };
            let up = path.key("uniform");
            let arr = u
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| vec![ctx.loc.at(&up, "uniform takes two integers [lo, hi] (both included)")])?;
            let lo = fits(&up.index(0), int(ctx, &up.index(0), &arr[0])?)?;
            let hi = fits(&up.index(1), int(ctx, &up.index(1), &arr[1])?)?;
            if lo > hi {
                return Err(vec![ctx.loc.at(&up, format!("uniform range [{lo}, {hi}] is empty (lo > hi)"))]);
            }
            let seed = seed(ctx, &path.key("seed"), t.get("seed"))?;
            Ok(Rule::Uniform { lo, hi, seed })
        }
        _ => Err(vec![ctx.loc.at(
            path,
            format!("{what} must be an integer or {{ uniform = [lo, hi], seed = s }}, found {}", v.type_str()),
        )]),
    }
}

/// Why delay `x` cannot be stored, and the `delay_bits` that would store it.
fn delay_range_msg(bits: u32, x: i64) -> String {
    if x < 0 {
        return format!("delay {x} is negative: a delay counts extra timesteps (0 or more)");
    }
    let need = (0..=MAX_DELAY_BITS).find(|&b| x < (1 << b));
    let fix = match need {
        Some(b) => format!("set [hardware] delay_bits = {b} (or more) to store it"),
        None => format!("the most is {MAX_DELAY} timesteps (delay_bits = {MAX_DELAY_BITS})"),
    };
    format!("delay {x} does not fit delay_bits = {bits} (delays 0..={}): {fix}", (1i64 << bits) - 1)
}

fn weight_range_msg(widths: &Widths, x: i64) -> String {
    format!(
        "weight {x} does not fit weight_bits = {} (range {}..={})",
        widths.weight_bits,
        widths.weight_min(),
        widths.weight_max()
    )
}

fn random_pairs(ctx: &Context, cp: &FieldPath, p: &Value, s: Option<&Value>) -> Result<Vec<Pair>, Diags> {
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
                v.push(Pair { pre, post, weight: None, delay: None });
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

fn explicit_pairs(ctx: &Context, pp: &FieldPath, p: &Value) -> Result<Vec<Pair>, Diags> {
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
            Ok(Pair { pre, post, weight: w, delay: None })
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

fn file_pairs(ctx: &Context, fp: &FieldPath, f: &Value) -> Result<Vec<Pair>, Diags> {
    let name = f.as_str().ok_or_else(|| vec![ctx.loc.at(fp, "file takes a path (relative to this TOML file)")])?;
    let path = ctx.base_dir.join(name);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(&path)
        .map_err(|e| vec![ctx.loc.at(fp, format!("cannot read {}: {e}", path.display()))])?;
    let headers = rdr.headers().map_err(|e| vec![Diagnostic::whole_file(&path, e.to_string())])?.clone();
    let cols: Vec<&str> = headers.iter().collect();
    // `pre,post`, then optionally `weight`, then optionally `delay`, in that order.
    let (with_weight, with_delay) = match cols.as_slice() {
        ["pre", "post"] => (false, false),
        ["pre", "post", "weight"] => (true, false),
        ["pre", "post", "delay"] => (false, true),
        ["pre", "post", "weight", "delay"] => (true, true),
        _ => {
            return Err(vec![Diagnostic::at_line(
                &path,
                Some(1),
                "",
                format!(
                    "the header must be `pre,post`, `pre,post,weight`, `pre,post,delay` or `pre,post,weight,delay`, found `{}`",
                    cols.join(",")
                ),
            )])
        }
    };
    let delay_col = if with_weight { 3 } else { 2 };
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
                    return Err(at("weight", weight_range_msg(&ctx.widths, w)));
                }
                Some(w)
            } else {
                None
            };
            let d = if with_delay {
                let d = num(delay_col, "delay")?;
                if !(0..1 << ctx.delay_bits).contains(&d) {
                    return Err(at("delay", delay_range_msg(ctx.delay_bits, d)));
                }
                Some(d)
            } else {
                None
            };
            Ok(Pair { pre: pre as u32, post: post as u32, weight: w, delay: d })
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

/// Gives every pair its weight and delay: its own (from the file or the `pairs` entry) or the
/// projection's rule; a weight must come from exactly one of the two, a delay from at most one.
fn assign(ctx: &Context, pairs: Vec<Pair>, weight: Option<Rule>, delay: Option<Rule>) -> Result<Vec<Synapse>, Diags> {
    let wp = ctx.at.key("weight");
    let explicit = pairs.iter().filter(|p| p.weight.is_some()).count();
    if explicit != 0 && explicit != pairs.len() {
        return Err(vec![ctx.loc.at(&ctx.at.key("connectivity"), "either every pair carries a weight or none does")]);
    }
    match (&weight, explicit > 0) {
        (Some(_), true) => {
            return Err(vec![ctx.loc.at(
                &wp,
                "the connectivity already gives each synapse a weight; remove `weight` or the weight column",
            )]);
        }
        (None, false) if !pairs.is_empty() => {
            return Err(vec![ctx.loc.at(&ctx.at, "this projection needs a weight: `weight = 3`, `weight = { uniform = [lo, hi], seed = s }`, or a weight per pair")]);
        }
        _ => {}
    }
    if delay.is_some() && pairs.iter().any(|p| p.delay.is_some()) {
        return Err(vec![ctx.loc.at(
            &ctx.at.key("delay"),
            "the synapse file already gives each synapse a delay; remove `delay` or the delay column",
        )]);
    }
    let mut weights = Draw::new(weight);
    let mut delays = Draw::new(delay);
    let mut out = Vec::with_capacity(pairs.len());
    let mut diags = Vec::new();
    for (k, p) in pairs.into_iter().enumerate() {
        let weight = match p.weight {
            Some(x) if !(ctx.widths.weight_min()..=ctx.widths.weight_max()).contains(&x) => {
                let at = ctx.at.key("connectivity").key("pairs").index(k).index(2);
                diags.push(ctx.loc.at(&at, weight_range_msg(&ctx.widths, x)));
                continue;
            }
            Some(x) => x,
            None => weights.next().expect("checked above: a weight rule exists when pairs lack weights"),
        };
        let delay = p.delay.or_else(|| delays.next()).unwrap_or(0);
        out.push(Synapse { pre: p.pre, post: p.post, weight: weight as i32, delay: delay as u32 });
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// The values of a rule, one per synapse in order (each uniform rule has its own generator, so
/// adding a delay rule leaves the weights of a seed unchanged).
struct Draw {
    rule: Option<Rule>,
    rng: Option<ChaCha8Rng>,
}

impl Draw {
    fn new(rule: Option<Rule>) -> Self {
        let rng = match rule {
            Some(Rule::Uniform { seed, .. }) => Some(ChaCha8Rng::seed_from_u64(seed)),
            _ => None,
        };
        Self { rule, rng }
    }

    /// The next synapse's value; None without a rule.
    fn next(&mut self) -> Option<i64> {
        match (&self.rule, &mut self.rng) {
            (Some(Rule::Constant(c)), _) => Some(*c),
            (Some(Rule::Uniform { lo, hi, .. }), Some(r)) => Some(r.gen_range(*lo..=*hi)),
            _ => None,
        }
    }
}
