"""Shared bench helpers: generated office-scale workbooks, and timing with peak memory in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def data_folder(customers: int = 100_000, complaints: int = 300_000, seed: int = 7) -> Path:
    """A folder with generated customers.xlsx / complaints.xlsx of the given size (made once, then reused)."""
    folder = OUT / f"data-{customers}-{complaints}-{seed}"
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        from toolkit.demo.sample_data import generate
        from toolkit.demo.workbooks import write_sample

        t = time.perf_counter()
        data = generate(customers, complaints, seed=seed)
        write_sample(folder, data, big=True, force=True)
        done.write_text("ok")
        print(f"(generated {customers:,} customers / {complaints:,} complaints in {time.perf_counter() - t:.0f} s)")
    return folder


_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
_t0 = time.perf_counter()
{code}
elapsed = time.perf_counter() - _t0
_use = resource.getrusage(resource.RUSAGE_SELF)
# The peak of this process's own memory: VmHWM, not ru_maxrss, which on Linux starts from the parent's peak
# when the child is made by fork/vfork + exec (a bench that generated 300k rows shows its own size as a floor).
_peak = _use.ru_maxrss / 1024
try:
    with open("/proc/self/status") as _fh:
        _peak = next(int(ln.split()[1]) for ln in _fh if ln.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    pass
print("@@" + json.dumps({{"seconds": elapsed, "cpu_seconds": _use.ru_utime + _use.ru_stime, "peak_mb": _peak}}))
"""


def measure(code: str) -> dict:
    """Run `code` in a fresh Python process; returns its seconds (wall clock), its CPU seconds (user + system,
    all its threads), the process's peak memory (MB) and what it printed (stdout).

    The CPU seconds are what to compare when the machine is shared: another process's load stretches the wall
    clock of both sides unevenly, but hardly the CPU time each side needs. For a job that uses two threads its
    CPU time is more than its wall time on a quiet machine, so a CPU-time ratio understates its lead."""
    script = _CHILD.format(root=str(ROOT), code=code)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ})
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    # the child's own marked lines (e.g. "@@figures {...}") may come before; the timing is the last "@@{"
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@{")][-1]
    return {**json.loads(line[2:]), "stdout": proc.stdout}


def report(title: str, ours: dict, baseline: dict, baseline_name: str) -> str:
    ratio = baseline["seconds"] / ours["seconds"] if ours["seconds"] else float("inf")
    mem = ours["peak_mb"] / baseline["peak_mb"] if baseline["peak_mb"] else float("nan")
    lines = [
        f"== {title}",
        f"   toolkit        {ours['seconds']:8.2f} s   peak {ours['peak_mb']:8.0f} MB",
        f"   {baseline_name:<14} {baseline['seconds']:8.2f} s   peak {baseline['peak_mb']:8.0f} MB",
        f"   speed: toolkit takes {ours['seconds'] / baseline['seconds']:.2f}x the baseline's time "
        f"({ratio:.1f}x faster); memory: {mem:.2f}x the baseline's peak",
    ]
    return "\n".join(lines)


class PhasePeaks:
    """A job's `progress` that records the peak memory (RSS) and the time of each step it names.

    A thread reads the process's resident size every few milliseconds (the peak of a phase is what
    matters on an office PC, and ru_maxrss only knows the peak of the whole process).
    """

    def __init__(self, interval: float = 0.005):
        import threading

        self.steps: list[list] = []  # [name, seconds, peak MB]
        self._name = "starting"
        self._t = time.perf_counter()
        self._peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(interval,), daemon=True)
        self._thread.start()

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _watch(self, interval: float) -> None:
        while not self._stop.wait(interval):
            rss = self._rss()
            if rss > self._peak:
                self._peak = rss

    def step(self, text: str) -> None:
        self._close_step()
        self._name = text

    def _close_step(self) -> None:
        now, rss = time.perf_counter(), self._rss()
        self.steps.append([self._name, now - self._t, max(self._peak, rss) / 2**20])
        self._t, self._peak = now, rss

    def finish(self) -> str:
        """Stop watching; the steps as one line the parent prints ("@@steps" + JSON)."""
        self._close_step()
        self._stop.set()
        self._thread.join()
        return "@@steps " + json.dumps(self.steps)


def phase_lines(stdout: str) -> list[str]:
    """The per-step lines of a child that printed PhasePeaks.finish()."""
    for line in stdout.splitlines():
        if line.startswith("@@steps "):
            return [
                f"      {name:<32} {seconds:7.2f} s   peak {peak:7.0f} MB"
                for name, seconds, peak in json.loads(line[len("@@steps ") :])
            ]
    return []
