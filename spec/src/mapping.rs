//! Places populations on cores, assigns axons, and builds the per-core memory images.
//!
//! Placement fills cores in row-major order (x fastest), population after population, in
//! file order: a population may span cores and a core may hold several populations. Every
//! (source neuron, destination core, delay) that carries at least one synapse gets exactly one
//! axon row in that core's crossbar; axons are numbered in source order (input sources
//! first, then neuron sources by global slot, then delay), which makes images deterministic.
//!
//! A delay belongs to the axon row, not to the synapse: a source whose synapses into one core
//! have k different delays takes k rows there, and the core holds one delay per row
//! (`docs/delays.md`, "How the chip holds them"). Without delays every row has delay 0.

use crate::error::{Diagnostic, FieldPath, SpecError};
use crate::kernel::{Kernel, KernelError, KernelImage, MAX_TAPS};
use crate::locate::Locator;
use crate::network::{Hardware, Network, PopulationKind};
use crate::neuron::{ModelId, NeuronType};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a spike goes: one axon row of one core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Destination {
    /// Destination core x.
    pub x: u16,
    /// Destination core y.
    pub y: u16,
    /// Axon row in that core.
    pub axon: u32,
}

/// A neuron's slice of its core's destination memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FanOut {
    /// First entry in the destination memory.
    pub base: u32,
    /// Number of entries.
    pub count: u32,
}

/// Something that can spike into an axon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Neuron `neuron` of input population `population`.
    Input {
        /// Population index.
        population: usize,
        /// Neuron index in the population.
        neuron: usize,
    },
    /// A neuron slot on a core, as a global slot (core * neurons_per_core + slot).
    Neuron(usize),
}

/// Everything one core loads: the memory images the hardware and the golden model share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoreImage {
    /// Core x.
    pub x: usize,
    /// Core y.
    pub y: usize,
    /// Neuron-type table (at most `neuron_types` entries, at least one).
    pub types: Vec<NeuronType>,
    /// Type index per neuron slot (`neurons_per_core` entries).
    pub neuron_type: Vec<u16>,
    /// Crossbar weights, row-major by axon: `crossbar[axon * neurons_per_core + neuron]`.
    pub crossbar: Vec<i16>,
    /// What drives each used axon row (the rest are all zero).
    pub axon_source: Vec<Source>,
    /// The delay of each used axon row in extra timesteps (every synapse of the row has it),
    /// beside `axon_source`; all 0 when `delay_bits = 0`.
    pub axon_delay: Vec<u8>,
    /// Fan-out slice per neuron slot.
    pub fanout: Vec<FanOut>,
    /// Destination memory.
    pub destinations: Vec<Destination>,
    /// Per neuron slot: its spikes also go to the host (its population has `record = true`).
    pub record: Vec<bool>,
    /// Neuron slots holding a population neuron.
    pub neurons_used: usize,
    /// Synapses stored in this core's crossbar (zero weights included).
    pub synapses: usize,
    /// The crossbar as shared kernels, on a core with `core_kernels` (what the hardware
    /// loads; `crossbar` stays the unrolled rows the golden model adds).
    pub kernel: Option<crate::kernel::KernelImage>,
}

/// One synapse as its core stores it: (neuron slot, weight).
type Target = (usize, i16);

/// A population's place on the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Host-driven: neuron k fans out to `input_fanout[first + k]`.
    Input {
        /// Index of neuron 0 in [`Mapping::input_fanout`].
        first: usize,
    },
    /// Simulated: neuron k lives at global slot `first + k`.
    Slots {
        /// Global slot of neuron 0.
        first: usize,
    },
}

/// The network placed on the hardware.
#[derive(Debug, Clone, Serialize)]
pub struct Mapping {
    /// Hardware shape.
    pub hardware: Hardware,
    /// One image per core, in core-index order.
    pub cores: Vec<CoreImage>,
    /// Placement per population, in file order.
    pub placement: Vec<Placement>,
    /// Destinations of every input neuron (the host bridge sends one event per entry).
    pub input_fanout: Vec<Vec<Destination>>,
    /// Owner of each global slot: (population, neuron), for used slots.
    pub slot_owner: Vec<Option<(u32, u32)>>,
}

impl CoreImage {
    /// The neuron model this core runs (the placement keeps one per core).
    pub fn model(&self) -> ModelId {
        self.types[0].model
    }
}

