//! `spikemesh soak`: a long run of the host link through a wire that drops, flips, duplicates
//! and delays bytes (`sim::lossy`), checked against the golden model timestep by timestep.
//!
//! What the protocol recovers is checked exactly: every command is applied once (a lost
//! answer makes the host send it again, and the board answers a repeat without running it
//! again), so the chip's state, which the final potentials show, must equal the golden
//! model's, and the board must have sent every recorded spike the golden model has. With
//! pulled spikes (STEP_PULLED, the default on a board that offers it) each SPIKES frame is an
//! answer too, so the host must receive every recorded spike, once. With `--stream-spikes`
//! a damaged SPIKES frame is dropped by the host's decoder and never sent again: those spikes
//! are counted as missing. Either way every spike that arrives must be one the golden model
//! recorded in that timestep, and none may arrive twice.

use crate::session::BoardEngine;
use anyhow::{bail, Result};
use spikemesh_host::Board;
use spikemesh_sim::board::{VirtualBoard, Wire};
use spikemesh_sim::lossy::{FaultCounts, LossyWire};
use spikemesh_sim::Golden;
use spikemesh_spec::Stimulus;
use std::path::PathBuf;
use std::time::Instant;

/// Options of `spikemesh soak`.
#[derive(clap::Args)]
pub struct Args {
    /// Network TOML file (its inputs need a `drive`).
    pub net: PathBuf,
    /// Timesteps.
    #[arg(long, default_value_t = 100_000)]
    pub steps: usize,
    /// Probability that the wire damages a byte, per byte and direction.
    #[arg(long, default_value_t = 1e-3)]
    pub fault_rate: f64,
    /// Seed of the wire's faults.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Streamed SPIKES frames (STEP) instead of pulled ones: spikes in damaged frames are lost.
    #[arg(long)]
    pub stream_spikes: bool,
}

#[derive(serde::Serialize)]
struct Figures {
    timesteps: usize,
    fault_rate: f64,
    spike_delivery: &'static str,
    faults: FaultCounts,
    commands_resent: u64,
    bad_frames_at_host: u64,
    board_frames_accepted: u32,
    board_frames_rejected: u32,
    golden_recorded_spikes: u64,
    board_spikes_sent: u32,
    host_spikes_received: u64,
    spikes_lost_in_damaged_frames: u64,
    final_potentials_equal: bool,
    rss_kib_at_start: u64,
    rss_kib_at_tenth: u64,
    rss_kib_at_end: u64,
    wall_seconds: f64,
}

/// Resident set size of this process (host and virtual board both live in it), in KiB.
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()).map_or(0, |pages| pages * 4)
}

