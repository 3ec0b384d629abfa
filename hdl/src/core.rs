//! The neuron core: a time-multiplexed crossbar core with one LIF datapath.
//!
//! Per timestep the controller pulses `start` (the core must be idle). The core then updates
//! every neuron once (read state and type index; read type parameters and clear the
//! accumulator; then the pipelined LIF datapath, whose output writes the state back and
//! queues the spike). Meanwhile axon events
//! arriving on `in_*` are integrated into the *other* accumulator bank (parity double
//! buffering), one synapse per clock: the axon's crossbar row streams past the accumulators.
//! Spikes leave on `out_*` (valid/ready) from a FIFO deep enough for one timestep. See
//! `docs/semantics.md` for the arithmetic and `spec/src/memory_map.rs` for the config map.

use crate::adder::NarrowAdd;
use crate::crossbar::Crossbar;
use crate::lif::LifUpdate;
use crate::ram::Ram;
use crate::resize::Resize;
use crate::shape::{CoreShape, AB, DW, NB, TB};
use rust_hdl::prelude::*;

/// One neuron core.
#[derive(LogicBlock)]
pub struct NeuronCore<const D: usize> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// Pulse: start the update of the next timestep. Only while `busy` is low (the port
    /// contract: checking it in logic would put `busy` on the critical path).
    pub start: Signal<In, bool>,
    /// Pulse: zero potentials, refractory counters and accumulators; only while `busy` is low.
    pub clear: Signal<In, bool>,
    /// High while anything is in flight (update, integration, clearing, queued spikes).
    pub busy: Signal<Out, bool>,
    /// Axon event in: valid.
    pub in_valid: Signal<In, bool>,
    /// Axon event in: the axon row.
    pub in_axon: Signal<In, Bits<AB>>,
    /// Axon event in: ready.
    pub in_ready: Signal<Out, bool>,
    /// Spike out: valid.
    pub out_valid: Signal<Out, bool>,
    /// Spike out: neuron index.
    pub out_neuron: Signal<Out, Bits<NB>>,
    /// Spike out: ready.
    pub out_ready: Signal<In, bool>,
    /// Config: memory id (see `spec::memory_map`).
    pub cfg_mem: Signal<In, Bits<4>>,
    /// Config: row (axon or neuron type).
    pub cfg_row: Signal<In, Bits<AB>>,
    /// Config: column (neuron).
    pub cfg_col: Signal<In, Bits<NB>>,
    /// Config: write data.
    pub cfg_wdata: Signal<In, Bits<DW>>,
    /// Config: write strobe; only while `busy` is low and `start`/`clear` are not asserted.
    pub cfg_we: Signal<In, bool>,
    /// Config: read strobe, under the same rule as `cfg_we`; data arrives the next cycle.
    pub cfg_re: Signal<In, bool>,
    /// Config: read data, valid when `cfg_rvalid`.
    pub cfg_rdata: Signal<Out, Bits<DW>>,
    /// Config: read data valid.
    pub cfg_rvalid: Signal<Out, bool>,

    // Memories.
    xbar: Crossbar<D>,
    ntype: Ram<NB, TB>,
    thr: Ram<TB, D>,
    rst: Ram<TB, D>,
    ctl: Ram<TB, 14>,
    pot: Ram<NB, D>,
    refr: Ram<NB, 8>,
    acc0: Ram<NB, D>,
    acc1: Ram<NB, D>,
    fifo: Ram<NB, NB>,
    lif: LifUpdate<D>,
    add: NarrowAdd<D>,
    rs_ntype: Resize<TB, D>,
    rs_ctl: Resize<14, D>,
    rs_refr: Resize<8, D>,
    rs_wdata: Resize<DW, D>,
    rs_rdata: Resize<D, DW>,
    rdata: Signal<Local, Bits<D>>,

    // Shape constants (localparams, so nothing leaks unresolved into the Verilog).
    n_last: Constant<Bits<NB>>,
    // The neuron-index bits this shape uses: counters are masked to them, so Yosys drops the
    // rest of NB.
    nmask: Constant<Bits<NB>>,
    cmask: Constant<Bits<13>>,
    one_nb: Constant<Bits<NB>>,
    zero_nb: Constant<Bits<NB>>,
    zero_dw: Constant<Bits<D>>,
    one_cnt: Constant<Bits<13>>,
    zero_cnt: Constant<Bits<13>>,
    mem_xbar: Constant<Bits<4>>,
    mem_ntype: Constant<Bits<4>>,
    mem_thr: Constant<Bits<4>>,
    mem_rst: Constant<Bits<4>>,
    mem_ctl: Constant<Bits<4>>,
    mem_pot: Constant<Bits<4>>,
    mem_refr: Constant<Bits<4>>,
    mem_acc0: Constant<Bits<4>>,
    mem_acc1: Constant<Bits<4>>,
    zero8: Constant<Bits<8>>,

    // Control registers.
    par: DFF<bool>,
    upd_busy: DFF<bool>,
    upd_j: DFF<Bits<NB>>,
    u1_valid: DFF<bool>,
    u1_j: DFF<Bits<NB>>,
    u2_valid: DFF<bool>,
    u2_j: DFF<Bits<NB>>,
    u2_v: DFF<Bits<D>>,
    u2_r: DFF<Bits<8>>,
    u2_acc: DFF<Bits<D>>,
    int_busy: DFF<bool>,
    int_axon: DFF<Bits<AB>>,
    int_j: DFF<Bits<NB>>,
    s1_valid: DFF<bool>,
    s1_j: DFF<Bits<NB>>,
    fw_hit: DFF<bool>,
    fw_data: DFF<Bits<D>>,
    clr_busy: DFF<bool>,
    clr_j: DFF<Bits<NB>>,
    wptr: DFF<Bits<NB>>,
    rptr: DFF<Bits<NB>>,
    count: DFF<Bits<13>>,
    rd_pending: DFF<bool>,
    ovalid: DFF<bool>,
    odata: DFF<Bits<NB>>,
    cfg_rv: DFF<bool>,
    cfg_sel: DFF<Bits<4>>,
    ty1: DFF<Bits<TB>>,
    ty2: DFF<Bits<TB>>,
    ty3: DFF<Bits<TB>>,
    ty4: DFF<Bits<TB>>,

    // Combinational helpers.
    idle: Signal<Local, bool>,
    accept: Signal<Local, bool>,
    int_last: Signal<Local, bool>,
    acc_old: Signal<Local, Bits<D>>,
    acc_sum: Signal<Local, Bits<D>>,
    acc_cur: Signal<Local, Bits<D>>,
    issue: Signal<Local, bool>,
    push: Signal<Local, bool>,
    cfg_w: Signal<Local, bool>,
    cfg_r: Signal<Local, bool>,
}

