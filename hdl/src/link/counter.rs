//! 32-bit event counters (timesteps, accepted and rejected frames, recorded spikes).
//!
//! In logic a 32-bit counter costs about 32 logic cells. The iCE40 UP5K is short of logic
//! cells but has DSP blocks to spare, so there each counter is one `SB_MAC16` in 32-bit
//! accumulate mode (`{A, B} = {0, inc}` added to the output register every clock, `clear`
//! loads `{C, D} = 0`). The parameters follow Lattice's DSP usage guide for iCE40 (TN1295);
//! `tests/dsp_counter.rs` has Yosys prove the instance equal to a plain counter using Yosys's
//! own `SB_MAC16` model, before and after synthesis; Verilator runs [`SB_MAC16_MODEL`].

use rust_hdl::prelude::*;

/// A counter that adds one on each clock with `inc` and goes to zero on a clock with `clear`
/// (which wins) and on the first clock after configuration.
#[derive(LogicBlock)]
pub struct Counter32 {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Go to zero.
    pub clear: Signal<In, bool>,
    /// Count one.
    pub inc: Signal<In, bool>,
    /// The count.
    pub count: Signal<Out, Bits<32>>,
    _dsp: bool,
    _sim: u64,
    _booted: bool,
}

impl Counter32 {
    /// A counter in logic, or in an iCE40 `SB_MAC16` when `dsp`.
    pub fn new(dsp: bool) -> Self {
        Self {
            clock: Default::default(),
            clear: Default::default(),
            inc: Default::default(),
            count: Default::default(),
            _dsp: dsp,
            _sim: 0,
            _booted: false,
        }
    }
}

impl Logic for Counter32 {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.clear.val() || !self._booted {
                self._sim = 0;
            } else if self.inc.val() {
                self._sim = (self._sim + 1) & 0xffff_ffff;
            }
            self._booted = true;
        }
        self.count.next = Bits::<32>::from(self._sim);
    }

    fn connect(&mut self) {
        self.count.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            counter_body(self._dsp, "q", "clock", "clear", "inc") + "always @(*) begin\n    count = q;\nend\n",
        )
    }
}

