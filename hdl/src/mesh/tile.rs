//! A mesh tile: one neuron core, its fan-out unit and its router. The router's local port
//! carries axon events into the core and the fan-out unit's flits out; the four other ports
//! are the tile's links (0 north, 1 east, 2 south, 3 west).

use crate::core::NeuronCore;
use crate::mesh::fanout::{FanOut, DB};
use crate::mesh::router::{Router, FLIT};
use crate::shape::{CoreShape, AB, DW, NB};
use rust_hdl::prelude::*;

/// One tile of the mesh.
#[derive(LogicBlock)]
pub struct Tile<const D: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Mesh position x.
    pub my_x: Signal<In, Bits<4>>,
    /// Mesh position y.
    pub my_y: Signal<In, Bits<4>>,
    /// Start the next timestep (broadcast; only while the mesh is quiet).
    pub start: Signal<In, bool>,
    /// Zero the neuron state (broadcast; only while the mesh is quiet).
    pub clear: Signal<In, bool>,
    /// Core, fan-out or router hold work.
    pub busy: Signal<Out, bool>,
    /// Links in: valid.
    pub in_valid: [Signal<In, bool>; 4],
    /// Links in: flit.
    pub in_flit: [Signal<In, Bits<FLIT>>; 4],
    /// Links in: ready.
    pub in_ready: [Signal<Out, bool>; 4],
    /// Links out: valid.
    pub out_valid: [Signal<Out, bool>; 4],
    /// Links out: flit.
    pub out_flit: [Signal<Out, Bits<FLIT>>; 4],
    /// Links out: ready.
    pub out_ready: [Signal<In, bool>; 4],
    /// Config: this tile is addressed.
    pub cfg_sel: Signal<In, bool>,
    /// Config: memory id.
    pub cfg_mem: Signal<In, Bits<4>>,
    /// Config: row (axon, type or destination entry).
    pub cfg_row: Signal<In, Bits<DB>>,
    /// Config: column (neuron).
    pub cfg_col: Signal<In, Bits<NB>>,
    /// Config: write data.
    pub cfg_wdata: Signal<In, Bits<DW>>,
    /// Config: write strobe.
    pub cfg_we: Signal<In, bool>,
    /// Config: read strobe.
    pub cfg_re: Signal<In, bool>,
    /// Config: read data (zero unless this tile answered).
    pub cfg_rdata: Signal<Out, Bits<DW>>,
    /// Config: this tile answers a read this cycle.
    pub cfg_rvalid: Signal<Out, bool>,
    core: NeuronCore<D>,
    fanout: FanOut,
    router: Router,
    rsel: DFF<bool>,
    rsel_fan: DFF<bool>,
    is_fan: Signal<Local, bool>,
    axon: crate::arith::resize::Resize<FLIT, AB>,
    mem_fan: Constant<Bits<4>>,
    mem_dest: Constant<Bits<4>>,
    mem_xbar: Constant<Bits<4>>,
    mem_adly: Constant<Bits<4>>,
    zero_dw: Constant<Bits<DW>>,
    // The core's own crossbar rows, and whether the chip addresses more (`core_axons`): an
    // event or a row write beyond them must not reach a memory that does not hold the row
    // (its address would wrap onto a real row). False on a chip without `core_axons`, where
    // the bridge's bound is the core's, and Yosys removes the comparisons.
    rows: Constant<Bits<AB>>,
    guard: Constant<bool>,
    // With shared kernels (`spec::kernel`) the crossbar holds kernel rows, not axon rows: its
    // own count and guard; the tap table holds the axon rows (`TAP`).
    xrows: Constant<Bits<AB>>,
    xguard: Constant<bool>,
    kern: Constant<bool>,
    mem_tap: Constant<Bits<4>>,
    beyond_ev: Signal<Local, bool>,
    beyond_cfg: Signal<Local, bool>,
    rbeyond: DFF<bool>,
}

