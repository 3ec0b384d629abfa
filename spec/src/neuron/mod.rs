//! Fixed-point neuron models: the one definition both the golden model and the RTL follow.
//!
//! A neuron *type* is a model plus its parameter values; each core holds a small table of
//! types and each neuron slot names one. A model is one file in this folder that defines
//! `pub static MODEL` implementing [`Model`]: its TOML parameters, its state registers, its
//! integer `step` and how its parameters pack into the hardware's type table. `build.rs`
//! lists the files, so nothing else is edited to add one (`docs/neuron-models.md`).

use serde::ser::SerializeMap;
use serde::Serialize;

include!(concat!(env!("OUT_DIR"), "/models.rs"));

/// Parameter slots of a neuron type (a model uses the first `params().len()`).
pub const MAX_PARAMS: usize = 10;
/// State registers of a neuron (a model uses the first `state().len()`).
pub const MAX_STATE: usize = 4;

/// A neuron type's parameter values, in the order of its model's `params()`.
pub type Params = [i64; MAX_PARAMS];
/// A neuron's state registers, in the order of its model's `state()`; register 0 is `v`.
pub type State = [i64; MAX_STATE];

/// Bit widths that bound the neuron arithmetic (the `[hardware]` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Widths {
    /// Signed width of a synaptic weight.
    pub weight_bits: u32,
    /// Signed width of a membrane potential.
    pub potential_bits: u32,
    /// Signed width of a synaptic current, for models that keep one (`cuba`).
    pub current_bits: u32,
    /// Unsigned width of the refractory counter.
    pub refractory_bits: u32,
}

impl Widths {
    /// Smallest representable potential.
    pub fn potential_min(&self) -> i64 {
        -(1i64 << (self.potential_bits - 1))
    }
    /// Largest representable potential.
    pub fn potential_max(&self) -> i64 {
        (1i64 << (self.potential_bits - 1)) - 1
    }
    /// Smallest representable weight.
    pub fn weight_min(&self) -> i64 {
        -(1i64 << (self.weight_bits - 1))
    }
    /// Largest representable weight.
    pub fn weight_max(&self) -> i64 {
        (1i64 << (self.weight_bits - 1)) - 1
    }
    /// Largest refractory period.
    pub fn refractory_max(&self) -> u32 {
        (1u32 << self.refractory_bits) - 1
    }
    /// Width of the per-neuron input accumulator for `axons` axons: wide enough that the
    /// sum of one weight per axon can never overflow, whatever the order of arrival.
    pub fn accumulator_bits(&self, axons: usize) -> u32 {
        self.weight_bits + ceil_log2(axons as u64)
    }
}

/// ceil(log2(n)) for n >= 1 (0 for n = 1).
pub fn ceil_log2(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

/// What values a parameter takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// An integer in `min..=max`; `why` says where the bounds come from.
    Int {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
        /// Value when the file gives none; `None` makes the parameter required.
        default: Option<i64>,
        /// The reason for the bounds, shown in range errors (e.g. "potential_bits = 16").
        why: String,
    },
    /// One of `names`, written as a string; the value is its index.
    Choice {
        /// The names, in value order.
        names: &'static [&'static str],
        /// Index of the default.
        default: usize,
    },
}

/// One TOML parameter of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSpec {
    /// TOML key.
    pub name: &'static str,
    /// What it means, one line.
    pub doc: &'static str,
    /// Its values.
    pub kind: ParamKind,
}

impl ParamSpec {
    /// An integer parameter.
    pub fn int(name: &'static str, doc: &'static str, min: i64, max: i64, default: Option<i64>, why: String) -> Self {
        Self { name, doc, kind: ParamKind::Int { min, max, default, why } }
    }
    /// A named choice.
    pub fn choice(name: &'static str, doc: &'static str, names: &'static [&'static str], default: usize) -> Self {
        Self { name, doc, kind: ParamKind::Choice { names, default } }
    }
}

