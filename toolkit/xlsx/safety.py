"""Writing a workbook safely: never behind Excel's back, never half-written, always a backup.

- A workbook open in Excel (its owner file `~$name.xlsx` beside it) or LibreOffice
  (`.~lock.name.xlsx#`) is not written.
- One toolkit job at a time per folder, and nothing of it left in sight: on Linux and macOS the
  folder itself is locked (flock on the folder's handle, no file made); on Windows, where a folder
  cannot be locked, a hidden `.toolkit.lock` is locked with msvcrt and removed when the job ends.
  A dry run writes nothing, so it takes the lock only where it can (a read-only folder is fine).
- The module imports on every platform: fcntl and msvcrt are each used only where they exist, and
  the folder's own fsync and the owner change are skipped on Windows (which has neither).
- The new version is written to a temporary file in the same folder, flushed to disk and
  moved over the old one in one step, so the file is always either the old or the new version.
- The old version is kept in `.toolkit-backups/` (how many: the `backups_kept` setting).
- The file system is respected: a workbook that is a symbolic link (e.g. into a shared folder) is
  written through to the file it points to, and the link stays; a read-only workbook is refused;
  the new file keeps the old one's permissions and, where the process may set them (run as root
  or by the owner), its owner and group.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import signal
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError, WorkbookBusy, WorkbookRefused
from toolkit.i18n import _

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
msvcrt: Any
try:
    import msvcrt
except ImportError:  # everywhere but Windows
    msvcrt = None

WINDOWS = sys.platform == "win32"

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
            _("is open in Excel (or another program), so the toolkit will not change it behind its back"),
            path=path,
            hint=_("save and close it, then run the job again - or use the button in the open workbook"),
        )


def written_file(path: Path) -> Path:
    """The file a write to `path` changes: the file a symbolic link points to (the link stays a link)."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def refuse_unless_writable(path: Path) -> None:
    """Refuse a workbook open in Excel (see refuse_if_open) or marked read-only, before any work is done."""
    path = Path(path)
    refuse_if_open(path)
    target = written_file(path)
    if target != path:
        refuse_if_open(target)  # opened in Excel through its own folder
    try:
        st = os.stat(target)
    except OSError:
        return  # a missing file is reported by whoever reads it
    if not stat.S_ISREG(st.st_mode):
        return
    if (
        hasattr(os, "statvfs")
        and os.statvfs(target).f_flag & getattr(os, "ST_RDONLY", 1)
        or not os.access(target.parent, os.W_OK | os.X_OK)
    ):
        raise WorkbookRefused(
            _("is in a read-only folder (no new version can be saved beside it), so nothing was changed"),
            path=path,
            hint=_("ask whoever shared the folder to allow changes, or copy the workbooks to a folder you may change"),
        )
    if st.st_mode & stat.S_IWUSR and os.access(target, os.W_OK):
        return
    # (checked by the permission bits too: run as root, os.access allows everything)
    raise WorkbookRefused(
        _("is read-only (its file permissions do not allow changes), so the toolkit changed nothing"),
        path=path,
        hint=_(
            "remove the read-only mark (Windows: right-click > Properties > untick Read-only), or ask whoever shared the file to allow changes"
        ),
    )


def os_reason(exc: OSError) -> str:
    """An OSError in words staff understand."""
    if exc.errno == errno.ENOSPC:
        return _("the disk is full")
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return _("the folder or file is read-only")
    return exc.strerror or str(exc)


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


class _LockBusy(Exception):
    """The folder's lock is held by another job."""


class _NoLock(Exception):
    """The folder's lock cannot be taken (a missing or read-only folder); carries the OSError."""


def _lock_folder_handle(folder: Path) -> Callable[[], None]:
    """flock on the folder's own handle (Linux, macOS): no file is made. Returns the release."""
    assert fcntl is not None
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise _NoLock(exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise _LockBusy from None
    except OSError as exc:  # a file system without flock on folders: the hidden file instead
        os.close(fd)
        raise _NoLock(exc) from None

    def release() -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    return release


def _lock_hidden_file(folder: Path) -> Callable[[], None]:
    """A hidden lock file, locked (msvcrt on Windows, fcntl elsewhere) and removed at release.

    A job that opened the file just before its holder removed it may lock the removed file; so
    after locking, the name must still lead to the file locked, else the lock is taken again.
    """
    lock_path = folder / LOCK_FILE
    for _attempt in range(20):
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _NoLock(exc) from None
        try:
            _lock_fd(fd)
        except (_LockBusy, _NoLock):
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock_path))
        except OSError:
            same = False
        if same:
            break
        _unlock_fd(fd)
        os.close(fd)
    else:
        raise _LockBusy
    _hide(lock_path)

    def release() -> None:
        if WINDOWS:  # an open file cannot be removed there: closed first (removal refused while another
            _unlock_fd(fd)  # job has it open, and then it stays, hidden, for that job)
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(lock_path)
            return
        with contextlib.suppress(OSError):
            os.unlink(lock_path)  # removed while held: a job that opened it meanwhile finds it gone and retries
        _unlock_fd(fd)
        os.close(fd)

    return release


