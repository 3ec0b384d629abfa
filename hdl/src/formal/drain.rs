//! The barrier's rise: on the 2x2 mesh of the barrier proof (`barrier.rs`: the real tiles,
//! routers, fan-out units and links; abstracted cores), once the last flit has come in (from
//! the host or as a core's spike), the mesh makes progress every clock until `quiet` rises.
//!
//! Proven by k-induction: every clock after the last flit in which `quiet` is low, a flit
//! moves one place on (into a FIFO, from a FIFO head to an output register, out of an output
//! register, a fan-out unit's next state, a held spike taken), or a sink refuses a flit (a
//! core's axon input or the host output, at most `REFUSALS` clocks in a row: assumed), or a
//! busy core counts down its busy time (at most `BUSY` clocks after its last axon event:
//! assumed). With it, invariants that keep every stored flit on its XY way: every flit in an
//! output register is routed there, every FIFO flit may take its turn, every flit carries
//! only the chip's bits, a fan-out unit is in one of its states with at most its table's count
//! to emit. Why it holds: XY routing has no cyclic channel dependency, so behind any flit that
//! waits there is, at the end of the chain, one whose way is free or a sink that refuses it.
//!
//! The bound [`bound`] follows by arithmetic (`docs/hardware.md`): give each flit 3 per hop it
//! still has to go plus 3 in a FIFO tail, 2 at a FIFO head, 1 in an output register (every
//! move lowers it), a fan-out unit what it will still emit, a held spike a whole fan-out; no
//! move raises this potential and no flit comes in after the last, so at most that many
//! clocks have a move; between two moves the refusal and busy counters, which only a move
//! resets, leave at most `5 REFUSALS + 4 BUSY` clocks. The solver was asked for the sum
//! itself, a ranking function falling every clock: z3 did not finish the base case's third
//! step in 10 minutes and yices took 226 s for three steps (adder trees across a transition),
//! so the potential stays on paper and the proof keeps to what a SAT solver does well.
//!
//! Environment after the last flit (a free time `T`, then for ever): no `start`, no `clear`;
//! the host link and the cores offer no new flit or spike (one refused before `T` stays on its
//! port until taken); the host sends no flit with the host bit (the bridge sends axon events
//! only). The configuration port stays free.

use super::barrier::{abstract_core, mesh_2x2, DESTINATIONS};
use super::router::REFUSALS;
use super::{Proof, XY_ORACLE};
use spikemesh_spec::flit::used_mask;

/// k-induction depth.
pub const DEPTH: usize = 4;

/// Clocks a core may stay busy after its last axon event (assumed of the abstract core).
pub const BUSY: usize = 4;

/// A break put into the mesh on purpose, to see the proof fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// The mesh as generated.
    None,
    /// Every router's west output no longer takes flits from its south input: a host-bound
    /// flit coming north into (0,0) waits there for ever.
    DropTurn,
    /// A fan-out unit that stays in its destination state after its last destination: busy
    /// for ever with nothing to send.
    StuckFanOut,
}

/// Most hops a flit has left on a 2x2 mesh.
const HOPS: usize = 2;
/// Weight of a flit about to enter a router (fan-out output register, held host flit):
/// above any FIFO slot's `3 * HOPS + 3`.
const ENTER: usize = 3 * HOPS + 4;
/// Weight of one destination a fan-out unit has still to emit (its two states and the flit).
const EMIT: usize = ENTER + 3;

/// Most destinations one spike fans out to (the fan-out table's count field).
fn most_destinations() -> usize {
    let fan = spikemesh_spec::memory_map::fanout_fields(DESTINATIONS, 4, 0);
    (1 << fan[1].1) - 1
}

/// Weight of a spike a core holds: a whole fan-out from its first state.
fn spike_weight() -> usize {
    ENTER + 1 + most_destinations() * EMIT + 3 + 1
}

/// Clocks a stretch without a move can last, plus one: the refusal slack of 5 sinks and the
/// busy slack of 4 cores, which only a move resets.
fn scale() -> usize {
    5 * REFUSALS + 4 * BUSY + 1
}

/// The clocks `quiet` may stay low after the last flit: (largest potential + 1) stretches
/// without a move, less one. A loose bound (every slot full of flits with the longest way,
/// every fan-out at its largest), not a measured drain time.
pub fn bound() -> usize {
    let router = 5 * ((3 * HOPS + 2) + (3 * HOPS + 3)) + 5 * (3 * HOPS + 1);
    let fanout = ENTER + (ENTER + 1 + most_destinations() * EMIT + 3);
    let potential = 4 * (router + fanout + spike_weight()) + ENTER;
    (potential + 1) * scale() - 1
}

