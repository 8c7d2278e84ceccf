"""Values as people write them, in the clerk's language: never a Python repr.

One place for how a value reaches a person (a message, the problem table, the panels' Last-run
block, the monthly figures on screen)::

    show(dt.date(2026, 10, 17))             -> "2026-10-17"          (a cell value: the same in both languages)
    show(dt.datetime(2026, 10, 17, 14, 30)) -> "2026-10-17 14:30"
    show_date(dt.date(2026, 10, 17))        -> "2026年10月17日"        / "17 October 2026"
    show_time(dt.time(14, 30))              -> "14:30"
    show_money(1234)                        -> "¥1,234.00"           (the office's currency, both languages)
    show_hours(2.5)                         -> "2.5 小时"             / "2.5 hours"
    show_percent(0.953)                     -> "95.3%"
    show_count(12345)                       -> "12,345"

An empty cell is shown as nothing, a number that is not one (nan, inf) as "（不是数字）" / "(not a
number)". Numbers keep the digits typed (a customer number typed as a number reads as typed: no
thousands separators in :func:`show`); counts and money have them. Month names are the module's
own, not the process locale's, so the output does not depend on the machine.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from toolkit.i18n import _, get_language


def show(value: object) -> str:
    """A cell value as people write it: no Python repr ever reaches a person."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows a logical value, in both languages
    if isinstance(value, dt.datetime):
        if value.second or value.microsecond:
            return f"{value:%Y-%m-%d %H:%M:%S}"
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, dt.time):
        return show_time(value)
    if isinstance(value, dt.timedelta):
        return show_hours(value.total_seconds() / 3600)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return _("(not a number)")
        # no thousands separators: a customer number typed as a number must read as it was typed
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".12g")
    if isinstance(value, Decimal):
        if not value.is_finite():
            return _("(not a number)")
        return format(value, "f")
    return str(value)


MONTHS_EN = (  # not %B: that follows the process's locale
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def show_date(day: dt.date | dt.datetime, *, with_time: bool | None = None) -> str:
    """The long form for sentences: 2026年10月17日 (14:30) / 17 October 2026 (14:30)."""
    with_time = isinstance(day, dt.datetime) if with_time is None else with_time
    if get_language() == "zh":
        text = f"{day.year}年{day.month}月{day.day}日"
    else:
        text = f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"  # not %B: that follows the process's locale
    if with_time and isinstance(day, dt.datetime):
        text += f" {day:%H:%M}"
    return text


def show_time(value: dt.time | dt.datetime) -> str:
    """14:30 (14:30:05 when the seconds matter), in both languages."""
    return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"


def show_money(amount: float | Decimal) -> str:
    """¥1,234.00 in both languages (the office's currency is the yuan)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(Decimal(str(amount))):,.2f}"


def _number(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def show_hours(hours: float) -> str:
    """2.5 小时 / 2.5 hours (1 hour); at most two decimals."""
    shown = _number(round(hours, 2), 2)
    return _("{hours} hour").format(hours=shown) if hours == 1 else _("{hours} hours").format(hours=shown)


def show_percent(share: float | None, digits: int = 1) -> str:
    """0.953 -> 95.3% (the same in both languages); None -> —."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{share * 100:.{digits}f}%"


def show_count(n: int) -> str:
    """12,345: counts with thousands separators, in both languages."""
    return f"{n:,}"
