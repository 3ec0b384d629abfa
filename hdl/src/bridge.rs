//! The host bridge: UART, frame receiver and transmitter, and the command executor that
//! applies host commands (`spec::protocol`) to the mesh's configuration and host ports.
//!
//! One command runs at a time. While it runs, the frame receiver holds its buffer: a frame
//! arriving meanwhile is rejected and counted, so a host must wait for each answer (the host
//! crate does). Every command is checked whole before anything is applied: its length, then
//! every address against the hardware (`memory_map::geometry`), then every word's value
//! against its memory's width; a refused command changes nothing and is answered with a NACK
//! and a reason. A command that repeats the kind and sequence number of the last one is not
//! run again: its answer is sent again (the host retries when an answer is lost).
//!
//! Timesteps: INJECT opens the next timestep (pulses `start`) if none is open and hands its
//! flits to the mesh, so they count as that timestep's input spikes, as in the golden model.
//! STEP n finishes the open timestep (or opens one), streams the recorded spikes as SPIKES
//! frames while the mesh runs, waits for `quiet`, and repeats n times before its ACK.
//! Memory access needs a closed timestep (NACK busy otherwise).

use crate::framerx::FrameRx;
use crate::frametx::FrameTx;
use crate::resize::Resize;
use crate::router::FLIT;
use crate::shape::DW;
use crate::uart::{UartRx, UartTx};
use rust_hdl::prelude::*;
use spikemesh_spec::memory_map::{geometry, MEMORIES};
use spikemesh_spec::protocol::{kind, BoardInfo, Reason, MAX_PAYLOAD};
use spikemesh_spec::Hardware;

/// Recorded spikes per SPIKES frame: kind, seq, timestep and 3 bytes each within `MAX_BODY`.
pub const SPIKES_PER_FRAME: usize = (MAX_PAYLOAD - 4) / 3;
/// Words per DATA answer.
pub const WORDS_PER_READ: usize = MAX_PAYLOAD / 5;

// States (index into `st`; rust-hdl array indices must be literals):
//  0 IDLE      wait for a frame
//  1 FETCH     fetch `cnt` bytes into `sh_in`, then go to `ret`
//  2 CMD       kind and seq
//  3 DISPATCH  check the length, pick the command
//  4 REPLAY    send the last answer again
//  5 LEN       count `unit`-byte items
//  6 WRHDR     WRITE_MEM header
//  7 WRVAL     check address, then each value
//  8 WRDATA    write pass: fetch a word
//  9 WRONE     write it
// 10 RDHDR     READ_MEM header
// 11 RDONE     check, then one read strobe per word
// 12 RDWAIT    read data
// 13 INJVAL    check each flit
// 14 INJOPEN   open the timestep
// 15 INJNEXT   next flit
// 16 INJPUSH   hand it to the mesh
// 17 STEP0     STEP count
// 18 STEPGO    open a timestep
// 19 COLLECT   stream recorded spikes
// 20 SPK1      count a spike
// 21 SPKSEND   send the SPIKES frame
// 22 STEPEND   timestep done
// 23 RESET     drain, clear
// 24 RESET2    wait for the clear
// 25 STATUS    counters
// 26 HDR       answer: kind
// 27 HDR2      answer: seq
// 28 PAY       answer: `ocnt` bytes of `sh_out`, then `pret`
// 29 SEND      send the answer
// 30 NACK      refusal with the reason in `sh_out`
// 31 RESP      answer with `ocnt` payload bytes

/// The IDENT payload of a chip of `hw` clocked at `clock_hz`.
pub fn board_info(hw: &Hardware, clock_hz: u64) -> BoardInfo {
    BoardInfo {
        version: spikemesh_spec::protocol::VERSION,
        mesh_x: hw.mesh_x as u8,
        mesh_y: hw.mesh_y as u8,
        neurons_per_core: hw.neurons_per_core as u16,
        axons_per_core: hw.axons_per_core as u16,
        weight_bits: hw.widths.weight_bits as u8,
        potential_bits: hw.widths.potential_bits as u8,
        refractory_bits: hw.widths.refractory_bits as u8,
        neuron_types: hw.neuron_types as u16,
        destinations_per_core: hw.destinations_per_core as u32,
        clock_khz: ((clock_hz + 500) / 1000) as u32,
        baud: hw.baud,
    }
}

