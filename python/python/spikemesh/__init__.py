"""spikemesh from Python: the same code as the `spikemesh` command, numpy in and out.

    import spikemesh
    net, report = spikemesh.Network.from_nir("model.nir", board="icebreaker", out="net/")
    net.check()["memory_fit"]["verdict"]                 # 'fits'
    spikes, potentials = net.simulate(100, {"input": raster})   # numpy uint8 [100, n] per population
    net.evaluate(samples, labels)                        # accuracy on the golden model

Errors are `spikemesh.SpikemeshError` with the command's message (file, line, field).
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np

from . import _native, _progress
from ._native import SpikemeshError
from ._progress import ProgressArg

__all__ = ["Board", "Network", "SpikemeshError"]

PathLike = Union[str, "os.PathLike[str]"]


def _spikes(a: Any, what: str) -> np.ndarray:
    """`a` as contiguous uint8 0/1, refused (with the first bad index) rather than wrapped."""
    x = np.asarray(a)
    if x.dtype != np.bool_ and x.size:
        bad = np.argwhere((x != 0) & (x != 1))
        if len(bad):
            i = tuple(int(k) for k in bad[0])
            raise SpikemeshError(f"{what}{list(i)} = {x[i]}: spikes are 0 or 1")
    return np.ascontiguousarray(x, dtype=np.uint8)


class Network:
    """A network file, loaded and mapped onto its hardware."""

    def __init__(self, native: _native.Network) -> None:
        self._native = native

    @staticmethod
    def load(path: PathLike) -> Network:
        """Loads a network TOML file."""
        return Network(_native.Network.load(os.fspath(path)))

    @staticmethod
    def from_nir(
        path: Union[PathLike, Any],
        board: str,
        out: PathLike,
        weight_bits: Optional[int] = None,
        neurons_per_core: Optional[int] = None,
        model: Optional[str] = None,
        convention: Optional[str] = None,
        dt: Optional[float] = None,
        reset: Optional[str] = None,
        clock_mhz: Optional[float] = None,
    ) -> tuple[Network, dict[str, Any]]:
        """Imports a NIR file as `spikemesh import` does (the convention read from the file,
        the widest weights that fit `board`; `clock_mhz` asks the board's PLL for a faster
        core clock); returns the network and the report. `path` may also be an in-memory
        `nir.NIRGraph`, written to `out` as `model.nir` first."""
        if not isinstance(path, (str, os.PathLike)):
            import nir  # only needed for a graph object

            os.makedirs(out, exist_ok=True)
            graph_file = os.path.join(os.fspath(out), "model.nir")
            nir.write(graph_file, path)  # type: ignore[attr-defined]  # nir exports it lazily
            path = graph_file
        native, report = _native.Network.from_nir(
            os.fspath(path),
            board,
            os.fspath(out),
            weight_bits=weight_bits,
            neurons_per_core=neurons_per_core,
            model=model,
            convention=convention,
            dt=dt,
            reset=reset,
            clock_mhz=clock_mhz,
        )
        return Network(native), json.loads(report)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickles as the file's path (for sweeps on Dask workers: `spikemesh.sweep`)."""
        return (Network.load, (self.path,))

    @property
    def path(self) -> str:
        """The network file."""
        return os.fspath(self._native.path)

    @property
    def populations(self) -> list[tuple[str, int, bool, bool]]:
        """(name, size, is_input, recorded) of every population."""
        return list(self._native.populations)

    def check(self) -> dict[str, Any]:
        """The fit report (`spikemesh check --json`): per-core use, the board's memory, the clock."""
        result: dict[str, Any] = json.loads(self._native.check_json())
        return result

    def synth(self, out: PathLike = "build/fpga", seed: int = 1, verify_netlist: int = 0) -> dict[str, Any]:
        """Builds the bitstream for the network's board (`spikemesh synth`): Yosys, nextpnr with
        `seed`, pack. Returns the resource and timing report; `timing_met` says whether Fmax
        reached the core clock."""
        result: dict[str, Any] = json.loads(self._native.synth_json(os.fspath(out), seed, verify_netlist))
        return result

    def simulate(
        self,
        steps: int,
        inputs: Optional[Mapping[str, Any]] = None,
        engine: str = "golden",
        record: Optional[Sequence[str]] = None,
        progress: ProgressArg = True,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Runs `steps` timesteps on the golden model or the RTL ("verilator").

        `inputs` maps input population names to 0/1 arrays [steps, size] (bool or integer).
        Returns (spikes, potentials): uint8 rasters [steps, size] of the recorded populations
        (or of `record`), and int64 potentials after the last timestep per population.
        A run longer than a second reports its timesteps on one line of stderr (`progress`:
        False for none, or a function f(done, total)); Ctrl-C stops it.
        """
        return self._simulate(steps, inputs, engine, record, progress=progress)

    def _simulate(
        self,
        steps: int,
        inputs: Optional[Mapping[str, Any]],
        engine: str,
        record: Optional[Sequence[str]],
        port: Optional[str] = None,
        baud: Optional[int] = None,
        progress: ProgressArg = True,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        rasters = [(name, _spikes(a, f"inputs['{name}']")) for name, a in (inputs or {}).items()]
        rec = None if record is None else list(record)
        report = _progress.callback(progress, f"simulate ({engine}) timesteps")
        return self._native.simulate(steps, rasters, engine, rec, port, baud, report)

    def evaluate(
        self,
        samples: Any,
        labels: Any,
        input: Optional[str] = None,
        output: Optional[str] = None,
        engine: str = "golden",
        decode: str = "spikes",
        port: Optional[str] = None,
        progress: ProgressArg = True,
    ) -> dict[str, Any]:
        """Classifies spike samples as `spikemesh evaluate` does, with the same code: `samples`
        is [n, steps, size] (0/1) into the input population `input` (default: the only one),
        `labels` [n]. The class is the neuron of `output` (default: the last recorded
        population) with most spikes, ties to the lowest (or the highest final potential with
        decode="potential"). Each sample starts from rest. The golden model spreads samples
        over all cores; "verilator" (the RTL) and "board" (with `port`) check every sample
        against it. Returns accuracy, predictions [n], the per-class scores [n, classes]
        (int64 spike counts, or float64 potentials), and the engine's figures."""
        x = np.asarray(samples)
        y = np.asarray(labels)
        if x.ndim != 3 or len(x) != len(y):
            raise SpikemeshError(
                f"samples must be [n, steps, size] with n = len(labels); got {x.shape} and {y.shape}"
            )
        if input is None:
            inputs = [p[0] for p in self.populations if p[2]]
            if len(inputs) != 1:
                raise SpikemeshError(f"several input populations ({', '.join(inputs)}): give input=")
            input = inputs[0]
        report = _progress.callback(progress, f"evaluate ({engine}) samples")
        scores, name, threads, rate, cycles = self._native.evaluate(
            _spikes(x, "samples"), input, output, engine, decode, port, None, report
        )
        predicted = scores.argmax(axis=1)
        result: dict[str, Any] = {
            "accuracy": float((predicted == y).mean()),
            "predicted": predicted,
            "counts": scores.astype(np.int64) if decode == "spikes" else scores,
            "engine": name,
            "threads": threads,
            "samples_per_s": rate,
        }
        if cycles:
            result["cycles"] = np.asarray(cycles, dtype=np.uint64)
        return result


class Board:
    """A board on a serial port, or the virtual board (`spikemesh board-sim` prints its path),
    driven as `spikemesh run` drives it."""

    def __init__(self, port: PathLike, baud: Optional[int] = None) -> None:
        self.port = os.fspath(port)
        self.baud = baud

    def run(
        self,
        net: Network,
        steps: int,
        inputs: Optional[Mapping[str, Any]] = None,
        record: Optional[Sequence[str]] = None,
        verify: bool = False,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Loads `net` onto the board, runs `steps` timesteps with `inputs` (as
        `Network.simulate`) and returns its spike rasters and final potentials. The board
        refuses a network its cores were not built for. With `verify`, the golden model runs
        too and any difference is a `SpikemeshError`."""
        spikes, potentials = net._simulate(steps, inputs, "board", record, self.port, self.baud)
        if verify:
            want, want_pot = net.simulate(steps, inputs, record=record)
            for name, raster in want.items():
                if not np.array_equal(raster, spikes[name]):
                    t = int(np.nonzero((raster != spikes[name]).any(axis=1))[0][0])
                    raise SpikemeshError(
                        f"{self.port}: population '{name}' differs from the golden model at timestep {t}"
                    )
            for name, v in want_pot.items():
                if not np.array_equal(v, potentials[name]):
                    raise SpikemeshError(
                        f"{self.port}: final potentials of '{name}' differ from the golden model"
                    )
        return spikes, potentials


# The console script `spikemesh` is `spikemesh._cli:main`.