def _lock_fd(fd: int) -> None:
    try:
        if msvcrt is not None:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        elif fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if isinstance(exc, BlockingIOError) or exc.errno in (errno.EACCES, errno.EAGAIN, errno.EDEADLK):
            raise _LockBusy from None
        raise _NoLock(exc) from None


def _unlock_fd(fd: int) -> None:
    with contextlib.suppress(OSError):
        if msvcrt is not None:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        elif fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _hide(path: Path) -> None:
    """Windows: the hidden attribute (a leading dot hides a file only elsewhere)."""
    if WINDOWS:
        import ctypes  # noqa: PLC0415 - Windows only

        with contextlib.suppress(Exception):
            ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x2)  # type: ignore[attr-defined]


def _take_lock(folder: Path) -> Callable[[], None]:
    if fcntl is not None and not WINDOWS:
        try:
            return _lock_folder_handle(folder)
        except _NoLock:
            if not folder.is_dir():
                raise
    return _lock_hidden_file(folder)


@contextlib.contextmanager
def folder_lock(folder: Path, *, required: bool = True):
    """Hold the folder's job lock; re-entrant within one thread, exclusive across processes.

    `required=False` (a dry run, which writes nothing): a lock that cannot be taken (read-only
    folder) is done without; a lock held by another job is still refused.
    """
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
    try:
        release = _take_lock(folder)
    except _LockBusy:
        raise WorkbookBusy(
            _("another toolkit job is running on the workbooks in this folder"),
            path=folder,
            hint=_("wait for it to finish and try again"),
        ) from None
    except _NoLock as no_lock:
        if not required:
            yield
            return
        exc = no_lock.args[0]
        if not folder.exists():
            raise ToolkitError(_("the folder {folder} does not exist: check the path").format(folder=folder)) from None
        reason = (
            _("the folder is read-only")
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
            else _("the disk is full")
            if exc.errno == errno.ENOSPC
            else exc.strerror
        )
        raise ToolkitError(
            _("cannot start a job in this folder ({reason}), so nothing was changed").format(reason=reason),
            path=folder,
            hint=_("check that the folder is not read-only"),
        ) from None
    held[folder] = 1
    try:
        yield
    finally:
        del held[folder]
        release()


def _fsync_dir(folder: Path) -> None:
    if WINDOWS:  # a folder cannot be opened there; NTFS orders the rename itself
        return
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
        alive = pid.isdigit() and int(pid) != os.getpid() and pid_alive(int(pid))
        if not alive and (not pid.isdigit() or int(pid) != os.getpid()):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def pid_alive(pid: int) -> bool:
    """Whether a process of this id runs (on Windows without os.kill, which would end it)."""
    if WINDOWS:  # os.kill(pid, 0) would end the process there
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:
    import ctypes  # noqa: PLC0415 - Windows only

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


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

    The old file stays in place until the new one is complete and on disk. When `path` is a symbolic
    link, the file it points to is replaced (in its own folder) and the link is kept.
    """
    path = Path(path)
    refuse_unless_writable(path)
    target = written_file(path)
    clean_stale_temps(target.parent)
    tmp = temp_path_for(target)
    try:
        crash_point()
        write(tmp)
        crash_point()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        crash_point()
        if target.exists():
            if expect is not None and FileStamp.of(target) != expect:
                raise WorkbookBusy(
                    _("was changed by someone else while the job ran; nothing was written"),
                    path=path,
                    hint=_("run the job again"),
                )
            refuse_unless_writable(path)
            _keep_owner_and_mode(target, tmp)
        backup = make_backup(path, keep_backups)
        crash_point()
        os.replace(tmp, target)
        crash_point()
        _fsync_dir(target.parent)
        crash_point()
        return backup
    except OSError as exc:
        raise ToolkitError(
            _("could not be saved: {os_reason}; the workbook was left as it was").format(os_reason=os_reason(exc)),
            path=path,
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _keep_owner_and_mode(old: Path, new: Path) -> None:
    """Give the new file the old one's permission bits, and its owner and group where allowed."""
    st = os.stat(old)
    with contextlib.suppress(OSError):
        os.chmod(new, stat.S_IMODE(st.st_mode))
    mine = os.stat(new)
    if not WINDOWS and (mine.st_uid, mine.st_gid) != (st.st_uid, st.st_gid) and hasattr(os, "chown"):
        with contextlib.suppress(OSError):  # only root (or the owner, for a group it belongs to) may
            os.chown(new, st.st_uid, st.st_gid)
