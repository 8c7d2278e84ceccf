"""Which days the office works, and its office hours on those days.

Precedence for a day: the office's own overrides (closures, extra working days) beat the
statutory calendar (``chinese_calendar``, with make-up working weekends 调休), which beats
the Monday-Friday rule.  For a year the statutory library does not know, the answer falls
back to Monday-Friday plus the overrides and ``is_known`` is False for that day.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

import chinese_calendar

from toolkit.i18n import _

from .known_years import known_years

DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = (
    (time(9, 0), time(12, 0)),
    (time(13, 0), time(18, 0)),
)


@cache
def statutory_workday(d: date) -> bool | None:
    """True/False from the statutory calendar, or None when it does not know the year."""
    if d.year not in known_years():
        return None
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


def _as_time(value: time | str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(_("office hours need times like 09:00, got '{value}'").format(value=value))


def _normalise_hours(periods: Iterable[tuple[time | str, time | str]]) -> tuple[tuple[time, time], ...]:
    out = []
    for period in periods:
        try:
            opening, closing = period
        except (TypeError, ValueError):
            raise ValueError(
                _("an office-hours period is (start, end), got '{period}'").format(period=period)
            ) from None
        opening, closing = _as_time(opening), _as_time(closing)
        if opening.tzinfo is not None or closing.tzinfo is not None:
            raise ValueError(_("office hours are local wall-clock times without a time zone"))
        if not opening < closing:
            raise ValueError(
                _("an office-hours period must end after it starts: {opening:%H:%M}-{closing:%H:%M}").format(
                    opening=opening, closing=closing
                )
            )
        out.append((opening, closing))
    if not out:
        raise ValueError(_("office hours need at least one period, e.g. 09:00-12:00"))
    out.sort()
    for (_start, prev_end), (next_start, _end) in zip(out, out[1:]):
        if next_start < prev_end:
            raise ValueError(_("office-hours periods overlap around {next_start:%H:%M}").format(next_start=next_start))
    return tuple(out)


def _as_dates(values: Iterable[date], what: str) -> frozenset[date]:
    out = set()
    for value in values:
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            raise ValueError(_("{what} must be dates, got '{value}'").format(what=what, value=value))
        out.add(value)
    return frozenset(out)


@dataclass(frozen=True)
class WorkCalendar:
    """The office's working-time calendar.  Pure: no file or clock access.

    ``office_hours`` are the (start, end) periods of each working day, wall-clock local time;
    a period is half-open for where the clock is running ([09:00, 12:00)).
    """

    office_hours: tuple[tuple[time, time], ...] = DEFAULT_OFFICE_HOURS
    closures: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    day_span: timedelta = field(default=timedelta(0), init=False, repr=False, compare=False, hash=False)
    """Office time in one working day (8 hours by default)."""
    _day_cache: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _period_cache: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _year_index: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "office_hours", _normalise_hours(self.office_hours))
        set_(self, "closures", _as_dates(self.closures, "closures"))
        set_(self, "extra_workdays", _as_dates(self.extra_workdays, "extra working days"))
        day_span = sum(
            (datetime.combine(date.min, b) - datetime.combine(date.min, a) for a, b in self.office_hours), timedelta(0)
        )
        set_(self, "day_span", day_span)
        both = self.closures & self.extra_workdays
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(
                _("a day cannot be both a closure and an extra working day: {listed}").format(listed=listed)
            )

    # -- days -------------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        if type(d) is datetime:
            d = d.date()
        answer = self._day_cache.get(d)
        if answer is None:
            answer = self._day_cache[d] = self._decide(d)
        return answer

    def _decide(self, d: date) -> bool:
        if d in self.closures:
            return False
        if d in self.extra_workdays:
            return True
        statutory = statutory_workday(d)
        if statutory is not None:
            return statutory
        return d.weekday() < 5

    def is_known(self, d: date) -> bool:
        """False when the statutory calendar does not know ``d``'s year (answer is provisional)."""
        return d.year in known_years()

    # -- hours ------------------------------------------------------------------------------

    @property
    def opening_time(self) -> time:
        return self.office_hours[0][0]

    @property
    def closing_time(self) -> time:
        return self.office_hours[-1][1]

    def periods_on(self, d: date) -> tuple[tuple[datetime, datetime], ...]:
        """The office periods of day ``d`` as naive datetimes; () on a day off.  Cached."""
        periods = self._period_cache.get(d)
        if periods is None:
            if self.is_workday(d):
                combine = datetime.combine
                periods = tuple((combine(d, a), combine(d, b)) for a, b in self.office_hours)
            else:
                periods = ()
            self._period_cache[d] = periods
        return periods

    def workdays_of_year(self, year: int) -> tuple[int, ...]:
        """The ordinals (``date.toordinal()``) of the working days of ``year``, ascending.  Cached."""
        ordinals = self._year_index.get(year)
        if ordinals is None:
            first = date(year, 1, 1).toordinal()
            last = date(year, 12, 31).toordinal()
            fromordinal, is_workday = date.fromordinal, self.is_workday
            ordinals = tuple(o for o in range(first, last + 1) if is_workday(fromordinal(o)))
            self._year_index[year] = ordinals
        return ordinals

    def nth_workday_after(self, d: date, n: int, max_years: int = 10) -> date:
        """The ``n``-th working day strictly after ``d`` (``n`` >= 1)."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        year = d.year
        ordinals = self.workdays_of_year(year)
        i = bisect_right(ordinals, d.toordinal()) + n - 1
        empty_years = 0
        while i >= len(ordinals):
            i -= len(ordinals)
            year += 1
            ordinals = self.workdays_of_year(year)
            empty_years = 0 if ordinals else empty_years + 1
            if empty_years > max_years:
                raise ValueError(
                    _("the office has no working day for {max_years} years after {d}").format(max_years=max_years, d=d)
                )
        return date.fromordinal(ordinals[i])
