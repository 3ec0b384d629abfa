//! The input accumulators (and refractory counters) of a core's neurons, banked by crossbar
//! lane: neuron j lives in bank j mod lanes, at word j / lanes. Integration reads and writes
//! a whole word (one accumulator per lane, `lane*` / `wlane*`) each clock; the update, the
//! clear and the configuration port touch one neuron at a time (`lo`, `hi`).
//!
//! Each bank is one RAM with two fields, accumulator (`lo`) and refractory counter (`hi`),
//! each with its own write enable, as one neuron's word: on the iCE40 a 12 + 2-bit word
//! fills one 16-bit block RAM row, where two RAMs would take two blocks.
//!
//! With synaptic delays each bank holds a ring of `2^delay_bits` accumulators per neuron
//! (slot `s` of word `w` at `{s, w}`), and the counters move to a RAM of their own beside it:
//! a counter is one per neuron, not one per slot. An integration word adds into one slot (the
//! axon row's delay decides it for the whole row). Without delays the slot ports are unused
//! and the Verilog is the one-slot bank above.

use super::{idle_lanes, sign_extend};
use crate::shape::{addr_bits, MAX_LANES, NB};
use rust_hdl::prelude::*;

/// Words in one bank of `words` accumulators with a ring of `2^delay_bits` slots: slot `s` of
/// word `w` lies at `{s, w}`, so the last slot's last word ends the bank (the block-RAM fit
/// predicts the same size, `fpga::fit`).
pub fn ring_depth(words: usize, delay_bits: usize) -> usize {
    (((1 << delay_bits) - 1) << addr_bits(words)) + words
}

/// `neurons` accumulators of `lo_width` bits and counters of `hi_width` bits in `lanes` banks.
#[derive(LogicBlock)]
pub struct Accumulators<const D: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Neuron to read (its whole word is read into the lanes).
    pub read_index: Signal<In, Bits<NB>>,
    /// Ring slot to read (the low `delay_bits` bits; unused without delays).
    pub read_slot: Signal<In, Bits<4>>,
    /// Ring slot to write (the low `delay_bits` bits; unused without delays).
    pub write_slot: Signal<In, Bits<4>>,
    /// Registered read: the accumulator of `read_index`, sign-extended.
    pub lo: Signal<Out, Bits<D>>,
    /// Registered read: the refractory counter of `read_index`.
    pub hi: Signal<Out, Bits<8>>,
    /// Registered read: lane 0 of `read_index`'s word (the accumulator of neuron
    /// `read_index` rounded down to a multiple of lanes), sign-extended.
    pub lane0: Signal<Out, Bits<D>>,
    /// Lane 1 (see `lane0`); zero when not built.
    pub lane1: Signal<Out, Bits<D>>,
    /// Lane 2 (see `lane0`).
    pub lane2: Signal<Out, Bits<D>>,
    /// Lane 3 (see `lane0`).
    pub lane3: Signal<Out, Bits<D>>,
    /// Neuron written (by `word_write`, its whole word).
    pub write_index: Signal<In, Bits<NB>>,
    /// One neuron's accumulator to write.
    pub write_lo: Signal<In, Bits<D>>,
    /// One neuron's refractory counter to write.
    pub write_hi: Signal<In, Bits<8>>,
    /// Write `write_lo` to neuron `write_index`.
    pub we_lo: Signal<In, bool>,
    /// Write `write_hi` to neuron `write_index`.
    pub we_hi: Signal<In, bool>,
    /// Write every lane's accumulator of `write_index`'s word from `wlane*` (integration;
    /// takes precedence over `we_lo`).
    pub word_write: Signal<In, bool>,
    /// Lane 0's accumulator for `word_write`.
    pub wlane0: Signal<In, Bits<D>>,
    /// Lane 1's accumulator for `word_write`.
    pub wlane1: Signal<In, Bits<D>>,
    /// Lane 2's accumulator for `word_write`.
    pub wlane2: Signal<In, Bits<D>>,
    /// Lane 3's accumulator for `word_write`.
    pub wlane3: Signal<In, Bits<D>>,
    _neurons: usize,
    _lo: usize,
    _hi: usize,
    _lanes: usize,
    _delay_bits: usize,
    // (accumulator, counter) per (slot, neuron), for rust-hdl's own simulation: the counter
    // lives in slot 0's entry.
    _sim: Vec<(u64, u64)>,
}

