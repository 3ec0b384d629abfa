"""The `spikemesh` console script: the same Rust program as the `spikemesh` binary."""

import sys

from . import _native


def main() -> None:
    """Runs the command with this process's arguments and exits with its code."""
    sys.exit(_native.main(["spikemesh", *sys.argv[1:]]))
