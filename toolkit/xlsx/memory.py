"""Keeping a job's memory small beside Excel: freed memory goes back to the system.

Reading a sheet makes and drops a lot of short-lived data in the compiled readers (each piece of the
sheet, its cells, its Arrow arrays), and the rules make and drop lists of hundreds of thousands of
values. Allocators keep freed memory for later use, and the interpreter's own allocator cannot use
what the others keep. So (`frugal`, once per process, before the first big read):
- Arrow allocates from the C library's heap (its default pool, mimalloc, holds on to more; measured
  on a 300,000-row read: 50 MB less at the same speed);
- on Linux (glibc), blocks of 1 MB and more are always mapped on their own, so freeing one gives its
  memory back at once (glibc otherwise raises that bar as the program runs and keeps such blocks);
and after a table is read (`give_back`) the freed pages of the heap are returned (malloc_trim).
Elsewhere (Windows, macOS) only the Arrow pool applies.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import pyarrow as pa

_libc = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _libc.malloc_trim  # noqa: B018 - glibc only (musl has none)
    except (OSError, AttributeError):
        _libc = None


_M_MMAP_THRESHOLD = -3
_done = False


def frugal() -> None:
    """Set the process's allocators to give memory back (see above); done once, later calls do nothing."""
    global _done
    if _done:
        return
    _done = True
    try:
        pa.set_memory_pool(pa.system_memory_pool())
    except Exception:  # pragma: no cover - an Arrow build without it: its default pool stays
        pass
    if _libc is not None and hasattr(_libc, "mallopt"):
        _libc.mallopt(_M_MMAP_THRESHOLD, 1024 * 1024)


def give_back() -> None:
    """Return freed memory to the system (cheap: a few milliseconds)."""
    try:
        pa.default_memory_pool().release_unused()
    except Exception:  # pragma: no cover - an Arrow build without the call
        pass
    if _libc is not None:
        _libc.malloc_trim(0)
