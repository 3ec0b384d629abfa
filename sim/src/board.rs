//! The virtual board: the whole chip (`hdl::chip`) in Verilator, driven through its UART pins
//! bit by bit at the configured baud, exactly as a USB-serial adapter would.
//!
//! Simulated time only advances while something happens: while the host sends, while the
//! chip works or talks. When the chip is idle and no byte is waiting, the clock stops (a real
//! board would idle through that time; nothing observable differs).

use crate::netlist::NetlistInfo;
use crate::verilator::{BuildError, Model, PortId};
use spikemesh_hdl::chip::{chip_verilog, clock_hz, CHIP};
use spikemesh_hdl::fpga::netlist::Fault;
use spikemesh_spec::Hardware;
use std::collections::VecDeque;
use std::path::Path;

/// A byte the board's transmitter sent with a low stop bit (never happens unless the RTL is wrong).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the board sent a byte with a low stop bit at clock {0}")]
pub struct FramingError(pub u64);

/// Receiver of the board's `uart_tx` line: the start edge and the sample points.
#[derive(Debug, Clone, Copy)]
struct TxDecoder {
    /// Clock of the falling start edge, while a byte is being received.
    start: Option<u64>,
    bits: u8,
    next_bit: u32,
}

/// The chip behind its UART pins.
pub struct VirtualBoard {
    model: Model,
    clock: PortId,
    rx: PortId,
    tx: PortId,
    idle: PortId,
    reset_req: PortId,
    /// Clocks per UART bit (may be fractional).
    bit: f64,
    /// Clocks run so far.
    pub cycles: u64,
    /// Host bytes waiting to go onto the line.
    pending: VecDeque<u8>,
    /// The byte on the line: its 10 bits (start, data, stop) and the clock it started.
    sending: Option<(u16, u64)>,
    dec: TxDecoder,
}

impl VirtualBoard {
    /// Builds (or loads from the cache) the chip of `hw`.
    pub fn new(hw: &Hardware, vcd: Option<&Path>) -> Result<Self, BuildError> {
        let model = Model::open(&chip_verilog(hw, true), CHIP, &Self::what(hw, ""), vcd)?;
        Ok(Self::with_model(model, hw))
    }

    /// The chip as Yosys synthesizes it for `hw`'s board (the board top's PLL aside: the core
    /// clock is driven directly); `fault` breaks the synthesis on purpose (tests).
    pub fn netlist(hw: &Hardware, fault: Fault, vcd: Option<&Path>) -> Result<(Self, NetlistInfo), BuildError> {
        let (n, info) = crate::netlist::synthesize(&chip_verilog(hw, false), CHIP, hw, fault)?;
        let what = Self::what(hw, &format!(", post-synthesis netlist for {:?}", info.device));
        let model = Model::open(&n.verilog, CHIP, &what, vcd)?;
        Ok((Self::with_model(model, hw), info))
    }

    fn what(hw: &Hardware, suffix: &str) -> String {
        format!(
            "the chip of a {}x{} mesh of {}-neuron {}-axon cores with its UART bridge{suffix}",
            hw.mesh_x, hw.mesh_y, hw.neurons_per_core, hw.axons_per_core
        )
    }

    fn with_model(mut model: Model, hw: &Hardware) -> Self {
        let rx = model.port("uart_rx");
        model.set(rx, 1);
        let clock = model.port("clock");
        model.tick(clock, 4);
        Self {
            clock,
            rx,
            tx: model.port("uart_tx"),
            idle: model.port("idle"),
            reset_req: model.port("reset_req"),
            model,
            bit: clock_hz(hw) as f64 / hw.baud as f64,
            cycles: 4,
            pending: VecDeque::new(),
            sending: None,
            dec: TxDecoder { start: None, bits: 0, next_bit: 0 },
        }
    }

    /// Core clock cycles per UART bit.
    pub fn clocks_per_bit(&self) -> f64 {
        self.bit
    }

    /// Queues host bytes for the board's `uart_rx` line.
    pub fn send(&mut self, bytes: &[u8]) {
        self.pending.extend(bytes);
    }

    /// Presses the reset button for a few clocks.
    pub fn press_reset(&mut self) {
        self.model.set(self.reset_req, 1);
        self.model.tick(self.clock, 2);
        self.model.set(self.reset_req, 0);
        self.cycles += 2;
    }

