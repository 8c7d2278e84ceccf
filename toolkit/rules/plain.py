"""Small helpers the rules share for plain values as the workbook reader gives them."""

from __future__ import annotations

import datetime as dt

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
