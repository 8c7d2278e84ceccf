"""The `toolkit` command: a thin face over the library's jobs.

Exit codes: 0 success, 1 problems found, 2 usage or fatal error. Expected errors print one
line naming the file (and sheet, row, column where known); `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from toolkit import __version__
from toolkit.errors import ToolkitError

EXIT_OK, EXIT_PROBLEMS, EXIT_FATAL = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with one line, like every other fatal error
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


def print_problems(problems, stream=None, limit: int | None = None) -> None:
    """Problems as the table staff read: file, sheet, row, column, value, problem."""
    from toolkit.textout import format_table

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


# ---------------------------------------------------------------------------- commands


def cmd_init(args) -> int:
    from toolkit.jobs.init import init_folder

    written = init_folder(args.folder, force=args.force)
    for path in written:
        print(f"created {path}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from toolkit.jobs.demo import run_demo

    return run_demo(
        args.folder,
        source=args.source,
        customers=args.customers,
        complaints=args.complaints,
        seed=args.seed,
        force=args.force,
    )


def cmd_check(args) -> int:
    from toolkit.jobs.check import check_folder

    report = check_folder(args.folder)
    counts = ", ".join(f"{n} {role} rows" for role, n in report.rows_checked.items())
    if not report.problems:
        print(f"No problems found ({counts}).")
        return EXIT_OK
    print_problems(report.problems, limit=args.limit)
    print(f"\n{len(report.errors)} problem(s), {len(report.problems) - len(report.errors)} warning(s) ({counts}).")
    return EXIT_PROBLEMS


def cmd_due(args) -> int:
    from toolkit.calendar import add_duration, parse_duration
    from toolkit.jobs.office import office_calendar
    from toolkit.model.values import parse_value

    start, err = parse_value(args.start, "datetime")
    if err or start is None:
        raise ToolkitError(f"'{args.start}' is not a date and time: {err or 'empty'}")
    try:
        duration = parse_duration(args.duration)
    except ValueError as exc:
        raise ToolkitError(str(exc)) from None
    pauses = []
    for text in args.pause or []:
        a, sep, b = text.partition("/")
        pa_, e1 = parse_value(a, "datetime")
        pb_, e2 = parse_value(b, "datetime") if b.strip() else (None, None)
        if not sep or e1 or e2 or pa_ is None:
            raise ToolkitError(
                f"--pause '{text}' should be START/END, e.g. '2025-10-09 10:00/2025-10-09 15:00' "
                "(leave END empty for a wait that has not ended)"
            )
        pauses.append((pa_, pb_))
    cal, warn = office_calendar(args.folder)
    deadline = add_duration(cal, start, duration, pauses=pauses)
    if deadline.at is None:
        print("on hold (the clock is stopped by an open wait)")
        return EXIT_OK
    print(f"{deadline.at:%Y-%m-%d %H:%M}" + (" (provisional)" if deadline.provisional else ""))
    if deadline.provisional:
        warn(deadline.at.year)
    return EXIT_OK


def as_of_option(text: str | None) -> dt.datetime | None:
    """The --as-of option of every job command: None (now) or the time staff typed, in any form they type."""
    if not text:
        return None
    from toolkit.model.values import parse_value

    value, err = parse_value(text, "datetime")
    if err or value is None:
        raise ToolkitError(f"--as-of '{text}' is not a date and time: {err or 'empty'}")
    return value


def _job_command(jobs: tuple[str, ...]):
    def run(args) -> int:
        from toolkit.jobs.changes import describe
        from toolkit.jobs.run import run_jobs
        from toolkit.textout import format_table

        from toolkit.progress import progress

        with progress(5, desc="+".join(jobs)) as bar:
            result = run_jobs(args.folder, jobs, as_of=as_of_option(args.as_of), dry_run=args.dry_run, progress=bar)
        if args.dry_run and result.changes:
            shown = result.changes[: args.limit]
            print(format_table(["workbook", "cell", "key", "column", "old", "new"], [describe(c) for c in shown]))
            if len(result.changes) > len(shown):
                print(f"... and {len(result.changes) - len(shown)} more changes")
        by_book: dict[str, int] = {}
        for c in result.changes:
            by_book[c.workbook] = by_book.get(c.workbook, 0) + 1
        verb = "would change" if args.dry_run else "changed"
        summary = ", ".join(f"{n:,} cell(s) in {book}" for book, n in by_book.items()) or "nothing"
        print(f"{'+'.join(jobs)} as of {result.as_of:%Y-%m-%d %H:%M}: {verb} {summary}.")
        for note in result.notes:
            print(f"note: {note}")
        if result.log_file:
            print(f"Every change is listed in {result.log_file}.")
        if result.problems:
            print()
            print_problems(result.problems, limit=args.limit)
            errors = sum(p.severity == "error" for p in result.problems)
            print(
                f"\n{errors} problem(s), {len(result.problems) - errors} warning(s); "
                "rows with problems were processed for the columns that are fine."
            )
            return EXIT_PROBLEMS
        return EXIT_OK

    return run


def cmd_tiers(args) -> int:
    if args.suggest:
        from toolkit.model.records import read_table
        from toolkit.model.settings import load_settings
        from toolkit.rules import tiers as tier_rules

        settings = load_settings(args.folder)
        register = read_table(settings.register_path, settings.register)
        rules = tier_rules.TierRules.from_settings(settings.data, settings.source)
        cols = {c.name: register.values(c.name) for c in register.schema.columns}
        print(tier_rules.format_suggestion(tier_rules.suggest_thresholds(cols, rules)))
        return EXIT_OK
    return _job_command(("tiers",))(args)


def cmd_restore(args) -> int:
    from toolkit.jobs.restore import format_backups, list_workbook_backups, restore_backup

    if args.pick is None:
        print(format_backups(args.file, list_workbook_backups(args.file)))
        return EXIT_OK
    done = restore_backup(args.file, args.pick)
    b = done.restored_from
    print(f"restored {done.path} from backup {b.number} ({b.path.name}, {b.size:,} bytes)")
    if done.previous_kept_as:
        print(f"the version it replaced is kept as {done.previous_kept_as}")
    return EXIT_OK


def cmd_log(args) -> int:
    from toolkit.jobs.logquery import format_entries, parse_when, query_log

    since = parse_when(args.since) if args.since else None
    until = parse_when(args.until, end_of_day=True) if args.until else None
    found = query_log(
        args.folder, customer=args.customer, complaint=args.complaint, column=args.column, since=since, until=until
    )
    for note in found.notes:
        print(f"note: {note}", file=sys.stderr)
    if not found.files:
        print(f"No change log in {args.folder / 'logs'} yet.")
        return EXIT_OK
    shown = found.entries[: args.limit]
    if shown:
        print(format_entries(shown))
    more = f" (first {len(shown):,} shown)" if len(shown) < len(found.entries) else ""
    print(f"{len(found.entries):,} change(s) match{more}.")
    return EXIT_OK


def _job_args(p: argparse.ArgumentParser) -> None:
    folder_argument(p)
    p.add_argument(
        "--as-of", metavar="DATETIME", help="evaluate as of this time (default: now), e.g. '2026-10-31 18:00'"
    )
    p.add_argument("--dry-run", action="store_true", help="print the changes as a table and write nothing")
    p.add_argument("--limit", type=int, default=200, help="show at most this many changes/problems (default 200)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="toolkit", description="Keeps the customer register and the complaint tracker in order.")
    parser.add_argument("--version", action="version", version=f"toolkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full Python traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "init",
        help="create empty customers.xlsx, complaints.xlsx and toolkit.toml in a folder",
        description="Create the two workbooks (Chinese headers, drop-down lists, frozen header, "
        "highlighting of flagged rows) and a settings file.",
    )
    folder_argument(p)
    p.add_argument("--force", action="store_true", help="replace existing files")
    p.set_defaults(run=cmd_init)

    p = sub.add_parser(
        "demo",
        help="fill a folder with realistic sample data and run every job on it",
        description="Create sample workbooks (or copy them from --from) and run the jobs on them.",
    )
    folder_argument(p)
    p.add_argument("--from", dest="source", type=Path, help="copy these sample workbooks instead of generating")
    p.add_argument("--customers", type=int, default=500, help="customers to generate (default 500)")
    p.add_argument("--complaints", type=int, default=3000, help="complaints to generate (default 3000)")
    p.add_argument("--seed", type=int, default=7, help="random seed, for the same data every time")
    p.add_argument("--force", action="store_true", help="replace existing workbooks in the folder")
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser(
        "check",
        help="validate both workbooks and list every problem",
        description="Read both workbooks and print every problem as a table: missing columns, "
        "duplicate or unknown customer IDs, values that cannot be read. Exit 1 if any.",
    )
    folder_argument(p)
    p.add_argument("--limit", type=int, default=None, help="show at most this many problems")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser(
        "due",
        help='when is it due? e.g. toolkit due "2025-09-30 17:00" "2 working days"',
        description="Work out a deadline with the office's calendar (statutory holidays, make-up "
        "working days, the office's own closures) and office hours. DURATION in "
        "calendar hours, working hours or working days, English or Chinese: "
        "'24 hours', '8 working hours', '2 working days', '24小时', '8个工作小时', "
        "'2个工作日'.",
    )
    p.add_argument("start", metavar="FROM", help="start date and time, e.g. '2025-09-30 17:00'")
    p.add_argument("duration", metavar="DURATION", help="e.g. '2 working days'")
    p.add_argument(
        "--pause",
        action="append",
        metavar="START/END",
        help="a time the clock stops (waiting on the customer); repeatable",
    )
    p.add_argument("--folder", type=Path, default=Path("."), help="workbook folder with toolkit.toml (default: here)")
    p.set_defaults(run=cmd_due)

    for name, jobs, text in (
        ("sync", ("sync",), "copy customer fields into the tracker and complaint figures back to the register"),
        ("flag", ("flag",), "mark complaints past their deadlines (with escalation) and customers due a visit"),
        ("run", ("sync", "flag", "tiers"), "tiers, flags and sync together: one read and one write per workbook"),
    ):
        p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        _job_args(p)
        p.set_defaults(run=_job_command(jobs))
    p = sub.add_parser(
        "tiers",
        help="compute customer tiers (A/B/C, new) with overrides and no flip-flopping",
        description="Compute customer tiers from the thresholds in the settings, honouring manual "
        "overrides; --suggest prints thresholds suggested from the data instead.",
    )
    _job_args(p)
    p.add_argument(
        "--suggest", action="store_true", help="print suggested thresholds from the current data; change nothing"
    )
    p.set_defaults(run=cmd_tiers)

    p = sub.add_parser(
        "restore",
        help="list a workbook's backups, or put one back",
        description="List the backups kept in .toolkit-backups/ (newest first, numbered), or "
        "restore backup N in one step; the current version is backed up first.",
    )
    p.add_argument("file", type=Path, help="the workbook, e.g. 客服台账/complaints.xlsx")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--list", action="store_true", help="list the backups (newest first, numbered)")
    g.add_argument("--pick", type=int, metavar="N", help="restore backup number N from the list")
    p.set_defaults(run=cmd_restore)

    p = sub.add_parser(
        "log",
        help="show the change log, filtered by customer, complaint, column or time",
        description="Print the cells the toolkit changed (logs/changes-YYYY-MM.csv), with who "
        "ran the job and when. Filters combine.",
    )
    folder_argument(p)
    p.add_argument("--customer", metavar="ID", help="changes to this customer's register row and complaints")
    p.add_argument("--complaint", metavar="ID", help="changes to this complaint's tracker row")
    p.add_argument("--column", metavar="NAME", help="changes to this column (any of its header names)")
    p.add_argument("--since", metavar="DATE", help="changes at or after this time, e.g. 2026-11-01")
    p.add_argument("--until", metavar="DATE", help="changes up to this time (a date alone: the whole day)")
    p.add_argument("--limit", type=int, default=1000, help="show at most this many lines (default 1000)")
    p.set_defaults(run=cmd_log)

    from toolkit.documents.commands import add_notice_commands

    add_notice_commands(sub)
    from toolkit.documents.summary_command import add_summary_commands

    add_summary_commands(sub)
    from toolkit.excel.commands import add_excel_commands

    add_excel_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_FATAL
    try:
        return int(args.run(args) or 0)
    except ToolkitError as exc:
        if args.debug:
            raise
        print(f"toolkit: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("toolkit: stopped; workbooks are written in one step, so none was half-written", file=sys.stderr)
        return EXIT_FATAL


if __name__ == "__main__":
    raise SystemExit(main())
