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
//!
//! The files here follow `docs/protocol.md`: `commands` (the executor's states, one group per
//! command, and the IDENT answer), `geometry` (which memories a command may address, from
//! `spec::memory_map`), `exec` (each clock: frame decode, the command table, timestep control
//! and answers). This file holds the bridge's ports, registers and constants.

mod commands;
mod exec;
mod geometry;

pub use commands::{board_info, Step};

use crate::arith::resize::Resize;
use crate::link::counter::Counter32;
use crate::link::framerx::{FrameRx, FB};
use crate::link::frametx::{FrameTx, TB};
use crate::link::uart::{UartRx, UartTx};
use crate::mesh::router::FLIT;
use crate::shape::DW;
use rust_hdl::prelude::*;
use spikemesh_spec::memory_map::{geometry, MEMORIES};
use spikemesh_spec::protocol::{kind, Reason, READ_WORDS, SPIKES_PER_FRAME};
use spikemesh_spec::Hardware;

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
    // The geometry of memory `mem` (`memory_map::geometry`; `geometry::table`).
    g_known: [Constant<bool>; geometry::IDS],
    g_rows: [Constant<Bits<24>>; geometry::IDS],
    g_cols: [Constant<Bits<24>>; geometry::IDS],
    g_mask: [Constant<Bits<40>>; geometry::IDS],
    g_signed: [Constant<bool>; geometry::IDS],
    g_wr: [Constant<bool>; geometry::IDS],
    mem_ids: [Constant<Bits<8>>; geometry::IDS],
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
    row_keep: Constant<Bits<24>>,
    col_keep: Constant<Bits<24>>,
    z24: Constant<Bits<24>>,
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
        let table = geometry::table(hw);
        let dsp = crate::shape::CoreShape::for_board(hw).dsp_counters;
        let ib = spikemesh_spec::protocol::Response::Ident(info).frame(0).payload;
        assert_eq!(ib.len(), 25);
        // The 25 IDENT bytes as five 5-byte parts, first byte lowest.
        let ident: [u64; 5] =
            std::array::from_fn(|k| ib.iter().skip(5 * k).take(5).rev().fold(0u64, |acc, &b| acc << 8 | b as u64));
        let geo: Vec<_> = (0..MEMORIES).map(|m| geometry(m, hw)).collect();
        // Enough bits to hold every memory's row (column) count itself.
        let keep = |n: u64| (1u64 << (64 - n.leading_zeros())) - 1;
        let row_keep = keep(geo.iter().flatten().map(|g| g.rows as u64).max().unwrap_or(1));
        let col_keep = keep(geo.iter().flatten().map(|g| g.cols as u64).max().unwrap_or(1));
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
            g_known: table.known,
            g_rows: table.rows,
            g_cols: table.cols,
            g_mask: table.mask,
            g_signed: table.signed,
            g_wr: table.writable,
            mem_ids: table.ids,
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
            row_keep: c24(row_keep),
            col_keep: c24(col_keep),
            z24: c24(0),
            z40: c40(0),
            hi32: c40(0xff_ffff_ff00),
            z32: Constant::new(Bits::<32>::from(0u64)),
            o32: Constant::new(Bits::<32>::from(1u64)),
            sh8: c40(8),
            sh32: c40(32),
        }
    }
}
