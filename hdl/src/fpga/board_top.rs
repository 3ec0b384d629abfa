//! Board tops: the chip (`chip.rs`) with the board's clock (through a PLL when the requested
//! core clock is not the oscillator's), its UART pins, LEDs and reset button. Port names
//! match the pin files in `constraints/` (`fpga/boards.rs` lists them; a test checks both agree).
//!
//! LEDs: a heartbeat (about one blink a second: the bitstream is alive), the open timestep,
//! the timestep counter's lowest bit (flickers while the network runs), and a rejected frame
//! (held for about 0.2 s, so a noisy link shows). The button runs RESET.

use crate::chip::{chip_verilog, clock_hz, CHIP};
use crate::fpga::boards::board;
use crate::fpga::pll::{ecp5_pll, ice40_pll};
use spikemesh_spec::config::Board;
use spikemesh_spec::Hardware;

/// Why there is no board top.
#[derive(Debug, thiserror::Error)]
pub enum BoardTopError {
    /// `board = "sim"` has no pins.
    #[error("board \"sim\" has no FPGA: set hardware.board (or pass --board) to build a bitstream")]
    NoFpga,
    /// No PLL setting reaches the clock.
    #[error("no PLL setting of the {0} reaches clock_mhz = {1}")]
    NoPll(&'static str, f64),
}

/// The clock source: the oscillator pin itself, or a PLL instance driving `clock`.
fn clock_source(hw: &Hardware) -> Result<String, BoardTopError> {
    let b = board(hw.board).ok_or(BoardTopError::NoFpga)?;
    let osc = b.oscillator_hz as f64 / 1e6;
    if (hw.clock_mhz - osc).abs() < 1e-9 {
        return Ok("    wire clock = clk;\n".into());
    }
    if b.device.is_ice40() {
        let p = ice40_pll(osc, hw.clock_mhz).ok_or(BoardTopError::NoPll("iCE40", hw.clock_mhz))?;
        // Simple feedback: f_out = f_in * (DIVF + 1) / ((DIVR + 1) * 2^DIVQ) (pll.rs, icepll).
        // The iCEBreaker's oscillator pin (35) is the UP5K's PLL pad: the pad variant takes the
        // pin itself (nextpnr refuses SB_PLL40_CORE there). The HX8K breakout's (J3) is not a
        // PLL pad, so its PLL takes the clock from the fabric.
        let (cell, input) = if b.device == crate::fpga::flow::Device::Up5k {
            ("SB_PLL40_PAD", "PACKAGEPIN")
        } else {
            ("SB_PLL40_CORE", "REFERENCECLK")
        };
        Ok(format!(
            "    wire clock, pll_lock;
    {cell} #(
        .FEEDBACK_PATH(\"SIMPLE\"),
        .DIVR(4'd{}),
        .DIVF(7'd{}),
        .DIVQ(3'd{}),
        .FILTER_RANGE(3'd{})
    ) pll (
        .{input}(clk),
        .PLLOUTGLOBAL(clock),
        .LOCK(pll_lock),
        .RESETB(1'b1),
        .BYPASS(1'b0)
    );
",
            p.divr, p.divf, p.divq, p.filter_range
        ))
    } else {
        let p = ecp5_pll(osc as f32, hw.clock_mhz as f32).ok_or(BoardTopError::NoPll("ECP5", hw.clock_mhz))?;
        // Internal feedback from CLKOP: f_out = f_in * CLKFB_DIV / CLKI_DIV (pll.rs, ecppll).
        Ok(format!(
            "    wire clock, pll_fb, pll_lock;
    (* FREQUENCY_PIN_CLKI=\"{osc}\" *) (* FREQUENCY_PIN_CLKOP=\"{:.4}\" *)
    (* ICP_CURRENT=\"12\" *) (* LPF_RESISTOR=\"8\" *) (* MFG_ENABLE_FILTEROPAMP=\"1\" *) (* MFG_GMCREF_SEL=\"2\" *)
    EHXPLLL #(
        .PLLRST_ENA(\"DISABLED\"),
        .INTFB_WAKE(\"DISABLED\"),
        .STDBY_ENABLE(\"DISABLED\"),
        .DPHASE_SOURCE(\"DISABLED\"),
        .OUTDIVIDER_MUXA(\"DIVA\"),
        .CLKI_DIV({}),
        .CLKOP_ENABLE(\"ENABLED\"),
        .CLKOP_DIV({}),
        .CLKOP_CPHASE({}),
        .CLKOP_FPHASE(0),
        .FEEDBK_PATH(\"INT_OP\"),
        .CLKFB_DIV({})
    ) pll (
        .RST(1'b0),
        .STDBY(1'b0),
        .CLKI(clk),
        .CLKOP(clock),
        .CLKFB(pll_fb),
        .CLKINTFB(pll_fb),
        .PHASESEL0(1'b0),
        .PHASESEL1(1'b0),
        .PHASEDIR(1'b0),
        .PHASESTEP(1'b0),
        .PHASELOADREG(1'b0),
        .PLLWAKESYNC(1'b0),
        .ENCLKOP(1'b0),
        .LOCK(pll_lock)
    );
",
            p.f_out,
            p.clki_div,
            p.clkop_div,
            p.clkop_div - 1,
            p.clkfb_div
        ))
    }
}

/// Verilog of the board top `top` for `hw` (on `hw.board`): the chip plus clock, pins, LEDs.
pub fn board_verilog(hw: &Hardware) -> Result<String, BoardTopError> {
    let clock = clock_source(hw)?;
    let hz = clock_hz(hw);
    // Heartbeat: the counter bit that toggles about every 0.5 s; frame-error hold about 0.2 s.
    let beat = (63 - hz.leading_zeros()) as usize - 1;
    let hold = beat - 2;
    let (ports, decls, leds) = match hw.board {
        Board::Icebreaker => (
            "clk, uart_rx, uart_tx, led_r_n, led_g_n, btn_n",
            "    input wire btn_n;\n    output wire led_r_n;\n    output wire led_g_n;\n",
            // Green: heartbeat. Red: the network is running, or a frame was rejected.
            "    assign led_g_n = ~beat[BEAT];\n    assign led_r_n = ~(tstep | bad_seen);\n    wire button = ~btn_n;\n",
        ),
        Board::Hx8kBreakout => (
            "clk, uart_rx, uart_tx, led",
            "    output wire [7:0] led;\n",
            // No user button: RESET comes over the link only.
            "    assign led = {4'd0, bad_seen, tstep, running, beat[BEAT]};\n    wire button = 1'b0;\n",
        ),
        Board::Ulx3s25f | Board::Ulx3s85f => (
            "clk, uart_rx, uart_tx, led, btn_n",
            "    input wire btn_n;\n    output wire [7:0] led;\n",
            "    assign led = {4'd0, bad_seen, tstep, running, beat[BEAT]};\n    wire button = ~btn_n;\n",
        ),
        Board::Sim => return Err(BoardTopError::NoFpga),
    };
    let mut v = chip_verilog(hw, false);
    v.push_str(&format!(
        "
// Board top ({}), generated by spikemesh-hdl (board_top.rs).
module top({ports});
    input wire clk;
    input wire uart_rx;
    output wire uart_tx;
{decls}{clock}    localparam BEAT = {beat};
    reg [BEAT:0] beat = 0;
    reg [{hold}:0] bad_hold = 0;
    reg [1:0] btn_sync = 0;
    wire running, tstep, bad_frame, idle;
    wire bad_seen = |bad_hold;
{leds}    always @(posedge clock) begin
        beat <= beat + 1'b1;
        btn_sync <= {{btn_sync[0], button}};
        if (bad_frame) bad_hold <= {{({hold}+1){{1'b1}}}};
        else if (bad_seen) bad_hold <= bad_hold - 1'b1;
    end
    {CHIP} chip(
        .clock(clock), .uart_rx(uart_rx), .uart_tx(uart_tx), .reset_req(btn_sync[1]),
        .idle(idle), .running(running), .timestep_lsb(tstep), .bad_frame(bad_frame)
    );
endmodule
",
        hw.board.name()
    ));
    Ok(v)
}
