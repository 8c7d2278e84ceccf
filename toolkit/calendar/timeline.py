"""Working time at batch speed: the calendar functions' answers for many deadlines at once.

:class:`Clock` gives exactly what :func:`~toolkit.calendar.add_duration`,
:func:`~toolkit.calendar.add_working_days` and :func:`~toolkit.calendar.working_hours_between`
give (the calendar's tests check it against them), computed fast for the hundreds of thousands
of deadlines a tracker holds:

- a :class:`Timeline` puts office time on a line - the cumulative office microseconds at the
  start of each day of a range of years, and per minute of a working day - so a deadline is one
  lookup and the working time between two instants a subtraction;
- deadlines in working days, and the same-day deadline, depend only on the start's day and are
  remembered per day;
- what the timeline does not cover (waits with working days, zero targets, days outside its
  years, office hours not in whole minutes) goes to the calendar functions.

A result's "provisional" flag is the int :data:`PROVISIONAL_BIT` (or 0), so that callers can merge it
into codes of their own with ``|``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from toolkit.calendar.days import WorkCalendar
from toolkit.calendar.durations import Duration, add_duration
from toolkit.calendar.known_years import known_years
from toolkit.calendar.worktime import add_working_days, add_working_hours, merge_pauses, working_hours_between

# Target kinds
CALENDAR_HOURS, WORKING_HOURS, WORKING_DAYS, SAME_DAY = 0, 1, 2, 3
PROVISIONAL_BIT = 256  # the "provisional" flag of a result: an int bit, for callers' own codes

_US = timedelta(microseconds=1)
_US_PER_HOUR = 3_600_000_000


class Target(NamedTuple):
    """A deadline's target, worked out once per rule: a plain tuple, so the hot loops index it."""

    kind: int  # CALENDAR_HOURS, WORKING_HOURS, WORKING_DAYS or SAME_DAY
    span: Any  # the hours as a timedelta, or the number of working days (the hot loops know which by kind)
    us: int  # the hours in microseconds (0 for working days and same day)
    hours: float  # the amount as written
    duration: Any  # the Duration as written (None for same day)


