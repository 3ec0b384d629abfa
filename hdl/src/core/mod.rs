//! The neuron core: a time-multiplexed crossbar core with one neuron datapath, that of the
//! model its shape names, behind fixed ports (`neuron::Datapath`; the contract is in
//! `docs/neuron-models.md`). Nothing here depends on which model it is.
//!
//! Per timestep the controller pulses `start` (the core must be idle). The core then updates
//! every neuron once: read its potential, its middle state register (if the model has one),
//! its accumulator and refractory counter (one word) and its type index; then the pipelined
//! datapath, whose output writes the state back, zeroes the accumulator and queues the spike.
//! The type's parameter words come from a one-entry cache: when a neuron's type differs from
//! the cached one, the update pauses, lets the pipeline drain, reads the model's words, and
//! goes on (neurons of one population are contiguous, so this costs a few clocks per type
//! boundary).
//!
//! Axon events arriving on `in_*` wait while the update runs (`in_ready` is low), then are
//! integrated into the accumulators one crossbar word per clock: the axon's crossbar row
//! streams past them, `lanes` synapses at a time (`CoreShape::lanes`; one adder and one
//! accumulator bank per lane, `memory/accumulators.rs`). Each neuron's accumulator still
//! receives its events in arrival order, so the sums are those of one synapse per clock.
//! One set of accumulators is enough because the update has read and zeroed every
//! accumulator before the first event is taken. The mesh cannot deadlock on this: an
//! update never waits for anything.
//!
//! With synaptic delays (`delay_bits` B > 0) the accumulators are a ring of 2^B slots per
//! neuron and every axon row has a delay (`mapping`: the delay belongs to the row). `head` is
//! the slot of the update in flight (it steps at `start`); an event on a row of delay d adds
//! into slot head + 1 + d, so it reaches the update d timesteps after the next one. The row's
//! delay is read from its own small RAM while the event is accepted, a clock before the first
//! accumulator read needs it. Without delays every slot is 0 and Yosys removes all of it.
//!
//! Spikes leave on `out_*` (valid/ready) from a queue deep enough for one timestep. The queue
//! shares a block RAM with the type indices (the update reads types, the queue is read
//! after it), so spikes start to leave when the update is done. See `docs/semantics.md` for
//! the arithmetic and `spec/src/memory_map.rs` for the config map.
//!
//! This file holds the core's ports, memories and registers; `update.rs` what it does each clock.

mod update;