    /// Nothing to send, nothing being received, the chip idle: the clock may stop.
    pub fn is_idle(&mut self) -> bool {
        // The cheap checks first: evaluating the model is not free, and the serving loop asks often.
        if !(self.pending.is_empty() && self.sending.is_none() && self.dec.start.is_none()) {
            return false;
        }
        self.model.eval();
        self.model.get(self.idle) == 1 && self.model.get(self.tx) == 1
    }

    /// The clock at which bit `k` of a byte started at `t0` begins.
    fn at(&self, t0: u64, k: f64) -> u64 {
        t0 + (k * self.bit).round() as u64
    }

    /// Runs up to `budget` clocks (or until idle), appending what the board sends to `out`.
    pub fn run(&mut self, budget: u64, out: &mut Vec<u8>) -> Result<(), FramingError> {
        let end = self.cycles + budget;
        while self.cycles < end {
            if self.sending.is_none() {
                if let Some(b) = self.pending.pop_front() {
                    self.sending = Some(((b as u16) << 1 | 1 << 9, self.cycles));
                }
            }
            if self.sending.is_none() && self.dec.start.is_none() && self.is_idle() {
                return Ok(());
            }
            // Drive the rx line for the current bit of the byte being sent.
            let mut next = end;
            if let Some((frame, t0)) = self.sending {
                let k = (0..10).find(|&k| self.at(t0, (k + 1) as f64) > self.cycles);
                match k {
                    Some(k) => {
                        self.model.set(self.rx, (frame >> k) as u64 & 1);
                        next = next.min(self.at(t0, (k + 1) as f64));
                    }
                    None => {
                        self.sending = None;
                        self.model.set(self.rx, 1);
                        continue;
                    }
                }
            }
            match self.dec.start {
                Some(t0) => {
                    // Sample data bits in their middle, then the stop bit.
                    let when = self.at(t0, 1.5 + self.dec.next_bit as f64);
                    if when <= self.cycles {
                        let level = self.model.get(self.tx) as u8;
                        if self.dec.next_bit < 8 {
                            self.dec.bits |= level << self.dec.next_bit;
                            self.dec.next_bit += 1;
                        } else {
                            if level == 0 {
                                return Err(FramingError(self.cycles));
                            }
                            out.push(self.dec.bits);
                            self.dec = TxDecoder { start: None, bits: 0, next_bit: 0 };
                        }
                        continue;
                    }
                    next = next.min(when);
                    let n = next - self.cycles;
                    self.model.tick(self.clock, n);
                    self.cycles += n;
                }
                None => {
                    // Run until the start edge of a byte from the board (or the next rx bit).
                    let n = next - self.cycles;
                    let ran = self.model.tick_while(self.clock, (self.tx, 1), (self.tx, 1), n);
                    self.cycles += ran;
                    if self.model.get(self.tx) == 0 {
                        self.dec.start = Some(self.cycles);
                    }
                    if ran == 0 && self.model.get(self.tx) == 1 {
                        // tick_while ran nothing although the line is idle: take one clock.
                        self.model.tick(self.clock, 1);
                        self.cycles += 1;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The virtual board as an in-process byte stream (no PTY): what the host writes goes onto
/// the UART rx pin; a read runs the chip until it sends something or goes idle.
pub struct Wire {
    /// The board.
    pub board: VirtualBoard,
    inbox: VecDeque<u8>,
    scratch: Vec<u8>,
}

impl Wire {
    /// A wire to `board`.
    pub fn new(board: VirtualBoard) -> Self {
        Self { board, inbox: VecDeque::new(), scratch: Vec::new() }
    }
}

impl std::io::Write for Wire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.board.send(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::io::Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.inbox.is_empty() && !self.board.is_idle() {
            self.board.run(200_000, &mut self.scratch).map_err(std::io::Error::other)?;
            self.inbox.extend(self.scratch.drain(..));
        }
        if self.inbox.is_empty() {
            // Idle and silent: what a serial port reports when its read timeout expires.
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        let n = buf.len().min(self.inbox.len());
        for (b, v) in buf.iter_mut().zip(self.inbox.drain(..n)) {
            *b = v;
        }
        Ok(n)
    }
}
