//! A simple dual-port RAM (one read, one write port, one clock) with a runtime depth and width.
//!
//! Emitted as a plain Verilog array marked `(* no_rw_check *)`: the core never reads an
//! address in the cycle it writes it (it forwards instead), so Yosys need not add bypass logic
//! and maps the array straight onto SB_RAM40_4K / DP16KD. Reads are registered (one cycle).

use rust_hdl::prelude::*;

/// A `depth` x `width` memory behind ports of `A` address and `D` data bits.
#[derive(LogicBlock)]
pub struct Ram<const A: usize, const D: usize> {
    /// Clock of both ports.
    pub clock: Signal<In, Clock>,
    /// Read address (only the low `addr_bits(depth)` bits are used).
    pub read_address: Signal<In, Bits<A>>,
    /// Registered read data, extended to `D` bits.
    pub read_data: Signal<Out, Bits<D>>,
    /// Write address.
    pub write_address: Signal<In, Bits<A>>,
    /// Write data (the low `width` bits are stored).
    pub write_data: Signal<In, Bits<D>>,
    /// Write enable.
    pub write_enable: Signal<In, bool>,
    _depth: usize,
    _width: usize,
    _signed: bool,
    _init: Vec<u64>,
    _sim: Vec<u64>,
    /// Packed words: the (lowest bit, width) fields of the `D`-bit port word that are stored.
    _fields: Vec<(usize, usize)>,
}

impl<const A: usize, const D: usize> Ram<A, D> {
    /// A zero-initialised RAM; `signed` sign-extends read data to `D` bits.
    pub fn new(depth: usize, width: usize, signed: bool) -> Self {
        assert!(width >= 1 && width <= D && width <= 64, "RAM width {width} outside 1..={D}");
        let depth = checked_depth::<A>(depth);
        Self {
            clock: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            write_enable: Default::default(),
            _depth: depth,
            _width: width,
            _signed: signed,
            _init: Vec::new(),
            _sim: vec![0; depth],
            _fields: Vec::new(),
        }
    }

    /// A zero-initialised RAM that stores only `fields` (lowest bit, width) of each `D`-bit
    /// word and reads the other bits back as zero: a word with gaps costs only its fields.
    pub fn packed(depth: usize, fields: &[(usize, usize)]) -> Self {
        let width: usize = fields.iter().map(|f| f.1).sum();
        assert!(fields.iter().all(|&(lo, w)| w >= 1 && lo + w <= D), "fields outside the {D}-bit word");
        let mut r = Self::new(depth, width, false);
        r._fields = fields.to_vec();
        r
    }

    /// Bakes initial contents into the Verilog (`width`-bit values, two's complement).
    pub fn with_init(mut self, init: Vec<u64>) -> Self {
        assert!(init.len() <= self._depth);
        self._sim[..init.len()].copy_from_slice(&init);
        self._init = init;
        self
    }

    fn extend(&self, v: u64) -> u64 {
        let m = if self._width == 64 { u64::MAX } else { (1u64 << self._width) - 1 };
        let v = v & m;
        if self._signed && self._width < 64 && (v >> (self._width - 1)) & 1 == 1 {
            v | !m
        } else {
            v
        }
    }
}

impl<const A: usize, const D: usize> Logic for Ram<A, D> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let ra = self.read_address.val().index() % self._depth;
            let d = self.extend(self._sim[ra]);
            self.read_data.next = Bits::<D>::from(if D >= 64 { d } else { d & ((1u64 << D) - 1) });
            if self.write_enable.val() {
                let wa = self.write_address.val().index() % self._depth;
                self._sim[wa] = self.write_data.val().to_u64();
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        if self._fields.is_empty() {
            Verilog::Custom(ram_verilog(A, D, self._depth, self._width, self._signed, &self._init))
        } else {
            Verilog::Custom(packed_verilog(A, D, self._depth, &self._fields))
        }
    }
}

/// The read and write address expressions of a `depth`-word RAM behind `a`-bit ports, and
/// the address bits above what the depth needs (unused by design).
fn addresses(a: usize, depth: usize) -> (String, String, Vec<String>) {
    let ab = crate::shape::addr_bits(depth);
    let idx = |port: &str| if ab == a { port.to_string() } else { format!("{port}[{}:0]", ab - 1) };
    let spare = if ab < a {
        vec![format!("read_address[{}:{ab}]", a - 1), format!("write_address[{}:{ab}]", a - 1)]
    } else {
        Vec::new()
    };
    (idx("read_address"), idx("write_address"), spare)
}

