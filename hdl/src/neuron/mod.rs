//! Neuron datapaths: one file per model, the hardware twin of `spec/src/neuron/<model>.rs`.
//!
//! A datapath takes one neuron per clock (state, summed input and the type's parameter words)
//! and hands back its next state, in order, a fixed number of clocks later; the contract is in
//! `docs/neuron-models.md`. Each is proven equal to its spec `step` on its own
//! (`sim/tests/<model>_cosim.rs`). A model's file defines `pub static HDL` ([`NeuronHdl`]);
//! `build.rs` lists the files, and the core instantiates the one its shape names through the
//! fixed ports of [`Datapath`].

use crate::shape::{CoreShape, DATAPATH_WIDTHS};
use rust_hdl::prelude::*;
use spikemesh_spec::neuron::ModelId;
use spikemesh_spec::{FieldPath, Mapping, Network, SpecError};

include!(concat!(env!("OUT_DIR"), "/datapaths.rs"));

/// A model's datapath, as the core instantiates it.
pub trait NeuronHdl: Sync {
    /// The model's name, as `spec` has it.
    fn name(&self) -> &'static str;
    /// The narrowest datapath width `D` the model needs in a core of `shape` (the core takes
    /// the narrowest of `shape::DATAPATH_WIDTHS` that meets this and its own needs).
    fn min_datapath_bits(&self, _shape: &CoreShape) -> usize {
        0
    }
    /// Verilog of module `module` with the contract ports ([`contract_header`]) on `d`-bit
    /// data, followed by every module it instantiates, each named `module$...` or `module_...`.
    fn module(&self, shape: &CoreShape, d: usize, module: &str) -> String;
    /// DSP blocks the datapath's products take on a device whose blocks multiply `operand`-bit
    /// unsigned values (iCE40 `SB_MAC16`: 16; ECP5 `MULT18X18D`: 17 unsigned of its 18 signed
    /// bits), as Yosys splits a product into them: the `check` prediction that
    /// `hdl/tests/neuron_synth.rs` holds against Yosys.
    fn dsp_blocks(&self, _shape: &CoreShape, _operand: usize) -> usize {
        0
    }
}

/// The datapath of `model`, if it has one.
pub fn datapath(model: ModelId) -> Option<&'static dyn NeuronHdl> {
    DATAPATHS.iter().copied().find(|d| d.name() == model.name())
}

/// The core's datapath width: the narrowest of `shape::DATAPATH_WIDTHS` that holds
/// `v - leak + I` exactly (`max(potential_bits + 1, acc_bits) + 1` bits) and the 14-bit
/// type control word read back over the configuration port, or what `shape.model`'s datapath
/// needs if more (`NeuronHdl::min_datapath_bits`). Decided here, beside the datapaths, so the
/// shape depends on no block.
pub fn datapath_bits(shape: &CoreShape) -> usize {
    let model = datapath(shape.model).map_or(0, |d| d.min_datapath_bits(shape));
    let need = ((shape.potential_bits + 1).max(shape.acc_bits) + 1).max(model);
    DATAPATH_WIDTHS.into_iter().find(|&w| w >= need.max(16)).expect("validation bounds the widths")
}

/// The first lines of a contract module: its ports on `d`-bit data. `v`, `acc` are signed;
/// `aux` is the model's middle state register as its RAM reads it (sign- or zero-extended);
/// `w0`..`w4` are the type's parameter words, masked to their fields, holding still while
/// `busy`; a result leaves in entry order, `write_v` low when `v` is to be kept.
pub fn contract_header(module: &str, d: usize) -> String {
    let d1 = d - 1;
    format!(
        "module {module}(clock, in_valid, v, aux, refractory, acc, w0, w1, w2, w3, w4, out_valid, v_next, write_v, aux_next, refractory_next, fire, busy);
    input wire clock;
    input wire in_valid;
    input wire [{d1}:0] v, aux, acc, w0, w1, w2, w3, w4;
    input wire [7:0] refractory;
    output wire out_valid, write_v, fire, busy;
    output wire [{d1}:0] v_next, aux_next;
    output wire [7:0] refractory_next;
"
    )
}

