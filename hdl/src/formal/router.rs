//! The router's proof: one generated router (`mesh::router`) with its properties written into
//! it, tracking two arbitrary flits `f_a`, `f_b` from one arbitrary input (the tracked-flit
//! style: whatever holds for an arbitrary flit holds for all).
//!
//! Environment (assumed): the router sits at a fixed position inside the mesh; every input
//! keeps a refused flit on its link (valid/ready); flits carry only the bits the chip uses and
//! name a core inside the mesh; a flit arrives on an input only if XY routing could send it
//! there (`spec::flit::can_turn`, what the neighbours' routing guarantees); the two tracked
//! flits differ, come in on one input, `f_a` first, each once, and no other input carries them.
//!
//! Proven, by k-induction (`safety`, depth 8): a tracked flit leaves only on the XY-correct
//! output, unchanged, only after it came in, and exactly once; `f_b` never leaves before
//! `f_a` when both head for the same output (order per input and output); while in flight it
//! sits in exactly one place (its input's FIFO or its output register), so none is lost or
//! duplicated. Induction is strengthened by invariants on those places and the FIFOs.
//!
//! Not proven here yet: bounded liveness (a flit leaves within N clocks when the outputs
//! accept often enough).

use super::Proof;
use crate::mesh::router::Router;
use spikemesh_spec::flit::{can_turn, Port};

/// A break put into the router on purpose, to see the proof fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// The router as generated.
    None,
    /// East-bound flits are sent west.
    SwapRoute,
    /// Input 0 accepts flits even when its FIFO is full.
    DropHandshake,
}

const PORTS: [Port; 5] = [Port::North, Port::East, Port::South, Port::West, Port::Local];

/// The proof for a router carrying flit bits `mask` with `depth`-deep FIFOs, placed in a
/// `mesh_x` x `mesh_y` mesh.
pub fn proof(name: &str, mask: u64, depth: usize, mesh_x: usize, mesh_y: usize, mutation: Mutation) -> Proof {
    let mut v = crate::verilog_of(Router::with_mask(mask, depth));
    let edit = |v: &mut String, from: &str, to: &str| {
        assert!(v.contains(from), "mutation target `{from}` not in the router's Verilog");
        *v = v.replace(from, to);
    };
    match mutation {
        Mutation::None => {}
        Mutation::SwapRoute => edit(&mut v, "localparam  go_e = 5'b10;", "localparam  go_e = 5'b1000;"),
        Mutation::DropHandshake => {
            edit(&mut v, "in_ready$0 = ~head_valid$0$q;", "in_ready$0 = 1'b1;");
            if depth == 2 {
                edit(&mut v, "in_ready$0 = ~tail_valid$0$q;", "in_ready$0 = 1'b1;");
            }
        }
    }
    let props = properties(mask, mesh_x, mesh_y);
    let v = v.replacen("endmodule // top\n", &format!("{props}endmodule // top\n"), 1);
    let sby = "[tasks]\nsafety\n\n[options]\nmode prove\ndepth 8\n\n[engines]\nsmtbmc z3\n\n[script]\nread_verilog -formal -sv router.sv\nprep -top top\n\n[files]\nrouter.sv\n".to_string();
    Proof { name: name.into(), sby, files: vec![("router.sv".into(), v)] }
}

