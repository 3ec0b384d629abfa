//! The UART receiver's proof (`link::uart::UartRx`): a transmitter written into the proof sends
//! `frames` back-to-back frames with arbitrary bytes, at any baud rate within ±2 % of the
//! receiver's, from any phase, after any idle time, the last with a good or a bad stop bit.
//!
//! Proven by bounded model checking to the depth that covers every frame: each good frame is
//! received exactly once with its byte, a frame with a low stop bit raises `framing_error` and
//! delivers no byte, and nothing else is delivered; and when a good stop bit ends, the
//! receiver is back in its power-up state, so back-to-back frames follow by induction.

use super::Proof;
use crate::link::uart::{increment, UartRx};

/// A break put into the receiver on purpose, to see the proof fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// The receiver as generated.
    None,
    /// The receiver samples at the start of each bit instead of its middle (a wrong preset).
    EdgeSample,
}

/// The proof for a receiver at `baud` from a `clock_hz` clock.
pub fn proof(name: &str, baud: u64, clock_hz: u64, frames: u32, mutation: Mutation) -> Proof {
    assert!(frames == 1 || frames == 2, "one or two frames");
    let inc = increment(baud, clock_hz);
    let mut v = crate::verilog_of(UartRx::new(baud, clock_hz));
    if mutation == Mutation::EdgeSample {
        let preset = (1u64 << 23) + 2 * inc;
        let from = format!("localparam  preset = 25'h{preset:x};");
        assert!(v.contains(&from), "no `{from}` in the receiver's Verilog");
        v = v.replace(&from, &format!("localparam  preset = 25'h{:x};", preset - (1 << 23)));
    }
    // Clocks per bit, and the transmitter's increment range: ±2 % of the receiver's rate.
    let cpb = clock_hz as f64 / baud as f64;
    let (lo, hi) = ((inc as f64 * 0.98).ceil() as u64, (inc as f64 * 1.02).floor() as u64);
    let idle_max = 2 * cpb.ceil() as u64;
    // The frames of 10 bits at the slowest rate, the idle time before, and the stop-bit check.
    let depth = idle_max + ((10 * frames + 1) as f64 * cpb * 1.03).ceil() as u64 + 8;
    // Bits the transmitter sends: the last frame's stop bit is its last.
    let bits = 10 * frames;
    let props = format!(
        "`ifdef FORMAL
  // The transmitter: any two bytes, any rate within ±2 %, any start phase and idle time.
  (* anyconst *) reg [7:0] f_d0;
  (* anyconst *) reg [7:0] f_d1;
  (* anyconst *) reg f_bad1;
  (* anyconst *) reg [24:0] f_inc;
  (* anyconst *) reg [23:0] f_phase;
  (* anyconst *) reg [7:0] f_idle;
  // The start edge falls anywhere within one receiver clock: a phase below one increment.
  always @(*) assume(f_inc >= 25'd{lo} && f_inc <= 25'd{hi} && f_idle <= 8'd{idle_max} && {{1'b0, f_phase}} < f_inc);
  reg [24:0] f_acc = 25'd0;
  reg [7:0] f_wait = 8'd0;
  reg f_started = 1'b0;
  reg [4:0] f_bit = 5'd0;  // bits sent so far: 0 .. {bits}-1, then idle
  wire [24:0] f_sum = f_acc + f_inc;
  always @(posedge clock) begin
    if (!f_started) begin
      f_wait <= f_wait + 8'd1;
      if (f_wait == f_idle) begin f_started <= 1'b1; f_acc <= {{1'b0, f_phase}}; end
    end else begin
      f_acc <= {{1'b0, f_sum[23:0]}};
      if (f_sum[24] && f_bit != 5'd{bits}) f_bit <= f_bit + 5'd1;
    end
  end
  reg f_line;
  always @(*) begin
    f_line = 1'b1;
    if (f_started && f_bit < 5'd{bits}) case (f_bit)
      5'd0, 5'd10: f_line = 1'b0;
      5'd9: f_line = {frames} == 1 ? !f_bad1 : 1'b1;
      5'd19: f_line = !f_bad1;
      default: f_line = f_bit < 5'd9 ? f_d0[f_bit - 5'd1] : f_d1[f_bit - 5'd11];
    endcase
  end
  always @(*) assume(rx == f_line);
  // What the receiver delivers.
  reg [1:0] f_got = 2'd0;
  reg f_ferr = 1'b0;
  always @(posedge clock) begin
    if (valid) f_got <= f_got + 2'd1;
    if (framing_error) f_ferr <= 1'b1;
  end
  // Frame k's byte; the last frame's stop bit is the one that may be bad.
  always @(*) begin
    if (valid) assert(f_got < 2'd{frames} && data == (f_got == 2'd0 ? f_d0 : f_d1) && !(f_bad1 && f_got == 2'd{last_frame}));
    if (framing_error) assert(f_bad1 && f_bit >= 5'd{stop_bit} && f_got == 2'd{last_frame});
  end
  // By the end, both frames were judged.
  reg [15:0] f_t = 16'd0;
  always @(posedge clock) f_t <= f_t + 16'd1;
  always @(*) if (f_t == 16'd{last}) assert(f_got == (f_bad1 ? 2'd{last_frame} : 2'd{frames}) && f_ferr == f_bad1);
  // When the last good stop bit ends (the first clock the next start bit could begin) the
  // receiver is back in its power-up state in every register the next frame reads before
  // writing: so frames back to back are received as this one is (by induction over frames).
  reg f_ended = 1'b0;
  always @(posedge clock) if (f_started && f_bit == 5'd{bits}) f_ended <= 1'b1;
  always @(*) if (f_started && f_bit == 5'd{bits} && !f_ended && !f_bad1)
    assert(!busy$q && !wait_idle$q && !s1$q && !s2$q && !pulse$q && !ferr$q);
`endif
",
        last = depth - 2,
        last_frame = frames - 1,
        stop_bit = bits - 1,
    );
    let v = v.replacen("endmodule // top\n", &format!("{props}endmodule // top\n"), 1);
    Proof::single(name, "bmc", "bmc", depth as usize, "z3", "uart_rx.sv", v)
}
