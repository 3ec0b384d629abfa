//! Turns a parsed file into a [`Network`], or into diagnostics that name file, line and field.

use crate::config::{Board, RawConfig, RawHardware, RawNeuron, RawPopulation};
use crate::connectivity;
use crate::error::{Diagnostic, FieldPath, SpecError};
use crate::locate::Locator;
use crate::network::{Drive, Hardware, Network, Population, PopulationKind};
use crate::neuron::{model_named, model_names, ModelId, NeuronType, ParamKind, Widths, MAX_PARAMS, MODELS};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Reads and validates a network file.
pub fn load(path: &Path) -> crate::Result<Network> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::whole_file(path, format!("cannot read the file: {e}")))?;
    parse(path, &text)
}

/// Validates network text read from `path`.
pub fn parse(path: &Path, text: &str) -> crate::Result<Network> {
    let loc = Locator::new(path, text);
    let raw: RawConfig = toml::from_str(text).map_err(|e| match e.span() {
        Some(r) => loc.at_offset(r.start, e.message().trim().to_string()),
        None => Diagnostic::whole_file(path, e.message().trim().to_string()),
    })?;
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let mut v = Validator { loc: &loc, diags: Vec::new(), base_dir };
    let hardware = v.hardware(&raw.hardware);
    let Some(mut hardware) = hardware else {
        return Err(SpecError::Invalid(v.diags));
    };
    let populations = v.populations(&raw, &hardware);
    // A chip with the host bridge runs one model: the first simulated population's.
    if let Some(m) = populations.iter().find_map(|p| match p.kind {
        PopulationKind::Neurons { neuron, .. } => Some(neuron.model),
        PopulationKind::Input { .. } => None,
    }) {
        hardware.chip_model = m;
    }
    if !v.diags.is_empty() {
        return Err(SpecError::Invalid(v.diags));
    }
    let mut projections = Vec::new();
    let by_name: HashMap<&str, usize> = populations.iter().enumerate().map(|(i, p)| (p.name.as_str(), i)).collect();
    let names = populations.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
    for (i, rp) in raw.projection.iter().enumerate() {
        let at = FieldPath::root().key("projection").index(i);
        let mut endpoint = |field: &str, name: &str| match by_name.get(name) {
            Some(&ix) => Some(ix),
            None => {
                v.diags.push(loc.at(&at.key(field), format!("no population named '{name}' (populations: {names})")));
                None
            }
        };
        let (Some(from), Some(to)) = (endpoint("from", &rp.from), endpoint("to", &rp.to)) else {
            continue;
        };
        if populations[to].is_input() {
            v.diags.push(loc.at(
                &at.key("to"),
                format!(
                    "population '{}' is an input (its spikes come from the host), so it cannot receive synapses",
                    rp.to
                ),
            ));
            continue;
        }
        let ctx = connectivity::Context {
            loc: &loc,
            at: at.clone(),
            base_dir,
            pre_size: populations[from].size,
            post_size: populations[to].size,
            widths: hardware.widths,
            delay_bits: hardware.delay_bits,
            max_synapses: hardware.cores() * hardware.axons_per_core * hardware.neurons_per_core,
        };
        match connectivity::expand(&ctx, &rp.connectivity, rp.weight.as_ref(), rp.delay.as_ref()) {
            Ok(synapses) => projections.push(crate::network::Projection { from, to, synapses }),
            Err(mut d) => v.diags.append(&mut d),
        }
    }
    if v.diags.is_empty() {
        v.duplicate_synapses(&projections);
    }
    if !v.diags.is_empty() {
        return Err(SpecError::Invalid(v.diags));
    }
    Ok(Network { path: path.to_path_buf(), hardware, populations, projections, locator: loc })
}

struct Validator<'a> {
    loc: &'a Locator,
    diags: Vec<Diagnostic>,
    /// Files named in the network resolve next to it.
    base_dir: &'a Path,
}

