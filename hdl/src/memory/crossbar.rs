//! The synapse crossbar: `axons x neurons` signed weights, addressed by (axon row, neuron column).
//!
//! Inferred RAM by default; on the iCE40 UP5K it is built from `SB_SPRAM256KA` blocks, because
//! a 256 x 256 x 4-bit crossbar (256 kbit) is exactly one SPRAM and would not fit the 30
//! 4-kbit block RAMs otherwise. SPRAM is single-port, so reads and writes share the address;
//! the core only writes the crossbar through the configuration port, while it is idle.
//!
//! A read returns a whole crossbar word: the `lanes` weights of consecutive columns that the
//! core integrates in one clock (`CoreShape::lanes`). On SPRAM those are fields of one 16-bit
//! word; inferred crossbars keep one bank per lane (column mod lanes), so that each bank's
//! write touches one weight and Yosys needs no write masks.

use super::{idle_lanes, sign_extend};
use crate::shape::{addr_bits, crossbar_depth as addr_depth, spram_blocks, CrossbarStyle, AB, MAX_LANES, NB};
use rust_hdl::prelude::*;

/// Crossbar memory with a one-cycle registered read, weights sign-extended to `D` bits.
#[derive(LogicBlock)]
pub struct Crossbar<const D: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Axon row to read.
    pub read_row: Signal<In, Bits<AB>>,
    /// Neuron column to read.
    pub read_col: Signal<In, Bits<NB>>,
    /// The weight at (row, col) of the previous cycle.
    pub read_data: Signal<Out, Bits<D>>,
    /// Lane k: the weight at (row, col rounded down to a multiple of lanes, + k) of the
    /// previous cycle; zero for lanes the shape does not build.
    pub lane0: Signal<Out, Bits<D>>,
    /// Lane 1 (see `lane0`).
    pub lane1: Signal<Out, Bits<D>>,
    /// Lane 2 (see `lane0`).
    pub lane2: Signal<Out, Bits<D>>,
    /// Lane 3 (see `lane0`).
    pub lane3: Signal<Out, Bits<D>>,
    /// Axon row to write.
    pub write_row: Signal<In, Bits<AB>>,
    /// Neuron column to write.
    pub write_col: Signal<In, Bits<NB>>,
    /// Weight to write (low `weight_bits` stored).
    pub write_data: Signal<In, Bits<D>>,
    /// Write enable.
    pub write_enable: Signal<In, bool>,
    _axons: usize,
    _neurons: usize,
    _width: usize,
    _style: CrossbarStyle,
    _lanes: usize,
    _sim: Vec<u64>,
}

impl<const D: usize> Crossbar<D> {
    /// A zeroed crossbar of `axons x neurons` weights of `width` bits, read `lanes` at a time.
    pub fn new(axons: usize, neurons: usize, width: usize, style: CrossbarStyle, lanes: usize) -> Self {
        assert!(lanes.is_power_of_two() && lanes <= MAX_LANES && lanes <= 1 << addr_bits(neurons));
        if style == CrossbarStyle::Ice40Spram {
            assert!(matches!(width, 4 | 8 | 16), "SPRAM crossbars take 4-, 8- or 16-bit weights");
            assert!(spram_blocks(axons, neurons, width) <= 4, "the UP5K has four SPRAM blocks");
            assert!(lanes * width <= 16, "an SPRAM word holds 16 bits of weights");
        }
        Self {
            clock: Default::default(),
            read_row: Default::default(),
            read_col: Default::default(),
            read_data: Default::default(),
            lane0: Default::default(),
            lane1: Default::default(),
            lane2: Default::default(),
            lane3: Default::default(),
            write_row: Default::default(),
            write_col: Default::default(),
            write_data: Default::default(),
            write_enable: Default::default(),
            _axons: axons,
            _neurons: neurons,
            _width: width,
            _style: style,
            _lanes: lanes,
            _sim: vec![0; addr_depth(axons, neurons)],
        }
    }
}

