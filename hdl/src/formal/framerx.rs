//! The frame receiver's proof (`link::framerx::FrameRx`): its verdict on every frame equals a
//! model of `spec::protocol::Decoder` written into the proof: COBS decoding, CRC-16/GENIBUS
//! (poly 0x1021, init 0xFFFF, residue 0x1D0F over body and checksum, computed bit by bit
//! here, not by the design's CRC block), the 4-byte minimum, `MAX_BODY`, and a byte arriving
//! while the buffer is held. So a frame whose checksum is wrong is never announced, and so
//! never becomes a command.
//!
//! Proven by k-induction (depth 12) over any byte stream, frames of any length and any `hold`;
//! the model's state equal to the design's is the invariant that makes it inductive.

use super::Proof;
use crate::link::framerx::FrameRx;

/// A break put into the receiver on purpose, to see the proof fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// The receiver as generated.
    None,
    /// The receiver compares its CRC register against the wrong residue.
    WrongResidue,
}

/// The proof.
pub fn proof(name: &str, mutation: Mutation) -> Proof {
    let mut v = crate::verilog_of(FrameRx::new());
    if mutation == Mutation::WrongResidue {
        let from = "localparam  residue_n = 16'he2f0;";
        assert!(v.contains(from), "no `{from}` in the receiver's Verilog");
        v = v.replace(from, "localparam  residue_n = 16'he2f1;");
    }
    let max = spikemesh_spec::protocol::MAX_BODY;
    let props = format!(
        "`ifdef FORMAL
  // The model: spec::protocol::Decoder, byte by byte.
  function [15:0] m_crc_byte(input [15:0] c, input [7:0] b);
    integer k;
    reg [15:0] x;
    begin
      x = c ^ {{b, 8'h00}};
      for (k = 0; k < 8; k = k + 1) x = x[15] ? ((x << 1) ^ 16'h1021) : (x << 1);
      m_crc_byte = x;
    end
  endfunction
  reg m_started = 1'b0, m_zero_next = 1'b0, m_over = 1'b0, m_poison = 1'b0;
  reg [7:0] m_left = 8'd0;
  reg [10:0] m_len = 11'd0;
  reg [15:0] m_crc = 16'hffff;
  wire m_code = in_valid && in_byte != 8'd0;
  wire m_end = in_valid && in_byte == 8'd0;
  // COBS: a code byte opens a block of code - 1 data bytes; a block shorter than 254 stands
  // for a zero, which is data only if another block follows.
  wire m_emit = m_code && (m_left != 8'd0 || (m_zero_next && m_started));
  wire [7:0] m_byte = m_left != 8'd0 ? in_byte : 8'd0;
  always @(posedge clock) begin
    if (m_code) begin
      m_started <= 1'b1;
      if (m_left == 8'd0) begin m_left <= in_byte - 8'd1; m_zero_next <= in_byte != 8'hff; end
      else m_left <= m_left - 8'd1;
    end
    if (in_valid && hold) m_poison <= 1'b1;
    if (m_emit) begin
      m_crc <= m_crc_byte(m_crc, m_byte);
      if (m_len == 11'd{max}) m_over <= 1'b1; else m_len <= m_len + 11'd1;
    end
    if (m_end) begin
      m_started <= 1'b0; m_left <= 8'd0; m_zero_next <= 1'b0; m_len <= 11'd0;
      m_over <= 1'b0; m_poison <= 1'b0; m_crc <= 16'hffff;
    end
  end
  // A frame ends at a zero after at least one other byte; it is accepted when its blocks are
  // complete, nothing overflowed or arrived during a hold, and the CRC holds the residue.
  wire m_due = m_end && m_started;
  wire m_ok = m_left == 8'd0 && !m_over && !m_poison && !hold && m_len >= 11'd4 && m_crc == 16'h1d0f;
  reg m_was_due = 1'b0, m_was_ok = 1'b0;
  reg [10:0] m_was_len = 11'd0;
  always @(posedge clock) begin m_was_due <= m_due; m_was_ok <= m_ok; if (m_due && m_ok) m_was_len <= m_len; end
  always @(*) begin
    // The verdict, the clock after the frame's zero, and the length of an accepted frame.
    assert(frame_ok == (m_was_due && m_was_ok));
    assert(frame_bad == (m_was_due && !m_was_ok));
    if (frame_ok) assert(frame_len == m_was_len);
    // The model's state is the design's (the invariant that makes this inductive).
    assert(m_crc == ~crc_n$q && m_left == left$q && m_zero_next == zero_next$q && m_started == started$q);
    assert(m_len == len$q && m_over == overflow$q && m_poison == poisoned$q && m_was_len == flen$q);
    assert(m_len <= 11'd{max});
  end
`endif
"
    );
    let v = v.replacen("endmodule // top\n", &format!("{props}endmodule // top\n"), 1);
    Proof::single(name, "prove", "prove", 12, super::SOLVER, "framerx.sv", v)
}
