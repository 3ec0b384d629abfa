//! A 5-port mesh router (its position arrives on two ports): dimension-order (XY) routing, a
//! 2-deep (or 1-deep, where logic cells are scarce) FIFO per input, round-robin arbitration per output, valid/ready on every link.
//! Nothing is dropped: a full FIFO holds `in_ready` low and the sender waits. The routing rule
//! is `spec::flit::route`; only the turns it can take are wired (`spec::flit::can_turn`), and
//! only the flit bits the chip's shape uses are stored (`spec::flit::used_mask`).
//!
//! `in_ready` and `out_valid` come straight from registers, so routers can be chained into a
//! mesh without combinational paths between them. Each port moves one flit per clock.
//! Ports: 0 north (y - 1), 1 east (x + 1), 2 south (y + 1), 3 west (x - 1), 4 local.

use rust_hdl::prelude::*;

/// Bits of a flit (`spec::flit::FLIT_BITS`).
pub const FLIT: usize = 23;

/// One router at mesh position (x, y).
#[derive(LogicBlock)]
pub struct Router {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Input links: valid.
    pub in_valid: [Signal<In, bool>; 5],
    /// Input links: flit.
    pub in_flit: [Signal<In, Bits<FLIT>>; 5],
    /// Input links: ready (registered).
    pub in_ready: [Signal<Out, bool>; 5],
    /// Output links: valid (registered).
    pub out_valid: [Signal<Out, bool>; 5],
    /// Output links: flit.
    pub out_flit: [Signal<Out, Bits<FLIT>>; 5],
    /// Output links: ready.
    pub out_ready: [Signal<In, bool>; 5],
    /// Some flit is inside this router (for the timestep barrier).
    pub occupied: Signal<Out, bool>,
    /// This router's mesh x (tied to a constant by the mesh; a port so one router module
    /// serves every position and no comparison is constant inside it).
    pub my_x: Signal<In, Bits<4>>,
    /// This router's mesh y.
    pub my_y: Signal<In, Bits<4>>,
    zero4: Constant<Bits<4>>,
    zero5: Constant<Bits<5>>,
    go_n: Constant<Bits<5>>,
    go_e: Constant<Bits<5>>,
    go_s: Constant<Bits<5>>,
    go_w: Constant<Bits<5>>,
    go_l: Constant<Bits<5>>,
    onehot: [Constant<Bits<5>>; 5],
    // The inputs XY routing can send to each output (`spec::flit::can_turn`), and the flit
    // bits the chip uses: Yosys removes the unwired turns and the always-zero flit bits.
    turns: [Constant<Bits<5>>; 5],
    mask: Constant<Bits<FLIT>>,
    // Two-deep input FIFOs (else one slot: the tail logic folds away).
    deep: Constant<bool>,
    in_m: [Signal<Local, Bits<FLIT>>; 5],
    head_valid: [DFF<bool>; 5],
    head: [DFF<Bits<FLIT>>; 5],
    tail_valid: [DFF<bool>; 5],
    tail: [DFF<Bits<FLIT>>; 5],
    o_valid: [DFF<bool>; 5],
    o_flit: [DFF<Bits<FLIT>>; 5],
    last: [DFF<Bits<5>>; 5],
    tx: [Signal<Local, Bits<4>>; 5],
    ty: [Signal<Local, Bits<4>>; 5],
    route: [Signal<Local, Bits<5>>; 5],
    req: [Signal<Local, Bits<5>>; 5],
    above: [Signal<Local, Bits<5>>; 5],
    masked: [Signal<Local, Bits<5>>; 5],
    pick: [Signal<Local, Bits<5>>; 5],
    grant: [Signal<Local, Bits<5>>; 5],
    free: [Signal<Local, bool>; 5],
    deq: Signal<Local, Bits<5>>,
}

impl Default for Router {
    fn default() -> Self {
        Self::new()
    }
}

