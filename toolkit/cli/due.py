"""`toolkit due`: when is it due, with the office's calendar."""

from __future__ import annotations

from pathlib import Path

from toolkit.calendar import add_duration, parse_duration
from toolkit.calendar.durations import accepted_examples
from toolkit.cli.common import EXIT_OK, language_option
from toolkit.errors import ToolkitError
from toolkit.formats import show
from toolkit.i18n import _
from toolkit.model.values import beyond_reach_reason, parse_value

# A command imports its job when it runs, so that `toolkit --help` and a usage error answer at once
# instead of first loading pyarrow, lxml and the other heavy libraries every job needs.


def cmd_due(args) -> int:
    from toolkit.jobs.office import office_calendar

    start, err = parse_value(args.start, "datetime")
    if err == beyond_reach_reason():
        raise ToolkitError(_("'{text}': {reason}").format(text=args.start, reason=beyond_reach_reason(cell=False)))
    if err or start is None:
        raise ToolkitError(
            _("'{text}' is not a date and time: {reason}").format(text=args.start, reason=err or _("it is empty"))
        )
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
                _(
                    "--pause '{text}' should be START/END, e.g. '2025-10-09 10:00/2025-10-09 15:00' "
                    "(leave END empty for a wait that has not ended)"
                ).format(text=text)
            )
        pauses.append((pa_, pb_))
    cal, warn = office_calendar(args.folder)
    deadline = add_duration(cal, start, duration, pauses=pauses)
    if deadline.at is None:
        print(_("on hold (the clock is stopped by a wait that has not ended)"))
        return EXIT_OK
    due = show(deadline.at.replace(second=0, microsecond=0))
    print(_("{due} (provisional)").format(due=due) if deadline.provisional else due)
    if deadline.provisional:
        warn(deadline.at.year)
    return EXIT_OK


def add_due_command(sub) -> None:
    p = sub.add_parser(
        "due",
        help=_('when is it due? e.g. toolkit due "2025-09-30 17:00" "2 working days"'),
        description=_(
            "Work out a deadline with the office's calendar (statutory holidays, make-up "
            "working days, the office's own closures) and office hours. DURATION in "
            "calendar hours, working hours or working days, English or Chinese: {examples}."
        ).format(examples=accepted_examples()),
    )
    p.add_argument("start", metavar=_("FROM"), help=_("start date and time, e.g. '2025-09-30 17:00'"))
    p.add_argument("duration", metavar=_("DURATION"), help=_("e.g. '2 working days'"))
    p.add_argument(
        "--pause",
        action="append",
        metavar=_("START/END"),
        help=_("a time the clock stops (waiting on the customer); repeatable"),
    )
    p.add_argument(
        "--folder",
        type=Path,
        default=Path("."),
        metavar=_("FOLDER"),
        help=_("workbook folder with toolkit.toml (default: here)"),
    )
    language_option(p)
    p.set_defaults(run=cmd_due)
