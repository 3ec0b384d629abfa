//! Spike raster PNG: timestep on x, recorded neurons on y, one colour band per population;
//! beside it, the floorplan of the mesh the network ran on (`floorplan.rs`).

use anyhow::{anyhow, Result};
use plotters::prelude::*;
use spikemesh_spec::report::FitReport;
use spikemesh_spec::{Mapping, Network, Spike};
use std::path::Path;
use std::sync::OnceLock;

/// Fonts tried in order; `SPIKEMESH_FONT` overrides. Loaded at run time so the build needs no
/// system font libraries.
const FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
];

/// Registers a sans-serif font once; false when none is found (the raster then has no text).
pub(crate) fn font_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        let env = std::env::var("SPIKEMESH_FONT").ok();
        for p in env.iter().map(String::as_str).chain(FONT_CANDIDATES.iter().copied()) {
            if let Ok(bytes) = std::fs::read(p) {
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                    return true;
                }
            }
        }
        eprintln!("warning: no TrueType font found (set SPIKEMESH_FONT=/path/to/font.ttf); the raster has no labels");
        false
    })
}

/// Draws the recorded spikes of the populations `record` marks, and `mapping`'s floorplan.
pub fn draw(
    png: &Path,
    net: &Network,
    mapping: &Mapping,
    record: &[bool],
    steps: usize,
    spikes: &[Spike],
) -> Result<()> {
    // Row offset of each recorded population, stacked in file order.
    let mut offset = vec![0usize; net.populations.len()];
    let mut rows = 0usize;
    for (i, p) in net.populations.iter().enumerate() {
        if record[i] {
            offset[i] = rows;
            rows += p.size;
        }
    }
    let rows = rows.max(1);
    let (w, h) = (1600u32, (240 + rows.min(1024) as u32 / 2).clamp(400, 900));
    let canvas = BitMapBackend::new(png, (w, h)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| anyhow!("drawing {}: {e}", png.display());
    canvas.fill(&WHITE).map_err(|e| err(&e))?;
    let labels = font_ready();
    let (root, plan) = canvas.split_horizontally(1200);
    crate::floorplan::draw(&plan, &FitReport::new(net, mapping), labels).map_err(|e| err(&e))?;
    let mut builder = ChartBuilder::on(&root);
    builder.margin(12);
    if labels {
        builder
            .caption(
                format!("{} — {} timesteps, {} spikes", net.path.display(), steps, spikes.len()),
                ("sans-serif", 20),
            )
            .x_label_area_size(40)
            .y_label_area_size(70);
    }
    let mut chart = builder.build_cartesian_2d(0f64..steps.max(1) as f64, 0f64..rows as f64).map_err(|e| err(&e))?;
    if labels {
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc("timestep")
            .y_desc("neuron (populations stacked)")
            .draw()
            .map_err(|e| err(&e))?;
    }
    let palette = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];
    let recorded: Vec<usize> = (0..net.populations.len()).filter(|&i| record[i]).collect();
    for (k, &pi) in recorded.iter().enumerate() {
        let colour = palette[k % palette.len()];
        let pts = spikes.iter().filter(|s| s.population as usize == pi).map(|s| {
            Rectangle::new(
                [
                    (s.timestep as f64, (offset[pi] + s.neuron as usize) as f64),
                    (s.timestep as f64 + 1.0, (offset[pi] + s.neuron as usize) as f64 + 1.0),
                ],
                colour.filled(),
            )
        });
        let series = chart.draw_series(pts).map_err(|e| err(&e))?;
        if labels {
            series
                .label(net.populations[pi].name.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 8, y + 4)], colour.filled()));
        }
    }
    if labels && !recorded.is_empty() {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
    }
    canvas.present().map_err(|e| err(&e))?;
    Ok(())
}