use crate::arith::adder::NarrowAdd;
use crate::arith::resize::Resize;
use crate::memory::accumulators::Accumulators;
use crate::memory::crossbar::Crossbar;
use crate::memory::ram::Ram;
use crate::memory::taps::{TapTable, TAP_INDEX_BITS};
use crate::neuron::Datapath;
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
    /// Axon event in: ready, on the event's last synapse (the event stays offered meanwhile).
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
    // Type index of each neuron at [0, N), the spike queue at [qbase, qbase + N).
    tq: Ram<TQA, NB>,
    // Type word k of type t at t + k * 2^type_bits (`CoreShape::type_table_ram`).
    types: Ram<TYA, D>,
    pot: Ram<NB, D>,
    // The model's middle state register (`CoreShape::aux_state`). Without one it is a word
    // nothing writes or reads (`has_aux` low), which Yosys removes.
    aux: Ram<NB, D>,
    // Accumulator (lo, signed) and refractory counter (hi) of each neuron, one bank per lane.
    accr: Accumulators<D>,
    // The delay of each axon row (`memory_map::AXON_DELAY`); one unused bit without delays.
    adly: Ram<AB, 4>,
    // Shared kernels: each axon's taps (`memory_map::TAP`); a 2 x 1 table nothing writes
    // or reads without them, which Yosys removes.
    taps: TapTable,
    rs_adly: Resize<4, D>,
    dp: Datapath<D>,
    // One adder per lane; lanes the shape does not build add constant zeros nothing reads.
    add0: NarrowAdd<D>,
    add1: NarrowAdd<D>,
    add2: NarrowAdd<D>,
    add3: NarrowAdd<D>,
    rs_ntype: Resize<NB, D>,
    rs_trow: Resize<TB, TYA>,
    rs_ty: Resize<NB, TB>,
    rs_tyw: Resize<TB, TYA>,
    rs_col: Resize<NB, TQA>,
    rs_uj: Resize<NB, TQA>,
    rs_refr: Resize<8, D>,
    rs_wdata: Resize<DW, D>,
    rs_rdata: Resize<D, DW>,
    rdata: Signal<Local, Bits<D>>,

    // Shape constants (localparams, so nothing leaks unresolved into the Verilog).
    n_last: Constant<Bits<NB>>,
    // The neuron-index bits this shape uses: counters are masked to them, so Yosys drops the
    // rest of NB.
    nmask: Constant<Bits<NB>>,
    one_nb: Constant<Bits<NB>>,
    zero_nb: Constant<Bits<NB>>,
    // Integration walks the row a word at a time: neuron index step and the last word's start.
    lanes_nb: Constant<Bits<NB>>,
    int_last: Constant<Bits<NB>>,
    zero_dw: Constant<Bits<D>>,
    one_q: Constant<Bits<TQA>>,
    zero_q: Constant<Bits<TQA>>,
    qbase: Constant<Bits<TQA>>,
    // Type word k's offset in the type RAM, and the bits it reads back (all for signed words).
    t0: Constant<Bits<TYA>>,
    t1: Constant<Bits<TYA>>,
    t2: Constant<Bits<TYA>>,
    t3: Constant<Bits<TYA>>,
    t4: Constant<Bits<TYA>>,
    wm0: Constant<Bits<D>>,
    wm1: Constant<Bits<D>>,
    wm2: Constant<Bits<D>>,
    wm3: Constant<Bits<D>>,
    wm4: Constant<Bits<D>>,
    // The model has type words 3 and 4; the refill is done in state `f_last`.
    has_w3: Constant<bool>,
    has_w4: Constant<bool>,
    has_aux: Constant<bool>,
    f_last: Constant<Bits<3>>,
    zero3: Constant<Bits<3>>,
    one3: Constant<Bits<3>>,
    f2: Constant<Bits<3>>,
    f3: Constant<Bits<3>>,
    f4: Constant<Bits<3>>,
    f5: Constant<Bits<3>>,
    f6: Constant<Bits<3>>,
    mem_xbar: Constant<Bits<4>>,
    mem_ntype: Constant<Bits<4>>,
    mem_thr: Constant<Bits<4>>,
    mem_rst: Constant<Bits<4>>,
    mem_ctl: Constant<Bits<4>>,
    mem_pot: Constant<Bits<4>>,
    mem_refr: Constant<Bits<4>>,
    mem_acc: Constant<Bits<4>>,
    mem_w3: Constant<Bits<4>>,
    mem_w4: Constant<Bits<4>>,
    mem_aux: Constant<Bits<4>>,
    mem_code: Constant<Bits<4>>,
    mem_adly: Constant<Bits<4>>,
    mem_tap: Constant<Bits<4>>,
    // Shared kernels: the core has them; the last word of a segment (j's value there).
    kern: Constant<bool>,
    seg_last: Constant<Bits<NB>>,
    zero_tap: Constant<Bits<TAP_INDEX_BITS>>,
    one_tap: Constant<Bits<TAP_INDEX_BITS>>,
    // Delays: the core has them; the ring's slot mask (2^B - 1, 0 without delays); one.
    has_delay: Constant<bool>,
    ring_mask: Constant<Bits<4>>,
    one4: Constant<Bits<4>>,
    zero4: Constant<Bits<4>>,
    // What the core answers on `MODEL_CODE`: its model's code.
    model_code: Constant<Bits<D>>,
    zero8: Constant<Bits<8>>,

    // Control registers.
    upd_busy: DFF<bool>,
    // The neuron index of whichever engine runs: the update, an event's integration or the
    // clear (they never overlap).
    j: DFF<Bits<NB>>,
    u1_valid: DFF<bool>,
    u1_j: DFF<Bits<NB>>,
    // The neuron the LIF's next result belongs to (results leave in order).
    wb_j: DFF<Bits<NB>>,
    // The type cache: `cur` is the cached type, valid when `have`; `fetch` counts the
    // refill (0 = none, 1 = draining the pipeline, 2..6 = parameter word reads landing).
    have: DFF<bool>,
    cur: DFF<Bits<TB>>,
    fetch: DFF<Bits<3>>,
    // The type that missed, fetched once the pipeline has drained.
    next_t: DFF<Bits<TB>>,
    // Type words 1..4 of the cached type (word 0 is the type RAM's resting read).
    p1: DFF<Bits<D>>,
    p2: DFF<Bits<D>>,
    p3: DFF<Bits<D>>,
    p4: DFF<Bits<D>>,
    int_busy: DFF<bool>,
    s1_valid: DFF<bool>,
    s1_j: DFF<Bits<NB>>,
    fw_hit: DFF<bool>,
    fw0: DFF<Bits<D>>,
    fw1: DFF<Bits<D>>,
    fw2: DFF<Bits<D>>,
    fw3: DFF<Bits<D>>,
    // Forwarding is only needed by a core whose row is one word (it reads one accumulator
    // word on consecutive clocks); a constant, so other shapes carry none of it.
    single: Constant<bool>,
    clr_busy: DFF<bool>,
    // Spike queue pointers, from 0 each timestep (one bit wider than a neuron index: the
    // queue may fill).
    wptr: DFF<Bits<TQA>>,
    rptr: DFF<Bits<TQA>>,
    rd_pending: DFF<bool>,
    ovalid: DFF<bool>,
    odata: DFF<Bits<NB>>,
    cfg_rv: DFF<bool>,
    cfg_sel: DFF<Bits<4>>,
    // The ring slot of the update in flight (or the last one).
    head: DFF<Bits<4>>,
    // The slot stage 1 writes, and the slot the clear is zeroing.
    s1_slot: DFF<Bits<4>>,
    clr_slot: DFF<Bits<4>>,
    // The tap of the event in integration (shared kernels).
    tap: DFF<Bits<TAP_INDEX_BITS>>,

    // Combinational helpers.
    idle: Signal<Local, bool>,
    updating: Signal<Local, bool>,
    issue_u0: Signal<Local, bool>,
    u1_type: Signal<Local, Bits<TB>>,
    miss: Signal<Local, bool>,
    accept: Signal<Local, bool>,
    j_next: Signal<Local, Bits<NB>>,
    j_last: Signal<Local, bool>,
    j_step: Signal<Local, Bits<NB>>,
    int_end: Signal<Local, bool>,
    old0: Signal<Local, Bits<D>>,
    old1: Signal<Local, Bits<D>>,
    old2: Signal<Local, Bits<D>>,
    old3: Signal<Local, Bits<D>>,
    issue: Signal<Local, bool>,
    push: Signal<Local, bool>,
    cfg_w: Signal<Local, bool>,
    cfg_r: Signal<Local, bool>,
    cfg_types: Signal<Local, bool>,
    cfg_taddr: Signal<Local, Bits<TYA>>,
    // The slot the next update reads, and the slot the event in integration adds into.
    slot_next: Signal<Local, Bits<4>>,
    slot_in: Signal<Local, Bits<4>>,
    // Shared kernels: j is at a segment's last word; the tap read now is the event's last;
    // its kernel row and segment base (zero outside integration); the accumulator word
    // integration reads (j + base).
    seg_end: Signal<Local, bool>,
    tap_last: Signal<Local, bool>,
    krow: Signal<Local, Bits<AB>>,
    kbase: Signal<Local, Bits<NB>>,
    ridx: Signal<Local, Bits<NB>>,
}