fn properties(mask: u64, mesh_x: usize, mesh_y: usize) -> String {
    let allowed_from: Vec<u32> =
        (0..5).map(|i| (0..5).filter(|&o| can_turn(PORTS[i], PORTS[o])).fold(0, |m, o| m | 1 << o)).collect();
    let mut p = String::new();
    let mut a = |s: String| {
        p.push_str(&s);
        p.push('\n');
    };
    a("`ifdef FORMAL".into());
    a("  reg f_past = 1'b0;\n  always @(posedge clock) f_past <= 1'b1;".into());
    a("  (* anyconst *) reg [3:0] f_x;\n  (* anyconst *) reg [3:0] f_y;".into());
    a(format!("  always @(*) assume(my_x == f_x && my_y == f_y && f_x < 4'd{mesh_x} && f_y < 4'd{mesh_y});"));
    a("  (* anyconst *) reg [22:0] f_a;\n  (* anyconst *) reg [22:0] f_b;\n  (* anyconst *) reg [2:0] f_in;".into());
    a(format!("  localparam [22:0] F_MASK = 23'h{mask:x};"));
    a("  always @(*) assume(f_in < 3'd5 && f_a != f_b);".into());
    // The XY route of `spec::flit::route`: x first, then y; host flits go to (0,0), then west.
    a("  function [4:0] oracle(input [22:0] f, input [3:0] x, input [3:0] y);
    reg [3:0] tx, ty;
    begin
      tx = f[22] ? 4'd0 : f[21:18];
      ty = f[22] ? 4'd0 : f[17:14];
      if (tx > x) oracle = 5'b00010;
      else if (tx < x) oracle = 5'b01000;
      else if (ty > y) oracle = 5'b00100;
      else if (ty < y) oracle = 5'b00001;
      else if (f[22]) oracle = 5'b01000;
      else oracle = 5'b10000;
    end
  endfunction"
        .into());
    for (i, allowed) in allowed_from.iter().enumerate() {
        a(format!(
            "  // input {i}: valid/ready, used bits only, a core inside the mesh, XY-legal, tracked flits on f_in only"
        ));
        a(format!(
            "  always @(posedge clock) if (f_past && $past(in_valid${i} && !in_ready${i})) assume(in_valid${i} && in_flit${i} == $past(in_flit${i}));"
        ));
        a(format!(
            "  always @(*) if (in_valid${i}) assume((in_flit${i} & ~F_MASK) == 23'd0 && in_flit${i}[21:18] < 4'd{mesh_x} && in_flit${i}[17:14] < 4'd{mesh_y} && (oracle(in_flit${i}, f_x, f_y) & 5'd{allowed}) != 5'd0);"
        ));
        a(format!(
            "  always @(*) if (in_valid${i} && f_in != 3'd{i}) assume(in_flit${i} != f_a && in_flit${i} != f_b);"
        ));
    }
    a("  reg [22:0] f_in_flit;\n  reg f_in_valid, f_in_ready;\n  always @(*) begin\n    f_in_flit = in_flit$0; f_in_valid = in_valid$0; f_in_ready = in_ready$0;".into());
    for i in 1..5 {
        a(format!("    if (f_in == 3'd{i}) begin f_in_flit = in_flit${i}; f_in_valid = in_valid${i}; f_in_ready = in_ready${i}; end"));
    }
    a("  end".into());
    a("  wire f_acc_a = f_in_valid && f_in_ready && f_in_flit == f_a;\n  wire f_acc_b = f_in_valid && f_in_ready && f_in_flit == f_b;".into());
    a("  reg f_a_sent = 1'b0, f_b_sent = 1'b0, f_a_out = 1'b0, f_b_out = 1'b0;".into());
    a("  always @(*) begin\n    if (f_a_sent) assume(!(f_in_valid && f_in_flit == f_a));\n    if (f_b_sent) assume(!(f_in_valid && f_in_flit == f_b));\n    if (f_acc_b) assume(f_a_sent);\n  end".into());
    let emit = |f: &str| {
        let terms: Vec<String> =
            (0..5).rev().map(|o| format!("out_valid${o} && out_ready${o} && out_flit${o} == {f}")).collect();
        format!("{{{}}}", terms.join(", "))
    };
    a(format!("  wire [4:0] f_emit_a = {};\n  wire [4:0] f_emit_b = {};", emit("f_a"), emit("f_b")));
    a("  wire [4:0] f_route_a = oracle(f_a, f_x, f_y);\n  wire [4:0] f_route_b = oracle(f_b, f_x, f_y);".into());
    a("  always @(posedge clock) begin\n    if (f_acc_a) f_a_sent <= 1'b1;\n    if (f_acc_b) f_b_sent <= 1'b1;\n    if (f_emit_a != 5'd0) f_a_out <= 1'b1;\n    if (f_emit_b != 5'd0) f_b_out <= 1'b1;\n  end".into());
    let copies = |f: &str| {
        let mut t: Vec<String> = Vec::new();
        for i in 0..5 {
            t.push(format!("{{2'd0, head_valid${i}$q && head${i}$q == {f}}}"));
            t.push(format!("{{2'd0, tail_valid${i}$q && tail${i}$q == {f}}}"));
        }
        for o in 0..5 {
            t.push(format!("{{2'd0, o_valid${o}$q && o_flit${o}$q == {f}}}"));
        }
        t.join(" + ")
    };
    a(format!("  wire [2:0] f_copies_a = {};\n  wire [2:0] f_copies_b = {};", copies("f_a"), copies("f_b")));
    a("  always @(*) begin".into());
    a("    // the properties: the XY-correct port, after it came in, exactly once, in order".into());
    a("    if (f_emit_a != 5'd0) assert(f_emit_a == f_route_a && f_a_sent && !f_a_out);".into());
    a("    if (f_emit_b != 5'd0) assert(f_emit_b == f_route_b && f_b_sent && !f_b_out);".into());
    a("    if (f_emit_b != 5'd0 && f_route_a == f_route_b) assert(f_a_out);".into());
    a("    // invariants that make them inductive: one copy in flight, in its input FIFO or its output".into());
    a("    assert(!f_a_out || f_a_sent);\n    assert(!f_b_out || f_b_sent);\n    assert(!f_b_sent || f_a_sent);"
        .into());
    a("    assert(f_copies_a == {2'd0, f_a_sent && !f_a_out});\n    assert(f_copies_b == {2'd0, f_b_sent && !f_b_out});".into());
    for i in 0..5 {
        a(format!("    assert(!tail_valid${i}$q || head_valid${i}$q);"));
        a(format!(
            "    if (f_in != 3'd{i}) assert(!(head_valid${i}$q && (head${i}$q == f_a || head${i}$q == f_b)) && !(tail_valid${i}$q && (tail${i}$q == f_a || tail${i}$q == f_b)));"
        ));
        a(format!("    if (f_in == 3'd{i}) assert(!(head_valid${i}$q && head${i}$q == f_b && tail_valid${i}$q && tail${i}$q == f_a));"));
    }
    for o in 0..5 {
        a(format!("    if (o_valid${o}$q && o_flit${o}$q == f_a) assert(f_route_a[{o}]);"));
        a(format!("    if (o_valid${o}$q && o_flit${o}$q == f_b) assert(f_route_b[{o}]);"));
        a(format!("    if (o_valid${o}$q && o_flit${o}$q == f_b && f_route_a == f_route_b) assert(f_a_out);"));
    }
    a("  end".into());
    a("`endif".into());
    p
}
