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
//! Proven, by k-induction (task `prove`, depth `DEPTH`): a tracked flit leaves only on the XY-correct
//! output, unchanged, only after it came in, and exactly once; `f_b` never leaves before
//! `f_a` when both head for the same output (order per input and output); while in flight it
//! sits in exactly one place (its input's FIFO or its output register), so none is lost or
//! duplicated. Induction is strengthened by invariants on those places and the FIFOs.
//!
//! Bounded liveness, in the same run: when no output is refused more than `REFUSALS` clocks in
//! a row, a tracked flit leaves within `liveness_bound(depth)` clocks of coming in. The proof
//! is a ranking function `f_rank` of the router's state (where `f_a` is, how many inputs the
//! round-robin pointer may still serve before it, how long its output may still be refused),
//! asserted to be at most the bound and to fall every clock while `f_a` is inside: both
//! safety properties, so k-induction proves them with the others.

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
    /// The west output serves the lowest requesting input always (fixed priority): the local
    /// input starves behind a busy east input, so liveness must fail.
    FixedPriority,
}

const PORTS: [Port; 5] = [Port::North, Port::East, Port::South, Port::West, Port::Local];

/// For each input port, the one-hot set of outputs XY routing may turn a flit to from it
/// (`spec::flit::can_turn`), for invariants on where a stored flit may go next.
pub(super) fn allowed_from() -> Vec<u32> {
    (0..5).map(|i| (0..5).filter(|&o| can_turn(PORTS[i], PORTS[o])).fold(0, |m, o| m | 1 << o)).collect()
}

/// Liveness assumption: an output is refused (valid, not ready) at most this many clocks in a
/// row. The mesh's links and the core's input meet it only under bounded traffic, so this is
/// the router's own promise, not the mesh's.
pub const REFUSALS: usize = 3;

/// k-induction depth: every invariant below is inductive in one step and the ranking falls
/// every clock, so a window of one clock proves them all. Measured on the 12 example routers
/// (two threads): 52 s at depth 1, 60 s at 2, 112 s at 4; a proof that passes at depth k is
/// complete, and the broken routers below still fail, at depth 8.
pub const DEPTH: usize = 1;

/// Clocks within which a flit that came in leaves, under `REFUSALS`: one wait of at most
/// `U = REFUSALS + 2` clocks for each input the output's round-robin may serve first (at
/// most 4), for itself and for its output register, and the same again behind a FIFO head
/// (depth 2).
pub fn liveness_bound(depth: usize) -> usize {
    6 * (REFUSALS + 2) * depth
}

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
        Mutation::FixedPriority => edit(&mut v, "masked$3 = req$3 & above$3;", "masked$3 = 5'b0;"),
    }
    let props = properties(mask, depth, mesh_x, mesh_y);
    let v = v.replacen("endmodule // top\n", &format!("{props}endmodule // top\n"), 1);
    // A broken router gets a deeper window, so the base case reaches a real counterexample
    // (at the proof's depth only the induction step fails, which proves nothing about the router).
    let k = if mutation == Mutation::None { DEPTH } else { 8 };
    Proof::single(name, "prove", "prove", k, super::SOLVER, "router.sv", v)
}

fn properties(mask: u64, depth: usize, mesh_x: usize, mesh_y: usize) -> String {
    let allowed_from = allowed_from();
    let allowed_to: Vec<u32> =
        (0..5).map(|o| (0..5).filter(|&i| can_turn(PORTS[i], PORTS[o])).fold(0, |m, i| m | 1 << i)).collect();
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
    a(super::XY_ORACLE.into());
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
    liveness(&mut a, depth, &allowed_from, &allowed_to);
    a("`endif".into());
    p
}

