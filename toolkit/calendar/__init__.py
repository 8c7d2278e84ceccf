"""The office's working-time calendar: working days, office hours and deadlines (pure functions)."""

from .days import DEFAULT_OFFICE_HOURS, WorkCalendar, statutory_workday
from .durations import ACCEPTED_EXAMPLES, Duration, add_duration, parse_duration
from .known_years import is_year_known, known_years, provisional_warning, unknown_years
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
