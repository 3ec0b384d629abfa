//! The FPGA flow end to end, once per family: a small network to a bitstream with the board's
//! pins and PLL, and a report that parses and says the design meets its clock.

use std::path::Path;
use std::process::Command;

fn flow(example: &str, board: Option<&str>, want_device: &str, luts: &str) {
    let net = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(example);
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
        .arg("synth")
        .arg(&net)
        .arg("--out")
        .arg(out.path())
        .args(["--json", "--measure-steps", "5"])
        .args(board.map(|b| vec!["--board", b]).unwrap_or_default())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{example}: {err}");
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("the report is JSON");
    assert_eq!(r["device"].as_str().unwrap(), want_device);
    assert_eq!(r["timing_met"], true, "{r}");
    assert!(r["fmax_mhz"].as_f64().unwrap() >= r["requested_mhz"].as_f64().unwrap(), "{r}");
    let res = r["resources"].as_array().unwrap();
    let lut = res.iter().find(|x| x["name"] == luts).expect("logic cells reported");
    let (used, available) = (lut["used"].as_u64().unwrap(), lut["available"].as_u64().unwrap());
    assert!(used > 500 && used <= available, "{lut}");
    // The margins every built example keeps (docs/performance.md, `make margins` on three
    // seeds): 3 % of the logic cells spare and 5 % of clock slack, so a placer or synthesis
    // release cannot push it over the edge.
    assert!(used as f64 <= 0.97 * available as f64, "{example}: less than 3 % of the logic cells spare: {lut}");
    let (fmax, want) = (r["fmax_mhz"].as_f64().unwrap(), r["requested_mhz"].as_f64().unwrap());
    assert!(fmax >= 1.05 * want, "{example}: Fmax {fmax} MHz is less than 5 % over the {want} MHz clock");
    assert!(r["cycles_per_timestep"].as_f64().unwrap() > 0.0, "{r}");
    let bit = r["bitstream"].as_str().unwrap();
    let size = std::fs::metadata(bit).unwrap().len();
    assert!(size > 10_000, "{bit}: {size} bytes");
    for log in ["yosys.log", "nextpnr.log"] {
        assert!(out.path().join(log).exists(), "{log} kept");
    }
}

#[test]
fn icebreaker_bitstream_meets_its_clock() {
    flow("small-icebreaker.toml", None, "iCE40 UP5K (SG48)", "ICESTORM_LC");
}

#[test]
fn ulx3s_bitstream_meets_its_clock() {
    flow("small-ulx3s-25f.toml", None, "ECP5 LFE5U-25F (CABGA381)", "TRELLIS_COMB");
}

#[test]
fn hx8k_bitstream_meets_its_clock() {
    // The same core on the HX8K breakout: its oscillator pin is no PLL pad (SB_PLL40_CORE).
    flow("small-icebreaker.toml", Some("hx8k-breakout"), "iCE40 HX8K (CT256)", "ICESTORM_LC");
}

#[test]
fn synth_refuses_the_sim_board() {
    let net = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/tiny.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh")).arg("synth").arg(&net).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("board \"sim\" has no FPGA"), "{err}");
}

#[test]
fn synth_reports_a_missing_tool() {
    let net = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/small-icebreaker.toml");
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
        .arg("synth")
        .arg(&net)
        .arg("--out")
        .arg(out.path())
        .env("YOSYS", "/nonexistent/yosys")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot run yosys (/nonexistent/yosys); run `make tools` or set YOSYS="), "{err}");
}