impl<const D: usize> Accumulators<D> {
    /// Zeroed accumulators of `lo_width` bits and counters of `hi_width` bits, in `lanes` banks
    /// of `2^delay_bits` slots.
    pub fn new(neurons: usize, lo_width: usize, hi_width: usize, lanes: usize, delay_bits: usize) -> Self {
        assert!((1..=D).contains(&lo_width) && (1..=8).contains(&hi_width) && D <= 64 && delay_bits <= 4);
        assert!(lanes.is_power_of_two() && lanes <= MAX_LANES && lanes <= 1 << addr_bits(neurons));
        Self {
            clock: Default::default(),
            read_index: Default::default(),
            read_slot: Default::default(),
            write_slot: Default::default(),
            lo: Default::default(),
            hi: Default::default(),
            lane0: Default::default(),
            lane1: Default::default(),
            lane2: Default::default(),
            lane3: Default::default(),
            write_index: Default::default(),
            write_lo: Default::default(),
            write_hi: Default::default(),
            we_lo: Default::default(),
            we_hi: Default::default(),
            word_write: Default::default(),
            wlane0: Default::default(),
            wlane1: Default::default(),
            wlane2: Default::default(),
            wlane3: Default::default(),
            _neurons: neurons,
            _lo: lo_width,
            _hi: hi_width,
            _lanes: lanes,
            _delay_bits: delay_bits,
            _sim: vec![(0, 0); (neurons.div_ceil(lanes).max(2) * lanes) << delay_bits],
        }
    }

    fn sext(&self, v: u64) -> Bits<D> {
        let v = sign_extend(v, self._lo);
        Bits::<D>::from(if D >= 64 { v } else { v & ((1u64 << D) - 1) })
    }
}

impl<const D: usize> Logic for Accumulators<D> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let n = self._sim.len() >> self._delay_bits;
            let ring = (1usize << self._delay_bits) - 1;
            let r = self.read_index.val().index() % n;
            let rs = (self.read_slot.val().index() & ring) * n;
            let base = r & !(self._lanes - 1);
            let lanes: Vec<Bits<D>> = (0..MAX_LANES)
                .map(|k| if k < self._lanes { self.sext(self._sim[rs + base + k].0) } else { Bits::<D>::from(0u64) })
                .collect();
            self.lo.next = self.sext(self._sim[rs + r].0);
            self.hi.next = Bits::<8>::from(self._sim[r].1);
            self.lane0.next = lanes[0];
            self.lane1.next = lanes[1];
            self.lane2.next = lanes[2];
            self.lane3.next = lanes[3];
            let w = self.write_index.val().index() % n;
            let ws = (self.write_slot.val().index() & ring) * n;
            let wbase = w & !(self._lanes - 1);
            let m = (1u64 << self._lo) - 1;
            if self.word_write.val() {
                let data = [self.wlane0.val(), self.wlane1.val(), self.wlane2.val(), self.wlane3.val()];
                for (k, d) in data.iter().enumerate().take(self._lanes) {
                    self._sim[ws + wbase + k].0 = d.to_u64() & m;
                }
            } else if self.we_lo.val() {
                self._sim[ws + w].0 = self.write_lo.val().to_u64() & m;
            }
            if self.we_hi.val() {
                self._sim[w].1 = self.write_hi.val().to_u64() & ((1u64 << self._hi) - 1);
            }
        }
    }

    fn connect(&mut self) {
        self.lo.connect();
        self.hi.connect();
        self.lane0.connect();
        self.lane1.connect();
        self.lane2.connect();
        self.lane3.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(banks_verilog(D, self._neurons, self._lo, self._hi, self._lanes, self._delay_bits))
    }
}

