//! One byte of the CRC-16 register (polynomial 0x1021, MSB first; CRC-16/GENIBUS inverts the
//! result, which the frame sender and receiver do), combinational: the hardware
//! twin of the `crc` crate's algorithm in `spec::protocol`.

use rust_hdl::prelude::*;

/// `crc_out` = the CRC register `crc_in` after shifting in `byte_in`.
#[derive(LogicBlock)]
pub struct Crc16Step {
    /// CRC register before the byte.
    pub crc_in: Signal<In, Bits<16>>,
    /// The byte.
    pub byte_in: Signal<In, Bits<8>>,
    /// CRC register after the byte.
    pub crc_out: Signal<Out, Bits<16>>,
    c: [Signal<Local, Bits<16>>; 9],
    poly: Constant<Bits<16>>,
}

impl Default for Crc16Step {
    fn default() -> Self {
        Self {
            crc_in: Default::default(),
            byte_in: Default::default(),
            crc_out: Default::default(),
            c: Default::default(),
            poly: Constant::new(Bits::<16>::from(0x1021u64)),
        }
    }
}

impl Logic for Crc16Step {
    #[hdl_gen]
    fn update(&mut self) {
        self.c[0].next = self.crc_in.val();
        self.c[1].next = self.c[0].val() << 1;
        if self.c[0].val().get_bit(15) ^ self.byte_in.val().get_bit(7) {
            self.c[1].next = (self.c[0].val() << 1) ^ self.poly.val();
        }
        self.c[2].next = self.c[1].val() << 1;
        if self.c[1].val().get_bit(15) ^ self.byte_in.val().get_bit(6) {
            self.c[2].next = (self.c[1].val() << 1) ^ self.poly.val();
        }
        self.c[3].next = self.c[2].val() << 1;
        if self.c[2].val().get_bit(15) ^ self.byte_in.val().get_bit(5) {
            self.c[3].next = (self.c[2].val() << 1) ^ self.poly.val();
        }
        self.c[4].next = self.c[3].val() << 1;
        if self.c[3].val().get_bit(15) ^ self.byte_in.val().get_bit(4) {
            self.c[4].next = (self.c[3].val() << 1) ^ self.poly.val();
        }
        self.c[5].next = self.c[4].val() << 1;
        if self.c[4].val().get_bit(15) ^ self.byte_in.val().get_bit(3) {
            self.c[5].next = (self.c[4].val() << 1) ^ self.poly.val();
        }
        self.c[6].next = self.c[5].val() << 1;
        if self.c[5].val().get_bit(15) ^ self.byte_in.val().get_bit(2) {
            self.c[6].next = (self.c[5].val() << 1) ^ self.poly.val();
        }
        self.c[7].next = self.c[6].val() << 1;
        if self.c[6].val().get_bit(15) ^ self.byte_in.val().get_bit(1) {
            self.c[7].next = (self.c[6].val() << 1) ^ self.poly.val();
        }
        self.c[8].next = self.c[7].val() << 1;
        if self.c[7].val().get_bit(15) ^ self.byte_in.val().get_bit(0) {
            self.c[8].next = (self.c[7].val() << 1) ^ self.poly.val();
        }
        self.crc_out.next = self.c[8].val();
    }
}