/// The bridge between the UART pins and the mesh top's ports.
#[derive(LogicBlock)]
pub struct Bridge {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// UART line from the host (idle high).
    pub uart_rx: Signal<In, bool>,
    /// UART line to the host (idle high).
    pub uart_tx: Signal<Out, bool>,
    /// Mesh: open a timestep.
    pub start: Signal<Out, bool>,
    /// Mesh: zero neuron state and the timestep counter.
    pub clear: Signal<Out, bool>,
    /// Mesh: nothing in flight.
    pub quiet: Signal<In, bool>,
    /// Mesh: timesteps opened since clear.
    pub timestep: Signal<In, Bits<32>>,
    /// Mesh host port in: valid.
    pub host_in_valid: Signal<Out, bool>,
    /// Mesh host port in: flit.
    pub host_in_flit: Signal<Out, Bits<FLIT>>,
    /// Mesh host port in: ready.
    pub host_in_ready: Signal<In, bool>,
    /// Mesh host port out: valid.
    pub host_out_valid: Signal<In, bool>,
    /// Mesh host port out: flit.
    pub host_out_flit: Signal<In, Bits<FLIT>>,
    /// Mesh host port out: ready.
    pub host_out_ready: Signal<Out, bool>,
    /// Configuration port: core index.
    pub cfg_core: Signal<Out, Bits<8>>,
    /// Configuration port: memory id.
    pub cfg_mem: Signal<Out, Bits<4>>,
    /// Configuration port: row.
    pub cfg_row: Signal<Out, Bits<20>>,
    /// Configuration port: column.
    pub cfg_col: Signal<Out, Bits<12>>,
    /// Configuration port: write data.
    pub cfg_wdata: Signal<Out, Bits<DW>>,
    /// Configuration port: write strobe.
    pub cfg_we: Signal<Out, bool>,
    /// Configuration port: read strobe.
    pub cfg_re: Signal<Out, bool>,
    /// Configuration port: read data.
    pub cfg_rdata: Signal<In, Bits<DW>>,
    /// Configuration port: read data valid.
    pub cfg_rvalid: Signal<In, bool>,
    /// Board reset button (synchronised, active high): runs RESET without an answer.
    pub reset_req: Signal<In, bool>,
    /// No command running and nothing left to send (the virtual board may stop its clock).
    pub idle: Signal<Out, bool>,
    /// A frame was rejected (one clock; for an LED).
    pub bad_frame: Signal<Out, bool>,
    /// A timestep is open (for an LED).
    pub running: Signal<Out, bool>,
    urx: UartRx,
    utx: UartTx,
    frx: FrameRx,
    ftx: FrameTx,
    state: DFF<Bits<5>>,
    ret: DFF<Bits<5>>,
    hret: DFF<Bits<5>>,
    pret: DFF<Bits<5>>,
    phase: DFF<bool>,
    ra: DFF<Bits<11>>,
    cnt: DFF<Bits<11>>,
    plen: DFF<Bits<11>>,
    rem: DFF<Bits<11>>,
    unit: DFF<Bits<11>>,
    words: DFF<Bits<11>>,
    widx: DFF<Bits<11>>,
    sh_in: DFF<Bits<72>>,
    cmd_kind: DFF<Bits<8>>,
    seq: DFF<Bits<8>>,
    core: DFF<Bits<8>>,
    mem: DFF<Bits<8>>,
    row: DFF<Bits<24>>,
    col: DFF<Bits<24>>,
    nsteps: DFF<Bits<32>>,
    sh_out: DFF<Bits<192>>,
    ocnt: DFF<Bits<8>>,
    wa: DFF<Bits<11>>,
    rkind: DFF<Bits<8>>,
    open: DFF<bool>,
    fopen: DFF<bool>,
    nspk: DFF<Bits<11>>,
    spikes: DFF<Bits<32>>,
    last_ok: DFF<bool>,
    last_kind: DFF<Bits<8>>,
    last_seq: DFF<Bits<8>>,
    last_len: DFF<Bits<11>>,
    silent: DFF<bool>,
    // Per-memory limits of `mem`, from the hardware's geometry table.
    lim_known: Signal<Local, bool>,
    lim_wr: Signal<Local, bool>,
    lim_signed: Signal<Local, bool>,
    lim_rows: Signal<Local, Bits<24>>,
    lim_cols: Signal<Local, Bits<24>>,
    lim_mask: Signal<Local, Bits<40>>,
    value: Signal<Local, Bits<40>>,
    vmask: Signal<Local, Bits<40>>,
    flit24: Signal<Local, Bits<24>>,
    col_end: Signal<Local, Bits<24>>,
    col_now: Signal<Local, Bits<24>>,
    rs_byte: Resize<8, 72>,
    rs_words: Resize<11, 24>,
    rs_widx: Resize<11, 24>,
    rs_row: Resize<24, 20>,
    rs_col: Resize<24, 12>,
    rs_col16: Resize<16, 24>,
    rs_wdata: Resize<40, DW>,
    rs_rdata: Resize<DW, 192>,
    rs_flit_out: Resize<FLIT, 192>,
    rs_flit_in: Resize<24, FLIT>,
    rs_ts: Resize<32, 192>,
    rs_c1: Resize<32, 192>,
    rs_c2: Resize<32, 192>,
    rs_c3: Resize<32, 192>,
    rs_ts_prev: Resize<32, 192>,
    rs_mem: Resize<8, 4>,
    rs_x: Resize<4, 5>,
    rs_y: Resize<4, 5>,
    rs_axon: Resize<14, 24>,
    rs_col16r: Resize<16, 24>,
    rs_count: Resize<16, 11>,
    ident: Constant<Bits<192>>,
    cores: Constant<Bits<8>>,
    axons: Constant<Bits<24>>,
    g_rows: [Constant<Bits<24>>; 11],
    g_cols: [Constant<Bits<24>>; 11],
    g_mask: [Constant<Bits<40>>; 11],
    g_signed: [Constant<bool>; 11],
    g_wr: [Constant<bool>; 11],
    st: [Constant<Bits<5>>; 32],
    k_ident: Constant<Bits<8>>,
    k_write: Constant<Bits<8>>,
    k_read: Constant<Bits<8>>,
    k_inject: Constant<Bits<8>>,
    k_step: Constant<Bits<8>>,
    k_status: Constant<Bits<8>>,
    k_reset: Constant<Bits<8>>,
    k_ack: Constant<Bits<8>>,
    k_nack: Constant<Bits<8>>,
    k_identr: Constant<Bits<8>>,
    k_data: Constant<Bits<8>>,
    k_spikes: Constant<Bits<8>>,
    k_counters: Constant<Bits<8>>,
    nack_kind: Constant<Bits<192>>,
    nack_length: Constant<Bits<192>>,
    nack_range: Constant<Bits<192>>,
    nack_busy: Constant<Bits<192>>,
    mem_ids: [Constant<Bits<8>>; 11],
    a10: [Constant<Bits<10>>; 2],
    z16: Constant<Bits<16>>,
    max_read: Constant<Bits<16>>,
    mesh_x5: Constant<Bits<5>>,
    mesh_y5: Constant<Bits<5>>,
    n0: Constant<Bits<11>>,
    n1: Constant<Bits<11>>,
    n2: Constant<Bits<11>>,
    n3: Constant<Bits<11>>,
    n4: Constant<Bits<11>>,
    n5: Constant<Bits<11>>,
    n7: Constant<Bits<11>>,
    n9: Constant<Bits<11>>,
    n_spf: Constant<Bits<11>>,
    z24: Constant<Bits<24>>,
    z40: Constant<Bits<40>>,
    z8: Constant<Bits<8>>,
    o8: Constant<Bits<8>>,
    b3: Constant<Bits<8>>,
    b4: Constant<Bits<8>>,
    b5: Constant<Bits<8>>,
    b16: Constant<Bits<8>>,
    b24: Constant<Bits<8>>,
    z32: Constant<Bits<32>>,
    o32: Constant<Bits<32>>,
    sh8_72: Constant<Bits<72>>,
    sh64_72: Constant<Bits<72>>,
    sh8_192: Constant<Bits<192>>,
    sh32: Constant<Bits<192>>,
    sh64: Constant<Bits<192>>,
    sh96: Constant<Bits<192>>,
}