impl<const D: usize> Tile<D> {
    /// A tile of `shape` with `destinations` fan-out entries, packed as `packing` says.
    pub fn new(shape: &CoreShape, destinations: usize, packing: &crate::mesh::fanout::Packing) -> Self {
        use spikemesh_spec::memory_map as mm;
        Self {
            clock: Default::default(),
            my_x: Default::default(),
            my_y: Default::default(),
            start: Default::default(),
            clear: Default::default(),
            busy: Default::default(),
            in_valid: Default::default(),
            in_flit: Default::default(),
            in_ready: Default::default(),
            out_valid: Default::default(),
            out_flit: Default::default(),
            out_ready: Default::default(),
            cfg_sel: Default::default(),
            cfg_mem: Default::default(),
            cfg_row: Default::default(),
            cfg_col: Default::default(),
            cfg_wdata: Default::default(),
            cfg_we: Default::default(),
            cfg_re: Default::default(),
            cfg_rdata: Default::default(),
            cfg_rvalid: Default::default(),
            core: NeuronCore::new(shape),
            fanout: FanOut::new(shape.neurons, destinations, packing),
            router: Router::with_mask(packing.flit, shape.router_fifo),
            rsel: Default::default(),
            rsel_fan: Default::default(),
            is_fan: Default::default(),
            axon: crate::arith::resize::Resize::zero(),
            mem_fan: Constant::new(Bits::<4>::from(mm::FANOUT as u64)),
            mem_dest: Constant::new(Bits::<4>::from(mm::DESTINATION as u64)),
            zero_dw: Constant::new(Bits::<DW>::from(0u64)),
            mem_xbar: Constant::new(Bits::<4>::from(mm::CROSSBAR as u64)),
            mem_adly: Constant::new(Bits::<4>::from(mm::AXON_DELAY as u64)),
            // Read only when guarded (fewer rows than `axons_per_core` <= 16384); a chip of 16384
            // rows would not fit AB bits, and its tile has no guard.
            rows: Constant::new(Bits::<AB>::from(shape.axons.min((1 << AB) - 1) as u64)),
            guard: Constant::new(shape.guards_rows()),
            xrows: Constant::new(Bits::<AB>::from(shape.crossbar_size().0.min((1 << AB) - 1) as u64)),
            xguard: Constant::new(shape.crossbar_size().0 < shape.axon_space),
            kern: Constant::new(shape.kernel.is_some()),
            mem_tap: Constant::new(Bits::<4>::from(mm::TAP as u64)),
            beyond_ev: Default::default(),
            beyond_cfg: Default::default(),
            rbeyond: Default::default(),
        }
    }
}

