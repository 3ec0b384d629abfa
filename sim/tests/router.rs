//! The router in Verilator under random traffic from all five ports at once: every flit
//! leaves exactly once, by the port `spec::flit::route` names, in order per (input, output);
//! no input starves under sustained contention; the router drains in bounded time. Traffic
//! on each input is what XY routing can bring there (`spec::flit::can_turn`).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_hdl::mesh::router::Router;
use spikemesh_sim::verilator::{build, Model, PortId};
use spikemesh_spec::flit::{can_turn, route, Flit, Port};
use std::collections::HashMap;

const PORTS: [Port; 5] = [Port::North, Port::East, Port::South, Port::West, Port::Local];

struct Dut {
    m: Model,
    clock: PortId,
    in_valid: Vec<PortId>,
    in_flit: Vec<PortId>,
    in_ready: Vec<PortId>,
    out_valid: Vec<PortId>,
    out_flit: Vec<PortId>,
    out_ready: Vec<PortId>,
    occupied: PortId,
}

fn dut(x: usize, y: usize, depth: usize) -> Dut {
    let v = spikemesh_hdl::verilog_of(Router::with_mask((1 << spikemesh_hdl::mesh::router::FLIT) - 1, depth));
    let built = build(&v, "top", false, "the router").unwrap_or_else(|e| panic!("{e}"));
    let mut m = Model::load(&built).unwrap();
    let (px, py) = (m.port("my_x"), m.port("my_y"));
    m.set(px, x as u64);
    m.set(py, y as u64);
    let ports = |n: &str| (0..5).map(|i| m.port(&format!("{n}${i}"))).collect::<Vec<_>>();
    Dut {
        clock: m.port("clock"),
        in_valid: ports("in_valid"),
        in_flit: ports("in_flit"),
        in_ready: ports("in_ready"),
        out_valid: ports("out_valid"),
        out_flit: ports("out_flit"),
        out_ready: ports("out_ready"),
        occupied: m.port("occupied"),
        m,
    }
}

/// Runs random traffic; returns per-input deliveries. `pick` chooses a flit for an input.
// Port i indexes several parallel arrays (offers, model ports, results) at once.
#[allow(clippy::needless_range_loop)]
fn traffic(
    d: &mut Dut,
    (x, y): (u8, u8),
    cycles: usize,
    inject: f64,
    stall: f64,
    seed: u64,
    mut pick: impl FnMut(&mut ChaCha8Rng, usize, u16) -> Flit,
) -> [u64; 5] {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut offered: [Option<Flit>; 5] = [None; 5];
    // id -> (input, expected output); ids are unique payloads.
    let mut in_flight: HashMap<u16, (usize, Port)> = HashMap::new();
    let mut last_id: HashMap<(usize, usize), u16> = HashMap::new();
    let mut next_id: u16 = 0;
    let mut served = [0u64; 5];
    let mut cycle = 0;
    let mut quiet = 0;
    loop {
        let injecting = cycle < cycles;
        for i in 0..5 {
            if offered[i].is_none() && injecting && r.gen_bool(inject) && next_id < 16383 {
                let f = pick(&mut r, i, next_id);
                in_flight.insert(next_id, (i, route(f, x, y)));
                next_id += 1;
                offered[i] = Some(f);
            }
            d.m.set(d.in_valid[i], offered[i].is_some() as u64);
            d.m.set(d.in_flit[i], offered[i].map_or(0, |f| f.encode()));
            let ready = !injecting || !r.gen_bool(stall);
            d.m.set(d.out_ready[i], ready as u64);
        }
        d.m.eval();
        let mut took = [false; 5];
        for i in 0..5 {
            took[i] = offered[i].is_some() && d.m.get(d.in_ready[i]) == 1;
            if d.m.get(d.out_valid[i]) == 1 && d.m.get(d.out_ready[i]) == 1 {
                let f = Flit::decode(d.m.get(d.out_flit[i]));
                let (src, want) =
                    in_flight.remove(&f.payload).unwrap_or_else(|| panic!("flit {f:?} delivered twice or never sent"));
                assert_eq!(PORTS[i], want, "flit {f:?} left by the wrong port");
                if let Some(prev) = last_id.insert((src, i), f.payload) {
                    assert!(prev < f.payload, "flits from input {src} to output {i} reordered");
                }
                served[src] += 1;
            }
        }
        d.m.tick(d.clock, 1);
        for i in 0..5 {
            if took[i] {
                offered[i] = None;
            }
        }
        cycle += 1;
        if !injecting && offered.iter().all(Option::is_none) {
            d.m.eval();
            if in_flight.is_empty() && d.m.get(d.occupied) == 0 {
                break;
            }
            quiet += 1;
            assert!(quiet < 64, "router did not drain: {} flits inside after {quiet} cycles", in_flight.len());
        }
    }
    served
}

#[test]
fn random_traffic_is_delivered_once_by_the_right_port() {
    for (x, y, depth) in [(1u8, 1u8, 2), (0, 0, 2), (2, 1, 2), (1, 1, 1), (0, 0, 1)] {
        let mut d = dut(x as usize, y as usize, depth);
        for seed in 0..4 {
            // Any flit that XY routing can bring in on that input (the router wires no other turn).
            let served = traffic(&mut d, (x, y), 3000, 0.3 + 0.2 * seed as f64, 0.3, seed, |r, i, id| loop {
                let f = Flit { host: r.gen_bool(0.2), x: r.gen_range(0..4), y: r.gen_range(0..4), payload: id };
                if can_turn(PORTS[i], route(f, x, y)) {
                    break f;
                }
            });
            assert!(served.iter().all(|&s| s > 300), "every input got traffic through: {served:?}");
        }
    }
}

#[test]
fn no_input_starves_under_contention() {
    // All five inputs send only to the local core, which is always ready: round-robin must
    // share the one output evenly.
    for depth in [2, 1] {
        let mut d = dut(1, 1, depth);
        let served = traffic(&mut d, (1, 1), 5000, 1.0, 0.0, 9, |_, _, id| Flit::axon(1, 1, id));
        let total: u64 = served.iter().sum();
        for (i, &s) in served.iter().enumerate() {
            assert!(
                s * 5 >= total - 5 && s * 5 <= total + 5,
                "depth {depth}: input {i} got {s} of {total}: {served:?}"
            );
        }
        assert!(total >= 4990, "depth {depth}: one flit per clock leaves the contended port: {total} in 5000 cycles");
    }
}
