//! Spike files for the float reference: `timestep,population,neuron` with NIR input names.

use crate::error::{NirError, Result};
use crate::reduce::Net;
use std::path::Path;

/// Input spikes per timestep, as (layer, element), from a spike file naming input nodes.
pub fn read(path: &Path, net: &Net, steps: usize) -> Result<Vec<Vec<(usize, usize)>>> {
    let e = |line: Option<u64>, m: String| {
        NirError::file(
            path,
            match line {
                Some(l) => format!("line {l}: {m}"),
                None => m,
            },
        )
    };
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|x| e(None, format!("cannot read the file: {x}")))?;
    let header: Vec<String> = rdr.headers().map_err(|x| e(Some(1), x.to_string()))?.iter().map(String::from).collect();
    if header != ["timestep", "population", "neuron"] {
        return Err(e(
            Some(1),
            format!("the header must be `timestep,population,neuron`, found `{}`", header.join(",")),
        ));
    }
    let inputs: Vec<usize> = (0..net.layers.len()).filter(|&l| net.layers[l].neurons.is_none()).collect();
    let names = inputs.iter().map(|&l| net.layers[l].name.as_str()).collect::<Vec<_>>().join(", ");
    let mut out = vec![Vec::new(); steps];
    for rec in rdr.records() {
        let rec = rec.map_err(|x| e(x.position().map(|p| p.line()), x.to_string()))?;
        let line = rec.position().map(|p| p.line());
        let t: usize =
            rec[0].parse().map_err(|_| e(line, format!("field timestep: '{}' is not a timestep", &rec[0])))?;
        if t >= steps {
            return Err(e(line, format!("field timestep: {t} is outside the run (0..{steps}, --steps)")));
        }
        let l =
            inputs.iter().copied().find(|&l| net.layers[l].name == rec[1]).ok_or_else(|| {
                e(line, format!("field population: no input node named '{}' (inputs: {names})", &rec[1]))
            })?;
        let k: usize = rec[2].parse().ok().filter(|&k| k < net.layers[l].size).ok_or_else(|| {
            e(
                line,
                format!("field neuron: '{}' is not an element of '{}' (0..{})", &rec[2], &rec[1], net.layers[l].size),
            )
        })?;
        if out[t].contains(&(l, k)) {
            return Err(e(line, format!("field neuron: spike ({t}, {}, {k}) given twice", &rec[1])));
        }
        out[t].push((l, k));
    }
    Ok(out)
}
