"""The installed package against the command: run by `make python-package` after `pip install`.

Plain asserts (no pytest needed): `python python/tests/test_package.py`.
"""

import csv
import importlib.util
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import spikemesh

ROOT = pathlib.Path(__file__).resolve().parents[2]
DIGITS = ROOT / "examples/digits"


def digits() -> tuple[np.ndarray, np.ndarray]:
    x = np.zeros((450, 18, 64), np.uint8)
    for r in csv.DictReader(open(DIGITS / "test-samples.csv")):
        x[int(r["sample"]), int(r["timestep"]), int(r["neuron"])] = 1
    y = np.array([int(r["label"]) for r in csv.DictReader(open(DIGITS / "test-labels.csv"))])
    return x, y


def test_load_check_and_errors() -> None:
    net = spikemesh.Network.load(DIGITS / "net/net.toml")
    assert net.check()["memory_fit"]["verdict"] == "fits"
    try:
        spikemesh.Network.load(ROOT / "no-such.toml")
        raise AssertionError("a missing file is an error")
    except spikemesh.SpikemeshError as e:
        assert "no-such.toml" in str(e)
    try:
        net.simulate(10, {"input": np.zeros((9, 64))})
        raise AssertionError("a raster of the wrong shape is an error")
    except spikemesh.SpikemeshError as e:
        assert "expected [10, 64]" in str(e), e


def test_simulate_equals_the_command() -> None:
    """The same spikes as `spikemesh simulate` on the same input file."""
    net = spikemesh.Network.load(DIGITS / "net/net.toml")
    x, _ = digits()
    spikes, potentials = net.simulate(18, {"input": x[0]}, record=["hidden", "out"])
    assert spikes["out"].shape == (18, 10) and spikes["out"].dtype == np.uint8
    assert potentials["hidden"].shape == (48,)
    with tempfile.TemporaryDirectory() as d:
        stim = pathlib.Path(d) / "in.csv"
        stim.write_text(
            "timestep,population,neuron\n" + "".join(f"{t},input,{k}\n" for t, k in zip(*np.nonzero(x[0])))
        )
        out = pathlib.Path(d) / "out.csv"
        exe = pathlib.Path(sys.executable).parent / "spikemesh"
        subprocess.run(
            [
                exe,
                "simulate",
                DIGITS / "net/net.toml",
                "--steps",
                "18",
                "--input",
                stim,
                "--record-all",
                "--out",
                out,
            ],
            check=True,
        )
        rows = [r for r in csv.DictReader(open(out)) if r["population"] in ("hidden", "out")]
    got = sorted((int(t), p, int(k)) for p in ("hidden", "out") for t, k in zip(*np.nonzero(spikes[p])))
    want = sorted((int(r["timestep"]), r["population"], int(r["neuron"])) for r in rows)
    assert got == want and got, (len(got), len(want))


def test_a_driven_network_equals_the_command() -> None:
    """bench-1024's Poisson drive, drawn on a second thread in chunks of 1024 timesteps while
    the golden model steps: the same spikes as `spikemesh simulate` over 2500 timesteps (three
    chunks, the last one short); a raster spike on a driven neuron is an error, not merged."""
    bench = ROOT / "examples/bench-1024.toml"
    net = spikemesh.Network.load(bench)
    spikes, _ = net.simulate(2500, {}, record=["poisson", "lif"])
    with tempfile.TemporaryDirectory() as d:
        out = pathlib.Path(d) / "out.csv"
        exe = pathlib.Path(sys.executable).parent / "spikemesh"
        subprocess.run([exe, "simulate", bench, "--steps", "2500", "--record-all", "--out", out], check=True)
        want = sorted(
            (int(r["timestep"]), r["population"], int(r["neuron"])) for r in csv.DictReader(open(out))
        )
    got = sorted((int(t), p, int(k)) for p in ("poisson", "lif") for t, k in zip(*np.nonzero(spikes[p])))
    assert got == want and len(got) > 10000, (len(got), len(want))
    raster = np.zeros((2500, 256), np.uint8)
    tt, kk = map(int, np.argwhere(spikes["poisson"])[0])
    raster[tt, kk] = 1
    try:
        net.simulate(2500, {"poisson": raster}, record=[])
        raise AssertionError("a raster spike on a neuron the drive spikes is an error")
    except spikemesh.SpikemeshError as e:
        assert f"inputs['poisson'][{tt}, {kk}]" in str(e) and "drive" in str(e), e


