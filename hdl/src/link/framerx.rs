//! Frame receiver: the hardware twin of `spec::protocol::Decoder`.
//!
//! Bytes from the UART are COBS-decoded as they arrive, run through a CRC-16/GENIBUS shift
//! register and written to a frame buffer. A zero byte ends the frame: it is accepted when
//! the COBS blocks are complete, the body has at least 4 bytes and no more than `MAX_BODY`,
//! and the CRC register over the whole body (checksum included) holds CRC-16/GENIBUS's residue,
//! 0x1D0F. Accepted frames are
//! announced with `frame_ok` and their length, and their bytes can be read back from the
//! buffer; rejected frames are only counted. Nothing here can hang: every byte is taken.

use crate::memory::ram::Ram;
use rust_hdl::prelude::*;

/// Frame-buffer address bits (`MAX_BODY` = 512 bytes: one iCE40 block RAM).
pub const FB: usize = 9;

/// The receiver.
#[derive(LogicBlock)]
pub struct FrameRx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// A byte arrived (one clock).
    pub in_valid: Signal<In, bool>,
    /// The byte.
    pub in_byte: Signal<In, Bits<8>>,
    /// A frame was accepted (one clock); its body is in the buffer.
    pub frame_ok: Signal<Out, bool>,
    /// A frame was rejected (one clock).
    pub frame_bad: Signal<Out, bool>,
    /// Body length of the accepted frame (kind + seq + payload + CRC).
    pub frame_len: Signal<Out, Bits<11>>,
    /// The reader is using the buffer: bytes arriving now are not stored, and the frame they
    /// belong to is rejected (a host that does not wait for its answer loses that frame).
    pub hold: Signal<In, bool>,
    /// Frame-buffer read address.
    pub rd_addr: Signal<In, Bits<FB>>,
    /// Frame-buffer byte at `rd_addr` of the previous clock.
    pub rd_data: Signal<Out, Bits<8>>,
    fbuf: Ram<FB, 8>,
    /// The CRC register, stored inverted so that power-up (all zeros) is the initial 0xFFFF.
    crc_n: DFF<Bits<16>>,
    left: DFF<Bits<8>>,
    zero_next: DFF<bool>,
    started: DFF<bool>,
    len: DFF<Bits<11>>,
    overflow: DFF<bool>,
    /// A byte of this frame arrived while `hold` was high.
    poisoned: DFF<bool>,
    ok: DFF<bool>,
    bad: DFF<bool>,
    flen: DFF<Bits<11>>,
    crc_step: crate::link::crc16::Crc16Step,
    dbyte: Signal<Local, Bits<8>>,
    emit: Signal<Local, bool>,
    // The complement of CRC-16/GENIBUS's residue (0x1D0F): the register after a body and its
    // inverted CRC, as `crc_n` holds it.
    residue_n: Constant<Bits<16>>,
    zero16: Constant<Bits<16>>,
    zero8: Constant<Bits<8>>,
    one8: Constant<Bits<8>>,
    ff: Constant<Bits<8>>,
    zero11: Constant<Bits<11>>,
    one11: Constant<Bits<11>>,
    four: Constant<Bits<11>>,
    max_body: Constant<Bits<11>>,
    addr: crate::arith::resize::Resize<11, FB>,
}