/// One state register of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateField {
    /// Name (`v` first, always).
    pub name: &'static str,
    /// Stored bits.
    pub bits: u32,
    /// Two's complement.
    pub signed: bool,
}

/// How one word of a type's parameter record is stored and read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeWord {
    /// Two's complement in `bits` bits (read back sign-extended); else the bits of `mask`.
    pub signed: bool,
    /// Signed words: their width.
    pub bits: u32,
    /// Unsigned words: the bits a value may use (read back masked).
    pub mask: u64,
}

impl TypeWord {
    /// A signed `bits`-bit word.
    pub fn signed(bits: u32) -> Self {
        Self { signed: true, bits, mask: (1u64 << bits) - 1 }
    }
    /// An unsigned word of (lowest bit, width) fields.
    pub fn fields(fields: &[(u32, u32)]) -> Self {
        let mask = fields.iter().fold(0, |m, &(lo, w)| m | ((1u64 << w) - 1) << lo);
        Self { signed: false, bits: 64 - mask.leading_zeros(), mask }
    }
    /// Whether `value` (as `type_words` gives it) is representable.
    pub fn holds(&self, value: u64) -> bool {
        if self.signed {
            let half = 1i64 << (self.bits - 1);
            (-half..half).contains(&(value as i64))
        } else {
            value & !self.mask == 0
        }
    }
}

/// A neuron model: everything spikemesh needs to know of it besides its datapath.
pub trait Model: Sync {
    /// The name written as `model = "..."`.
    fn name(&self) -> &'static str;
    /// One line for `spikemesh check` and the docs.
    fn summary(&self) -> &'static str;
    /// Its parameters, with bounds that follow from `w`.
    fn params(&self, w: &Widths) -> Vec<ParamSpec>;
    /// Checks between parameters, after each is in range: `Err((parameter, message))`.
    fn check(&self, _p: &Params, _w: &Widths) -> Result<(), (&'static str, String)> {
        Ok(())
    }
    /// Its state registers; the first is the membrane potential `v`.
    fn state(&self, w: &Widths) -> Vec<StateField>;
    /// One timestep with summed input `input`; returns true if the neuron fires.
    fn step(&self, p: &Params, s: &mut State, input: i64, w: &Widths) -> bool;
    /// The type-table words a core loads for this type, word k at `memory_map::type_word(k)`.
    fn type_words(&self, p: &Params) -> Vec<u64>;
    /// How each of those words is stored: the core sizes its type table by them.
    fn type_word_geometry(&self, w: &Widths) -> Vec<TypeWord>;

    /// Steps a run of neurons of one type (see [`Run`]). One call per run keeps `step`
    /// statically dispatched, and inlined, in the golden model's inner loop. A model may
    /// instead step the run in narrower [`Lane`]s where its widths allow, with the same
    /// generic code its `step` runs.
    fn step_run(&self, p: &Params, w: &Widths, run: Run<'_>) {
        step_registers::<Self, MAX_STATE>(self, p, w, run)
    }
}

/// A run of neurons of one type, as the golden model holds them.
pub struct Run<'a> {
    /// Registers column by column: register `r` of neuron `i` is `regs[r][i]`.
    pub regs: Columns<'a>,
    /// Summed input of each neuron, zeroed as it is used.
    pub inputs: &'a mut [i32],
    /// Global slot of neuron 0: `first + i` is pushed to `fired` for each neuron that fires.
    pub first: u32,
    /// The slots that fired, ascending.
    pub fired: &'a mut Vec<u32>,
}

