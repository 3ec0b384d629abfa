"""Type stubs of the Rust extension (python/src/lib.rs)."""

from typing import Callable, Optional

import numpy as np
import numpy.typing as npt

class SpikemeshError(Exception): ...

class Network:
    @staticmethod
    def load(path: str) -> Network: ...
    @staticmethod
    def from_nir(
        path: str,
        board: str,
        out: str,
        weight_bits: Optional[int] = None,
        neurons_per_core: Optional[int] = None,
        model: Optional[str] = None,
        convention: Optional[str] = None,
        dt: Optional[float] = None,
        reset: Optional[str] = None,
        steps: int = 200,
        clock_mhz: Optional[float] = None,
    ) -> tuple[Network, str]: ...
    @property
    def path(self) -> str: ...
    @property
    def populations(self) -> list[tuple[str, int, bool, bool]]: ...
    def check_json(self) -> str: ...
    def synth_json(self, out: str, seed: int = 1, verify_netlist: int = 0) -> str: ...
    def simulate(
        self,
        steps: int,
        inputs: list[tuple[str, npt.NDArray[np.uint8]]],
        engine: str = "golden",
        record: Optional[list[str]] = None,
        port: Optional[str] = None,
        baud: Optional[int] = None,
        progress: Optional[Callable[[int, int], None]] = None,
    ) -> tuple[dict[str, npt.NDArray[np.uint8]], dict[str, npt.NDArray[np.int64]]]: ...
    def evaluate(
        self,
        samples: npt.NDArray[np.uint8],
        input: str,
        output: Optional[str] = None,
        engine: str = "golden",
        decode: str = "spikes",
        port: Optional[str] = None,
        baud: Optional[int] = None,
        progress: Optional[Callable[[int, int], None]] = None,
    ) -> tuple[npt.NDArray[np.float64], str, int, float, list[int]]: ...

def main(argv: list[str]) -> int: ...
