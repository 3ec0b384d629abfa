//! Prints the Verilog of the router: `cargo run -p spikemesh-hdl --example router_verilog`.
fn main() {
    print!("{}", spikemesh_hdl::verilog_of(spikemesh_hdl::mesh::router::Router::new()));
}
