//! SymbiYosys proofs (`make formal`; `make test` runs them too). Each proof also runs on a
//! router broken on purpose, and must fail there.

use spikemesh_hdl::formal::router::{self, Mutation};
use spikemesh_hdl::formal::{run, work_dir, Verdict};

/// (name, flit mask, FIFO depth, mesh x, mesh y): every router the examples generate (its flit
/// mask, at both FIFO depths), in a mesh as large as any of its examples' in each direction.
/// One proof per router covers all its meshes: the router's Verilog has no mesh parameter, and
/// the mesh enters the proof only as upper bounds on the coordinates it assumes of the
/// router's position and of the flits' destinations, so a larger mesh's proof admits every
/// state and input of a smaller one's (12 proofs instead of one per example mesh, 22).
fn router_shapes() -> Vec<(String, u64, usize, usize, usize)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.extend(std::fs::read_dir(dir.join("digits/net")).unwrap().map(|e| e.unwrap().path()));
    files.sort();
    // Flit mask -> the largest mesh x and y of the examples with that mask.
    let mut routers: std::collections::BTreeMap<u64, (usize, usize)> = Default::default();
    for f in files.iter().filter(|p| p.extension().is_some_and(|e| e == "toml")) {
        let net = spikemesh_spec::Network::load(f).unwrap();
        let hw = &net.hardware;
        let mask = spikemesh_spec::flit::used_mask(hw.mesh_x, hw.mesh_y, hw.axons_per_core, hw.neurons_per_core);
        let m = routers.entry(mask).or_default();
        *m = (m.0.max(hw.mesh_x), m.1.max(hw.mesh_y));
    }
    let mut shapes = Vec::new();
    for (&mask, &(x, y)) in &routers {
        for depth in [1, 2] {
            shapes.push((format!("router_{mask:x}_d{depth}_{x}x{y}"), mask, depth, x, y));
        }
    }
    shapes
}

/// Runs `f` over `items` on two threads (the proofs are independent; CI has two cores).
fn on_two_threads<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let out = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                out.lock().unwrap().push((i, r));
            });
        }
    });
    let mut v = out.into_inner().unwrap();
    v.sort_by_key(|(i, _)| *i);
    v.into_iter().map(|(_, r)| r).collect()
}

#[test]
fn router_safety_and_liveness_by_k_induction_for_every_example_shape() {
    let shapes = router_shapes();
    assert!(shapes.len() >= 4, "{shapes:?}");
    let verdicts = on_two_threads(&shapes, |(name, mask, depth, mx, my)| {
        let p = router::proof(name, *mask, *depth, *mx, *my, Mutation::None);
        (name.clone(), run(&p, "prove", &work_dir()).unwrap())
    });
    for ((name, (v, summary)), (_, _, depth, _, _)) in verdicts.into_iter().zip(&shapes) {
        assert_eq!(v, Verdict::Pass, "{name}: {summary}");
        println!(
            "{name}: safety, and liveness (a flit leaves within {} clocks when no output is refused {} clocks in a row), proven by k-induction (depth {})",
            router::liveness_bound(*depth),
            router::REFUSALS + 1,
            router::DEPTH
        );
    }
}

/// The proof is not vacuous: a router with east-bound flits sent west, one whose input 0
/// accepts into a full FIFO, and one whose west output has a fixed priority (starvation: the
/// liveness ranking) each fail it (at both FIFO depths).
#[test]
fn router_proof_fails_on_a_broken_router() {
    let cases = [
        ("mutant_swap_route_d2", Mutation::SwapRoute, 2),
        ("mutant_swap_route_d1", Mutation::SwapRoute, 1),
        ("mutant_drop_handshake_d2", Mutation::DropHandshake, 2),
        ("mutant_drop_handshake_d1", Mutation::DropHandshake, 1),
        ("mutant_fixed_priority_d2", Mutation::FixedPriority, 2),
        ("mutant_fixed_priority_d1", Mutation::FixedPriority, 1),
    ];
    let verdicts = on_two_threads(&cases, |(name, m, depth)| {
        let p = router::proof(name, 0x4440ff, *depth, 2, 2, *m);
        (name.to_string(), run(&p, "prove", &work_dir()).unwrap())
    });
    for (name, (v, summary)) in verdicts {
        assert!(matches!(v, Verdict::Fail(_)), "{name} must fail the proof: {v:?}\n{summary}");
        println!("{name}: fails, as it must");
    }
}

