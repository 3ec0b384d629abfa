//! PLL settings for a requested core clock, and the clock they achieve.
//!
//! The searches follow the constraints of the vendors' PLLs as the open tools encode them
//! (icestorm's `icepll`, prjtrellis's `ecppll`), and the tests check that they pick what the
//! pinned yowasp builds of those tools pick.

/// iCE40 `SB_PLL40_*` settings (simple feedback).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ice40Pll {
    /// Reference divider (DIVR).
    pub divr: u32,
    /// Feedback divider (DIVF).
    pub divf: u32,
    /// Output divider exponent (DIVQ).
    pub divq: u32,
    /// Loop filter range.
    pub filter_range: u32,
    /// Phase-detector frequency, MHz.
    pub f_pfd: f64,
    /// VCO frequency, MHz.
    pub f_vco: f64,
    /// Output frequency achieved, MHz.
    pub f_out: f64,
}

/// The iCE40 PLL setting closest to `f_out` MHz from an `f_in` MHz reference (first found
/// on ties, in DIVR, DIVF, DIVQ order), or None when no setting is legal.
pub fn ice40_pll(f_in: f64, f_out: f64) -> Option<Ice40Pll> {
    let mut best: Option<Ice40Pll> = None;
    for divr in 0..=15u32 {
        let f_pfd = f_in / (divr + 1) as f64;
        if !(10.0..=133.0).contains(&f_pfd) {
            continue;
        }
        for divf in 0..=127u32 {
            let f_vco = f_pfd * (divf + 1) as f64;
            if !(533.0..=1066.0).contains(&f_vco) {
                continue;
            }
            for divq in 1..=6u32 {
                let out = f_vco / (1u32 << divq) as f64;
                if best.is_none_or(|b| (out - f_out).abs() < (b.f_out - f_out).abs()) {
                    let filter_range = match f_pfd {
                        x if x < 17.0 => 1,
                        x if x < 26.0 => 2,
                        x if x < 44.0 => 3,
                        x if x < 66.0 => 4,
                        x if x < 101.0 => 5,
                        _ => 6,
                    };
                    best = Some(Ice40Pll { divr, divf, divq, filter_range, f_pfd, f_vco, f_out: out });
                }
            }
        }
    }
    best
}

/// ECP5 `EHXPLLL` settings for output CLKOP.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ecp5Pll {
    /// Reference divider (CLKI_DIV).
    pub clki_div: u32,
    /// Feedback divider (CLKFB_DIV).
    pub clkfb_div: u32,
    /// Output divider (CLKOP_DIV).
    pub clkop_div: u32,
    /// VCO frequency, MHz.
    pub f_vco: f32,
    /// Output frequency achieved, MHz.
    pub f_out: f32,
}

/// The ECP5 PLL setting closest to `f_out` MHz from an `f_in` MHz reference; ties go to the
/// VCO closest to 600 MHz. Single-precision, as `ecppll` computes it.
pub fn ecp5_pll(f_in: f32, f_out: f32) -> Option<Ecp5Pll> {
    let mut best: Option<Ecp5Pll> = None;
    let mut best_err = f32::INFINITY;
    for clki_div in 1..=128u32 {
        let f_pfd = f_in / clki_div as f32;
        if !(3.125..=400.0).contains(&f_pfd) {
            continue;
        }
        for clkfb_div in 1..=80u32 {
            for clkop_div in 1..=128u32 {
                let f_vco = f_pfd * clkfb_div as f32 * clkop_div as f32;
                if !(400.0..=800.0).contains(&f_vco) {
                    continue;
                }
                let out = f_vco / clkop_div as f32;
                let err = (out - f_out).abs();
                let closer_vco = best.is_some_and(|b| (f_vco - 600.0).abs() < (b.f_vco - 600.0).abs());
                if err < best_err || (err == best_err && closer_vco) {
                    best_err = err;
                    best = Some(Ecp5Pll { clki_div, clkfb_div, clkop_div, f_vco, f_out: out });
                }
            }
        }
    }
    best
}

/// The core clock a board gets for a requested frequency: the oscillator itself, or a PLL.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClockPlan {
    /// Oscillator, MHz.
    pub oscillator_mhz: f64,
    /// Requested core clock, MHz.
    pub requested_mhz: f64,
    /// Achieved core clock, MHz.
    pub achieved_mhz: f64,
    /// PLL settings, e.g. "DIVR 0, DIVF 63, DIVQ 5, FILTER_RANGE 1"; empty without a PLL.
    pub pll: String,
}

/// The clock plan for `hw` on its board (None for `sim`, or when no PLL setting exists).
pub fn clock_plan(hw: &spikemesh_spec::Hardware) -> Option<ClockPlan> {
    let b = crate::fpga::boards::board(hw.board)?;
    let osc = b.oscillator_hz as f64 / 1e6;
    if (hw.clock_mhz - osc).abs() < 1e-9 {
        return Some(ClockPlan {
            oscillator_mhz: osc,
            requested_mhz: hw.clock_mhz,
            achieved_mhz: osc,
            pll: String::new(),
        });
    }
    if b.device.is_ice40() {
        let p = ice40_pll(osc, hw.clock_mhz)?;
        Some(ClockPlan {
            oscillator_mhz: osc,
            requested_mhz: hw.clock_mhz,
            achieved_mhz: p.f_out,
            pll: format!(
                "SB_PLL40: DIVR {}, DIVF {}, DIVQ {}, FILTER_RANGE {}",
                p.divr, p.divf, p.divq, p.filter_range
            ),
        })
    } else {
        let p = ecp5_pll(osc as f32, hw.clock_mhz as f32)?;
        Some(ClockPlan {
            oscillator_mhz: osc,
            requested_mhz: hw.clock_mhz,
            achieved_mhz: p.f_out as f64,
            pll: format!("EHXPLLL: CLKI_DIV {}, CLKFB_DIV {}, CLKOP_DIV {}", p.clki_div, p.clkfb_div, p.clkop_div),
        })
    }
}