impl<const D: usize> Logic for Crossbar<D> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let nb = addr_bits(self._neurons);
            let a = (self.read_row.val().index() << nb | self.read_col.val().index()) % self._sim.len();
            let weight = |a: usize| Bits::<D>::from(sign_extend(self._sim[a], self._width) & ((1u64 << D) - 1));
            self.read_data.next = weight(a);
            let base = a & !(self._lanes - 1);
            let lane = |k: usize| if k < self._lanes { weight(base + k) } else { Bits::<D>::from(0u64) };
            self.lane0.next = lane(0);
            self.lane1.next = lane(1);
            self.lane2.next = lane(2);
            self.lane3.next = lane(3);
            if self.write_enable.val() {
                let w = (self.write_row.val().index() << nb | self.write_col.val().index()) % self._sim.len();
                self._sim[w] = self.write_data.val().to_u64();
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
        self.lane0.connect();
        self.lane1.connect();
        self.lane2.connect();
        self.lane3.connect();
    }

    fn hdl(&self) -> Verilog {
        let rb = addr_bits(self._axons.max(2));
        let nb = addr_bits(self._neurons);
        let mut spare = Vec::new();
        for p in ["read_row", "write_row"] {
            if rb < AB {
                spare.push(format!("{p}[{}:{rb}]", AB - 1));
            }
        }
        for p in ["read_col", "write_col"] {
            if nb < NB {
                spare.push(format!("{p}[{}:{nb}]", NB - 1));
            }
        }
        spare.push(format!("write_data[{}:{}]", D - 1, self._width));
        let head = format!(
            "// crossbar: {} axons x {} neurons x {}-bit weights\nwire unused_bits = &{{1'b0, {}, 1'b0}};\nwire [{}:0] raddr = {{read_row[{}:0], read_col[{}:0]}};\nwire [{}:0] waddr = {{write_row[{}:0], write_col[{}:0]}};\n",
            self._axons,
            self._neurons,
            self._width,
            spare.join(", "),
            rb + nb - 1,
            rb - 1,
            nb - 1,
            rb + nb - 1,
            rb - 1,
            nb - 1
        );
        let w = self._width;
        let sext = |word: &str| format!("{{{{{}{{{word}[{}]}}}}, {word}}}", D - w, w - 1);
        let body = match self._style {
            CrossbarStyle::Inferred if self._lanes > 1 => {
                banked_body(rb, nb, w, self._axons, self._lanes, &sext)
            }
            CrossbarStyle::Inferred => format!(
                "(* no_rw_check *)\nreg [{}:0] mem [0:{}];\nalways @(posedge clock) begin\n    if (write_enable) begin\n        mem[waddr] <= write_data[{}:0];\n    end\n    read_data <= {};\nend\nalways @(*) begin\n    lane0 = read_data;\n{}end\n",
                w - 1,
                addr_depth(self._axons, self._neurons) - 1,
                w - 1,
                sext("mem[raddr]"),
                idle_lanes(1)
            ),
            CrossbarStyle::Ice40Spram => {
                spram_body(rb + nb, w, spram_blocks(self._axons, self._neurons, w), self._lanes, &sext)
            }
        };
        Verilog::Custom(format!("{head}{body}"))
    }
}

/// An inferred crossbar in `lanes` banks: column c lives in bank c mod lanes, at row-major
/// word (row, c / lanes). All banks read the same word; a write goes to one bank.
fn banked_body(rb: usize, nb: usize, w: usize, axons: usize, lanes: usize, sext: &dyn Fn(&str) -> String) -> String {
    let lb = addr_bits(lanes);
    // The address above the lane bits: (row, the column's word); the row alone when one word
    // holds every column of a row.
    let depth = axons.max(2) << (nb - lb);
    let mut v = format!(
        "wire [{a}:0] rword = raddr[{t}:{lb}];\nwire [{a}:0] wword = waddr[{t}:{lb}];\nreg [{l}:0] lane_q;\n",
        a = rb + nb - lb - 1,
        t = rb + nb - 1,
        l = lb - 1
    );
    for k in 0..lanes {
        v += &format!(
            "(* no_rw_check *)\nreg [{w1}:0] bank{k} [0:{last}];\nreg [{w1}:0] q{k};\nalways @(posedge clock) begin\n    if (write_enable && waddr[{l}:0] == {lb}'d{k}) begin\n        bank{k}[wword] <= write_data[{w1}:0];\n    end\n    q{k} <= bank{k}[rword];\nend\n",
            w1 = w - 1,
            last = depth - 1,
            l = lb - 1
        );
    }
    v += "always @(posedge clock) begin\n    lane_q <= raddr[";
    v += &format!("{}:0];\nend\nalways @(*) begin\n", lb - 1);
    v += "    case (lane_q)\n";
    for k in 0..lanes {
        v += &format!("        {lb}'d{k}: read_data = {};\n", sext(&format!("q{k}")));
    }
    v += "    endcase\n";
    for k in 0..lanes {
        v += &format!("    lane{k} = {};\n", sext(&format!("q{k}")));
    }
    v += &idle_lanes(lanes);
    v += "end\n";
    v
}