/// Runs `spikemesh soak`.
pub fn run(a: Args) -> Result<()> {
    let (net, m) = crate::load(&a.net)?;
    spikemesh_hdl::neuron::check_datapaths(&net, &m, spikemesh_hdl::neuron::Target::Board)?;
    if !(0.0..1.0).contains(&a.fault_rate) {
        bail!("--fault-rate {} is not a probability below 1", a.fault_rate);
    }
    let t0 = Instant::now();
    let wire = Wire::new(VirtualBoard::new(&net.hardware, None)?);
    let mut b = Board::new(LossyWire::new(wire, a.fault_rate, a.seed));
    // Simulated time runs only while the board works, so short timeouts lose nothing; many
    // retries ride out bursts of faults.
    b.timeout = std::time::Duration::from_millis(20);
    b.retries = 50;
    b.stream_spikes = a.stream_spikes;
    b.identify()?;
    let pulled = b.pulls_spikes();
    b.load(&m, |_, _| {})?;
    b.reset()?;
    let stim = Stimulus::build(&net, a.steps, None)?;
    let mut gold = Golden::new(&m);
    // Memory once everything is built, and after a tenth of the run (allocators settle).
    let rss_start = rss_kib();
    let mut rss_tenth = rss_start;
    let (mut expected, mut received) = (0u64, 0u64);
    let mut engine = BoardEngine { board: &mut b, mapping: &m, t: 0, error: None };
    for (t, inputs) in stim.steps.iter().enumerate() {
        if t == a.steps / 10 {
            rss_tenth = rss_kib();
        }
        let mut want: Vec<u32> = gold.step(inputs).iter().copied().filter(|&s| m.is_recorded(s)).collect();
        want.sort_unstable();
        expected += want.len() as u64;
        let got = engine.try_step(inputs).map_err(|e| anyhow::anyhow!("timestep {t}: {e}"))?;
        engine.t += 1;
        if got.windows(2).any(|w| w[0] == w[1]) {
            bail!("timestep {t}: a spike arrived twice: {got:?}");
        }
        if let Some(s) = got.iter().find(|s| want.binary_search(s).is_err()) {
            bail!("timestep {t}: slot {s} spiked on the board and not in the golden model (golden {want:?})");
        }
        received += got.len() as u64;
    }
    let potentials = b.read_potentials()?;
    let status = b.status()?;
    let f = Figures {
        timesteps: a.steps,
        fault_rate: a.fault_rate,
        spike_delivery: if pulled { "pulled" } else { "streamed" },
        faults: b.port_mut().faults,
        commands_resent: b.resent,
        bad_frames_at_host: b.bad_frames,
        board_frames_accepted: status.frames_ok,
        board_frames_rejected: status.frames_rejected,
        golden_recorded_spikes: expected,
        board_spikes_sent: status.spikes_sent,
        host_spikes_received: received,
        spikes_lost_in_damaged_frames: expected - received,
        final_potentials_equal: potentials == gold.potentials(),
        rss_kib_at_start: rss_start,
        rss_kib_at_tenth: rss_tenth,
        rss_kib_at_end: rss_kib(),
        wall_seconds: t0.elapsed().as_secs_f64(),
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&f)?);
    } else {
        let w = &f.faults;
        println!(
            "soak of {} over a wire with {:.0e} faults per byte, {} spikes: {} timesteps in {:.0} s",
            a.net.display(),
            f.fault_rate,
            f.spike_delivery,
            f.timesteps,
            f.wall_seconds
        );
        println!(
            "  wire: {} faults ({} dropped, {} flipped, {} duplicated, {} delayed)",
            w.total(),
            w.dropped,
            w.flipped,
            w.duplicated,
            w.delayed
        );
        println!(
            "  host: {} commands sent again, {} damaged frames dropped; board: {} frames accepted, {} rejected, timestep {}",
            f.commands_resent, f.bad_frames_at_host, f.board_frames_accepted, f.board_frames_rejected, status.timestep
        );
        println!(
            "  recorded spikes: golden model {}, board sent {}, host received {} ({} lost in damaged SPIKES frames, none extra, none twice)",
            f.golden_recorded_spikes, f.board_spikes_sent, f.host_spikes_received, f.spikes_lost_in_damaged_frames
        );
        println!(
            "  memory (host and virtual board, one process): {} KiB at the start, {} KiB after a tenth of the run, {} KiB at the end",
            f.rss_kib_at_start, f.rss_kib_at_tenth, f.rss_kib_at_end
        );
    }
    if status.timestep as usize != a.steps {
        bail!("the board ran {} timesteps, the host asked for {}", status.timestep, a.steps);
    }
    if status.spikes_sent as u64 != expected {
        bail!("the board sent {} recorded spikes, the golden model recorded {expected}", status.spikes_sent);
    }
    if !f.final_potentials_equal {
        bail!("the final potentials differ from the golden model's: a command was lost or applied twice");
    }
    // Flat: after the first tenth nothing may keep growing (1 MiB of allocator slack).
    if f.rss_kib_at_end > f.rss_kib_at_tenth + 1024 {
        bail!(
            "memory grew from {} KiB to {} KiB after the first tenth of the run",
            f.rss_kib_at_tenth,
            f.rss_kib_at_end
        );
    }
    if pulled && f.spikes_lost_in_damaged_frames > 0 {
        bail!(
            "{} recorded spikes never reached the host, though every SPIKES frame was pulled",
            f.spikes_lost_in_damaged_frames
        );
    }
    if f.spikes_lost_in_damaged_frames > 0 && f.bad_frames_at_host == 0 {
        bail!("{} spikes are missing but no frame was damaged", f.spikes_lost_in_damaged_frames);
    }
    if !a.json {
        println!("soak passed: the chip's state equals the golden model's after {} timesteps", a.steps);
    }
    Ok(())
}