/// `v` with module `module`'s port list extended by `ports`, `decls` after its header and
/// `body` before its end.
fn add_ports(v: &str, module: &str, ports: &str, decls: &str, body: &str) -> String {
    let head = format!("module {module}(");
    assert_eq!(v.matches(&head).count(), 1, "module {module} not found once");
    let at = v.find(&head).expect("module header") + head.len();
    let header_end = at + v[at..].find(");\n").expect("end of the port list") + 3;
    let end = header_end + v[header_end..].find("endmodule").expect("module end");
    format!("{}{ports},{}{decls}{}{body}{}", &v[..at], &v[at..header_end], &v[header_end..end], &v[end..])
}

/// `v` with `conns` added to the port connections of the instance opened by `instance`.
fn connect(v: &str, instance: &str, conns: &str) -> String {
    assert_eq!(v.matches(instance).count(), 1, "instance `{instance}` not found once");
    v.replacen(instance, &format!("{instance}{conns}"), 1)
}

/// The proof for the barrier proof's 2x2 mesh, with `fifo`-deep router FIFOs (1 or 2).
pub fn proof(name: &str, fifo: usize, mutation: Mutation) -> Proof {
    let mut v = mesh_2x2(fifo);
    if mutation == Mutation::DropTurn {
        let from = "localparam  turns$3 = 5'b10110;";
        assert_eq!(v.matches(from).count(), 1, "mutation target not found once");
        v = v.replace(from, "localparam  turns$3 = 5'b10010;");
    }
    if mutation == Mutation::StuckFanOut {
        let from = "            if (left$q == zero9) begin\n                state$d = s_idle;";
        assert_eq!(v.matches(from).count(), 1, "mutation target not found once");
        v = v.replace(from, "            if (left$q == zero9) begin\n                state$d = s_dest;");
    }
    let v = abstract_core(&v, &core_properties());
    let stop_prog = "    input wire f_stop;\n    output wire f_prog;\n";
    let v = add_ports(&v, "sm_tile_lif$core", "f_stop,f_prog", stop_prog, "");
    let v = add_ports(&v, "sm_tile_lif$router", "f_stop,f_prog", stop_prog, &router_properties());
    let v = add_ports(&v, "sm_tile_lif$fanout", "f_prog", "    output wire f_prog;\n", &fanout_properties());
    let v = add_ports(
        &v,
        "sm_tile_lif",
        "f_stop,f_prog",
        &format!("{stop_prog}    wire f_prog_router, f_prog_fanout, f_prog_core;\n"),
        "    assign f_prog = f_prog_router | f_prog_fanout | f_prog_core;\n",
    );
    let v =
        connect(&v, "    sm_tile_lif$router router(\n", "        .f_stop(f_stop),\n        .f_prog(f_prog_router),\n");
    let v = connect(&v, "    sm_tile_lif$fanout fanout(\n", "        .f_prog(f_prog_fanout),\n");
    let mut v =
        connect(&v, "    sm_tile_lif$core core(\n", "        .f_stop(f_stop),\n        .f_prog(f_prog_core),\n");
    let tiles: Vec<String> = (0..2).flat_map(|y| (0..2).map(move |x| format!("t{x}_{y}"))).collect();
    for t in &tiles {
        v = connect(
            &v,
            &format!("    sm_tile_lif {t}(\n"),
            &format!("        .f_stop(f_stop),\n        .f_prog({t}_prog),\n"),
        );
    }
    let decls: String = tiles.iter().map(|t| format!("    wire {t}_prog;\n")).collect();
    let head = "module top(";
    let at = v.find(head).expect("mesh top") + head.len();
    let header_end = at + v[at..].find(");\n").expect("end of the top's ports") + 3;
    v.insert_str(header_end, &format!("    reg f_stop = 1'b0;\n{decls}"));
    let progress: Vec<String> = tiles.iter().map(|t| format!("{t}_prog")).collect();
    let top = top_properties(&progress.join(" || "));
    let v = v.replacen(
        "    assign timestep = timestep_q;\nendmodule\n",
        &format!("    assign timestep = timestep_q;\n{top}endmodule\n"),
        1,
    );
    // A broken mesh gets a deeper window, so the base case reaches the stuck flit.
    let k = if mutation == Mutation::None { DEPTH } else { 14 };
    Proof::single(name, "prove", "prove", k, super::SOLVER, "mesh.sv", v)
}

/// The abstract core after the last flit: no new spike, busy at most `BUSY` clocks after its
/// last axon event; counting that time down is progress.
fn core_properties() -> String {
    let b = BUSY;
    format!(
        "  // after the last flit (f_stop): no new spike, busy only while work waits or {b} clocks after the last axon event
  reg [3:0] f_c = 4'd0;
  always @(posedge clock) f_c <= (!f_stop || (in_valid && in_ready)) ? 4'd0 : (f_c < 4'd{b} ? f_c + 4'd1 : f_c);
  always @(posedge clock) if (f_past && $past(f_stop) && out_valid) assume($past(out_valid && !out_ready));
  always @(*) if (f_stop && busy && !out_valid && !in_valid) assume(f_c < 4'd{b});
  always @(*) assert(f_c <= 4'd{b} && (f_stop || f_c == 4'd0));
  assign f_prog = f_stop && busy && !out_valid && !in_valid && f_c < 4'd{b};
"
    )
}

