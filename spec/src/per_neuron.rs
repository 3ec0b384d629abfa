//! Per-neuron parameters: a population's `neuron_file`, one row per neuron, overriding its
//! `neuron` table field by field. Each distinct parameter set becomes one neuron type of the
//! cores it lands on (NIR files carry parameters per neuron).

use crate::error::Diagnostic;
use crate::neuron::{NeuronType, ParamKind, Widths};
use std::path::Path;

/// Reads `path` (header `neuron,<param>,...`, rows for neurons 0..size, each once) into one
/// neuron type per neuron, starting from `base`.
pub fn read(path: &Path, base: NeuronType, size: usize, w: &Widths) -> Result<Vec<NeuronType>, Vec<Diagnostic>> {
    let whole = |m: String| vec![Diagnostic::whole_file(path, m)];
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| whole(format!("cannot read the per-neuron parameter file: {e}")))?;
    let header: Vec<String> = rdr.headers().map_err(|e| whole(e.to_string()))?.iter().map(String::from).collect();
    let model = base.model.get();
    let specs = model.params(w);
    let own: Vec<&str> = specs.iter().map(|s| s.name).collect();
    let mut cols = Vec::new();
    let mut diags = Vec::new();
    if header.first().map(String::as_str) != Some("neuron") {
        diags.push(Diagnostic::at_line(path, Some(1), "", "the first column must be `neuron`"));
    }
    for name in header.iter().skip(1) {
        match specs.iter().position(|s| s.name == name) {
            Some(i) => cols.push(i),
            None => diags.push(Diagnostic::at_line(
                path,
                Some(1),
                name,
                format!("`{name}` is not a parameter of model '{}' (it takes {})", model.name(), own.join(", ")),
            )),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut out: Vec<Option<NeuronType>> = vec![None; size];
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                diags.push(Diagnostic::at_line(path, e.position().map(|p| p.line() as usize), "", e.to_string()));
                break;
            }
        };
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let at = |field: &str, m: String| Diagnostic::at_line(path, Some(line), field, m);
        let k = match rec[0].parse::<usize>() {
            Ok(k) if k < size => k,
            _ => {
                diags.push(at("neuron", format!("'{}' is not a neuron of the population (0..{size})", &rec[0])));
                continue;
            }
        };
        if out[k].is_some() {
            diags.push(at("neuron", format!("neuron {k} is given twice")));
            continue;
        }
        let mut t = base;
        let mut ok = true;
        for (c, &i) in cols.iter().enumerate() {
            let spec = &specs[i];
            let text = &rec[c + 1];
            let v = match &spec.kind {
                ParamKind::Int { min, max, why, .. } => match text.parse::<i64>() {
                    Ok(x) if (*min..=*max).contains(&x) => Some(x),
                    Ok(x) => {
                        diags.push(at(spec.name, format!("{x} is out of range {min}..={max} ({why})")));
                        None
                    }
                    Err(_) => {
                        diags.push(at(spec.name, format!("'{text}' is not an integer ({})", spec.doc)));
                        None
                    }
                },
                ParamKind::Choice { names, .. } => {
                    let p = names.iter().position(|n| *n == text).map(|p| p as i64);
                    if p.is_none() {
                        diags.push(at(
                            spec.name,
                            format!("unknown {} '{text}' (known: {})", spec.name, names.join(", ")),
                        ));
                    }
                    p
                }
            };
            match v {
                Some(x) => t.params[i] = x,
                None => ok = false,
            }
        }
        if !ok {
            continue;
        }
        if let Err((param, msg)) = model.check(&t.params, w) {
            diags.push(at(param, msg));
            continue;
        }
        out[k] = Some(t);
    }
    if let Some(k) = out.iter().position(Option::is_none).filter(|_| diags.is_empty()) {
        diags.push(Diagnostic::whole_file(
            path,
            format!("neuron {k} has no row (every neuron of the population needs one)"),
        ));
    }
    if diags.is_empty() {
        Ok(out.into_iter().map(|t| t.expect("every row checked")).collect())
    } else {
        Err(diags)
    }
}
