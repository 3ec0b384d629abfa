"""Sweeps on a distributed engine: many `synth`, `simulate` or `evaluate` runs at once.

    from distributed import Client
    from spikemesh.sweep import sweep

    client = Client("tcp://scheduler:8786")          # or Client(LocalCluster(n_workers=2))
    reports = sweep(lambda net, seed: net.synth(out=f"build/seed{seed}", seed=seed),
                    [{"net": net, "seed": s} for s in range(1, 9)], client)

Dask distributed schedules the tasks (docs/python.md says why Dask): spikemesh adds no pool or
scheduler of its own. A `Network` travels to the workers as its file's path, so on several
machines the network file must be at the same path on each (a shared or synced folder).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional, TypeVar

T = TypeVar("T")

__all__ = ["sweep"]


def _call(fn: Callable[..., T], task: Mapping[str, Any]) -> T:
    return fn(**task)


def sweep(
    fn: Callable[..., T],
    tasks: Iterable[Mapping[str, Any]],
    client: Optional[Any] = None,
) -> list[T]:
    """`[fn(**task) for task in tasks]`, in the order of `tasks`: on the cluster of `client` (a
    `distributed.Client`) when given, else here, one task after another. The results are the
    same either way; an exception in a task is raised here, as Dask raises it."""
    tasks = [dict(t) for t in tasks]
    if client is None:
        return [_call(fn, t) for t in tasks]
    # pure=False: equal tasks (a seed swept twice) still run, as they would in the loop above.
    futures = [client.submit(_call, fn, t, pure=False) for t in tasks]
    results: list[T] = client.gather(futures)
    return results
