"""What every command shares: exit codes, the folder and --as-of arguments, the problem table.

Exit codes, the same for every command: 0 nothing to report or only warnings, 1 problems listed,
2 the command could not run (usage, a missing folder or workbook, a fatal error). Expected errors print one
line naming the file (and sheet, row, column where known); `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import _
from toolkit.model.values import beyond_reach_reason, parse_value
from toolkit.textout import format_table

EXIT_OK, EXIT_PROBLEMS, EXIT_FATAL = 0, 1, 2


class ToolkitParser(argparse.ArgumentParser):
    """argparse, with usage errors exiting 2 in one line like every other fatal error."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_FATAL, f"toolkit: {message}\n")


def folder_argument(p: argparse.ArgumentParser) -> None:
    """The optional FOLDER argument every job command takes (notices and summary too)."""
    p.add_argument(
        "folder",
        nargs="?",
        default=".",
        type=Path,
        help="the workbook folder (holding customers.xlsx, complaints.xlsx, toolkit.toml); default: here",
    )


def as_of_option(text: str | None) -> dt.datetime | None:
    """The --as-of option of every job command: None (now) or the time staff typed, in any form they type."""
    if not text:
        return None
    value, err = parse_value(text, "datetime")
    if err == beyond_reach_reason():
        raise ToolkitError(_("--as-of '{text}': {reason}").format(text=text, reason=beyond_reach_reason(cell=False)))
    if err or value is None:
        raise ToolkitError(f"--as-of '{text}' is not a date and time: {err or 'empty'}")
    return value


def job_arguments(p: argparse.ArgumentParser) -> None:
    """FOLDER, --as-of, --dry-run and --limit: the arguments of sync, flag, tiers and run."""
    folder_argument(p)
    p.add_argument(
        "--as-of", metavar="DATETIME", help="evaluate as of this time (default: now), e.g. '2026-10-31 18:00'"
    )
    p.add_argument("--dry-run", action="store_true", help="print the changes as a table and write nothing")
    p.add_argument("--limit", type=int, default=200, help="show at most this many changes/problems (default 200)")


def print_problems(problems: list[Problem], stream=None, limit: int | None = None) -> None:
    """Problems as the table staff read: file, sheet, row, column, value, problem."""
    stream = stream or sys.stdout

    rows = [
        (
            Path(p.file).name,
            p.sheet,
            p.row or "",
            p.column or "",
            "" if p.value is None else repr(p.value) if not isinstance(p.value, str) else p.value,
            ("warning: " if p.severity == "warning" else "") + p.reason,
        )
        for p in problems[:limit]
    ]
    print(format_table(["file", "sheet", "row", "column", "value", "problem"], rows), file=stream)
    if limit is not None and len(problems) > limit:
        print(f"... and {len(problems) - limit} more", file=stream)


def report_problems(problems: list[Problem], limit: int | None = None, stream=None) -> int:
    """The problems table and the one count line every command ends with; the exit code (0 or 1)."""
    from toolkit.jobs.problems import counts_text, has_problems  # noqa: PLC0415 - a job module, loaded when used

    stream = stream or sys.stdout
    if problems:
        print(file=stream)
        print_problems(problems, stream=stream, limit=limit)
        print(file=stream)
    print(counts_text(problems), file=stream)
    return EXIT_PROBLEMS if has_problems(problems) else EXIT_OK
