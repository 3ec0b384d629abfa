//! The bridge's writes: the generated host bridge (`link/bridge.rs`: UART, frame receiver and
//! transmitter, command executor) on any byte stream, with the mesh's answers free.
//!
//! Proven by k-induction (depth `DEPTH`): whenever the bridge raises `cfg_we`, a WRITE_MEM or
//! WRITE_BYTES command is running, no timestep is open, `start` and `clear` are low and the
//! mesh has been quiet for two clocks; the port carries the command's core, memory id and row
//! unchanged and its column plus the word's index, with nothing cut off by the port's widths;
//! and that address lies inside the memory's geometry (`spec::memory_map::geometry`, written
//! into the proof as a table: a memory the chip's model has and the host may write, a core
//! inside the mesh, a row and a column inside the memory). Together with the configuration
//! port's proof (`config.rs`: a write reaches only the memory its id names, at its address),
//! a host write touches only the memory and words it addresses.
//!
//! Assumed: the mesh keeps `quiet` high until the bridge sends a flit, starts a timestep or
//! clears (what the barrier proof, `barrier.rs`, proves of the mesh). Not proven here: that
//! the command's fields are the frame's bytes (the executor's fetch from the receiver's
//! buffer; fuzzed in `sim/tests/bridge_fuzz.rs`, which reads every target back), and the values
//! written (checked against the memory's width in the command's check pass; fuzzed).

use super::Proof;
use spikemesh_spec::memory_map::{geometry, MEMORIES};
use spikemesh_spec::protocol::kind;
use spikemesh_spec::Hardware;

/// k-induction depth.
pub const DEPTH: usize = 4;

/// A break put into the bridge on purpose, to see the proof fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// The bridge as generated.
    None,
    /// The column check lets a write run one word past the memory's end.
    ColumnOffByOne,
}