/// A wire reading `spare`: Verilator does not report signals whose name contains "unused", so
/// bits a shape leaves unused on purpose lint clean.
fn unused_wire(spare: &[String]) -> String {
    if spare.is_empty() {
        String::new()
    } else {
        format!("wire unused_bits = &{{1'b0, {}, 1'b0}};\n", spare.join(", "))
    }
}

/// The Verilog body shared by every inferred RAM.
pub fn ram_verilog(a: usize, d: usize, depth: usize, width: usize, signed: bool, init: &[u64]) -> String {
    let (ra, wa, mut spare) = addresses(a, depth);
    let word = format!("mem[{ra}]");
    let read = if width == d {
        word
    } else if signed {
        format!("{{{{{}{{{word}[{}]}}}}, {word}}}", d - width, width - 1)
    } else {
        format!("{{{}'d0, {word}}}", d - width)
    };
    let wdata = if width == d { "write_data".to_string() } else { format!("write_data[{}:0]", width - 1) };
    if width < d {
        spare.push(format!("write_data[{}:{width}]", d - 1));
    }
    let unused = unused_wire(&spare);
    let init_block = if init.is_empty() {
        String::new()
    } else {
        let mask = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
        let lines: Vec<String> =
            init.iter().enumerate().map(|(i, v)| format!("    mem[{i}] = {width}'h{:x};", v & mask)).collect();
        format!("initial begin\n{}\nend\n", lines.join("\n"))
    };
    format!(
        "// {depth} x {width} bits{sg}; read-during-write to one address never happens (the core forwards).
{unused}(* no_rw_check *)
reg [{w1}:0] mem [0:{d1}];
{init_block}
always @(posedge clock) begin
    if (write_enable) begin
        mem[{wa}] <= {wdata};
    end
    read_data <= {read};
end
",
        sg = if signed { ", signed" } else { "" },
        w1 = width - 1,
        d1 = depth - 1,
    )
}

/// The Verilog body of a packed RAM: the fields are concatenated on write and put back in
/// place (other bits zero) on read.
fn packed_verilog(a: usize, d: usize, depth: usize, fields: &[(usize, usize)]) -> String {
    let mut f = fields.to_vec();
    f.sort();
    let width: usize = f.iter().map(|x| x.1).sum();
    let (ra, wa, address_spare) = addresses(a, depth);
    // Write: highest field first in the concatenation. Read: walk the port word from the top.
    let wparts: Vec<String> = f.iter().rev().map(|&(lo, w)| format!("write_data[{}:{lo}]", lo + w - 1)).collect();
    let mut rparts = Vec::new();
    let mut spare = Vec::new();
    let mut top = d;
    let mut at = width;
    for &(lo, w) in f.iter().rev() {
        if top > lo + w {
            rparts.push(format!("{}'d0", top - lo - w));
            spare.push(format!("write_data[{}:{}]", top - 1, lo + w));
        }
        rparts.push(format!("word[{}:{}]", at - 1, at - w));
        at -= w;
        top = lo;
    }
    if top > 0 {
        rparts.push(format!("{top}'d0"));
        spare.push(format!("write_data[{}:0]", top - 1));
    }
    spare.extend(address_spare);
    let unused = unused_wire(&spare);
    format!(
        "// {depth} x {width} bits, packed fields of a {d}-bit word.\n{unused}(* no_rw_check *)\nreg [{w1}:0] mem [0:{last}];\nreg [{w1}:0] word;\nalways @(posedge clock) begin\n    if (write_enable) begin\n        mem[{wa}] <= {{{wp}}};\n    end\n    word <= mem[{ra}];\nend\nalways @(*) begin\n    read_data = {{{rp}}};\nend\n",
        w1 = width - 1,
        last = depth - 1,
        wp = wparts.join(", "),
        rp = rparts.join(", "),
    )
}

