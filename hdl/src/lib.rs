//! spikemesh-hdl: rust-hdl blocks of the neuromorphic hardware, emitted as Verilog.

pub mod arith;
pub mod chip;
pub mod core;
pub mod formal;
pub mod fpga;
pub mod link;
pub mod memory;
pub mod mesh;
pub mod neuron;
pub mod ports;
pub mod shape;

use rust_hdl::prelude::*;

/// Verilog of a block as the top module `top`.
pub fn verilog_of<U: Block>(mut uut: U) -> String {
    uut.connect_all();
    tidy_enums(&generate_verilog(&uut))
}

/// rust-hdl declares every enum's values as localparams in each module holding an
/// enum-typed signal and initialises enum registers from a 64-bit literal; both are lint
/// findings (UNUSEDPARAM, WIDTHTRUNC) without meaning. Drop the localparams a module never
/// names and initialise with a fill literal instead.
fn tidy_enums(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    // rust-hdl ends each module with a line `endmodule // name`.
    for module in v.split_inclusive("\nendmodule") {
        // Whole-word uses (`Step$Spike` is not a use of `Step$SpikeSend`).
        let used = |name: &str| {
            module
                .match_indices(name)
                .filter(|(i, _)| {
                    let next = module[i + name.len()..].chars().next().unwrap_or(' ');
                    !(next.is_ascii_alphanumeric() || next == '_' || next == '$')
                })
                .count()
                > 1
        };
        for line in module.split_inclusive('\n') {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("localparam ") {
                let name = rest.split_whitespace().next().unwrap_or("");
                if name.contains('$') && !used(name) {
                    continue;
                }
            }
            if t == "q = 64'h0;" {
                out.push_str(&line.replace("64'h0", "'0"));
                continue;
            }
            out.push_str(line);
        }
    }
    out
}

/// Verilog of one neuron core of `shape` as module `top`. `with_models` appends behavioural
/// models of the vendor primitives it instantiates, for Verilator (synthesis uses the real cells).
pub fn core_verilog(shape: &shape::CoreShape, with_models: bool) -> String {
    let mut v = match neuron::datapath_bits(shape) {
        18 => verilog_of(core::NeuronCore::<18>::new(shape)),
        26 => verilog_of(core::NeuronCore::<26>::new(shape)),
        _ => verilog_of(core::NeuronCore::<{ shape::DW }>::new(shape)),
    };
    if shape.lut_ram {
        v = memory::mark_ram_style(&v);
    }
    if with_models {
        v.push_str(primitive_models(shape));
    }
    v
}

/// Behavioural models of the vendor primitives a core of `shape` instantiates, for Verilator.
pub fn primitive_models(shape: &shape::CoreShape) -> &'static str {
    match shape.crossbar {
        shape::CrossbarStyle::Ice40Spram => memory::crossbar::SB_SPRAM256KA_MODEL,
        shape::CrossbarStyle::Inferred => "",
    }
}