/// The proof for the bridge of a chip of `hw` clocked at `clock_hz`.
pub fn proof(name: &str, hw: &Hardware, clock_hz: u64, mutation: Mutation) -> Proof {
    let mut v = crate::verilog_of(crate::link::bridge::Bridge::new(hw, clock_hz));
    if mutation == Mutation::ColumnOffByOne {
        let from = "(col_end <= lim_cols);";
        assert_eq!(v.matches(from).count(), 2, "mutation target not found (reads and writes)");
        let at = v.rfind(from).expect("the write check");
        v.replace_range(at..at + from.len(), "(col_end <= lim_cols + 24'd1);");
        assert!(v[..at].contains("ok_wr$d = "), "the write check is the last");
    }
    // The frame receiver abstracted: any verdict at any time while the buffer is free, any
    // length, any byte read. The properties do not depend on the frame's bytes, so this covers
    // every frame the real receiver can announce, and a command is a few clocks away.
    let v = super::replace_body(
        &v,
        "top$frx",
        "`ifdef FORMAL
  (* anyseq *) reg a_ok, a_bad;
  (* anyseq *) reg [10:0] a_len;
  (* anyseq *) reg [7:0] a_rd;
  always @(*) begin
    frame_ok = a_ok && !hold;
    frame_bad = a_bad && !a_ok && !hold;
    frame_len = a_len;
    rd_data = a_rd;
  end
`endif
",
    );
    // The UART, the frame transmitter and the counters abstracted too: free outputs. Nothing
    // in the properties depends on them, and the bounded check of a broken bridge reaches a
    // write in fewer, smaller steps.
    let free = |v: &str, module: &str, outputs: &str, drive: &str| {
        super::replace_body(
            v,
            module,
            &format!("`ifdef FORMAL\n  (* anyseq *) reg {outputs};\n  always @(*) begin {drive} end\n`endif\n"),
        )
    };
    let v = free(
        &v,
        "top$urx",
        "[7:0] a_data; (* anyseq *) reg a_valid, a_err",
        "data = a_data; valid = a_valid; framing_error = a_err;",
    );
    let v = free(&v, "top$utx", "a_ready, a_tx", "ready = a_ready; tx = a_tx;");
    let v = free(
        &v,
        "top$ftx",
        "a_busy, a_valid; (* anyseq *) reg [7:0] a_byte",
        "busy = a_busy; out_valid = a_valid; out_byte = a_byte;",
    );
    let mut v = v;
    for counter in ["top$n_accepted", "top$n_rejected", "top$n_spikes"] {
        v = free(&v, counter, "[31:0] a_count", "count = a_count;");
    }
    if v.contains("SB_MAC16 ") {
        v.push_str(crate::link::counter::SB_MAC16_MODEL);
    }
    let props = properties(hw, &v);
    let v = v.replacen("endmodule // top\n", &format!("{props}endmodule // top\n"), 1);
    // A broken bridge gets a bounded check that reaches its first write (a one-word
    // WRITE_BYTES, 42 clocks after the frame's verdict), with yices: about 3 minutes, where
    // z3 had reached step 22 after 10.
    let (mode, k) = if mutation == Mutation::None { ("prove", DEPTH) } else { ("bmc", 48) };
    Proof::single(name, "prove", mode, k, super::SOLVER, "bridge.sv", v)
}

/// `reg in {Idle (its power-up value) and the states the design stores in it}`, from its
/// Verilog (`reg$d = Step$X;`).
fn stored_states(v: &str, reg: &str) -> String {
    let tag = format!(" {reg}$d = Step$");
    let mut names: Vec<&str> = v
        .match_indices(&tag)
        .map(|(at, _)| &v[at + tag.len()..])
        .map(|r| &r[..r.find(';').unwrap_or(0)])
        .chain(["Idle"])
        .collect();
    names.sort();
    names.dedup();
    assert!(names.len() > 1, "no state stored in {reg}");
    let terms: Vec<String> = names.iter().map(|n| format!("{reg}$q == Step${n}")).collect();
    terms.join(" || ")
}

fn properties(hw: &Hardware, v: &str) -> String {
    // The geometry table, from the spec (not from the bridge's own constants).
    let (mut ok, mut rows, mut cols) = (Vec::new(), String::new(), String::new());
    for mem in 0..MEMORIES {
        if let Some(g) = geometry(mem, hw).filter(|g| g.writable) {
            ok.push(format!("mem$q == 8'd{mem}"));
            rows += &format!("mem$q == 8'd{mem} ? 24'd{} : ", g.rows);
            cols += &format!("mem$q == 8'd{mem} ? 24'd{} : ", g.cols);
        }
    }
    let ok = ok.join(" || ");
    let cores = hw.mesh_x * hw.mesh_y;
    let (ret, hret, pret) = (stored_states(v, "ret"), stored_states(v, "hret"), stored_states(v, "pret"));
    let (write, bytes, inject) = (kind::WRITE_MEM, kind::WRITE_BYTES, kind::INJECT);
    format!(
        "`ifdef FORMAL
  reg f_past = 1'b0;
  always @(posedge clock) f_past <= 1'b1;
  // The mesh (barrier proof): quiet stays high until the bridge sends a flit, starts or clears.
  always @(posedge clock) if (f_past && $past(quiet && !start && !clear && !host_in_valid)) assume(quiet);
  // spec::memory_map::geometry of the memories the host may write
  wire f_mem_ok = {ok};
  wire [23:0] f_rows = {rows}24'd0;
  wire [23:0] f_cols = {cols}24'd0;
  // the write pass: between the address check and the answer
  wire f_pass = state$q == Step$WrValue || state$q == Step$WrFetch || state$q == Step$WrOne
    || ((state$q == Step$Fetch || state$q == Step$Settle) && (ret$q == Step$WrValue || ret$q == Step$WrOne));
  // the whole write command, from its header on
  wire f_head = state$q == Step$WrCore || state$q == Step$WrMem || state$q == Step$WrRow || state$q == Step$WrCol
    || state$q == Step$WrCheck;
  wire f_ret_head = ret$q == Step$WrCore || ret$q == Step$WrMem || ret$q == Step$WrRow || ret$q == Step$WrCol
    || ret$q == Step$WrCheck;
  wire f_command = f_pass || f_head || ((state$q == Step$Fetch || state$q == Step$Settle) && f_ret_head);
  wire f_is_write = cmd_kind$q == 8'd{write} || cmd_kind$q == 8'd{bytes};
  wire f_writes = state$q == Step$WrFetch || state$q == Step$WrOne || (state$q == Step$Fetch && ret$q == Step$WrOne);
  always @(*) begin
    // the properties
    if (cfg_we) begin
      assert(f_is_write);
      assert(!open$q && !start && !clear && calm);
      assert({{4'd0, cfg_mem}} == mem$q && cfg_core == core$q && {{4'd0, cfg_row}} == row$q);
      assert({{12'd0, cfg_col}} == col_now && col_now == col$q + {{13'd0, widx$q}});
      assert(f_mem_ok && core$q < 8'd{cores} && row$q < f_rows && col_now < f_cols);
    end
    // invariants of the write pass: checked, closed, inside the command's words
    if (f_pass) assert(ok_wr$q);
    if (f_pass) assert(!open$q);
    if (f_pass) assert(widx$q < words$q);
    if (f_command) assert(f_is_write && words$q != 11'd0);
    if (state$q == Step$WrCheck || (state$q == Step$Settle && ret$q == Step$WrCheck)) assert(widx$q == 11'd0);
    if (state$q == Step$Fetch) assert(ret$q != Step$WrCheck);
    if (state$q == Step$Len) assert(f_is_write || cmd_kind$q == 8'd{inject});
    if (f_writes && state$q != Step$WrFetch) assert(calm);
    // the return registers hold only states the design stores in them; a SPIKES frame
    // returns to the STEP it came from; a column is at most 16 bits (no wrap in col + words)
    assert({ret});
    assert({hret});
    assert({pret});
    if (state$q == Step$SpikeSend) assert(ret$q == Step$Collect || ret$q == Step$StepEnd);
    assert(col$q <= 24'hffff);
  end
`endif
"
    )
}