/// A RAM whose word holds two fields written separately (one write port, a write enable per
/// field): a signed `lo` field of `lo_width` bits and an unsigned `hi` field of `hi_width`
/// bits. The core keeps a neuron's accumulator (written by integration) and refractory
/// counter (written by the update) in one word this way, so both cost one block RAM.
#[derive(LogicBlock)]
pub struct SplitRam<const A: usize, const D: usize, const H: usize> {
    /// Clock of both ports.
    pub clock: Signal<In, Clock>,
    /// Read address.
    pub read_address: Signal<In, Bits<A>>,
    /// Registered read: the `lo` field, sign-extended.
    pub read_lo: Signal<Out, Bits<D>>,
    /// Registered read: the `hi` field, zero-extended.
    pub read_hi: Signal<Out, Bits<H>>,
    /// Write address.
    pub write_address: Signal<In, Bits<A>>,
    /// Write data of the `lo` field (its low `lo_width` bits are stored).
    pub write_lo: Signal<In, Bits<D>>,
    /// Write data of the `hi` field (its low `hi_width` bits are stored).
    pub write_hi: Signal<In, Bits<H>>,
    /// Write the `lo` field.
    pub we_lo: Signal<In, bool>,
    /// Write the `hi` field.
    pub we_hi: Signal<In, bool>,
    _depth: usize,
    _lo: usize,
    _hi: usize,
    _sim: Vec<(u64, u64)>,
}

impl<const A: usize, const D: usize, const H: usize> SplitRam<A, D, H> {
    /// A zero-initialised `depth`-word RAM.
    pub fn new(depth: usize, lo_width: usize, hi_width: usize) -> Self {
        assert!((1..=D).contains(&lo_width) && (1..=H).contains(&hi_width) && D <= 64);
        let depth = checked_depth::<A>(depth);
        Self {
            clock: Default::default(),
            read_address: Default::default(),
            read_lo: Default::default(),
            read_hi: Default::default(),
            write_address: Default::default(),
            write_lo: Default::default(),
            write_hi: Default::default(),
            we_lo: Default::default(),
            we_hi: Default::default(),
            _depth: depth,
            _lo: lo_width,
            _hi: hi_width,
            _sim: vec![(0, 0); depth],
        }
    }
}

impl<const A: usize, const D: usize, const H: usize> Logic for SplitRam<A, D, H> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let ra = self.read_address.val().index() % self._depth;
            let (lo, hi) = self._sim[ra];
            let m = (1u64 << self._lo) - 1;
            let lo = if (lo >> (self._lo - 1)) & 1 == 1 { lo | !m } else { lo };
            let dm = if D >= 64 { u64::MAX } else { (1u64 << D) - 1 };
            self.read_lo.next = Bits::<D>::from(lo & dm);
            self.read_hi.next = Bits::<H>::from(hi);
            let wa = self.write_address.val().index() % self._depth;
            if self.we_lo.val() {
                self._sim[wa].0 = self.write_lo.val().to_u64() & m;
            }
            if self.we_hi.val() {
                self._sim[wa].1 = self.write_hi.val().to_u64() & ((1u64 << self._hi) - 1);
            }
        }
    }

    fn connect(&mut self) {
        self.read_lo.connect();
        self.read_hi.connect();
    }

    fn hdl(&self) -> Verilog {
        let (lo, hi, depth) = (self._lo, self._hi, self._depth);
        let (ra, wa, mut spare) = addresses(A, depth);
        if lo < D {
            spare.push(format!("write_lo[{}:{lo}]", D - 1));
        }
        if hi < H {
            spare.push(format!("write_hi[{}:{hi}]", H - 1));
        }
        let unused = unused_wire(&spare);
        let read_lo = if lo == D {
            format!("word[{}:0]", lo - 1)
        } else {
            format!("{{{{{}{{word[{}]}}}}, word[{}:0]}}", D - lo, lo - 1, lo - 1)
        };
        let read_hi = if hi == H {
            format!("word[{}:{lo}]", lo + hi - 1)
        } else {
            format!("{{{}'d0, word[{}:{lo}]}}", H - hi, lo + hi - 1)
        };
        Verilog::Custom(format!(
            "// {depth} x ({lo} + {hi}) bits: two fields, each with its own write enable.
{unused}(* no_rw_check *)
reg [{w1}:0] mem [0:{last}];
reg [{w1}:0] word;
always @(posedge clock) begin
    if (we_lo) begin
        mem[{wa}][{l1}:0] <= write_lo[{l1}:0];
    end
    if (we_hi) begin
        mem[{wa}][{w1}:{lo}] <= write_hi[{h1}:0];
    end
    word <= mem[{ra}];
end
always @(*) begin
    read_lo = {read_lo};
    read_hi = {read_hi};
end
",
            w1 = lo + hi - 1,
            last = depth - 1,
            l1 = lo - 1,
            h1 = hi - 1,
        ))
    }
}

/// `depth` words, at least 2 (a memory always has one address bit), checked against `A`.
fn checked_depth<const A: usize>(depth: usize) -> usize {
    let depth = depth.max(2);
    assert!(crate::shape::addr_bits(depth) <= A, "RAM depth {depth} needs more than {A} address bits");
    depth
}