impl Mapping {
    /// Places `net` on its hardware, or explains what does not fit.
    pub fn build(net: &Network) -> crate::Result<Self> {
        let hw = &net.hardware;
        let n = hw.neurons_per_core;
        let cores = hw.cores();
        let capacity = cores * n;
        let loc = &net.locator;

        // Placement: contiguous slots in file order. A core runs one model, so a population
        // whose model differs from the one already on a partly filled core starts on the next.
        let mut placement = Vec::with_capacity(net.populations.len());
        let mut next_slot = 0usize;
        let mut next_input = 0usize;
        let mut skipped = 0usize;
        let mut first_break: Option<(usize, usize, usize)> = None;
        let mut last_model: Option<(ModelId, usize)> = None;
        let needed: usize = net.populations.iter().filter(|p| !p.is_input()).map(|p| p.size).sum();
        for (i, p) in net.populations.iter().enumerate() {
            let PopulationKind::Neurons { neuron, .. } = p.kind else {
                placement.push(Placement::Input { first: next_input });
                next_input += p.size;
                continue;
            };
            if let Some((m, prev)) = last_model {
                if m != neuron.model && !next_slot.is_multiple_of(n) {
                    first_break.get_or_insert((prev, i, next_slot / n));
                    skipped += n - next_slot % n;
                    next_slot += n - next_slot % n;
                }
            }
            if next_slot + p.size > capacity {
                let why = match first_break {
                    None => String::new(),
                    Some((a, b, c)) => {
                        let (x, y) = hw.core_xy(c);
                        format!(
                            ", and one model per core leaves {skipped} slots empty where the model changes (first: '{}' ({}) shares no core with '{}' ({}) after core ({x},{y}))",
                            net.populations[b].name,
                            model_of(net, b).name(),
                            net.populations[a].name,
                            model_of(net, a).name()
                        )
                    }
                };
                return Err(loc
                    .at(
                        &FieldPath::root().key("population").index(i).key("size"),
                        format!(
                            "population '{}' does not fit: the populations need {needed} neuron slots{why}, the {}x{} mesh of {n}-neuron cores has {capacity} ({} short)",
                            p.name,
                            hw.mesh_x,
                            hw.mesh_y,
                            // next_slot + size > capacity, and next_slot <= (needed so far) + skipped.
                            needed + skipped - capacity
                        ),
                    )
                    .into());
            }
            placement.push(Placement::Slots { first: next_slot });
            next_slot += p.size;
            last_model = Some((neuron.model, i));
        }
        let mut slot_owner = vec![None; capacity];
        for (pi, (p, pl)) in net.populations.iter().zip(&placement).enumerate() {
            if let Placement::Slots { first } = pl {
                for k in 0..p.size {
                    slot_owner[first + k] = Some((pi as u32, k as u32));
                }
            }
        }

        // Synapses grouped by destination core, then by (source, delay), one axon row each:
        // BTreeMap keeps axon order stable.
        let mut by_core: Vec<BTreeMap<(Source, u8), Vec<Target>>> = vec![BTreeMap::new(); cores];
        for proj in &net.projections {
            let Placement::Slots { first: post_first } = placement[proj.to] else {
                unreachable!("validation rejects projections into input populations")
            };
            for s in &proj.synapses {
                let src = match placement[proj.from] {
                    Placement::Input { .. } => Source::Input { population: proj.from, neuron: s.pre as usize },
                    Placement::Slots { first } => Source::Neuron(first + s.pre as usize),
                };
                let g = post_first + s.post as usize;
                // Validation keeps every delay within delay_bits <= 4.
                by_core[g / n].entry((src, s.delay as u8)).or_default().push((g % n, s.weight as i16));
            }
        }

        let mut diags = Vec::new();
        let mut images = Vec::with_capacity(cores);
        // Destinations per source, filled while axons are assigned.
        let mut dests: BTreeMap<Source, Vec<Destination>> = BTreeMap::new();
        for (c, rows) in by_core.iter().enumerate() {
            let (x, y) = hw.core_xy(c);
            // A core's own rows (`core_axons`) when they are fewer than the address space.
            let (rows_here, rows_field) = if hw.axons_of(c) < hw.axons_per_core {
                (hw.axons_of(c), FieldPath::root().key("hardware").key("core_axons").index(c))
            } else {
                (hw.axons_per_core, FieldPath::root().key("hardware").key("axons_per_core"))
            };
            if rows.len() > rows_here {
                let mut per_pop: BTreeMap<&str, usize> = BTreeMap::new();
                for (src, _) in rows.keys() {
                    let pop = match *src {
                        Source::Input { population, .. } => population,
                        Source::Neuron(g) => slot_owner[g].map_or(0, |o| o.0 as usize),
                    };
                    *per_pop.entry(net.populations[pop].name.as_str()).or_default() += 1;
                }
                let detail = per_pop.iter().map(|(k, v)| format!("'{k}' {v}")).collect::<Vec<_>>().join(", ");
                diags.push(loc.at(
                    &rows_field,
                    format!(
                        "core ({x},{y}) needs {} axons (one per source neuron with synapses here{}: {detail}), hardware has {}: raise {} to {}{}",
                        rows.len(),
                        if hw.delay_bits > 0 { " and delay" } else { "" },
                        rows_here,
                        if rows_here < hw.axons_per_core { format!("core_axons[{c}]") } else { "axons_per_core".into() },
                        rows.len(),
                        if hw.delay_bits > 0 { ", or give each source fewer distinct delays into this core" } else { ", or connect fewer source neurons into this core" }
                    ),
                ));
                continue;
            }
            let mut crossbar = vec![0i16; rows_here * n];
            let mut axon_source = Vec::with_capacity(rows.len());
            let mut axon_delay = Vec::with_capacity(rows.len());
            let mut synapses = 0;
            for (a, ((src, d), targets)) in rows.iter().enumerate() {
                axon_source.push(*src);
                axon_delay.push(*d);
                for &(j, w) in targets {
                    crossbar[a * n + j] = w;
                }
                synapses += targets.len();
                dests.entry(*src).or_default().push(Destination { x: x as u16, y: y as u16, axon: a as u32 });
            }
            let kernel = match hw.kernel_of(c) {
                None => None,
                Some(k) => match KernelImage::of(&crossbar, rows_here, n, &k) {
                    Ok(img) => Some(img),
                    Err(e) => {
                        diags.push(kernel_diag(loc, c, (x, y), &k, e));
                        continue;
                    }
                },
            };
            let (types, neuron_type) = type_table(net, &slot_owner[c * n..(c + 1) * n]);
            if types.len() > hw.neuron_types {
                diags.push(loc.at(
                    &FieldPath::root().key("hardware").key("neuron_types"),
                    format!(
                        "core ({x},{y}) needs {} distinct neuron types, hardware has {}",
                        types.len(),
                        hw.neuron_types
                    ),
                ));
                continue;
            }
            images.push(CoreImage {
                x,
                y,
                types,
                neuron_type,
                crossbar,
                axon_source,
                axon_delay,
                fanout: vec![FanOut::default(); n],
                destinations: Vec::new(),
                record: slot_owner[c * n..(c + 1) * n]
                    .iter()
                    .map(|o| o.is_some_and(|(p, _)| net.populations[p as usize].record))
                    .collect(),
                neurons_used: slot_owner[c * n..(c + 1) * n].iter().filter(|o| o.is_some()).count(),
                synapses,
                kernel,
            });
        }
        if !diags.is_empty() {
            return Err(SpecError::Invalid(diags));
        }

        // Fan-out tables: neurons in slot order, destinations in core order.
        let mut input_fanout = vec![Vec::new(); next_input];
        for (src, mut d) in dests {
            d.sort();
            match src {
                Source::Input { population, neuron } => {
                    let Placement::Input { first } = placement[population] else { unreachable!() };
                    input_fanout[first + neuron] = d;
                }
                Source::Neuron(g) => {
                    let img = &mut images[g / n];
                    img.fanout[g % n] = FanOut { base: img.destinations.len() as u32, count: d.len() as u32 };
                    img.destinations.extend(d);
                }
            }
        }
        let limit = crate::memory_map::fanout_limit(cores, hw.delay_bits);
        for img in &images {
            if let Some((j, f)) = img.fanout.iter().enumerate().find(|(_, f)| f.count as usize > limit) {
                diags.push(loc.at(
                    &FieldPath::root().key("hardware").key("delay_bits"),
                    format!(
                        "neuron slot {j} of core ({},{}) reaches {} (core, delay) axon rows; a fan-out entry counts at most {limit}: use fewer distinct delays per projection",
                        img.x, img.y, f.count
                    ),
                ));
            }
            if img.destinations.len() > hw.destinations_per_core {
                diags.push(loc.at(
                    &FieldPath::root().key("hardware").key("destinations_per_core"),
                    format!(
                        "core ({},{}) needs {} destination entries (one per neuron and target core), hardware has {}",
                        img.x,
                        img.y,
                        img.destinations.len(),
                        hw.destinations_per_core
                    ),
                ));
            }
        }
        if !diags.is_empty() {
            return Err(SpecError::Invalid(diags));
        }
        Ok(Self { hardware: hw.clone(), cores: images, placement, input_fanout, slot_owner })
    }

