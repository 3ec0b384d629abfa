"""The default progress report of long runs: one line on stderr, rewritten in place.

The Rust side calls it every 250 ms of a run and once at the end; the line stays silent for
the first second, so short calls print nothing and a notebook cell gets one line that
updates, not a flood.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, Optional, Union

Callback = Callable[[int, int], None]
#: `progress=` of `simulate` and `evaluate`: True (this line), False (nothing), or f(done, total).
ProgressArg = Union[bool, Callback]


class Line:
    """Writes `label: done/total (rate/s)` with a carriage return, from a second into the run
    on; a newline when complete."""

    SILENT = 1.0

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.start
        if not self.shown and elapsed < self.SILENT:
            return
        self.shown = True
        rate = done / max(elapsed, 1e-9)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{self.label}: {done}/{total} ({rate:.0f}/s){end}")
        sys.stderr.flush()


def callback(progress: ProgressArg, label: str) -> Optional[Callback]:
    """The callback that `progress=` asks for (None: report nothing, Ctrl-C still stops)."""
    if progress is True:
        return Line(label)
    if progress is False:
        return None
    return progress
