"""Durations as the office writes them ("24 hours", "2个工作日", "3天") and adding them to a time."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from toolkit.i18n import N_, _, get_language

from .days import WorkCalendar
from .reach import LONGEST_HOURS, LONGEST_WORKING_DAYS, LONGEST_WORKING_HOURS
from .worktime import Deadline, Pause, add_calendar_hours, add_working_days, add_working_hours

Unit = Literal["calendar_hours", "working_hours", "working_days"]
UNITS: tuple[str, ...] = ("calendar_hours", "working_hours", "working_days")
_LONGEST = {
    "calendar_hours": LONGEST_HOURS,
    "working_hours": LONGEST_WORKING_HOURS,
    "working_days": LONGEST_WORKING_DAYS,
}
_UNIT_NAMES = {"calendar_hours": N_("hours"), "working_hours": N_("working hours"), "working_days": N_("working days")}

ACCEPTED_EXAMPLES = (
    "24 hours, 24h, 8 working hours, 8 work hours, 2 working days, 2 workdays, 3 days, "
    "24小时, 8个工作小时, 8工作小时, 2个工作日, 2工作日, 3天"
)
_EXAMPLES = {"zh": "24小时、8个工作小时、2个工作日、3天", "en": "24 hours, 8 working hours, 2 working days, 3 days"}


def accepted_examples() -> str:
    """Durations as they may be written, in the clerk's language (both languages are always read)."""
    return _EXAMPLES[get_language()]


# unit text (lower case, spaces/hyphens removed) -> (unit, factor)
_UNIT_WORDS: dict[str, tuple[Unit, int]] = {}
_UNITS: tuple[tuple[tuple[str, ...], Unit, int], ...] = (
    (
        ("h", "hr", "hrs", "hour", "hours", "calendarhour", "calendarhours", "小时", "个小时", "钟头", "个钟头"),
        "calendar_hours",
        1,
    ),
    (
        (
            "workinghour",
            "workinghours",
            "workhour",
            "workhours",
            "businesshour",
            "businesshours",
            "工作小时",
            "个工作小时",
        ),
        "working_hours",
        1,
    ),
    (
        ("workingday", "workingdays", "workday", "workdays", "businessday", "businessdays", "工作日", "个工作日"),
        "working_days",
        1,
    ),
    (("day", "days", "calendarday", "calendardays", "天", "自然日", "个自然日"), "calendar_hours", 24),
)
for _words, _unit, _factor in _UNITS:
    for _word in _words:
        _UNIT_WORDS[_word] = (_unit, _factor)

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SHAPE = re.compile(r"^(?P<num>\d+(?:\.\d+)?|\.\d+|[零一二两三四五六七八九十]+)\s*(?P<unit>\D.*)$")


class DurationTooLong(ValueError):
    """A duration beyond the office calendar's reach (more than 100 years): the message says so."""


@dataclass(frozen=True)
class Duration:
    amount: float
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {self.unit!r}")
        amount = self.amount
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not math.isfinite(amount) or amount < 0:
            raise ValueError(f"a duration needs a finite amount >= 0, got {amount!r}")
        if self.unit == "working_days" and amount != int(amount):
            raise ValueError(f"working days must be a whole number, got {amount!r}")
        if amount > _LONGEST[self.unit]:
            raise DurationTooLong(
                _("{amount} {unit} is beyond the office calendar: a duration is at most 100 years").format(
                    amount=f"{amount:,.0f}" if amount == int(amount) else f"{amount:,}", unit=_(_UNIT_NAMES[self.unit])
                )
            )
        object.__setattr__(self, "amount", float(amount))


def _chinese_number(text: str) -> int | None:
    """0-99 written in Chinese numerals (一, 两, 十二, 二十四, 七十二); None if not one."""
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _ten, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1 or "零" in tens:
        return None
    value = (_CN_DIGITS[tens] if tens else 1) * 10
    return value + (_CN_DIGITS[ones] if ones else 0)


def _reject(text: object) -> ValueError:
    return ValueError(
        _("cannot read the duration '{text}'; write it like: {examples}").format(
            text=text, examples=accepted_examples()
        )
    )


def parse_duration(text: str) -> Duration:
    """Read "24 hours", "8 working hours", "2 working days", "3 days", "24小时", "2个工作日", "3天" ...

    Full-width digits and spaces are accepted; "N days"/"N天" are calendar days (N*24 calendar
    hours).  A trailing 内/以内 and a leading "within" are ignored.  Raises ValueError otherwise.
    """
    if not isinstance(text, str):
        raise _reject(text)
    s = unicodedata.normalize("NFKC", text).strip().lower()
    s = re.sub(r"^within\s+", "", s)
    s = re.sub(r"\s*(以内|之内|内)$", "", s)
    match = _SHAPE.match(s)
    if not match:
        raise _reject(text)
    num = match.group("num")
    if num[0].isdigit() or num[0] == ".":
        amount: float = float(num)
    else:
        value = _chinese_number(num)
        if value is None:
            raise _reject(text)
        amount = float(value)
    unit_key = re.sub(r"[\s\-_]+", "", match.group("unit"))
    if unit_key not in _UNIT_WORDS:
        raise _reject(text)
    unit, factor = _UNIT_WORDS[unit_key]
    if unit == "working_days" and amount != int(amount):
        raise ValueError(_("working days must be a whole number, not '{text}'").format(text=text))
    return Duration(amount * factor, unit)


def add_duration(cal: WorkCalendar, start: datetime, duration: Duration, pauses: Sequence[Pause] = ()) -> Deadline:
    """``start`` plus ``duration``, in the duration's own unit."""
    if duration.unit == "working_hours":
        return add_working_hours(cal, start, duration.amount, pauses)
    if duration.unit == "working_days":
        return add_working_days(cal, start, int(duration.amount), pauses)
    return add_calendar_hours(cal, start, duration.amount, pauses)