impl Validator<'_> {
    /// Checks lo <= v <= hi, recording a diagnostic at `path` otherwise.
    fn range(&mut self, path: &FieldPath, v: i64, lo: i64, hi: i64, why: &str) -> Option<i64> {
        if (lo..=hi).contains(&v) {
            Some(v)
        } else {
            self.diags.push(self.loc.at(path, format!("{v} is out of range {lo}..={hi}{why}")));
            None
        }
    }

    fn hardware(&mut self, h: &RawHardware) -> Option<Hardware> {
        let at = FieldPath::root().key("hardware");
        let mx = self.range(&at.key("mesh").index(0), h.mesh[0], 1, 16, " (cores in x)");
        let my = self.range(&at.key("mesh").index(1), h.mesh[1], 1, 16, " (cores in y)");
        let n = self.range(&at.key("neurons_per_core"), h.neurons_per_core, 1, 4096, "");
        let a = self.range(&at.key("axons_per_core"), h.axons_per_core, 1, 16384, "");
        let wb = self.range(&at.key("weight_bits"), h.weight_bits, 2, 16, "");
        let pb = self.range(&at.key("potential_bits"), h.potential_bits, 4, 32, "");
        let cb = match (h.current_bits, pb) {
            (Some(c), _) => self.range(&at.key("current_bits"), c, 4, 32, ""),
            (None, p) => p,
        };
        let rb = self.range(&at.key("refractory_bits"), h.refractory_bits.unwrap_or(4), 0, 8, "");
        let nt = self.range(&at.key("neuron_types"), h.neuron_types.unwrap_or(16), 1, 256, "");
        let dests = match (h.destinations_per_core, n) {
            (Some(d), _) => self.range(&at.key("destinations_per_core"), d, 1, 1 << 20, ""),
            (None, Some(n)) => Some(4 * n),
            (None, None) => None,
        };
        let default_clock = match h.board {
            Board::Ulx3s85f | Board::Ulx3s25f => 25.0,
            Board::Icebreaker | Board::Hx8kBreakout | Board::Sim => 12.0,
        };
        let clock_mhz = h.clock_mhz.unwrap_or(default_clock);
        if !crate::network::is_usable_clock(clock_mhz) {
            self.diags.push(self.loc.at(
                &at.key("clock_mhz"),
                format!(
                    "{clock_mhz} MHz is not a usable core clock (0 < clock_mhz <= {})",
                    crate::network::MAX_CLOCK_MHZ
                ),
            ));
        }
        let baud = self.range(
            &at.key("baud"),
            h.baud.unwrap_or(crate::network::default_baud(clock_mhz) as i64),
            300,
            12_000_000,
            "",
        );
        if let Some(b) = baud {
            // The UART samples each bit with the core clock after a 2-flop synchroniser, which
            // costs up to a clock of uncertainty at the start edge: 8 clocks per bit keep that
            // within 1/8 of a bit, leaving room for a 2 % rate mismatch over a frame.
            if clock_mhz * 1e6 / (b as f64) < 8.0 {
                self.diags.push(self.loc.at(
                    &at.key("baud"),
                    format!(
                        "{b} baud needs at least {} MHz (8 clocks per bit); clock_mhz is {clock_mhz}",
                        (8 * b) as f64 / 1e6
                    ),
                ));
            }
        }
        let core_axons = self.core_axons(h, mx, my, a);
        let spc = self.synapses_per_clock(h, wb);
        let core_kernels = self.core_kernels(h, mx, my, n, a, spc);
        let max = crate::network::MAX_DELAY_BITS as i64;
        let delay_bits = self.range(&at.key("delay_bits"), h.delay_bits.unwrap_or(0), 0, max, "");
        Some(Hardware {
            board: h.board,
            mesh_x: mx? as usize,
            mesh_y: my? as usize,
            neurons_per_core: n? as usize,
            axons_per_core: a? as usize,
            core_axons: core_axons?,
            core_kernels: core_kernels?,
            neuron_types: nt? as usize,
            destinations_per_core: dests? as usize,
            widths: Widths {
                weight_bits: wb? as u32,
                potential_bits: pb? as u32,
                current_bits: cb? as u32,
                refractory_bits: rb? as u32,
            },
            clock_mhz,
            baud: baud? as u32,
            synapses_per_clock: spc?,
            byte_writes: h.byte_writes.unwrap_or(true),
            pulled_spikes: h.pulled_spikes.unwrap_or(true),
            delay_bits: delay_bits? as u32,
            chip_model: ModelId::lif(),
        })
        .filter(|_| self.diags.is_empty())
    }

    /// `core_axons`: one row count per core (row-major), each 1..=`axons_per_core`; without
    /// it every core holds `axons_per_core` rows.
    fn core_axons(&mut self, h: &RawHardware, mx: Option<i64>, my: Option<i64>, a: Option<i64>) -> Option<Vec<usize>> {
        let cores = (mx? * my?) as usize;
        let a = a?;
        let Some(rows) = &h.core_axons else {
            return Some(vec![a as usize; cores]);
        };
        let at = FieldPath::root().key("hardware").key("core_axons");
        let what = "one crossbar row count per core, row-major (x fastest), \
                    or leave core_axons out for axons_per_core rows in every core";
        if !self.one_per_core(&at, rows.len(), cores, what) {
            return None;
        }
        let why = " (a core's crossbar rows, at most axons_per_core)";
        let checked: Vec<Option<i64>> =
            rows.iter().enumerate().map(|(i, &r)| self.range(&at.index(i), r, 1, a, why)).collect();
        checked.into_iter().map(|r| r.map(|r| r as usize)).collect()
    }

    /// Whether a per-core list at `at` has one entry per core; if not, says so, and `what` to give.
    fn one_per_core(&mut self, at: &FieldPath, len: usize, cores: usize, what: &str) -> bool {
        if len != cores {
            self.diags.push(self.loc.at(at, format!("lists {len} cores, the mesh has {cores}: give {what}")));
        }
        len == cores
    }

    /// `core_kernels`: one entry per core (row-major), `{}` or all of segment (a multiple of
    /// the synapses per clock dividing `neurons_per_core`), taps (1 up to `kernel::MAX_TAPS`) and rows (2 up to `axons_per_core`: the bridge's crossbar rows).
    fn core_kernels(
        &mut self,
        h: &RawHardware,
        mx: Option<i64>,
        my: Option<i64>,
        n: Option<i64>,
        a: Option<i64>,
        spc: Option<usize>,
    ) -> Option<Vec<Option<crate::kernel::Kernel>>> {
        let Some(list) = &h.core_kernels else {
            return Some(Vec::new());
        };
        let (cores, n, a, spc) = ((mx? * my?) as usize, n? as usize, a?, spc?);
        let at = FieldPath::root().key("hardware").key("core_kernels");
        let what = "one entry per core, row-major (x fastest), {} for a core that stores its rows whole";
        if !self.one_per_core(&at, list.len(), cores, what) {
            return None;
        }
        let mut out = Vec::with_capacity(cores);
        for (i, k) in list.iter().enumerate() {
            let here = at.index(i);
            let (segment, taps, rows) = match (k.segment, k.taps, k.rows) {
                (None, None, None) => {
                    out.push(None);
                    continue;
                }
                (Some(s), Some(t), Some(r)) => (s, t, r),
                _ => {
                    self.diags.push(self.loc.at(
                        &here,
                        "gives some of segment, taps and rows: give all three, or {} for a core without shared kernels"
                            .to_string(),
                    ));
                    out.push(None);
                    continue;
                }
            };
            let max_taps = crate::kernel::MAX_TAPS as i64;
            let s = self.range(&here.key("segment"), segment, 1, n as i64, " (neurons per segment)");
            if s.is_some_and(|s| !(s as usize).is_multiple_of(spc) || !n.is_multiple_of(s as usize)) {
                self.diags.push(self.loc.at(
                    &here.key("segment"),
                    format!(
                        "{segment} must be a multiple of synapses_per_clock ({spc}) that divides neurons_per_core ({n}): \
                         a segment is whole crossbar words, and segments tile the core"
                    ),
                ));
            }
            let t = self.range(&here.key("taps"), taps, 1, max_taps, " (taps per axon)");
            let r = self.range(
                &here.key("rows"),
                rows,
                2,
                a,
                " (kernel rows, the zero row included; at most axons_per_core)",
            );
            if let (Some(s), Some(t), Some(r)) = (s, t, r) {
                out.push(Some(crate::kernel::Kernel { segment: s as usize, taps: t as usize, rows: r as usize }));
            }
        }
        Some(out)
    }

    /// `synapses_per_clock`: a power of two up to 4 (the core's adder lanes), and on the
    /// iCEBreaker no more weights than one 16-bit SPRAM word holds.
    fn synapses_per_clock(&mut self, h: &RawHardware, wb: Option<i64>) -> Option<usize> {
        let at = FieldPath::root().key("hardware").key("synapses_per_clock");
        let wb = wb? as u32;
        let Some(p) = h.synapses_per_clock else {
            return Some(crate::network::default_synapses_per_clock(h.board, wb));
        };
        if ![1, 2, 4].contains(&p) {
            self.diags.push(self.loc.at(&at, format!("{p} is not 1, 2 or 4 (the core's adder lanes)")));
            return None;
        }
        if h.board == Board::Icebreaker && p as u32 * wb > 16 {
            self.diags.push(self.loc.at(
                &at,
                format!(
                    "{p} synapses of {wb} bits is {} bits, but the iCEBreaker's crossbar reads one 16-bit SPRAM word per clock",
                    p as u32 * wb
                ),
            ));
            return None;
        }
        Some(p as usize)
    }

    fn populations(&mut self, raw: &RawConfig, hw: &Hardware) -> Vec<Population> {
        let mut out = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        // The top-level defaults are checked once, against their own model.
        if let Some(top) = &raw.neuron {
            let at = FieldPath::root().key("neuron");
            if let Some(m) = self.model_of(Some(top), &at, ModelId::lif()) {
                self.foreign_keys(top, &at, m, &hw.widths);
            }
        }
        for (i, p) in raw.population.iter().enumerate() {
            let at = FieldPath::root().key("population").index(i);
            if p.name.trim().is_empty() {
                self.diags.push(self.loc.at(&at.key("name"), "a population needs a non-empty name"));
            } else if let Some(&first) = seen.get(p.name.as_str()) {
                let first_at = self.loc.at(&FieldPath::root().key("population").index(first).key("name"), "");
                let line = first_at.line.map_or(String::new(), |l| format!(" at line {l}"));
                self.diags.push(
                    self.loc
                        .at(&at.key("name"), format!("duplicate population name '{}' (first defined{line})", p.name)),
                );
            } else {
                seen.insert(&p.name, i);
            }
            let Some(size) = self.range(&at.key("size"), p.size, 1, 1 << 24, "") else {
                continue;
            };
            if let Some(kind) = self.population_kind(raw, p, &at, hw) {
                out.push(Population { name: p.name.clone(), size: size as usize, kind, record: p.record });
            }
        }
        if raw.population.is_empty() {
            self.diags.push(Diagnostic::whole_file(self.loc.file(), "the network has no [[population]] tables"));
        }
        out
    }

    fn population_kind(
        &mut self,
        raw: &RawConfig,
        p: &RawPopulation,
        at: &FieldPath,
        hw: &Hardware,
    ) -> Option<PopulationKind> {
        if p.input {
            if p.neuron_file.is_some() {
                self.diags.push(self.loc.at(&at.key("neuron_file"), "input populations take no neuron parameters"));
                return None;
            }
            if p.neuron.is_some() {
                self.diags.push(
                    self.loc.at(
                        &at.key("neuron"),
                        "input populations are driven by the host and take no neuron parameters",
                    ),
                );
                return None;
            }
            let drive = match &p.drive {
                None => None,
                Some(d) => {
                    if !(d.rate.is_finite() && (0.0..=1.0).contains(&d.rate)) {
                        self.diags.push(self.loc.at(
                            &at.key("drive").key("rate"),
                            format!("{} is not a probability per timestep (0 <= rate <= 1)", d.rate),
                        ));
                        return None;
                    }
                    let seed = self.range(&at.key("drive").key("seed"), d.seed, 0, i64::MAX, "")?;
                    Some(Drive { rate: d.rate, seed: seed as u64 })
                }
            };
            return Some(PopulationKind::Input { drive });
        }
        if p.drive.is_some() {
            self.diags
                .push(self.loc.at(&at.key("drive"), "only input populations (input = true) take a generated drive"));
            return None;
        }
        let neuron = self.neuron(raw.neuron.as_ref(), p.neuron.as_ref(), at, &p.name, hw)?;
        let per_neuron = match &p.neuron_file {
            None => None,
            Some(f) => {
                let path = self.base_dir.join(f);
                match crate::per_neuron::read(&path, neuron, p.size.max(0) as usize, &hw.widths) {
                    Ok(each) => Some(each),
                    Err(mut d) => {
                        self.diags.append(&mut d);
                        return None;
                    }
                }
            }
        };
        Some(PopulationKind::Neurons { neuron, per_neuron })
    }

    /// The model a neuron table names (`fallback` when it names none), or None after an error.
    fn model_of(&mut self, t: Option<&RawNeuron>, at: &FieldPath, fallback: ModelId) -> Option<ModelId> {
        let Some(v) = t.and_then(|t| t.get("model")) else {
            return Some(fallback);
        };
        let known = model_names().join(", ");
        match v.as_str() {
            Some(name) => model_named(name).or_else(|| {
                self.diags
                    .push(self.loc.at(&at.key("model"), format!("unknown neuron model '{name}' (known: {known})")));
                None
            }),
            None => {
                self.diags.push(self.loc.at(&at.key("model"), format!("a model is a name in quotes (known: {known})")));
                None
            }
        }
    }

    /// Reports every key of `t` that is not a parameter of `model`, saying whose it is.
    fn foreign_keys(&mut self, t: &RawNeuron, at: &FieldPath, model: ModelId, w: &Widths) -> bool {
        let own: Vec<&str> = model.get().params(w).iter().map(|p| p.name).collect();
        let mut ok = true;
        for key in t.keys().filter(|k| *k != "model" && !own.contains(&k.as_str())) {
            let owners: Vec<&str> =
                MODELS.iter().filter(|m| m.params(w).iter().any(|p| p.name == key)).map(|m| m.name()).collect();
            let whose = if owners.is_empty() {
                String::new()
            } else {
                format!("; `{key}` is a parameter of {}", owners.join(", "))
            };
            self.diags.push(self.loc.at(
                &at.key(key),
                format!("unknown field `{key}`: model '{}' takes {}{whose}", model.name(), own.join(", ")),
            ));
            ok = false;
        }
        ok
    }

    /// The population's neuron type. Its model is its own `model`, else the top-level
    /// `[neuron]`'s, else lif; each parameter comes from its own table, else from the top-level
    /// one if that names the same model, else the model's default.
    fn neuron(
        &mut self,
        top: Option<&RawNeuron>,
        own: Option<&RawNeuron>,
        at: &FieldPath,
        name: &str,
        hw: &Hardware,
    ) -> Option<NeuronType> {
        let own_at = at.key("neuron");
        let top_at = FieldPath::root().key("neuron");
        let w = hw.widths;
        // Errors in the top-level table were reported once already; here it only supplies values.
        let top_model = match top.and_then(|t| t.get("model")).map(|v| v.as_str().and_then(model_named)) {
            None => Some(ModelId::lif()),
            Some(m) => m,
        };
        let model = self.model_of(own, &own_at, top_model.unwrap_or(ModelId::lif()))?;
        if let Some(own) = own {
            if !self.foreign_keys(own, &own_at, model, &w) {
                return None;
            }
        }
        let top = top.filter(|_| top_model == Some(model));
        let mut params = [0i64; MAX_PARAMS];
        let mut ok = true;
        for (i, spec) in model.get().params(&w).iter().enumerate() {
            let found = match (own.and_then(|t| t.get(spec.name)), top.and_then(|t| t.get(spec.name))) {
                (Some(v), _) => Some((v, own_at.key(spec.name))),
                (None, Some(v)) => Some((v, top_at.key(spec.name))),
                (None, None) => None,
            };
            let value = match (&spec.kind, found) {
                (ParamKind::Int { default: Some(d), .. }, None) => Some(*d),
                (ParamKind::Choice { default, .. }, None) => Some(*default as i64),
                (ParamKind::Int { default: None, .. }, None) => {
                    self.diags.push(self.loc.at(
                        at,
                        format!(
                            "population '{name}' has no neuron {p}: set neuron.{p} in this population or in a top-level [neuron] table",
                            p = spec.name
                        ),
                    ));
                    None
                }
                (ParamKind::Int { min, max, why, .. }, Some((v, path))) => match v.as_integer() {
                    Some(x) => self.range(&path, x, *min, *max, &format!(" ({why})")),
                    None => {
                        self.diags.push(self.loc.at(&path, format!("{} must be an integer ({})", spec.name, spec.doc)));
                        None
                    }
                },
                (ParamKind::Choice { names, .. }, Some((v, path))) => {
                    let pos = v.as_str().and_then(|s| names.iter().position(|n| *n == s));
                    if pos.is_none() {
                        let shown = v.as_str().map_or(v.to_string(), |s| format!("'{s}'"));
                        self.diags.push(
                            self.loc.at(&path, format!("unknown {} {shown} (known: {})", spec.name, names.join(", "))),
                        );
                    }
                    pos.map(|p| p as i64)
                }
            };
            match value {
                Some(x) => params[i] = x,
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        if let Err((param, msg)) = model.get().check(&params, &w) {
            let path = if own.is_some_and(|t| t.contains_key(param)) { own_at.key(param) } else { top_at.key(param) };
            self.diags.push(self.loc.at(&path, msg));
            return None;
        }
        Some(NeuronType { model, params })
    }

    /// The crossbar holds one weight per (pre, post) pair, so a pair defined twice is ambiguous.
    fn duplicate_synapses(&mut self, projections: &[crate::network::Projection]) {
        let mut seen: HashMap<(usize, u32, usize, u32), usize> = HashMap::new();
        let mut reported: HashSet<(usize, usize)> = HashSet::new();
        for (i, p) in projections.iter().enumerate() {
            for s in &p.synapses {
                if let Some(&j) = seen.get(&(p.from, s.pre, p.to, s.post)) {
                    if reported.insert((j, i)) {
                        let what = if i == j {
                            "twice by this projection".to_string()
                        } else {
                            format!("by projection[{j}] and again here")
                        };
                        self.diags.push(self.loc.at(
                            &FieldPath::root().key("projection").index(i),
                            format!(
                                "the synapse from neuron {} to neuron {} is defined {what}; a pair holds one weight",
                                s.pre, s.post
                            ),
                        ));
                    }
                } else {
                    seen.insert((p.from, s.pre, p.to, s.post), i);
                }
            }
        }
    }
}