/// Crossbar on SPRAM: 16/w weights per 16-bit word, nibble write masks select one weight;
/// a read returns the `lanes` weights of the lane group the read column falls in.
fn spram_body(abits: usize, w: usize, blocks: usize, lanes: usize, sext: &dyn Fn(&str) -> String) -> String {
    let lanes_log = match w {
        4 => 2,
        8 => 1,
        _ => 0,
    };
    let nibbles = w / 4;
    let word_bits = abits - lanes_log;
    // Address = {block, word (14 bits), lane}; shapes smaller than one SPRAM leave word bits zero.
    let mut v = String::new();
    v += "wire [";
    v += &format!("{}:0] addr = write_enable ? waddr : raddr;\n", abits - 1);
    v += &if lanes_log > 0 {
        format!("wire [{}:0] lane = addr[{}:0];\nreg [{}:0] lane_q;\n", lanes_log - 1, lanes_log - 1, lanes_log - 1)
    } else {
        String::new()
    };
    let word = if word_bits >= 14 {
        format!("addr[{}:{}]", lanes_log + 13, lanes_log)
    } else {
        format!("{{{}'d0, addr[{}:{}]}}", 14 - word_bits, abits - 1, lanes_log)
    };
    v += &format!("wire [13:0] word = {word};\n");
    let block_bits = addr_bits(blocks.max(2));
    if blocks > 1 {
        v += &format!(
            "wire [{}:0] block = addr[{}:{}];\nreg [{}:0] block_q;\n",
            block_bits - 1,
            abits - 1,
            lanes_log + 14,
            block_bits - 1
        );
    }
    let mask = if lanes_log > 0 {
        format!("4'b{:04b} << (lane * {nibbles})", (1u32 << nibbles) - 1)
    } else {
        "4'b1111".into()
    };
    v += &format!("wire [3:0] mask = {mask};\n");
    v += &format!("wire [15:0] din = {{{}{{write_data[{}:0]}}}};\n", 16 / w, w - 1);
    for b in 0..blocks {
        let we = if blocks > 1 { format!("write_enable && block == {block_bits}'d{b}") } else { "write_enable".into() };
        v += &format!(
            "wire [15:0] dout{b};\nSB_SPRAM256KA spram{b} (.ADDRESS(word), .DATAIN(din), .MASKWREN(mask), .WREN({we}), .CHIPSELECT(1'b1), .CLOCK(clock), .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1), .DATAOUT(dout{b}));\n"
        );
    }
    let dout = if blocks > 1 {
        let mut s = String::from("wire [15:0] dout = ");
        for b in 0..blocks - 1 {
            s += &format!("block_q == {block_bits}'d{b} ? dout{b} : ");
        }
        s += &format!("dout{};\n", blocks - 1);
        s
    } else {
        "wire [15:0] dout = dout0;\n".into()
    };
    v += &dout;
    let sel = if lanes_log > 0 { format!("(dout >> (lane_q * {w}))") } else { "dout".into() };
    v += &format!("wire [15:0] shifted = {sel};\nwire [{}:0] weight = shifted[{}:0];\n", w - 1, w - 1);
    if w < 16 {
        v += &format!("wire unused_high = &{{1'b0, shifted[15:{w}], 1'b0}};\n");
    }
    // The lane group: the word's fields from the read lane rounded down to a multiple of lanes.
    let lb = lanes.trailing_zeros() as usize;
    let group = if lanes_log > lb && lb > 0 {
        format!("(dout >> ({{lane_q[{}:{lb}], {lb}'d0}} * {w}))", lanes_log - 1)
    } else if lanes_log > lb {
        format!("(dout >> (lane_q * {w}))")
    } else {
        "dout".into()
    };
    v += &format!("wire [15:0] group = {group};\n");
    if lanes * w < 16 {
        v += &format!("wire unused_group = &{{1'b0, group[15:{}], 1'b0}};\n", lanes * w);
    }
    v += "always @(posedge clock) begin\n";
    if lanes_log > 0 {
        v += "    lane_q <= lane;\n";
    }
    if blocks > 1 {
        v += "    block_q <= block;\n";
    }
    v += "end\n";
    for k in 0..lanes {
        v += &format!("wire [{}:0] g{k} = group[{}:{}];\n", w - 1, k * w + w - 1, k * w);
    }
    v += &format!("always @(*) begin\n    read_data = {};\n", sext("weight"));
    for k in 0..lanes {
        v += &format!("    lane{k} = {};\n", sext(&format!("g{k}")));
    }
    v += &idle_lanes(lanes);
    v += "end\n";
    v
}

/// Behavioural model of the iCE40 UP5K SPRAM for Verilator, written from Lattice's
/// SPRAM usage guide (TN1314): 16K x 16, nibble write masks, registered read, and
/// DATAOUT holds its value during writes. Synthesis uses the vendor cell instead.
pub const SB_SPRAM256KA_MODEL: &str = "
module SB_SPRAM256KA(ADDRESS, DATAIN, MASKWREN, WREN, CHIPSELECT, CLOCK, STANDBY, SLEEP, POWEROFF, DATAOUT);
    input wire [13:0] ADDRESS;
    input wire [15:0] DATAIN;
    input wire [3:0] MASKWREN;
    input wire WREN;
    input wire CHIPSELECT;
    input wire CLOCK;
    input wire STANDBY;
    input wire SLEEP;
    input wire POWEROFF;
    output reg [15:0] DATAOUT;
    reg [15:0] mem [0:16383];
    wire active = CHIPSELECT && !STANDBY && !SLEEP && POWEROFF;
    always @(posedge CLOCK) begin
        if (active && WREN) begin
            if (MASKWREN[0]) mem[ADDRESS][3:0] <= DATAIN[3:0];
            if (MASKWREN[1]) mem[ADDRESS][7:4] <= DATAIN[7:4];
            if (MASKWREN[2]) mem[ADDRESS][11:8] <= DATAIN[11:8];
            if (MASKWREN[3]) mem[ADDRESS][15:12] <= DATAIN[15:12];
        end else if (active) begin
            DATAOUT <= mem[ADDRESS];
        end
    end
endmodule
";
