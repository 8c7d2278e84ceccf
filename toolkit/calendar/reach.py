"""How far the office's calendar reaches: the dates a cell may hold and a job may be asked about.

Defined once, here, and used by the value parser (every date a clerk types), the workbook reader
(every date column), the command line (``--as-of``, ``--month``, ``toolkit due``) and the durations
of the settings:

- ``FIRST_DAY`` 1900-03-01: Excel's first real day (before it a "date" is a small number typed in a
  date column, and Excel's own 1900-02-29 never existed);
- ``LAST_DAY`` 2100-12-31: the last year the calendar considers (``known_years`` probes the statutory
  calendar up to it; beyond the years it knows, deadlines are provisional, 暂定). A later date in a
  cell is a placeholder ("9999-12-31" typed for "never") or a typing error, not a date to count
  working days to;
- a duration (a deadline's target, ``toolkit due``'s amount) is at most about 100 years: 876,600 hours
  (``LONGEST_HOURS``), 200,000 working hours or 25,000 working days (``LONGEST_WORKING_HOURS``,
  ``LONGEST_WORKING_DAYS``: 100 years of 250 working days of 8 hours), so that a deadline counted from
  any date in reach stays a date the calendar can compute and a spreadsheet can hold (far inside year
  9999, where Python's and Excel's dates end);
- ``LAST_COMPUTED_DAY`` 2350-12-31: how far the toolkit's own dates (deadlines, next visits) counted
  from a date in reach may go; a later date in one of its columns was typed over it, and is reported.
"""

from __future__ import annotations

from datetime import date, datetime

from .known_years import PROBE_FIRST_YEAR, PROBE_LAST_YEAR

FIRST_DAY = date(PROBE_FIRST_YEAR, 3, 1)
LAST_DAY = date(PROBE_LAST_YEAR, 12, 31)
FIRST_YEAR, LAST_YEAR = FIRST_DAY.year, LAST_DAY.year
FIRST_MOMENT = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day)
AFTER_LAST_MOMENT = datetime(LAST_YEAR + 1, 1, 1)  # the first moment out of reach
LONGEST_HOURS = 876_600  # 100 years of 365.25 days
LONGEST_WORKING_HOURS = 200_000
LONGEST_WORKING_DAYS = 25_000
LAST_COMPUTED_DAY = date(LAST_YEAR + 250, 12, 31)
AFTER_LAST_COMPUTED_MOMENT = datetime(LAST_COMPUTED_DAY.year + 1, 1, 1)


def in_reach(value: date) -> bool:
    """Whether a date (or a date and time) is one the calendar reaches."""
    if isinstance(value, datetime):
        return FIRST_MOMENT <= value.replace(tzinfo=None) < AFTER_LAST_MOMENT
    return FIRST_DAY <= value <= LAST_DAY