impl Bridge {
    /// A bridge for a chip of `hw` clocked at `clock_hz` (the UART divides it to `hw.baud`).
    pub fn new(hw: &Hardware, clock_hz: u64) -> Self {
        let info = board_info(hw, clock_hz);
        let ib = spikemesh_spec::protocol::Response::Ident(info).frame(0).payload;
        assert_eq!(ib.len(), 24);
        let mut ident = Bits::<192>::default();
        for (i, b) in ib.iter().enumerate() {
            ident.set_bits::<8>(8 * i, Bits::<8>::from(*b as u64));
        }
        let geo: Vec<_> =
            (0..MEMORIES).map(|m| geometry(m, hw).expect("every id below MEMORIES has a geometry")).collect();
        let c8 = |v: u64| Constant::new(Bits::<8>::from(v));
        let c11 = |v: u64| Constant::new(Bits::<11>::from(v));
        let c24 = |v: u64| Constant::new(Bits::<24>::from(v));
        Self {
            clock: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            start: Default::default(),
            clear: Default::default(),
            quiet: Default::default(),
            timestep: Default::default(),
            host_in_valid: Default::default(),
            host_in_flit: Default::default(),
            host_in_ready: Default::default(),
            host_out_valid: Default::default(),
            host_out_flit: Default::default(),
            host_out_ready: Default::default(),
            cfg_core: Default::default(),
            cfg_mem: Default::default(),
            cfg_row: Default::default(),
            cfg_col: Default::default(),
            cfg_wdata: Default::default(),
            cfg_we: Default::default(),
            cfg_re: Default::default(),
            cfg_rdata: Default::default(),
            cfg_rvalid: Default::default(),
            reset_req: Default::default(),
            idle: Default::default(),
            bad_frame: Default::default(),
            running: Default::default(),
            urx: UartRx::new(hw.baud as u64, clock_hz),
            utx: UartTx::new(hw.baud as u64, clock_hz),
            frx: FrameRx::new(),
            ftx: FrameTx::new(),
            state: Default::default(),
            ret: Default::default(),
            hret: Default::default(),
            pret: Default::default(),
            phase: Default::default(),
            ra: Default::default(),
            cnt: Default::default(),
            plen: Default::default(),
            rem: Default::default(),
            unit: Default::default(),
            words: Default::default(),
            widx: Default::default(),
            sh_in: Default::default(),
            cmd_kind: Default::default(),
            seq: Default::default(),
            core: Default::default(),
            mem: Default::default(),
            row: Default::default(),
            col: Default::default(),
            nsteps: Default::default(),
            sh_out: Default::default(),
            ocnt: Default::default(),
            wa: Default::default(),
            rkind: Default::default(),
            open: Default::default(),
            fopen: Default::default(),
            nspk: Default::default(),
            spikes: Default::default(),
            last_ok: Default::default(),
            last_kind: Default::default(),
            last_seq: Default::default(),
            last_len: Default::default(),
            silent: Default::default(),
            lim_known: Default::default(),
            lim_wr: Default::default(),
            lim_signed: Default::default(),
            lim_rows: Default::default(),
            lim_cols: Default::default(),
            lim_mask: Default::default(),
            value: Default::default(),
            vmask: Default::default(),
            flit24: Default::default(),
            col_end: Default::default(),
            col_now: Default::default(),
            rs_byte: Resize::zero(),
            rs_words: Resize::zero(),
            rs_widx: Resize::zero(),
            rs_row: Resize::zero(),
            rs_col: Resize::zero(),
            rs_col16: Resize::zero(),
            rs_wdata: Resize::zero(),
            rs_rdata: Resize::sign(),
            rs_flit_out: Resize::zero(),
            rs_flit_in: Resize::zero(),
            rs_ts: Resize::zero(),
            rs_c1: Resize::zero(),
            rs_c2: Resize::zero(),
            rs_c3: Resize::zero(),
            rs_ts_prev: Resize::zero(),
            rs_mem: Resize::zero(),
            rs_x: Resize::zero(),
            rs_y: Resize::zero(),
            rs_axon: Resize::zero(),
            rs_col16r: Resize::zero(),
            rs_count: Resize::zero(),
            ident: Constant::new(ident),
            cores: c8(hw.cores() as u64),
            axons: c24(hw.axons_per_core as u64),
            g_rows: std::array::from_fn(|m| c24(geo[m].rows as u64)),
            g_cols: std::array::from_fn(|m| c24(geo[m].cols as u64)),
            // Bits a value may not use: above the width (unsigned) or above the sign bit.
            g_mask: std::array::from_fn(|m| {
                let keep = if geo[m].signed { geo[m].bits - 1 } else { geo[m].bits };
                Constant::new(Bits::<40>::from(!((1u64 << keep) - 1) & ((1u64 << 40) - 1)))
            }),
            g_signed: std::array::from_fn(|m| Constant::new(geo[m].signed)),
            g_wr: std::array::from_fn(|m| Constant::new(geo[m].writable)),
            st: std::array::from_fn(|i| Constant::new(Bits::<5>::from(i as u64))),
            k_ident: c8(kind::IDENTIFY as u64),
            k_write: c8(kind::WRITE_MEM as u64),
            k_read: c8(kind::READ_MEM as u64),
            k_inject: c8(kind::INJECT as u64),
            k_step: c8(kind::STEP as u64),
            k_status: c8(kind::STATUS as u64),
            k_reset: c8(kind::RESET as u64),
            k_ack: c8(kind::ACK as u64),
            k_nack: c8(kind::NACK as u64),
            k_identr: c8(kind::IDENT as u64),
            k_data: c8(kind::DATA as u64),
            k_spikes: c8(kind::SPIKES as u64),
            k_counters: c8(kind::COUNTERS as u64),
            nack_kind: Constant::new(Bits::<192>::from(Reason::UnknownKind as u64)),
            nack_length: Constant::new(Bits::<192>::from(Reason::BadLength as u64)),
            nack_range: Constant::new(Bits::<192>::from(Reason::OutOfRange as u64)),
            nack_busy: Constant::new(Bits::<192>::from(Reason::Busy as u64)),
            mem_ids: std::array::from_fn(|i| c8(i as u64)),
            a10: std::array::from_fn(|i| Constant::new(Bits::<10>::from(i as u64))),
            z16: Constant::new(Bits::<16>::from(0u64)),
            max_read: Constant::new(Bits::<16>::from(WORDS_PER_READ as u64)),
            mesh_x5: Constant::new(Bits::<5>::from(hw.mesh_x as u64)),
            mesh_y5: Constant::new(Bits::<5>::from(hw.mesh_y as u64)),
            n0: c11(0),
            n1: c11(1),
            n2: c11(2),
            n3: c11(3),
            n4: c11(4),
            n5: c11(5),
            n7: c11(7),
            n9: c11(9),
            n_spf: c11(SPIKES_PER_FRAME as u64),
            z24: c24(0),
            z40: Constant::new(Bits::<40>::from(0u64)),
            z8: c8(0),
            o8: c8(1),
            b3: c8(3),
            b4: c8(4),
            b5: c8(5),
            b16: c8(16),
            b24: c8(24),
            z32: Constant::new(Bits::<32>::from(0u64)),
            o32: Constant::new(Bits::<32>::from(1u64)),
            sh8_72: Constant::new(Bits::<72>::from(8u64)),
            sh64_72: Constant::new(Bits::<72>::from(64u64)),
            sh8_192: Constant::new(Bits::<192>::from(8u64)),
            sh32: Constant::new(Bits::<192>::from(32u64)),
            sh64: Constant::new(Bits::<192>::from(64u64)),
            sh96: Constant::new(Bits::<192>::from(96u64)),
        }
    }
}

