"""Writing a workbook safely: never behind Excel's back, never half-written, always a backup.

- A workbook open in Excel (its owner file `~$name.xlsx` beside it) or LibreOffice
  (`.~lock.name.xlsx#`) is not written.
- One toolkit job at a time per folder (an OS file lock on `.toolkit.lock`).
- The new version is written to a temporary file in the same folder, flushed to disk and
  moved over the old one in one step, so the file is always either the old or the new version.
- The old version is kept in `.toolkit-backups/` (how many: the `backups_kept` setting).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import shutil
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import ToolkitError, WorkbookBusy

BACKUP_DIR = ".toolkit-backups"
LOCK_FILE = ".toolkit.lock"
TEMP_PREFIX = ".~toolkit-"

# Test hook for the crash tests (tests/test_reliability_crash.py): the write path calls
# crash_point() at each step (before/after every zip part, fsync, backup, rename). When
# CRASH_AT is set to N (by the tests, or through the TOOLKIT_CRASH_AT environment variable),
# the process kills itself with SIGKILL at the Nth call, as a power cut or `kill -9` would.
# Otherwise (always, in normal use) a call only counts.
CRASH_AT = int(os.environ.get("TOOLKIT_CRASH_AT", "0") or 0)
crash_points_seen = 0


def crash_point() -> None:
    global crash_points_seen
    crash_points_seen += 1
    if crash_points_seen == CRASH_AT:
        os.kill(os.getpid(), signal.SIGKILL)


def owner_files(path: Path) -> list[Path]:
    """Lock files Excel or LibreOffice leave beside a workbook they have open."""
    name = path.name
    candidates = [path.with_name("~$" + name), path.with_name(".~lock." + name + "#")]
    if len(name) > 2:  # Excel shortens long names: ~$ replaces the first two characters
        candidates.append(path.with_name("~$" + name[2:]))
    return [c for c in candidates if c.exists()]


def refuse_if_open(path: Path) -> None:
    found = owner_files(path)
    if found:
        raise WorkbookBusy(
            "is open in Excel (or another program), so the toolkit will not change it behind its back",
            path=path,
            hint="save and close it, then run the job again - or use the button in the open workbook",
        )


@dataclass(frozen=True)
class FileStamp:
    """Enough about a file to notice that someone else replaced or changed it."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)


_held = threading.local()


@contextlib.contextmanager
def folder_lock(folder: Path):
    """Hold the folder's job lock; re-entrant within one thread, exclusive across processes."""
    folder = Path(folder).resolve()
    held = getattr(_held, "folders", None)
    if held is None:
        held = _held.folders = {}
    if folder in held:
        held[folder] += 1
        try:
            yield
        finally:
            held[folder] -= 1
        return
    lock_path = folder / LOCK_FILE
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        reason = (
            "the folder is read-only"
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
            else "the disk is full"
            if exc.errno == errno.ENOSPC
            else exc.strerror
        )
        raise ToolkitError(
            f"cannot use the job lock file ({reason}), so nothing was changed",
            path=lock_path,
            hint="check that the folder exists and is not read-only",
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkbookBusy(
                "another toolkit job is running on the workbooks in this folder",
                path=folder,
                hint="wait for it to finish and try again",
            ) from None
        held[folder] = 1
        try:
            yield
        finally:
            del held[folder]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temp_path_for(path: Path) -> Path:
    return path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{path.name}")


def clean_stale_temps(folder: Path) -> list[Path]:
    """Remove temporary files left by a job that was killed (their process is gone)."""
    removed = []
    for tmp in folder.glob(TEMP_PREFIX + "*"):
        pid = tmp.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        alive = pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid))
        if not alive and (not pid.isdigit() or int(pid) != os.getpid()):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def make_backup(path: Path, keep: int) -> Path | None:
    """Keep the current version of `path` in .toolkit-backups/; prune to the newest `keep`."""
    if keep <= 0 or not path.exists():
        return None
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    crash_point()
    try:
        os.link(path, target)  # instant: the old bytes stay where they are
    except OSError:
        shutil.copy2(path, target)
    crash_point()
    backups = sorted(folder.glob(f"{path.stem}.*{path.suffix}"), key=lambda p: p.name)
    backups = [b for b in backups if b.name[len(path.stem) + 1 :][:8].isdigit()]
    for old in backups[:-keep]:
        with contextlib.suppress(OSError):
            old.unlink()
        crash_point()
    return target


def list_backups(path: Path) -> list[Path]:
    folder = path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    found = [b for b in folder.glob(f"{path.stem}.*{path.suffix}") if b.name[len(path.stem) + 1 :][:8].isdigit()]
    return sorted(found, key=lambda p: p.name, reverse=True)


def atomic_write(path: Path, write, *, keep_backups: int, expect: FileStamp | None = None) -> Path | None:
    """Write a new version of `path` with `write(temp_path)`; returns the backup made (if any).

    The old file stays in place until the new one is complete and on disk.
    """
    refuse_if_open(path)
    clean_stale_temps(path.parent)
    tmp = temp_path_for(path)
    try:
        crash_point()
        write(tmp)
        crash_point()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        crash_point()
        if path.exists():
            if expect is not None and FileStamp.of(path) != expect:
                raise WorkbookBusy(
                    "was changed by someone else while the job ran; nothing was written",
                    path=path,
                    hint="run the job again",
                )
            refuse_if_open(path)
            with contextlib.suppress(OSError):
                shutil.copymode(path, tmp)
        backup = make_backup(path, keep_backups)
        crash_point()
        os.replace(tmp, path)
        crash_point()
        _fsync_dir(path.parent)
        crash_point()
        return backup
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == errno.ENOSPC:
            reason = "the disk is full"
        elif exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
            reason = "the folder or file is read-only"
        raise ToolkitError(f"could not be saved: {reason}; the workbook was left as it was", path=path) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