    /// Destinations of neuron `slot` of core `core`.
    pub fn neuron_destinations(&self, core: usize, slot: usize) -> &[Destination] {
        let img = &self.cores[core];
        let f = img.fanout[slot];
        &img.destinations[f.base as usize..(f.base + f.count) as usize]
    }

    /// The axon-event flits that carry the input spikes `inputs` (population, neuron) into the
    /// chip: one per destination core of each input neuron, dealt round-robin over the
    /// destination cores. Why dealt: the host link feeds every core through one port, and a
    /// core takes `neurons / lanes` clocks per event with a 2-flit buffer, so a run of flits
    /// for one core stalls the flits behind it for the others. Interleaved, the cores
    /// integrate side by side. The order of events within a timestep changes no result
    /// (docs/semantics.md, "Spikes, axons and the accumulator").
    pub fn input_flits(&self, inputs: &[(u32, u32)]) -> Vec<crate::flit::Flit> {
        let hw = &self.hardware;
        let mut per_core: Vec<Vec<crate::flit::Flit>> = vec![Vec::new(); hw.cores()];
        for &(p, k) in inputs {
            let Placement::Input { first } = self.placement[p as usize] else {
                unreachable!("stimulus spikes are validated to name input populations")
            };
            for d in &self.input_fanout[first + k as usize] {
                let f = crate::flit::Flit::axon(d.x as u8, d.y as u8, d.axon as u16);
                per_core[hw.core_index(d.x as usize, d.y as usize)].push(f);
            }
        }
        let longest = per_core.iter().map(Vec::len).max().unwrap_or(0);
        (0..longest).flat_map(|i| per_core.iter().filter_map(move |q| q.get(i).copied())).collect()
    }

