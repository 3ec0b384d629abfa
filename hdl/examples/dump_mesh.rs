fn main() {
    use spikemesh_hdl::shape::{CoreShape, CrossbarStyle};
    let v = spikemesh_hdl::mesh::mesh_verilog(&CoreShape::reference(CrossbarStyle::Ice40Spram), 256, 2, 2, false);
    print!("{v}");
}
