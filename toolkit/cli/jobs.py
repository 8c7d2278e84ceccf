"""`toolkit sync`, `flag`, `tiers` and `run`: the jobs that keep the two workbooks in order."""

from __future__ import annotations

from toolkit.cli.common import EXIT_OK, as_of_option, job_arguments, more_line, report_problems
from toolkit.formats import show
from toolkit.i18n import N_, _, ngettext
from toolkit.progress import progress
from toolkit.textout import format_table

# A command imports its job when it runs, so that `toolkit --help` and a usage error answer at once
# instead of first loading pyarrow, lxml and the other heavy libraries every job needs.


JOB_NAMES = {"sync": N_("sync"), "flag": N_("flag"), "tiers": N_("tiers")}


def jobs_name(jobs: tuple[str, ...]) -> str:
    """ "sync", or "sync, flag and tiers" - the jobs as the clerk calls them."""
    names = [_(JOB_NAMES[j]) for j in jobs]
    if len(names) == 1:
        return names[0]
    return _("{first} and {last}").format(first=_(", ").join(names[:-1]), last=names[-1])


def job_command(jobs: tuple[str, ...]):
    """The command running `jobs` (one read, the rules, one write per workbook) and reporting the result."""

    def run(args) -> int:
        from toolkit.jobs.changes import describe
        from toolkit.jobs.run import run_jobs

        with progress(5, desc=jobs_name(jobs)) as bar:
            result = run_jobs(args.folder, jobs, as_of=as_of_option(args.as_of), dry_run=args.dry_run, progress=bar)
        if args.dry_run and result.changes:
            shown = result.changes[: args.limit]
            headers = [_("workbook"), _("cell"), _("key"), _("column"), _("old value"), _("new value")]
            print(format_table(headers, [describe(c) for c in shown]))
            if len(result.changes) > len(shown):
                print(more_line(len(result.changes) - len(shown)))
        by_book: dict[str, int] = {}
        for c in result.changes:
            by_book[c.workbook] = by_book.get(c.workbook, 0) + 1
        cells = _(", ").join(
            ngettext("{n} cell in {book}", "{n} cells in {book}", n).format(n=f"{n:,}", book=book)
            for book, n in by_book.items()
        )
        values = {"jobs": jobs_name(jobs), "as_of": show(result.as_of.replace(second=0, microsecond=0)), "cells": cells}
        if not cells:
            text = (
                _("{jobs} as of {as_of}: nothing would change.")
                if args.dry_run
                else _("{jobs} as of {as_of}: nothing changed.")
            )
        else:
            text = (
                _("{jobs} as of {as_of}: would change {cells}.")
                if args.dry_run
                else _("{jobs} as of {as_of}: changed {cells}.")
            )
        print(text.format(**values))
        for book, headers in result.added.items():
            text = (
                _("would add {n} columns to {book}: {headers}")
                if args.dry_run
                else _("added {n} columns to {book}: {headers}")
            )
            print(text.format(n=len(headers), book=book, headers=_(", ").join(headers)))
        _print_tier_history(result, args)
        for note in result.notes:
            print(_("note: {note}").format(note=note))
        if result.log_file:
            print(_("Every change is listed in {file}.").format(file=result.log_file))
        return report_problems(result.problems, limit=args.limit)

    return run


def _print_tier_history(result, args) -> None:
    """The lines the tiers job added to the tier history (with --dry-run: would add, listed)."""
    if not result.tier_history or result.tier_history_file is None:
        return
    from toolkit.jobs.tier_history import appended_message, describe_events, history_headers, more_lines

    if args.dry_run:
        shown = result.tier_history[: args.limit]
        print(format_table(history_headers(), describe_events(shown)))
        if len(result.tier_history) > len(shown):
            print(more_lines(len(result.tier_history) - len(shown)))
    print(appended_message(len(result.tier_history), result.tier_history_file.name, args.dry_run))


def cmd_tiers(args) -> int:
    if args.suggest:
        from toolkit.model.records import read_table
        from toolkit.rules import tiers as tier_rules
        from toolkit.settings import load_settings

        settings = load_settings(args.folder)
        register = read_table(settings.register_path, settings.register)
        cols = {c.name: register.values(c.name) for c in register.schema.columns}
        print(tier_rules.format_suggestion(tier_rules.suggest_thresholds(cols, settings.tiers)))
        return EXIT_OK
    return job_command(("tiers",))(args)


def add_job_commands(sub) -> None:
    for name, jobs, text, description in (
        (
            "sync",
            ("sync",),
            _("copy customer fields into the tracker and complaint figures back to the register"),
            _(
                "Copy the customer's name, tier, account owner and contact into the tracker, and the complaint "
                "figures (open, last 12 months, last complaint, satisfaction, overdue) back to the register."
            ),
        ),
        (
            "flag",
            ("flag",),
            _("mark complaints past their deadlines (with escalation) and customers due a visit"),
            _(
                "Mark each complaint's steps on time, due soon or overdue in working time, with the escalation "
                "level and whom to tell, and each customer's next visit date."
            ),
        ),
        (
            "run",
            ("sync", "flag", "tiers"),
            _("tiers, flags and sync together: one read and one write per workbook"),
            _("Run the tiers, the flags and the sync together: each workbook is read once and written once."),
        ),
    ):
        p = sub.add_parser(name, help=text, description=description)
        job_arguments(p)
        p.set_defaults(run=job_command(jobs))
    p = sub.add_parser(
        "tiers",
        help=_("compute customer tiers (A/B/C, new) with overrides and no flip-flopping"),
        description=_(
            "Compute customer tiers from the thresholds in the settings, honouring manual "
            "overrides; --suggest prints thresholds suggested from the data instead."
        ),
    )
    job_arguments(p)
    p.add_argument(
        "--suggest", action="store_true", help=_("print suggested thresholds from the current data; change nothing")
    )
    p.set_defaults(run=cmd_tiers)