/// The Verilog of `lanes` banks of (lo, hi)-bit words behind `d`-bit ports, with a ring of
/// `2^delay_bits` accumulator slots per neuron.
fn banks_verilog(d: usize, neurons: usize, lo: usize, hi: usize, lanes: usize, delay_bits: usize) -> String {
    let lb = lanes.trailing_zeros() as usize;
    let depth = neurons.div_ceil(lanes).max(2);
    let ab = addr_bits(depth);
    let ring = delay_bits > 0;
    let w1 = lo + hi - 1;
    // Bits no shape of this size uses, read by an "unused" wire so that lint stays clean.
    let mut spare = Vec::new();
    for p in ["read_index", "write_index"] {
        if lb + ab < NB {
            spare.push(format!("{p}[{}:{}]", NB - 1, lb + ab));
        }
    }
    for p in ["read_slot", "write_slot"] {
        match delay_bits {
            0 => spare.push(p.to_string()),
            4 => {}
            b => spare.push(format!("{p}[3:{b}]")),
        }
    }
    if lo < d {
        spare.push(format!("write_lo[{}:{lo}]", d - 1));
    }
    if hi < 8 {
        spare.push(format!("write_hi[7:{hi}]"));
    }
    for k in 0..MAX_LANES {
        if k >= lanes {
            spare.push(format!("wlane{k}"));
        } else if lo < d {
            spare.push(format!("wlane{k}[{}:{lo}]", d - 1));
        }
    }
    let slots = if ring { format!(", ring of {} slots", 1 << delay_bits) } else { String::new() };
    let mut v = format!("// accumulators: {neurons} x ({lo} + {hi}) bits in {lanes} bank(s){slots}\n");
    v += &format!("wire unused_bits = &{{1'b0, {}, 1'b0}};\n", spare.join(", "));
    v += &format!(
        "wire [{a}:0] raddr = read_index[{}:{lb}];\nwire [{a}:0] waddr = write_index[{}:{lb}];\n",
        lb + ab - 1,
        lb + ab - 1,
        a = ab - 1
    );
    if ring {
        // The accumulator address: the slot above the word.
        v += &format!(
            "wire [{s}:0] rsaddr = {{read_slot[{b}:0], raddr}};\nwire [{s}:0] wsaddr = {{write_slot[{b}:0], waddr}};\n",
            s = ab + delay_bits - 1,
            b = delay_bits - 1
        );
    }
    let rlane = lanes > 1;
    if rlane {
        v += &format!(
            "reg [{l}:0] lane_q;\nalways @(posedge clock) begin\n    lane_q <= read_index[{l}:0];\nend\n",
            l = lb - 1
        );
    }
    for k in 0..lanes {
        let is = if rlane { format!(" && write_index[{}:0] == {lb}'d{k}", lb - 1) } else { String::new() };
        if ring {
            v += &format!(
                "(* no_rw_check *)
reg [{l1}:0] bank{k} [0:{last}];
(* no_rw_check *)
reg [{h1}:0] count{k} [0:{clast}];
reg [{w1}:0] word{k};
always @(posedge clock) begin
    if (word_write) begin
        bank{k}[wsaddr] <= wlane{k}[{l1}:0];
    end else if (we_lo{is}) begin
        bank{k}[wsaddr] <= write_lo[{l1}:0];
    end
    if (we_hi{is}) begin
        count{k}[waddr] <= write_hi[{h1}:0];
    end
    word{k} <= {{count{k}[raddr], bank{k}[rsaddr]}};
end
",
                last = ring_depth(depth, delay_bits) - 1,
                clast = depth - 1,
                l1 = lo - 1,
                h1 = hi - 1,
            );
        } else {
            v += &format!(
                "(* no_rw_check *)
reg [{w1}:0] bank{k} [0:{last}];
reg [{w1}:0] word{k};
always @(posedge clock) begin
    if (word_write) begin
        bank{k}[waddr][{l1}:0] <= wlane{k}[{l1}:0];
    end else if (we_lo{is}) begin
        bank{k}[waddr][{l1}:0] <= write_lo[{l1}:0];
    end
    if (we_hi{is}) begin
        bank{k}[waddr][{w1}:{lo}] <= write_hi[{h1}:0];
    end
    word{k} <= bank{k}[raddr];
end
",
                last = depth - 1,
                l1 = lo - 1,
                h1 = hi - 1,
            );
        }
    }
    let sext = |e: String| if lo == d { e } else { format!("{{{{{}{{{e}[{}]}}}}, {e}}}", d - lo, lo - 1) };
    let hi_of = |k: usize| {
        if hi == 8 {
            format!("word{k}[{w1}:{lo}]")
        } else {
            format!("{{{}'d0, word{k}[{w1}:{lo}]}}", 8 - hi)
        }
    };
    for k in 0..lanes {
        v += &format!("wire [{}:0] acc{k} = word{k}[{}:0];\n", lo - 1, lo - 1);
    }
    v += "always @(*) begin\n";
    for k in 0..lanes {
        v += &format!("    lane{k} = {};\n", sext(format!("acc{k}")));
    }
    v += &idle_lanes(lanes);
    if rlane {
        v += "    case (lane_q)\n";
        for k in 0..lanes {
            v += &format!(
                "        {lb}'d{k}: begin\n            lo = lane{k};\n            hi = {};\n        end\n",
                hi_of(k)
            );
        }
        v += "    endcase\n";
    } else {
        v += &format!("    lo = lane0;\n    hi = {};\n", hi_of(0));
    }
    v += "end\n";
    v
}
