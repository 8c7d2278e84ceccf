"""Progress on long work: a bar on the terminal (stderr), silent when output goes to a file or CI."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from tqdm import tqdm


class Progress:
    """Steps of a job, shown as one tqdm bar with the current step's name."""

    def __init__(self, total: int, *, enabled: bool | None = None, desc: str = "toolkit"):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar = None
        if self.enabled:
            self._bar = tqdm(
                total=total, desc=desc, file=sys.stderr, leave=False, bar_format="{desc}: {n_fmt}/{total_fmt} {postfix}"
            )

    def step(self, text: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(text)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@contextmanager
def progress(total: int, desc: str = "toolkit", enabled: bool | None = None):
    bar = Progress(total, enabled=enabled, desc=desc)
    try:
        yield bar
    finally:
        bar.close()


class NoProgress:
    def step(self, text: str) -> None:
        pass
