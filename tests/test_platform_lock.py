"""The job lock on every platform, and kept out of the office's sight.

The clerks run Windows, which has no fcntl: the toolkit must import there and lock a folder with
msvcrt. These tests run the toolkit in a fresh Python where `import fcntl` fails (as on Windows) and
`msvcrt` is a stand-in with msvcrt.locking's contract (lock n bytes from the file position, refuse at
once with EACCES when another process holds them), built on POSIX record locks so that two real
processes really exclude each other. On Linux the folder itself is locked and no file is made.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from toolkit.xlsx.safety import LOCK_FILE, folder_lock

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

REPO = Path(__file__).resolve().parents[1]

WINDOWS_SHIM = textwrap.dedent("""
    import errno, os, sys, types
    import subprocess, ctypes.util  # they choose their Windows code by `import msvcrt`: imported before the stand-in
    import fcntl as _posix  # taken before it is made unavailable, to build the stand-in on
    sys.modules["fcntl"] = None  # `import fcntl` now fails, as on Windows

    msvcrt = types.ModuleType("msvcrt")
    msvcrt.LK_UNLCK, msvcrt.LK_LOCK, msvcrt.LK_NBLCK, msvcrt.LK_RLCK, msvcrt.LK_NBRLCK = 0, 1, 2, 3, 4
    def locking(fd, mode, nbytes):
        start = os.lseek(fd, 0, os.SEEK_CUR)
        if mode == msvcrt.LK_UNLCK:
            _posix.lockf(fd, _posix.LOCK_UN, nbytes, start)
            return
        if mode not in (msvcrt.LK_NBLCK, msvcrt.LK_NBRLCK):
            raise AssertionError("the toolkit must never wait for a lock")
        try:
            _posix.lockf(fd, _posix.LOCK_EX | _posix.LOCK_NB, nbytes, start)
        except OSError:
            raise PermissionError(errno.EACCES, "Permission denied") from None
    msvcrt.locking = locking
    sys.modules["msvcrt"] = msvcrt
""")


def run_python(code: str, *args: str, stdin=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WINDOWS_SHIM + textwrap.dedent(code), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def test_the_toolkit_imports_and_locks_without_fcntl(tmp_path):
    holder = run_python(
        """
        import sys
        import toolkit.cli.main, toolkit.jobs.run, toolkit.jobs.notices  # the whole toolkit imports
        from toolkit.xlsx import safety
        assert safety.fcntl is None and safety.msvcrt is not None
        with safety.folder_lock(sys.argv[1]):
            print("locked", flush=True)
            sys.stdin.readline()
        print("released", flush=True)
        """,
        str(tmp_path),
    )
    try:
        assert holder.stdout.readline().strip() == "locked", holder.stderr.read()
        assert (tmp_path / LOCK_FILE).exists()  # (hidden on Windows; a dot-name elsewhere)
        contender = run_python(
            """
            import sys
            from toolkit.errors import WorkbookBusy
            from toolkit.xlsx.safety import folder_lock
            try:
                with folder_lock(sys.argv[1]):
                    print("locked too")
            except WorkbookBusy as exc:
                print("busy:", exc)
            """,
            str(tmp_path),
        )
        out, err = contender.communicate(timeout=60)
        assert out.startswith("busy:") and "another toolkit job is running" in out, out + err
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
    finally:
        holder.communicate(timeout=60)
    assert holder.returncode == 0, holder.stderr
    assert not (tmp_path / LOCK_FILE).exists()  # removed with the job
    again = run_python(
        """
        import sys
        from toolkit.xlsx.safety import folder_lock
        with folder_lock(sys.argv[1]):
            print("locked again")
        """,
        str(tmp_path),
    )
    out, err = again.communicate(timeout=60)
    assert out.strip() == "locked again", err
    assert list(tmp_path.iterdir()) == []


def test_a_job_without_fcntl_runs_and_leaves_nothing_in_sight(tmp_path):
    from toolkit.demo.run import prepare

    prepare(tmp_path, source=None, customers=6, complaints=15, seed=3, force=False)
    before = {p.name for p in tmp_path.iterdir()}
    job = run_python(
        """
        import sys
                sys.exit(main(["run", sys.argv[1], "--as-of", "2026-11-20 17:00"]))
        """,
        str(tmp_path),
    )
    out, err = job.communicate(timeout=300)
    assert job.returncode in (0, 1), out + err
    assert "Traceback" not in out + err
    after = {p.name for p in tmp_path.iterdir()}
    assert LOCK_FILE not in after
    assert after - before <= {".toolkit-backups", "logs"}, after - before


def test_on_linux_the_folder_itself_is_locked_and_no_file_is_made(tmp_path):
    with folder_lock(tmp_path):
        assert list(tmp_path.iterdir()) == []
        contender = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys\nfrom toolkit.errors import WorkbookBusy\nfrom toolkit.xlsx.safety import folder_lock\n"
                "try:\n    with folder_lock(sys.argv[1]): print('locked')\nexcept WorkbookBusy: print('busy')",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )
        assert contender.stdout.strip() == "busy", contender.stderr
    assert list(tmp_path.iterdir()) == []
