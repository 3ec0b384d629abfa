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
        if self._signed {
            super::sign_extend(v, self._width)
        } else if self._width == 64 {
            v
        } else {
            v & ((1u64 << self._width) - 1)
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
    let (ra, wa, address_spare) = addresses(a, depth);
    packed_body(d, depth, fields, &ra, &wa, address_spare)
}

/// The array, its ports and the field packing of a packed RAM, at address expressions `ra`
/// and `wa`; `address_spare` lists the port bits the addresses leave unused (`memory/taps.rs`
/// computes its own addresses).
pub(crate) fn packed_body(
    d: usize,
    depth: usize,
    fields: &[(usize, usize)],
    ra: &str,
    wa: &str,
    address_spare: Vec<String>,
) -> String {
    let mut f = fields.to_vec();
    f.sort();
    let width: usize = f.iter().map(|x| x.1).sum();
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

/// `depth` words, at least 2 (a memory always has one address bit), checked against `A`.
fn checked_depth<const A: usize>(depth: usize) -> usize {
    let depth = depth.max(2);
    assert!(crate::shape::addr_bits(depth) <= A, "RAM depth {depth} needs more than {A} address bits");
    depth
}
