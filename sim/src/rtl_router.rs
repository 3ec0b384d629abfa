//! Measurements on a lone router in Verilator.

use crate::verilator::{BuildError, Model};
use spikemesh_hdl::mesh::router::Router;
use spikemesh_spec::flit::Flit;

/// Clock cycles from a flit entering a router (accepted on the west input) to the same flit
/// being offered on the east output, with nothing else in the router: the per-hop latency.
pub fn hop_latency() -> Result<u64, BuildError> {
    let mut m = Model::open(&spikemesh_hdl::verilog_of(Router::new()), "top", "the router", None)?;
    let (clock, x, y) = (m.port("clock"), m.port("my_x"), m.port("my_y"));
    let (inv, inf, outv) = (m.port("in_valid$3"), m.port("in_flit$3"), m.port("out_valid$1"));
    // Settle once first: Verilator sees a rising edge only after a low clock was evaluated.
    m.eval();
    m.set(x, 1);
    m.set(y, 1);
    for i in 0..5 {
        let r = m.port(&format!("out_ready${i}"));
        m.set(r, 1);
    }
    m.set(inv, 1);
    m.set(inf, Flit::axon(3, 1, 7).encode());
    m.tick(clock, 1);
    m.set(inv, 0);
    let mut cycles = 1;
    m.eval();
    while m.get(outv) == 0 {
        m.tick(clock, 1);
        cycles += 1;
        assert!(cycles < 100, "the flit never left the router");
    }
    Ok(cycles)
}
