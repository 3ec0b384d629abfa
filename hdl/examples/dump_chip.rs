fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let net = spikemesh_spec::Network::load(std::path::Path::new(&a[0])).unwrap();
    print!("{}", spikemesh_hdl::chip::chip_verilog(&net.hardware, true));
}
