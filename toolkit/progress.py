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

    def phase(self, text: str, total: int) -> Phase:
        """A bar of its own for one phase over `total` items (rendering 120/466), shown only for more
        than a few items; `update(n)` moves it to n done."""
        return Phase(text, total, enabled=self.enabled and total > FEW)


FEW = 5  # a phase over this many items gets a bar of its own


class Phase:
    def __init__(self, text: str, total: int, *, enabled: bool):
        self._bar = (
            tqdm(total=total, desc=text, file=sys.stderr, leave=False, position=1, dynamic_ncols=True)
            if enabled
            else None
        )

    def update(self, done: int) -> None:
        if self._bar is not None and done != self._bar.n:
            self._bar.update(done - self._bar.n)

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

    def phase(self, text: str, total: int) -> Phase:
        return Phase(text, total, enabled=False)


def phase_of(progress, text: str, total: int) -> Phase:
    """`progress.phase(...)` where the progress object has phases (the terminal's bar), else a silent one."""
    make = getattr(progress, "phase", None)
    return make(text, total) if make is not None else Phase(text, total, enabled=False)