/// Address bits of the type-index + spike-queue RAM.
const TQA: usize = NB + 1;
/// Address bits of the type-parameter RAM (up to five words per type).
const TYA: usize = TB + 3;

impl<const D: usize> NeuronCore<D> {
    /// A core of the given shape, all memories zero.
    pub fn new(s: &CoreShape) -> Self {
        let nb = |v: usize| Constant::new(Bits::<NB>::from(v as u64));
        let m4 = |v: u8| Constant::new(Bits::<4>::from(v as u64));
        let c3 = |v: u64| Constant::new(Bits::<3>::from(v));
        use spikemesh_spec::memory_map as mm;
        let (nbits, tbits) = (s.neuron_bits(), s.type_bits());
        let (tq, types) = (s.type_queue_ram(), s.type_table_ram());
        let tyc = |k: u64| Constant::new(Bits::<TYA>::from(k << tbits));
        // Signed words read back sign-extended (all bits); unsigned ones masked to their fields.
        let words = s.type_words();
        let wm = |k: usize| {
            let m = words.get(k).map_or(0, |w| if w.signed { u64::MAX } else { w.mask });
            Constant::new(Bits::<D>::from(m & ((1u128 << D) - 1) as u64))
        };
        let aux = s.aux_state();
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
            xbar: {
                let (rows, cols) = s.crossbar_size();
                Crossbar::new(rows, cols, s.weight_bits, s.crossbar, s.lanes())
            },
            tq: Ram::new(tq.0, tq.1, false),
            // Signed: threshold and reset sign-extend; the control word is masked on use.
            types: Ram::new(types.0, types.1, true),
            pot: Ram::new(s.neurons, s.potential_bits, true),
            aux: match aux {
                Some(f) => Ram::new(s.neurons, f.bits as usize, f.signed),
                None => Ram::new(1, 1, false),
            },
            accr: Accumulators::new(s.neurons, s.acc_bits, s.refractory_bits.max(1), s.lanes(), s.delay_bits as usize),
            adly: if s.delay_bits > 0 {
                Ram::new(s.axons, s.delay_bits as usize, false)
            } else {
                Ram::new(1, 1, false)
            },
            taps: match &s.kernel {
                Some(k) => TapTable::new(s.axons, s.neurons, k),
                None => TapTable::new(1, 1, &spikemesh_spec::kernel::Kernel { segment: 1, taps: 1, rows: 2 }),
            },
            rs_adly: Resize::zero(),
            dp: Datapath::new(s),
            add0: NarrowAdd::new(s.acc_bits),
            add1: NarrowAdd::new(s.acc_bits),
            add2: NarrowAdd::new(s.acc_bits),
            add3: NarrowAdd::new(s.acc_bits),
            rs_ntype: Resize::zero(),
            rs_trow: Resize::zero(),
            rs_ty: Resize::zero(),
            rs_tyw: Resize::zero(),
            rs_col: Resize::zero(),
            rs_uj: Resize::zero(),
            rs_refr: Resize::zero(),
            rs_wdata: Resize::zero(),
            rs_rdata: Resize::sign(),
            rdata: Default::default(),
            n_last: nb(s.neurons - 1),
            nmask: nb((1 << nbits) - 1),
            one_nb: nb(1),
            zero_nb: nb(0),
            lanes_nb: nb(s.lanes()),
            int_last: nb((s.words_per_row() - 1) * s.lanes()),
            zero_dw: Constant::new(Bits::<D>::from(0u64)),
            one_q: Constant::new(Bits::<TQA>::from(1u64)),
            zero_q: Constant::new(Bits::<TQA>::from(0u64)),
            qbase: Constant::new(Bits::<TQA>::from(1u64 << nbits)),
            t0: tyc(0),
            t1: tyc(1),
            t2: tyc(2),
            t3: tyc(3),
            t4: tyc(4),
            wm0: wm(0),
            wm1: wm(1),
            wm2: wm(2),
            wm3: wm(3),
            wm4: wm(4),
            has_w3: Constant::new(words.len() > 3),
            has_w4: Constant::new(words.len() > 4),
            has_aux: Constant::new(aux.is_some()),
            f_last: c3(words.len() as u64 + 1),
            zero3: c3(0),
            one3: c3(1),
            f2: c3(2),
            f3: c3(3),
            f4: c3(4),
            f5: c3(5),
            f6: c3(6),
            mem_xbar: m4(mm::CROSSBAR),
            mem_ntype: m4(mm::NEURON_TYPE),
            mem_thr: m4(mm::TYPE_THRESHOLD),
            mem_rst: m4(mm::TYPE_RESET),
            mem_ctl: m4(mm::TYPE_CONTROL),
            mem_pot: m4(mm::POTENTIAL),
            mem_refr: m4(mm::REFRACTORY),
            mem_acc: m4(mm::ACCUMULATOR),
            mem_w3: m4(mm::type_word(3)),
            mem_w4: m4(mm::type_word(4)),
            mem_aux: m4(mm::AUX_STATE),
            mem_code: m4(mm::MODEL_CODE),
            mem_adly: m4(mm::AXON_DELAY),
            mem_tap: m4(mm::TAP),
            kern: Constant::new(s.kernel.is_some()),
            seg_last: nb(s.kernel.map_or(0, |k| k.segment - s.lanes())),
            zero_tap: Constant::new(Bits::<TAP_INDEX_BITS>::from(0u64)),
            one_tap: Constant::new(Bits::<TAP_INDEX_BITS>::from(1u64)),
            has_delay: Constant::new(s.delay_bits > 0),
            ring_mask: Constant::new(Bits::<4>::from((1u64 << s.delay_bits) - 1)),
            one4: Constant::new(Bits::<4>::from(1u64)),
            zero4: Constant::new(Bits::<4>::from(0u64)),
            model_code: Constant::new(Bits::<D>::from(s.model.code() as u64)),
            zero8: Constant::new(Bits::<8>::from(0u64)),
            upd_busy: Default::default(),
            j: Default::default(),
            u1_valid: Default::default(),
            u1_j: Default::default(),
            wb_j: Default::default(),
            have: Default::default(),
            cur: Default::default(),
            fetch: Default::default(),
            next_t: Default::default(),
            p1: Default::default(),
            p2: Default::default(),
            p3: Default::default(),
            p4: Default::default(),
            int_busy: Default::default(),
            s1_valid: Default::default(),
            s1_j: Default::default(),
            fw_hit: Default::default(),
            fw0: Default::default(),
            fw1: Default::default(),
            fw2: Default::default(),
            fw3: Default::default(),
            // Shared kernels need none: an event's consecutive words are distinct (each tap
            // its own segment), and two events are a clock apart.
            single: Constant::new(s.words_per_row() == 1 && s.kernel.is_none()),
            clr_busy: Default::default(),
            wptr: Default::default(),
            rptr: Default::default(),
            rd_pending: Default::default(),
            ovalid: Default::default(),
            odata: Default::default(),
            cfg_rv: Default::default(),
            cfg_sel: Default::default(),
            head: Default::default(),
            s1_slot: Default::default(),
            clr_slot: Default::default(),
            tap: Default::default(),
            idle: Default::default(),
            updating: Default::default(),
            issue_u0: Default::default(),
            u1_type: Default::default(),
            miss: Default::default(),
            accept: Default::default(),
            j_next: Default::default(),
            j_last: Default::default(),
            j_step: Default::default(),
            int_end: Default::default(),
            old0: Default::default(),
            old1: Default::default(),
            old2: Default::default(),
            old3: Default::default(),
            issue: Default::default(),
            push: Default::default(),
            cfg_w: Default::default(),
            cfg_r: Default::default(),
            cfg_types: Default::default(),
            cfg_taddr: Default::default(),
            slot_next: Default::default(),
            slot_in: Default::default(),
            seg_end: Default::default(),
            tap_last: Default::default(),
            krow: Default::default(),
            kbase: Default::default(),
            ridx: Default::default(),
        }
    }
}
