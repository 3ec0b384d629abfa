//! The timestep barrier's proof: a 2x2 mesh (`mesh::mesh_module`: the real tiles, routers,
//! fan-out units and links) whose neuron cores are abstracted: each core's outputs are free
//! (`anyseq`) within the rules the real core keeps (a refused spike stays on its port; a queued
//! spike counts as busy; an idle core stays idle until `start`, `clear` or an axon event it
//! takes). The host port and the configuration port are free inputs (valid/ready on the host
//! link), so the fan-out tables hold anything.
//!
//! Proven by k-induction (depth `DEPTH`): while `quiet` is high no link and no host output
//! carries a flit; and `quiet` stays high until the host sends a flit, starts a timestep or
//! clears, so no flit is hidden anywhere that `quiet` does not see (a router FIFO or output
//! register, a fan-out unit, a link). That `quiet` rises after the last flit is `drain.rs`.

use super::Proof;
use crate::shape::{CoreShape, CrossbarStyle};

/// k-induction depth.
pub const DEPTH: usize = 3;

/// A break put into the mesh on purpose, to see the proof fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// The mesh as generated.
    None,
    /// A router does not count the flit in its output register to the core.
    RouterForgetsLocalOutput,
}

/// The proof for a 2x2 mesh of 2-neuron, 2-axon `lif` tiles with 4 destinations each.
pub fn proof(name: &str, mutation: Mutation) -> Proof {
    let mut v = mesh_2x2(2);
    if mutation == Mutation::RouterForgetsLocalOutput {
        let from = "occupied = occupied | head_valid$4$q | tail_valid$4$q | o_valid$4$q;";
        assert_eq!(v.matches(from).count(), 1, "mutation target not found once");
        v = v.replace(from, "occupied = occupied | head_valid$4$q | tail_valid$4$q;");
    }
    let v = abstract_core(&v, "");
    let links: Vec<String> = (0..2).flat_map(|y| (0..2).map(move |x| format!("t{x}_{y}_ov == 4'd0"))).collect();
    let props = format!(
        "`ifdef FORMAL
  reg f_past = 1'b0;
  always @(posedge clock) f_past <= 1'b1;
  // The host link keeps a refused flit on it.
  always @(posedge clock) if (f_past && $past(host_in_valid && !host_in_ready)) assume(host_in_valid && host_in_flit == $past(host_in_flit));
  // The properties: quiet means no flit on any link, and nothing that can make one appear.
  always @(*) if (quiet) assert(!host_out_valid && {});
  always @(posedge clock) if (f_past && $past(quiet && !start && !clear && !host_in_valid)) assert(quiet);
`endif
",
        links.join(" && ")
    );
    let v = v.replacen(
        "    assign timestep = timestep_q;\nendmodule\n",
        &format!("    assign timestep = timestep_q;\n{props}endmodule\n"),
        1,
    );
    let depth = if mutation == Mutation::None { DEPTH } else { 12 };
    Proof::single(name, "prove", "prove", depth, super::SOLVER, "mesh.sv", v)
}

/// The mesh of the barrier proofs: 2x2 tiles of 2-neuron, 2-axon `lif` cores with
/// [`DESTINATIONS`] each, routers with `fifo`-deep input FIFOs (2, or 1 as on the UP5K).
pub(super) fn mesh_2x2(fifo: usize) -> String {
    let shape = CoreShape {
        neurons: 2,
        axons: 2,
        axon_space: 2,
        router_fifo: fifo,
        ..CoreShape::reference(CrossbarStyle::Inferred)
    };
    crate::mesh::mesh_verilog(&shape, DESTINATIONS, 2, 2, false)
}

/// Fan-out destinations per tile in the barrier proofs.
pub(super) const DESTINATIONS: usize = 4;

/// `v` with the body of the tile's core module replaced by the abstract core, with `extra`
/// (more Verilog about the abstract core's ports) inside its `FORMAL` block.
pub(super) fn abstract_core(v: &str, extra: &str) -> String {
    let body = "  // The abstract core: free outputs within the real core's rules.
`ifdef FORMAL
  (* anyseq *) reg a_busy, a_in_ready, a_out_valid;
  (* anyseq *) reg [11:0] a_out_neuron;
  always @(*) begin
    busy = a_busy; in_ready = a_in_ready; out_valid = a_out_valid; out_neuron = a_out_neuron & 12'h1;
    cfg_rdata = 34'd0; cfg_rvalid = 1'b0;
  end
  reg f_past = 1'b0;
  always @(posedge clock) f_past <= 1'b1;
  always @(posedge clock) if (f_past && $past(out_valid && !out_ready)) assume(out_valid && out_neuron == $past(out_neuron));
  always @(*) if (out_valid) assume(busy);
  always @(posedge clock) if (f_past && $past(!busy && !start && !clear && !(in_valid && in_ready))) assume(!busy);
";
    super::replace_body(v, "sm_tile_lif$core", &format!("{body}{extra}`endif\n"))
}
