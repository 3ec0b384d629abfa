//! The core each clock: the neuron update, the type-parameter cache, axon integration one
//! crossbar word per clock, the spike queue and the configuration port.

use super::*;

impl<const D: usize> Logic for NeuronCore<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, upd_busy, j, u1_valid, u1_j, wb_j, have, cur, fetch, next_t, p1, p2, p3, p4, int_busy,
            s1_valid, s1_j, fw_hit, fw0, fw1, fw2, fw3, clr_busy, wptr, rptr, rd_pending, ovalid, odata, cfg_rv,
            cfg_sel, head, s1_slot, clr_slot, tap
        );
        clock!(self, clock, xbar, tq, types, pot, aux, accr, adly, taps, dp);

        // An update is in flight from `start` until its last write-back: integration waits.
        self.updating.next = self.upd_busy.q.val()
            | self.u1_valid.q.val()
            | self.dp.busy.val()
            | (self.fetch.q.val() != self.zero3.val());
        self.idle.next = !self.updating.val()
            & !self.int_busy.q.val()
            & !self.s1_valid.q.val()
            & !self.clr_busy.q.val()
            & (self.rptr.q.val() == self.wptr.q.val())
            & !self.rd_pending.q.val()
            & !self.ovalid.q.val();
        self.busy.next = !self.idle.val();
        // The config port is only used while idle (its contract, which the host bridge and the
        // loaders keep); not re-checking `idle` here keeps it off the SPRAM address path.
        self.cfg_w.next = self.cfg_we.val();
        self.cfg_r.next = self.cfg_re.val();

        // Shared kernels: the tap word in flight (`memory_map::tap_word`: row 13:0, base
        // 25:14, last 26), and the accumulator word integration reads (j + base).
        self.seg_end.next = self.j.q.val() == self.seg_last.val();
        self.krow.next = self.taps.read_data.val().get_bits::<AB>(0);
        self.tap_last.next = self.taps.read_data.val().get_bit(26);
        self.kbase.next = self.zero_nb.val();
        if self.kern.val() & self.int_busy.q.val() {
            self.kbase.next = self.taps.read_data.val().get_bits::<NB>(14);
        }
        self.ridx.next = self.j.q.val() + self.kbase.val();

        // Integrate stage 1 (computed first: port defaults below use the sum). The previous
        // cycle's write is forwarded, so a RAM never has to return a same-cycle write.
        self.old0.next = self.accr.lane0.val();
        self.old1.next = self.accr.lane1.val();
        self.old2.next = self.accr.lane2.val();
        self.old3.next = self.accr.lane3.val();
        if self.fw_hit.q.val() {
            self.old0.next = self.fw0.q.val();
            self.old1.next = self.fw1.q.val();
            self.old2.next = self.fw2.q.val();
            self.old3.next = self.fw3.q.val();
        }
        self.add0.a.next = self.old0.val();
        self.add0.b.next = self.xbar.lane0.val();
        self.add1.a.next = self.old1.val();
        self.add1.b.next = self.xbar.lane1.val();
        self.add2.a.next = self.old2.val();
        self.add2.b.next = self.xbar.lane2.val();
        self.add3.a.next = self.old3.val();
        self.add3.b.next = self.xbar.lane3.val();

        // ---- memory port defaults: reads follow the engines, nothing is written ----
        // The event being integrated stays on `in_axon` until its last synapse (then `in_ready`).
        self.xbar.read_row.next = self.in_axon.val();
        if self.kern.val() {
            self.xbar.read_row.next = self.krow.val();
        }
        self.xbar.read_col.next = self.j.q.val();
        self.xbar.write_row.next = self.cfg_row.val();
        self.xbar.write_col.next = self.cfg_col.val();
        self.rs_wdata.wide_in.next = self.cfg_wdata.val();
        self.xbar.write_data.next = self.rs_wdata.wide_out.val();
        self.xbar.write_enable.next = false;
        // Type-index / queue RAM: the update reads types, otherwise the queue is read.
        self.tq.read_address.next = self.rptr.q.val() | self.qbase.val();
        self.rs_col.wide_in.next = self.cfg_col.val();
        self.tq.write_address.next = self.rs_col.wide_out.val();
        self.tq.write_data.next = self.cfg_wdata.val().get_bits::<NB>(0);
        self.tq.write_enable.next = false;
        // Type parameters: refills read them, config writes them.
        self.rs_trow.wide_in.next = self.cfg_row.val().get_bits::<TB>(0);
        self.rs_tyw.wide_in.next = self.cur.q.val();
        self.types.read_address.next = self.rs_tyw.wide_out.val() | self.t0.val();
        self.cfg_taddr.next = self.rs_trow.wide_out.val() | self.t0.val();
        if self.cfg_mem.val() == self.mem_rst.val() {
            self.cfg_taddr.next = self.rs_trow.wide_out.val() | self.t1.val();
        }
        if self.cfg_mem.val() == self.mem_ctl.val() {
            self.cfg_taddr.next = self.rs_trow.wide_out.val() | self.t2.val();
        }
        if self.cfg_mem.val() == self.mem_w3.val() {
            self.cfg_taddr.next = self.rs_trow.wide_out.val() | self.t3.val();
        }
        if self.cfg_mem.val() == self.mem_w4.val() {
            self.cfg_taddr.next = self.rs_trow.wide_out.val() | self.t4.val();
        }
        self.types.write_address.next = self.cfg_taddr.val();
        self.types.write_data.next = self.rs_wdata.wide_out.val();
        self.types.write_enable.next = false;
        self.pot.read_address.next = self.j.q.val();
        self.pot.write_address.next = self.wb_j.q.val();
        self.pot.write_data.next = unsigned_cast(self.dp.v_next.val());
        self.pot.write_enable.next = self.dp.out_valid.val() & self.dp.write_v.val();
        self.aux.read_address.next = self.j.q.val();
        self.aux.write_address.next = self.wb_j.q.val();
        self.aux.write_data.next = self.dp.aux_next.val();
        self.aux.write_enable.next = self.dp.out_valid.val() & self.has_aux.val();
        // Accumulator + refractory word: the update's write-back sets the counter and zeroes
        // the accumulator for the next timestep's events. Ring slots: the update reads and
        // zeroes `head`; the config port reads the next update's slot; an event adds into
        // head + 1 + its row's delay (the delay RAM reads the offered axon's row a clock ahead:
        // the axon stays on `in_axon` from acceptance to its last synapse).
        self.adly.read_address.next = self.in_axon.val();
        self.adly.write_address.next = self.cfg_row.val();
        self.adly.write_data.next = self.cfg_wdata.val().get_bits::<4>(0);
        self.adly.write_enable.next = false;
        // Shared kernels: the tap table reads the offered axon's tap in flight, and the next
        // one at a segment's last word, so each tap's word is out when its segment starts
        // (the axon stays on `in_axon` from acceptance to its last synapse, as for `adly`).
        self.taps.read_axon.next = self.in_axon.val();
        self.taps.read_tap.next = self.tap.q.val();
        if self.int_busy.q.val() & self.seg_end.val() {
            self.taps.read_tap.next = self.tap.q.val() + self.one_tap.val();
        }
        self.taps.write_axon.next = self.cfg_row.val();
        self.taps.write_tap.next = self.cfg_col.val().get_bits::<TAP_INDEX_BITS>(0);
        self.taps.write_data.next = self.cfg_wdata.val();
        self.taps.write_enable.next = false;
        self.slot_next.next = (self.head.q.val() + self.one4.val()) & self.ring_mask.val();
        self.slot_in.next = (self.head.q.val() + self.one4.val() + self.adly.read_data.val()) & self.ring_mask.val();
        self.accr.read_slot.next = self.slot_next.val();
        if self.upd_busy.q.val() {
            self.accr.read_slot.next = self.head.q.val();
        }
        if self.int_busy.q.val() {
            self.accr.read_slot.next = self.slot_in.val();
        }
        self.accr.write_slot.next = self.head.q.val();
        self.accr.read_index.next = self.ridx.val();
        self.accr.write_index.next = self.wb_j.q.val();
        self.accr.write_lo.next = self.zero_dw.val();
        self.accr.write_hi.next = self.dp.refractory_next.val();
        self.accr.we_lo.next = self.dp.out_valid.val();
        self.accr.we_hi.next = self.dp.out_valid.val();
        self.accr.word_write.next = false;
        self.accr.wlane0.next = self.add0.sum.val();
        self.accr.wlane1.next = self.add1.sum.val();
        self.accr.wlane2.next = self.add2.sum.val();
        self.accr.wlane3.next = self.add3.sum.val();

        // The shared neuron counter's next value and last-neuron test, for all three engines.
        // One incrementer for all engines: integration steps a crossbar word (`lanes`), the
        // others one neuron (they never overlap, and a second adder costs logic cells).
        self.j_step.next = self.one_nb.val();
        if self.int_busy.q.val() {
            self.j_step.next = self.lanes_nb.val();
        }
        self.j_next.next = (self.j.q.val() + self.j_step.val()) & self.nmask.val();
        self.j_last.next = self.j.q.val() == self.n_last.val();
        self.int_end.next = self.j.q.val() == self.int_last.val();
        if self.kern.val() {
            self.int_end.next = self.seg_end.val() & self.tap_last.val();
        }

        // ---- integrate: stage 0 reads weight and accumulator of (axon, j) ----
        self.accept.next = self.in_valid.val()
            & !self.int_busy.q.val()
            & !self.updating.val()
            & !self.clr_busy.q.val()
            & !self.clear.val()
            & !self.start.val();
        self.in_ready.next = self.int_busy.q.val() & self.int_end.val();
        self.s1_valid.d.next = self.int_busy.q.val();
        self.s1_j.d.next = self.ridx.val();
        if self.has_delay.val() {
            self.s1_slot.d.next = self.slot_in.val();
        }
        if self.int_busy.q.val() {
            self.j.d.next = self.j_next.val();
            if self.kern.val() & self.seg_end.val() {
                self.j.d.next = self.zero_nb.val();
                self.tap.d.next = self.tap.q.val() + self.one_tap.val();
            }
            if self.int_end.val() {
                self.int_busy.d.next = false;
                if self.kern.val() {
                    self.tap.d.next = self.zero_tap.val();
                }
            }
        }
        if self.accept.val() {
            self.int_busy.d.next = true;
            self.j.d.next = self.zero_nb.val();
        }
        // ---- integrate: stage 1 adds and writes back the word, forwarding the previous write ----
        // The word entering stage 1 next cycle is the one stage 1 writes now: forward it.
        // (Only a core whose row is one word reads one word on consecutive cycles.)
        self.fw_hit.d.next = self.single.val()
            & self.s1_valid.q.val()
            & self.int_busy.q.val()
            & (self.s1_j.q.val() == self.ridx.val())
            & (self.s1_slot.q.val() == self.slot_in.val());
        self.fw0.d.next = self.add0.sum.val();
        self.fw1.d.next = self.add1.sum.val();
        self.fw2.d.next = self.add2.sum.val();
        self.fw3.d.next = self.add3.sum.val();
        if self.s1_valid.q.val() {
            self.accr.write_index.next = self.s1_j.q.val();
            self.accr.write_slot.next = self.s1_slot.q.val();
            self.accr.word_write.next = true;
        }

        // ---- update: U0 reads state and type index; U1 checks the type cache and, on a hit,
        // hands the neuron to the LIF straight from the RAM outputs ----
        self.rs_ty.wide_in.next = self.tq.read_data.val();
        self.u1_type.next = self.rs_ty.wide_out.val();
        self.miss.next = self.u1_valid.q.val() & (!self.have.q.val() | (self.u1_type.val() != self.cur.q.val()));
        self.rs_uj.wide_in.next = self.j.q.val();
        self.issue_u0.next = self.upd_busy.q.val() & (self.fetch.q.val() == self.zero3.val());
        self.u1_valid.d.next = self.issue_u0.val();
        self.u1_j.d.next = self.j.q.val();
        if self.issue_u0.val() {
            self.tq.read_address.next = self.rs_uj.wide_out.val();
            self.j.d.next = self.j_next.val();
            if self.j_last.val() {
                self.upd_busy.d.next = false;
            }
        }
        if self.miss.val() {
            // Replay from this neuron once its type's parameters are in; drop the one behind it.
            self.upd_busy.d.next = true;
            self.j.d.next = self.u1_j.q.val();
            self.u1_valid.d.next = false;
            self.next_t.d.next = self.u1_type.val();
            self.have.d.next = false;
            self.fetch.d.next = self.one3.val();
        }
        // Refill: wait until no neuron in the pipeline uses the old parameters, then switch
        // `cur` and read words 1 up to the model's last (each lands one clock after its read).
        // Word 0 is not copied: the type RAM's read port rests on the cached type's word 0
        // (its default address), and the datapath takes it from there.
        if (self.fetch.q.val() == self.one3.val()) & !self.dp.busy.val() {
            self.cur.d.next = self.next_t.q.val();
            self.fetch.d.next = self.f2.val();
        }
        if self.fetch.q.val() == self.f2.val() {
            self.types.read_address.next = self.rs_tyw.wide_out.val() | self.t1.val();
            self.fetch.d.next = self.f3.val();
        }
        if self.fetch.q.val() == self.f3.val() {
            self.types.read_address.next = self.rs_tyw.wide_out.val() | self.t2.val();
            self.p1.d.next = self.types.read_data.val() & self.wm1.val();
            self.fetch.d.next = self.f4.val();
        }
        if self.fetch.q.val() == self.f4.val() {
            self.types.read_address.next = self.rs_tyw.wide_out.val() | self.t3.val();
            self.p2.d.next = self.types.read_data.val() & self.wm2.val();
            self.fetch.d.next = self.f5.val();
        }
        if self.fetch.q.val() == self.f5.val() {
            self.types.read_address.next = self.rs_tyw.wide_out.val() | self.t4.val();
            self.p3.d.next = self.types.read_data.val() & self.wm3.val();
            self.fetch.d.next = self.f6.val();
        }
        if self.fetch.q.val() == self.f6.val() {
            self.p4.d.next = self.types.read_data.val() & self.wm4.val();
        }
        if self.fetch.q.val() == self.f_last.val() {
            // Back to resting on word 0 (a model with fewer words stops reading here).
            self.types.read_address.next = self.rs_tyw.wide_out.val() | self.t0.val();
            self.have.d.next = true;
            self.fetch.d.next = self.zero3.val();
        }
        self.dp.in_valid.next = self.u1_valid.q.val() & !self.miss.val();
        self.dp.v.next = signed_cast(self.pot.read_data.val());
        self.dp.aux.next = self.aux.read_data.val();
        self.dp.refractory.next = self.accr.hi.val();
        self.dp.acc.next = signed_cast(self.accr.lo.val());
        if self.dp.out_valid.val() {
            self.wb_j.d.next = (self.wb_j.q.val() + self.one_nb.val()) & self.nmask.val();
        }
        self.dp.w0.next = self.types.read_data.val() & self.wm0.val();
        self.dp.w1.next = self.p1.q.val();
        self.dp.w2.next = self.p2.q.val();
        self.dp.w3.next = self.p3.q.val();
        self.dp.w4.next = self.p4.q.val();
        self.push.next = self.dp.out_valid.val() & self.dp.fire.val();
        // The slot registers change only with delays: without, they stay at their initial 0 and
        // Yosys removes them (their next-state logic would otherwise stay, measured +71 LUT4).
        if self.start.val() & self.has_delay.val() {
            self.head.d.next = self.slot_next.val();
        }
        if self.start.val() {
            self.upd_busy.d.next = true;
            self.j.d.next = self.zero_nb.val();
            self.wb_j.d.next = self.zero_nb.val();
            self.wptr.d.next = self.zero_q.val();
            self.rptr.d.next = self.zero_q.val();
        }

        // ---- spike queue: read only after the update, one read in flight, data lands in the
        // output register ----
        self.issue.next = (self.rptr.q.val() != self.wptr.q.val())
            & !self.upd_busy.q.val()
            & !self.rd_pending.q.val()
            & (!self.ovalid.q.val() | self.out_ready.val());
        self.rd_pending.d.next = self.issue.val();
        if self.ovalid.q.val() & self.out_ready.val() {
            self.ovalid.d.next = false;
        }
        if self.rd_pending.q.val() {
            self.ovalid.d.next = true;
            self.odata.d.next = self.tq.read_data.val() & self.nmask.val();
        }
        if self.issue.val() {
            self.rptr.d.next = self.rptr.q.val() + self.one_q.val();
        }
        if self.push.val() {
            self.tq.write_address.next = self.wptr.q.val() | self.qbase.val();
            self.tq.write_data.next = self.wb_j.q.val();
            self.tq.write_enable.next = true;
            self.wptr.d.next = self.wptr.q.val() + self.one_q.val();
        }
        self.out_valid.next = self.ovalid.q.val();
        self.out_neuron.next = self.odata.q.val();

        // ---- clear: zero state and accumulators, one neuron per clock, every ring slot ----
        if self.clear.val() {
            self.clr_busy.d.next = true;
            if self.has_delay.val() {
                self.clr_slot.d.next = self.zero4.val();
            }
            self.j.d.next = self.zero_nb.val();
        }
        if self.clr_busy.q.val() {
            self.j.d.next = self.j_next.val();
            if self.j_last.val() {
                if !self.has_delay.val() | (self.clr_slot.q.val() == self.ring_mask.val()) {
                    self.clr_busy.d.next = false;
                } else {
                    self.clr_slot.d.next = self.clr_slot.q.val() + self.one4.val();
                    self.j.d.next = self.zero_nb.val();
                }
            }
            self.accr.write_slot.next = self.clr_slot.q.val();
            self.pot.write_address.next = self.j.q.val();
            self.pot.write_data.next = self.zero_dw.val();
            self.pot.write_enable.next = true;
            self.aux.write_address.next = self.j.q.val();
            self.aux.write_data.next = self.zero_dw.val();
            self.aux.write_enable.next = self.has_aux.val();
            self.accr.write_index.next = self.j.q.val();
            self.accr.write_lo.next = self.zero_dw.val();
            self.accr.write_hi.next = self.zero8.val();
            self.accr.we_lo.next = true;
            self.accr.we_hi.next = true;
        }

        // ---- configuration port (idle only): writes, and reads answered next cycle ----
        self.cfg_types.next = (self.cfg_mem.val() == self.mem_thr.val())
            | (self.cfg_mem.val() == self.mem_rst.val())
            | (self.cfg_mem.val() == self.mem_ctl.val())
            | ((self.cfg_mem.val() == self.mem_w3.val()) & self.has_w3.val())
            | ((self.cfg_mem.val() == self.mem_w4.val()) & self.has_w4.val());
        if self.cfg_w.val() {
            if self.cfg_mem.val() == self.mem_xbar.val() {
                self.xbar.write_enable.next = true;
            }
            if self.cfg_mem.val() == self.mem_ntype.val() {
                self.tq.write_enable.next = true;
            }
            if self.cfg_types.val() {
                // The cached parameters may be these: fetch them again at the next update.
                self.types.write_enable.next = true;
                self.have.d.next = false;
            }
            if self.cfg_mem.val() == self.mem_pot.val() {
                self.pot.write_address.next = self.cfg_col.val();
                self.pot.write_data.next = self.rs_wdata.wide_out.val();
                self.pot.write_enable.next = true;
            }
            if (self.cfg_mem.val() == self.mem_aux.val()) & self.has_aux.val() {
                self.aux.write_address.next = self.cfg_col.val();
                self.aux.write_data.next = self.rs_wdata.wide_out.val();
                self.aux.write_enable.next = true;
            }
            if (self.cfg_mem.val() == self.mem_adly.val()) & self.has_delay.val() {
                self.adly.write_enable.next = true;
            }
            if (self.cfg_mem.val() == self.mem_tap.val()) & self.kern.val() {
                self.taps.write_enable.next = true;
            }
            if self.cfg_mem.val() == self.mem_refr.val() {
                self.accr.write_index.next = self.cfg_col.val();
                self.accr.write_hi.next = self.cfg_wdata.val().get_bits::<8>(0);
                self.accr.we_hi.next = true;
            }
        }
        if self.cfg_r.val() {
            self.xbar.read_row.next = self.cfg_row.val();
            self.xbar.read_col.next = self.cfg_col.val();
            self.tq.read_address.next = self.rs_col.wide_out.val();
            if self.cfg_types.val() {
                // The port reads every clock, so it is back on the cached threshold a clock later.
                self.types.read_address.next = self.cfg_taddr.val();
            }
            self.pot.read_address.next = self.cfg_col.val();
            self.aux.read_address.next = self.cfg_col.val();
            self.accr.read_index.next = self.cfg_col.val();
            self.adly.read_address.next = self.cfg_row.val();
            self.taps.read_axon.next = self.cfg_row.val();
            self.taps.read_tap.next = self.cfg_col.val().get_bits::<TAP_INDEX_BITS>(0);
        }
        self.rs_ntype.wide_in.next = self.tq.read_data.val();
        self.rs_refr.wide_in.next = self.accr.hi.val();
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
            self.rdata.next = self.types.read_data.val() & self.wm0.val();
        }
        if self.cfg_sel.q.val() == self.mem_rst.val() {
            self.rdata.next = self.types.read_data.val() & self.wm1.val();
        }
        if self.cfg_sel.q.val() == self.mem_ctl.val() {
            self.rdata.next = self.types.read_data.val() & self.wm2.val();
        }
        if self.cfg_sel.q.val() == self.mem_w3.val() {
            self.rdata.next = self.types.read_data.val() & self.wm3.val();
        }
        if self.cfg_sel.q.val() == self.mem_w4.val() {
            self.rdata.next = self.types.read_data.val() & self.wm4.val();
        }
        if (self.cfg_sel.q.val() == self.mem_aux.val()) & self.has_aux.val() {
            self.rdata.next = self.aux.read_data.val();
        }
        if self.cfg_sel.q.val() == self.mem_code.val() {
            self.rdata.next = self.model_code.val();
        }
        if self.cfg_sel.q.val() == self.mem_pot.val() {
            self.rdata.next = self.pot.read_data.val();
        }
        if self.cfg_sel.q.val() == self.mem_refr.val() {
            self.rdata.next = self.rs_refr.wide_out.val();
        }
        if self.cfg_sel.q.val() == self.mem_acc.val() {
            self.rdata.next = self.accr.lo.val();
        }
        self.rs_adly.wide_in.next = self.adly.read_data.val();
        if (self.cfg_sel.q.val() == self.mem_adly.val()) & self.has_delay.val() {
            self.rdata.next = self.rs_adly.wide_out.val();
        }
        self.rs_rdata.wide_in.next = self.rdata.val();
        self.cfg_rdata.next = self.rs_rdata.wide_out.val();
        // A tap word is wider than an 18-bit datapath: it skips `rdata`.
        if (self.cfg_sel.q.val() == self.mem_tap.val()) & self.kern.val() {
            self.cfg_rdata.next = self.taps.read_data.val();
        }
    }
}
