"""Deadlines in working time, working days and plain clock time.

All functions are pure: "now" is always a parameter.  Datetimes are the office's local
wall-clock time; naive datetimes are expected (an aware start keeps its tzinfo on the result
and is computed by its wall-clock reading).

Pauses are intervals during which the clock stops (e.g. waiting on the customer).  A pause
with end ``None`` stops the clock indefinitely: if the deadline has not been reached when it
starts, the result is ``Deadline(at=None)`` ("on hold").
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .days import WorkCalendar
from .known_years import known_years

Pause = tuple[datetime, datetime | None]
Segment = tuple[datetime, datetime | None]  # end None = runs forever

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_HOUR = timedelta(hours=1)
# A calendar whose office never opens would make the walk run forever.
_MAX_DAYS_WITHOUT_WORK = 3660


@dataclass(frozen=True)
class Deadline:
    """When something is due.  ``at`` None means on hold (an open pause stopped the clock).

    ``provisional`` is True when the computation walked over a day in a year the statutory
    calendar does not know (暂定).
    """

    at: datetime | None
    provisional: bool = False

    @property
    def on_hold(self) -> bool:
        return self.at is None


# -- helpers ------------------------------------------------------------------------------------


def _wall(value: datetime, tz) -> datetime:
    """``value`` as a naive wall-clock datetime in the start's zone."""
    if value.tzinfo is None:
        if tz is not None:
            raise TypeError("pauses and start must both be naive or both be time-zone aware")
        return value
    if tz is None:
        raise TypeError("pauses and start must both be naive or both be time-zone aware")
    return value.astimezone(tz).replace(tzinfo=None)


def _merge_pauses(pauses: Sequence[Pause], tz) -> list[Pause]:
    """Sorted, non-overlapping pauses as naive datetimes; an open pause swallows later ones."""
    items = []
    for pause in pauses:
        try:
            begin, end = pause
        except (TypeError, ValueError):
            raise ValueError(f"a pause is (start, end or None), got {pause!r}") from None
        begin = _wall(begin, tz)
        if end is not None:
            end = _wall(end, tz)
            if end < begin:
                raise ValueError(f"a pause ends before it starts: {begin} .. {end}")
            if end == begin:
                continue
        items.append((begin, end))
    return merge_pauses(items)


def merge_pauses(pauses) -> list[Pause]:
    """Checked pauses (begin, end after begin or None) sorted and merged where they overlap; an open
    pause (end None) swallows the later ones."""
    merged: list[Pause] = []
    for begin, end in sorted(pauses, key=lambda p: p[0]):
        if merged:
            last_begin, last_end = merged[-1]
            if last_end is None:
                break
            if begin <= last_end:
                if end is None or end > last_end:
                    merged[-1] = (last_begin, end)
                continue
        merged.append((begin, end))
    return merged


def _office_segments(cal: WorkCalendar, start: datetime) -> Iterator[Segment]:
    """The office periods from ``start`` on, the first one clipped at ``start``.

    A start exactly at a period's end is outside it (the next segment is the next opening).
    """
    d = start.date()
    for opening, closing in cal.periods_on(d):
        if closing > start:
            yield (opening if opening > start else start), closing
    periods_on = cal.periods_on
    idle = 0
    while True:
        d += _ONE_DAY
        periods = periods_on(d)
        if periods:
            idle = 0
            yield from periods
        else:
            idle += 1
            if idle > _MAX_DAYS_WITHOUT_WORK:
                raise ValueError(
                    f"the office has no working day for {_MAX_DAYS_WITHOUT_WORK} days after {start:%Y-%m-%d}"
                )


def _clock_segments(start: datetime) -> Iterator[Segment]:
    yield start, None


def _without_pauses(segments: Iterator[Segment], pauses: list[Pause]) -> Iterator[Segment]:
    """``segments`` with the (merged) pauses cut out; stops for good at an open pause."""
    i, n = 0, len(pauses)
    for a, b in segments:
        while b is None or a < b:
            while i < n and (end := pauses[i][1]) is not None and end <= a:
                i += 1
            if i == n:
                yield a, b
                break
            p_begin, p_end = pauses[i]
            if b is not None and p_begin >= b:
                yield a, b
                break
            if p_begin > a:
                yield a, p_begin
            if p_end is None:
                return
            a = p_end


def _consume(segments: Iterator[Segment], need: timedelta) -> datetime | None:
    """The instant at which ``need`` running time has passed; None if the clock stops for good.

    With ``need`` zero this is the first instant the clock runs (the start itself if running).
    Landing exactly at a segment's end returns that end.
    """
    for a, b in segments:
        if b is None:
            return a + need
        span = b - a
        if need <= span:
            return a + need
        need -= span
    return None


def _measure(segments: Iterator[Segment], until: datetime) -> timedelta:
    total = _ZERO
    for a, b in segments:
        if a >= until:
            break
        if b is None or b > until:
            b = until
        total += b - a
    return total


