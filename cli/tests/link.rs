//! The host link end to end: `spikemesh board-sim` serves the chip on a PTY, `spikemesh run`
//! drives it like a real board, and the spikes equal the golden model's. Then the host's
//! retries against a wire that loses and corrupts bytes in both directions.

use spikemesh_host::{Board, HostError};
use spikemesh_sim::board::{VirtualBoard, Wire};
use spikemesh_sim::lossy::{Damage, LossyWire};
use spikemesh_spec::{Mapping, Network, Stimulus};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name).display().to_string()
}

/// Kills the board-sim process when the test ends, pass or fail.
struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `spikemesh board-sim net`; returns the process (killed when dropped) and its PTY path.
fn board_sim(net: &str) -> (Child, String) {
    let mut sim = Child(
        Command::new(env!("CARGO_BIN_EXE_spikemesh"))
            .args(["board-sim", net])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start board-sim"),
    );
    let mut first = String::new();
    BufReader::new(sim.0.stdout.as_mut().unwrap()).read_line(&mut first).unwrap();
    let port = first.trim().strip_prefix("virtual board on ").expect("board-sim prints its PTY").to_string();
    (sim, port)
}

#[test]
fn run_over_a_pty_equals_golden() {
    let net = example("link-2x1.toml");
    let (_sim, port) = board_sim(&net);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("board.csv");
    let gold = dir.path().join("golden.csv");
    let run = |extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
            .args(["run", &net, "--port", &port, "--steps", "60", "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap();
        let s = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{s}");
        s
    };
    let text = run(&["--verify"]);
    assert!(
        text.contains("verified: the board's recorded spikes and final potentials equal the golden model's"),
        "{text}"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
        .args(["simulate", &net, "--steps", "60", "--out"])
        .arg(&gold)
        .output()
        .unwrap();
    assert!(o.status.success());
    let (a, b) = (std::fs::read_to_string(&out).unwrap(), std::fs::read_to_string(&gold).unwrap());
    assert_eq!(a, b, "the board's spike file equals the golden model's");
    assert!(a.lines().count() > 100, "the run fires");
    // A second session on the same board (the network is loaded again at run time).
    run(&[]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), b);
}

/// Shared kernels over the wire: the host writes core 0's kernel rows and taps (memory id
/// `TAP`), and the board's spikes and potentials equal the golden model's.
#[test]
fn a_convolution_on_shared_kernels_runs_on_the_virtual_board() {
    let net = example("kernels/conv.toml");
    let (_sim, port) = board_sim(&net);
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
        .args(["run", &net, "--port", &port, "--steps", "40", "--verify", "--out"])
        .arg(dir.path().join("board.csv"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{text}");
    assert!(
        text.contains("verified: the board's recorded spikes and final potentials equal the golden model's"),
        "{text}"
    );
    let spikes = std::fs::read_to_string(dir.path().join("board.csv")).unwrap();
    assert!(spikes.lines().count() > 100, "the convolution fires: {} lines", spikes.lines().count());
}

#[test]
fn run_refuses_a_board_of_another_shape() {
    let (_sim, port) = board_sim(&example("link-2x1.toml"));
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
        .args([
            "run",
            &example("tiny.toml"),
            "--port",
            &port,
            "--baud",
            "1500000",
            "--steps",
            "5",
            "--out",
            "/dev/null",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("does not match the network's [hardware]")
            && err.contains("neurons_per_core: board 32, network 16"),
        "{err}"
    );
}

#[test]
fn a_cuba_board_refuses_a_lif_network_and_runs_its_own_equal_to_golden() {
    let (_sim, port) = board_sim(&example("link-cuba.toml"));
    let run = |net: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
            .args(["run", &example(net), "--port", &port, "--steps", "60", "--out", "/dev/null", "--verify"])
            .output()
            .unwrap();
        (o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr))
    };
    // Same shape, other model: the host reads the cores' model code before writing anything.
    let (ok, text) = run("link-2x1.toml");
    assert!(!ok);
    assert!(text.contains("neuron model: board cuba, network lif"), "{text}");
    let (ok, text) = run("link-cuba.toml");
    assert!(ok, "{text}");
    assert!(
        text.contains("verified: the board's recorded spikes and final potentials equal the golden model's"),
        "{text}"
    );
}

#[test]
fn run_reports_a_missing_port() {
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
        .args(["run", &example("tiny.toml"), "--port", "/dev/nonexistent-tty", "--steps", "1", "--out", "/dev/null"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("serial port /dev/nonexistent-tty"), "{err}");
}

/// The chip of `net` behind a wire that damages frames to the board with probability
/// `fault` and frames from it with `fault_back` (`sim::lossy`, one byte per damaged frame).
fn lossy_wire(net: &Network, fault: f64, fault_back: f64, seed: u64) -> LossyWire {
    let wire = Wire::new(VirtualBoard::new(&net.hardware, None).unwrap());
    LossyWire::with(wire, Damage::Frames(fault), Damage::Frames(fault_back), seed)
}

/// The host loads crossbars with WRITE_BYTES where the board has it (a fifth of the frames'
/// bytes) and with WRITE_MEM where it does not; both boards then hold the same memories.
#[test]
fn the_host_writes_bytes_only_to_a_board_that_takes_them() {
    let mut net = Network::load(Path::new(&example("link-2x1.toml"))).unwrap();
    let m = Mapping::build(&net).unwrap();
    let mut loaded = Vec::new();
    for bytes in [true, false] {
        net.hardware.byte_writes = bytes;
        let mut b = Board::new(Wire::new(VirtualBoard::new(&net.hardware, None).unwrap()));
        b.identify().unwrap();
        b.load(&m, |_, _| {}).unwrap();
        let frames = b.status().unwrap().frames_ok;
        let row = net.hardware.neurons_per_core;
        let crossbar = b.read(1, spikemesh_spec::memory_map::CROSSBAR, 5, 0, row).unwrap();
        assert_eq!(crossbar, m.cores[1].crossbar[5 * row..6 * row].iter().map(|&w| w as i64).collect::<Vec<_>>());
        let cycles = b.port_mut().board.cycles;
        loaded.push((frames, cycles, crossbar));
    }
    let ((f_bytes, c_bytes, x_bytes), (f_words, c_words, x_words)) = (&loaded[0], &loaded[1]);
    assert_eq!(x_bytes, x_words);
    // Every crossbar row fits one WRITE_BYTES frame but needs one WRITE_MEM frame per 100 words.
    assert!(f_bytes <= f_words, "{f_bytes} frames with WRITE_BYTES, {f_words} without");
    assert!(c_bytes * 5 < c_words * 2, "{c_bytes} clocks to load with WRITE_BYTES, {c_words} without");
}

/// A board built without delays reports `delay_bits` 0: the host refuses a network with
/// delays on it before it writes a word, naming the field.
#[test]
fn the_host_refuses_delays_the_board_was_not_built_for() {
    let net = Network::load(Path::new(&example("link-2x1.toml"))).unwrap();
    let mut b = Board::new(Wire::new(VirtualBoard::new(&net.hardware, None).unwrap()));
    b.identify().unwrap();
    let mut delayed = net.clone();
    delayed.hardware.delay_bits = 2;
    let m = Mapping::build(&delayed).unwrap();
    match b.load(&m, |_, _| {}) {
        Err(HostError::Mismatch(m)) => assert_eq!(m, "delay_bits: board 0, network 2"),
        other => panic!("expected a mismatch, got {other:?}"),
    }
    let row = net.hardware.neurons_per_core;
    let crossbar = b.read(0, spikemesh_spec::memory_map::CROSSBAR, 0, 0, row).unwrap();
    assert!(crossbar.iter().all(|&w| w == 0), "nothing written: {crossbar:?}");
    assert!(m.cores[0].crossbar[..row].iter().any(|&w| w != 0), "the row it would have written");
}

/// A board whose core 0 was built with fewer crossbar rows (`core_axons`) than the network
/// uses: INFO cannot tell, so the host's probe of the last row does, before the load.
#[test]
fn the_host_refuses_a_board_with_fewer_rows_in_a_core() {
    // One virtual board, built with exactly the rows core 0 uses (a Verilator build each, so
    // one, not two): the network loads; a network needing one row more is refused.
    let net = Network::load(Path::new(&example("link-2x1.toml"))).unwrap();
    let m = Mapping::build(&net).unwrap();
    let used = m.cores[0].axon_source.len();
    assert!(used > 1);
    let mut exact = net.hardware.clone();
    exact.core_axons[0] = used;
    let mut b = Board::new(Wire::new(VirtualBoard::new(&exact, None).unwrap()));
    b.identify().unwrap();
    b.load(&m, |_, _| {}).unwrap();
    let mut longer = m.clone();
    let img = &mut longer.cores[0];
    img.axon_source.push(img.axon_source[0]);
    img.axon_delay.push(0);
    let row_words = (used + 1) * net.hardware.neurons_per_core;
    img.crossbar.resize(img.crossbar.len().max(row_words), 0);
    match b.load(&longer, |_, _| {}) {
        Err(HostError::Mismatch(e)) => assert!(e.starts_with("core (0,0) of the board holds fewer than"), "{e}"),
        other => panic!("expected a mismatch, got {other:?}"),
    }
    // The same network with shared kernels in core 0: this board was built without them.
    let mut shared = m.clone();
    let k = spikemesh_spec::kernel::Kernel { segment: 32, taps: 1, rows: 64 };
    shared.hardware.core_kernels = vec![Some(k), None];
    let img = &mut shared.cores[0];
    let n = net.hardware.neurons_per_core;
    img.kernel = Some(spikemesh_spec::kernel::KernelImage::of(&img.crossbar, img.crossbar.len() / n, n, &k).unwrap());
    match b.load(&shared, |_, _| {}) {
        Err(HostError::Mismatch(e)) => assert!(e.starts_with("core (0,0) of the board has no shared kernels"), "{e}"),
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

/// The delay example on the virtual board: the host writes every axon row's delay over the
/// wire, and all 200 crossings are told apart, each checked against the golden model.
#[test]
fn the_delay_example_tells_the_direction_on_the_virtual_board() {
    let dir = example("delays");
    let net = format!("{dir}/direction.toml");
    let (_sim, port) = board_sim(&net);
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
        .args(["evaluate", &net, "--port", &port, "--steps-per-sample", "24", "--samples"])
        .arg(format!("{dir}/test-samples.csv"))
        .arg("--labels")
        .arg(format!("{dir}/test-labels.csv"))
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{s}");
    assert!(s.contains("accuracy 1.0000 (200 of 200)"), "{s}");
}

#[test]
fn host_retries_through_a_lossy_wire() {
    lossy_run(true);
}

/// With pulled spikes every damaged SPIKES frame is asked for again: none is lost.
#[test]
fn pulled_spikes_survive_a_lossy_wire() {
    let (bad_frames, lost) = lossy_run(false);
    assert!(bad_frames > 0, "no frame from the board was damaged: the test shows nothing");
    assert_eq!(lost, None, "spikes lost although every frame was pulled");
}

/// Loads and runs link-2x1 through a wire that damages 5 % of frames; returns the frames the
/// host found damaged and the spikes lost (sent, received, damaged frames), if any.
fn lossy_run(stream_spikes: bool) -> (u64, Option<(u64, u64, u64)>) {
    let net = Network::load(Path::new(&example("link-2x1.toml"))).unwrap();
    let m = Mapping::build(&net).unwrap();
    let wire = lossy_wire(&net, 0.05, 0.05, 0x9e3779b97f4a7c15);
    let mut b = Board::new(wire);
    b.timeout = std::time::Duration::from_millis(50);
    b.retries = 8;
    b.stream_spikes = stream_spikes;
    b.identify().unwrap();
    assert_eq!(b.pulls_spikes(), !stream_spikes);
    b.load(&m, |_, _| {}).unwrap();
    // Potentials read back intact despite the faults, and corrupted writes were never applied.
    let img = &m.cores[0];
    let row0 = b.read(0, spikemesh_spec::memory_map::CROSSBAR, 0, 0, 32).unwrap();
    assert_eq!(row0, img.crossbar[..32].iter().map(|&w| w as i64).collect::<Vec<_>>());
    let stim = Stimulus::build(&net, 30, None).unwrap();
    let mut lost = None;
    for inputs in &stim.steps {
        b.inject(&m.input_flits(inputs)).unwrap();
        b.step(1).unwrap();
    }
    match b.check_spikes() {
        Ok(_) => {}
        Err(HostError::SpikesLost { sent, received, bad_frames }) => lost = Some((sent, received, bad_frames)),
        Err(e) => panic!("{e}"),
    }
    let w = b.port_mut();
    assert!(w.faults.total() > 20, "the wire should have damaged frames: {:?}", w.faults);
    let resent = b.resent;
    assert!(resent > 0, "the host resent commands whose answers were lost");
    // Damaged SPIKES frames cannot be re-sent, but the host notices and says how many.
    if let Some((sent, received, bad)) = lost {
        assert!(received < sent && bad > 0, "{sent} {received} {bad}");
    }
    let s = b.status().unwrap();
    assert!(s.frames_rejected > 0, "the board counted the damaged frames");
    (b.bad_frames, lost)
}

#[test]
fn a_host_that_disconnects_mid_run_leaves_the_board_usable() {
    disconnect_mid_run(spikemesh_spec::protocol::Command::Step(400));
}

/// The same with a pulled STEP, which waits for NEXT after every SPIKES frame: the next
/// session's IDENTIFY finishes it (`Board::identify`), so it too runs to its end.
#[test]
fn a_host_that_disconnects_inside_a_pulled_step_leaves_the_board_usable() {
    disconnect_mid_run(spikemesh_spec::protocol::Command::StepPulled(400));
}

fn disconnect_mid_run(step: spikemesh_spec::protocol::Command) {
    let net_path = example("link-2x1.toml");
    let (_sim, port) = board_sim(&net_path);
    let net = Network::load(Path::new(&net_path)).unwrap();
    let m = Mapping::build(&net).unwrap();
    {
        // Session A loads the network, sends a long STEP and vanishes without reading a byte.
        let mut a = Board::open(&port, net.hardware.baud).unwrap();
        a.load(&m, |_, _| {}).unwrap();
        let stim = Stimulus::build(&net, 1, None).unwrap();
        a.inject(&m.input_flits(&stim.steps[0])).unwrap();
        let frame = step.frame(99).encode();
        a.port_mut().write_all(&frame).unwrap();
        // A leaves once the board has begun to answer, i.e. once the board holds the STEP. Leaving
        // straight after the write races with B's open: a PTY keeps bytes the board has not read
        // yet in the kernel, and B's flush-on-open would discard them (a real UART has already
        // shifted them out).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut byte = [0u8; 1];
        loop {
            match a.port_mut().read(&mut byte) {
                Ok(1) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("{e}"),
            }
            assert!(std::time::Instant::now() < deadline, "the board never began answering A's STEP");
        }
    }
    // Session B: the board answers again once the STEP is done; B's first tries may land
    // while it is busy (rejected, counted) and are retried.
    let mut b = Board::open(&port, net.hardware.baud).expect("the board answers a new session");
    let s = b.status().unwrap();
    assert_eq!(s.timestep, 400, "A's STEP ran to its end");
    b.load(&m, |_, _| {}).unwrap();
    let stim = Stimulus::build(&net, 20, None).unwrap();
    let mut gold = spikemesh_sim::Golden::new(&m);
    for inputs in &stim.steps {
        b.inject(&m.input_flits(inputs)).unwrap();
        let got = b.step(1).unwrap().len();
        let want = gold.step(inputs).iter().filter(|&&s| m.is_recorded(s)).count();
        assert_eq!(got, want);
    }
    b.check_spikes().unwrap();
}

#[test]
fn host_errors_are_typed() {
    // Nobody answers: a timeout, after the retries.
    struct Silent;
    impl Read for Silent {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::TimedOut.into())
        }
    }
    impl Write for Silent {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut b = Board::new(Silent);
    b.timeout = std::time::Duration::from_millis(5);
    b.retries = 2;
    match b.identify() {
        Err(HostError::Timeout { command: "IDENTIFY", tries: 3, .. }) => {}
        other => panic!("{other:?}"),
    }
    // Every answer corrupted on the way back: a checksum error, not a timeout.
    let net = Network::load(Path::new(&example("link-2x1.toml"))).unwrap();
    let wire = lossy_wire(&net, 0.0, 1.0, 7);
    let mut b = Board::new(wire);
    b.timeout = std::time::Duration::from_millis(20);
    b.retries = 2;
    match b.identify() {
        Err(e @ HostError::Crc { command: "IDENTIFY", tries: 3, .. }) => {
            assert!(e.to_string().contains("failed their checksum"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // The board refuses: a NACK with its reason.
    let wire = lossy_wire(&net, 0.0, 0.0, 7);
    let mut b = Board::new(wire);
    b.identify().unwrap();
    b.inject(&[spikemesh_spec::flit::Flit::axon(0, 0, 1)]).unwrap();
    match b.read(0, spikemesh_spec::memory_map::POTENTIAL, 0, 0, 1) {
        Err(HostError::Nack { command: "READ_MEM", reason: spikemesh_spec::protocol::Reason::Busy }) => {}
        other => panic!("{other:?}"),
    }
    // Values the board would refuse are caught before sending, naming what is wrong.
    match b.write(0, spikemesh_spec::memory_map::CROSSBAR, 0, 0, &[40]) {
        Err(e @ HostError::Invalid(_)) => {
            assert!(e.to_string().contains("40 does not fit its signed 6-bit words"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn soak_of_2000_timesteps_through_a_wire_that_damages_bytes() {
    // `make soak` runs 1e5; this is the short version (see cli/src/soak.rs for what is checked).
    let o = Command::new(env!("CARGO_BIN_EXE_spikemesh"))
        .args(["soak", &example("link-2x1.toml"), "--steps", "2000", "--json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}\n{}", String::from_utf8_lossy(&o.stdout));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["final_potentials_equal"], true);
    let faults = &v["faults"];
    for kind in ["dropped", "flipped", "duplicated", "delayed"] {
        assert!(faults[kind].as_u64().unwrap() > 10, "the wire should {kind} bytes: {faults}");
    }
    assert!(v["commands_resent"].as_u64().unwrap() > 0);
    assert_eq!(v["board_spikes_sent"], v["golden_recorded_spikes"]);
    // link-2x1's board offers STEP_PULLED: every SPIKES frame is an answer the host asks for
    // again when it is damaged, so not one recorded spike may be missing.
    assert_eq!(v["spike_delivery"], "pulled");
    let (gold, got) = (v["golden_recorded_spikes"].as_u64().unwrap(), v["host_spikes_received"].as_u64().unwrap());
    assert!(got == gold && gold > 1000, "{v}");
    assert!(v["bad_frames_at_host"].as_u64().unwrap() > 0, "no frame was damaged: the soak shows nothing: {v}");
}