impl<const D: usize> Logic for Tile<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rsel, rsel_fan, rbeyond);
        clock!(self, clock, core, fanout, router);
        self.router.my_x.next = self.my_x.val();
        self.router.my_y.next = self.my_y.val();
        self.fanout.my_x.next = self.my_x.val();
        self.fanout.my_y.next = self.my_y.val();
        for i in 0..4 {
            self.router.in_valid[i].next = self.in_valid[i].val();
            self.router.in_flit[i].next = self.in_flit[i].val();
            self.in_ready[i].next = self.router.in_ready[i].val();
            self.out_valid[i].next = self.router.out_valid[i].val();
            self.out_flit[i].next = self.router.out_flit[i].val();
            self.router.out_ready[i].next = self.out_ready[i].val();
        }
        // Local port: fan-out flits in, axon events out to the core.
        self.router.in_valid[4].next = self.fanout.out_valid.val();
        self.router.in_flit[4].next = self.fanout.out_flit.val();
        self.fanout.out_ready.next = self.router.in_ready[4].val();
        // An event to an axon beyond the core's rows has no synapses (`docs/semantics.md`,
        // "Crossbar rows per core"): the tile takes it from the router and drops it.
        self.axon.wide_in.next = self.router.out_flit[4].val();
        self.beyond_ev.next = self.guard.val() & (self.axon.wide_out.val() >= self.rows.val());
        self.core.in_valid.next = self.router.out_valid[4].val() & !self.beyond_ev.val();
        self.core.in_axon.next = self.axon.wide_out.val();
        self.router.out_ready[4].next = self.core.in_ready.val() | self.beyond_ev.val();
        // Spikes from the core into the fan-out unit.
        self.fanout.spike_valid.next = self.core.out_valid.val();
        self.fanout.spike_neuron.next = self.core.out_neuron.val();
        self.core.out_ready.next = self.fanout.spike_ready.val();
        self.core.start.next = self.start.val();
        self.core.clear.next = self.clear.val();
        self.busy.next = self.core.busy.val() | self.fanout.busy.val() | self.router.occupied.val();
        // Configuration: core memories by id, fan-out memories by their ids.
        self.core.cfg_mem.next = self.cfg_mem.val();
        self.core.cfg_row.next = self.cfg_row.val().get_bits::<AB>(0);
        self.core.cfg_col.next = self.cfg_col.val();
        self.core.cfg_wdata.next = self.cfg_wdata.val();
        // Rows beyond the core's own: writes are ignored, reads answer zero.
        self.beyond_cfg.next = (self.guard.val()
            & (self.cfg_row.val().get_bits::<AB>(0) >= self.rows.val())
            & ((self.cfg_mem.val() == self.mem_adly.val())
                | ((self.cfg_mem.val() == self.mem_tap.val()) & self.kern.val())
                | ((self.cfg_mem.val() == self.mem_xbar.val()) & !self.kern.val())))
            | (self.xguard.val()
                & self.kern.val()
                & (self.cfg_row.val().get_bits::<AB>(0) >= self.xrows.val())
                & (self.cfg_mem.val() == self.mem_xbar.val()));
        self.core.cfg_we.next = self.cfg_we.val() & self.cfg_sel.val() & !self.beyond_cfg.val();
        // Fan-out table and destination memory live in the fan-out unit, the rest in the core.
        self.is_fan.next = (self.cfg_mem.val() == self.mem_fan.val()) | (self.cfg_mem.val() == self.mem_dest.val());
        self.core.cfg_re.next = self.cfg_re.val() & self.cfg_sel.val() & !self.is_fan.val();
        self.fanout.cfg_re.next = self.cfg_re.val() & self.cfg_sel.val() & self.is_fan.val();
        self.fanout.cfg_rd_dest.next = self.cfg_mem.val() == self.mem_dest.val();
        self.fanout.cfg_col.next = self.cfg_col.val();
        self.fanout.cfg_row.next = self.cfg_row.val();
        self.fanout.cfg_wdata.next = self.cfg_wdata.val();
        self.fanout.cfg_we_fan.next =
            self.cfg_we.val() & self.cfg_sel.val() & (self.cfg_mem.val() == self.mem_fan.val());
        self.fanout.cfg_we_dest.next =
            self.cfg_we.val() & self.cfg_sel.val() & (self.cfg_mem.val() == self.mem_dest.val());
        self.rsel.d.next = self.cfg_re.val() & self.cfg_sel.val() & !self.is_fan.val();
        self.rsel_fan.d.next = self.cfg_re.val() & self.cfg_sel.val() & self.is_fan.val();
        self.rbeyond.d.next = self.beyond_cfg.val();
        self.cfg_rvalid.next = self.core.cfg_rvalid.val() | self.rsel_fan.q.val();
        self.cfg_rdata.next = self.zero_dw.val();
        if self.rsel.q.val() & !self.rbeyond.q.val() {
            self.cfg_rdata.next = self.core.cfg_rdata.val();
        }
        if self.rsel_fan.q.val() {
            self.cfg_rdata.next = self.fanout.cfg_rdata.val();
        }
    }
}
