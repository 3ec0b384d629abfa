//! Prints the `cuba` datapath's Verilog: `cargo run -p spikemesh-hdl --example cuba_verilog [P] [U]`.
fn main() {
    let p: usize = std::env::args().nth(1).map_or(24, |a| a.parse().unwrap());
    let u: usize = std::env::args().nth(2).map_or(24, |a| a.parse().unwrap());
    print!("{}", spikemesh_hdl::verilog_of(spikemesh_hdl::neuron::cuba::CubaUpdate::<34>::new(p, u)));
}
