//! Scoring samples on a network: each sample from rest through the golden model (samples spread
//! over the threads), the RTL or a board, its output population read off as per-class scores.
//! `spikemesh evaluate` and the Python package's `Network.evaluate` both call [`score`], so the
//! two cannot drift apart.

use crate::session::BoardEngine;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use spikemesh_host::Board;
use spikemesh_sim::rtl_mesh::RtlMesh;
use spikemesh_sim::{Engine, Golden};
use spikemesh_spec::{Mapping, Network};
use std::time::{Duration, Instant};

/// How the class is read off the output population.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Decode {
    /// Most spikes over the sample; ties go to the lowest index.
    Spikes,
    /// Highest membrane potential at the end of the sample (an LI readout).
    Potential,
}

/// Where the samples run.
pub enum Hardware<'a> {
    /// The golden model, one sample per thread.
    Golden,
    /// The RTL in Verilator, every sample checked against the golden model.
    Verilator,
    /// A board or the virtual board on a serial port, every sample checked against the golden model.
    Board {
        /// The serial port (or the PTY `spikemesh board-sim` printed).
        port: &'a str,
        /// The UART's baud rate.
        baud: u32,
        /// Milliseconds to wait for an answer before sending a command again.
        timeout_ms: u64,
    },
}

/// The scores of every sample, and what the engine measured on the way.
pub struct Scored {
    /// Per sample, in order: the per-class score (spike count, or final potential).
    pub scores: Vec<Vec<f64>>,
    /// Per sample: clock cycles on the RTL (empty on other engines).
    pub cycles: Vec<u64>,
    /// The engine, as the report names it.
    pub engine: String,
    /// Threads the samples were spread over.
    pub threads: usize,
    /// Samples per second of the engine alone (no loading or reading).
    pub samples_per_s: f64,
}

/// The population the class is read from: `name`, or the last recorded non-input population.
pub fn output_population(net: &Network, name: Option<&str>) -> Result<usize> {
    let p = match name {
        Some(n) => {
            net.population_index(n).with_context(|| format!("no population named '{n}' in {}", net.path.display()))?
        }
        None => (0..net.populations.len())
            .rev()
            .find(|&p| net.populations[p].record && !net.populations[p].is_input())
            .with_context(|| {
                format!(
                    "{}: no recorded population to read the class from (set record = true, or pass --output)",
                    net.path.display()
                )
            })?,
    };
    if net.populations[p].is_input() {
        bail!("--output {}: an input population computes nothing", net.populations[p].name);
    }
    Ok(p)
}

