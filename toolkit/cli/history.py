"""`toolkit restore` and `toolkit log`: put back a backup, and show what the toolkit changed."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.common import EXIT_OK, folder_argument, language_option, whole_number
from toolkit.i18n import _, ngettext

# A command imports its job when it runs, so that `toolkit --help` and a usage error answer at once
# instead of first loading pyarrow, lxml and the other heavy libraries every job needs.


def cmd_restore(args) -> int:
    from toolkit.jobs.restore import format_backups, list_workbook_backups, restore_backup

    if args.pick is None:
        print(format_backups(args.file, list_workbook_backups(args.file)))
        return EXIT_OK
    done = restore_backup(args.file, args.pick)
    b = done.restored_from
    print(
        _("restored {file} from backup {number} ({backup}, {size} bytes)").format(
            file=done.path, number=b.number, backup=b.path.name, size=f"{b.size:,}"
        )
    )
    if done.previous_kept_as:
        print(_("the version it replaced is kept as {file}").format(file=done.previous_kept_as))
    return EXIT_OK


def cmd_log(args) -> int:
    from toolkit.jobs.log import format_entries, parse_when, query_log

    since = parse_when(args.since) if args.since else None
    until = parse_when(args.until, end_of_day=True) if args.until else None
    found = query_log(
        args.folder, customer=args.customer, complaint=args.complaint, column=args.column, since=since, until=until
    )
    for note in found.notes:
        print(_("note: {note}").format(note=note), file=sys.stderr)
    if not found.files:
        print(_("No change log in {folder} yet.").format(folder=args.folder / "logs"))
        return EXIT_OK
    shown = found.entries[: args.limit]
    if shown:
        print(format_entries(shown))
    n = len(found.entries)
    text = ngettext("{n} change matches.", "{n} changes match.", n).format(n=f"{n:,}")
    if len(shown) < n:
        text += _(" (the first {shown} are shown)").format(shown=f"{len(shown):,}")
    print(text)
    return EXIT_OK


def add_history_commands(sub) -> None:
    p = sub.add_parser(
        "restore",
        help=_("list a workbook's backups, or put one back"),
        description=_(
            "List the backups kept in .toolkit-backups/ (newest first, numbered), or "
            "restore backup N in one step; the current version is backed up first."
        ),
    )
    p.add_argument(
        "file",
        type=Path,
        metavar=_("FILE"),
        help=_("the workbook, e.g. {example}").format(example=_("office/complaints.xlsx")),
    )
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--list", action="store_true", help=_("list the backups (newest first, numbered)"))
    g.add_argument("--pick", type=whole_number, metavar="N", help=_("restore backup number N from the list"))
    language_option(p)
    p.set_defaults(run=cmd_restore)

    p = sub.add_parser(
        "log",
        help=_("show the change log, filtered by customer, complaint, column or time"),
        description=_(
            "Print the cells the toolkit changed (logs/changes-YYYY-MM.csv), with who "
            "ran the job and when. Filters combine."
        ),
    )
    folder_argument(p)
    p.add_argument("--customer", metavar="ID", help=_("changes to this customer's register row and complaints"))
    p.add_argument("--complaint", metavar="ID", help=_("changes to this complaint's tracker row"))
    p.add_argument("--column", metavar=_("NAME"), help=_("changes to this column (any of its header names)"))
    p.add_argument("--since", metavar=_("DATE"), help=_("changes at or after this time, e.g. 2026-11-01"))
    p.add_argument("--until", metavar=_("DATE"), help=_("changes up to this time (a date alone: the whole day)"))
    p.add_argument(
        "--limit", type=whole_number, default=1000, metavar="N", help=_("show at most this many lines (default 1000)")
    )
    p.set_defaults(run=cmd_log)