/// A run's register columns: 32 bits each where every register of the core's models fits in
/// them (half the memory traffic, twice the lanes), else 64.
pub enum Columns<'a> {
    /// Columns of `i32`.
    Narrow([&'a mut [i32]; MAX_STATE]),
    /// Columns of `i64`.
    Wide([&'a mut [i64]; MAX_STATE]),
}

impl StateField {
    /// Whether the register fits a 32-bit column.
    pub fn fits_i32(&self) -> bool {
        self.bits <= if self.signed { 32 } else { 31 }
    }
}

impl Run<'_> {
    /// Steps every neuron of the run with `step(registers, input)`, one neuron's update in
    /// lanes of `T` that uses its first `R` registers (the others read as 0, and are not
    /// stored).
    pub fn step<T: Lane, const R: usize>(self, step: impl FnMut(&mut [T; MAX_STATE], T) -> bool) {
        let Run { regs, inputs, first, fired } = self;
        match regs {
            Columns::Narrow(c) => step_columns::<i32, T, R, _>(c, inputs, first, fired, step),
            Columns::Wide(c) => step_columns::<i64, T, R, _>(c, inputs, first, fired, step),
        }
    }
}

/// [`Model::step_run`] with the model's own `step`, in i64 lanes, for a model of `R` registers.
pub fn step_registers<M: Model + ?Sized, const R: usize>(m: &M, p: &Params, w: &Widths, run: Run<'_>) {
    run.step::<i64, R>(|s, x| m.step(p, s, x, w))
}

/// The SIMD levels the golden model's loops are compiled for, best first (a scalar version is
/// always added), picked at run time. `multiversion`'s own `targets = "simd"` leaves out
/// AVX-512, which doubles the lanes of every add on the machines that have it.
#[macro_export]
macro_rules! simd_targets {
    ($item:item) => {
        #[multiversion::multiversion(targets(
            "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl",
            "x86_64+avx2+fma",
            "x86_64+sse4.2",
            "aarch64+neon",
        ))]
        $item
    };
}

/// An integer type a neuron update computes in, and a register column stores: `i64` always,
/// `i32` where a model shows its widths keep every intermediate value within it (twice the
/// neurons per vector instruction), or where every register fits (see [`Columns`]).
pub trait Lane:
    Copy + Ord + std::ops::Add<Output = Self> + std::ops::Sub<Output = Self> + std::ops::Shr<u32, Output = Self>
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// `x`, which the caller knows fits (a state register or a parameter of the run).
    fn of(x: i64) -> Self;
    /// The value as `i64`.
    fn wide(self) -> i64;
}

impl Lane for i64 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    fn of(x: i64) -> Self {
        x
    }
    fn wide(self) -> i64 {
        self
    }
}

impl Lane for i32 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    fn of(x: i64) -> Self {
        debug_assert!(i32::try_from(x).is_ok(), "{x} does not fit an i32 lane or register column");
        x as i32
    }
    fn wide(self) -> i64 {
        self as i64
    }
}

