"""`toolkit notices`: the Word notices that are due (the job is toolkit.jobs.notices).

Exit codes as for every command: 0 done, 1 some notices could not be made (listed; the rest
were made), 2 nothing could be done (a template to correct, a workbook open in Excel, ...).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.common import EXIT_PROBLEMS, as_of_option, folder_argument, more_line, report_problems, whole_number
from toolkit.formats import show
from toolkit.i18n import _, ngettext
from toolkit.progress import progress
from toolkit.textout import format_table

# A command imports its job when it runs, so that `toolkit --help` and a usage error answer at once
# instead of first loading pyarrow, lxml and the other heavy libraries every job needs.


def cmd_notices(args) -> int:
    from toolkit.jobs.notices import closing_line, make_notices, recovered_line, skipped_lines

    with progress(6, desc=_("notices")) as bar:
        result = make_notices(
            args.folder,
            kind=args.kind or None,
            as_of=as_of_option(args.as_of),
            dry_run=args.dry_run,
            pdf=True if args.pdf else None,
            force=args.force,
            out_dir=args.out,
            merged=True if args.merged else None,
            language=args.lang,
            progress=bar,
        )
    shown = result.made[: args.limit]
    if shown:
        rows = []
        for n in shown:
            where = n.path.name if n.path else _("(not written: a dry run)")
            items = ngettext("{n} row", "{n} rows", n.items).format(n=n.items) if n.items > 1 else ""
            rows.append((result.title(n.kind), n.key, n.name or items, where))
        print(format_table([_("notice"), _("key"), _("name"), _("file")], rows))
        if len(result.made) > len(shown):
            print(more_line(len(result.made) - len(shown)))
        print()
    counts = _(", ").join(
        ngettext("{n} {notice}", "{n} {notice}", count).format(n=count, notice=result.title(kind))
        for kind, count in result.counts().items()
    )
    values = {"as_of": show(result.as_of.replace(second=0)), "counts": counts}
    if not counts:
        text = _("notices as of {as_of}: none due.")
    elif args.dry_run:
        text = _("notices as of {as_of}: would make {counts}.")
    else:
        text = _("notices as of {as_of}: made {counts}.")
    print(text.format(**values))
    already = sum(result.already.values())
    if already:
        print(
            ngettext(
                "{n} row already had its notice (--force makes it again).",
                "{n} rows already had their notices (--force makes them again).",
                already,
            ).format(n=already)
        )
    if not args.dry_run and result.made:
        if result.pdfs:
            print(_("Written to {folder}, with {n} PDF files.").format(folder=result.out_dir, n=len(result.pdfs)))
        else:
            print(_("Written to {folder}.").format(folder=result.out_dir))
    for path in result.merged:
        print(_("All in one file: {file}").format(file=path))
    if result.log_file:
        print(_("Each notice is stamped on its row; the stamps are listed in {file}.").format(file=result.log_file))
    code = report_problems(result.problems, limit=args.limit)
    for line in skipped_lines(result, args.limit):
        print(line)
    finished = recovered_line(result)
    if finished:
        print(finished)
    print(closing_line(result))
    if result.failures:
        print()
        rows = [
            (
                result.title(f.kind),
                f.key,
                _(", ").join(map(str, f.rows[:5])) + (" ..." if len(f.rows) > 5 else ""),
                f.reason,
            )
            for f in result.failures[: args.limit]
        ]
        print(format_table([_("notice"), _("key"), _("row"), _("problem")], rows, max_width=100))
        print()
        print(
            ngettext(
                "{n} notice could not be made; the others were made.",
                "{n} notices could not be made; the others were made.",
                len(result.failures),
            ).format(n=len(result.failures))
        )
        return EXIT_PROBLEMS
    return code


def add_notice_commands(subparsers) -> None:
    """Register `notices` on the `toolkit` command's subparsers."""
    p = subparsers.add_parser(
        "notices",
        help=_(
            "make the Word notices that are due (acknowledgements, settlement dates, results, surveys, "
            "tier letters, overdue and visit reminders)"
        ),
        description=_(
            "Make the Word notices that are due as of --as-of, from the templates (the office's in "
            "templates/ beside the workbooks, else the shipped ones), and stamp each on its row so it is "
            "never made twice. Which rows get which notice is set under [notices.kinds.*] in toolkit.toml. "
            "Templates are checked first: a field no column provides stops the batch, with the closest "
            "column names. --lang also chooses the templates' language (default: notices.language)."
        ),
    )
    folder_argument(p)
    p.add_argument(
        "--kind",
        action="append",
        metavar=_("KIND"),
        help=_("only this notice (repeatable): ack, settlement, feedback, survey, tier, escalation, visit"),
    )
    p.add_argument(
        "--as-of",
        metavar=_("DATETIME"),
        help=_("decide as of this time (default: now), e.g. '2026-11-20 17:00'"),
    )
    p.add_argument("--dry-run", action="store_true", help=_("list the notices that would be made; write nothing"))
    p.add_argument("--pdf", action="store_true", help=_("also make a PDF of every notice (one LibreOffice run)"))
    p.add_argument(
        "--merged", action="store_true", help=_("also write one Word file per notice kind, a notice per page")
    )
    p.add_argument("--force", action="store_true", help=_("make notices again for rows that already had theirs"))
    p.add_argument(
        "--out", type=Path, metavar=_("FOLDER"), help=_("write the notices here (default: <folder>/notices)")
    )
    p.add_argument(
        "--limit",
        type=whole_number,
        default=200,
        metavar="N",
        help=_("list at most this many notices and problems (default 200)"),
    )
    p.set_defaults(run=cmd_notices)