def test_evaluate_is_the_commands_evaluate() -> None:
    """Per-sample counts and classes equal `spikemesh evaluate --predictions` (the same code);
    the RTL gives the same counts, with its clock cycles; bad samples are refused."""
    net = spikemesh.Network.load(DIGITS / "net/net.toml")
    x, y = digits()
    r = net.evaluate(x, y)
    assert r["counts"].shape == (450, 10) and r["counts"].dtype == np.int64, r["counts"].dtype
    assert r["predicted"].shape == (450,) and r["engine"] == "golden" and r["threads"] >= 1
    with tempfile.TemporaryDirectory() as d:
        pred = pathlib.Path(d) / "pred.csv"
        exe = pathlib.Path(sys.executable).parent / "spikemesh"
        subprocess.run(
            [exe, "evaluate", DIGITS / "net/net.toml", "--samples", DIGITS / "test-samples.csv"]
            + ["--labels", DIGITS / "test-labels.csv", "--steps-per-sample", "18", "--predictions", pred],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        rows = list(csv.DictReader(open(pred)))
    assert [int(row["predicted"]) for row in rows] == r["predicted"].tolist()
    assert [[int(row[f"score{c}"]) for c in range(10)] for row in rows] == r["counts"].tolist()
    rtl = net.evaluate(x[:3], y[:3], engine="verilator")
    assert np.array_equal(rtl["counts"], r["counts"][:3]) and rtl["cycles"].shape == (3,)
    pot = net.evaluate(x[:5], y[:5], decode="potential")
    assert pot["counts"].shape == (5, 10) and pot["counts"].dtype == np.float64
    bad = x[:2].copy()
    bad[1, 5, 7] = 2
    for samples, message in [
        (bad, "samples[1, 5, 7] = 2: spikes are 0 or 1"),
        (x[:2, :, :60], "expected [n, steps, 64]"),
    ]:
        try:
            net.evaluate(samples, y[:2])
            raise AssertionError(f"refused: {message}")
        except spikemesh.SpikemeshError as e:
            assert message in str(e), e


def test_progress_reports_and_stops() -> None:
    """Long runs report (done, total) to a callback, end with (total, total), stay silent by
    default when short, and stop when the callback raises or Ctrl-C arrives."""
    import contextlib
    import io
    import os
    import signal
    import threading

    net = spikemesh.Network.load(ROOT / "examples/bench-1024.toml")
    calls: list[tuple[int, int]] = []
    net.simulate(3000, record=[], progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (3000, 3000) and all(0 <= d <= t == 3000 for d, t in calls), calls
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop

    try:
        net.simulate(100, record=[], progress=stop)
        raise AssertionError("the callback's exception reaches the caller")
    except Stop:
        pass
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        net.simulate(100, record=[])
    assert err.getvalue() == "", err.getvalue()
    # Ctrl-C half a second into an RTL run of about two minutes stops it.
    rtl = spikemesh.Network.load(DIGITS / "net/net.toml")
    rtl.simulate(10, engine="verilator")  # the model built (or found in the cache) first
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    # Python's own Ctrl-C handler, as in a terminal or a notebook: `make test` starts pytest in
    # the background, where the shell leaves SIGINT ignored and Python keeps it so.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    start = time.monotonic()
    timer.start()
    try:
        rtl.simulate(1_000_000, engine="verilator", progress=False)
        raise AssertionError("Ctrl-C stops the run")
    except KeyboardInterrupt:
        assert time.monotonic() - start < 10
    finally:
        signal.signal(signal.SIGINT, previous)


def test_from_nir_and_evaluate_keep_snntorchs_accuracy() -> None:
    with tempfile.TemporaryDirectory() as d:
        net, report = spikemesh.Network.from_nir(
            ROOT / "nir/tests/frameworks/snntorch/model.nir", board="icebreaker", out=d
        )
        assert report["convention"]["framework"] == "snntorch"
        x, y = digits()
        assert abs(net.evaluate(x, y)["accuracy"] - 0.98) < 1e-9


def test_from_nir_reads_the_convention_of_a_graph_object() -> None:
    import nir

    graph = nir.read(ROOT / "nir/tests/frameworks/norse/model.nir")
    with tempfile.TemporaryDirectory() as d:
        net, report = spikemesh.Network.from_nir(graph, board="icebreaker", out=d)
        assert report["convention"]["framework"] == "norse"


def test_from_nir_of_a_graph_object_writes_what_the_command_writes() -> None:
    """`from_nir(nir.read(f))` against `spikemesh import f`: the same synapse files byte for
    byte, and the same net.toml but for the file its first comment names (the graph object is
    written to model.nir for the import to read)."""
    import nir

    with tempfile.TemporaryDirectory() as d:
        out = pathlib.Path(d)
        exe = pathlib.Path(sys.executable).parent / "spikemesh"
        cmd = [exe, "import", DIGITS / "digits.nir", "--board", "icebreaker", "--out", out / "cli"]
        subprocess.run(cmd, check=True, capture_output=True)
        spikemesh.Network.from_nir(nir.read(DIGITS / "digits.nir"), board="icebreaker", out=out / "py")
        files = sorted(f.name for f in (out / "cli").iterdir())
        assert files == ["hidden--out.csv", "input--hidden.csv", "net.toml"], files
        for name in files:
            cli, py = (out / "cli" / name).read_text(), (out / "py" / name).read_text()
            if name == "net.toml":
                cli, py = cli.replace("from digits.nir", "from model.nir", 1), py
            assert cli == py, name


def test_a_graph_with_delay_nodes_runs_its_delays_on_the_golden_model_and_the_rtl() -> None:
    """NIR `Delay` nodes become per-synapse delays: a spike of input 0 reaches the neuron
    after 1 + 3 timesteps, on the golden model and on the RTL alike."""
    import nir

    dt = 1e-3
    graph = nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type=np.array([1])),
            "d": nir.Delay(delay=np.array([3 * dt])),
            "fc": nir.Linear(weight=np.array([[2.0]], dtype=np.float32)),
            "if": nir.IF(r=np.array([1 / dt]), v_threshold=np.array([1.0]), v_reset=np.array([0.0])),
            "output": nir.Output(output_type=np.array([1])),
        },
        edges=[("in", "d"), ("d", "fc"), ("fc", "if"), ("if", "output")],
    )
    with tempfile.TemporaryDirectory() as d:
        net, _ = spikemesh.Network.from_nir(graph, board="sim", out=d, dt=dt)
        assert "delay_bits = 2" in (pathlib.Path(d) / "net.toml").read_text()
        raster = np.zeros((10, 1), np.uint8)
        raster[2, 0] = 1
        spikes, _ = net.simulate(10, {"in": raster}, record=["if"])
        assert np.nonzero(spikes["if"][:, 0])[0].tolist() == [6]
        rtl, _ = net.simulate(10, {"in": raster}, record=["if"], engine="verilator")
        assert np.array_equal(rtl["if"], spikes["if"])


