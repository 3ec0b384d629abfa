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

use crate::arith::resize::Resize;
use crate::link::counter::Counter32;
use crate::link::framerx::{FrameRx, FB};
use crate::link::frametx::{FrameTx, TB};
use crate::link::uart::{UartRx, UartTx};
use crate::mesh::router::FLIT;
use crate::shape::DW;
use rust_hdl::prelude::*;
use spikemesh_spec::memory_map::{geometry, MEMORIES};
use spikemesh_spec::protocol::{kind, BoardInfo, Reason, READ_WORDS, SPIKES_PER_FRAME};
use spikemesh_spec::Hardware;

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
        features: if hw.byte_writes { spikemesh_spec::protocol::FEATURE_BYTE_WRITES } else { 0 }
            | if hw.pulled_spikes { spikemesh_spec::protocol::FEATURE_PULLED_SPIKES } else { 0 },
    }
}

/// Executor states. `Fetch` reads `cnt` bytes and returns to `ret`; `Head` writes an answer's
/// kind and seq and returns to `hret`; `Pay` writes `ocnt` bytes of `sh_out` and returns to `pret`.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum Step {
    /// Waiting for a frame.
    Idle,
    /// Fetching bytes from the frame buffer.
    Fetch,
    /// Kind and seq fetched.
    Cmd,
    /// Choosing the command.
    Dispatch,
    /// Sending the last answer again.
    Replay,
    /// Counting the payload's items.
    Len,
    /// WRITE_MEM: core.
    WrCore,
    /// WRITE_MEM: memory id.
    WrMem,
    /// WRITE_MEM: row.
    WrRow,
    /// WRITE_MEM: column; then the address check.
    WrCol,
    /// WRITE_MEM: checking the address.
    WrCheck,
    /// WRITE_MEM: checking one value.
    WrValue,
    /// WRITE_MEM: fetching a word to write.
    WrFetch,
    /// WRITE_MEM: writing it.
    WrOne,
    /// READ_MEM: core.
    RdCore,
    /// READ_MEM: memory id.
    RdMem,
    /// READ_MEM: row.
    RdRow,
    /// READ_MEM: column.
    RdCol,
    /// READ_MEM: count.
    RdCount,
    /// READ_MEM: checking the address.
    RdCheck,
    /// READ_MEM: one read strobe.
    RdOne,
    /// READ_MEM: waiting for the word.
    RdWait,
    /// INJECT: checking one flit.
    InjCheck,
    /// INJECT: opening the timestep.
    InjOpen,
    /// INJECT: next flit.
    InjNext,
    /// INJECT: handing it to the mesh.
    InjPush,
    /// STEP: the count.
    StepCount,
    /// STEP: opening a timestep.
    StepGo,
    /// STEP: streaming recorded spikes until quiet.
    Collect,
    /// STEP: a spike was written.
    Spike,
    /// STEP: sending a SPIKES frame.
    SpikeSend,
    /// STEP: a timestep is done.
    StepEnd,
    /// RESET: draining, then clearing.
    Reset,
    /// RESET: waiting for the clear.
    ResetWait,
    /// Multi-part answers (IDENT, COUNTERS): the next part.
    Chunk,
    /// Answer: kind.
    Head,
    /// Answer: seq.
    Seq,
    /// Answer: payload bytes.
    Pay,
    /// Answer: send.
    Send,
    /// Refusal.
    Nack,
    /// An answer with `ocnt` payload bytes in `sh_out`.
    Answer,
    /// One clock for the registered checks to see the newest field, then `ret`.
    Settle,
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
    state: DFF<Step>,
    ret: DFF<Step>,
    hret: DFF<Step>,
    pret: DFF<Step>,
    phase: DFF<bool>,
    ra: DFF<Bits<11>>,
    cnt: DFF<Bits<3>>,
    plen: DFF<Bits<11>>,
    rem: DFF<Bits<11>>,
    unit: DFF<Bits<11>>,
    words: DFF<Bits<11>>,
    widx: DFF<Bits<11>>,
    sh_in: DFF<Bits<40>>,
    // WRITE_BYTES: words are one byte (at the top of `sh_in` once fetched), extended to `wval`.
    narrow: DFF<bool>,
    wbytes: Signal<Local, Bits<3>>,
    wval: Signal<Local, Bits<40>>,
    rs_narrow: Resize<8, 40>,
    cmd_kind: DFF<Bits<8>>,
    seq: DFF<Bits<8>>,
    core: DFF<Bits<8>>,
    mem: DFF<Bits<8>>,
    row: DFF<Bits<24>>,
    col: DFF<Bits<24>>,
    // Row or column bits above every memory's size were set: out of range. Keeping only the
    // bits a memory can use lets Yosys drop the rest of the registers, adders and compares.
    row_big: DFF<bool>,
    col_big: DFF<bool>,
    nsteps: DFF<Bits<32>>,
    sh_out: DFF<Bits<40>>,
    ocnt: DFF<Bits<3>>,
    chunk: DFF<Bits<3>>,
    nchunk: DFF<Bits<3>>,
    wa: DFF<Bits<11>>,
    rkind: DFF<Bits<8>>,
    open: DFF<bool>,
    fopen: DFF<bool>,
    nspk: DFF<Bits<11>>,
    // Frames accepted and rejected, spikes recorded: since RESET (or configuration).
    n_accepted: Counter32,
    n_rejected: Counter32,
    n_spikes: Counter32,
    clear_counts: Signal<Local, bool>,
    last_ok: DFF<bool>,
    last_kind: DFF<Bits<8>>,
    last_seq: DFF<Bits<8>>,
    last_len: DFF<Bits<11>>,
    silent: DFF<bool>,
    // STEP_PULLED: `pull` marks the running STEP as pulled; `paused` is set while its last
    // SPIKES frame waits for NEXT, and `pend` says whether that frame closed the timestep.
    pull: DFF<bool>,
    paused: DFF<bool>,
    pend: DFF<bool>,
    // The mesh's `quiet`, registered (it is an OR over every tile), and the clocks left
    // before it may be trusted again after the bridge itself made the mesh busy.
    quiet_q: DFF<bool>,
    fresh: DFF<Bits<2>>,
    calm: Signal<Local, bool>,
    // Checks computed every clock and registered, off the state machine's critical path.
    ok_wr: DFF<bool>,
    ok_rd: DFF<bool>,
    ok_val: DFF<bool>,
    ok_flit: DFF<bool>,
    ok_count: DFF<bool>,
    // The geometry of memory `mem` (`memory_map::geometry`).
    lim_known: Signal<Local, bool>,
    lim_wr: Signal<Local, bool>,
    lim_signed: Signal<Local, bool>,
    lim_rows: Signal<Local, Bits<24>>,
    lim_cols: Signal<Local, Bits<24>>,
    lim_mask: Signal<Local, Bits<40>>,
    vmask: Signal<Local, Bits<40>>,
    flit24: Signal<Local, Bits<24>>,
    col_end: Signal<Local, Bits<24>>,
    col_now: Signal<Local, Bits<24>>,
    // The row field as fetched (before `row_keep`).
    row_in: Signal<Local, Bits<24>>,
    part: Signal<Local, Bits<40>>,
    rs_byte: Resize<8, 40>,
    rs_words: Resize<11, 24>,
    rs_widx: Resize<11, 24>,
    rs_row: Resize<24, 20>,
    rs_col: Resize<24, 12>,
    rs_col16: Resize<16, 24>,
    rs_count: Resize<16, 11>,
    rs_wdata: Resize<40, DW>,
    rs_rdata: Resize<DW, 40>,
    rs_flit_out: Resize<FLIT, 40>,
    rs_flit_in: Resize<24, FLIT>,
    rs_ts: Resize<32, 40>,
    rs_counter: Resize<32, 40>,
    rs_mem: Resize<8, 4>,
    rs_x: Resize<4, 5>,
    rs_y: Resize<4, 5>,
    rs_axon: Resize<14, 24>,
    ident: [Constant<Bits<40>>; 5],
    cores: Constant<Bits<8>>,
    mesh_x5: Constant<Bits<5>>,
    mesh_y5: Constant<Bits<5>>,
    axons: Constant<Bits<24>>,
    // Per memory id (`memory_map::MEMORIES` of them): whether the chip's model has it, and
    // its geometry.
    g_known: [Constant<bool>; 14],
    g_rows: [Constant<Bits<24>>; 14],
    g_cols: [Constant<Bits<24>>; 14],
    g_mask: [Constant<Bits<40>>; 14],
    g_signed: [Constant<bool>; 14],
    g_wr: [Constant<bool>; 14],
    mem_ids: [Constant<Bits<8>>; 14],
    tx_addr: [Constant<Bits<TB>>; 2],
    k_ident: Constant<Bits<8>>,
    k_write: Constant<Bits<8>>,
    k_write8: Constant<Bits<8>>,
    // `Hardware::byte_writes`: when false, Yosys drops the WRITE_BYTES path as constant.
    byte_ok: Constant<bool>,
    k_stepp: Constant<Bits<8>>,
    k_next: Constant<Bits<8>>,
    // `Hardware::pulled_spikes`: when false, Yosys drops STEP_PULLED and NEXT as constant.
    pull_ok: Constant<bool>,
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
    nack_kind: Constant<Bits<40>>,
    nack_length: Constant<Bits<40>>,
    nack_range: Constant<Bits<40>>,
    nack_busy: Constant<Bits<40>>,
    n0: Constant<Bits<11>>,
    n1: Constant<Bits<11>>,
    n2: Constant<Bits<11>>,
    n3: Constant<Bits<11>>,
    n4: Constant<Bits<11>>,
    n5: Constant<Bits<11>>,
    n7: Constant<Bits<11>>,
    n9: Constant<Bits<11>>,
    n_spf: Constant<Bits<11>>,
    c: [Constant<Bits<3>>; 6],
    c2: Constant<Bits<2>>,
    c2one: Constant<Bits<2>>,
    c2three: Constant<Bits<2>>,
    z16: Constant<Bits<16>>,
    max_read: Constant<Bits<16>>,
    z24: Constant<Bits<24>>,
    row_keep: Constant<Bits<24>>,
    col_keep: Constant<Bits<24>>,
    z40: Constant<Bits<40>>,
    hi32: Constant<Bits<40>>,
    z32: Constant<Bits<32>>,
    o32: Constant<Bits<32>>,
    sh8: Constant<Bits<40>>,
    sh32: Constant<Bits<40>>,
}

