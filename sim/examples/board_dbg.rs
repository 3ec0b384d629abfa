fn main() {
    let n = spikemesh_spec::Network::load(std::path::Path::new("examples/link-2x1.toml")).unwrap();
    let mut b =
        spikemesh_sim::board::VirtualBoard::new(&n.hardware, Some(std::path::Path::new("/tmp/board.vcd"))).unwrap();
    let f = spikemesh_spec::protocol::Command::Identify.frame(1).encode();
    println!("frame {:02x?}", f);
    b.send(&f);
    let mut out = Vec::new();
    b.run(20000, &mut out).unwrap();
    let idle = b.is_idle();
    println!("cycles {} out {:02x?} idle {idle}", b.cycles, out);
}
