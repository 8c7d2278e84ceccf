"""`toolkit restore` and `toolkit log`: put back a backup, and show what the toolkit changed."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.common import EXIT_OK, folder_argument

# A command imports its job when it runs, so that `toolkit --help` and a usage error answer at once
# instead of first loading pyarrow, lxml and the other heavy libraries every job needs.


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
    from toolkit.jobs.log import format_entries, parse_when, query_log

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


def add_history_commands(sub) -> None:
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
