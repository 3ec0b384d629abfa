//! Frame transmitter: the hardware twin of `spec::protocol::Frame::encode`.
//!
//! The sender writes a body (kind, seq, payload) into the frame buffer and pulses `send`
//! with its length. The transmitter computes the CRC-16/GENIBUS over it, appends it, and
//! sends `0x00, COBS(body + CRC), 0x00` one byte at a time on a valid/ready stream (the UART
//! transmitter). COBS needs to know how far the next zero is before it can send a block's
//! code byte, so each block is scanned once, then sent; at UART speed the scan costs nothing.

use crate::memory::ram::Ram;
use rust_hdl::prelude::*;

/// Frame-buffer address bits (bodies up to `MAX_BODY` = 512 bytes: one iCE40 block RAM).
pub const TB: usize = 9;

/// The transmitter.
#[derive(LogicBlock)]
pub struct FrameTx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Frame-buffer write: address.
    pub wr_addr: Signal<In, Bits<TB>>,
    /// Frame-buffer write: byte.
    pub wr_data: Signal<In, Bits<8>>,
    /// Frame-buffer write: enable (only while `busy` is low).
    pub wr_en: Signal<In, bool>,
    /// Send the body of `len` bytes now in the buffer (only while `busy` is low).
    pub send: Signal<In, bool>,
    /// Body length (kind + seq + payload), at least 2.
    pub len: Signal<In, Bits<11>>,
    /// A frame is being sent.
    pub busy: Signal<Out, bool>,
    /// Byte out: valid.
    pub out_valid: Signal<Out, bool>,
    /// Byte out.
    pub out_byte: Signal<Out, Bits<8>>,
    /// Byte out: ready.
    pub out_ready: Signal<In, bool>,
    tbuf: Ram<TB, 8>,
    state: DFF<Bits<4>>,
    n: DFF<Bits<11>>,
    total: DFF<Bits<11>>,
    pos: DFF<Bits<11>>,
    scan: DFF<Bits<11>>,
    k: DFF<Bits<8>>,
    sent: DFF<Bits<8>>,
    crc_n: DFF<Bits<16>>,
    ov: DFF<bool>,
    ob: DFF<Bits<8>>,
    phase: DFF<bool>,
    crc_step: crate::link::crc16::Crc16Step,
    raddr: Signal<Local, Bits<11>>,
    free: Signal<Local, bool>,
    crc: Signal<Local, Bits<16>>,
    rs_addr: crate::arith::resize::Resize<11, TB>,
    rs_waddr: crate::arith::resize::Resize<11, TB>,
    rs_hi: crate::arith::resize::Resize<16, 8>,
    rs_lo: crate::arith::resize::Resize<16, 8>,
    zero16: Constant<Bits<16>>,
    zero8: Constant<Bits<8>>,
    one8: Constant<Bits<8>>,
    max_run: Constant<Bits<8>>,
    zero11: Constant<Bits<11>>,
    one11: Constant<Bits<11>>,
    st_idle: Constant<Bits<4>>,
    st_crc: Constant<Bits<4>>,
    st_lead: Constant<Bits<4>>,
    st_scan: Constant<Bits<4>>,
    st_code: Constant<Bits<4>>,
    st_data: Constant<Bits<4>>,
    st_next: Constant<Bits<4>>,
    st_tail: Constant<Bits<4>>,
    st_hi: Constant<Bits<4>>,
    st_lo: Constant<Bits<4>>,
}

