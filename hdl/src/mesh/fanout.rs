//! Fan-out: turns a core's spikes into flits. For spiking neuron j it reads j's entry
//! (base, count, record) and sends, if `record`, a flit to the host, then one axon-event flit
//! per entry `base .. base + count` of the destination memory (`spec::memory_map`).
//! Two clocks per flit; the output register is valid/ready and never drops a flit.

use crate::memory::ram::Ram;
use crate::mesh::router::FLIT;
use crate::shape::{DW, NB};
use rust_hdl::prelude::*;

/// Destination-memory address bits (destinations_per_core <= 2^20).
pub const DB: usize = 20;

/// The fan-out unit of one core.
#[derive(LogicBlock)]
pub struct FanOut {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Core position (for the source of host flits).
    pub my_x: Signal<In, Bits<4>>,
    /// Core position.
    pub my_y: Signal<In, Bits<4>>,
    /// Spike in: valid.
    pub spike_valid: Signal<In, bool>,
    /// Spike in: neuron slot.
    pub spike_neuron: Signal<In, Bits<NB>>,
    /// Spike in: ready.
    pub spike_ready: Signal<Out, bool>,
    /// Flit out: valid.
    pub out_valid: Signal<Out, bool>,
    /// Flit out.
    pub out_flit: Signal<Out, Bits<FLIT>>,
    /// Flit out: ready.
    pub out_ready: Signal<In, bool>,
    /// A spike is being fanned out.
    pub busy: Signal<Out, bool>,
    /// Config: write the fan-out table (col = neuron).
    pub cfg_we_fan: Signal<In, bool>,
    /// Config: write the destination memory (row = entry).
    pub cfg_we_dest: Signal<In, bool>,
    /// Config: neuron.
    pub cfg_col: Signal<In, Bits<NB>>,
    /// Config: destination entry.
    pub cfg_row: Signal<In, Bits<DB>>,
    /// Config: data.
    pub cfg_wdata: Signal<In, Bits<DW>>,
    /// Config: read strobe (fan-out table, or the destination memory with `cfg_rd_dest`);
    /// only while idle. The word arrives on `cfg_rdata` the next cycle.
    pub cfg_re: Signal<In, bool>,
    /// Config: the read is of the destination memory.
    pub cfg_rd_dest: Signal<In, bool>,
    /// Config: read data.
    pub cfg_rdata: Signal<Out, Bits<DW>>,
    fan: Ram<NB, 30>,
    dest: Ram<DB, FLIT>,
    state: DFF<Bits<3>>,
    neuron: DFF<Bits<NB>>,
    ptr: DFF<Bits<DB>>,
    left: DFF<Bits<9>>,
    record: DFF<bool>,
    ov: DFF<bool>,
    of: DFF<Bits<FLIT>>,
    free: Signal<Local, bool>,
    host_flit: Signal<Local, Bits<FLIT>>,
    s_idle: Constant<Bits<3>>,
    s_fan: Constant<Bits<3>>,
    s_record: Constant<Bits<3>>,
    s_dest: Constant<Bits<3>>,
    s_emit: Constant<Bits<3>>,
    zero9: Constant<Bits<9>>,
    one9: Constant<Bits<9>>,
    one_db: Constant<Bits<DB>>,
    // The pointer and count bits this shape uses (so Yosys drops the rest of DB and 9).
    pmask: Constant<Bits<DB>>,
    lmask: Constant<Bits<9>>,
    host_bit: Constant<Bits<FLIT>>,
    rs_x: crate::arith::resize::Resize<4, FLIT>,
    rs_y: crate::arith::resize::Resize<4, FLIT>,
    rs_n: crate::arith::resize::Resize<NB, FLIT>,
    rs_fan: crate::arith::resize::Resize<DW, 30>,
    rd_dest: DFF<bool>,
    rs_fan_out: crate::arith::resize::Resize<30, DW>,
    rs_dest_out: crate::arith::resize::Resize<FLIT, DW>,
    rs_dest: crate::arith::resize::Resize<DW, FLIT>,
}