simd_targets! {
/// [`Run::step`]'s loop over columns of `C`. The registers sit in columns, so that neighbouring
/// neurons' registers are neighbours in memory, and each chunk of neurons is stepped first, with
/// its spikes noted as flags that are read after: the update loop then has no data-dependent
/// push in it, and the compiler steps several neurons per instruction with the model's own
/// update (nothing else computes it).
fn step_columns<C: Lane, T: Lane, const R: usize, F: FnMut(&mut [T; MAX_STATE], T) -> bool>(
    regs: [&mut [C]; MAX_STATE],
    inputs: &mut [i32],
    first: u32,
    fired: &mut Vec<u32>,
    mut step: F,
) {
    const CHUNK: usize = 64;
    let mut flags = [0u8; CHUNK];
    let [r0, r1, r2, r3] = regs;
    let columns = r0.chunks_mut(CHUNK).zip(r1.chunks_mut(CHUNK)).zip(r2.chunks_mut(CHUNK)).zip(r3.chunks_mut(CHUNK));
    for (c, (x, (((a, b), cc), d))) in inputs.chunks_mut(CHUNK).zip(columns).enumerate() {
        let n = x.len();
        flags[n..].fill(0);
        // Equal lengths stated once, so the loop below has no bounds checks to keep it scalar.
        let (a, b, cc, d, f) = (&mut a[..n], &mut b[..n], &mut cc[..n], &mut d[..n], &mut flags[..n]);
        for k in 0..n {
            // Only the first R columns are read and written (R is a constant: the tests fold).
            let mut s = [T::ZERO; MAX_STATE];
            s[0] = T::of(a[k].wide());
            if R > 1 {
                s[1] = T::of(b[k].wide());
            }
            if R > 2 {
                s[2] = T::of(cc[k].wide());
            }
            if R > 3 {
                s[3] = T::of(d[k].wide());
            }
            f[k] = step(&mut s, T::of(x[k] as i64)) as u8;
            a[k] = C::of(s[0].wide());
            if R > 1 {
                b[k] = C::of(s[1].wide());
            }
            if R > 2 {
                cc[k] = C::of(s[2].wide());
            }
            if R > 3 {
                d[k] = C::of(s[3].wide());
            }
            x[k] = 0;
        }
        // Few neurons fire in a timestep: gather the chunk's 64 flags into the bits of one word
        // (a vector compare), and visit only the set ones.
        let mut word = flags.iter().enumerate().fold(0u64, |m, (i, &f)| m | ((f as u64) << i));
        let base = first + (c * CHUNK) as u32;
        while word != 0 {
            fired.push(base + word.trailing_zeros());
            word &= word - 1;
        }
    }
}
}

/// A model by name.
pub fn model_named(name: &str) -> Option<ModelId> {
    MODELS.iter().position(|m| m.name() == name).map(|i| ModelId(i as u8))
}

/// The names of every model, for error messages.
pub fn model_names() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.name()).collect()
}

/// Index of a model in [`MODELS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelId(pub u8);

impl Serialize for ModelId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl ModelId {
    /// A 16-bit code of the model's name (FNV-1a, folded): what a core answers on
    /// `memory_map::MODEL_CODE`, so the host can tell which model a board's cores run.
    pub fn code(self) -> u16 {
        let h = self.name().bytes().fold(0x811c_9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193));
        (h ^ (h >> 16)) as u16
    }

    /// The model whose code is `code`.
    pub fn from_code(code: u16) -> Option<Self> {
        (0..MODELS.len()).map(|i| ModelId(i as u8)).find(|m| m.code() == code)
    }

    /// The model itself.
    pub fn get(self) -> &'static dyn Model {
        MODELS[self.0 as usize]
    }
    /// Its name.
    pub fn name(self) -> &'static str {
        self.get().name()
    }
    /// The default model, `lif`.
    pub fn lif() -> Self {
        model_named("lif").expect("the lif model is always built in")
    }
}

/// One entry of a core's neuron-type table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NeuronType {
    /// Its model.
    pub model: ModelId,
    /// Parameter values, checked against the model's bounds.
    pub params: Params,
}

/// The state registers of one neuron.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NeuronState {
    /// Registers in the model's `state()` order; unused ones stay 0.
    pub s: State,
}

impl NeuronState {
    /// Membrane potential (register 0 of every model).
    pub fn v(&self) -> i64 {
        self.s[0]
    }
}

impl NeuronType {
    /// One timestep of this neuron given its summed input `input`; returns true if it fires.
    #[inline]
    pub fn step(&self, state: &mut NeuronState, input: i64, w: &Widths) -> bool {
        self.model.get().step(&self.params, &mut state.s, input, w)
    }

    /// The value of parameter `name`, if the model has it.
    pub fn param(&self, name: &str, w: &Widths) -> Option<i64> {
        let i = self.model.get().params(w).iter().position(|p| p.name == name)?;
        Some(self.params[i])
    }

