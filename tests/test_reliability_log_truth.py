"""Logs and messages that tell the truth.

- The change log's append is all or nothing: a disk that fills (here: a file-size limit, RLIMIT_FSIZE, in a
  child process - no root or tmpfs needed) halfway through 66,907 lines leaves the log exactly as it was,
  and the message says none of the changes are in it; the same job run again with room logs them all.
- A line cut short (a job killed mid-write) never swallows the next job's first line.
- Every text field of the log is guarded against formulas: the workbook's and the sheet's names (a sheet
  named =1+1) and the user, on the fast path and the csv writer's path alike.
(That a job which saved one workbook and not the other says exactly what was written is tested with the
workbook replaced and the disk full in tests/test_reliability_faults.py.)
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

from toolkit.i18n import ngettext
from toolkit.jobs.changelog import append_changes
from toolkit.jobs.changes import CellChange

REPO = Path(__file__).resolve().parents[1]
WHEN = dt.datetime(2026, 11, 20, 17, 0)
LINES = 66_907


def _changes(n: int, sheet: str = "投诉跟踪", book: str = "complaints.xlsx") -> list[CellChange]:
    return [
        CellChange("flag", book, sheet, 2 + i, 30 + i % 3, "sla_state", "时限状态", f"TS2026-{i:06d}", None, "逾期")
        for i in range(n)
    ]


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


CHILD = textwrap.dedent(
    """
    import datetime as dt, resource, signal, sys
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from test_reliability_log_truth import LINES, WHEN, _changes
    from toolkit.errors import ToolkitError
    from toolkit.jobs.changelog import append_changes

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
    try:
        append_changes(Path({folder!r}), _changes(LINES), when=WHEN)
    except ToolkitError as exc:
        print(exc)
        sys.exit(3)
    """
)


def test_a_full_disk_halfway_through_the_change_log_leaves_it_as_it_was(tmp_path):
    folder = tmp_path / "office"
    folder.mkdir()
    earlier = append_changes(folder, _changes(25), when=WHEN)  # an earlier job's lines
    assert earlier is not None
    before = earlier.read_bytes()
    limit = len(before) + 1_500_000  # room for about a third of the new lines
    script = CHILD.format(tests=str(REPO / "tests"), limit=limit, folder=str(folder))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    message = proc.stdout.strip()
    said = ngettext(
        "{books} was saved, but its {n:,} change could not be added to the change log ({reason})",
        "{books} was saved, but its {n:,} changes could not be added to the change log ({reason})",
        LINES,
    ).format(books="complaints.xlsx", n=LINES, reason="\0")
    assert all(part in message for part in said.split("\0")), message  # (in the clerk's language)
    assert earlier.read_bytes() == before  # not one line of the failed job, and no line cut short
    # with room again, the same changes are logged whole, after the earlier job's lines
    append_changes(folder, _changes(LINES), when=WHEN)
    rows = _rows(earlier)
    assert len(rows) == 1 + 25 + LINES and all(len(r) == 10 for r in rows)


def test_a_line_cut_short_by_a_kill_does_not_swallow_the_next_jobs_line(tmp_path):
    folder = tmp_path / "office"
    folder.mkdir()
    log = append_changes(folder, _changes(3), when=WHEN)
    assert log is not None
    with open(log, "ab") as fh:
        fh.write("2026-11-20 17:00:00,clerk,flag,complaints.xlsx,投诉跟踪,AE9,TS2026-0".encode())  # killed here
    append_changes(folder, _changes(2), when=WHEN)
    rows = _rows(log)
    assert [r[5] for r in rows[-2:]] == ["AD2", "AE3"]  # the next job's lines are whole
    assert len(rows) == 1 + 3 + 1 + 2


def test_every_text_field_of_the_log_is_guarded_against_formulas(tmp_path):
    folder = tmp_path / "office"
    folder.mkdir()
    changes = [
        *_changes(3, sheet="=1+1", book="=HYPERLINK(1).xlsx"),  # the fast path
        CellChange("sync", "@book.xlsx", "+sheet", 9, 4, "customer_name", "-客户名称", "=key", "-old", "a,b=1"),
    ]
    log = append_changes(folder, changes, when=WHEN)
    assert log is not None
    rows = _rows(log)[1:]
    assert len(rows) == 4
    for row in rows:
        for text in row:
            assert not text.startswith(("=", "+", "-", "@")), row
    assert rows[0][3:5] == ["'=HYPERLINK(1).xlsx", "'=1+1"]
    assert rows[3][3:10] == ["'@book.xlsx", "'+sheet", "D9", "'=key", "'-客户名称", "'-old", "a,b=1"]
