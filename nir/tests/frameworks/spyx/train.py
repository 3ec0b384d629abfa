"""Spyx fixture: a LIF digits classifier trained in Spyx, exported by `spyx.nir.to_nir`.

Input(64) -> Linear -> LIF(48) -> Linear -> LIF(10), surrogate gradients (Spyx's default
SuperSpike), Adam, cross-entropy on output spike counts. Spyx's LIF decides its spike from
the previous potential and subtracts the threshold undecayed:
    s_t = H(V_{t-1} - theta),  V_t = beta V_{t-1} + x_t - theta s_t.
Writes model.nir, predictions.csv (Spyx's own forward pass on the committed test spikes) and
report.json here. Run by `make framework-fixtures`, never by `make test`.
"""

import pathlib
import sys
from importlib.metadata import version

import jax
import jax.numpy as jnp
import nir
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import common  # noqa: E402

import spyx  # noqa: E402
import spyx.nir  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
EPOCHS = 60
BATCH = 64


def model(rngs: nnx.Rngs) -> spyx.nn.Sequential:
    return spyx.nn.Sequential(
        nnx.Linear(64, common.HIDDEN, use_bias=False, rngs=rngs),
        spyx.nn.LIF((common.HIDDEN,), beta=0.9, rngs=rngs),
        nnx.Linear(common.HIDDEN, common.CLASSES, use_bias=False, rngs=rngs),
        spyx.nn.LIF((common.CLASSES,), beta=0.9, rngs=rngs),
    )


def counts(net: spyx.nn.Sequential, x: jax.Array) -> jax.Array:
    out, _ = spyx.nn.run(net, x)  # time-major [T, B, 10]
    return out.sum(axis=0)


def main() -> None:
    xtr, xte, ytr, yte = common.digits()
    str_, ste = jnp.asarray(common.spikes(xtr)), jnp.asarray(common.spikes(xte))
    net = model(nnx.Rngs(common.SEED))
    opt = nnx.Optimizer(net, optax.adam(2e-3), wrt=nnx.Param)

    @nnx.jit
    def step(net: spyx.nn.Sequential, opt: nnx.Optimizer, x: jax.Array, y: jax.Array) -> jax.Array:
        def loss(net: spyx.nn.Sequential) -> jax.Array:
            return optax.softmax_cross_entropy_with_integer_labels(counts(net, x), y).mean()

        value, grads = nnx.value_and_grad(loss)(net)
        opt.update(net, grads)
        return value

    rng = np.random.default_rng(common.SEED)
    for epoch in range(EPOCHS):
        order = rng.permutation(len(xtr))
        for b in range(0, len(order), BATCH):
            j = order[b : b + BATCH]
            step(net, opt, str_[:, j], jnp.asarray(ytr[j]))
        if epoch % 10 == 9:
            acc = float((common.predict(np.asarray(counts(net, ste))) == yte).mean())
            print(f"epoch {epoch + 1}: test {acc:.4f}")
    test_counts = np.asarray(counts(net, ste)).astype(int)
    graph = spyx.nir.to_nir(net, {"input": np.array([64])}, {"output": np.array([common.CLASSES])})
    nir.write(HERE / "model.nir", graph)
    betas = [float(jnp.clip(layer.beta[...], 0, 1)) for layer in net.layers if isinstance(layer, spyx.nn.LIF)]
    common.write(
        HERE,
        yte,
        test_counts,
        {
            "framework": f"spyx {version('spyx')}, jax {version('jax')}, nir {version('nir')}",
            "exporter": "spyx.nir.to_nir(model, input_shape, output_shape) with its default dt = 1",
            "neuron": "spyx.nn.LIF, threshold 1, subtract reset from the previous potential",
            "beta": betas,
            "epochs": EPOCHS,
        },
    )


if __name__ == "__main__":
    main()