impl Logic for Bridge {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, ret, hret, pret, phase, ra, cnt, plen, rem, unit, words, widx, sh_in, cmd_kind, seq,
            core, mem, row, col, nsteps, sh_out, ocnt, wa, rkind, open, fopen, nspk, spikes, last_ok, last_kind,
            last_seq, last_len, silent
        );
        clock!(self, clock, urx, utx, frx, ftx);
        // UART and framing.
        self.urx.rx.next = self.uart_rx.val();
        self.frx.in_valid.next = self.urx.valid.val();
        self.frx.in_byte.next = self.urx.data.val();
        // A byte with a bad stop bit was dropped: its frame must not be accepted.
        self.frx.hold.next = (self.state.q.val() != self.st[0].val()) | self.urx.framing_error.val();
        self.frx.clear_counters.next = false;
        self.frx.rd_addr.next = self.ra.q.val().get_bits::<10>(0);
        self.utx.data.next = self.ftx.out_byte.val();
        self.utx.valid.next = self.ftx.out_valid.val();
        self.ftx.out_ready.next = self.utx.ready.val();
        self.uart_tx.next = self.utx.tx.val();
        self.ftx.wr_addr.next = self.wa.q.val().get_bits::<10>(0);
        self.ftx.wr_data.next = self.sh_out.q.val().get_bits::<8>(0);
        self.ftx.wr_en.next = false;
        self.ftx.send.next = false;
        self.ftx.len.next = self.wa.q.val();
        // Width changes.
        self.rs_byte.wide_in.next = self.frx.rd_data.val();
        self.rs_words.wide_in.next = self.words.q.val();
        self.rs_widx.wide_in.next = self.widx.q.val();
        self.rs_row.wide_in.next = self.row.q.val();
        self.col_now.next = self.col.q.val() + self.rs_widx.wide_out.val();
        self.col_end.next = self.col.q.val() + self.rs_words.wide_out.val();
        self.rs_col.wide_in.next = self.col_now.val();
        self.value.next = self.sh_in.q.val().get_bits::<40>(32);
        self.rs_wdata.wide_in.next = self.value.val();
        self.rs_rdata.wide_in.next = self.cfg_rdata.val();
        self.rs_flit_out.wide_in.next = self.host_out_flit.val();
        self.flit24.next = self.sh_in.q.val().get_bits::<24>(48);
        self.rs_flit_in.wide_in.next = self.flit24.val();
        self.rs_ts.wide_in.next = self.timestep.val();
        self.rs_ts_prev.wide_in.next = self.timestep.val() - self.o32.val();
        self.rs_c1.wide_in.next = self.frx.accepted.val();
        self.rs_c2.wide_in.next = self.frx.rejected.val();
        self.rs_c3.wide_in.next = self.spikes.q.val();
        self.rs_mem.wide_in.next = self.mem.q.val();
        self.rs_col16.wide_in.next = self.sh_in.q.val().get_bits::<16>(56);
        self.rs_col16r.wide_in.next = self.sh_in.q.val().get_bits::<16>(40);
        self.rs_count.wide_in.next = self.sh_in.q.val().get_bits::<16>(56);
        self.rs_x.wide_in.next = self.flit24.val().get_bits::<4>(18);
        self.rs_y.wide_in.next = self.flit24.val().get_bits::<4>(14);
        self.rs_axon.wide_in.next = self.flit24.val().get_bits::<14>(0);
        // The geometry of memory `mem`.
        self.lim_known.next = false;
        self.lim_wr.next = false;
        self.lim_signed.next = false;
        self.lim_rows.next = self.z24.val();
        self.lim_cols.next = self.z24.val();
        self.lim_mask.next = self.z40.val();
        for m in 0..11 {
            if self.mem.q.val() == self.mem_ids[m].val() {
                self.lim_known.next = true;
                self.lim_wr.next = self.g_wr[m].val();
                self.lim_signed.next = self.g_signed[m].val();
                self.lim_rows.next = self.g_rows[m].val();
                self.lim_cols.next = self.g_cols[m].val();
                self.lim_mask.next = self.g_mask[m].val();
            }
        }
        self.vmask.next = self.value.val() & self.lim_mask.val();
        // Mesh ports: idle unless a state below drives them.
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

        // Wait for a frame.
        if self.state.q.val() == self.st[0].val() {
            if self.frx.frame_ok.val() {
                self.plen.d.next = self.frx.frame_len.val() - self.n4.val();
                self.ra.d.next = self.n0.val();
                self.cnt.d.next = self.n2.val();
                self.ret.d.next = self.st[2].val();
                self.phase.d.next = false;
                self.state.d.next = self.st[1].val();
            } else if self.reset_req.val() {
                self.silent.d.next = true;
                self.state.d.next = self.st[23].val();
            }
        }
        // Fetch `cnt` bytes from the frame buffer into the top of `sh_in` (address, then data).
        if self.state.q.val() == self.st[1].val() {
            if self.cnt.q.val() == self.n0.val() {
                self.state.d.next = self.ret.q.val();
            } else {
                self.phase.d.next = !self.phase.q.val();
                if self.phase.q.val() {
                    self.sh_in.d.next =
                        (self.sh_in.q.val() >> self.sh8_72.val()) | (self.rs_byte.wide_out.val() << self.sh64_72.val());
                    self.ra.d.next = self.ra.q.val() + self.n1.val();
                    self.cnt.d.next = self.cnt.q.val() - self.n1.val();
                }
            }
        }
        if self.state.q.val() == self.st[2].val() {
            self.cmd_kind.d.next = self.sh_in.q.val().get_bits::<8>(56);
            self.seq.d.next = self.sh_in.q.val().get_bits::<8>(64);
            self.state.d.next = self.st[3].val();
            if self.last_ok.q.val()
                & (self.sh_in.q.val().get_bits::<8>(56) == self.last_kind.q.val())
                & (self.sh_in.q.val().get_bits::<8>(64) == self.last_seq.q.val())
            {
                self.state.d.next = self.st[4].val();
            }
        }
        // A repeated command: send its answer again (still in the transmit buffer).
        if self.state.q.val() == self.st[4].val() {
            if !self.ftx.busy.val() {
                self.ftx.len.next = self.last_len.q.val();
                self.ftx.send.next = true;
                self.state.d.next = self.st[0].val();
            }
        }
        if self.state.q.val() == self.st[3].val() {
            self.rkind.d.next = self.k_nack.val();
            self.sh_out.d.next = self.nack_kind.val();
            self.state.d.next = self.st[30].val();
            if (self.cmd_kind.q.val() == self.k_ident.val())
                | (self.cmd_kind.q.val() == self.k_status.val())
                | (self.cmd_kind.q.val() == self.k_reset.val())
            {
                // Reason 2 (length) unless the payload is empty.
                self.sh_out.d.next = self.nack_length.val();
                if self.plen.q.val() == self.n0.val() {
                    if self.cmd_kind.q.val() == self.k_ident.val() {
                        self.rkind.d.next = self.k_identr.val();
                        self.sh_out.d.next = self.ident.val();
                        self.ocnt.d.next = self.b24.val();
                        self.state.d.next = self.st[31].val();
                    }
                    if self.cmd_kind.q.val() == self.k_status.val() {
                        self.state.d.next = self.st[25].val();
                    }
                    if self.cmd_kind.q.val() == self.k_reset.val() {
                        self.state.d.next = self.st[23].val();
                    }
                }
            }
            if self.cmd_kind.q.val() == self.k_step.val() {
                self.sh_out.d.next = self.nack_length.val();
                if self.plen.q.val() == self.n4.val() {
                    self.cnt.d.next = self.n4.val();
                    self.ret.d.next = self.st[17].val();
                    self.state.d.next = self.st[1].val();
                }
            }
            if self.cmd_kind.q.val() == self.k_read.val() {
                self.sh_out.d.next = self.nack_length.val();
                if self.plen.q.val() == self.n9.val() {
                    self.cnt.d.next = self.n9.val();
                    self.ret.d.next = self.st[10].val();
                    self.state.d.next = self.st[1].val();
                }
            }
            if self.cmd_kind.q.val() == self.k_write.val() {
                self.sh_out.d.next = self.nack_length.val();
                if self.plen.q.val() >= self.n7.val() {
                    self.rem.d.next = self.plen.q.val() - self.n7.val();
                    self.unit.d.next = self.n5.val();
                    self.words.d.next = self.n0.val();
                    self.ret.d.next = self.st[6].val();
                    self.state.d.next = self.st[5].val();
                }
            }
            if self.cmd_kind.q.val() == self.k_inject.val() {
                self.rem.d.next = self.plen.q.val();
                self.unit.d.next = self.n3.val();
                self.words.d.next = self.n0.val();
                self.ret.d.next = self.st[13].val();
                self.state.d.next = self.st[5].val();
            }
        }
        // Payload length: a whole number of `unit`-byte items, counted into `words`.
        if self.state.q.val() == self.st[5].val() {
            if self.rem.q.val() >= self.unit.q.val() {
                self.rem.d.next = self.rem.q.val() - self.unit.q.val();
                self.words.d.next = self.words.q.val() + self.n1.val();
            } else if self.rem.q.val() != self.n0.val() {
                self.sh_out.d.next = self.nack_length.val();
                self.state.d.next = self.st[30].val();
            } else {
                // Header bytes (WRITE_MEM) or the first flit (INJECT) come next.
                self.widx.d.next = self.n0.val();
                self.cnt.d.next = self.n7.val();
                if self.cmd_kind.q.val() == self.k_inject.val() {
                    self.cnt.d.next = self.n3.val();
                }
                self.state.d.next = self.st[1].val();
                if (self.cmd_kind.q.val() == self.k_inject.val()) & (self.words.q.val() == self.n0.val()) {
                    self.state.d.next = self.st[31].val();
                    self.rkind.d.next = self.k_ack.val();
                    self.ocnt.d.next = self.z8.val();
                }
            }
        }
        // WRITE_MEM header (7 bytes at the top of sh_in): core, mem, row u24, col u16.
        if self.state.q.val() == self.st[6].val() {
            self.core.d.next = self.sh_in.q.val().get_bits::<8>(16);
            self.mem.d.next = self.sh_in.q.val().get_bits::<8>(24);
            self.row.d.next = self.sh_in.q.val().get_bits::<24>(32);
            self.col.d.next = self.rs_col16.wide_out.val();
            self.state.d.next = self.st[7].val();
            self.phase.d.next = true;
        }
        // Check the address, then (phase low) every word's value, before writing anything.
        if self.state.q.val() == self.st[7].val() {
            if self.phase.q.val() {
                self.phase.d.next = false;
                self.sh_out.d.next = self.nack_range.val();
                if self.open.q.val() {
                    self.sh_out.d.next = self.nack_busy.val();
                    self.state.d.next = self.st[30].val();
                } else if !(self.lim_known.val()
                    & self.lim_wr.val()
                    & (self.core.q.val() < self.cores.val())
                    & (self.row.q.val() < self.lim_rows.val())
                    & (self.col_end.val() <= self.lim_cols.val()))
                {
                    self.state.d.next = self.st[30].val();
                } else if self.words.q.val() == self.n0.val() {
                    self.rkind.d.next = self.k_ack.val();
                    self.ocnt.d.next = self.z8.val();
                    self.state.d.next = self.st[31].val();
                } else {
                    self.cnt.d.next = self.n5.val();
                    self.ret.d.next = self.st[7].val();
                    self.state.d.next = self.st[1].val();
                }
            } else {
                // A word has been fetched: it must fit its memory's width.
                if !((self.vmask.val() == self.z40.val())
                    | (self.lim_signed.val() & (self.vmask.val() == self.lim_mask.val())))
                {
                    self.sh_out.d.next = self.nack_range.val();
                    self.state.d.next = self.st[30].val();
                } else if self.widx.q.val() + self.n1.val() == self.words.q.val() {
                    self.widx.d.next = self.n0.val();
                    self.ra.d.next = self.n9.val();
                    self.state.d.next = self.st[8].val();
                } else {
                    self.widx.d.next = self.widx.q.val() + self.n1.val();
                    self.cnt.d.next = self.n5.val();
                    self.ret.d.next = self.st[7].val();
                    self.state.d.next = self.st[1].val();
                }
            }
        }
        // Write pass: fetch a word, write it (the chip is quiet: no timestep is open).
        if self.state.q.val() == self.st[8].val() {
            if self.quiet.val() {
                self.cnt.d.next = self.n5.val();
                self.ret.d.next = self.st[9].val();
                self.state.d.next = self.st[1].val();
            }
        }
        if self.state.q.val() == self.st[9].val() {
            self.cfg_we.next = true;
            self.widx.d.next = self.widx.q.val() + self.n1.val();
            self.state.d.next = self.st[8].val();
            if self.widx.q.val() + self.n1.val() == self.words.q.val() {
                self.rkind.d.next = self.k_ack.val();
                self.ocnt.d.next = self.z8.val();
                self.state.d.next = self.st[31].val();
            }
        }
        // READ_MEM header (9 bytes): core, mem, row u24, col u16, count u16.
        if self.state.q.val() == self.st[10].val() {
            self.core.d.next = self.sh_in.q.val().get_bits::<8>(0);
            self.mem.d.next = self.sh_in.q.val().get_bits::<8>(8);
            self.row.d.next = self.sh_in.q.val().get_bits::<24>(16);
            self.col.d.next = self.rs_col16r.wide_out.val();
            self.words.d.next = self.rs_count.wide_out.val();
            self.widx.d.next = self.n0.val();
            self.phase.d.next = false;
            self.state.d.next = self.st[11].val();
            if (self.sh_in.q.val().get_bits::<16>(56) == self.z16.val())
                | (self.sh_in.q.val().get_bits::<16>(56) > self.max_read.val())
            {
                self.sh_out.d.next = self.nack_range.val();
                self.state.d.next = self.st[30].val();
            }
        }
        if self.state.q.val() == self.st[11].val() {
            if self.phase.q.val() {
                // Each word: read strobe (on a quiet chip), then wait for the data.
                if self.quiet.val() {
                    self.cfg_re.next = true;
                    self.state.d.next = self.st[12].val();
                }
            } else {
                // First entry: check the address, then write the answer's header.
                self.sh_out.d.next = self.nack_range.val();
                if self.open.q.val() {
                    self.sh_out.d.next = self.nack_busy.val();
                    self.state.d.next = self.st[30].val();
                } else if !(self.lim_known.val()
                    & (self.core.q.val() < self.cores.val())
                    & (self.row.q.val() < self.lim_rows.val())
                    & (self.col_end.val() <= self.lim_cols.val()))
                {
                    self.state.d.next = self.st[30].val();
                } else {
                    self.rkind.d.next = self.k_data.val();
                    self.hret.d.next = self.st[11].val();
                    self.phase.d.next = true;
                    self.state.d.next = self.st[26].val();
                }
            }
        }
        if self.state.q.val() == self.st[12].val() {
            if self.cfg_rvalid.val() {
                self.sh_out.d.next = self.rs_rdata.wide_out.val();
                self.ocnt.d.next = self.b5.val();
                self.widx.d.next = self.widx.q.val() + self.n1.val();
                self.pret.d.next = self.st[11].val();
                if self.widx.q.val() + self.n1.val() == self.words.q.val() {
                    self.pret.d.next = self.st[29].val();
                }
                self.state.d.next = self.st[28].val();
            }
        }
        // INJECT: check every flit (an axon event for an existing core), then hand them over.
        if self.state.q.val() == self.st[13].val() {
            if self.flit24.val().get_bit(23)
                | self.flit24.val().get_bit(22)
                | (self.rs_x.wide_out.val() >= self.mesh_x5.val())
                | (self.rs_y.wide_out.val() >= self.mesh_y5.val())
                | (self.rs_axon.wide_out.val() >= self.axons.val())
            {
                self.sh_out.d.next = self.nack_range.val();
                self.state.d.next = self.st[30].val();
            } else if self.widx.q.val() + self.n1.val() == self.words.q.val() {
                self.widx.d.next = self.n0.val();
                self.ra.d.next = self.n2.val();
                self.state.d.next = self.st[14].val();
            } else {
                self.widx.d.next = self.widx.q.val() + self.n1.val();
                self.cnt.d.next = self.n3.val();
                self.ret.d.next = self.st[13].val();
                self.state.d.next = self.st[1].val();
            }
        }
        if self.state.q.val() == self.st[14].val() {
            if self.open.q.val() {
                self.state.d.next = self.st[15].val();
            } else if self.quiet.val() {
                self.start.next = true;
                self.open.d.next = true;
                self.state.d.next = self.st[15].val();
            }
        }
        if self.state.q.val() == self.st[15].val() {
            if self.widx.q.val() == self.words.q.val() {
                self.rkind.d.next = self.k_ack.val();
                self.ocnt.d.next = self.z8.val();
                self.state.d.next = self.st[31].val();
            } else {
                self.cnt.d.next = self.n3.val();
                self.ret.d.next = self.st[16].val();
                self.state.d.next = self.st[1].val();
            }
        }
        if self.state.q.val() == self.st[16].val() {
            self.host_in_valid.next = true;
            if self.host_in_ready.val() {
                self.widx.d.next = self.widx.q.val() + self.n1.val();
                self.state.d.next = self.st[15].val();
            }
        }
        // STEP n.
        if self.state.q.val() == self.st[17].val() {
            self.nsteps.d.next = self.sh_in.q.val().get_bits::<32>(40);
            self.state.d.next = self.st[18].val();
            if self.sh_in.q.val().get_bits::<32>(40) == self.z32.val() {
                self.rkind.d.next = self.k_ack.val();
                self.ocnt.d.next = self.z8.val();
                self.state.d.next = self.st[31].val();
            }
        }
        if self.state.q.val() == self.st[18].val() {
            if self.open.q.val() {
                self.state.d.next = self.st[19].val();
            } else if self.quiet.val() {
                self.start.next = true;
                self.open.d.next = true;
                self.state.d.next = self.st[19].val();
            }
        }
        // Stream the recorded spikes; the timestep ends when nothing is left in flight.
        if self.state.q.val() == self.st[19].val() {
            if self.host_out_valid.val() {
                if !self.fopen.q.val() {
                    if !self.ftx.busy.val() {
                        self.fopen.d.next = true;
                        self.nspk.d.next = self.n0.val();
                        self.rkind.d.next = self.k_spikes.val();
                        self.sh_out.d.next = self.rs_ts_prev.wide_out.val();
                        self.ocnt.d.next = self.b4.val();
                        self.hret.d.next = self.st[28].val();
                        self.pret.d.next = self.st[19].val();
                        self.state.d.next = self.st[26].val();
                    }
                } else {
                    self.host_out_ready.next = true;
                    self.sh_out.d.next = self.rs_flit_out.wide_out.val();
                    self.ocnt.d.next = self.b3.val();
                    self.pret.d.next = self.st[20].val();
                    self.spikes.d.next = self.spikes.q.val() + self.o32.val();
                    self.state.d.next = self.st[28].val();
                }
            } else if self.quiet.val() {
                self.open.d.next = false;
                self.state.d.next = self.st[22].val();
                if self.fopen.q.val() {
                    self.ret.d.next = self.st[22].val();
                    self.state.d.next = self.st[21].val();
                }
            }
        }
        if self.state.q.val() == self.st[20].val() {
            self.nspk.d.next = self.nspk.q.val() + self.n1.val();
            self.state.d.next = self.st[19].val();
            if self.nspk.q.val() + self.n1.val() == self.n_spf.val() {
                self.ret.d.next = self.st[19].val();
                self.state.d.next = self.st[21].val();
            }
        }
        if self.state.q.val() == self.st[21].val() {
            self.ftx.send.next = true;
            self.fopen.d.next = false;
            self.state.d.next = self.ret.q.val();
        }
        if self.state.q.val() == self.st[22].val() {
            self.nsteps.d.next = self.nsteps.q.val() - self.o32.val();
            self.state.d.next = self.st[18].val();
            if self.nsteps.q.val() == self.o32.val() {
                self.rkind.d.next = self.k_ack.val();
                self.ocnt.d.next = self.z8.val();
                self.state.d.next = self.st[31].val();
            }
        }
        // RESET: drop what an open timestep still sends, then clear.
        if self.state.q.val() == self.st[23].val() {
            self.host_out_ready.next = true;
            if self.quiet.val() {
                self.open.d.next = false;
                self.clear.next = true;
                self.frx.clear_counters.next = true;
                self.spikes.d.next = self.z32.val();
                self.state.d.next = self.st[24].val();
            }
        }
        if self.state.q.val() == self.st[24].val() {
            if self.quiet.val() {
                self.rkind.d.next = self.k_ack.val();
                self.ocnt.d.next = self.z8.val();
                self.state.d.next = self.st[31].val();
                if self.silent.q.val() {
                    self.silent.d.next = false;
                    self.state.d.next = self.st[0].val();
                }
            }
        }
        if self.state.q.val() == self.st[25].val() {
            self.rkind.d.next = self.k_counters.val();
            self.sh_out.d.next = self.rs_ts.wide_out.val()
                | (self.rs_c1.wide_out.val() << self.sh32.val())
                | (self.rs_c2.wide_out.val() << self.sh64.val())
                | (self.rs_c3.wide_out.val() << self.sh96.val());
            self.ocnt.d.next = self.b16.val();
            self.state.d.next = self.st[31].val();
        }
        // Answers: kind and seq, then `ocnt` payload bytes from `sh_out`, then send.
        if self.state.q.val() == self.st[26].val() {
            if !self.ftx.busy.val() {
                self.ftx.wr_addr.next = self.a10[0].val();
                self.ftx.wr_data.next = self.rkind.q.val();
                self.ftx.wr_en.next = true;
                self.state.d.next = self.st[27].val();
            }
        }
        if self.state.q.val() == self.st[27].val() {
            self.ftx.wr_addr.next = self.a10[1].val();
            self.ftx.wr_data.next = self.seq.q.val();
            self.ftx.wr_en.next = true;
            self.wa.d.next = self.n2.val();
            self.state.d.next = self.hret.q.val();
        }
        if self.state.q.val() == self.st[28].val() {
            if self.ocnt.q.val() == self.z8.val() {
                self.state.d.next = self.pret.q.val();
            } else {
                self.ftx.wr_en.next = true;
                self.sh_out.d.next = self.sh_out.q.val() >> self.sh8_192.val();
                self.wa.d.next = self.wa.q.val() + self.n1.val();
                self.ocnt.d.next = self.ocnt.q.val() - self.o8.val();
            }
        }
        if self.state.q.val() == self.st[29].val() {
            self.ftx.send.next = true;
            self.last_ok.d.next = true;
            self.last_kind.d.next = self.cmd_kind.q.val();
            self.last_seq.d.next = self.seq.q.val();
            self.last_len.d.next = self.wa.q.val();
            self.state.d.next = self.st[0].val();
        }
        if self.state.q.val() == self.st[30].val() {
            self.rkind.d.next = self.k_nack.val();
            self.ocnt.d.next = self.o8.val();
            self.state.d.next = self.st[31].val();
        }
        if self.state.q.val() == self.st[31].val() {
            self.hret.d.next = self.st[28].val();
            self.pret.d.next = self.st[29].val();
            self.state.d.next = self.st[26].val();
        }
        self.idle.next = (self.state.q.val() == self.st[0].val()) & !self.ftx.busy.val() & self.utx.ready.val();
        self.running.next = self.open.q.val();
        self.bad_frame.next = self.frx.frame_bad.val();
    }
}