    /// A type of `model` that never fires on zero input (for the slots of an empty core):
    /// every parameter at its default, required ones at their largest, and the threshold at
    /// its largest.
    pub fn silent(model: ModelId, w: &Widths) -> Self {
        let mut params = [0; MAX_PARAMS];
        for (i, spec) in model.get().params(w).iter().enumerate() {
            params[i] = match &spec.kind {
                ParamKind::Int { max, .. } if spec.name == "threshold" => *max,
                ParamKind::Int { default, max, .. } => default.unwrap_or(*max),
                ParamKind::Choice { default, .. } => *default as i64,
            };
        }
        Self { model, params }
    }
}

/// Serialised as `{ model = "...", <param> = value, ... }`, as the file writes it.
impl Serialize for NeuronType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.model.get();
        // Names only depend on the model; the widths only bound values, so any will do.
        let names = m.params(&Widths { weight_bits: 8, potential_bits: 16, current_bits: 16, refractory_bits: 4 });
        let mut map = s.serialize_map(Some(names.len() + 1))?;
        map.serialize_entry("model", m.name())?;
        for (i, p) in names.iter().enumerate() {
            match p.kind {
                ParamKind::Choice { names, .. } => map.serialize_entry(p.name, names[self.params[i] as usize])?,
                ParamKind::Int { .. } => map.serialize_entry(p.name, &self.params[i])?,
            }
        }
        map.end()
    }
}

/// `x` decayed by `4096 - d` parts in 4096, rounded toward zero (Loihi's decay, as Lava's
/// bit-accurate model computes it: the magnitude is scaled and shifted, then the sign put back).
pub fn decay12(x: i64, d: i64) -> i64 {
    let m = (x.abs() * (4096 - d)) >> 12;
    if x < 0 {
        -m
    } else {
        m
    }
}

/// `x` saturated to `bits`-bit two's complement.
pub fn saturate(x: i64, bits: u32) -> i64 {
    x.clamp(-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_codes_are_distinct_and_round_trip() {
        let codes: std::collections::HashSet<u16> = (0..MODELS.len()).map(|i| ModelId(i as u8).code()).collect();
        assert_eq!(codes.len(), MODELS.len());
        for i in 0..MODELS.len() {
            assert_eq!(ModelId::from_code(ModelId(i as u8).code()), Some(ModelId(i as u8)));
        }
    }

    /// Every model's silent type never fires on zero input, from rest.
    #[test]
    fn silent_types_never_fire() {
        let w = Widths { weight_bits: 4, potential_bits: 8, current_bits: 8, refractory_bits: 2 };
        for (i, m) in MODELS.iter().enumerate() {
            let t = NeuronType::silent(ModelId(i as u8), &w);
            let mut s = NeuronState::default();
            assert!((0..100).all(|_| !t.step(&mut s, 0, &w)), "{}", m.name());
        }
    }

    /// Every model's type words, for parameters at both ends of their ranges, fit the geometry
    /// the model declares (the core stores exactly that).
    #[test]
    fn type_words_fit_their_geometry() {
        for w in [
            Widths { weight_bits: 4, potential_bits: 8, current_bits: 8, refractory_bits: 2 },
            Widths { weight_bits: 8, potential_bits: 24, current_bits: 24, refractory_bits: 8 },
        ] {
            for m in MODELS {
                let specs = m.params(&w);
                for end in [0, 1] {
                    let mut p = [0; MAX_PARAMS];
                    for (i, spec) in specs.iter().enumerate() {
                        p[i] = match spec.kind {
                            ParamKind::Int { min, max, .. } => [min, max][end],
                            ParamKind::Choice { names, .. } => [0, names.len() as i64 - 1][end],
                        };
                    }
                    let geometry = m.type_word_geometry(&w);
                    let words = m.type_words(&p);
                    assert_eq!(words.len(), geometry.len(), "{}", m.name());
                    for (k, (word, g)) in words.iter().zip(&geometry).enumerate() {
                        assert!(g.holds(*word), "{} word {k} = {word:#x} does not fit {g:?}", m.name());
                    }
                }
            }
        }
    }
}
