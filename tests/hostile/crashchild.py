"""The crash tests' child: runs write jobs in forked processes that kill themselves mid-write.

Started once per test session (``python tests/hostile/crashchild.py``), it imports the toolkit
once and then answers one JSON request per line on stdin::

    {"job": "update_cells", "args": {...}, "crash_at": 17}

For each request it forks a worker that sets the toolkit's crash hook
(``toolkit.xlsx.safety.CRASH_AT``) to ``crash_at`` and runs the job: the worker kills itself with
SIGKILL at the ``crash_at``-th crash point on the write path (0: never). With
``"kill_after": seconds`` this process kills the worker from outside after that time instead,
wherever it is. The answer, one JSON line on stdout, says how the worker ended (``status``:
``killed`` by SIGKILL, or ``exited``), how many crash points it passed (``seen``) and the
message of a ToolkitError it raised (``error``). Forking from this process, which has imported
everything but run nothing, makes each kill cost milliseconds instead of a fresh interpreter's
start-up.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
import time

import toolkit.cli  # noqa: F401  (imports everything the jobs use, before any fork)
import toolkit.jobs.run
import toolkit.model.records  # noqa: F401
from toolkit.errors import ToolkitError
from toolkit.xlsx import safety

TIMEOUT = 60.0


def run_job(job: str, args: dict) -> None:
    if job == "update_cells":
        from toolkit.xlsx import update_cells

        update_cells(args["path"], args["sheet"], args["updates"], fills=args.get("fills"))
    elif job == "append_rows":
        from toolkit.xlsx import append_rows

        append_rows(args["path"], args["sheet"], args["rows"])
    elif job == "add_column":
        from toolkit.xlsx import add_column

        add_column(args["path"], args["sheet"], args["header"])
    elif job == "run_jobs":
        toolkit.jobs.run.run_jobs(args["folder"], tuple(args["jobs"]), as_of=dt.datetime.fromisoformat(args["as_of"]))
    elif job == "notices":
        from toolkit.jobs.notices import make_notices

        make_notices(
            args["folder"],
            kind=args.get("kinds"),
            as_of=dt.datetime.fromisoformat(args["as_of"]),
            pdf=args.get("pdf", False),
            out_dir=args.get("out"),
        )
    elif job == "restore":
        from toolkit.jobs.restore import restore_backup

        restore_backup(args["path"], args["pick"])
    else:
        raise ValueError(f"unknown job {job}")


def worker(request: dict, fd: int) -> None:
    safety.CRASH_AT = int(request.get("crash_at", 0))
    safety.crash_points_seen = 0
    result = {"error": None}
    try:
        run_job(request["job"], request["args"])
    except ToolkitError as exc:
        result["error"] = str(exc)
    result["seen"] = safety.crash_points_seen
    os.write(fd, json.dumps(result).encode())
    os.close(fd)


def serve() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(r)
            code = 0
            try:
                worker(request, w)
            except BaseException as exc:  # an unexpected error is reported, never hidden
                os.write(w, json.dumps({"crash": f"{type(exc).__name__}: {exc}"}).encode())
                code = 3
            finally:
                os._exit(code)
        os.close(w)
        deadline = time.monotonic() + TIMEOUT
        kill_at = time.monotonic() + request["kill_after"] if request.get("kill_after") is not None else None
        status = None
        while status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
            elif kill_at is not None and time.monotonic() >= kill_at:  # killed from outside, at a random time
                os.kill(pid, signal.SIGKILL)
                kill_at = None
            elif time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                status = "hung"
            else:
                time.sleep(0.002)
        chunks = []
        while True:
            block = os.read(r, 65536)
            if not block:
                break
            chunks.append(block)
        os.close(r)
        answer = json.loads(b"".join(chunks) or b"{}")
        if status == "hung":
            answer["status"] = "hung"
        elif os.WIFSIGNALED(status):
            answer["status"] = "killed" if os.WTERMSIG(status) == signal.SIGKILL else f"signal {os.WTERMSIG(status)}"
        else:
            answer["status"] = "exited"
            answer["code"] = os.WEXITSTATUS(status)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
