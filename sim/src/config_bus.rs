//! The configuration port every RTL top shares (`cfg_mem`, `cfg_row`, `cfg_col`, `cfg_wdata`,
//! `cfg_we`, `cfg_re` -> `cfg_rdata`, `cfg_rvalid`), driven one access per clock.

use crate::verilator::{Model, PortId};

/// Handles of a model's configuration ports.
pub struct ConfigBus {
    clock: PortId,
    mem: PortId,
    row: PortId,
    col: PortId,
    wdata: PortId,
    we: PortId,
    re: PortId,
    rdata: PortId,
    rvalid: PortId,
}

impl ConfigBus {
    /// The configuration ports of `m`.
    pub fn of(m: &Model) -> Self {
        Self {
            clock: m.port("clock"),
            mem: m.port("cfg_mem"),
            row: m.port("cfg_row"),
            col: m.port("cfg_col"),
            wdata: m.port("cfg_wdata"),
            we: m.port("cfg_we"),
            re: m.port("cfg_re"),
            rdata: m.port("cfg_rdata"),
            rvalid: m.port("cfg_rvalid"),
        }
    }

    fn address(&self, m: &mut Model, mem: u8, row: u32, col: u32) {
        m.set(self.mem, mem as u64);
        m.set(self.row, row as u64);
        m.set(self.col, col as u64);
    }

    /// Writes one word (one clock; the chip must be idle).
    pub fn write(&self, m: &mut Model, mem: u8, row: u32, col: u32, data: u64) {
        self.address(m, mem, row, col);
        m.set(self.wdata, data);
        m.set(self.we, 1);
        m.tick(self.clock, 1);
        m.set(self.we, 0);
    }

    /// Reads one word, sign-extended (one clock; the chip must be idle).
    pub fn read(&self, m: &mut Model, mem: u8, row: u32, col: u32) -> i64 {
        self.address(m, mem, row, col);
        m.set(self.re, 1);
        m.tick(self.clock, 1);
        m.set(self.re, 0);
        m.eval();
        assert_eq!(m.get(self.rvalid), 1, "config read answers one cycle later");
        m.get_signed(self.rdata)
    }
}
