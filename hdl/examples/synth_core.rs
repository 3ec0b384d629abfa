//! Synthesizes (and optionally places and routes) one core:
//! `cargo run --release -p spikemesh-hdl --example synth_core -- up5k|ecp5-25k|ecp5-85k N A W P [pnr MHz]`;
//! `LANES=p` for p synapses per clock, `DELAY_BITS=b` for synaptic delays.
use spikemesh_hdl::fpga::flow::{measurement_top, pnr, synth, Device};
use spikemesh_hdl::shape::{CoreShape, CrossbarStyle};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let device = match args[0].as_str() {
        "up5k" => Device::Up5k,
        "hx8k" => Device::Hx8k,
        "ecp5-25k" => Device::Ecp5_25k,
        _ => Device::Ecp5_85k,
    };
    let n: Vec<usize> = args[1..5].iter().map(|x| x.parse().unwrap()).collect();
    let shape = CoreShape {
        neurons: n[0],
        axons: n[1],
        axon_space: n[1],
        types: 16,
        weight_bits: n[2],
        potential_bits: n[3],
        refractory_bits: 4,
        acc_bits: n[2] + spikemesh_spec::neuron::ceil_log2(n[1] as u64) as usize,
        crossbar: if device == Device::Up5k { CrossbarStyle::Ice40Spram } else { CrossbarStyle::Inferred },
        router_fifo: 2,
        leak_multiply: true,
        dsp_counters: false,
        lut_ram: matches!(device, Device::Ecp5_25k | Device::Ecp5_85k),
        model: spikemesh_spec::neuron::ModelId::lif(),
        current_bits: 16,
        synapses_per_clock: std::env::var("LANES").ok().and_then(|x| x.parse().ok()).unwrap_or(1),
        delay_bits: std::env::var("DELAY_BITS").ok().and_then(|x| x.parse().ok()).unwrap_or(0),
        kernel: None,
    };
    let v = spikemesh_hdl::core_verilog(&shape, false);
    let ports = spikemesh_hdl::ports::parse_ports(&v, "top").unwrap();
    let dir = std::env::temp_dir().join(format!("spikemesh-synth-{}", args[0]));
    let t = std::time::Instant::now();
    let core = synth(&v, "top", device, &dir.join("core")).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "core alone ({:.0} s): {} LUT4, {} FF, {} carry, cells {:?}",
        t.elapsed().as_secs_f64(),
        core.luts(),
        core.ffs(),
        core.carries(),
        core.cells
    );
    if args.get(5).map(String::as_str) == Some("pnr") {
        let mhz: f64 = args[6].parse().unwrap();
        let wrapped = synth(&measurement_top(&v, &ports), "measure", device, &dir.join("wrapped"))
            .unwrap_or_else(|e| panic!("{e}"));
        let t = std::time::Instant::now();
        let p = pnr(&wrapped, device, mhz, 1, &dir.join("wrapped")).unwrap_or_else(|e| panic!("{e}"));
        println!("pnr ({:.0} s): fmax {:?}", t.elapsed().as_secs_f64(), p.fmax_mhz);
        for (k, (u, a)) in &p.utilisation {
            if *u > 0 {
                println!("  {k}: {u}/{a}");
            }
        }
    }
}
