//! Prints the Verilog of one core: `cargo run -p spikemesh-hdl --example core_verilog -- N A W P [spram]`;
//! `LANES=p` for p synapses per clock, `DELAY_BITS=b` for delays.
use spikemesh_hdl::shape::{CoreShape, CrossbarStyle};

fn main() {
    let a: Vec<usize> = std::env::args().skip(1).take(4).map(|x| x.parse().expect("number")).collect();
    let spram = std::env::args().any(|x| x == "spram");
    let shape = CoreShape {
        neurons: a[0],
        axons: a[1],
        axon_space: a[1],
        types: 16,
        weight_bits: a[2],
        potential_bits: a[3],
        refractory_bits: 4,
        acc_bits: a[2] + spikemesh_spec::neuron::ceil_log2(a[1] as u64) as usize,
        crossbar: if spram { CrossbarStyle::Ice40Spram } else { CrossbarStyle::Inferred },
        router_fifo: 2,
        leak_multiply: true,
        dsp_counters: false,
        lut_ram: false,
        model: spikemesh_spec::neuron::ModelId::lif(),
        current_bits: 16,
        synapses_per_clock: std::env::var("LANES").ok().and_then(|x| x.parse().ok()).unwrap_or(1),
        delay_bits: std::env::var("DELAY_BITS").ok().and_then(|x| x.parse().ok()).unwrap_or(0),
        kernel: None,
    };
    print!("{}", spikemesh_hdl::core_verilog(&shape, spram));
}
