"""Writes the direction task of examples/delays: a spot crossing 8 receptors left to right
(label 0) or right to left (label 1), one receptor per timestep, from a random start time,
with random extra spikes; every direction is equally likely.

    python examples/delays/make_samples.py   # rewrites test-samples.csv and test-labels.csv

Standard library only, seeded: the files it writes are committed and do not change.
"""

from __future__ import annotations

import csv
import pathlib
import random

RECEPTORS = 8
STEPS = 24
SAMPLES = 200
NOISE = 0.02  # probability of an extra spike per receptor and timestep


def main() -> None:
    here = pathlib.Path(__file__).resolve().parent
    rng = random.Random(28)
    with (
        open(here / "test-samples.csv", "w", newline="") as s,
        open(here / "test-labels.csv", "w", newline="") as lab,
    ):
        spikes = csv.writer(s)
        labels = csv.writer(lab)
        spikes.writerow(["sample", "timestep", "population", "neuron"])
        labels.writerow(["sample", "label"])
        for sample in range(SAMPLES):
            label = rng.randrange(2)
            start = rng.randrange(STEPS - RECEPTORS - 8)
            fired = set()
            for k in range(RECEPTORS):
                receptor = k if label == 0 else RECEPTORS - 1 - k
                fired.add((start + k, receptor))
            for t in range(STEPS):
                for receptor in range(RECEPTORS):
                    if rng.random() < NOISE:
                        fired.add((t, receptor))
            for t, receptor in sorted(fired):
                spikes.writerow([sample, t, "receptors", receptor])
            labels.writerow([sample, label])


if __name__ == "__main__":
    main()
