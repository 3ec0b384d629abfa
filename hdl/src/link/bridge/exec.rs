//! What the bridge does each clock: UART and frame wiring, the checks registered off the
//! state machine's path, and the state machine itself (one arm per step of each command,
//! timestep control, answers).

use super::*;

impl Logic for Bridge {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, ret, hret, pret, phase, ra, cnt, plen, rem, unit, words, widx, sh_in, narrow, cmd_kind,
            seq, core, mem, row, col, nsteps, sh_out, ocnt, chunk, nchunk, wa, rkind, open, fopen, nspk, last_ok,
            last_kind, last_seq, last_len, silent, pull, paused, pend, quiet_q, row_big, col_big, fresh, ok_wr, ok_rd,
            ok_val, ok_flit, ok_count
        );
        clock!(self, clock, urx, utx, frx, ftx, n_accepted, n_rejected, n_spikes);
        // UART and framing.
        self.urx.rx.next = self.uart_rx.val();
        self.frx.in_valid.next = self.urx.valid.val();
        self.frx.in_byte.next = self.urx.data.val();
        // A byte with a bad stop bit was dropped: its frame must not be accepted.
        self.frx.hold.next = (self.state.q.val() != Step::Idle) | self.urx.framing_error.val();
        self.clear_counts.next = false;
        self.n_accepted.inc.next = self.frx.frame_ok.val();
        self.n_rejected.inc.next = self.frx.frame_bad.val();
        self.n_spikes.inc.next = false;
        self.frx.rd_addr.next = self.ra.q.val().get_bits::<FB>(0);
        self.utx.data.next = self.ftx.out_byte.val();
        self.utx.valid.next = self.ftx.out_valid.val();
        self.ftx.out_ready.next = self.utx.ready.val();
        self.uart_tx.next = self.utx.tx.val();
        self.ftx.wr_addr.next = self.wa.q.val().get_bits::<TB>(0);
        self.ftx.wr_data.next = self.sh_out.q.val().get_bits::<8>(0);
        self.ftx.wr_en.next = false;
        self.ftx.send.next = false;
        self.ftx.len.next = self.wa.q.val();
        // Width changes and fields. After fetching k bytes they sit at the top of `sh_in`.
        self.rs_byte.wide_in.next = self.frx.rd_data.val();
        self.rs_words.wide_in.next = self.words.q.val();
        self.rs_widx.wide_in.next = self.widx.q.val();
        self.rs_row.wide_in.next = self.row.q.val();
        self.col_now.next = self.col.q.val() + self.rs_widx.wide_out.val();
        self.col_end.next = self.col.q.val() + self.rs_words.wide_out.val();
        self.rs_col.wide_in.next = self.col_now.val();
        self.rs_col16.wide_in.next = self.sh_in.q.val().get_bits::<16>(24);
        self.row_in.next = self.sh_in.q.val().get_bits::<24>(16);
        self.rs_count.wide_in.next = self.sh_in.q.val().get_bits::<16>(24);
        self.rs_rdata.wide_in.next = self.cfg_rdata.val();
        self.rs_flit_out.wide_in.next = self.host_out_flit.val();
        self.flit24.next = self.sh_in.q.val().get_bits::<24>(16);
        self.rs_flit_in.wide_in.next = self.flit24.val();
        self.rs_x.wide_in.next = self.flit24.val().get_bits::<4>(18);
        self.rs_y.wide_in.next = self.flit24.val().get_bits::<4>(14);
        self.rs_axon.wide_in.next = self.flit24.val().get_bits::<14>(0);
        self.rs_ts.wide_in.next = self.timestep.val() - self.o32.val();
        self.rs_mem.wide_in.next = self.mem.q.val();
        // Counters for COUNTERS, one per part, each copied whole when its part starts.
        self.rs_counter.wide_in.next = self.timestep.val();
        if self.chunk.q.val() == self.c[1].val() {
            self.rs_counter.wide_in.next = self.n_accepted.count.val();
        }
        if self.chunk.q.val() == self.c[2].val() {
            self.rs_counter.wide_in.next = self.n_rejected.count.val();
        }
        if self.chunk.q.val() == self.c[3].val() {
            self.rs_counter.wide_in.next = self.n_spikes.count.val();
        }
        self.part.next = self.rs_counter.wide_out.val();
        if self.rkind.q.val() == self.k_identr.val() {
            self.part.next = self.ident[0].val();
            for k in 1..5 {
                if self.chunk.q.val() == self.c[k].val() {
                    self.part.next = self.ident[k].val();
                }
            }
        }
        // The geometry of memory `mem`: every id of the table (`geometry::IDS`, a literal for
        // rust-hdl; `IDS_IN_LOOP` below keeps the two equal).
        self.lim_known.next = false;
        self.lim_wr.next = false;
        self.lim_signed.next = false;
        self.lim_rows.next = self.z24.val();
        self.lim_cols.next = self.z24.val();
        self.lim_mask.next = self.z40.val();
        for m in 0..16 {
            if (self.mem.q.val() == self.mem_ids[m].val()) & self.g_known[m].val() {
                self.lim_known.next = true;
                self.lim_wr.next = self.g_wr[m].val();
                self.lim_signed.next = self.g_signed[m].val();
                self.lim_rows.next = self.g_rows[m].val();
                self.lim_cols.next = self.g_cols[m].val();
                self.lim_mask.next = self.g_mask[m].val();
            }
        }
        // The word a write carries: 5 bytes as fetched, or WRITE_BYTES's one byte, sign-extended
        // in a signed memory.
        self.rs_narrow.wide_in.next = self.sh_in.q.val().get_bits::<8>(32);
        self.wval.next = self.sh_in.q.val();
        self.wbytes.next = self.c[5].val();
        // `byte_ok` again: a register's power-up value is unknown to Yosys, so only this lets
        // it drop the path (and `narrow`) from a bridge built without WRITE_BYTES.
        if self.narrow.q.val() & self.byte_ok.val() {
            self.wbytes.next = self.c[1].val();
            self.wval.next = self.rs_narrow.wide_out.val();
            if self.lim_signed.val() & self.sh_in.q.val().get_bit(39) {
                self.wval.next = self.rs_narrow.wide_out.val() | self.hi32.val();
            }
        }
        self.vmask.next = self.wval.val() & self.lim_mask.val();
        self.rs_wdata.wide_in.next = self.wval.val();
        self.ok_rd.d.next = self.lim_known.val()
            & (self.core.q.val() < self.cores.val())
            & !self.row_big.q.val()
            & !self.col_big.q.val()
            & (self.row.q.val() < self.lim_rows.val())
            & (self.col_end.val() <= self.lim_cols.val());
        self.ok_wr.d.next = self.lim_known.val()
            & self.lim_wr.val()
            & (self.core.q.val() < self.cores.val())
            & !self.row_big.q.val()
            & !self.col_big.q.val()
            & (self.row.q.val() < self.lim_rows.val())
            & (self.col_end.val() <= self.lim_cols.val());
        self.ok_val.d.next =
            (self.vmask.val() == self.z40.val()) | (self.lim_signed.val() & (self.vmask.val() == self.lim_mask.val()));
        self.ok_flit.d.next = !(self.flit24.val().get_bit(23)
            | self.flit24.val().get_bit(22)
            | (self.rs_x.wide_out.val() >= self.mesh_x5.val())
            | (self.rs_y.wide_out.val() >= self.mesh_y5.val())
            | (self.rs_axon.wide_out.val() >= self.axons.val()));
        self.ok_count.d.next = (self.sh_in.q.val().get_bits::<16>(24) != self.z16.val())
            & (self.sh_in.q.val().get_bits::<16>(24) <= self.max_read.val());
        // `quiet` a clock late is exact once the bridge's own last action is two clocks old:
        // nothing in the mesh starts work by itself.
        self.quiet_q.d.next = self.quiet.val();
        if self.fresh.q.val() != self.c2.val() {
            self.fresh.d.next = self.fresh.q.val() - self.c2one.val();
        }
        self.calm.next = self.quiet_q.q.val() & (self.fresh.q.val() == self.c2.val());
        // Mesh ports: idle unless a state drives them.
        self.start.next = false;
        self.clear.next = false;
        self.host_in_valid.next = false;
        self.host_in_flit.next = self.rs_flit_in.wide_out.val();
        self.host_out_ready.next = false;
        self.cfg_core.next = self.core.q.val();
        self.cfg_mem.next = self.rs_mem.wide_out.val();
        self.cfg_row.next = self.rs_row.wide_out.val();
        self.cfg_col.next = self.rs_col.wide_out.val();
        self.cfg_wdata.next = self.rs_wdata.wide_out.val();
        self.cfg_we.next = false;
        self.cfg_re.next = false;

        match self.state.q.val() {
            Step::Idle => {
                if self.frx.frame_ok.val() {
                    self.plen.d.next = self.frx.frame_len.val() - self.n4.val();
                    self.ra.d.next = self.n0.val();
                    self.cnt.d.next = self.c[2].val();
                    self.ret.d.next = Step::Cmd;
                    self.phase.d.next = false;
                    self.state.d.next = Step::Fetch;
                } else if self.reset_req.val() {
                    self.silent.d.next = true;
                    self.state.d.next = Step::Reset;
                }
            }
            // `cnt` bytes from the frame buffer into the top of `sh_in` (address, then data).
            Step::Fetch => {
                if self.cnt.q.val() == self.c[0].val() {
                    self.state.d.next = self.ret.q.val();
                } else {
                    self.phase.d.next = !self.phase.q.val();
                    if self.phase.q.val() {
                        self.sh_in.d.next =
                            (self.sh_in.q.val() >> self.sh8.val()) | (self.rs_byte.wide_out.val() << self.sh32.val());
                        self.ra.d.next = self.ra.q.val() + self.n1.val();
                        self.cnt.d.next = self.cnt.q.val() - self.c[1].val();
                    }
                }
            }
            Step::Cmd => {
                self.cmd_kind.d.next = self.sh_in.q.val().get_bits::<8>(24);
                self.seq.d.next = self.sh_in.q.val().get_bits::<8>(32);
                self.state.d.next = Step::Dispatch;
                if self.last_ok.q.val()
                    & (self.sh_in.q.val().get_bits::<8>(24) == self.last_kind.q.val())
                    & (self.sh_in.q.val().get_bits::<8>(32) == self.last_seq.q.val())
                {
                    self.state.d.next = Step::Replay;
                }
            }
            // A repeated command: its answer is still in the transmit buffer.
            Step::Replay => {
                if !self.ftx.busy.val() {
                    self.ftx.len.next = self.last_len.q.val();
                    self.ftx.send.next = true;
                    self.state.d.next = Step::Idle;
                }
            }
            Step::Dispatch => {
                self.sh_out.d.next = self.nack_kind.val();
                self.state.d.next = Step::Nack;
                if (self.cmd_kind.q.val() == self.k_ident.val())
                    | (self.cmd_kind.q.val() == self.k_status.val())
                    | (self.cmd_kind.q.val() == self.k_reset.val())
                {
                    self.sh_out.d.next = self.nack_length.val();
                    if self.plen.q.val() == self.n0.val() {
                        self.chunk.d.next = self.c[0].val();
                        if self.cmd_kind.q.val() == self.k_ident.val() {
                            self.rkind.d.next = self.k_identr.val();
                            self.nchunk.d.next = self.c[5].val();
                            self.hret.d.next = Step::Chunk;
                            self.state.d.next = Step::Head;
                        }
                        if self.cmd_kind.q.val() == self.k_status.val() {
                            self.rkind.d.next = self.k_counters.val();
                            self.nchunk.d.next = self.c[4].val();
                            self.hret.d.next = Step::Chunk;
                            self.state.d.next = Step::Head;
                        }
                        if self.cmd_kind.q.val() == self.k_reset.val() {
                            self.state.d.next = Step::Reset;
                        }
                    }
                }
                if (self.cmd_kind.q.val() == self.k_step.val())
                    | ((self.cmd_kind.q.val() == self.k_stepp.val()) & self.pull_ok.val())
                {
                    self.sh_out.d.next = self.nack_length.val();
                    if self.plen.q.val() == self.n4.val() {
                        self.pull.d.next = self.cmd_kind.q.val() == self.k_stepp.val();
                        self.cnt.d.next = self.c[4].val();
                        self.ret.d.next = Step::StepCount;
                        self.state.d.next = Step::Fetch;
                    }
                }
                // NEXT: the waiting STEP_PULLED goes on where its last SPIKES frame left it.
                if (self.cmd_kind.q.val() == self.k_next.val()) & self.pull_ok.val() {
                    self.sh_out.d.next = self.nack_length.val();
                    if self.plen.q.val() == self.n0.val() {
                        self.sh_out.d.next = self.nack_busy.val();
                        if self.paused.q.val() {
                            self.paused.d.next = false;
                            self.state.d.next = Step::Collect;
                            if self.pend.q.val() {
                                self.state.d.next = Step::StepEnd;
                            }
                        }
                    }
                }
                if self.cmd_kind.q.val() == self.k_read.val() {
                    self.sh_out.d.next = self.nack_length.val();
                    if self.plen.q.val() == self.n9.val() {
                        self.cnt.d.next = self.c[1].val();
                        self.ret.d.next = Step::RdCore;
                        self.state.d.next = Step::Fetch;
                    }
                }
                if (self.cmd_kind.q.val() == self.k_write.val())
                    | ((self.cmd_kind.q.val() == self.k_write8.val()) & self.byte_ok.val())
                {
                    self.sh_out.d.next = self.nack_length.val();
                    if self.plen.q.val() >= self.n7.val() {
                        self.rem.d.next = self.plen.q.val() - self.n7.val();
                        self.unit.d.next = self.n5.val();
                        self.narrow.d.next = false;
                        if self.cmd_kind.q.val() == self.k_write8.val() {
                            self.unit.d.next = self.n1.val();
                            self.narrow.d.next = true;
                        }
                        self.words.d.next = self.n0.val();
                        self.state.d.next = Step::Len;
                    }
                }
                if self.cmd_kind.q.val() == self.k_inject.val() {
                    self.rem.d.next = self.plen.q.val();
                    self.unit.d.next = self.n3.val();
                    self.words.d.next = self.n0.val();
                    self.state.d.next = Step::Len;
                }
                // While a SPIKES frame waits for NEXT only NEXT, RESET, IDENTIFY and STATUS are
                // taken: anything else would run inside the paused STEP.
                if self.paused.q.val()
                    & self.pull_ok.val()
                    & (self.cmd_kind.q.val() != self.k_next.val())
                    & (self.cmd_kind.q.val() != self.k_reset.val())
                    & (self.cmd_kind.q.val() != self.k_ident.val())
                    & (self.cmd_kind.q.val() != self.k_status.val())
                {
                    self.sh_out.d.next = self.nack_busy.val();
                    self.state.d.next = Step::Nack;
                    // A refused STEP must not turn the paused one into a streamed one.
                    self.pull.d.next = self.pull.q.val();
                }
            }
            // The payload must hold a whole number of `unit`-byte items.
            Step::Len => {
                if self.rem.q.val() >= self.unit.q.val() {
                    self.rem.d.next = self.rem.q.val() - self.unit.q.val();
                    self.words.d.next = self.words.q.val() + self.n1.val();
                } else if (self.rem.q.val() != self.n0.val()) | (self.words.q.val() == self.n0.val()) {
                    // A part-item left over, or no item at all (an empty INJECT or WRITE_MEM).
                    self.sh_out.d.next = self.nack_length.val();
                    self.state.d.next = Step::Nack;
                } else if self.cmd_kind.q.val() == self.k_inject.val() {
                    self.widx.d.next = self.n0.val();
                    self.cnt.d.next = self.c[3].val();
                    self.ret.d.next = Step::InjCheck;
                    self.state.d.next = Step::Fetch;
                } else {
                    self.cnt.d.next = self.c[1].val();
                    self.ret.d.next = Step::WrCore;
                    self.state.d.next = Step::Fetch;
                }
            }
            // WRITE_MEM header: core u8, mem u8, row u24, col u16.
            Step::WrCore => {
                self.core.d.next = self.sh_in.q.val().get_bits::<8>(32);
                self.cnt.d.next = self.c[1].val();
                self.ret.d.next = Step::WrMem;
                self.state.d.next = Step::Fetch;
            }
            Step::WrMem => {
                self.mem.d.next = self.sh_in.q.val().get_bits::<8>(32);
                self.cnt.d.next = self.c[3].val();
                self.ret.d.next = Step::WrRow;
                self.state.d.next = Step::Fetch;
            }
            Step::WrRow => {
                self.row.d.next = self.row_in.val() & self.row_keep.val();
                self.row_big.d.next = (self.row_in.val() & self.row_keep.val()) != self.row_in.val();
                self.cnt.d.next = self.c[2].val();
                self.ret.d.next = Step::WrCol;
                self.state.d.next = Step::Fetch;
            }
            Step::WrCol => {
                self.col.d.next = self.rs_col16.wide_out.val() & self.col_keep.val();
                self.col_big.d.next =
                    (self.rs_col16.wide_out.val() & self.col_keep.val()) != self.rs_col16.wide_out.val();
                self.widx.d.next = self.n0.val();
                self.ret.d.next = Step::WrCheck;
                self.state.d.next = Step::Settle;
            }
            // Check the address, then every value, before writing anything.
            Step::WrCheck => {
                self.sh_out.d.next = self.nack_range.val();
                if self.open.q.val() {
                    self.sh_out.d.next = self.nack_busy.val();
                    self.state.d.next = Step::Nack;
                } else if !self.ok_wr.q.val() {
                    self.state.d.next = Step::Nack;
                } else {
                    self.cnt.d.next = self.wbytes.val();
                    self.ret.d.next = Step::WrValue;
                    self.state.d.next = Step::Fetch;
                }
            }
            Step::WrValue => {
                if !self.ok_val.q.val() {
                    self.sh_out.d.next = self.nack_range.val();
                    self.state.d.next = Step::Nack;
                } else if self.widx.q.val() + self.n1.val() == self.words.q.val() {
                    self.widx.d.next = self.n0.val();
                    self.ra.d.next = self.n9.val();
                    self.state.d.next = Step::WrFetch;
                } else {
                    self.widx.d.next = self.widx.q.val() + self.n1.val();
                    self.cnt.d.next = self.wbytes.val();
                    self.ret.d.next = Step::WrValue;
                    self.state.d.next = Step::Fetch;
                }
            }
            // Write pass (the chip is quiet: no timestep is open).
            Step::WrFetch => {
                if self.calm.val() {
                    self.cnt.d.next = self.wbytes.val();
                    self.ret.d.next = Step::WrOne;
                    self.state.d.next = Step::Fetch;
                }
            }
            Step::WrOne => {
                self.cfg_we.next = true;
                self.fresh.d.next = self.c2three.val();
                self.widx.d.next = self.widx.q.val() + self.n1.val();
                self.state.d.next = Step::WrFetch;
                if self.widx.q.val() + self.n1.val() == self.words.q.val() {
                    self.rkind.d.next = self.k_ack.val();
                    self.ocnt.d.next = self.c[0].val();
                    self.state.d.next = Step::Answer;
                }
            }
            // READ_MEM header: core u8, mem u8, row u24, col u16, count u16.
            Step::RdCore => {
                self.core.d.next = self.sh_in.q.val().get_bits::<8>(32);
                self.cnt.d.next = self.c[1].val();
                self.ret.d.next = Step::RdMem;
                self.state.d.next = Step::Fetch;
            }
            Step::RdMem => {
                self.mem.d.next = self.sh_in.q.val().get_bits::<8>(32);
                self.cnt.d.next = self.c[3].val();
                self.ret.d.next = Step::RdRow;
                self.state.d.next = Step::Fetch;
            }
            Step::RdRow => {
                self.row.d.next = self.row_in.val() & self.row_keep.val();
                self.row_big.d.next = (self.row_in.val() & self.row_keep.val()) != self.row_in.val();
                self.cnt.d.next = self.c[2].val();
                self.ret.d.next = Step::RdCol;
                self.state.d.next = Step::Fetch;
            }
            Step::RdCol => {
                self.col.d.next = self.rs_col16.wide_out.val() & self.col_keep.val();
                self.col_big.d.next =
                    (self.rs_col16.wide_out.val() & self.col_keep.val()) != self.rs_col16.wide_out.val();
                self.cnt.d.next = self.c[2].val();
                self.ret.d.next = Step::RdCount;
                self.state.d.next = Step::Fetch;
            }
            Step::RdCount => {
                self.words.d.next = self.rs_count.wide_out.val();
                self.widx.d.next = self.n0.val();
                self.ret.d.next = Step::RdCheck;
                self.state.d.next = Step::Settle;
                if !self.ok_count.q.val() {
                    self.sh_out.d.next = self.nack_range.val();
                    self.state.d.next = Step::Nack;
                }
            }
            Step::RdCheck => {
                self.sh_out.d.next = self.nack_range.val();
                if self.open.q.val() {
                    self.sh_out.d.next = self.nack_busy.val();
                    self.state.d.next = Step::Nack;
                } else if !self.ok_rd.q.val() {
                    self.state.d.next = Step::Nack;
                } else {
                    self.rkind.d.next = self.k_data.val();
                    self.hret.d.next = Step::RdOne;
                    self.state.d.next = Step::Head;
                }
            }
            Step::RdOne => {
                if self.calm.val() {
                    self.cfg_re.next = true;
                    self.fresh.d.next = self.c2three.val();
                    self.state.d.next = Step::RdWait;
                }
            }
            Step::RdWait => {
                if self.cfg_rvalid.val() {
                    self.sh_out.d.next = self.rs_rdata.wide_out.val();
                    self.ocnt.d.next = self.c[5].val();
                    self.widx.d.next = self.widx.q.val() + self.n1.val();
                    self.pret.d.next = Step::RdOne;
                    if self.widx.q.val() + self.n1.val() == self.words.q.val() {
                        self.pret.d.next = Step::Send;
                    }
                    self.state.d.next = Step::Pay;
                }
            }
            // INJECT: every flit an axon event for an existing core, then hand them over.
            Step::InjCheck => {
                if !self.ok_flit.q.val() {
                    self.sh_out.d.next = self.nack_range.val();
                    self.state.d.next = Step::Nack;
                } else if self.widx.q.val() + self.n1.val() == self.words.q.val() {
                    self.widx.d.next = self.n0.val();
                    self.ra.d.next = self.n2.val();
                    self.state.d.next = Step::InjOpen;
                } else {
                    self.widx.d.next = self.widx.q.val() + self.n1.val();
                    self.cnt.d.next = self.c[3].val();
                    self.ret.d.next = Step::InjCheck;
                    self.state.d.next = Step::Fetch;
                }
            }
            Step::InjOpen => {
                if self.open.q.val() {
                    self.state.d.next = Step::InjNext;
                } else if self.calm.val() {
                    self.start.next = true;
                    self.fresh.d.next = self.c2three.val();
                    self.open.d.next = true;
                    self.state.d.next = Step::InjNext;
                }
            }
            Step::InjNext => {
                if self.widx.q.val() == self.words.q.val() {
                    self.rkind.d.next = self.k_ack.val();
                    self.ocnt.d.next = self.c[0].val();
                    self.state.d.next = Step::Answer;
                } else {
                    self.cnt.d.next = self.c[3].val();
                    self.ret.d.next = Step::InjPush;
                    self.state.d.next = Step::Fetch;
                }
            }
            Step::InjPush => {
                self.host_in_valid.next = true;
                if self.host_in_ready.val() {
                    self.fresh.d.next = self.c2three.val();
                    self.widx.d.next = self.widx.q.val() + self.n1.val();
                    self.state.d.next = Step::InjNext;
                }
            }
            // STEP n.
            Step::StepCount => {
                self.nsteps.d.next = self.sh_in.q.val().get_bits::<32>(8);
                self.state.d.next = Step::StepGo;
                if self.sh_in.q.val().get_bits::<32>(8) == self.z32.val() {
                    self.rkind.d.next = self.k_ack.val();
                    self.ocnt.d.next = self.c[0].val();
                    self.state.d.next = Step::Answer;
                }
            }
            Step::StepGo => {
                if self.open.q.val() {
                    self.state.d.next = Step::Collect;
                } else if self.calm.val() {
                    self.start.next = true;
                    self.fresh.d.next = self.c2three.val();
                    self.open.d.next = true;
                    self.state.d.next = Step::Collect;
                }
            }
            // Stream the recorded spikes; the timestep ends when nothing is left in flight.
            Step::Collect => {
                if self.host_out_valid.val() {
                    if !self.fopen.q.val() {
                        if !self.ftx.busy.val() {
                            self.fopen.d.next = true;
                            self.nspk.d.next = self.n0.val();
                            self.rkind.d.next = self.k_spikes.val();
                            self.sh_out.d.next = self.rs_ts.wide_out.val();
                            self.ocnt.d.next = self.c[4].val();
                            self.hret.d.next = Step::Pay;
                            self.pret.d.next = Step::Collect;
                            self.state.d.next = Step::Head;
                        }
                    } else {
                        self.host_out_ready.next = true;
                        self.sh_out.d.next = self.rs_flit_out.wide_out.val();
                        self.ocnt.d.next = self.c[3].val();
                        self.pret.d.next = Step::Spike;
                        self.n_spikes.inc.next = true;
                        self.state.d.next = Step::Pay;
                    }
                } else if self.calm.val() {
                    self.open.d.next = false;
                    self.state.d.next = Step::StepEnd;
                    if self.fopen.q.val() {
                        self.ret.d.next = Step::StepEnd;
                        self.state.d.next = Step::SpikeSend;
                    }
                }
            }
            Step::Spike => {
                self.nspk.d.next = self.nspk.q.val() + self.n1.val();
                self.state.d.next = Step::Collect;
                if self.nspk.q.val() + self.n1.val() == self.n_spf.val() {
                    self.ret.d.next = Step::Collect;
                    self.state.d.next = Step::SpikeSend;
                }
            }
            Step::SpikeSend => {
                self.ftx.send.next = true;
                self.fopen.d.next = false;
                self.state.d.next = self.ret.q.val();
                // A pulled STEP: the frame is this command's answer (sent again on a repeat),
                // and the chip waits (its host port stalls the mesh) until NEXT.
                if self.pull.q.val() & self.pull_ok.val() {
                    self.last_ok.d.next = true;
                    self.last_kind.d.next = self.cmd_kind.q.val();
                    self.last_seq.d.next = self.seq.q.val();
                    self.last_len.d.next = self.wa.q.val();
                    self.paused.d.next = true;
                    self.pend.d.next = self.ret.q.val() == Step::StepEnd;
                    self.state.d.next = Step::Idle;
                }
            }
            Step::StepEnd => {
                self.nsteps.d.next = self.nsteps.q.val() - self.o32.val();
                self.state.d.next = Step::StepGo;
                if self.nsteps.q.val() == self.o32.val() {
                    self.rkind.d.next = self.k_ack.val();
                    self.ocnt.d.next = self.c[0].val();
                    self.state.d.next = Step::Answer;
                }
            }
            // RESET: drop what an open timestep still sends, then clear.
            Step::Reset => {
                self.host_out_ready.next = true;
                self.paused.d.next = false;
                if self.calm.val() {
                    self.open.d.next = false;
                    self.clear.next = true;
                    self.fresh.d.next = self.c2three.val();
                    self.clear_counts.next = true;
                    self.state.d.next = Step::ResetWait;
                }
            }
            Step::ResetWait => {
                if self.calm.val() {
                    self.rkind.d.next = self.k_ack.val();
                    self.ocnt.d.next = self.c[0].val();
                    self.state.d.next = Step::Answer;
                    if self.silent.q.val() {
                        self.silent.d.next = false;
                        self.state.d.next = Step::Idle;
                    }
                }
            }
            // IDENT (5 parts) and COUNTERS (4): each part copied whole, then its bytes.
            Step::Chunk => {
                if self.chunk.q.val() == self.nchunk.q.val() {
                    self.state.d.next = Step::Send;
                } else {
                    self.sh_out.d.next = self.part.val();
                    // COUNTERS' parts are 4 bytes, IDENT's 5.
                    self.ocnt.d.next = self.c[4].val();
                    if self.rkind.q.val() == self.k_identr.val() {
                        self.ocnt.d.next = self.c[5].val();
                    }
                    self.chunk.d.next = self.chunk.q.val() + self.c[1].val();
                    self.pret.d.next = Step::Chunk;
                    self.state.d.next = Step::Pay;
                }
            }
            // Answers: kind and seq, then `ocnt` payload bytes from `sh_out`, then send.
            Step::Head => {
                if !self.ftx.busy.val() {
                    self.ftx.wr_addr.next = self.tx_addr[0].val();
                    self.ftx.wr_data.next = self.rkind.q.val();
                    self.ftx.wr_en.next = true;
                    self.state.d.next = Step::Seq;
                }
            }
            Step::Seq => {
                self.ftx.wr_addr.next = self.tx_addr[1].val();
                self.ftx.wr_data.next = self.seq.q.val();
                self.ftx.wr_en.next = true;
                self.wa.d.next = self.n2.val();
                self.state.d.next = self.hret.q.val();
            }
            Step::Pay => {
                if self.ocnt.q.val() == self.c[0].val() {
                    self.state.d.next = self.pret.q.val();
                } else {
                    self.ftx.wr_en.next = true;
                    self.sh_out.d.next = self.sh_out.q.val() >> self.sh8.val();
                    self.wa.d.next = self.wa.q.val() + self.n1.val();
                    self.ocnt.d.next = self.ocnt.q.val() - self.c[1].val();
                }
            }
            Step::Send => {
                self.ftx.send.next = true;
                self.last_ok.d.next = true;
                self.last_kind.d.next = self.cmd_kind.q.val();
                self.last_seq.d.next = self.seq.q.val();
                self.last_len.d.next = self.wa.q.val();
                self.state.d.next = Step::Idle;
            }
            Step::Nack => {
                self.rkind.d.next = self.k_nack.val();
                self.ocnt.d.next = self.c[1].val();
                self.state.d.next = Step::Answer;
            }
            Step::Settle => {
                self.state.d.next = self.ret.q.val();
            }
            Step::Answer => {
                self.hret.d.next = Step::Pay;
                self.pret.d.next = Step::Send;
                self.state.d.next = Step::Head;
            }
        }
        self.n_accepted.clear.next = self.clear_counts.val();
        self.n_rejected.clear.next = self.clear_counts.val();
        self.n_spikes.clear.next = self.clear_counts.val();
        self.idle.next = (self.state.q.val() == Step::Idle) & !self.ftx.busy.val() & self.utx.ready.val();
        self.running.next = self.open.q.val();
        self.bad_frame.next = self.frx.frame_bad.val();
    }
}

/// The memory ids the geometry lookup above walks (its loop bound must be a literal).
const IDS_IN_LOOP: usize = 16;
const _: () = assert!(IDS_IN_LOOP == super::geometry::IDS, "the bridge's lookup misses memory ids");