    /// Whether the chip sends the spikes of global `slot` to the host (its population is
    /// recorded: the fan-out entry's record bit).
    pub fn is_recorded(&self, slot: u32) -> bool {
        let n = self.hardware.neurons_per_core;
        self.cores[slot as usize / n].record[slot as usize % n]
    }

    /// The global slot a recorded-spike flit from the chip names (core x, y and neuron).
    pub fn slot_of_host_flit(&self, f: crate::flit::Flit) -> u32 {
        let hw = &self.hardware;
        (hw.core_index(f.x as usize, f.y as usize) * hw.neurons_per_core + f.payload as usize) as u32
    }

    /// Global slot of neuron `k` of simulated population `pop`.
    pub fn slot_of(&self, pop: usize, k: usize) -> Option<usize> {
        match self.placement.get(pop)? {
            Placement::Slots { first } => Some(first + k),
            Placement::Input { .. } => None,
        }
    }
}

/// The model of simulated population `pop`.
fn model_of(net: &Network, pop: usize) -> ModelId {
    match net.populations[pop].kind {
        PopulationKind::Neurons { neuron, .. } => neuron.model,
        PopulationKind::Input { .. } => unreachable!("inputs have no model"),
    }
}

/// Distinct neuron types of one core, and each slot's index into them.
/// Empty slots take type 0; an all-empty core gets the chip model's silent type (it never
/// fires on zero input).
fn type_table(net: &Network, owners: &[Option<(u32, u32)>]) -> (Vec<NeuronType>, Vec<u16>) {
    let mut types: Vec<NeuronType> = Vec::new();
    let mut idx = vec![0u16; owners.len()];
    for (slot, o) in owners.iter().enumerate() {
        if let Some((pop, k)) = o {
            let neuron =
                net.populations[*pop as usize].neuron_type(*k as usize).expect("only simulated populations own slots");
            let t = match types.iter().position(|t| *t == neuron) {
                Some(t) => t,
                None => {
                    types.push(neuron);
                    types.len() - 1
                }
            };
            idx[slot] = t as u16;
        }
    }
    if types.is_empty() {
        types.push(NeuronType::silent(net.hardware.chip_model, &net.hardware.widths));
    }
    (types, idx)
}

/// What a core's rows need beyond its kernel shape, and how to give it.
fn kernel_diag(loc: &Locator, c: usize, (x, y): (usize, usize), k: &Kernel, e: KernelError) -> Diagnostic {
    let at = FieldPath::root().key("hardware").key("core_kernels").index(c);
    match e {
        KernelError::Taps { axon, needs } => loc.at(
            &at.key("taps"),
            format!(
                "core ({x},{y}): axon row {axon} has synapses in {needs} segments of {} neurons, the core's taps are {}: {}",
                k.segment,
                k.taps,
                if needs <= MAX_TAPS {
                    format!("raise taps to {}, or widen segment so that fewer segments hold its synapses", needs.next_power_of_two())
                } else {
                    format!("taps go up to {MAX_TAPS}: widen segment so that at most {MAX_TAPS} segments hold a row's synapses")
                }
            ),
        ),
        KernelError::Rows { needs } => loc.at(
            &at.key("rows"),
            format!(
                "core ({x},{y}): its crossbar rows hold {} distinct segments of {} neurons, plus the zero row: {needs} kernel rows, \
                 the core has {}: raise rows to {needs}, or give the core a network whose weights repeat (a convolution)",
                needs - 1,
                k.segment,
                k.rows
            ),
        ),
    }
}
