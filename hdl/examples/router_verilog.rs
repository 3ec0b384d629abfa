//! Prints the Verilog of the router at (x, y): `cargo run -p spikemesh-hdl --example router_verilog -- X Y`.
fn main() {
    let a: Vec<usize> = std::env::args().skip(1).map(|x| x.parse().expect("number")).collect();
    print!("{}", spikemesh_hdl::verilog_of(spikemesh_hdl::router::Router::new(a[0], a[1])));
}