/// The router's moves, its sinks' refusals (the core, and the host at (0,0)) and the
/// invariants that keep every stored flit on its XY way.
fn router_properties() -> String {
    let r = REFUSALS;
    let mask = used_mask(2, 2, 2, 2);
    let allowed_from = super::router::allowed_from();
    let taken: Vec<String> = (0..5).map(|i| format!("(in_valid${i} && in_ready${i})")).collect();
    let left: Vec<String> = (0..5).map(|o| format!("(o_valid${o}$q && out_ready${o})")).collect();
    let mut p = String::from("`ifdef FORMAL\n");
    p += XY_ORACLE;
    p += &format!(
        "
  // the sinks: the core (output 4) and, at (0,0), the host (output 3), refused at most {r} clocks in a row after the last flit
  wire f_host_port = my_x == 4'd0 && my_y == 4'd0;
  reg [3:0] f_kc = 4'd0, f_kh = 4'd0;
  always @(posedge clock) begin
    f_kc <= (f_stop && o_valid$4$q && !out_ready$4) ? f_kc + 4'd1 : 4'd0;
    f_kh <= (f_stop && f_host_port && o_valid$3$q && !out_ready$3) ? f_kh + 4'd1 : 4'd0;
  end
  always @(*) begin
    if (f_stop && f_kc == 4'd{r} && o_valid$4$q) assume(out_ready$4);
    if (f_stop && f_host_port && f_kh == 4'd{r} && o_valid$3$q) assume(out_ready$3);
  end
  // progress: a flit taken into a FIFO, a FIFO head granted, a flit leaving an output register, or a sink refusing
  assign f_prog = {} || deq != 5'd0 || {} || (f_stop && ((o_valid$4$q && !out_ready$4) || (f_host_port && o_valid$3$q && !out_ready$3)));
  localparam [22:0] F_MASK = 23'h{mask:x};
  always @(*) begin
    assert(f_kc <= 4'd{r} && f_kh <= 4'd{r} && (o_valid$4$q || f_kc == 4'd0) && (o_valid$3$q || f_kh == 4'd0));
",
        taken.join(" || "),
        left.join(" || ")
    );
    for (i, allowed) in allowed_from.iter().enumerate() {
        p += &format!("    assert(!tail_valid${i}$q || head_valid${i}$q);\n");
        for slot in ["head", "tail"] {
            p += &format!(
                "    if ({slot}_valid${i}$q) assert(({slot}${i}$q & ~F_MASK) == 23'd0 && (oracle({slot}${i}$q, my_x, my_y) & 5'd{allowed}) != 5'd0);\n"
            );
        }
        p += &format!(
            "    if (o_valid${i}$q) assert((o_flit${i}$q & ~F_MASK) == 23'd0 && oracle(o_flit${i}$q, my_x, my_y) == 5'd{});\n",
            1 << i
        );
    }
    p += "  end\n`endif\n";
    p
}

/// The fan-out unit's moves (a state step, its flit leaving, a spike taken) and its states.
fn fanout_properties() -> String {
    let most = most_destinations();
    format!(
        "`ifdef FORMAL
  assign f_prog = state$d != state$q || (ov$q && out_ready) || (spike_valid && spike_ready);
  always @(*) assert(state$q <= 3'd4 && left$q <= 9'd{most} && (state$q != 3'd4 || left$q != 9'd0) && fan$read_data[28:20] <= 9'd{most});
`endif
"
    )
}

/// The environment after the last flit and the property: progress while `quiet` is low.
fn top_properties(progress: &str) -> String {
    format!(
        "`ifdef FORMAL
  reg f_past = 1'b0;
  always @(posedge clock) f_past <= 1'b1;
  // the last flit: from a free time on, for ever
  (* anyseq *) reg f_go;
  always @(posedge clock) if (f_go) f_stop <= 1'b1;
  always @(*) if (f_stop) assume(!start && !clear);
  always @(*) if (host_in_valid) assume(!host_in_flit[22]);
  always @(posedge clock) if (f_past && $past(host_in_valid && !host_in_ready)) assume(host_in_valid && host_in_flit == $past(host_in_flit));
  always @(posedge clock) if (f_past && $past(f_stop) && host_in_valid) assume($past(host_in_valid && !host_in_ready));
  // the property: after the last flit, while quiet is low, something moves or counts down
  always @(*) if (f_stop && !quiet) assert({progress});
`endif
"
    )
}
