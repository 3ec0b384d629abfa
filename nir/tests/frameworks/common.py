"""What every framework fixture shares: the digits task, its spike encoding, and the files.

Each framework's script (`<framework>/train.py`) trains a small spiking classifier on the 8x8
digits of scikit-learn with its own neurons and its own training loop, exports it with its
own NIR exporter, and records its own forward pass on the committed test spikes. This module
holds only what must be identical across them, so the Rust tests compare like with like.
"""

import csv
import json
import pathlib
from typing import Any

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = pathlib.Path(__file__).resolve().parent
# The same split and encoding as examples/digits: the test spikes are that example's
# test-samples.csv, so every framework sees the same 450 images spike for spike.
SEED = 0
T_IN = 16
# Two extra timesteps with no input: the chip's two hops (docs/nir.md, "Delay").
STEPS = T_IN + 2
HIDDEN = 48
CLASSES = 10


def digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train and test pixels (0..16, integers) and labels, split as examples/digits does."""
    x, y = load_digits(return_X_y=True)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, random_state=SEED, stratify=y)
    return xtr.astype(int), xte.astype(int), ytr, yte


def spikes(pixels: np.ndarray) -> np.ndarray:
    """Input spikes, shape [STEPS, n, 64]: pixel p (0..16) gives p evenly spaced spikes in
    T_IN timesteps, then STEPS - T_IN empty timesteps."""
    out = np.zeros((STEPS, len(pixels), 64), dtype=np.float32)
    for t in range(T_IN):
        out[t] = (t + 1) * pixels // 16 > t * pixels // 16
    return out


def predict(counts: np.ndarray) -> np.ndarray:
    """Class per sample: most output spikes, ties to the lowest index (as `evaluate` decides)."""
    return np.argmax(counts, axis=1)


def write(folder: pathlib.Path, labels: np.ndarray, counts: np.ndarray, report: dict[str, Any]) -> None:
    """Writes the framework's own forward pass on the test spikes, and what training measured."""
    pred = predict(counts)
    with open(folder / "predictions.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sample", "label", "predicted"] + [f"count{c}" for c in range(CLASSES)])
        for s, (label, p, row) in enumerate(zip(labels, pred, counts, strict=True)):
            w.writerow([s, int(label), int(p)] + [int(c) for c in row])
    report["test_accuracy"] = float((pred == labels).mean())
    report["test_images"] = len(labels)
    report["steps_per_sample"] = STEPS
    (folder / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{folder.name}: test accuracy {report['test_accuracy']:.4f} on {len(labels)} images")