impl Router {
    /// A router for flits of every shape; its position comes in on `my_x`, `my_y`.
    pub fn new() -> Self {
        Self::with_mask((1 << FLIT) - 1, 2)
    }

    /// A router that carries only the flit bits in `mask` (`spec::flit::used_mask`) and
    /// buffers `depth` (1 or 2) flits per input.
    pub fn with_mask(mask: u64, depth: usize) -> Self {
        assert!(depth == 1 || depth == 2, "router FIFO depth {depth}");
        use spikemesh_spec::flit::{can_turn, Port};
        const PORTS: [Port; 5] = [Port::North, Port::East, Port::South, Port::West, Port::Local];
        let b5 = |v: u64| Constant::new(Bits::<5>::from(v));
        let turns =
            std::array::from_fn(|o| b5((0..5).filter(|&i| can_turn(PORTS[i], PORTS[o])).fold(0, |m, i| m | 1 << i)));
        Self {
            clock: Default::default(),
            in_valid: Default::default(),
            in_flit: Default::default(),
            in_ready: Default::default(),
            out_valid: Default::default(),
            out_flit: Default::default(),
            out_ready: Default::default(),
            occupied: Default::default(),
            my_x: Default::default(),
            my_y: Default::default(),
            zero4: Constant::new(Bits::<4>::from(0u64)),
            zero5: b5(0),
            go_n: b5(1),
            go_e: b5(2),
            go_s: b5(4),
            go_w: b5(8),
            go_l: b5(16),
            onehot: [b5(1), b5(2), b5(4), b5(8), b5(16)],
            turns,
            mask: Constant::new(Bits::<FLIT>::from(mask)),
            deep: Constant::new(depth == 2),
            in_m: Default::default(),
            head_valid: Default::default(),
            head: Default::default(),
            tail_valid: Default::default(),
            tail: Default::default(),
            o_valid: Default::default(),
            o_flit: Default::default(),
            last: Default::default(),
            tx: Default::default(),
            ty: Default::default(),
            route: Default::default(),
            req: Default::default(),
            above: Default::default(),
            masked: Default::default(),
            pick: Default::default(),
            grant: Default::default(),
            free: Default::default(),
            deq: Default::default(),
        }
    }
}

