//! Labelled spike datasets for `spikemesh evaluate`: `sample,timestep,population,neuron` and
//! `sample,label` files (docs/config.md).

use crate::error::{Diagnostic, SpecError};
use std::collections::HashSet;
use std::path::Path;

/// An input population as a dataset may name it.
#[derive(Debug, Clone)]
pub struct InputPopulation {
    /// Name in the files.
    pub name: String,
    /// Index the engine knows it by.
    pub index: u32,
    /// Neurons.
    pub size: usize,
}

impl InputPopulation {
    /// The input populations of `net`, indexed as the golden model and the RTL know them.
    pub fn of_network(net: &crate::Network) -> Vec<InputPopulation> {
        net.populations
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_input())
            .map(|(i, p)| InputPopulation { name: p.name.clone(), index: i as u32, size: p.size })
            .collect()
    }
}

/// Samples and their labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    /// Per sample, per timestep: (population index, neuron), sorted.
    pub samples: Vec<Vec<Vec<(u32, u32)>>>,
    /// Per sample: its class.
    pub labels: Vec<u32>,
}

impl Dataset {
    /// Reads a `sample,label` file: every sample 0, 1, ... labelled exactly once.
    pub fn read_labels(labels: &Path) -> crate::Result<Vec<u32>> {
        let mut diags = Vec::new();
        let mut lab: Vec<Option<u32>> = Vec::new();
        let mut rdr = crate::spikes::open_csv(labels, &["sample", "label"])?;
        for rec in rdr.records() {
            let rec = rec
                .map_err(|e| Diagnostic::at_line(labels, e.position().map(|p| p.line() as usize), "", e.to_string()))?;
            let line = rec.position().map_or(0, |p| p.line() as usize);
            let at = |field: &str, m: String| Diagnostic::at_line(labels, Some(line), field, m);
            match (rec[0].parse::<usize>(), rec[1].parse::<u32>()) {
                (Ok(s), Ok(l)) if s < 10_000_000 => {
                    if lab.len() <= s {
                        lab.resize(s + 1, None);
                    }
                    if lab[s].replace(l).is_some() {
                        diags.push(at("sample", format!("sample {s} is labelled twice")));
                    }
                }
                (Ok(_), Ok(_)) | (Err(_), _) => {
                    diags.push(at("sample", format!("'{}' is not a sample number", &rec[0])))
                }
                (_, Err(_)) => diags.push(at("label", format!("'{}' is not a class (0 or more)", &rec[1]))),
            }
        }
        if let Some(s) = lab.iter().position(Option::is_none) {
            diags.push(Diagnostic::whole_file(
                labels,
                format!("sample {s} has no label (samples are numbered 0, 1, ... without gaps)"),
            ));
        }
        if !diags.is_empty() {
            return Err(SpecError::Invalid(diags));
        }
        Ok(lab.into_iter().map(|l| l.unwrap_or(0)).collect())
    }

    /// Reads `samples` and `labels`, with `steps` timesteps per sample, spikes into `inputs`.
    /// Every sample the labels name exists (a sample without spikes is an empty stimulus);
    /// a spike of a sample without a label is an error, as is a spike given twice.
    pub fn read(samples: &Path, labels: &Path, steps: usize, inputs: &[InputPopulation]) -> crate::Result<Dataset> {
        let labels_v = Self::read_labels(labels)?;
        let mut diags = Vec::new();
        let mut out = vec![vec![Vec::new(); steps]; labels_v.len()];
        let mut seen = HashSet::new();
        let names = inputs.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
        let mut rdr = crate::spikes::open_csv(samples, &["sample", "timestep", "population", "neuron"])?;
        for rec in rdr.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    diags.push(Diagnostic::at_line(
                        samples,
                        e.position().map(|p| p.line() as usize),
                        "",
                        e.to_string(),
                    ));
                    break;
                }
            };
            let line = rec.position().map_or(0, |p| p.line() as usize);
            let at = |field: &str, m: String| Diagnostic::at_line(samples, Some(line), field, m);
            let s = match rec[0].parse::<usize>() {
                Ok(s) if s < out.len() => s,
                _ => {
                    diags.push(at("sample", format!("'{}' is not a labelled sample (0..{})", &rec[0], out.len())));
                    continue;
                }
            };
            let t = match rec[1].parse::<usize>() {
                Ok(t) if t < steps => t,
                _ => {
                    diags.push(at(
                        "timestep",
                        format!("'{}' is not a timestep of a sample (0..{steps}, --steps-per-sample)", &rec[1]),
                    ));
                    continue;
                }
            };
            let Some(p) = inputs.iter().find(|p| p.name == rec[2]) else {
                diags.push(at("population", format!("no input population named '{}' (inputs: {names})", &rec[2])));
                continue;
            };
            let k = match rec[3].parse::<u32>() {
                Ok(k) if (k as usize) < p.size => k,
                _ => {
                    diags.push(at("neuron", format!("'{}' is not a neuron of '{}' (0..{})", &rec[3], p.name, p.size)));
                    continue;
                }
            };
            if !seen.insert((s, t, p.index, k)) {
                diags.push(at("neuron", format!("sample {s} gives this spike twice")));
                continue;
            }
            out[s][t].push((p.index, k));
        }
        if !diags.is_empty() {
            return Err(SpecError::Invalid(diags));
        }
        for sample in &mut out {
            for step in sample.iter_mut() {
                step.sort_unstable();
            }
        }
        Ok(Dataset { samples: out, labels: labels_v })
    }
}

impl Dataset {
    /// Encodes `images` into the input population `input` with `encoder` (samples of `steps`
    /// timesteps), labelled by `labels`; `images_path` and `labels_path` name the files in errors.
    pub fn from_images(
        images: &crate::images::Images,
        labels: Vec<u32>,
        encoder: crate::encode::Encoder,
        steps: usize,
        input: &InputPopulation,
        (images_path, labels_path): (&Path, &Path),
    ) -> crate::Result<Dataset> {
        if images.size != input.size {
            return Err(Diagnostic::whole_file(
                images_path,
                format!(
                    "its images have {} values each, the input population '{}' has {} neurons: pick the \
                     population with --input, or import a network whose input matches",
                    images.size, input.name, input.size
                ),
            )
            .into());
        }
        if labels.len() != images.count() {
            return Err(Diagnostic::whole_file(
                labels_path,
                format!("holds {} labels for the {} images of {}", labels.len(), images.count(), images_path.display()),
            )
            .into());
        }
        if steps < encoder.window() {
            return Err(Diagnostic::whole_file(
                images_path,
                format!(
                    "the encoder spikes over {} timesteps, longer than --steps-per-sample {steps}",
                    encoder.window()
                ),
            )
            .into());
        }
        let samples = (0..images.count())
            .map(|i| {
                let spikes = encoder.encode(i, images.image(i), steps);
                spikes.into_iter().map(|step| step.into_iter().map(|k| (input.index, k)).collect()).collect()
            })
            .collect();
        Ok(Dataset { samples, labels })
    }
}
