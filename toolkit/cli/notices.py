"""`toolkit notices`: the Word notices that are due (the job is toolkit.jobs.notices).

Exit codes as for every command: 0 done, 1 some notices could not be made (listed; the rest
were made), 2 nothing could be done (a template to correct, a workbook open in Excel, ...).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.common import EXIT_PROBLEMS, as_of_option, folder_argument, report_problems
from toolkit.progress import progress
from toolkit.textout import format_table

# A command imports its job when it runs, so that `toolkit --help` and a usage error answer at once
# instead of first loading pyarrow, lxml and the other heavy libraries every job needs.


def cmd_notices(args) -> int:
    from toolkit.jobs.notices import closing_line, make_notices, recovered_line, skipped_lines

    with progress(6, desc="notices") as bar:
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
            where = n.path.name if n.path else "(dry run)"
            rows.append((n.kind, n.key, n.name or (f"{n.items} rows" if n.items > 1 else ""), where))
        print(format_table(["notice", "key", "name", "file"], rows))
        if len(result.made) > len(shown):
            print(f"... and {len(result.made) - len(shown)} more")
        print()
    verb = "would make" if args.dry_run else "made"
    summary = ", ".join(f"{count} {kind}" for kind, count in result.counts().items()) or "no notices"
    already = sum(result.already.values())
    print(
        f"notices as of {result.as_of:%Y-%m-%d %H:%M}: {verb} {summary}"
        + (f"; {already} row(s) already had theirs (--force makes them again)" if already else "")
        + "."
    )
    if not args.dry_run and result.made:
        print(f"Written to {result.out_dir}" + (f", with {len(result.pdfs)} PDF(s)" if result.pdfs else "") + ".")
    for path in result.merged:
        print(f"All in one: {path}")
    if result.log_file:
        print(f"Each notice is stamped on its row; the stamps are listed in {result.log_file}.")
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
            (f.kind, f.key, ", ".join(map(str, f.rows[:5])) + (" ..." if len(f.rows) > 5 else ""), f.reason)
            for f in result.failures[: args.limit]
        ]
        print(format_table(["notice", "key", "row", "problem"], rows, max_width=100))
        print(f"\n{len(result.failures)} notice(s) could not be made; the others were made.")
        return EXIT_PROBLEMS
    return code


def add_notice_commands(subparsers) -> None:
    """Register `notices` on the `toolkit` command's subparsers."""
    p = subparsers.add_parser(
        "notices",
        help="make the Word notices that are due (acknowledgements, settlement dates, results, surveys, "
        "tier letters, overdue and visit reminders)",
        description="Make the Word notices that are due as of --as-of, from the templates (the office's in "
        "templates/ beside the workbooks, else the shipped ones), and stamp each on its row so it is "
        "never made twice. Which rows get which notice is set under [notices.kinds.*] in toolkit.toml. "
        "Templates are checked first: a field no column provides stops the batch, with the closest "
        "column names.",
    )
    folder_argument(p)
    p.add_argument(
        "--kind",
        action="append",
        metavar="KIND",
        help="only this notice (repeatable): ack, settlement, feedback, survey, tier, escalation, visit",
    )
    p.add_argument("--as-of", metavar="DATETIME", help="decide as of this time (default: now), e.g. '2026-11-20 17:00'")
    p.add_argument("--dry-run", action="store_true", help="list the notices that would be made; write nothing")
    p.add_argument("--pdf", action="store_true", help="also make a PDF of every notice (one LibreOffice run)")
    p.add_argument("--merged", action="store_true", help="also write one .docx per notice kind, a notice per page")
    p.add_argument("--force", action="store_true", help="make notices again for rows that already had theirs")
    p.add_argument("--out", type=Path, metavar="DIR", help="write the notices here (default: <folder>/notices)")
    p.add_argument("--lang", choices=("zh", "en"), help="template language (default: notices.language, zh)")
    p.add_argument("--limit", type=int, default=200, help="list at most this many notices/problems (default 200)")
    p.set_defaults(run=cmd_notices)
