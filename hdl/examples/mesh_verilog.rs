//! Prints a mesh: `cargo run -p spikemesh-hdl --example mesh_verilog -- X Y`.
use spikemesh_hdl::shape::{CoreShape, CrossbarStyle};
fn main() {
    let a: Vec<usize> = std::env::args().skip(1).map(|x| x.parse().expect("number")).collect();
    print!(
        "{}",
        spikemesh_hdl::mesh::mesh_verilog(&CoreShape::reference(CrossbarStyle::Ice40Spram), 1024, a[0], a[1], true)
    );
}
