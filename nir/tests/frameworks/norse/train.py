"""Norse fixture: a `LIFBoxCell` digits classifier trained in Norse, exported by
`norse.torch.to_nir`.

Input(64) -> Linear -> LIFBoxCell(48) -> Linear -> LIFBoxCell(10), Norse's defaults
(tau_mem_inv = 100 /s at dt = 1 ms, v_th = 1, reset to v_reset = 0), surrogate gradients
(SuperSpike), Adam, cross-entropy on output spike counts. Norse's LIFBox step is forward
Euler, fires from the new potential and resets it at once:
    v = v + dt tau_mem_inv (v_leak - v + x),  z = H(v - v_th),  v = v_reset where z,
and its layers pass spikes on within the same timestep.
Writes model.nir, predictions.csv (Norse's own forward pass on the committed test spikes)
and report.json here. Run by `make framework-fixtures`, never by `make test`.
"""

import pathlib
import sys
from importlib.metadata import version

import nir
import norse.torch as norse
import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import common  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
EPOCHS = 60
BATCH = 64


def lif_box(n: int) -> norse.LIFBoxCell:
    """n LIFBox neurons at Norse's default parameters, given per neuron: with scalars the
    exporter writes shapeless nodes that nir's own type inference refuses."""
    p = norse.LIFBoxParameters(
        tau_mem_inv=torch.full((n,), 100.0),
        v_leak=torch.zeros(n),
        v_th=torch.ones(n),
        v_reset=torch.zeros(n),
    )
    return norse.LIFBoxCell(p)


def model() -> norse.SequentialState:
    return norse.SequentialState(
        torch.nn.Linear(64, common.HIDDEN, bias=False),
        lif_box(common.HIDDEN),
        torch.nn.Linear(common.HIDDEN, common.CLASSES, bias=False),
        lif_box(common.CLASSES),
    )


def counts(net: norse.SequentialState, x: torch.Tensor) -> torch.Tensor:
    """Output spike counts over the timesteps of x ([T, B, 64]), from a network at rest."""
    state = None
    total = torch.zeros(x.shape[1], common.CLASSES)
    for x_t in x:
        z, state = net(x_t, state)
        total = total + z
    return total


def main() -> None:
    torch.manual_seed(common.SEED)
    torch.set_num_threads(2)
    xtr, xte, ytr, yte = common.digits()
    str_, ste = torch.from_numpy(common.spikes(xtr)), torch.from_numpy(common.spikes(xte))
    net = model()
    # Norse integrates a tenth of its input per step (dt tau_mem_inv = 0.1 at its defaults):
    # start from weights ten times PyTorch's default, or the first epochs are silent.
    with torch.no_grad():
        for m in net:
            if isinstance(m, torch.nn.Linear):
                m.weight.mul_(10.0)
    opt = torch.optim.Adam(net.parameters(), lr=5e-3)
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
            print(f"epoch {epoch + 1}: test {acc:.4f}")
    with torch.no_grad():
        test_counts = counts(net, ste).numpy().astype(int)
        graph = norse.to_nir(net, torch.zeros(64))
    nir.write(HERE / "model.nir", graph)
    common.write(
        HERE,
        yte,
        test_counts,
        {
            "framework": f"norse {version('norse')}, torch {version('torch')}, nir {version('nir')}",
            "exporter": "norse.torch.to_nir(net, sample) with its default dt = 1e-3",
            "neuron": "norse.torch.LIFBoxCell, tau_mem_inv 100/s, v_th 1, reset to v_reset = 0 (the default)",
            "epochs": EPOCHS,
        },
    )


if __name__ == "__main__":
    main()
