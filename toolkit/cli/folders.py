"""`toolkit init`, `toolkit demo` and `toolkit check`: set up a folder, fill it with samples, list its problems."""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.common import EXIT_OK, as_of_option, folder_argument, report_problems, whole_number
from toolkit.i18n import N_, _, ngettext

# A command imports its job when it runs, so that `toolkit --help` and a usage error answer at once
# instead of first loading pyarrow, lxml and the other heavy libraries every job needs.


BOOKS = {"register": N_("customer register"), "tracker": N_("complaint tracker")}


def cmd_init(args) -> int:
    if args.adopt is not None:
        from toolkit.cli.columns import print_columns_report
        from toolkit.jobs.columns import adopt_folder

        settings_file, reports = adopt_folder(args.adopt, force=args.force)
        print_columns_report(reports)
        print(
            _("wrote {file}: review it, then run `toolkit check`; no workbook was changed").format(file=settings_file)
        )
        return EXIT_OK
    from toolkit.jobs.init import init_folder
    from toolkit.panel.launchers import launchers_note, write_launchers

    written = init_folder(args.folder, force=args.force)
    launchers = write_launchers(args.folder)  # the desktop panel's double-click files, beside the workbooks
    for path in written + launchers:
        print(_("created {path}").format(path=path))
    print(launchers_note(launchers))
    return EXIT_OK


def cmd_demo(args) -> int:
    from toolkit.demo.run import run_demo

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

    report = check_folder(args.folder, as_of=as_of_option(args.as_of))
    counts = _(", ").join(
        ngettext("{n} row in the {book}", "{n} rows in the {book}", n).format(n=f"{n:,}", book=_(BOOKS.get(role, role)))
        for role, n in report.rows_checked.items()
    )
    if counts:
        print(_("Checked {counts}:").format(counts=counts))
    return report_problems(report.problems, limit=args.limit)


def add_folder_commands(sub) -> None:
    p = sub.add_parser(
        "init",
        help=_("create empty customers.xlsx, complaints.xlsx and toolkit.toml in a folder"),
        description=_(
            "Create the two workbooks (Chinese headers, drop-down lists, frozen header, "
            "highlighting of flagged rows) and a settings file."
        ),
    )
    folder_argument(p)
    p.add_argument("--force", action="store_true", help=_("replace existing files"))
    p.add_argument(
        "--adopt",
        metavar=_("DIR"),
        type=Path,
        help=_(
            "use the office's own workbooks in DIR: write only toolkit.toml with the files, sheets and headers "
            "found (for review); no workbook is made or changed"
        ),
    )
    p.set_defaults(run=cmd_init)

    p = sub.add_parser(
        "demo",
        help=_("fill a folder with realistic sample data and run every job on it"),
        description=_("Create sample workbooks (or copy them from --from) and run the jobs on them."),
    )
    folder_argument(p)
    p.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar=_("FOLDER"),
        help=_("copy these sample workbooks instead of generating"),
    )
    p.add_argument(
        "--customers", type=whole_number, default=500, metavar="N", help=_("customers to generate (default 500)")
    )
    p.add_argument(
        "--complaints", type=whole_number, default=3000, metavar="N", help=_("complaints to generate (default 3000)")
    )
    p.add_argument(
        "--seed", type=whole_number, default=7, metavar="N", help=_("random seed, for the same data every time")
    )
    p.add_argument("--force", action="store_true", help=_("replace existing workbooks in the folder"))
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser(
        "check",
        help=_("validate both workbooks and list every problem"),
        description=_(
            "Read both workbooks and print every problem as a table: missing columns, "
            "duplicate or unknown customer IDs, values that cannot be read. Exit 1 if any."
        ),
    )
    folder_argument(p)
    p.add_argument("--as-of", metavar=_("DATETIME"), help=_("check as of this time (default: now)"))
    p.add_argument("--limit", type=whole_number, default=None, metavar="N", help=_("show at most this many problems"))
    p.set_defaults(run=cmd_check)
