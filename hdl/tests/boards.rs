//! Every board's pin file exists, cites its source, and places exactly the board top's ports,
//! each once; the clock pin agrees with the oscillator the board table names.

use spikemesh_hdl::fpga::boards::{board, constrained_ports};
use spikemesh_spec::config::Board;
use std::path::Path;

#[test]
fn pin_files_match_the_board_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for b in [Board::Icebreaker, Board::Hx8kBreakout, Board::Ulx3s25f, Board::Ulx3s85f] {
        let info = board(b).expect("a real board");
        let text = std::fs::read_to_string(root.join(info.pins)).unwrap_or_else(|e| panic!("{}: {e}", info.pins));
        assert!(text.contains("Source: amaranth-lang/amaranth-boards"), "{} cites its source", info.pins);
        assert!(
            text.contains(&format!("{}e6", info.oscillator_hz / 1_000_000)),
            "{} names the {} Hz clock",
            info.pins,
            info.oscillator_hz
        );
        let mut ports = constrained_ports(&text);
        assert_eq!(ports, info.ports, "{}", info.pins);
        ports.sort();
        ports.dedup();
        assert_eq!(ports.len(), info.ports.len(), "{}: each port once", info.pins);
    }
    assert!(board(Board::Sim).is_none());
}
