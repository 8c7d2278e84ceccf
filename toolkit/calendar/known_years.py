"""Which years the statutory calendar library (``chinese_calendar``) knows.

The library ships the State Council's holiday schedule year by year and raises
``NotImplementedError`` for any year it has no schedule for.  Deadlines that walk
over such a year are computed Monday-Friday plus the office's own days and are
marked provisional (暂定).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import chinese_calendar

from toolkit.i18n import _

PROBE_FIRST_YEAR = 1900
PROBE_LAST_YEAR = 2100


@lru_cache(maxsize=1)
def known_years() -> frozenset[int]:
    """The years the statutory calendar library has a schedule for (probed once)."""
    years = set()
    for year in range(PROBE_FIRST_YEAR, PROBE_LAST_YEAR + 1):
        try:
            chinese_calendar.is_workday(date(year, 1, 2))
        except NotImplementedError:
            continue
        years.add(year)
    return frozenset(years)


def is_year_known(year: int) -> bool:
    return year in known_years()


def unknown_years(years: Iterable[int]) -> list[int]:
    """The years among ``years`` the statutory calendar does not know, sorted, each once."""
    known = known_years()
    return sorted({y for y in years if y not in known})


def provisional_warning(year: int) -> str:
    """The one-line warning to show once per unknown year."""
    return _(
        "the statutory holiday calendar does not know {year} yet: deadlines in {year} are provisional, "
        "counted Monday to Friday plus the office's own days"
    ).format(year=year)