/// Which bits of the fan-out and destination words a chip uses (`spec::memory_map`): the
/// memories store only those, so a 256-entry table takes one iCE40 block RAM, not two.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Packing {
    /// Fan-out word fields (lowest bit, width).
    pub fan: Vec<(usize, usize)>,
    /// Destination word fields.
    pub dest: Vec<(usize, usize)>,
    /// Flit bits the chip uses (`spec::flit::used_mask`).
    pub flit: u64,
}

impl Packing {
    /// The packing of a `mesh_x x mesh_y` chip of cores of shape `s` with `destinations`
    /// fan-out entries.
    pub fn new(s: &crate::shape::CoreShape, destinations: usize, mesh_x: usize, mesh_y: usize) -> Self {
        let (axons, neurons) = (s.axons, s.neurons);
        use spikemesh_spec::memory_map::{destination_fields, fanout_fields};
        let f = |v: [(u32, u32); 3]| v.iter().map(|&(lo, w)| (lo as usize, w as usize)).collect();
        Self {
            fan: f(fanout_fields(destinations, mesh_x * mesh_y, s.delay_bits)),
            dest: f(destination_fields(axons, mesh_x, mesh_y)),
            flit: spikemesh_spec::flit::used_mask(mesh_x, mesh_y, axons, neurons),
        }
    }

    /// Stored bits of a fan-out entry.
    pub fn fan_bits(&self) -> usize {
        self.fan.iter().map(|f| f.1).sum()
    }

    /// Stored bits of a destination entry.
    pub fn dest_bits(&self) -> usize {
        self.dest.iter().map(|f| f.1).sum()
    }
}

impl FanOut {
    /// A fan-out unit for `neurons` slots and `destinations` entries.
    pub fn new(neurons: usize, destinations: usize, packing: &Packing) -> Self {
        let s = |v: u64| Constant::new(Bits::<3>::from(v));
        Self {
            clock: Default::default(),
            my_x: Default::default(),
            my_y: Default::default(),
            spike_valid: Default::default(),
            spike_neuron: Default::default(),
            spike_ready: Default::default(),
            out_valid: Default::default(),
            out_flit: Default::default(),
            out_ready: Default::default(),
            busy: Default::default(),
            cfg_we_fan: Default::default(),
            cfg_we_dest: Default::default(),
            cfg_col: Default::default(),
            cfg_row: Default::default(),
            cfg_wdata: Default::default(),
            cfg_re: Default::default(),
            cfg_rd_dest: Default::default(),
            cfg_rdata: Default::default(),
            rd_dest: Default::default(),
            rs_fan_out: crate::arith::resize::Resize::zero(),
            rs_dest_out: crate::arith::resize::Resize::zero(),
            fan: Ram::packed(neurons, &packing.fan),
            dest: Ram::packed(destinations, &packing.dest),
            state: Default::default(),
            neuron: Default::default(),
            ptr: Default::default(),
            left: Default::default(),
            record: Default::default(),
            ov: Default::default(),
            of: Default::default(),
            free: Default::default(),
            host_flit: Default::default(),
            s_idle: s(0),
            s_fan: s(1),
            s_record: s(2),
            s_dest: s(3),
            s_emit: s(4),
            zero9: Constant::new(Bits::<9>::from(0u64)),
            one9: Constant::new(Bits::<9>::from(1u64)),
            one_db: Constant::new(Bits::<DB>::from(1u64)),
            pmask: Constant::new(Bits::<DB>::from((1u64 << packing.fan[0].1) - 1)),
            lmask: Constant::new(Bits::<9>::from((1u64 << packing.fan[1].1) - 1)),
            host_bit: Constant::new(Bits::<FLIT>::from(1u64 << 22)),
            rs_x: crate::arith::resize::Resize::zero(),
            rs_y: crate::arith::resize::Resize::zero(),
            rs_n: crate::arith::resize::Resize::zero(),
            rs_fan: crate::arith::resize::Resize::zero(),
            rs_dest: crate::arith::resize::Resize::zero(),
        }
    }
}

