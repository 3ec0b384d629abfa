//! The configuration port's proof: a host write touches only the memory it names.
//!
//! One generated core (`core::NeuronCore`, a small shape of the given model) with its
//! properties written into it. Environment: any inputs at all (any valid/ready behaviour on
//! the flit ports, any configuration traffic, start and clear at any time).
//!
//! Proven by k-induction (depth `DEPTH`): whenever the core is idle (`busy` low) and neither
//! `start` nor `clear` is raised, which is when the host bridge writes (it waits for the mesh's
//! `quiet`), each memory's write enable is high exactly when `cfg_we` names that memory's id
//! (`spec::memory_map`; ids the model lacks enable nothing), and it writes at the address on
//! the port (row and column for the crossbar, the column for per-neuron memories, the row for
//! an axon's delay); the accumulators' integration side is never written. A core with synaptic
//! delays is proven too: its delay RAM is written only by `AXON_DELAY`, and only at that row. The bridge drives `cfg_we` only inside a
//! checked write command's address range, with the cores idle (`bridge.rs` proves it), and the
//! mesh gates it with the addressed core's select (`mesh::mesh_module`, `cfg_sel`).

use super::Proof;
use crate::shape::{CoreShape, CrossbarStyle};
use spikemesh_spec::memory_map as mm;
use spikemesh_spec::neuron::ModelId;

/// k-induction depth.
pub const DEPTH: usize = 6;

/// A break put into the core on purpose, to see the proof fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// The core as generated.
    None,
    /// A write to the refractory counters also writes the potentials.
    StrayWrite,
    /// A write of an axon's delay also writes the crossbar.
    DelayStrayWrite,
}

/// The proof for a 4-neuron, 4-axon core running `model`, with `delay_bits` of delay per row.
pub fn proof(name: &str, model: ModelId, delay_bits: u32, mutation: Mutation) -> Proof {
    let reference = CoreShape::reference(CrossbarStyle::Inferred);
    let shape = CoreShape { neurons: 4, axons: 4, axon_space: 4, delay_bits, ..reference }.with_model(model);
    let mut v = crate::core_verilog(&shape, false);
    let mut mutate = |line: &str, extra: &str| {
        let from = format!("                {line}\n");
        assert_eq!(v.matches(&from).count(), 1, "mutation target not found once");
        v = v.replace(&from, &format!("{from}                {extra}\n"));
    };
    match mutation {
        Mutation::None => {}
        Mutation::StrayWrite => mutate("accr$we_hi = 1'b1;", "pot$write_enable = 1'b1;"),
        Mutation::DelayStrayWrite => mutate("adly$write_enable = 1'b1;", "xbar$write_enable = 1'b1;"),
    }
    let types: Vec<String> =
        (0..shape.type_words().len()).map(|k| format!("cfg_mem == 4'd{}", mm::type_word(k))).collect();
    let aux = shape.aux_state().is_some();
    let props = format!(
        "`ifdef FORMAL
  // When the bridge may write: the core idle, no timestep starting, no clear.
  wire f_host = !busy && !start && !clear;
  wire f_we = cfg_we && f_host;
  always @(*) if (f_host) begin
    assert(xbar$write_enable == (f_we && cfg_mem == 4'd{xbar}));
    if (xbar$write_enable) assert(xbar$write_row == cfg_row && xbar$write_col == cfg_col);
    assert(tq$write_enable == (f_we && cfg_mem == 4'd{ntype}));
    if (tq$write_enable) assert(tq$write_address == cfg_col);
    assert(types$write_enable == (f_we && ({types})));
    assert(pot$write_enable == (f_we && cfg_mem == 4'd{pot}));
    if (pot$write_enable) assert(pot$write_address == cfg_col);
    assert(aux$write_enable == (f_we && {aux} && cfg_mem == 4'd{aux_id}));
    if (aux$write_enable) assert(aux$write_address == cfg_col);
    assert(!accr$we_lo && !accr$word_write);
    assert(accr$we_hi == (f_we && cfg_mem == 4'd{refr}));
    if (accr$we_hi) assert(accr$write_index == cfg_col);
    assert(adly$write_enable == (f_we && {delay} && cfg_mem == 4'd{adly}));
    if (adly$write_enable) assert(adly$write_address == cfg_row);
  end
`endif
",
        xbar = mm::CROSSBAR,
        ntype = mm::NEURON_TYPE,
        types = types.join(" || "),
        pot = mm::POTENTIAL,
        aux = if aux { "1'b1" } else { "1'b0" },
        aux_id = mm::AUX_STATE,
        refr = mm::REFRACTORY,
        delay = if delay_bits > 0 { "1'b1" } else { "1'b0" },
        adly = mm::AXON_DELAY,
    );
    let v = v.replacen("endmodule // top\n", &format!("{props}endmodule // top\n"), 1);
    Proof::single(name, "prove", "prove", DEPTH, super::SOLVER, "core.sv", v)
}