def target_of(duration: Duration) -> Target:
    """The Target of a duration from the settings."""
    if duration.unit == "working_days":
        return Target(WORKING_DAYS, int(duration.amount), 0, duration.amount, duration)
    td = timedelta(hours=duration.amount)  # exactly what the calendar functions use
    kind = CALENDAR_HOURS if duration.unit == "calendar_hours" else WORKING_HOURS
    return Target(kind, td, td // _US, duration.amount, duration)


SAME_DAY_TARGET = Target(SAME_DAY, 0, 0, 0.0, None)


def _us_of(t: time) -> int:
    return (t.hour * 3600 + t.minute * 60 + t.second) * 1_000_000 + t.microsecond


_US_PER_MINUTE = 60_000_000


class Timeline:
    """Office time on a line: cumulative office microseconds at the start of each day of a range.

    ``pos(t)`` = office time from the range's first day up to ``t``.  A deadline ``need`` after
    ``start`` is the earliest instant whose position reaches ``pos(start) + need`` (the calendar
    functions' rule: a result exactly at a period's end stays there); the working time between
    two instants is the difference of their positions.  Every working day holds the same office
    time, so the k-th working day of the range starts at position ``k * day_us`` and the inverse
    needs no search.  Built only for office hours in whole minutes (a per-minute table gives the
    office time before each minute of a working day).
    """

    def __init__(self, cal: WorkCalendar, first_year: int, last_year: int):
        first, last = date(first_year, 1, 1), date(last_year, 12, 31)
        periods = tuple((_us_of(a), _us_of(b)) for a, b in cal.office_hours)
        self.periods = tuple((a, b - a) for a, b in periods)
        self.day_us = day_us = sum(b - a for a, b in periods)
        self.first = first.toordinal()
        cum, work, workday_midnights = [], [], []
        total = 0
        d, one = first, timedelta(days=1)
        while d <= last:
            cum.append(total)
            w = bool(cal.periods_on(d))
            work.append(w)
            if w:
                total += day_us
                workday_midnights.append(datetime(d.year, d.month, d.day))
            d += one
        self.cum, self.work, self.workday_midnights = cum, work, workday_midnights
        self.n = len(cum)
        self.before = [self._in_day(m * _US_PER_MINUTE) for m in range(1440)]
        self.inside = [any(a <= m * _US_PER_MINUTE < b for a, b in periods) for m in range(1440)]

    @staticmethod
    def usable(cal: WorkCalendar) -> bool:
        return all(_us_of(a) % _US_PER_MINUTE == 0 and _us_of(b) % _US_PER_MINUTE == 0 for a, b in cal.office_hours)

    def _in_day(self, x: int) -> int:
        c = 0
        for a, span in self.periods:
            if x <= a:
                break
            if x < a + span:
                return c + x - a
            c += span
        return c

    def functions(self):
        """(pos, after, between) as closures over the tables - the hot paths of ``evaluate_all``.

        ``after(t, need)`` -> the deadline ``need`` (> 0) office microseconds after ``t``;
        ``between(a, b)`` -> office microseconds from ``a`` to ``b``; both None off the range.
        """
        first, n, cum, work, before, inside = self.first, self.n, self.cum, self.work, self.before, self.inside
        day_us, periods, midnights = self.day_us, self.periods, self.workday_midnights
        n_workdays = len(midnights)
        us = _US

        def pos(t):
            i = t.toordinal() - first
            if i < 0 or i >= n:
                return None
            if work[i]:
                m = t.hour * 60 + t.minute
                if inside[m]:
                    return cum[i] + before[m] + t.second * 1_000_000 + t.microsecond
                return cum[i] + before[m]
            return cum[i]

        def after(t, need):
            i = t.toordinal() - first
            if i < 0 or i >= n:
                return None
            p = cum[i] + need
            if work[i]:
                m = t.hour * 60 + t.minute
                p += before[m]
                if inside[m]:
                    p += t.second * 1_000_000 + t.microsecond
            k = (p - 1) // day_us  # the working day holding position p (its end included)
            if k >= n_workdays:
                return None
            r = p - k * day_us
            for a, span in periods:
                if r <= span:
                    return midnights[k] + us * (a + r)
                r -= span
            return None  # unreachable

        def between(a, b):
            pa = pos(a)
            pb = pos(b)
            if pa is None or pb is None:
                return None
            return pb - pa

        return pos, after, between

    def late_function(self, rounded: dict):
        """``late(a, b)`` -> the office hours from ``a`` to ``b`` rounded half-up to 0.1 as a
        Decimal (cached in ``rounded`` by tenths), or None off the range."""
        pos = self.functions()[0]

        def late(a, b):
            pa = pos(a)
            pb = pos(b)
            if pa is None or pb is None:
                return None
            tenths = ((pb - pa) * 10 + _US_PER_HOUR // 2) // _US_PER_HOUR
            hit = rounded.get(tenths)
            if hit is None:
                hit = rounded[tenths] = Decimal(tenths).scaleb(-1)
            return hit

        return late


class Clock:
    """Deadlines and working hours for the rules: the calendar functions' answers, computed fast.

    Working-day and same-day deadlines depend only on the start's day and are cached; working
    hours use the timeline when there is one; working days with pauses, zero targets and days
    outside the timeline go to the calendar functions.
    """

    def __init__(self, cal: WorkCalendar, years: tuple[int, int] | None):
        self.cal = cal
        # the timeline's closures (see Timeline.functions), or None without a timeline
        self.pos: Any = None
        self.after: Any = None
        self.between: Any = None
        self.late: Any = None
        self.rounded: dict = {}  # tenths of an hour -> Decimal hours
        if years and Timeline.usable(cal):
            timeline = Timeline(cal, *years)
            self.pos, self.after, self.between = timeline.functions()
            self.late = timeline.late_function(self.rounded)
        self.days: dict = {}  # ordinal << 12 | days -> (deadline, prov) for working days
        self.same_day: dict = {}  # ordinal * 2 + (received at/after closing) -> (deadline, prov)
        closing = _us_of(cal.closing_time)
        self.closing_us = closing
        self.closing_minute = closing // _US_PER_MINUTE if closing % _US_PER_MINUTE == 0 else None
        self.known = known_years()

    def provisional(self, y0: int, y1: int) -> int:
        """PROVISIONAL_BIT when a year from ``y0`` to ``y1`` is unknown to the statutory calendar, else 0."""
        known = self.known
        if y0 == y1:
            return 0 if y0 in known else PROVISIONAL_BIT
        return PROVISIONAL_BIT if any(y not in known for y in range(y0, y1 + 1)) else 0

    def add(self, start: datetime, target: Target, pauses) -> tuple[datetime | None, int]:
        """(deadline or None when on hold, PROVISIONAL_BIT or 0) for ``target`` after ``start``."""
        kind = target[0]
        if pauses:
            if kind == CALENDAR_HOURS:
                return _clock_paused(start, target[1], _merged(pauses)), 0
            if kind == WORKING_HOURS and self.pos is not None and target[2] > 0:
                at = self._office_paused(start, target[2], _merged(pauses))
                if at is not False:
                    return at, (self.provisional(start.year, at.year) if at is not None else 0)
            d = add_duration(self.cal, start, target[4], pauses)
            return d.at, (PROVISIONAL_BIT if d.provisional else 0)
        if kind == CALENDAR_HOURS:
            return start + target[1], 0
        if kind == WORKING_HOURS:
            if self.after is not None and target[2] > 0:
                at = self.after(start, target[2])
                if at is not None:
                    return at, self.provisional(start.year, at.year)
            d = add_working_hours(self.cal, start, target[3])
            return d.at, (PROVISIONAL_BIT if d.provisional else 0)
        if kind == WORKING_DAYS:
            days = target[1]
            key = (start.toordinal() << 12 | days) if days < 4096 else (start.toordinal(), days)
            hit = self.days.get(key)
            if hit is None:
                d = add_working_days(self.cal, start, days)
                hit = self.days[key] = (d.at, PROVISIONAL_BIT if d.provisional else 0)
            return hit
        # same day: closing time of the receipt day, or of the next working day when received on a
        # day off or at/after closing (the answer depends only on the day and that flag)
        key = start.toordinal() * 2 + (_us_of(start.time()) >= self.closing_us)
        hit = self.same_day.get(key)
        if hit is None:
            d = add_working_days(self.cal, start, 0)
            if d.at is not None and d.at <= start:
                d = add_working_days(self.cal, start, 1)
            hit = self.same_day[key] = (d.at, PROVISIONAL_BIT if d.provisional else 0)
        return hit

    def _office_paused(self, start: datetime, need: int, pauses: list):
        """``add_working_hours`` with (merged) pauses, on the timeline; False when off it."""
        after = self.after
        t = start
        for a, b in pauses:
            if b is not None and b <= t:
                continue
            if a > t:
                run = self.between(t, a)
                if run is None:
                    return False
                if need <= run:
                    return after(t, need) or False
                need -= run
            if b is None:
                return None
            t = b
        return after(t, need) or False

    def office_us(self, a: datetime, b: datetime, pauses) -> int | None:
        """Office microseconds from ``a`` to ``b`` (b >= a) outside the pauses; None off the timeline."""
        between = self.between
        if between is None:
            return None
        total = between(a, b)
        if total is not None and pauses:
            # minus the office time inside each (merged) pause, clipped to [a, b]
            for begin, end in _merged(pauses):
                if begin < a:
                    begin = a
                if end is None or end > b:
                    end = b
                if end > begin:
                    inside = between(begin, end)
                    if inside is None:
                        return None
                    total -= inside
        return total

    def hours(self, a: datetime, b: datetime, pauses) -> float:
        """Working hours from ``a`` to ``b`` (b >= a), waiting time left out."""
        us = self.office_us(a, b, pauses)
        return us / _US_PER_HOUR if us is not None else working_hours_between(self.cal, a, b, pauses or ())

    def late_hours(self, a: datetime, b: datetime, pauses) -> Decimal:
        """``hours`` rounded half-up to 0.1."""
        us = self.office_us(a, b, pauses)
        if us is None:
            return _round_hours(working_hours_between(self.cal, a, b, pauses or ()))
        return self.tenths(us)

    def tenths(self, us: int) -> Decimal:
        # Round half up to tenths in exact integer arithmetic: the same as _round_hours of the
        # float the calendar gives, which is far closer to the true value than to any tie.
        tenths = (us * 10 + _US_PER_HOUR // 2) // _US_PER_HOUR
        hit = self.rounded.get(tenths)
        if hit is None:
            hit = self.rounded[tenths] = Decimal(tenths).scaleb(-1)
        return hit


def _clock_paused(start: datetime, need: timedelta, pauses: list) -> datetime | None:
    """``add_calendar_hours`` with (merged) pauses: clock time runs outside the pauses."""
    t = start
    for a, b in pauses:
        if b is not None and b <= t:
            continue
        if a > t:
            run = a - t
            if need <= run:
                return t + need
            need -= run
        if b is None:
            return None
        t = b
    return t + need


def _merged(pauses) -> list:
    """Pauses sorted and merged; an open pause (end None) swallows the later ones; empty ones are dropped."""
    return merge_pauses([(begin, end) for begin, end in pauses if end is None or end > begin])


_TENTH = Decimal("0.1")


def _round_hours(hours: float) -> Decimal:
    return Decimal(repr(hours)).quantize(_TENTH, ROUND_HALF_UP)
