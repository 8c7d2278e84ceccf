"""Small helpers the rules share for plain values as the workbook reader gives them."""

from __future__ import annotations

import datetime as dt


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
