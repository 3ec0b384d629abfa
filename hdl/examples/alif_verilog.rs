//! Prints the `alif` datapath's Verilog: `cargo run -p spikemesh-hdl --example alif_verilog [P]`.
fn main() {
    let p: usize = std::env::args().nth(1).map_or(16, |a| a.parse().unwrap());
    print!("{}", spikemesh_hdl::verilog_of(spikemesh_hdl::neuron::alif::AlifUpdate::<34>::new(p)));
}