impl Logic for FanOut {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, neuron, ptr, left, record, ov, of, rd_dest);
        clock!(self, clock, fan, dest);
        self.fan.write_address.next = self.cfg_col.val();
        self.rs_fan.wide_in.next = self.cfg_wdata.val();
        self.rs_dest.wide_in.next = self.cfg_wdata.val();
        self.fan.write_data.next = self.rs_fan.wide_out.val();
        self.fan.write_enable.next = self.cfg_we_fan.val();
        self.dest.write_address.next = self.cfg_row.val();
        self.dest.write_data.next = self.rs_dest.wide_out.val();
        self.dest.write_enable.next = self.cfg_we_dest.val();
        self.fan.read_address.next = self.spike_neuron.val();
        self.dest.read_address.next = self.ptr.q.val();
        // Configuration reads (the chip is idle, so the engine is not using the read ports).
        if self.cfg_re.val() {
            self.fan.read_address.next = self.cfg_col.val();
            self.dest.read_address.next = self.cfg_row.val();
            self.rd_dest.d.next = self.cfg_rd_dest.val();
        }
        self.rs_fan_out.wide_in.next = self.fan.read_data.val();
        self.rs_dest_out.wide_in.next = self.dest.read_data.val();
        self.cfg_rdata.next = self.rs_fan_out.wide_out.val();
        if self.rd_dest.q.val() {
            self.cfg_rdata.next = self.rs_dest_out.wide_out.val();
        }
        // Host flit: {1, x, y, neuron} = bit 22 | x << 18 | y << 14 | neuron.
        self.rs_x.wide_in.next = self.my_x.val();
        self.rs_y.wide_in.next = self.my_y.val();
        self.rs_n.wide_in.next = self.neuron.q.val();
        self.host_flit.next = self.host_bit.val()
            | (self.rs_x.wide_out.val() << 18)
            | (self.rs_y.wide_out.val() << 14)
            | self.rs_n.wide_out.val();
        self.free.next = !self.ov.q.val() | self.out_ready.val();
        if self.ov.q.val() & self.out_ready.val() {
            self.ov.d.next = false;
        }
        self.spike_ready.next = self.state.q.val() == self.s_idle.val();
        if (self.state.q.val() == self.s_idle.val()) & self.spike_valid.val() {
            self.neuron.d.next = self.spike_neuron.val();
            self.state.d.next = self.s_fan.val();
        }
        if self.state.q.val() == self.s_fan.val() {
            self.ptr.d.next = self.fan.read_data.val().get_bits::<DB>(0);
            self.left.d.next = self.fan.read_data.val().get_bits::<9>(20);
            self.record.d.next = self.fan.read_data.val().get_bit(29);
            self.state.d.next = self.s_record.val();
        }
        if self.state.q.val() == self.s_record.val() {
            if !self.record.q.val() {
                self.state.d.next = self.s_dest.val();
            } else if self.free.val() {
                self.ov.d.next = true;
                self.of.d.next = self.host_flit.val();
                self.state.d.next = self.s_dest.val();
            }
        }
        if self.state.q.val() == self.s_dest.val() {
            // The destination read issued from `ptr` lands next cycle.
            self.state.d.next = self.s_emit.val();
            if self.left.q.val() == self.zero9.val() {
                self.state.d.next = self.s_idle.val();
            }
        }
        if (self.state.q.val() == self.s_emit.val()) & self.free.val() {
            self.ov.d.next = true;
            self.of.d.next = self.dest.read_data.val();
            self.ptr.d.next = (self.ptr.q.val() + self.one_db.val()) & self.pmask.val();
            self.left.d.next = (self.left.q.val() - self.one9.val()) & self.lmask.val();
            self.state.d.next = self.s_dest.val();
        }
        self.busy.next = (self.state.q.val() != self.s_idle.val()) | self.ov.q.val();
        self.out_valid.next = self.ov.q.val();
        self.out_flit.next = self.of.q.val();
    }
}