/// The UART receiver at the iCEBreaker's rate (3 Mbaud from 24 MHz: 8 clocks per bit, the
/// fewest validation allows, so the least margin): one frame, any byte, any rate within ±2 %,
/// any phase and idle time, good or bad stop bit (BMC to the frame's end). Minutes of z3, so
/// only `make formal` runs it.
#[test]
#[ignore]
fn uart_rx_samples_within_2_percent_and_flags_framing_errors() {
    use spikemesh_hdl::formal::uart;
    let p = uart::proof("uart_rx_3M_24MHz", 3_000_000, 24_000_000, 1, uart::Mutation::None);
    let (v, summary) = run(&p, "bmc", &work_dir()).unwrap();
    assert_eq!(v, Verdict::Pass, "{summary}");
    let p = uart::proof("mutant_uart_edge_sample", 3_000_000, 24_000_000, 1, uart::Mutation::EdgeSample);
    let (v, summary) = run(&p, "bmc", &work_dir()).unwrap();
    assert!(matches!(v, Verdict::Fail(_)), "a receiver sampling at bit edges must fail: {v:?}\n{summary}");
}

/// The frame receiver's verdict equals the decoder model's on any byte stream (k-induction),
/// so a frame with a bad checksum is never announced; with the wrong residue it fails.
#[test]
fn frame_receiver_verdict_equals_the_protocol_model() {
    use spikemesh_hdl::formal::framerx;
    let cases = [("framerx", framerx::Mutation::None), ("mutant_framerx_residue", framerx::Mutation::WrongResidue)];
    let verdicts = on_two_threads(&cases, |(name, m)| run(&framerx::proof(name, *m), "prove", &work_dir()).unwrap());
    assert_eq!(verdicts[0].0, Verdict::Pass, "{}", verdicts[0].1);
    assert!(matches!(verdicts[1].0, Verdict::Fail(_)), "the wrong residue must fail: {:?}", verdicts[1]);
}

/// A host write reaches only the memory its id names, at the port's address, in a core of
/// every model and in a core with delays (k-induction); a core whose refractory write also
/// writes the potentials fails, and so does one whose delay write also writes the crossbar.
#[test]
fn config_writes_touch_only_the_addressed_memory() {
    use spikemesh_hdl::formal::config::{self, Mutation};
    use spikemesh_spec::neuron::{model_named, model_names};
    let models: Vec<_> = model_names().into_iter().map(|n| model_named(n).unwrap()).collect();
    let lif = spikemesh_spec::neuron::ModelId::lif();
    let mut cases: Vec<(String, _, u32, Mutation)> =
        models.iter().map(|&m| (format!("config_{}", m.name()), m, 0, Mutation::None)).collect();
    cases.push(("config_lif_delays".into(), lif, 2, Mutation::None));
    cases.push(("mutant_config_stray_write".into(), lif, 0, Mutation::StrayWrite));
    cases.push(("mutant_config_delay_stray_write".into(), lif, 2, Mutation::DelayStrayWrite));
    let verdicts = on_two_threads(&cases, |(name, m, d, mu)| {
        run(&config::proof(name, *m, *d, *mu), "prove", &work_dir()).unwrap()
    });
    for ((name, _, _, mu), (v, summary)) in cases.iter().zip(verdicts) {
        if *mu == Mutation::None {
            assert_eq!(v, Verdict::Pass, "{name}: {summary}");
            println!(
                "{name}: config writes proven to touch only the addressed memory (k-induction, depth {})",
                config::DEPTH
            );
        } else {
            assert!(matches!(v, Verdict::Fail(_)), "{name} must fail: {v:?}\n{summary}");
            println!("{name}: fails, as it must");
        }
    }
}

