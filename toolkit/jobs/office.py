"""The office's working-time calendar: its settings ([calendar]) and its own list of days.

The office days workbook (``office_days.xlsx``, see :mod:`toolkit.model.office_days`) adds
closures and extra working days to those in the settings; a row that cannot be read is a
warning, and the other rows are used.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from toolkit.calendar import WorkCalendar, provisional_warning
from toolkit.calendar.reach import FIRST_DAY, LAST_DAY, in_reach
from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import _
from toolkit.model.office_days import read_office_days_file
from toolkit.settings import Settings, load_settings


def job_time(as_of: dt.datetime | None) -> dt.datetime:
    """The time a job is run as of (now when not given), refused when the calendar does not reach it."""
    as_of = (as_of or dt.datetime.now()).replace(microsecond=0)
    if not in_reach(as_of):
        raise ToolkitError(
            _("the job's date {when} is beyond the office calendar, which reaches from {first} to {last}").format(
                when=f"{as_of:%Y-%m-%d %H:%M}", first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()
            )
        )
    return as_of


def read_office_days(settings: Settings) -> tuple[set, set, list[Problem]]:
    """Closures and extra working days from the settings and the office's days workbook."""
    closures, extra = set(settings.calendar.closures), set(settings.calendar.extra_workdays)
    problems: list[Problem] = []
    name = settings.calendar.overrides_file
    path = settings.folder / name if name else None
    if path is not None and path.exists():
        c2, e2, problems = read_office_days_file(path)
        closures |= c2
        extra |= e2
    return closures, extra, problems


def office_calendar(
    folder: str | Path = ".", settings: Settings | None = None, *, problems: list[Problem] | None = None
) -> tuple[WorkCalendar, Callable[[int], None]]:
    """(calendar, warn) where warn(year) prints the provisional-year warning once per year.

    With `problems` given, the office-days problems are added to it and nothing is printed (the caller
    reports them, and the provisional years, itself: the Excel buttons have no terminal).
    """
    settings = settings or load_settings(folder)
    closures, extra, found = read_office_days(settings)
    if problems is not None:
        problems += [Problem(p.file, p.sheet, p.row, p.column, p.value, p.reason, "warning") for p in found]
    else:
        for p in found:
            print(_("toolkit: warning: {problem}").format(problem=p), file=sys.stderr)
    cal = WorkCalendar(
        office_hours=settings.calendar.office_hours,
        closures=frozenset(closures),
        extra_workdays=frozenset(extra - closures),
    )
    warned: set[int] = set()

    def warn(year: int) -> None:
        if year not in warned:
            warned.add(year)
            if problems is None:
                print(
                    _("toolkit: warning: {problem}").format(problem=provisional_warning(year)),
                    file=sys.stderr,
                )

    return cal, warn
