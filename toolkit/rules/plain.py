"""Small helpers the rules share for plain values as the workbook reader gives them."""

from __future__ import annotations

import datetime as dt
import math


def is_number(v) -> bool:
    """A finite int or float (a bool is no number here)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def is_whole(v) -> bool:
    """An int (a bool is no number here)."""
    return isinstance(v, int) and not isinstance(v, bool)


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
