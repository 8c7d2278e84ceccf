"""Small helpers the rules share for plain values as the workbook reader gives them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from toolkit.model.values import parse_value


def the_day(moment: dt.date) -> dt.date:
    """The day of a date or a datetime."""
    return moment.date() if isinstance(moment, dt.datetime) else moment


def day_of(v) -> dt.date | None:
    """The day of a date or datetime cell; None for a blank one."""
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    return v


def score_of(v, scale: tuple[float, float] | None) -> int | None:
    """A satisfaction score: a whole number (not a yes/no value) within `scale`, the satisfaction column's
    range in the settings (1 to 5) - the one definition the register's average, the monthly report and
    `toolkit check` share. Anything else (-3, 6, TRUE, 3.5, text) is None: counted nowhere."""
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
        return None
    if v != int(v) or (scale is not None and not scale[0] <= v <= scale[1]):
        return None
    return int(v)


def text_of(v) -> str:
    """A cell as stripped text; "" for a blank one."""
    return "" if v is None else str(v).strip()


def datetime_of(v) -> dt.datetime | None:
    """A cell as a naive datetime: a date counts from midnight, an aware time by its wall-clock
    reading, a text as the workbook reader reads dates (toolkit.model.values); anything else, None."""
    if v is None or type(v) is dt.datetime and v.tzinfo is None:
        return v
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, str):
        moment, _reason = parse_value(v, "datetime")  # blank or unreadable text: None
        return moment
    return None