impl Default for FrameTx {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameTx {
    /// An idle transmitter.
    pub fn new() -> Self {
        let s = |v: u64| Constant::new(Bits::<4>::from(v));
        Self {
            clock: Default::default(),
            wr_addr: Default::default(),
            wr_data: Default::default(),
            wr_en: Default::default(),
            send: Default::default(),
            len: Default::default(),
            busy: Default::default(),
            out_valid: Default::default(),
            out_byte: Default::default(),
            out_ready: Default::default(),
            tbuf: Ram::new(1 << TB, 8, false),
            state: Default::default(),
            n: Default::default(),
            total: Default::default(),
            pos: Default::default(),
            scan: Default::default(),
            k: Default::default(),
            sent: Default::default(),
            crc_n: Default::default(),
            ov: Default::default(),
            ob: Default::default(),
            phase: Default::default(),
            crc_step: Default::default(),
            raddr: Default::default(),
            free: Default::default(),
            crc: Default::default(),
            rs_addr: crate::arith::resize::Resize::zero(),
            rs_waddr: crate::arith::resize::Resize::zero(),
            rs_hi: crate::arith::resize::Resize::zero(),
            rs_lo: crate::arith::resize::Resize::zero(),
            zero16: Constant::new(Bits::<16>::from(0u64)),
            zero8: Constant::new(Bits::<8>::from(0u64)),
            one8: Constant::new(Bits::<8>::from(1u64)),
            max_run: Constant::new(Bits::<8>::from(254u64)),
            zero11: Constant::new(Bits::<11>::from(0u64)),
            one11: Constant::new(Bits::<11>::from(1u64)),
            st_idle: s(0),
            st_crc: s(1),
            st_lead: s(2),
            st_scan: s(3),
            st_code: s(4),
            st_data: s(5),
            st_next: s(6),
            st_tail: s(7),
            st_hi: s(8),
            st_lo: s(9),
        }
    }
}

impl Logic for FrameTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, n, total, pos, scan, k, sent, crc_n, ov, ob, phase);
        clock!(self, clock, tbuf);
        self.free.next = !self.ov.q.val() | self.out_ready.val();
        if self.ov.q.val() & self.out_ready.val() {
            self.ov.d.next = false;
        }
        // CRC-16/GENIBUS sends the register inverted, which `crc_n` holds already.
        self.crc.next = self.crc_n.q.val();
        self.rs_hi.wide_in.next = self.crc.val() >> 8;
        self.rs_lo.wide_in.next = self.crc.val();
        // Reads: `scan` while computing the CRC or scanning a block, `pos` while sending it.
        self.raddr.next = self.scan.q.val();
        if self.state.q.val() == self.st_data.val() {
            self.raddr.next = self.pos.q.val();
        }
        self.rs_addr.wide_in.next = self.raddr.val();
        self.tbuf.read_address.next = self.rs_addr.wide_out.val();
        // Writes: the sender's while idle, the two CRC bytes after the CRC pass.
        self.rs_waddr.wide_in.next = self.n.q.val();
        self.tbuf.write_address.next = self.wr_addr.val();
        self.tbuf.write_data.next = self.wr_data.val();
        self.tbuf.write_enable.next = self.wr_en.val() & (self.state.q.val() == self.st_idle.val());
        self.crc_step.crc_in.next = !self.crc_n.q.val();
        self.crc_step.byte_in.next = self.tbuf.read_data.val();
        if (self.state.q.val() == self.st_idle.val()) & self.send.val() {
            self.n.d.next = self.len.val();
            self.scan.d.next = self.zero11.val();
            self.crc_n.d.next = self.zero16.val();
            self.phase.d.next = false;
            self.state.d.next = self.st_crc.val();
        }
        // CRC over the body, one byte per two clocks (address, then data).
        if self.state.q.val() == self.st_crc.val() {
            self.phase.d.next = !self.phase.q.val();
            if self.phase.q.val() {
                self.crc_n.d.next = !self.crc_step.crc_out.val();
                self.scan.d.next = self.scan.q.val() + self.one11.val();
                if self.scan.q.val() + self.one11.val() == self.n.q.val() {
                    self.state.d.next = self.st_hi.val();
                }
            }
        }
        // Append the CRC, high byte first, behind the body.
        if self.state.q.val() == self.st_hi.val() {
            self.tbuf.write_address.next = self.rs_waddr.wide_out.val();
            self.tbuf.write_data.next = self.rs_hi.wide_out.val();
            self.tbuf.write_enable.next = true;
            self.n.d.next = self.n.q.val() + self.one11.val();
            self.state.d.next = self.st_lo.val();
        }
        if self.state.q.val() == self.st_lo.val() {
            self.tbuf.write_address.next = self.rs_waddr.wide_out.val();
            self.tbuf.write_data.next = self.rs_lo.wide_out.val();
            self.tbuf.write_enable.next = true;
            self.total.d.next = self.n.q.val() + self.one11.val();
            self.state.d.next = self.st_lead.val();
        }
        if (self.state.q.val() == self.st_lead.val()) & self.free.val() {
            self.ov.d.next = true;
            self.ob.d.next = self.zero8.val();
            self.pos.d.next = self.zero11.val();
            self.scan.d.next = self.zero11.val();
            self.k.d.next = self.zero8.val();
            self.phase.d.next = false;
            self.state.d.next = self.st_scan.val();
        }
        // Scan a block: count non-zero bytes from `pos`, up to 254 or the end.
        if self.state.q.val() == self.st_scan.val() {
            if (self.scan.q.val() == self.total.q.val()) | (self.k.q.val() == self.max_run.val()) {
                self.state.d.next = self.st_code.val();
            } else {
                self.phase.d.next = !self.phase.q.val();
                if self.phase.q.val() {
                    if self.tbuf.read_data.val() == self.zero8.val() {
                        self.state.d.next = self.st_code.val();
                        self.phase.d.next = false;
                    } else {
                        self.k.d.next = self.k.q.val() + self.one8.val();
                        self.scan.d.next = self.scan.q.val() + self.one11.val();
                    }
                }
            }
        }
        if (self.state.q.val() == self.st_code.val()) & self.free.val() {
            self.ov.d.next = true;
            self.ob.d.next = self.k.q.val() + self.one8.val();
            self.sent.d.next = self.zero8.val();
            self.phase.d.next = false;
            self.state.d.next = self.st_data.val();
        }
        // Send the block's bytes: address, then the byte once the output is free.
        if self.state.q.val() == self.st_data.val() {
            if self.sent.q.val() == self.k.q.val() {
                self.state.d.next = self.st_next.val();
            } else if !self.phase.q.val() {
                self.phase.d.next = true;
            } else if self.free.val() {
                self.ov.d.next = true;
                self.ob.d.next = self.tbuf.read_data.val();
                self.pos.d.next = self.pos.q.val() + self.one11.val();
                self.sent.d.next = self.sent.q.val() + self.one8.val();
                self.phase.d.next = false;
            }
        }
        // After a block: done at the end; a short block was ended by a zero, which is skipped.
        if self.state.q.val() == self.st_next.val() {
            self.state.d.next = self.st_scan.val();
            self.k.d.next = self.zero8.val();
            self.phase.d.next = false;
            if self.pos.q.val() == self.total.q.val() {
                self.state.d.next = self.st_tail.val();
            } else if self.k.q.val() != self.max_run.val() {
                self.pos.d.next = self.pos.q.val() + self.one11.val();
                self.scan.d.next = self.pos.q.val() + self.one11.val();
            } else {
                self.scan.d.next = self.pos.q.val();
            }
        }
        if (self.state.q.val() == self.st_tail.val()) & self.free.val() {
            self.ov.d.next = true;
            self.ob.d.next = self.zero8.val();
            self.state.d.next = self.st_idle.val();
        }
        self.busy.next = (self.state.q.val() != self.st_idle.val()) | self.ov.q.val();
        self.out_valid.next = self.ov.q.val();
        self.out_byte.next = self.ob.q.val();
    }
}