impl Logic for Router {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..5 {
            self.head_valid[i].clock.next = self.clock.val();
            self.head[i].clock.next = self.clock.val();
            self.tail_valid[i].clock.next = self.clock.val();
            self.tail[i].clock.next = self.clock.val();
            self.o_valid[i].clock.next = self.clock.val();
            self.o_flit[i].clock.next = self.clock.val();
            self.last[i].clock.next = self.clock.val();
            self.head_valid[i].d.next = self.head_valid[i].q.val();
            self.head[i].d.next = self.head[i].q.val();
            self.tail_valid[i].d.next = self.tail_valid[i].q.val();
            self.tail[i].d.next = self.tail[i].q.val();
            self.o_valid[i].d.next = self.o_valid[i].q.val();
            self.o_flit[i].d.next = self.o_flit[i].q.val();
            self.last[i].d.next = self.last[i].q.val();
        }
        // Route every head flit (one-hot output request); host flits head for (0,0), then west.
        for i in 0..5 {
            self.tx[i].next = self.head[i].q.val().get_bits::<4>(18);
            self.ty[i].next = self.head[i].q.val().get_bits::<4>(14);
            if self.head[i].q.val().get_bit(22) {
                self.tx[i].next = self.zero4.val();
                self.ty[i].next = self.zero4.val();
            }
            self.route[i].next = self.go_l.val();
            if self.head[i].q.val().get_bit(22) {
                self.route[i].next = self.go_w.val();
            }
            if self.ty[i].val() < self.my_y.val() {
                self.route[i].next = self.go_n.val();
            }
            if self.ty[i].val() > self.my_y.val() {
                self.route[i].next = self.go_s.val();
            }
            if self.tx[i].val() < self.my_x.val() {
                self.route[i].next = self.go_w.val();
            }
            if self.tx[i].val() > self.my_x.val() {
                self.route[i].next = self.go_e.val();
            }
            if !self.head_valid[i].q.val() {
                self.route[i].next = self.zero5.val();
            }
        }
        // Per output: which inputs ask for it, and a round-robin pick after the last winner.
        self.deq.next = self.zero5.val();
        for o in 0..5 {
            self.req[o].next = self.zero5.val();
            for i in 0..5 {
                if self.route[i].val().get_bit(o) {
                    self.req[o].next = self.req[o].val() | self.onehot[i].val();
                }
            }
            self.req[o].next = self.req[o].val() & self.turns[o].val();
            // Requests above the last winner (one-hot `last`, so its prefix OR is four shifts),
            // and the lowest of those, else the lowest request: shifts and gates, no carry
            // chains (each would cost iCE40 logic cells of its own).
            self.above[o].next = (self.last[o].q.val() << 1)
                | (self.last[o].q.val() << 2)
                | (self.last[o].q.val() << 3)
                | (self.last[o].q.val() << 4);
            self.masked[o].next = self.req[o].val() & self.above[o].val();
            if self.masked[o].val() == self.zero5.val() {
                self.masked[o].next = self.req[o].val();
            }
            self.pick[o].next = self.masked[o].val()
                & !((self.masked[o].val() << 1)
                    | (self.masked[o].val() << 2)
                    | (self.masked[o].val() << 3)
                    | (self.masked[o].val() << 4));
            self.free[o].next = !self.o_valid[o].q.val() | self.out_ready[o].val();
            self.grant[o].next = self.zero5.val();
            if self.free[o].val() {
                self.grant[o].next = self.pick[o].val();
            }
            if self.o_valid[o].q.val() & self.out_ready[o].val() {
                self.o_valid[o].d.next = false;
            }
            if self.grant[o].val() != self.zero5.val() {
                self.o_valid[o].d.next = true;
                self.last[o].d.next = self.grant[o].val();
                for i in 0..5 {
                    if self.grant[o].val().get_bit(i) {
                        self.o_flit[o].d.next = self.head[i].q.val();
                    }
                }
            }
            self.deq.next = self.deq.val() | self.grant[o].val();
            self.out_valid[o].next = self.o_valid[o].q.val();
            self.out_flit[o].next = self.o_flit[o].q.val();
        }
        // Input FIFOs: ready while the tail slot is free; the head leaves when granted.
        self.occupied.next = false;
        for i in 0..5 {
            self.in_m[i].next = self.in_flit[i].val() & self.mask.val();
            // Ready while a slot is free at the start of the clock (a registered condition).
            self.in_ready[i].next = !self.head_valid[i].q.val();
            if self.deep.val() {
                self.in_ready[i].next = !self.tail_valid[i].q.val();
            }
            if self.deq.val().get_bit(i) {
                if self.tail_valid[i].q.val() {
                    self.head[i].d.next = self.tail[i].q.val();
                    self.tail_valid[i].d.next = false;
                } else {
                    self.head_valid[i].d.next = false;
                    if self.in_valid[i].val() & self.deep.val() {
                        self.head[i].d.next = self.in_m[i].val();
                        self.head_valid[i].d.next = true;
                    }
                }
            } else if self.in_valid[i].val() & self.in_ready[i].val() {
                if self.head_valid[i].q.val() {
                    self.tail[i].d.next = self.in_m[i].val();
                    self.tail_valid[i].d.next = true;
                } else {
                    self.head[i].d.next = self.in_m[i].val();
                    self.head_valid[i].d.next = true;
                }
            }
            self.occupied.next =
                self.occupied.val() | self.head_valid[i].q.val() | self.tail_valid[i].q.val() | self.o_valid[i].q.val();
        }
    }
}
