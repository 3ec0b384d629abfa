"""The golden model from Python against the command's own bench, on the same run (`make bench`).

    python python/benches/golden.py SPIKEMESH_BINARY [NET] [STEPS]

`spikemesh bench golden --warmup 0` times the step loop alone on a stimulus it built before
the clock started; `Network.simulate(STEPS, record=[])` is timed as a user calls it: building
the Poisson drive, stepping, and returning. Both run the same timesteps from rest with the
same drive, so they make the same synaptic events: the command counts them, and the Python
figure divides that count by its own wall time (best of three calls, against the best of
three runs of the command).
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time

import spikemesh

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main(binary: str, net_path: pathlib.Path, steps: int) -> float:
    """Prints both figures and returns Python's share of the command's events/s."""
    # One thread and every thread: the golden model's default (what `simulate` runs) is the
    # faster of the two for the chip's size, so the Python call is held to the faster; both
    # sides take the best of three runs.
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [binary, "bench", "golden", "--net", str(net_path), "--steps", str(steps), "--warmup", "0"]
            + ["--threads", "1,0", "--json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs += json.loads(out)
    cli = max(runs, key=lambda b: b["synaptic_events_per_s"])
    net = spikemesh.Network.load(net_path)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        net.simulate(steps, {}, record=[], progress=False)
        best = min(best, time.perf_counter() - t0)
    python_rate = cli["synaptic_events"] / best
    print(f"golden model on {net_path.name}, {steps} timesteps from rest, {cli['threads']} thread(s):")
    print(f"  spikemesh bench golden (step loop):  {cli['synaptic_events_per_s']:.3e} synaptic events/s")
    print(f"  Network.simulate from Python (call): {python_rate:.3e} synaptic events/s ({best:.3f} s)")
    ratio = python_rate / cli["synaptic_events_per_s"]
    print(f"  Python / command: {ratio:.2f}x")
    return ratio


if __name__ == "__main__":
    net = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "examples/bench-1024.toml"
    main(sys.argv[1], net, int(sys.argv[3]) if len(sys.argv) > 3 else 20000)