/// Verilog declaring `wire [31:0] {q}`: the count of clocks with `inc` since the last clock
/// with `clear`. Both kinds also clear on the first clock after configuration, because a DSP
/// register's power-up value is not promised, and the two must count alike.
pub fn counter_body(dsp: bool, q: &str, clock: &str, clear: &str, inc: &str) -> String {
    let booted = format!(
        "reg {q}_booted;\ninitial {q}_booted = 1'b0;\nalways @(posedge {clock}) {q}_booted <= 1'b1;\nwire {q}_clear = {clear} | ~{q}_booted;\n"
    );
    let clear = format!("{q}_clear");
    let body = if !dsp {
        format!(
            "reg [31:0] {q}_r;\ninitial {q}_r = 32'd0;\nwire [31:0] {q} = {q}_r;\nalways @(posedge {clock}) begin\n    if ({clear}) {q}_r <= 32'd0;\n    else if ({inc}) {q}_r <= {q}_r + 32'd1;\nend\n"
        )
    } else {
        // Bottom half: B + S (its output register), carry into the top half: A + Q. O shows
        // both output registers (OUTPUT_SELECT 1); OLOAD loads C and D (zero) instead.
        format!(
            "wire [31:0] {q};
wire {q}_unused_co, {q}_unused_accumco, {q}_unused_signextout;
SB_MAC16 #(
    .NEG_TRIGGER(1'b0), .C_REG(1'b0), .A_REG(1'b0), .B_REG(1'b0), .D_REG(1'b0),
    .TOP_8x8_MULT_REG(1'b0), .BOT_8x8_MULT_REG(1'b0),
    .PIPELINE_16x16_MULT_REG1(1'b0), .PIPELINE_16x16_MULT_REG2(1'b0),
    .TOPOUTPUT_SELECT(2'b01), .TOPADDSUB_LOWERINPUT(2'b00), .TOPADDSUB_UPPERINPUT(1'b0),
    .TOPADDSUB_CARRYSELECT(2'b10), .BOTOUTPUT_SELECT(2'b01), .BOTADDSUB_LOWERINPUT(2'b00),
    .BOTADDSUB_UPPERINPUT(1'b0), .BOTADDSUB_CARRYSELECT(2'b00),
    .MODE_8x8(1'b0), .A_SIGNED(1'b0), .B_SIGNED(1'b0)
) {q}_mac (
    .CLK({clock}), .CE(1'b1), .C(16'd0), .A(16'd0), .B({{15'd0, {inc}}}), .D(16'd0),
    .AHOLD(1'b0), .BHOLD(1'b0), .CHOLD(1'b0), .DHOLD(1'b0),
    .IRSTTOP(1'b0), .IRSTBOT(1'b0), .ORSTTOP(1'b0), .ORSTBOT(1'b0),
    .OLOADTOP({clear}), .OLOADBOT({clear}), .ADDSUBTOP(1'b0), .ADDSUBBOT(1'b0),
    .OHOLDTOP(1'b0), .OHOLDBOT(1'b0), .CI(1'b0), .ACCUMCI(1'b0), .SIGNEXTIN(1'b0),
    .O({q}), .CO({q}_unused_co), .ACCUMCO({q}_unused_accumco), .SIGNEXTOUT({q}_unused_signextout)
);
"
        )
    };
    booted + &body
}

/// The cell type `SB_MAC16` instances wear during `synth_ice40` (`flow::synth`): Yosys 0.70's
/// `ice40_dsp` pass takes every `SB_MAC16` for a multiplier it mapped and rewrites its
/// parameters, which turned these counters into constant zeros. Renamed before synthesis and
/// back after, they pass through untouched.
pub const HIDDEN_MAC16: &str = "sm_hidden_mac16";

/// A blackbox declaration of [`HIDDEN_MAC16`] with `SB_MAC16`'s ports and parameters.
pub fn hidden_mac16_blackbox() -> String {
    let model = SB_MAC16_MODEL;
    let head = &model[model.find("module SB_MAC16").unwrap()..model.find("`ifndef YOSYS").unwrap()];
    format!("(* blackbox *)\n{}endmodule\n", head.replace("module SB_MAC16", &format!("module {HIDDEN_MAC16}")))
}

/// Behavioural model of `SB_MAC16` for Verilator, for the one configuration
/// [`counter_body`] uses (32-bit accumulate of `{A, B}`, load of `{C, D}`, registered
/// output); any other configuration stops the simulation. Synthesis uses the real cell.
pub const SB_MAC16_MODEL: &str = "
module SB_MAC16(CLK, CE, C, A, B, D, AHOLD, BHOLD, CHOLD, DHOLD, IRSTTOP, IRSTBOT, ORSTTOP, ORSTBOT,
    OLOADTOP, OLOADBOT, ADDSUBTOP, ADDSUBBOT, OHOLDTOP, OHOLDBOT, CI, ACCUMCI, SIGNEXTIN,
    O, CO, ACCUMCO, SIGNEXTOUT);
    input wire CLK, CE;
    input wire [15:0] C, A, B, D;
    input wire AHOLD, BHOLD, CHOLD, DHOLD, IRSTTOP, IRSTBOT, ORSTTOP, ORSTBOT;
    input wire OLOADTOP, OLOADBOT, ADDSUBTOP, ADDSUBBOT, OHOLDTOP, OHOLDBOT, CI, ACCUMCI, SIGNEXTIN;
    output wire [31:0] O;
    output wire CO, ACCUMCO, SIGNEXTOUT;
    parameter [0:0] NEG_TRIGGER = 0;
    parameter [0:0] C_REG = 0;
    parameter [0:0] A_REG = 0;
    parameter [0:0] B_REG = 0;
    parameter [0:0] D_REG = 0;
    parameter [0:0] TOP_8x8_MULT_REG = 0;
    parameter [0:0] BOT_8x8_MULT_REG = 0;
    parameter [0:0] PIPELINE_16x16_MULT_REG1 = 0;
    parameter [0:0] PIPELINE_16x16_MULT_REG2 = 0;
    parameter [1:0] TOPOUTPUT_SELECT = 0;
    parameter [1:0] TOPADDSUB_LOWERINPUT = 0;
    parameter [0:0] TOPADDSUB_UPPERINPUT = 0;
    parameter [1:0] TOPADDSUB_CARRYSELECT = 0;
    parameter [1:0] BOTOUTPUT_SELECT = 0;
    parameter [1:0] BOTADDSUB_LOWERINPUT = 0;
    parameter [0:0] BOTADDSUB_UPPERINPUT = 0;
    parameter [1:0] BOTADDSUB_CARRYSELECT = 0;
    parameter [0:0] MODE_8x8 = 0;
    parameter [0:0] A_SIGNED = 0;
    parameter [0:0] B_SIGNED = 0;
`ifndef YOSYS
    initial begin
        if (NEG_TRIGGER || C_REG || A_REG || B_REG || D_REG || TOPOUTPUT_SELECT != 2'b01
            || TOPADDSUB_LOWERINPUT != 2'b00 || TOPADDSUB_UPPERINPUT || TOPADDSUB_CARRYSELECT != 2'b10
            || BOTOUTPUT_SELECT != 2'b01 || BOTADDSUB_LOWERINPUT != 2'b00 || BOTADDSUB_UPPERINPUT
            || BOTADDSUB_CARRYSELECT != 2'b00)
            $fatal(1, \"SB_MAC16 model: only the 32-bit accumulator configuration is modelled\");
    end
`endif
    reg [31:0] acc;
    initial acc = 32'd0;
    wire unused = &{1'b0, AHOLD, BHOLD, CHOLD, DHOLD, IRSTTOP, IRSTBOT, ORSTTOP, ORSTBOT, OLOADTOP,
        ADDSUBTOP, ADDSUBBOT, OHOLDTOP, OHOLDBOT, CI, ACCUMCI, SIGNEXTIN, TOP_8x8_MULT_REG,
        BOT_8x8_MULT_REG, PIPELINE_16x16_MULT_REG1, PIPELINE_16x16_MULT_REG2, MODE_8x8, A_SIGNED,
        B_SIGNED, 1'b0};
    always @(posedge CLK) begin
        if (CE) begin
            if (OLOADBOT) acc <= {C, D};
            else acc <= acc + {A, B};
        end
    end
    assign O = acc;
    assign CO = 1'b0;
    assign ACCUMCO = 1'b0;
    assign SIGNEXTOUT = 1'b0;
endmodule
";