/// The core's side of the contract: fixed ports around whichever model's module the shape
/// names, so the core's logic is the same for every model.
#[derive(LogicBlock)]
pub struct Datapath<const D: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// A neuron enters this clock.
    pub in_valid: Signal<In, bool>,
    /// Membrane potential, sign-extended.
    pub v: Signal<In, Signed<D>>,
    /// The model's middle state register (0 for models without one).
    pub aux: Signal<In, Bits<D>>,
    /// Refractory counter.
    pub refractory: Signal<In, Bits<8>>,
    /// Summed input, sign-extended.
    pub acc: Signal<In, Signed<D>>,
    /// Type word 0 (the type RAM's resting read).
    pub w0: Signal<In, Bits<D>>,
    /// Type word 1.
    pub w1: Signal<In, Bits<D>>,
    /// Type word 2.
    pub w2: Signal<In, Bits<D>>,
    /// Type word 3.
    pub w3: Signal<In, Bits<D>>,
    /// Type word 4.
    pub w4: Signal<In, Bits<D>>,
    /// A result leaves this clock.
    pub out_valid: Signal<Out, bool>,
    /// Next potential.
    pub v_next: Signal<Out, Signed<D>>,
    /// Write the potential back.
    pub write_v: Signal<Out, bool>,
    /// Next middle register.
    pub aux_next: Signal<Out, Bits<D>>,
    /// Next refractory counter.
    pub refractory_next: Signal<Out, Bits<8>>,
    /// The neuron fires.
    pub fire: Signal<Out, bool>,
    /// Any stage holds a neuron.
    pub busy: Signal<Out, bool>,
    _module: String,
    _verilog: String,
}

impl<const D: usize> Datapath<D> {
    /// The datapath of `shape.model` (which must have one: see [`check_datapaths`]).
    pub fn new(shape: &CoreShape) -> Self {
        let hdl = datapath(shape.model).unwrap_or_else(|| panic!("no datapath for model '{}'", shape.model.name()));
        let module = format!("sm_neuron_{}", hdl.name());
        Self {
            clock: Default::default(),
            in_valid: Default::default(),
            v: Default::default(),
            aux: Default::default(),
            refractory: Default::default(),
            acc: Default::default(),
            w0: Default::default(),
            w1: Default::default(),
            w2: Default::default(),
            w3: Default::default(),
            w4: Default::default(),
            out_valid: Default::default(),
            v_next: Default::default(),
            write_v: Default::default(),
            aux_next: Default::default(),
            refractory_next: Default::default(),
            fire: Default::default(),
            busy: Default::default(),
            _verilog: hdl.module(shape, D, &module),
            _module: module,
        }
    }
}

impl<const D: usize> Logic for Datapath<D> {
    // Simulated through its Verilog only (Verilator), like the models' explicit-Verilog blocks.
    fn update(&mut self) {}

    fn connect(&mut self) {
        self.out_valid.connect();
        self.v_next.connect();
        self.write_v.connect();
        self.aux_next.connect();
        self.refractory_next.connect();
        self.fire.connect();
        self.busy.connect();
    }

    fn hdl(&self) -> Verilog {
        let ports = [
            "clock",
            "in_valid",
            "v",
            "aux",
            "refractory",
            "acc",
            "w0",
            "w1",
            "w2",
            "w3",
            "w4",
            "out_valid",
            "v_next",
            "write_v",
            "aux_next",
            "refractory_next",
            "fire",
            "busy",
        ];
        let conns: Vec<String> = ports.iter().map(|p| format!(".{p}({p})")).collect();
        Verilog::Wrapper(Wrapper {
            code: format!("{} dp({});\n", self._module, conns.join(", ")),
            cores: self._verilog.clone(),
        })
    }
}

/// Where a mapped network is to run: what decides which models its cores may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The RTL mesh in Verilator, loaded through the cores' configuration bus: every model
    /// with a datapath here.
    Mesh,
    /// A chip with the host bridge (board, virtual board, bitstream): every core runs the
    /// chip's model (`Hardware::chip_model`), whose memory table the bridge checks.
    Board,
}

/// Checks that `target` runs the model of every core of `mapping`. Each core that it does not
/// run gets a diagnostic at its first population's `neuron.model`, naming the core and model.
pub fn check_datapaths(net: &Network, mapping: &Mapping, target: Target) -> spikemesh_spec::Result<()> {
    let known: Vec<&str> = match target {
        Target::Mesh => DATAPATHS.iter().map(|d| d.name()).collect(),
        Target::Board => vec![mapping.hardware.chip_model.name()],
    };
    let n = mapping.hardware.neurons_per_core;
    let mut diags = Vec::new();
    for (c, img) in mapping.cores.iter().enumerate() {
        let model = img.model().name();
        let Some(pop) = mapping.slot_owner[c * n..(c + 1) * n].iter().flatten().map(|o| o.0 as usize).next() else {
            continue;
        };
        if !known.contains(&model) {
            let at = FieldPath::root().key("population").index(pop).key("neuron").key("model");
            diags.push(net.locator.at(
                &at,
                match target {
                    Target::Mesh => format!(
                        "core ({},{}) runs '{model}' (population '{}'), which has no datapath in hdl/src/neuron/ (datapaths: {})",
                        img.x,
                        img.y,
                        net.populations[pop].name,
                        known.join(", ")
                    ),
                    Target::Board => format!(
                        "core ({},{}) runs '{model}' (population '{}'), but a chip with the host bridge runs one model on every core, here '{}' (the first population's); the RTL mesh runs mixed models: simulate --engine verilator|both",
                        img.x,
                        img.y,
                        net.populations[pop].name,
                        known.join(", ")
                    ),
                },
            ));
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(SpecError::Invalid(diags))
    }
}
