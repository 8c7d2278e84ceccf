"""`toolkit summary`: the monthly service report (the job is toolkit.jobs.summary).

Exit codes as for every command: 0 the report was made, 1 it was made but the workbooks have
problems (listed: the values concerned could not be counted) or the PDF asked for could not be
made (the note says why), 2 nothing could be done (a bad
month, a workbook open in Excel, a template to correct, ...).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.common import EXIT_PROBLEMS, as_of_option, folder_argument, report_problems, whole_number
from toolkit.errors import ToolkitError
from toolkit.formats import show, show_percent
from toolkit.i18n import _
from toolkit.progress import progress
from toolkit.rules.monthly import parse_month
from toolkit.textout import format_table

# A command imports its job when it runs, so that `toolkit --help` and a usage error answer at once
# instead of first loading pyarrow, lxml and the other heavy libraries every job needs.


def _month(text: str | None):
    if text is None:
        return None
    try:
        return parse_month(text)
    except ValueError as exc:
        raise ToolkitError(f"--month: {exc}") from None


def cmd_summary(args) -> int:
    from toolkit.jobs.summary import make_summary

    month = _month(args.month)  # checked before anything is read
    with progress(7, desc=_("monthly report")) as bar:
        result = make_summary(
            args.folder, month, as_of=as_of_option(args.as_of), pdf=args.pdf, out_dir=args.out, progress=bar
        )
    f = result.figures
    k, p, rules = f.kpis, f.previous, f.rules
    pct = show_percent
    rows = [
        (_("complaints received"), k.received, "", p.received),
        (_("complaints closed"), k.closed, "", p.closed),
        (
            _("resolution rate"),
            pct(k.resolution.value),
            f"≥ {rules.resolution_target * 100:g}%",
            pct(p.resolution.value),
        ),
        (
            _("satisfied customers"),
            pct(k.satisfied.value),
            f"≥ {rules.satisfied_target * 100:g}%",
            pct(p.satisfied.value),
        ),
        (_("open and overdue at month end"), k.overdue_open, "", p.overdue_open),
        (_("resolved, feedback overdue"), k.overdue_closing, "", p.overdue_closing),
        (_("satisfaction survey overdue"), k.overdue_survey, "", p.overdue_survey),
        (_("low scores to review"), k.low_scores, "", p.low_scores),
        (_("repeat complaints"), k.repeats.part, "", p.repeats.part),
    ]
    print(
        _("Monthly report for {month} (figures as of {as_of})").format(
            month=result.month, as_of=show(k.cutoff.replace(second=0, microsecond=0))
        )
    )
    print(format_table([_("figure"), _("this month"), _("target"), _("last month")], rows))
    print()
    if result.pdf:
        print(_("Report: {file} and {pdf}").format(file=result.docx, pdf=result.pdf.name))
    else:
        print(_("Report: {file}").format(file=result.docx))
    where = {"file": result.xlsx.name, "month": result.month, "row": result.xlsx_row}
    if result.xlsx_replaced:
        text = (
            _("{file}: the row for {month} was replaced (row {row}).")
            if result.xlsx_row
            else _("{file}: the row for {month} was replaced.")
        )
    else:
        text = (
            _("{file}: the row for {month} was added (row {row}).")
            if result.xlsx_row
            else _("{file}: the row for {month} was added.")
        )
    print(text.format(**where))
    for note in result.notes:
        print(_("note: {note}").format(note=note))
    if args.pdf and result.pdf is None:
        return EXIT_PROBLEMS
    return report_problems(result.problems, limit=args.limit)


def add_summary_commands(subparsers) -> None:
    """Register `summary` on the `toolkit` command's subparsers."""
    p = subparsers.add_parser(
        "summary",
        help=_("make the monthly service report (Word) and add the month to monthly_summary.xlsx"),
        description=_(
            "Make the monthly service report: the month's KPIs against the handbook's targets, charts, "
            "breakdowns by category, priority, channel, department and handler, the customers with the "
            "most complaints, tiers, the overdue list at the month's end and the change from the month "
            "before, as a Word document from the template (the office's templates/summary.docx, else the "
            "shipped one). The same figures go into monthly_summary.xlsx, one row per month (running a "
            "month again replaces its row). Targets and counting rules are under [summary] in "
            "toolkit.toml. The workbooks are only read."
        ),
    )
    folder_argument(p)
    p.add_argument("--month", metavar="YYYY-MM", help=_("the month to report, e.g. 2026-10 (default: last month)"))
    p.add_argument(
        "--as-of",
        metavar=_("DATETIME"),
        help=_("take 'now' to be this time (default: now); the default month is the one before it"),
    )
    p.add_argument("--pdf", action="store_true", help=_("also make a PDF of the report (LibreOffice)"))
    p.add_argument("--out", type=Path, metavar=_("FOLDER"), help=_("write the report here (default: <folder>/reports)"))
    p.add_argument(
        "--limit", type=whole_number, default=50, metavar="N", help=_("list at most this many problems (default 50)")
    )
    p.set_defaults(run=cmd_summary)
