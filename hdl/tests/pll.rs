//! The PLL searches pick what the pinned `icepll` and `ecppll` pick.

use spikemesh_hdl::fpga::pll::{ecp5_pll, ice40_pll};
use std::process::Command;

fn tool(env: &str) -> String {
    std::env::var(env).unwrap_or_else(|_| panic!("{env} is not set: run the tests through `make test`"))
}

/// The integer after `key` on the line that starts with it.
fn field(text: &str, key: &str) -> u32 {
    let line = text.lines().find(|l| l.trim_start().starts_with(key)).unwrap_or_else(|| panic!("no {key} in:\n{text}"));
    line[line.find(':').unwrap() + 1..].split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn ice40_matches_icepll() {
    for (fin, fout) in [(12.0, 24.0), (12.0, 48.0), (12.0, 30.0), (12.0, 100.0), (12.0, 36.5), (25.0, 40.0)] {
        let out = Command::new(tool("ICEPLL"))
            .args(["-i", &format!("{fin}"), "-o", &format!("{fout}")])
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let p = ice40_pll(fin, fout).expect("a legal setting");
        let want = (field(&text, "DIVR"), field(&text, "DIVF"), field(&text, "DIVQ"), field(&text, "FILTER_RANGE"));
        assert_eq!((p.divr, p.divf, p.divq, p.filter_range), want, "{fin} -> {fout} MHz:\n{text}");
    }
}

#[test]
fn ecp5_matches_ecppll() {
    for (fin, fout) in [(25.0f32, 50.0f32), (25.0, 40.0), (25.0, 65.0), (25.0, 100.0), (25.0, 33.3)] {
        let out = Command::new(tool("ECPPLL"))
            .args(["-i", &format!("{fin}"), "-o", &format!("{fout}"), "-f", "pll.v"])
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let p = ecp5_pll(fin, fout).expect("a legal setting");
        let want = (field(&text, "Refclk divisor"), field(&text, "Feedback divisor"), field(&text, "clkout0 divisor"));
        assert_eq!((p.clki_div, p.clkfb_div, p.clkop_div), want, "{fin} -> {fout} MHz:\n{text}");
    }
}