/// The barrier on a 2x2 mesh with abstracted cores: `quiet` means no flit on any link and none
/// hidden anywhere (k-induction); a router that does not count its output to the core fails.
#[test]
fn quiet_means_no_flit_anywhere_in_the_mesh() {
    use spikemesh_hdl::formal::barrier::{self, Mutation};
    let cases = [("barrier_2x2", Mutation::None), ("mutant_barrier_local_output", Mutation::RouterForgetsLocalOutput)];
    let verdicts = on_two_threads(&cases, |(name, m)| run(&barrier::proof(name, *m), "prove", &work_dir()).unwrap());
    assert_eq!(verdicts[0].0, Verdict::Pass, "{}", verdicts[0].1);
    println!("barrier_2x2: quiet proven exact by k-induction (depth {})", barrier::DEPTH);
    assert!(matches!(verdicts[1].0, Verdict::Fail(_)), "the broken router must fail: {:?}", verdicts[1]);
    println!("mutant_barrier_local_output: fails, as it must");
}

/// The barrier rises: after the last flit, the 2x2 mesh makes progress every clock until
/// `quiet` (k-induction), so `quiet` is low for a bounded time; a router missing a turn XY
/// routing takes (a flit waits for ever) and a fan-out unit that never returns to idle fail it.
#[test]
fn quiet_rises_within_a_bounded_time_after_the_last_flit() {
    use spikemesh_hdl::formal::drain::{self, Mutation};
    let cases = [
        ("drain_2x2_fifo2", 2, Mutation::None),
        ("drain_2x2_fifo1", 1, Mutation::None),
        ("mutant_drain_turn", 2, Mutation::DropTurn),
        ("mutant_drain_fanout", 1, Mutation::StuckFanOut),
    ];
    let verdicts =
        on_two_threads(&cases, |(name, fifo, m)| run(&drain::proof(name, *fifo, *m), "prove", &work_dir()).unwrap());
    for ((name, _, m), (v, summary)) in cases.iter().zip(&verdicts) {
        if *m == Mutation::None {
            assert_eq!(*v, Verdict::Pass, "{name}: {summary}");
            println!(
                "{name}: progress every clock after the last flit until quiet, proven by k-induction (depth {}); so quiet is low for at most {} clocks",
                drain::DEPTH,
                drain::bound()
            );
        } else {
            assert!(matches!(v, Verdict::Fail(_)), "{name} must fail: {v:?}\n{summary}");
            println!("{name}: fails, as it must");
        }
    }
}

/// A host write goes only to an address inside the memory the command names, while no
/// timestep is open and the mesh is quiet (k-induction, the bridges of a `lif`, a `cuba` and
/// the UP5K chip).
#[test]
fn bridge_writes_stay_inside_the_addressed_memory() {
    use spikemesh_hdl::formal::bridge::{self, Mutation};
    let cases = [
        ("bridge_link_2x1", "link-2x1.toml"),
        ("bridge_link_cuba", "link-cuba.toml"),
        ("bridge_up5k", "up5k-feedforward.toml"),
    ];
    let verdicts = on_two_threads(&cases, |(name, file)| {
        run(&bridge_proof(name, file, Mutation::None), "prove", &work_dir()).unwrap()
    });
    for ((name, _), (v, summary)) in cases.iter().zip(&verdicts) {
        assert_eq!(*v, Verdict::Pass, "{name}: {summary}");
        println!("{name}: writes proven inside the addressed memory (k-induction, depth {})", bridge::DEPTH);
    }
}

/// The bridge proof is not vacuous: a column check one word too generous fails it, with a
/// write one past the memory's end (a bounded check to the first write: minutes, so `make
/// formal` only).
#[test]
#[ignore]
fn bridge_proof_fails_on_a_column_check_one_word_too_generous() {
    use spikemesh_hdl::formal::bridge::Mutation;
    let p = bridge_proof("mutant_bridge_column", "link-2x1.toml", Mutation::ColumnOffByOne);
    let (v, summary) = run(&p, "prove", &work_dir()).unwrap();
    assert!(matches!(v, Verdict::Fail(_)), "the broken bridge must fail: {v:?}\n{summary}");
    println!("mutant_bridge_column: fails, as it must");
}

/// The bridge proof for the chip of example `file`.
fn bridge_proof(name: &str, file: &str, m: spikemesh_hdl::formal::bridge::Mutation) -> spikemesh_hdl::formal::Proof {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(file);
    let net = spikemesh_spec::Network::load(&path).unwrap();
    let hz = spikemesh_hdl::chip::clock_hz(&net.hardware);
    spikemesh_hdl::formal::bridge::proof(name, &net.hardware, hz, m)
}
