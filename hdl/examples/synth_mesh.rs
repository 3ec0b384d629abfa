//! Synthesizes (and optionally places and routes) a mesh of reference cores:
//! `cargo run --release -p spikemesh-hdl --example synth_mesh -- up5k|ecp5-85k X Y DESTS [pnr MHz]`.
use spikemesh_hdl::fpga::flow::{pnr, synth, Device};
use spikemesh_hdl::shape::{CoreShape, CrossbarStyle};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let device = if a[0] == "up5k" { Device::Up5k } else { Device::Ecp5_85k };
    let n: Vec<usize> = a[1..4].iter().map(|x| x.parse().unwrap()).collect();
    let style = if device == Device::Up5k { CrossbarStyle::Ice40Spram } else { CrossbarStyle::Inferred };
    let v = spikemesh_hdl::mesh::mesh_verilog(&CoreShape::reference(style), n[2], n[0], n[1], false);
    let dir = std::env::temp_dir().join(format!("spikemesh-mesh-{}-{}x{}", a[0], n[0], n[1]));
    let t = std::time::Instant::now();
    let s = synth(&v, "top", device, &dir).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "synth ({:.0} s): {} LUT4, {} FF, {} carry; {:?}",
        t.elapsed().as_secs_f64(),
        s.luts(),
        s.ffs(),
        s.carries(),
        s.cells
            .iter()
            .filter(|(k, _)| k.contains("RAM") || k.contains("DP16") || k.contains("DPR"))
            .collect::<Vec<_>>()
    );
    if a.get(4).map(String::as_str) == Some("pnr") {
        let t = std::time::Instant::now();
        match pnr(&s, device, a[5].parse().unwrap(), 1, &dir) {
            Ok(p) => {
                println!("pnr ({:.0} s): fmax {:?}", t.elapsed().as_secs_f64(), p.fmax_mhz);
                for (k, (u, av)) in &p.utilisation {
                    if *u > 0 {
                        println!("  {k}: {u}/{av}");
                    }
                }
            }
            Err(e) => println!("pnr failed ({:.0} s): {e}", t.elapsed().as_secs_f64()),
        }
    }
}
