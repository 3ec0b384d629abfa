//! `spikemesh run`: load a network onto a board (or the virtual board) over its serial port,
//! stream the stimulus, and write the recorded spikes it sends back.

use crate::session::BoardEngine;
use crate::simulate::{Prepared, RunSpec};
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use spikemesh_host::Board;
use spikemesh_sim::{record_run, simulate, DeliveryOrder};
use spikemesh_spec::spikes::write_spike_csv;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Options of `spikemesh run`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: RunSpec,
    /// Serial port of the board (or the path `spikemesh board-sim` printed).
    #[arg(long)]
    port: String,
    /// Baud rate (default: the network's `hardware.baud`).
    #[arg(long)]
    baud: Option<u32>,
    /// Also run the golden model and fail unless the board's spikes and final potentials equal it.
    #[arg(long)]
    verify: bool,
    /// Milliseconds to wait for an answer before sending a command again.
    #[arg(long, default_value_t = spikemesh_host::board::DEFAULT_TIMEOUT_MS)]
    timeout_ms: u64,
    /// Let SPIKES frames stream (STEP) even when the board offers STEP_PULLED: no round trip
    /// per frame, but a damaged frame's spikes are lost (and reported).
    #[arg(long)]
    stream_spikes: bool,
}

fn bar(len: usize, what: &str) -> Result<ProgressBar> {
    Ok(if std::io::stderr().is_terminal() {
        let b = ProgressBar::new(len as u64);
        b.set_style(ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} {{per_sec}} eta {{eta}}"
        ))?);
        b
    } else {
        ProgressBar::hidden()
    })
}

/// Runs `spikemesh run`.
pub fn run(args: Args) -> Result<()> {
    let Prepared { net, mapping, stim, record } = args.spec.prepare()?;
    let a = &args.spec;
    spikemesh_hdl::neuron::check_datapaths(&net, &mapping, spikemesh_hdl::neuron::Target::Board)?;
    let baud = args.baud.unwrap_or(net.hardware.baud);
    let mut board = Board::open(&args.port, baud)?;
    board.timeout = Duration::from_millis(args.timeout_ms);
    board.stream_spikes = args.stream_spikes;
    let info = *board.info().expect("open identifies the board");
    println!(
        "board on {}: {}x{} cores of {} neurons x {} axons, {:.3} MHz, {} baud, spikes {}",
        args.port,
        info.mesh_x,
        info.mesh_y,
        info.neurons_per_core,
        info.axons_per_core,
        info.clock_khz as f64 / 1e3,
        info.baud,
        if board.pulls_spikes() { "pulled (STEP_PULLED)" } else { "streamed (STEP)" }
    );
    let t0 = Instant::now();
    let words: usize =
        mapping.cores.iter().map(|c| spikemesh_spec::memory_map::config_writes(c, net.hardware.delay_bits).len()).sum();
    let b = bar(words, "words loaded")?;
    board.load(&mapping, |done, _| b.set_position(done as u64)).context("loading the network")?;
    b.finish_and_clear();
    println!("loaded {words} words in {:.1} s", t0.elapsed().as_secs_f64());
    let t1 = Instant::now();
    let b = bar(a.steps, "timesteps")?;
    let mut engine = BoardEngine { board: &mut board, mapping: &mapping, t: 0, error: None };
    let res = record_run(&mut engine, &mapping, &stim, &record, |d| b.set_position(d as u64));
    b.finish_and_clear();
    if let Some((t, e)) = engine.error.take() {
        bail!("timestep {t}: {e}");
    }
    let secs = t1.elapsed().as_secs_f64();
    let status = board.check_spikes()?;
    println!(
        "{} timesteps in {secs:.1} s ({:.0} timesteps/s): {} recorded spikes from the board; board counters: timestep {}, {} frames accepted, {} rejected; {} commands sent again",
        a.steps,
        a.steps as f64 / secs,
        status.spikes_sent,
        status.timestep,
        status.frames_ok,
        status.frames_rejected,
        board.resent
    );
    write_spike_csv(&a.out, &net, &res.spikes).with_context(|| format!("writing {}", a.out.display()))?;
    println!("{} recorded spikes -> {}", res.spikes.len(), a.out.display());
    if args.verify {
        let gold = simulate(&mapping, &stim, &record, DeliveryOrder::InOrder, |_| {});
        if gold.spikes != res.spikes {
            let i = gold
                .spikes
                .iter()
                .zip(&res.spikes)
                .position(|(g, r)| g != r)
                .unwrap_or(gold.spikes.len().min(res.spikes.len()));
            bail!(
                "the board differs from the golden model at recorded spike #{i}: golden {:?}, board {:?}",
                gold.spikes.get(i),
                res.spikes.get(i)
            );
        }
        if let Some(j) = gold.potentials.iter().zip(&res.potentials).position(|(g, r)| g != r) {
            bail!("potential of slot {j} after the run: golden {}, board {}", gold.potentials[j], res.potentials[j]);
        }
        println!("verified: the board's recorded spikes and final potentials equal the golden model's");
    }
    if let Some(png) = &a.raster {
        crate::raster::draw(png, &net, &mapping, &record, a.steps, &res.spikes)?;
        println!("raster -> {}", png.display());
    }
    Ok(())
}
