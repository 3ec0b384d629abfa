//! UART transmitter and receiver, 8N1, for any baud rate the core clock can carry.
//!
//! Bit timing comes from a 24-bit phase accumulator: every clock it adds
//! `round(baud * 2^24 / clock)` and a carry out of bit 24 marks a bit boundary. The average
//! rate is exact to the accumulator's rounding (3e-6 for 115200 baud from 12 MHz), and each
//! boundary is off by less than one clock, which covers fractional dividers like 104.17
//! clocks per bit. The receiver restarts its accumulator at a start bit's falling edge,
//! preset so it samples every bit in its middle, allowing for its 2-flop synchroniser.
//! The synchroniser costs up to one clock of uncertainty at the start edge, so the hardware
//! table asks for at least 8 clocks per bit (validation enforces it).

use rust_hdl::prelude::*;

/// Accumulator increment for `baud` from a `clock_hz` clock.
pub fn increment(baud: u64, clock_hz: u64) -> u64 {
    ((baud << 24) + clock_hz / 2) / clock_hz
}

/// The transmitter: takes a byte when `ready`, sends start bit, 8 data bits (LSB first), stop bit.
#[derive(LogicBlock)]
pub struct UartTx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Byte to send.
    pub data: Signal<In, Bits<8>>,
    /// A byte is offered.
    pub valid: Signal<In, bool>,
    /// The transmitter takes the offered byte this clock.
    pub ready: Signal<Out, bool>,
    /// The serial line (idle high).
    pub tx: Signal<Out, bool>,
    inc: Constant<Bits<25>>,
    mask: Constant<Bits<25>>,
    one4: Constant<Bits<4>>,
    zero4: Constant<Bits<4>>,
    ten: Constant<Bits<4>>,
    acc: DFF<Bits<25>>,
    shift: DFF<Bits<10>>,
    left: DFF<Bits<4>>,
    /// The line is low (stored inverted: flip-flops power up at 0 and the line idles high).
    low: DFF<bool>,
    sum: Signal<Local, Bits<25>>,
    frame: Signal<Local, Bits<10>>,
    rs_data: crate::arith::resize::Resize<8, 10>,
    stop: Constant<Bits<10>>,
}

impl UartTx {
    /// A transmitter at `baud` from a `clock_hz` clock.
    pub fn new(baud: u64, clock_hz: u64) -> Self {
        Self {
            clock: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            ready: Default::default(),
            tx: Default::default(),
            inc: Constant::new(Bits::<25>::from(increment(baud, clock_hz))),
            mask: Constant::new(Bits::<25>::from((1u64 << 24) - 1)),
            one4: Constant::new(Bits::<4>::from(1u64)),
            zero4: Constant::new(Bits::<4>::from(0u64)),
            ten: Constant::new(Bits::<4>::from(10u64)),
            acc: Default::default(),
            shift: Default::default(),
            left: Default::default(),
            low: Default::default(),
            sum: Default::default(),
            frame: Default::default(),
            rs_data: crate::arith::resize::Resize::zero(),
            stop: Constant::new(Bits::<10>::from(1u64 << 9)),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, acc, shift, left, low);
        self.sum.next = self.acc.q.val() + self.inc.val();
        self.acc.d.next = self.sum.val() & self.mask.val();
        // Frame: stop bit (1), data, start bit (0), sent LSB first.
        self.rs_data.wide_in.next = self.data.val();
        self.frame.next = self.stop.val() | (self.rs_data.wide_out.val() << 1);
        self.ready.next = self.left.q.val() == self.zero4.val();
        if (self.left.q.val() == self.zero4.val()) & self.valid.val() {
            self.shift.d.next = self.frame.val();
            self.left.d.next = self.ten.val();
        }
        // At each bit boundary the next bit goes out.
        if self.sum.val().get_bit(24) & (self.left.q.val() != self.zero4.val()) {
            self.low.d.next = !self.shift.q.val().get_bit(0);
            self.shift.d.next = self.shift.q.val() >> 1;
            self.left.d.next = self.left.q.val() - self.one4.val();
        }
        self.tx.next = !self.low.q.val();
    }
}