def test_the_graph_to_bitstream_example_runs() -> None:
    """python/examples/nir_graph_to_bitstream.py end to end (the only bitstream pytest builds)."""
    spec = importlib.util.spec_from_file_location(
        "example", ROOT / "python/examples/nir_graph_to_bitstream.py"
    )
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    with tempfile.TemporaryDirectory() as d:
        f = example.main(pathlib.Path(d), rtl_samples=5)
    assert abs(f["golden_accuracy"] - 437 / 450) < 1e-9, f  # the 97.1 % of examples/digits
    assert f["rtl_equals_golden"] and f["rtl_cycles_per_sample"] > 0, f
    assert f["synth"]["board"] == "icebreaker" and f["synth"]["timing_met"] is True, f


def test_board_runs_the_network_as_the_golden_model_does() -> None:
    """The digits network on the virtual board (its RTL behind a PTY), loaded and run from
    Python: the board's rasters and potentials equal the golden model's; a board built for
    another network refuses this one."""
    exe = pathlib.Path(sys.executable).parent / "spikemesh"
    sim = subprocess.Popen(
        [exe, "board-sim", DIGITS / "net/net.toml"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert sim.stdout is not None
        port = ""
        for line in sim.stdout:
            if line.startswith("virtual board on "):
                port = line.removeprefix("virtual board on ").strip()
                break
        assert port, "board-sim did not start"
        net = spikemesh.Network.load(DIGITS / "net/net.toml")
        x, _ = digits()
        board = spikemesh.Board(port)
        try:
            board.run(net, 18, {"input": x[3]}, record=["hidden"])
            raise AssertionError("the board cannot report an unrecorded population")
        except spikemesh.SpikemeshError as e:
            assert "record = true on 'hidden'" in str(e), e
        spikes, potentials = board.run(net, 18, {"input": x[3]}, verify=True)
        want, want_pot = net.simulate(18, {"input": x[3]})
        assert spikes["out"].shape == (18, 10) and spikes["out"].any()
        assert all(np.array_equal(spikes[k], want[k]) for k in want)
        assert all(np.array_equal(potentials[k], want_pot[k]) for k in want_pot)
        other = spikemesh.Network.load(ROOT / "examples/link-2x1.toml")
        try:
            board.run(other, 5)
            raise AssertionError("a board built for another shape refuses the network")
        except spikemesh.SpikemeshError as e:
            assert port in str(e) or "board" in str(e), e
    finally:
        sim.kill()


def test_sweep_on_two_dask_workers_equals_the_serial_run() -> None:
    """Evaluation slices and simulations, sent to a local cluster of two worker processes, give
    exactly what the same sweep gives run here one task after another."""
    from distributed import Client, LocalCluster
    from spikemesh.sweep import sweep

    net = spikemesh.Network.load(DIGITS / "net/net.toml")
    x, y = digits()

    def evaluate(net: spikemesh.Network, lo: int, hi: int) -> dict:
        return net.evaluate(x[lo:hi], y[lo:hi])

    def simulate(net: spikemesh.Network, seed: int) -> dict:
        raster = np.random.default_rng(seed).random((30, 64)) < 0.2
        return net.simulate(30, {"input": raster}, record=["hidden", "out"])[0]

    slices = [{"net": net, "lo": lo, "hi": lo + 75} for lo in range(0, 450, 75)]
    seeds = [{"net": net, "seed": s} for s in range(4)]
    serial = sweep(evaluate, slices), sweep(simulate, seeds)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2
            spread = sweep(evaluate, slices, client), sweep(simulate, seeds, client)
    for a, b in zip(serial[0], spread[0]):
        assert a["accuracy"] == b["accuracy"] and np.array_equal(a["counts"], b["counts"])
    for a, b in zip(serial[1], spread[1]):
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    correct = sum(round(r["accuracy"] * 75) for r in serial[0])
    assert correct == 437, correct  # the whole test set's 97.1 %, slice by slice


if __name__ == "__main__":
    for name, f in list(globals().items()):
        if name.startswith("test_"):
            f()
            print(f"ok  {name}")
