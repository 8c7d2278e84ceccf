"""What every command shares: exit codes, the language, the folder and --as-of arguments, the problem table.

Exit codes, the same for every command: 0 nothing to report or only warnings, 1 problems listed,
2 the command could not run (usage, a missing folder or workbook, a fatal error). Expected errors print one
line naming the file (and sheet, row, column where known); `--debug` shows the traceback.

Language: every command takes ``--lang zh|en``; without it the language is chosen by
:func:`toolkit.i18n.choose_language` (TOOLKIT_LANG, the office's ``[files] language``, the
locale, Chinese). argparse's own words ("usage:", "options", its errors) are looked up through
this catalog too: :func:`speak_argparse` points argparse's gettext at ours, and ARGPARSE_WORDS
keeps them in the catalog.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from toolkit.errors import Problem, ToolkitError
from toolkit.formats import show
from toolkit.i18n import N_, _, ngettext
from toolkit.model.values import beyond_reach_reason, parse_value
from toolkit.textout import format_table

EXIT_OK, EXIT_PROBLEMS, EXIT_FATAL = 0, 1, 2

# argparse's own words as Python 3.11 - 3.13 write them (argparse translates through gettext).
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def speak_argparse() -> None:
    """argparse's words (usage, headings, its errors) through the toolkit's catalog, in the language in use."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


class ToolkitParser(argparse.ArgumentParser):
    """argparse, with usage errors exiting 2 in one line like every other fatal error, in the clerk's language."""

    def __init__(self, *args, **kwargs):
        speak_argparse()
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_FATAL, f"toolkit: {message}\n")


def whole_number(text: str) -> int:
    """An argparse type: a whole number, refused in the clerk's words."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{text}' is not a whole number").format(text=text)) from None


def language_option(p: argparse.ArgumentParser, dest: str = "lang") -> None:
    """--lang zh|en: the language the command speaks (for notices and the panels, also what they make)."""
    p.add_argument(
        "--lang",
        dest=dest,
        choices=("zh", "en"),
        help=_("speak Chinese (zh) or English (en); default: TOOLKIT_LANG, else [files] language, else Chinese"),
    )


def folder_argument(p: argparse.ArgumentParser) -> None:
    """The optional FOLDER argument every job command takes (notices and summary too)."""
    p.add_argument(
        "folder",
        nargs="?",
        default=".",
        type=Path,
        metavar=_("FOLDER"),
        help=_("the workbook folder (holding customers.xlsx, complaints.xlsx, toolkit.toml); default: here"),
    )
    language_option(p)


def as_of_option(text: str | None) -> dt.datetime | None:
    """The --as-of option of every job command: None (now) or the time staff typed, in any form they type."""
    if not text:
        return None
    value, err = parse_value(text, "datetime")
    if err == beyond_reach_reason():
        raise ToolkitError(_("--as-of '{text}': {reason}").format(text=text, reason=beyond_reach_reason(cell=False)))
    if err or value is None:
        raise ToolkitError(
            _("--as-of '{text}' is not a date and time: {reason}").format(text=text, reason=err or _("it is empty"))
        )
    return value


def job_arguments(p: argparse.ArgumentParser) -> None:
    """FOLDER, --as-of, --dry-run and --limit: the arguments of sync, flag, tiers and run."""
    folder_argument(p)
    p.add_argument(
        "--as-of",
        metavar=_("DATETIME"),
        help=_("evaluate as of this time (default: now), e.g. '2026-10-31 18:00'"),
    )
    p.add_argument("--dry-run", action="store_true", help=_("print the changes as a table and write nothing"))
    p.add_argument(
        "--limit",
        type=whole_number,
        default=200,
        metavar="N",
        help=_("show at most this many changes and problems (default 200)"),
    )


def problem_text(p: Problem) -> str:
    """The problem column: the reason, a warning said to be one."""
    return _("warning: {reason}").format(reason=p.reason) if p.severity == "warning" else p.reason


def print_problems(problems: list[Problem], stream=None, limit: int | None = None) -> None:
    """Problems as the table staff read: file, sheet, row, column, value, problem."""
    stream = stream or sys.stdout

    rows = [
        (Path(p.file).name, p.sheet, p.row or "", p.column or "", show(p.value), problem_text(p))
        for p in problems[:limit]
    ]
    headers = [_("file"), _("sheet"), _("row"), _("column"), _("value"), _("problem")]
    print(format_table(headers, rows), file=stream)
    if limit is not None and len(problems) > limit:
        print(more_line(len(problems) - limit), file=stream)


def more_line(n: int) -> str:
    """The line under a table cut at --limit."""
    return ngettext("... and {n} more", "... and {n} more", n).format(n=f"{n:,}")


def problem_counts(problems: list[Problem]) -> str:
    """ "3 problems, 1 warning" in the language in use: the one count of toolkit.jobs.problems."""
    from toolkit.jobs.problems import counts_phrase  # noqa: PLC0415 - a job module, loaded when used

    return counts_phrase(problems)


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
