//! The floorplan panel beside a spike raster: the mesh as a grid of cores, each shaded by the
//! share of its neuron slots in use and labelled with its model, neurons, axons and synapses,
//! so one picture shows what ran and where it sits on the chip (`spikemesh check` in pictures).

use plotters::coord::Shift;
use plotters::prelude::*;
use spikemesh_spec::report::FitReport;

/// Draws `fit` into `area` (`labels`: a font is registered).
pub fn draw<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, fit: &FitReport, labels: bool) -> Result<(), String> {
    let e = |x: &dyn std::fmt::Display| x.to_string();
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let text = |size: i32| ("sans-serif", size).into_font().color(&BLACK);
    let top = if labels { 92 } else { 12 };
    if labels {
        let head = [
            format!("{} board, {}x{} mesh", fit.board, fit.mesh[0], fit.mesh[1]),
            format!(
                "cores of {} neurons x {} axons, {}-bit weights",
                fit.neurons_per_core, fit.axons_per_core, fit.weight_bits
            ),
            format!(
                "{} neurons, {} synapses on {} of {} cores",
                fit.neurons,
                fit.synapses,
                fit.cores_used,
                fit.cores.len()
            ),
        ];
        for (i, line) in head.iter().enumerate() {
            area.draw_text(line, &text(if i == 0 { 18 } else { 14 }), (8, 12 + 24 * i as i32)).map_err(|x| e(&x))?;
        }
    }
    // Core (x, y) at column x, row y from the top, as `check` lists them.
    let (mx, my) = (fit.mesh[0].max(1) as i32, fit.mesh[1].max(1) as i32);
    let cw = (w - 16) / mx;
    let ch = ((h - top - 8) / my).min(cw);
    for c in &fit.cores {
        let (x0, y0) = (8 + c.x as i32 * cw, top + c.y as i32 * ch);
        let used = c.neurons as f64 / fit.neurons_per_core.max(1) as f64;
        let shade = RGBColor(255 - (150.0 * used) as u8, 255 - (90.0 * used) as u8, 255);
        area.draw(&Rectangle::new([(x0 + 2, y0 + 2), (x0 + cw - 2, y0 + ch - 2)], shade.filled()))
            .map_err(|x| e(&x))?;
        area.draw(&Rectangle::new([(x0 + 2, y0 + 2), (x0 + cw - 2, y0 + ch - 2)], BLACK.stroke_width(1)))
            .map_err(|x| e(&x))?;
        if labels {
            let lines = [
                format!("core ({}, {}): {}", c.x, c.y, c.model),
                format!("{} / {} neurons", c.neurons, fit.neurons_per_core),
                format!("{} / {} axons", c.axons, c.axon_rows),
                format!("{} synapses", c.synapses),
            ];
            for (i, line) in lines.iter().enumerate() {
                area.draw_text(line, &text(13), (x0 + 8, y0 + 8 + 17 * i as i32)).map_err(|x| e(&x))?;
            }
        }
    }
    Ok(())
}
