"""Brian2 on the network `spikemesh bench golden --export DIR` wrote: the same synapses, the same
input spikes and the same integer LIF update, timed in steady state.

Run by `make bench` in a pinned venv (scripts/py-brian2.txt). Prints one JSON line per Brian2
target (cython runtime, C++ standalone) with synaptic events/s, so that the golden model's
figures and these sit side by side. The spike count is checked against the golden model's: if
Brian2 fired differently it did different work, and the comparison would mean nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

# The update of docs/semantics.md ("The LIF update") in Brian2's abstract code, on integers held
# in floats (exact below 2**53). Brian2's order within a timestep is start (this code), thresholds,
# synapses: a spike of timestep t adds to I, which the update of t+1 reads, as on the chip.
UPDATE = """
refr = int(r > 0)
leak = int(leak_shift > 0) * floor(v / 2.0**leak_shift)
u = clip(v - leak + I, vmin, vmax)
fire = (1 - refr) * int(u >= theta)
v = refr * v + (1 - refr) * (fire * (subtract * (u - theta) + (1 - subtract) * v_reset) + (1 - fire) * u)
r = refr * (r - 1) + fire * n_refractory
I = 0
"""


def load(export: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The exported network: its header and its int32 arrays."""
    meta = json.loads((export / "network.json").read_text())
    arrays = {}
    for name in ("input_synapses", "synapses", "input_spikes"):
        width = 2 if name == "input_spikes" else 3
        arrays[name] = np.fromfile(export / f"{name}.bin", dtype="<i4").reshape(-1, width)
    return meta, arrays


def run(target: str, meta: dict[str, Any], arrays: dict[str, np.ndarray], workdir: Path) -> dict[str, Any]:
    """Builds and runs the network on one Brian2 target; returns its figures."""
    import brian2 as b2

    b2.start_scope()
    if target == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=str(workdir / "standalone"), build_on_run=False)
        b2.device.reinit()
        b2.set_device("cpp_standalone", directory=str(workdir / "standalone"), build_on_run=False)
    else:
        b2.set_device("runtime")
        b2.prefs.codegen.target = "cython"
    b2.defaultclock.dt = 1 * b2.ms
    p = meta["neuron"]
    steps, warmup = meta["steps"], meta["warmup"]
    lif = b2.NeuronGroup(
        meta["neurons"],
        "v : 1\nr : 1\nI : 1\nfire : 1",
        threshold="fire > 0.5",
        reset="",  # the update above resets, as the chip does
        namespace={
            "theta": p["threshold"],
            "leak_shift": p["leak_shift"],
            "v_reset": p["reset"],
            "subtract": 1 if p["reset_mode"] == "subtract" else 0,
            "n_refractory": p["refractory"],
            "vmin": -(2 ** (meta["potential_bits"] - 1)),
            "vmax": 2 ** (meta["potential_bits"] - 1) - 1,
        },
    )
    lif.run_regularly(UPDATE, when="start")
    spikes = arrays["input_spikes"]
    inputs = b2.SpikeGeneratorGroup(meta["inputs"], spikes[:, 1], spikes[:, 0] * b2.ms)
    groups = []
    for name, pre in (("input_synapses", inputs), ("synapses", lif)):
        s = b2.Synapses(pre, lif, "w : 1", on_pre="I_post += w")
        syn = arrays[name]
        s.connect(i=syn[:, 0], j=syn[:, 1])
        s.w = syn[:, 2].astype(float)
        groups.append(s)
    counter = b2.SpikeMonitor(lif, record=False)
    net = b2.Network(lif, inputs, *groups, counter)
    net.run(warmup * b2.ms)
    t0 = time.perf_counter()
    net.run((steps - warmup) * b2.ms)
    wall = time.perf_counter() - t0
    if target == "cpp_standalone":
        b2.device.build(directory=str(workdir / "standalone"), compile=True, run=True)
        # The C++ main loop's own clock for the last run (the timed one), without the compile.
        wall = float(b2.device._last_run_time)
    return {"spikes": int(counter.num_spikes), "seconds": wall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "export",
        type=Path,
        help="directory written by `spikemesh bench golden --export`",
    )
    ap.add_argument("--targets", default="cython,cpp_standalone")
    args = ap.parse_args()
    meta, arrays = load(args.export)
    timed = meta["steps"] - meta["warmup"]
    ok = True
    for target in args.targets.split(","):
        with tempfile.TemporaryDirectory(prefix="spikemesh-brian2-") as tmp:
            got = run(target, meta, arrays, Path(tmp))
        # Events in the timed window follow from the golden model's count when the spikes agree.
        same = got["spikes"] == meta["golden_spikes"]
        ok &= same
        events = meta["timed_synaptic_events"]
        print(
            json.dumps(
                {
                    "engine": f"brian2 {target}",
                    "timesteps": timed,
                    "seconds": got["seconds"],
                    "synaptic_events_per_s": events / got["seconds"] if same else None,
                    "timesteps_per_s": timed / got["seconds"],
                    "spikes": got["spikes"],
                    "golden_spikes": meta["golden_spikes"],
                    "same_spikes": same,
                }
            ),
            flush=True,
        )
        if same:
            for g in meta["golden"]:
                ratio = g["synaptic_events_per_s"] * got["seconds"] / events
                print(
                    f"  golden model on {g['threads']} thread(s) / brian2 {target}: {ratio:.1f}x",
                    flush=True,
                )
    if not ok:
        print(
            "brian2 fired a different number of spikes than the golden model",
            file=sys.stderr,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
