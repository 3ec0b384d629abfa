"""From an in-memory `nir.NIRGraph` to an accuracy and a bitstream report, all from Python.

    python python/examples/nir_graph_to_bitstream.py [OUT_DIR]

The graph here is the digits classifier of examples/digits, read with the official `nir`
package and rebuilt node by node as a new `nir.NIRGraph` object; a graph that a framework
hands you goes the same way (`snntorch.export_to_nir(...)`, `norse.torch.to_nir(...)`).
spikemesh imports it for the iCEBreaker, scores it on the 450 test images on the golden model
and on the RTL, and builds the bitstream with its resource and timing report.
"""

from __future__ import annotations

import csv
import pathlib
import sys
import tempfile
from typing import Any

import numpy as np
import spikemesh

import nir

DIGITS = pathlib.Path(__file__).resolve().parents[2] / "examples/digits"


def test_set() -> tuple[np.ndarray, np.ndarray]:
    """The 450 test samples as a [450, 18, 64] 0/1 raster, and their labels."""
    x = np.zeros((450, 18, 64), np.uint8)
    for r in csv.DictReader(open(DIGITS / "test-samples.csv")):
        x[int(r["sample"]), int(r["timestep"]), int(r["neuron"])] = 1
    y = np.array([int(r["label"]) for r in csv.DictReader(open(DIGITS / "test-labels.csv"))])
    return x, y


def main(out: pathlib.Path, rtl_samples: int = 20) -> dict[str, Any]:
    """Imports the graph into `out`, evaluates it and builds its bitstream; returns the figures."""
    trained = nir.read(DIGITS / "digits.nir")  # type: ignore[attr-defined]  # exported lazily
    # A graph object, not a file, goes to spikemesh.
    graph = nir.NIRGraph(nodes=dict(trained.nodes), edges=list(trained.edges))  # type: ignore[attr-defined]
    net, report = spikemesh.Network.from_nir(graph, board="icebreaker", out=out / "net")
    x, y = test_set()
    golden = net.evaluate(x, y)
    rtl = net.evaluate(x[:rtl_samples], y[:rtl_samples], engine="verilator")
    synth = net.synth(out=out / "fpga")
    figures = {
        "layers": [(layer["name"], layer["size"]) for layer in report["import"]["layers"]],
        "golden_accuracy": golden["accuracy"],
        "golden_samples_per_s": golden["samples_per_s"],
        "rtl_equals_golden": bool(np.array_equal(rtl["counts"], golden["counts"][:rtl_samples])),
        "rtl_cycles_per_sample": float(rtl["cycles"].mean()),
        "synth": synth,
    }
    print(f"imported for the iCEBreaker: layers {figures['layers']}")
    print(f"golden model: {golden['accuracy']:.2%} on {len(y)} test images ({golden['samples_per_s']:.0f}/s)")
    print(
        f"RTL: the same spike counts on {rtl_samples} images: {figures['rtl_equals_golden']}, "
        f"{figures['rtl_cycles_per_sample']:.0f} clock cycles per image"
    )
    used = ", ".join(f"{r['used']} of {r['available']} {r['name']}" for r in synth["resources"])
    print(f"bitstream {synth['bitstream']}: {used}")
    fmax, clock = synth["fmax_mhz"], synth["requested_mhz"]
    print(f"Fmax {fmax:.1f} MHz for a {clock} MHz clock: timing met {synth['timing_met']}")
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(pathlib.Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as d:
            main(pathlib.Path(d))