impl<const D: usize> NeuronCore<D> {
    /// A core of the given shape, all memories zero.
    pub fn new(s: &CoreShape) -> Self {
        let nb = |v: usize| Constant::new(Bits::<NB>::from(v as u64));
        let m4 = |v: u8| Constant::new(Bits::<4>::from(v as u64));
        use spikemesh_spec::memory_map as mm;
        Self {
            clock: Default::default(),
            start: Default::default(),
            clear: Default::default(),
            busy: Default::default(),
            in_valid: Default::default(),
            in_axon: Default::default(),
            in_ready: Default::default(),
            out_valid: Default::default(),
            out_neuron: Default::default(),
            out_ready: Default::default(),
            cfg_mem: Default::default(),
            cfg_row: Default::default(),
            cfg_col: Default::default(),
            cfg_wdata: Default::default(),
            cfg_we: Default::default(),
            cfg_re: Default::default(),
            cfg_rdata: Default::default(),
            cfg_rvalid: Default::default(),
            xbar: Crossbar::new(s.axons, s.neurons, s.weight_bits, s.crossbar),
            ntype: Ram::new(s.neurons, crate::shape::addr_bits(s.types), false),
            thr: Ram::new(s.types, s.potential_bits, true),
            rst: Ram::new(s.types, s.potential_bits, true),
            ctl: {
                let f = mm::type_control_fields(s.potential_bits as u32, s.refractory_bits as u32);
                Ram::packed(s.types, &f.map(|(lo, w)| (lo as usize, w as usize)))
            },
            pot: Ram::new(s.neurons, s.potential_bits, true),
            refr: Ram::new(s.neurons, s.refractory_bits.max(1), false),
            acc0: Ram::new(s.neurons, s.acc_bits, true),
            acc1: Ram::new(s.neurons, s.acc_bits, true),
            fifo: Ram::new(s.neurons, s.neuron_bits(), false),
            lif: LifUpdate::new(s.potential_bits),
            add: NarrowAdd::new(s.acc_bits),
            rs_ntype: Resize::zero(),
            rs_ctl: Resize::zero(),
            rs_refr: Resize::zero(),
            rs_wdata: Resize::zero(),
            rs_rdata: Resize::sign(),
            rdata: Default::default(),
            n_last: nb(s.neurons - 1),
            nmask: nb((1 << s.neuron_bits()) - 1),
            cmask: Constant::new(Bits::<13>::from((1u64 << (s.neuron_bits() + 1)) - 1)),
            one_nb: nb(1),
            zero_nb: nb(0),
            zero_dw: Constant::new(Bits::<D>::from(0u64)),
            one_cnt: Constant::new(Bits::<13>::from(1u64)),
            zero_cnt: Constant::new(Bits::<13>::from(0u64)),
            mem_xbar: m4(mm::CROSSBAR),
            mem_ntype: m4(mm::NEURON_TYPE),
            mem_thr: m4(mm::TYPE_THRESHOLD),
            mem_rst: m4(mm::TYPE_RESET),
            mem_ctl: m4(mm::TYPE_CONTROL),
            mem_pot: m4(mm::POTENTIAL),
            mem_refr: m4(mm::REFRACTORY),
            mem_acc0: m4(mm::ACC0),
            mem_acc1: m4(mm::ACC1),
            zero8: Constant::new(Bits::<8>::from(0u64)),
            par: Default::default(),
            upd_busy: Default::default(),
            upd_j: Default::default(),
            u1_valid: Default::default(),
            u1_j: Default::default(),
            u2_valid: Default::default(),
            u2_j: Default::default(),
            u2_v: Default::default(),
            u2_r: Default::default(),
            u2_acc: Default::default(),
            int_busy: Default::default(),
            int_axon: Default::default(),
            int_j: Default::default(),
            s1_valid: Default::default(),
            s1_j: Default::default(),
            fw_hit: Default::default(),
            fw_data: Default::default(),
            clr_busy: Default::default(),
            clr_j: Default::default(),
            wptr: Default::default(),
            rptr: Default::default(),
            count: Default::default(),
            rd_pending: Default::default(),
            ovalid: Default::default(),
            odata: Default::default(),
            cfg_rv: Default::default(),
            cfg_sel: Default::default(),
            ty1: Default::default(),
            ty2: Default::default(),
            ty3: Default::default(),
            ty4: Default::default(),
            idle: Default::default(),
            accept: Default::default(),
            int_last: Default::default(),
            acc_old: Default::default(),
            acc_sum: Default::default(),
            acc_cur: Default::default(),
            issue: Default::default(),
            push: Default::default(),
            cfg_w: Default::default(),
            cfg_r: Default::default(),
        }
    }
}