impl Default for FrameRx {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameRx {
    /// A receiver with an empty buffer and zero counters.
    pub fn new() -> Self {
        Self {
            clock: Default::default(),
            in_valid: Default::default(),
            in_byte: Default::default(),
            frame_ok: Default::default(),
            frame_bad: Default::default(),
            frame_len: Default::default(),
            hold: Default::default(),
            rd_addr: Default::default(),
            rd_data: Default::default(),
            fbuf: Ram::new(1 << FB, 8, false),
            crc_n: Default::default(),
            left: Default::default(),
            zero_next: Default::default(),
            started: Default::default(),
            len: Default::default(),
            overflow: Default::default(),
            poisoned: Default::default(),
            ok: Default::default(),
            bad: Default::default(),
            flen: Default::default(),
            crc_step: Default::default(),
            dbyte: Default::default(),
            emit: Default::default(),
            residue_n: Constant::new(Bits::<16>::from(!0x1d0fu64 & 0xffff)),
            zero16: Constant::new(Bits::<16>::from(0u64)),
            zero8: Constant::new(Bits::<8>::from(0u64)),
            one8: Constant::new(Bits::<8>::from(1u64)),
            ff: Constant::new(Bits::<8>::from(0xffu64)),
            zero11: Constant::new(Bits::<11>::from(0u64)),
            one11: Constant::new(Bits::<11>::from(1u64)),
            four: Constant::new(Bits::<11>::from(4u64)),
            max_body: Constant::new(Bits::<11>::from(spikemesh_spec::protocol::MAX_BODY as u64)),
            addr: crate::arith::resize::Resize::zero(),
        }
    }
}

impl Logic for FrameRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, crc_n, left, zero_next, started, len, overflow, poisoned, ok, bad, flen);
        clock!(self, clock, fbuf);
        self.ok.d.next = false;
        self.bad.d.next = false;
        // COBS: a code byte opens a block of (code - 1) data bytes; a block shorter than 254
        // stands for a zero, emitted when the next block opens (the last one is dropped).
        self.emit.next = false;
        self.dbyte.next = self.in_byte.val();
        if self.in_valid.val() & (self.in_byte.val() != self.zero8.val()) {
            self.started.d.next = true;
            if self.left.q.val() == self.zero8.val() {
                self.left.d.next = self.in_byte.val() - self.one8.val();
                self.zero_next.d.next = self.in_byte.val() != self.ff.val();
                if self.zero_next.q.val() & self.started.q.val() {
                    self.emit.next = true;
                    self.dbyte.next = self.zero8.val();
                }
            } else {
                self.left.d.next = self.left.q.val() - self.one8.val();
                self.emit.next = true;
            }
        }
        // The CRC-16 register over the decoded byte, one bit per step, MSB first.
        self.crc_step.crc_in.next = !self.crc_n.q.val();
        self.crc_step.byte_in.next = self.dbyte.val();
        self.addr.wide_in.next = self.len.q.val();
        self.fbuf.write_address.next = self.addr.wide_out.val();
        self.fbuf.write_data.next = self.dbyte.val();
        self.fbuf.write_enable.next = false;
        self.fbuf.read_address.next = self.rd_addr.val();
        if self.in_valid.val() & self.hold.val() {
            self.poisoned.d.next = true;
        }
        if self.emit.val() {
            self.crc_n.d.next = !self.crc_step.crc_out.val();
            if self.len.q.val() == self.max_body.val() {
                self.overflow.d.next = true;
            } else {
                self.fbuf.write_enable.next = !self.hold.val();
                self.len.d.next = self.len.q.val() + self.one11.val();
            }
        }
        // A zero ends the frame (an empty gap between two zeros is not a frame).
        if self.in_valid.val() & (self.in_byte.val() == self.zero8.val()) {
            if self.started.q.val() {
                if (self.left.q.val() == self.zero8.val())
                    & !self.overflow.q.val()
                    & !self.poisoned.q.val()
                    & !self.hold.val()
                    & (self.len.q.val() >= self.four.val())
                    & (self.crc_n.q.val() == self.residue_n.val())
                {
                    self.ok.d.next = true;
                    self.flen.d.next = self.len.q.val();
                } else {
                    self.bad.d.next = true;
                }
            }
            self.started.d.next = false;
            self.left.d.next = self.zero8.val();
            self.zero_next.d.next = false;
            self.len.d.next = self.zero11.val();
            self.overflow.d.next = false;
            self.poisoned.d.next = false;
            self.crc_n.d.next = self.zero16.val();
        }
        self.frame_ok.next = self.ok.q.val();
        self.frame_bad.next = self.bad.q.val();
        self.frame_len.next = self.flen.q.val();
        self.rd_data.next = self.fbuf.read_data.val();
    }
}