/// The ranking function and its two assertions (see the module comment).
fn liveness(a: &mut impl FnMut(String), depth: usize, allowed_from: &[u32], allowed_to: &[u32]) {
    let r = REFUSALS;
    let u = r + 2;
    a(format!("  // liveness: each output refused at most {r} clocks in a row (f_ref counts them)"));
    for o in 0..5 {
        a(format!("  reg [3:0] f_ref{o} = 4'd0;"));
        a(format!("  always @(posedge clock) f_ref{o} <= (out_valid${o} && !out_ready${o}) ? f_ref{o} + 4'd1 : 4'd0;"));
        a(format!("  always @(*) if (out_valid${o} && f_ref{o} == 4'd{r}) assume(out_ready${o});"));
        a(format!("  wire [7:0] f_rem{o} = o_valid${o}$q ? 8'd{} - {{4'd0, f_ref{o}}} : 8'd0;", r + 1));
    }
    // Inputs the round-robin of an output may serve before input i: those wired to it that
    // come after the last winner and before i, cyclically (all before i when none won yet).
    a("  function [2:0] f_ahead(input [4:0] last, input [2:0] i, input [4:0] wired);
    integer p; reg [2:0] n, l;
    begin
      n = 3'd0;
      l = last[0] ? 3'd0 : last[1] ? 3'd1 : last[2] ? 3'd2 : last[3] ? 3'd3 : 3'd4;
      for (p = 0; p < 5; p = p + 1)
        if (wired[p] && p != i && (last == 5'd0 ? p < i : (l < i ? (p > l && p < i) : (p > l || p < i))))
          n = n + 3'd1;
      f_ahead = n;
    end
  endfunction"
        .into());
    // The rank of a flit at the head of input i: its waits, plus what its output still holds.
    for i in 0..5 {
        let terms: Vec<String> = allowed_to
            .iter()
            .enumerate()
            .map(|(o, wired)| {
                format!(
                    "(f_hroute{i} == 5'd{} ? ({{5'd0, f_ahead(last${o}$q, 3'd{i}, 5'd{wired})}} + 8'd1) * 8'd{u} + f_rem{o} + 8'd1 : 8'd0)",
                    1 << o
                )
            })
            .collect();
        a(format!("  wire [4:0] f_hroute{i} = oracle(head${i}$q, f_x, f_y);"));
        a(format!("  wire [7:0] f_hrank{i} = {};", terms.join(" | ")));
    }
    a("  reg [7:0] f_rank;\n  reg f_inside;\n  always @(*) begin\n    f_rank = 8'd0;\n    f_inside = f_a_sent && !f_a_out;".into());
    for o in 0..5 {
        a(format!("    if (o_valid${o}$q && o_flit${o}$q == f_a) f_rank = f_rem{o};"));
    }
    for i in 0..5 {
        a(format!("    if (f_in == 3'd{i} && head_valid${i}$q && head${i}$q == f_a) f_rank = f_hrank{i};"));
        a(format!(
            "    if (f_in == 3'd{i} && tail_valid${i}$q && tail${i}$q == f_a) f_rank = f_hrank{i} + 8'd{};",
            6 * u
        ));
    }
    a("  end".into());
    a("  reg [7:0] f_rank_q = 8'd0;\n  reg f_inside_q = 1'b0;".into());
    a("  always @(posedge clock) begin f_rank_q <= f_rank; f_inside_q <= f_inside; end".into());
    a("  always @(*) begin".into());
    a(format!(
        "    // the properties: inside, the rank is at most the bound and falls every clock\n    if (f_inside) assert(f_rank >= 8'd1 && f_rank <= 8'd{});",
        liveness_bound(depth)
    ));
    a("    if (f_past && f_inside_q && f_inside) assert(f_rank < f_rank_q);".into());
    a("    // invariants: refusal counts, the round-robin pointers one-hot or zero, legal turns".into());
    for (o, wired) in allowed_to.iter().enumerate() {
        a(format!("    assert(f_ref{o} <= 4'd{r} && (o_valid${o}$q || f_ref{o} == 4'd0));"));
        a(format!("    assert((last${o}$q & (last${o}$q - 5'd1)) == 5'd0 && (last${o}$q & ~5'd{wired}) == 5'd0);"));
    }
    for (i, allowed) in allowed_from.iter().enumerate() {
        a(format!("    if (head_valid${i}$q) assert((f_hroute{i} & 5'd{allowed}) != 5'd0);"));
        a(format!("    if (tail_valid${i}$q) assert((oracle(tail${i}$q, f_x, f_y) & 5'd{allowed}) != 5'd0);"));
    }
    a("  end".into());
}