/// The receiver: `valid` pulses for one clock with each byte; `framing_error` when a stop bit
/// is low (the byte is dropped and the receiver waits for the line to go idle).
#[derive(LogicBlock)]
pub struct UartRx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// The serial line.
    pub rx: Signal<In, bool>,
    /// Received byte.
    pub data: Signal<Out, Bits<8>>,
    /// A byte arrived (one clock).
    pub valid: Signal<Out, bool>,
    /// A frame had a low stop bit (one clock).
    pub framing_error: Signal<Out, bool>,
    inc: Constant<Bits<25>>,
    mask: Constant<Bits<25>>,
    preset: Constant<Bits<25>>,
    zero4: Constant<Bits<4>>,
    one4: Constant<Bits<4>>,
    nine: Constant<Bits<4>>,
    /// Synchroniser, stored inverted (`true` = line low) so it powers up idle.
    s1: DFF<bool>,
    s2: DFF<bool>,
    busy: DFF<bool>,
    acc: DFF<Bits<25>>,
    nbit: DFF<Bits<4>>,
    shift: DFF<Bits<8>>,
    out: DFF<Bits<8>>,
    pulse: DFF<bool>,
    ferr: DFF<bool>,
    /// After a framing error: ignore the line until it is high (idle) again.
    wait_idle: DFF<bool>,
    sum: Signal<Local, Bits<25>>,
    line_high: Signal<Local, bool>,
    msb: Constant<Bits<8>>,
}

impl UartRx {
    /// A receiver at `baud` from a `clock_hz` clock.
    pub fn new(baud: u64, clock_hz: u64) -> Self {
        let inc = increment(baud, clock_hz);
        // Half a bit, less the two clocks the synchroniser and edge detection cost.
        let preset = (1u64 << 23) + 2 * inc;
        Self {
            clock: Default::default(),
            rx: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            framing_error: Default::default(),
            inc: Constant::new(Bits::<25>::from(inc)),
            mask: Constant::new(Bits::<25>::from((1u64 << 24) - 1)),
            preset: Constant::new(Bits::<25>::from(preset.min((1 << 24) - 1))),
            zero4: Constant::new(Bits::<4>::from(0u64)),
            one4: Constant::new(Bits::<4>::from(1u64)),
            nine: Constant::new(Bits::<4>::from(9u64)),
            s1: Default::default(),
            s2: Default::default(),
            busy: Default::default(),
            acc: Default::default(),
            nbit: Default::default(),
            shift: Default::default(),
            out: Default::default(),
            pulse: Default::default(),
            ferr: Default::default(),
            wait_idle: Default::default(),
            sum: Default::default(),
            line_high: Default::default(),
            msb: Constant::new(Bits::<8>::from(0x80u64)),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, s1, s2, busy, acc, nbit, shift, out, pulse, ferr, wait_idle);
        self.s1.d.next = !self.rx.val();
        self.s2.d.next = self.s1.q.val();
        self.line_high.next = !self.s2.q.val();
        self.pulse.d.next = false;
        self.ferr.d.next = false;
        self.sum.next = self.acc.q.val() + self.inc.val();
        if self.line_high.val() {
            self.wait_idle.d.next = false;
        }
        if !self.busy.q.val() {
            // Idle: a low line is a start bit; sample it (and every bit) mid-bit from here.
            if !self.line_high.val() & !self.wait_idle.q.val() {
                self.busy.d.next = true;
                self.acc.d.next = self.preset.val();
                self.nbit.d.next = self.zero4.val();
            }
        } else {
            self.acc.d.next = self.sum.val() & self.mask.val();
            if self.sum.val().get_bit(24) {
                self.nbit.d.next = self.nbit.q.val() + self.one4.val();
                if self.nbit.q.val() == self.zero4.val() {
                    // Mid start bit: a glitch if the line is high again.
                    if self.line_high.val() {
                        self.busy.d.next = false;
                    }
                } else if self.nbit.q.val() == self.nine.val() {
                    // Mid stop bit.
                    self.busy.d.next = false;
                    if self.line_high.val() {
                        self.out.d.next = self.shift.q.val();
                        self.pulse.d.next = true;
                    } else {
                        self.ferr.d.next = true;
                        self.wait_idle.d.next = true;
                    }
                } else {
                    self.shift.d.next = self.shift.q.val() >> 1;
                    if self.line_high.val() {
                        self.shift.d.next = (self.shift.q.val() >> 1) | self.msb.val();
                    }
                }
            }
        }
        self.data.next = self.out.q.val();
        self.valid.next = self.pulse.q.val();
        self.framing_error.next = self.ferr.q.val();
    }
}