impl<const D: usize> Logic for NeuronCore<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, par, upd_busy, upd_j, u1_valid, u1_j, u2_valid, u2_j, u2_v, u2_r, u2_acc, int_busy, int_axon,
            int_j, s1_valid, s1_j, fw_hit, fw_data, clr_busy, clr_j, wptr, rptr, count, rd_pending, ovalid, odata,
            cfg_rv, cfg_sel, ty1, ty2, ty3, ty4
        );
        clock!(self, clock, xbar, ntype, thr, rst, ctl, pot, refr, acc0, acc1, fifo, lif);

        self.idle.next = !self.upd_busy.q.val()
            & !self.u1_valid.q.val()
            & !self.u2_valid.q.val()
            & !self.lif.busy.val()
            & !self.int_busy.q.val()
            & !self.s1_valid.q.val()
            & !self.clr_busy.q.val()
            & (self.count.q.val() == self.zero_cnt.val())
            & !self.rd_pending.q.val()
            & !self.ovalid.q.val();
        self.busy.next = !self.idle.val();
        // The config port is only used while idle (its contract, which the host bridge and the
        // loaders keep); not re-checking `idle` here keeps it off the SPRAM address path.
        self.cfg_w.next = self.cfg_we.val();
        self.cfg_r.next = self.cfg_re.val();

        // Integrate stage 1 (computed first: port defaults below use the sum). The previous
        // cycle's write is forwarded, so a RAM never has to return a same-cycle write.
        self.acc_old.next = self.acc0.read_data.val();
        if !self.par.q.val() {
            self.acc_old.next = self.acc1.read_data.val();
        }
        if self.fw_hit.q.val() {
            self.acc_old.next = self.fw_data.q.val();
        }
        self.add.a.next = self.acc_old.val();
        self.add.b.next = self.xbar.read_data.val();
        self.acc_sum.next = self.add.sum.val();

        // ---- memory port defaults: reads follow the engines, nothing is written ----
        self.xbar.read_row.next = self.int_axon.q.val();
        self.xbar.read_col.next = self.int_j.q.val();
        self.xbar.write_row.next = self.cfg_row.val();
        self.xbar.write_col.next = self.cfg_col.val();
        self.rs_wdata.wide_in.next = self.cfg_wdata.val();
        self.xbar.write_data.next = self.rs_wdata.wide_out.val();
        self.xbar.write_enable.next = false;
        self.ntype.read_address.next = self.upd_j.q.val();
        self.ntype.write_address.next = self.cfg_col.val();
        self.ntype.write_data.next = self.cfg_wdata.val().get_bits::<TB>(0);
        self.ntype.write_enable.next = false;
        // The threshold and reset are read just in time for the datapath stage that uses them.
        self.thr.read_address.next = self.ty3.q.val();
        self.rst.read_address.next = self.ty4.q.val();
        self.ty1.d.next = self.ntype.read_data.val();
        self.ty2.d.next = self.ty1.q.val();
        self.ty3.d.next = self.ty2.q.val();
        self.ty4.d.next = self.ty3.q.val();
        self.ctl.read_address.next = self.ntype.read_data.val();
        self.thr.write_address.next = self.cfg_row.val().get_bits::<TB>(0);
        self.rst.write_address.next = self.cfg_row.val().get_bits::<TB>(0);
        self.ctl.write_address.next = self.cfg_row.val().get_bits::<TB>(0);
        self.thr.write_data.next = self.rs_wdata.wide_out.val();
        self.rst.write_data.next = self.rs_wdata.wide_out.val();
        self.ctl.write_data.next = self.cfg_wdata.val().get_bits::<14>(0);
        self.thr.write_enable.next = false;
        self.rst.write_enable.next = false;
        self.ctl.write_enable.next = false;
        self.pot.read_address.next = self.upd_j.q.val();
        self.refr.read_address.next = self.upd_j.q.val();
        self.pot.write_address.next = self.lif.out_tag.val();
        self.refr.write_address.next = self.lif.out_tag.val();
        self.pot.write_data.next = unsigned_cast(self.lif.v_next.val());
        self.refr.write_data.next = self.lif.refractory_next.val();
        self.pot.write_enable.next = self.lif.out_valid.val() & self.lif.write_v.val();
        self.refr.write_enable.next = self.lif.out_valid.val();
        self.fifo.read_address.next = self.rptr.q.val();
        self.fifo.write_address.next = self.wptr.q.val();
        self.fifo.write_data.next = self.lif.out_tag.val();
        self.fifo.write_enable.next = false;

        // ---- accumulator banks: `par` is the bank being updated, !par is integrated ----
        self.acc0.read_address.next = self.s1_j.q.val();
        self.acc1.read_address.next = self.s1_j.q.val();
        self.acc0.write_address.next = self.s1_j.q.val();
        self.acc1.write_address.next = self.s1_j.q.val();
        self.acc0.write_data.next = self.acc_sum.val();
        self.acc1.write_data.next = self.acc_sum.val();
        self.acc0.write_enable.next = false;
        self.acc1.write_enable.next = false;
        self.acc_cur.next = self.acc0.read_data.val();
        if self.par.q.val() {
            self.acc_cur.next = self.acc1.read_data.val();
        }

        // ---- integrate: stage 0 reads weight and accumulator of (axon, j) ----
        self.int_last.next = self.int_j.q.val() == self.n_last.val();
        self.in_ready.next =
            (!self.int_busy.q.val() | self.int_last.val()) & !self.clr_busy.q.val() & !self.clear.val();
        self.accept.next = self.in_valid.val() & self.in_ready.val();
        self.s1_valid.d.next = self.int_busy.q.val();
        self.s1_j.d.next = self.int_j.q.val();
        if self.int_busy.q.val() {
            self.int_j.d.next = (self.int_j.q.val() + self.one_nb.val()) & self.nmask.val();
            if self.int_last.val() {
                self.int_busy.d.next = false;
            }
            if self.par.q.val() {
                self.acc0.read_address.next = self.int_j.q.val();
            } else {
                self.acc1.read_address.next = self.int_j.q.val();
            }
        }
        if self.accept.val() {
            self.int_busy.d.next = true;
            self.int_axon.d.next = self.in_axon.val();
            self.int_j.d.next = self.zero_nb.val();
        }
        // ---- integrate: stage 1 adds and writes back, forwarding the previous write ----
        // The neuron entering stage 1 next cycle is the one stage 1 writes now: forward it.
        // (Only a 1-neuron core reads one accumulator on consecutive cycles.)
        self.fw_hit.d.next = self.s1_valid.q.val() & self.int_busy.q.val() & (self.s1_j.q.val() == self.int_j.q.val());
        self.fw_data.d.next = self.acc_sum.val();
        if self.s1_valid.q.val() {
            if self.par.q.val() {
                self.acc0.write_enable.next = true;
            } else {
                self.acc1.write_enable.next = true;
            }
        }

        // ---- update: U0 reads state, U1 reads the type, U2 computes and writes back ----
        self.u1_valid.d.next = self.upd_busy.q.val();
        self.u1_j.d.next = self.upd_j.q.val();
        if self.upd_busy.q.val() {
            self.upd_j.d.next = (self.upd_j.q.val() + self.one_nb.val()) & self.nmask.val();
            if self.upd_j.q.val() == self.n_last.val() {
                self.upd_busy.d.next = false;
            }
            if self.par.q.val() {
                self.acc1.read_address.next = self.upd_j.q.val();
            } else {
                self.acc0.read_address.next = self.upd_j.q.val();
            }
        }
        self.u2_valid.d.next = self.u1_valid.q.val();
        self.u2_j.d.next = self.u1_j.q.val();
        self.u2_v.d.next = self.pot.read_data.val();
        self.u2_r.d.next = self.refr.read_data.val();
        self.u2_acc.d.next = self.acc_cur.val();
        self.lif.in_valid.next = self.u2_valid.q.val();
        self.lif.tag.next = self.u2_j.q.val();
        self.lif.v.next = signed_cast(self.u2_v.q.val());
        self.lif.refractory.next = self.u2_r.q.val();
        self.lif.acc.next = signed_cast(self.u2_acc.q.val());
        self.lif.threshold.next = signed_cast(self.thr.read_data.val());
        self.lif.reset.next = signed_cast(self.rst.read_data.val());
        self.lif.leak_shift.next = self.ctl.read_data.val().get_bits::<5>(0);
        self.lif.subtract.next = self.ctl.read_data.val().get_bit(5);
        self.lif.refractory_period.next = self.ctl.read_data.val().get_bits::<8>(6);
        if self.u2_valid.q.val() {
            // Clear the updated neuron's accumulator for reuse two timesteps on.
            if self.par.q.val() {
                self.acc1.write_address.next = self.u2_j.q.val();
                self.acc1.write_data.next = self.zero_dw.val();
                self.acc1.write_enable.next = true;
            } else {
                self.acc0.write_address.next = self.u2_j.q.val();
                self.acc0.write_data.next = self.zero_dw.val();
                self.acc0.write_enable.next = true;
            }
        }
        self.push.next = self.lif.out_valid.val() & self.lif.fire.val();
        if self.start.val() {
            self.par.d.next = !self.par.q.val();
            self.upd_busy.d.next = true;
            self.upd_j.d.next = self.zero_nb.val();
        }

        // ---- spike FIFO: one read in flight at a time, data lands in the output register ----
        self.issue.next = (self.count.q.val() != self.zero_cnt.val())
            & !self.rd_pending.q.val()
            & (!self.ovalid.q.val() | self.out_ready.val());
        self.rd_pending.d.next = self.issue.val();
        if self.ovalid.q.val() & self.out_ready.val() {
            self.ovalid.d.next = false;
        }
        if self.rd_pending.q.val() {
            self.ovalid.d.next = true;
            self.odata.d.next = self.fifo.read_data.val();
        }
        if self.issue.val() {
            self.rptr.d.next = (self.rptr.q.val() + self.one_nb.val()) & self.nmask.val();
            if self.rptr.q.val() == self.n_last.val() {
                self.rptr.d.next = self.zero_nb.val();
            }
        }
        if self.push.val() {
            self.fifo.write_enable.next = true;
            self.wptr.d.next = (self.wptr.q.val() + self.one_nb.val()) & self.nmask.val();
            if self.wptr.q.val() == self.n_last.val() {
                self.wptr.d.next = self.zero_nb.val();
            }
        }
        if self.push.val() & !self.issue.val() {
            self.count.d.next = (self.count.q.val() + self.one_cnt.val()) & self.cmask.val();
        }
        if !self.push.val() & self.issue.val() {
            self.count.d.next = (self.count.q.val() - self.one_cnt.val()) & self.cmask.val();
        }
        self.out_valid.next = self.ovalid.q.val();
        self.out_neuron.next = self.odata.q.val();

        // ---- clear: zero state and both accumulator banks, one neuron per clock ----
        if self.clear.val() {
            self.clr_busy.d.next = true;
            self.clr_j.d.next = self.zero_nb.val();
            self.par.d.next = false;
        }
        if self.clr_busy.q.val() {
            self.clr_j.d.next = (self.clr_j.q.val() + self.one_nb.val()) & self.nmask.val();
            if self.clr_j.q.val() == self.n_last.val() {
                self.clr_busy.d.next = false;
            }
            self.pot.write_address.next = self.clr_j.q.val();
            self.pot.write_data.next = self.zero_dw.val();
            self.pot.write_enable.next = true;
            self.refr.write_address.next = self.clr_j.q.val();
            self.refr.write_data.next = self.zero8.val();
            self.refr.write_enable.next = true;
            self.acc0.write_address.next = self.clr_j.q.val();
            self.acc0.write_data.next = self.zero_dw.val();
            self.acc0.write_enable.next = true;
            self.acc1.write_address.next = self.clr_j.q.val();
            self.acc1.write_data.next = self.zero_dw.val();
            self.acc1.write_enable.next = true;
        }

        // ---- configuration port (idle only): writes, and reads answered next cycle ----
        if self.cfg_w.val() {
            if self.cfg_mem.val() == self.mem_xbar.val() {
                self.xbar.write_enable.next = true;
            }
            if self.cfg_mem.val() == self.mem_ntype.val() {
                self.ntype.write_enable.next = true;
            }
            if self.cfg_mem.val() == self.mem_thr.val() {
                self.thr.write_enable.next = true;
            }
            if self.cfg_mem.val() == self.mem_rst.val() {
                self.rst.write_enable.next = true;
            }
            if self.cfg_mem.val() == self.mem_ctl.val() {
                self.ctl.write_enable.next = true;
            }
            if self.cfg_mem.val() == self.mem_pot.val() {
                self.pot.write_address.next = self.cfg_col.val();
                self.pot.write_data.next = self.rs_wdata.wide_out.val();
                self.pot.write_enable.next = true;
            }
            if self.cfg_mem.val() == self.mem_refr.val() {
                self.refr.write_address.next = self.cfg_col.val();
                self.refr.write_data.next = self.cfg_wdata.val().get_bits::<8>(0);
                self.refr.write_enable.next = true;
            }
        }
        if self.cfg_r.val() {
            self.xbar.read_row.next = self.cfg_row.val();
            self.xbar.read_col.next = self.cfg_col.val();
            self.ntype.read_address.next = self.cfg_col.val();
            self.thr.read_address.next = self.cfg_row.val().get_bits::<TB>(0);
            self.rst.read_address.next = self.cfg_row.val().get_bits::<TB>(0);
            self.ctl.read_address.next = self.cfg_row.val().get_bits::<TB>(0);
            self.pot.read_address.next = self.cfg_col.val();
            self.refr.read_address.next = self.cfg_col.val();
            self.acc0.read_address.next = self.cfg_col.val();
            self.acc1.read_address.next = self.cfg_col.val();
        }
        self.rs_ntype.wide_in.next = self.ntype.read_data.val();
        self.rs_ctl.wide_in.next = self.ctl.read_data.val();
        self.rs_refr.wide_in.next = self.refr.read_data.val();
        self.cfg_rv.d.next = self.cfg_r.val();
        self.cfg_sel.d.next = self.cfg_mem.val();
        self.cfg_rvalid.next = self.cfg_rv.q.val();
        self.rdata.next = self.zero_dw.val();
        if self.cfg_sel.q.val() == self.mem_xbar.val() {
            self.rdata.next = self.xbar.read_data.val();
        }
        if self.cfg_sel.q.val() == self.mem_ntype.val() {
            self.rdata.next = self.rs_ntype.wide_out.val();
        }
        if self.cfg_sel.q.val() == self.mem_thr.val() {
            self.rdata.next = self.thr.read_data.val();
        }
        if self.cfg_sel.q.val() == self.mem_rst.val() {
            self.rdata.next = self.rst.read_data.val();
        }
        if self.cfg_sel.q.val() == self.mem_ctl.val() {
            self.rdata.next = self.rs_ctl.wide_out.val();
        }
        if self.cfg_sel.q.val() == self.mem_pot.val() {
            self.rdata.next = self.pot.read_data.val();
        }
        if self.cfg_sel.q.val() == self.mem_refr.val() {
            self.rdata.next = self.rs_refr.wide_out.val();
        }
        if self.cfg_sel.q.val() == self.mem_acc0.val() {
            self.rdata.next = self.acc0.read_data.val();
        }
        if self.cfg_sel.q.val() == self.mem_acc1.val() {
            self.rdata.next = self.acc1.read_data.val();
        }
        self.rs_rdata.wide_in.next = self.rdata.val();
        self.cfg_rdata.next = self.rs_rdata.wide_out.val();
    }
}
