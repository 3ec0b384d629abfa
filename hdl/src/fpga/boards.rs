//! The boards spikemesh builds for: FPGA, package, oscillator and pin file. The pins
//! themselves live in `constraints/`, each file citing the board definition it follows.

use spikemesh_spec::config::Board;

/// A target board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardInfo {
    /// The flow's device.
    pub device: crate::fpga::flow::Device,
    /// Oscillator frequency in Hz.
    pub oscillator_hz: u64,
    /// Pin file, relative to the repository root.
    pub pins: &'static str,
    /// Top-level ports the pin file constrains (the board top's ports).
    pub ports: &'static [&'static str],
}

/// The board's facts, or None for `sim`.
pub fn board(b: Board) -> Option<BoardInfo> {
    use crate::fpga::flow::Device;
    Some(match b {
        Board::Icebreaker => BoardInfo {
            device: Device::Up5k,
            oscillator_hz: 12_000_000,
            pins: "constraints/icebreaker.pcf",
            ports: &["clk", "uart_rx", "uart_tx", "led_r_n", "led_g_n", "btn_n"],
        },
        Board::Hx8kBreakout => BoardInfo {
            device: Device::Hx8k,
            oscillator_hz: 12_000_000,
            pins: "constraints/hx8k-breakout.pcf",
            ports: &[
                "clk", "uart_rx", "uart_tx", "led[0]", "led[1]", "led[2]", "led[3]", "led[4]", "led[5]", "led[6]",
                "led[7]",
            ],
        },
        Board::Ulx3s25f | Board::Ulx3s85f => BoardInfo {
            device: if b == Board::Ulx3s25f { Device::Ecp5_25k } else { Device::Ecp5_85k },
            oscillator_hz: 25_000_000,
            pins: "constraints/ulx3s.lpf",
            ports: &[
                "clk", "uart_rx", "uart_tx", "led[0]", "led[1]", "led[2]", "led[3]", "led[4]", "led[5]", "led[6]",
                "led[7]", "btn_n",
            ],
        },
        Board::Sim => return None,
    })
}

/// The ports a pin file places, in file order (`set_io [-opts] PORT PIN` or `LOCATE COMP "PORT"`).
pub fn constrained_ports(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            if let Some(rest) = l.strip_prefix("set_io") {
                let words: Vec<&str> =
                    rest.split_whitespace().filter(|w| !w.starts_with('-') && *w != "yes" && *w != "no").collect();
                words.first().map(|w| w.to_string())
            } else if let Some(rest) = l.strip_prefix("LOCATE COMP \"") {
                rest.split('"').next().map(String::from)
            } else {
                None
            }
        })
        .collect()
}
