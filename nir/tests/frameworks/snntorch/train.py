"""snnTorch fixture: a `Leaky` digits classifier trained in snnTorch, exported by
`snntorch.export_nir.export_to_nir`.

Input(64) -> Linear -> Leaky(48) -> Linear -> Leaky(10), beta = 0.9 (snnTorch's tutorial
value), threshold 1, snnTorch's default subtract reset, surrogate gradients (snnTorch's
default ATan), Adam, cross-entropy on output spike counts. snnTorch's Leaky subtracts the
threshold one timestep after the spike, undecayed, and fires from the new potential:
    V_t = beta V_{t-1} + x_t - theta H(V_{t-1} - theta),  s_t = H(V_t - theta),
and its layers pass spikes on within the same timestep.
Also a recurrent variant (`RSynaptic` hidden layer: CubaLIF with a recurrent Linear, which the
exporter writes as a nested graph) into ../snntorch-rsynaptic. Writes model.nir,
predictions.csv (snnTorch's own forward pass on the committed test spikes) and report.json. Run by `make framework-fixtures`, never by `make test`.
"""

import pathlib
import sys
from importlib.metadata import version

import nir
import numpy as np
import snntorch as snn
import torch
from snntorch.export_nir import export_to_nir

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import common  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
EPOCHS = 60
BATCH = 64
BETA = 0.9
ALPHA = 0.5


def leaky(n: int) -> snn.Leaky:
    """A Leaky layer of n neurons. beta and threshold are given per neuron: with scalars the
    exporter writes shapeless nodes that nir's own type inference then refuses."""
    return snn.Leaky(beta=torch.full((n,), BETA), threshold=torch.ones(n), init_hidden=True)


def leaky_net() -> torch.nn.Sequential:
    return torch.nn.Sequential(
        torch.nn.Linear(64, common.HIDDEN, bias=False),
        leaky(common.HIDDEN),
        torch.nn.Linear(common.HIDDEN, common.CLASSES, bias=False),
        leaky(common.CLASSES),
    )


def rsynaptic_net() -> torch.nn.Sequential:
    """A recurrent CubaLIF hidden layer (exported as a nested NIRGraph: CubaLIF <-> Linear).
    The recurrent Linear's bias is held at zero: NIR filters a bias through the synaptic
    current, which the chip's cuba adds to v at its steady state instead (docs/nir.md)."""
    n = common.HIDDEN
    rsyn = snn.RSynaptic(
        alpha=torch.full((n,), ALPHA),
        beta=torch.full((n,), BETA),
        threshold=torch.ones(n),
        linear_features=n,
        init_hidden=True,
    )
    with torch.no_grad():
        rsyn.recurrent.weight.mul_(0.1)
        rsyn.recurrent.bias.zero_()
    rsyn.recurrent.bias.requires_grad_(False)
    return torch.nn.Sequential(
        torch.nn.Linear(64, n, bias=False),
        rsyn,
        torch.nn.Linear(n, common.CLASSES, bias=False),
        leaky(common.CLASSES),
    )


def counts(net: torch.nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    """Output spike counts over the timesteps of x ([T, B, 64]), from a network at rest."""
    for m in net:
        if isinstance(m, (snn.Leaky, snn.RSynaptic)):
            m.reset_hidden()
        if isinstance(m, snn.RSynaptic):
            # RSynaptic.reset_hidden clears syn and mem but keeps the last spikes (and their
            # autograd graph): clear them too, so every sample starts from rest.
            m.spk = torch.zeros(0)
    return torch.stack([net(x_t) for x_t in x]).sum(0)


def fit(net: torch.nn.Sequential, folder: pathlib.Path, neuron: str) -> None:
    """Trains `net` on the digits, exports it with snnTorch's exporter, and writes its own
    forward pass on the test spikes into `folder`."""
    torch.manual_seed(common.SEED)
    xtr, xte, ytr, yte = common.digits()
    str_, ste = torch.from_numpy(common.spikes(xtr)), torch.from_numpy(common.spikes(xte))
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=2e-3)
    rng = np.random.default_rng(common.SEED)
    for epoch in range(EPOCHS):
        order = rng.permutation(len(xtr))
        for b in range(0, len(order), BATCH):
            j = torch.from_numpy(order[b : b + BATCH])
            loss = torch.nn.functional.cross_entropy(counts(net, str_[:, j]), torch.from_numpy(ytr)[j])
            opt.zero_grad()
            loss.backward()
            opt.step()
        if epoch % 10 == 9:
            with torch.no_grad():
                acc = float((common.predict(counts(net, ste).numpy()) == yte).mean())
            print(f"{folder.name} epoch {epoch + 1}: test {acc:.4f}")
    with torch.no_grad():
        test_counts = counts(net, ste).numpy().astype(int)
        graph = export_to_nir(net, torch.zeros(64))
    folder.mkdir(exist_ok=True)
    nir.write(folder / "model.nir", graph)
    common.write(
        folder,
        yte,
        test_counts,
        {
            "framework": f"snntorch {version('snntorch')}, torch {version('torch')}, nir {version('nir')}",
            "exporter": "snntorch.export_nir.export_to_nir(net, sample)",
            "neuron": neuron,
            "written_by": "nir/tests/frameworks/snntorch/train.py",
            "epochs": EPOCHS,
        },
    )


def main() -> None:
    torch.set_num_threads(2)
    torch.manual_seed(common.SEED)
    fit(
        leaky_net(),
        HERE,
        f"snntorch.Leaky(beta={BETA}), threshold 1, reset_mechanism='subtract' (the default)",
    )
    torch.manual_seed(common.SEED)
    fit(
        rsynaptic_net(),
        HERE.parent / "snntorch-rsynaptic",
        f"snntorch.RSynaptic(alpha={ALPHA}, beta={BETA}) hidden, Leaky output, subtract reset (the default)",
    )


if __name__ == "__main__":
    main()