def _provisional(first: date, last: date) -> bool:
    known = known_years()
    if first.year == last.year:
        return first.year not in known
    return any(year not in known for year in range(first.year, last.year + 1))


def _hours(hours: float) -> timedelta:
    if isinstance(hours, bool) or not isinstance(hours, (int, float)):
        raise TypeError(f"hours must be a number, got {hours!r}")
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"hours must be a finite number >= 0, got {hours!r}")
    return timedelta(hours=hours)


def _finish(at: datetime | None, start: datetime, tz, provisional: bool | None = None) -> Deadline:
    if at is None:
        return Deadline(None, False)
    if provisional is None:
        provisional = _provisional(start.date(), at.date())
    if tz is not None:
        at = at.replace(tzinfo=tz)
    return Deadline(at, provisional)


def _split_tz(start: datetime):
    tz = start.tzinfo
    return (start.replace(tzinfo=None) if tz is not None else start), tz


# -- public API ---------------------------------------------------------------------------------


def add_working_hours(cal: WorkCalendar, start: datetime, hours: float, pauses: Sequence[Pause] = ()) -> Deadline:
    """``start`` plus ``hours`` of office time on working days.

    A start outside office hours begins at the next opening (so 0 hours gives the next
    opening); a result exactly at a period's end (12:00, 18:00) stays at that end.
    """
    need = _hours(hours)
    start, tz = _split_tz(start)
    if pauses:
        segments = _without_pauses(_office_segments(cal, start), _merge_pauses(pauses, tz))
        return _finish(_consume(segments, need), start, tz)
    return _finish(_fast_working_hours(cal, start, need), start, tz)


def _fast_working_hours(cal: WorkCalendar, start: datetime, need: timedelta) -> datetime:
    """``_consume(_office_segments(...))`` without pauses, jumping over whole working days."""
    d = start.date()
    for opening, closing in cal.periods_on(d):
        if closing > start:
            a = opening if opening > start else start
            span = closing - a
            if need <= span:
                return a + need
            need -= span
    if not need:
        return cal.periods_on(cal.nth_workday_after(d, 1))[0][0]
    # Whole working days first, then the rest (0 < rest <= one day) inside the last day.
    full_days, rest = divmod(need, cal.day_span)
    if not rest:
        full_days, rest = full_days - 1, cal.day_span
    for opening, closing in cal.periods_on(cal.nth_workday_after(d, full_days + 1)):
        span = closing - opening
        if rest <= span:
            return opening + rest
        rest -= span
    raise AssertionError("unreachable: a working day holds day_span of office time")


def add_calendar_hours(cal: WorkCalendar, start: datetime, hours: float, pauses: Sequence[Pause] = ()) -> Deadline:
    """``start`` plus ``hours`` of plain clock time, extended by the pauses after ``start``."""
    need = _hours(hours)
    start, tz = _split_tz(start)
    segments = _clock_segments(start)
    if pauses:
        segments = _without_pauses(segments, _merge_pauses(pauses, tz))
    return _finish(_consume(segments, need), start, tz, provisional=False)


def _end_of_nth_working_day(cal: WorkCalendar, start_day: date, days: int) -> datetime:
    d = start_day
    if days == 0:
        if not cal.is_workday(d):
            d = cal.nth_workday_after(d, 1)
    else:
        d = cal.nth_workday_after(d, days)
    return cal.periods_on(d)[-1][1]


def add_working_days(cal: WorkCalendar, start: datetime, days: int, pauses: Sequence[Pause] = ()) -> Deadline:
    """Due at the office's closing time of the ``days``-th working day after the start day.

    The start day itself does not count (received Tuesday + 2 working days = Thursday 18:00).
    0 days = closing time of the start day if it is a working day, else of the next working day.
    Pauses remove the working time inside them between start and the due time; the deadline
    moves on by that much working time (so it may fall inside a day).
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"working days must be a whole number, got {days!r}")
    if days < 0:
        raise ValueError(f"working days must be >= 0, got {days}")
    start, tz = _split_tz(start)
    due = _end_of_nth_working_day(cal, start.date(), days)
    if pauses and due > start:
        budget = _measure(_office_segments(cal, start), due)
        segments = _without_pauses(_office_segments(cal, start), _merge_pauses(pauses, tz))
        return _finish(_consume(segments, budget), start, tz)
    return _finish(due, start, tz)


def working_hours_between(cal: WorkCalendar, a: datetime, b: datetime, pauses: Sequence[Pause] = ()) -> float:
    """Working hours from ``a`` to ``b`` (negative when ``b`` is before ``a``), pauses excluded."""
    a, tz = _split_tz(a)
    b = _wall(b, tz)
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    segments = _office_segments(cal, a)
    if pauses:
        segments = _without_pauses(segments, _merge_pauses(pauses, tz))
    return sign * (_measure(segments, b) / _HOUR)