/// Runs every sample (per timestep: the (population, neuron) input spikes, sorted) from rest and
/// scores `out_pop`. `tick` is called once per finished sample, from any thread; when it returns
/// false the run stops with an error (an interrupt from Python).
pub fn score(
    net: &Network,
    mapping: &Mapping,
    samples: &[Vec<Vec<(u32, u32)>>],
    out_pop: usize,
    decode: Decode,
    hw: &Hardware,
    tick: &(dyn Fn() -> bool + Sync),
) -> Result<Scored> {
    if !matches!(hw, Hardware::Golden) && !net.populations[out_pop].record && decode != Decode::Potential {
        bail!(
            "the chip sends only recorded populations' spikes: set record = true on '{}'",
            net.populations[out_pop].name
        );
    }
    let size = net.populations[out_pop].size;
    let slot = |k: usize| mapping.slot_of(out_pop, k).expect("simulated population");
    let classify = |fired: &[Vec<u32>], potentials: &[i64]| -> Vec<f64> {
        match decode {
            Decode::Spikes => {
                let mut counts = vec![0u32; size];
                for &g in fired.iter().flatten() {
                    if let Some((p, k)) = mapping.slot_owner[g as usize] {
                        if p as usize == out_pop {
                            counts[k as usize] += 1;
                        }
                    }
                }
                counts.iter().map(|&c| c as f64).collect()
            }
            Decode::Potential => (0..size).map(|k| potentials[slot(k)] as f64).collect(),
        }
    };
    // Every sample starts from rest: a fresh golden model; the RTL and the board clear.
    let golden_run = |sample: &[Vec<(u32, u32)>]| -> (Vec<Vec<u32>>, Vec<i64>) {
        let mut g = Golden::new(mapping);
        // Samples, not cores, are what the threads share out.
        g.set_threads(1).expect("one thread needs no pool");
        let fired = sample.iter().map(|s| g.step(s).to_vec()).collect();
        (fired, g.potentials())
    };
    let interrupted = |s: usize| anyhow::anyhow!("interrupted after {s} samples");
    let mut scores = Vec::new();
    let mut cycles: Vec<u64> = Vec::new();
    let engine;
    let mut threads = 1;
    let t0 = Instant::now();
    match hw {
        Hardware::Board { port, baud, timeout_ms } => {
            spikemesh_hdl::neuron::check_datapaths(net, mapping, spikemesh_hdl::neuron::Target::Board)?;
            let mut board = Board::open(port, *baud)?;
            board.timeout = Duration::from_millis(*timeout_ms);
            board.load(mapping, |_, _| {}).context("loading the network")?;
            engine = format!("board on {port}");
            for (s, sample) in samples.iter().enumerate() {
                board.reset().with_context(|| format!("sample {s}: reset"))?;
                let mut e = BoardEngine { board: &mut board, mapping, t: 0, error: None };
                let fired: Vec<Vec<u32>> = sample.iter().map(|st| e.step(st)).collect();
                let pots = if decode == Decode::Potential { e.potentials() } else { Vec::new() };
                if let Some((t, err)) = e.error.take() {
                    bail!("sample {s}, timestep {t}: {err}");
                }
                let (gf, gp) = golden_run(sample);
                compare(s, mapping, (&gf, &gp), (&fired, &pots), decode, out_pop)?;
                scores.push(classify(&fired, &pots));
                if !tick() {
                    return Err(interrupted(s + 1));
                }
            }
            board.check_spikes()?;
        }
        Hardware::Verilator => {
            spikemesh_hdl::neuron::check_datapaths(net, mapping, spikemesh_hdl::neuron::Target::Mesh)?;
            let mut rtl = RtlMesh::new(mapping, None)?;
            engine = "verilator (RTL), compared with the golden model".into();
            for (s, sample) in samples.iter().enumerate() {
                rtl.clear_state();
                let c0 = rtl.stats.cycles;
                let fired: Vec<Vec<u32>> = sample.iter().map(|st| rtl.step(st)).collect();
                cycles.push(rtl.stats.cycles - c0);
                let pots = rtl.potentials();
                let (gf, gp) = golden_run(sample);
                compare(s, mapping, (&gf, &gp), (&fired, &pots), decode, out_pop)?;
                scores.push(classify(&fired, &pots));
                if !tick() {
                    return Err(interrupted(s + 1));
                }
            }
        }
        Hardware::Golden => {
            engine = "golden".into();
            threads = rayon::current_num_threads();
            scores = samples
                .par_iter()
                .map(|sample| {
                    let (fired, pots) = golden_run(sample);
                    tick().then(|| classify(&fired, &pots))
                })
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| interrupted(0))?;
        }
    }
    let samples_per_s = scores.len() as f64 / t0.elapsed().as_secs_f64();
    Ok(Scored { scores, cycles, engine, threads, samples_per_s })
}

/// Fails at the first difference between the golden model (spikes, potentials) and the
/// hardware in sample `s`.
fn compare(
    s: usize,
    mapping: &Mapping,
    (golden, gp): (&[Vec<u32>], &[i64]),
    (hw, hp): (&[Vec<u32>], &[i64]),
    decode: Decode,
    out_pop: usize,
) -> Result<()> {
    for (t, (g, h)) in golden.iter().zip(hw).enumerate() {
        // The chip reports only recorded neurons' spikes.
        let g: Vec<u32> = g.iter().copied().filter(|&x| mapping.is_recorded(x)).collect();
        if &g != h {
            bail!("sample {s}, timestep {t}: golden model fired slots {g:?}, the hardware {h:?}");
        }
    }
    if decode == Decode::Potential {
        for (j, (g, h)) in gp.iter().zip(hp).enumerate() {
            if g != h && mapping.slot_owner[j].is_some_and(|(p, _)| p as usize == out_pop) {
                bail!("sample {s}: potential of slot {j} at the end: golden {g}, hardware {h}");
            }
        }
    }
    Ok(())
}
