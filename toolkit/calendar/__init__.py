"""The office's working-time calendar: working days, office hours and deadlines (pure functions).

One by one with the functions of `worktime` and `durations`; many at once, with the same answers,
with the `timeline` (:class:`Clock`).
"""

from .days import DEFAULT_OFFICE_HOURS, WorkCalendar, statutory_workday
from .durations import ACCEPTED_EXAMPLES, Duration, add_duration, parse_duration
from .known_years import is_year_known, known_years, provisional_warning, unknown_years
from .timeline import (
    CALENDAR_HOURS,
    PROVISIONAL_BIT,
    SAME_DAY,
    SAME_DAY_TARGET,
    WORKING_DAYS,
    WORKING_HOURS,
    Clock,
    Target,
    Timeline,
    target_of,
)
from .worktime import (
    Deadline,
    Pause,
    add_calendar_hours,
    add_working_days,
    add_working_hours,
    merge_pauses,
    working_hours_between,
)

__all__ = [
    "CALENDAR_HOURS",
    "Clock",
    "PROVISIONAL_BIT",
    "SAME_DAY",
    "SAME_DAY_TARGET",
    "Target",
    "Timeline",
    "WORKING_DAYS",
    "WORKING_HOURS",
    "target_of",
    "ACCEPTED_EXAMPLES",
    "DEFAULT_OFFICE_HOURS",
    "Deadline",
    "Duration",
    "Pause",
    "WorkCalendar",
    "add_calendar_hours",
    "add_duration",
    "add_working_days",
    "add_working_hours",
    "is_year_known",
    "known_years",
    "merge_pauses",
    "parse_duration",
    "provisional_warning",
    "statutory_workday",
    "unknown_years",
    "working_hours_between",
]