impl Bridge {
    /// A bridge for a chip of `hw` clocked at `clock_hz` (the UART divides it to `hw.baud`).
    pub fn new(hw: &Hardware, clock_hz: u64) -> Self {
        let info = board_info(hw, clock_hz);
        let dsp = crate::shape::CoreShape::for_board(hw).dsp_counters;
        let ib = spikemesh_spec::protocol::Response::Ident(info).frame(0).payload;
        assert_eq!(ib.len(), 25);
        // The 25 IDENT bytes as five 5-byte parts, first byte lowest.
        let ident: [u64; 5] =
            std::array::from_fn(|k| ib.iter().skip(5 * k).take(5).rev().fold(0u64, |acc, &b| acc << 8 | b as u64));
        assert_eq!(MEMORIES, 14, "the tables below have one entry per memory id");
        // Ids the chip's model lacks are unknown: their entries never match.
        let known: Vec<Option<_>> = (0..MEMORIES).map(|m| geometry(m, hw)).collect();
        let absent = spikemesh_spec::memory_map::Geometry {
            rows: 0,
            cols: 0,
            bits: 1,
            signed: false,
            writable: false,
            allowed: 0,
        };
        let geo: Vec<_> = known.iter().map(|g| g.unwrap_or(absent)).collect();
        // Enough bits to hold every memory's row (column) count itself.
        let keep = |n: u64| (1u64 << (64 - n.leading_zeros())) - 1;
        let row_keep = keep(geo.iter().map(|g| g.rows as u64).max().unwrap_or(1));
        let col_keep = keep(geo.iter().map(|g| g.cols as u64).max().unwrap_or(1));
        let c8 = |v: u64| Constant::new(Bits::<8>::from(v));
        let c11 = |v: u64| Constant::new(Bits::<11>::from(v));
        let c24 = |v: u64| Constant::new(Bits::<24>::from(v));
        let c40 = |v: u64| Constant::new(Bits::<40>::from(v));
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
            narrow: Default::default(),
            wbytes: Default::default(),
            wval: Default::default(),
            rs_narrow: Resize::zero(),
            cmd_kind: Default::default(),
            seq: Default::default(),
            core: Default::default(),
            mem: Default::default(),
            row: Default::default(),
            col: Default::default(),
            row_big: Default::default(),
            col_big: Default::default(),
            nsteps: Default::default(),
            sh_out: Default::default(),
            ocnt: Default::default(),
            chunk: Default::default(),
            nchunk: Default::default(),
            wa: Default::default(),
            rkind: Default::default(),
            open: Default::default(),
            fopen: Default::default(),
            nspk: Default::default(),
            n_accepted: Counter32::new(dsp),
            n_rejected: Counter32::new(dsp),
            n_spikes: Counter32::new(dsp),
            clear_counts: Default::default(),
            last_ok: Default::default(),
            last_kind: Default::default(),
            last_seq: Default::default(),
            last_len: Default::default(),
            silent: Default::default(),
            pull: Default::default(),
            paused: Default::default(),
            pend: Default::default(),
            quiet_q: Default::default(),
            fresh: Default::default(),
            calm: Default::default(),
            ok_wr: Default::default(),
            ok_rd: Default::default(),
            ok_val: Default::default(),
            ok_flit: Default::default(),
            ok_count: Default::default(),
            lim_known: Default::default(),
            lim_wr: Default::default(),
            lim_signed: Default::default(),
            lim_rows: Default::default(),
            lim_cols: Default::default(),
            lim_mask: Default::default(),
            vmask: Default::default(),
            flit24: Default::default(),
            col_end: Default::default(),
            col_now: Default::default(),
            row_in: Default::default(),
            part: Default::default(),
            rs_byte: Resize::zero(),
            rs_words: Resize::zero(),
            rs_widx: Resize::zero(),
            rs_row: Resize::zero(),
            rs_col: Resize::zero(),
            rs_col16: Resize::zero(),
            rs_count: Resize::zero(),
            rs_wdata: Resize::zero(),
            rs_rdata: Resize::sign(),
            rs_flit_out: Resize::zero(),
            rs_flit_in: Resize::zero(),
            rs_ts: Resize::zero(),
            rs_counter: Resize::zero(),
            rs_mem: Resize::zero(),
            rs_x: Resize::zero(),
            rs_y: Resize::zero(),
            rs_axon: Resize::zero(),
            ident: std::array::from_fn(|k| c40(ident[k])),
            cores: c8(hw.cores() as u64),
            mesh_x5: Constant::new(Bits::<5>::from(hw.mesh_x as u64)),
            mesh_y5: Constant::new(Bits::<5>::from(hw.mesh_y as u64)),
            axons: c24(hw.axons_per_core as u64),
            g_known: std::array::from_fn(|m| Constant::new(known[m].is_some())),
            g_rows: std::array::from_fn(|m| c24(geo[m].rows as u64)),
            g_cols: std::array::from_fn(|m| c24(geo[m].cols as u64)),
            // Bits a value may not use: outside its width or packed fields (unsigned), above
            // the sign bit (signed).
            g_mask: std::array::from_fn(|m| {
                let free = if geo[m].signed { (1u64 << (geo[m].bits - 1)) - 1 } else { geo[m].allowed };
                c40(!free & ((1u64 << 40) - 1))
            }),
            g_signed: std::array::from_fn(|m| Constant::new(geo[m].signed)),
            g_wr: std::array::from_fn(|m| Constant::new(geo[m].writable)),
            mem_ids: std::array::from_fn(|i| c8(i as u64)),
            tx_addr: std::array::from_fn(|i| Constant::new(Bits::<TB>::from(i as u64))),
            k_ident: c8(kind::IDENTIFY as u64),
            k_write: c8(kind::WRITE_MEM as u64),
            k_write8: c8(kind::WRITE_BYTES as u64),
            byte_ok: Constant::new(hw.byte_writes),
            k_stepp: c8(kind::STEP_PULLED as u64),
            k_next: c8(kind::NEXT as u64),
            pull_ok: Constant::new(hw.pulled_spikes),
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
            nack_kind: c40(Reason::UnknownKind as u64),
            nack_length: c40(Reason::BadLength as u64),
            nack_range: c40(Reason::OutOfRange as u64),
            nack_busy: c40(Reason::Busy as u64),
            n0: c11(0),
            n1: c11(1),
            n2: c11(2),
            n3: c11(3),
            n4: c11(4),
            n5: c11(5),
            n7: c11(7),
            n9: c11(9),
            n_spf: c11(SPIKES_PER_FRAME as u64),
            c: std::array::from_fn(|i| Constant::new(Bits::<3>::from(i as u64))),
            c2: Constant::new(Bits::<2>::from(0u64)),
            c2one: Constant::new(Bits::<2>::from(1u64)),
            c2three: Constant::new(Bits::<2>::from(3u64)),
            z16: Constant::new(Bits::<16>::from(0u64)),
            max_read: Constant::new(Bits::<16>::from(READ_WORDS as u64)),
            z24: c24(0),
            row_keep: c24(row_keep),
            col_keep: c24(col_keep),
            z40: c40(0),
            hi32: c40(0xff_ffff_ff00),
            z32: Constant::new(Bits::<32>::from(0u64)),
            o32: Constant::new(Bits::<32>::from(1u64)),
            sh8: c40(8),
            sh32: c40(32),
        }
    }
}

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
        // The geometry of memory `mem`.
        self.lim_known.next = false;
        self.lim_wr.next = false;
        self.lim_signed.next = false;
        self.lim_rows.next = self.z24.val();
        self.lim_cols.next = self.z24.val();
        self.lim_mask.next = self.z40.val();
        for m in 0..14 {
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
