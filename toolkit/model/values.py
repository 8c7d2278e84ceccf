"""Parse raw cell values into typed values, never guessing silently.

Cell values arrive from python-calamine as ``str``, ``float``, ``int``, ``bool``,
``datetime.datetime``, ``datetime.date``, ``datetime.time`` or ``None``/``""`` for an empty
cell.  :func:`parse_value` turns one of them into the value a column expects and returns a
pair ``(value, error)``:

* ``(value, None)`` -- parsed;
* ``(None, None)`` -- the cell is empty (``None``, ``""`` or only whitespace);
* ``(None, reason)`` -- the value cannot be read; ``reason`` is a short sentence meant for the
  office staff who typed it (e.g. ``"no such date: 2025-02-30"``).

Anything that could be read two ways (``3/5/2025``, ``05/03/25``, ``25年3月5日``, ``上午12:30``) is
reported, not guessed.  Programming mistakes (an unknown kind, a choice column without choices)
raise ``ValueError``.

This is called for every cell of large sheets, so the common cases are handled first with
cheap type checks; everything else goes to the slower helpers below.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from toolkit.calendar.reach import FIRST_DAY, LAST_DAY, LAST_YEAR
from toolkit.i18n import N_, _, get_language
from toolkit.xlsx.cells import EPOCH_1900_ORDINAL, EPOCH_1904

__all__ = ["KINDS", "beyond_reach_reason", "normalize_text", "parse_value"]

KINDS = ("text", "integer", "decimal", "date", "datetime", "choice")

_EMPTY = (None, None)

# Every character Python counts as whitespace (including the full-width space U+3000 and the
# non-breaking space U+00A0), plus zero-width characters that sneak in from copy-and-paste.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_WS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + _ZERO_WIDTH

# Full-width ASCII (！ to ～) to half-width, plus a few look-alikes staff type for numbers and dates.
_HALF: dict[int, int | str | None] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_HALF.update({0x3000: " ", 0x00A0: " ", 0x2212: "-", 0xFFE5: "¥"})
_HALF.update({ord(c): None for c in _ZERO_WIDTH})
_DELETE_ZERO_WIDTH = {ord(c): None for c in _ZERO_WIDTH}

# Numbers ---------------------------------------------------------------------------------------
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_INTEGER_TEXT = re.compile(r"([+-])?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]*))?")
_DECIMAL_TEXT = re.compile(
    r"([+-])?\s*([¥$])?\s*([+-])?\s*"
    r"(?:([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]*))?|\.([0-9]+))"
    r"\s*(元)?"
)
_HAS_DIGIT = re.compile(r"[0-9]")

# Dates and times -------------------------------------------------------------------------------
# year-month-day with one separator used twice: 2025-03-05, 2025/3/5, 2025.3.5
_DATE_ISO = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})(?:(?:\s+|T)(.+))?", re.S)
# 2025年3月5日, 2025年03月05日 (日 or 号; a time may follow directly after 日)
_DATE_CN = re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*(?:[日号]\s*(.+)?|(?:\s(.+))?)", re.S)
# 20250305
_DATE_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:(?:\s+|T)(.+))?", re.S)
_TIME = re.compile(
    r"(?:(上午|下午|早上|晚上|凌晨|中午)\s*)?"
    r"([0-9]{1,2})"
    r"(?::([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]{1,6}))?)?"
    r"|[时点](?:([0-9]{1,2})(?:分(?:([0-9]{1,2})秒?)?)?)?)"
    r"(?:\s*([AaPp])\.?[Mm]\.?)?"
)
# Forms that cannot be read safely, recognised only to give a helpful reason.
_DAY_MONTH_ORDER_UNCLEAR = re.compile(r"[0-9]{1,2}\s*[-/.]\s*[0-9]{1,2}\s*[-/.]\s*[0-9]{1,4}(?![0-9])")
_SHORT_YEAR_CN = re.compile(r"[0-9]{2}\s*年\s*[0-9]{1,2}\s*月")
_NO_YEAR_CN = re.compile(r"[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*[日号]?")

_MIDNIGHT = time(0, 0)
_ORD_1899_12_30 = EPOCH_1900_ORDINAL  # Excel's day 0 (serials from 61 on count from it)
_ORD_1899_12_31 = EPOCH_1900_ORDINAL + 1  # serials 1-59 count from here (Excel's fictitious 1900-02-29)
_ORD_1904_01_01 = EPOCH_1904.toordinal()
_MAX_SERIAL_1900 = 2958465  # 9999-12-31
_MAX_SERIAL_1904 = 2957003  # 9999-12-31
_MIN_YEAR = 1900  # Excel cannot hold dates before 1900

# The reasons are message ids (toolkit.i18n): made into text in the clerk's language when a value fails.
_DATE_EXPECTED = N_("not a date (expected e.g. 2025-03-05 or {example})")
_DATETIME_EXPECTED = N_("not a date and time (expected e.g. 2025-03-05 14:30 or {example} 14:30)")
_ORDER_UNCLEAR = N_("unclear date: write the full year first, as year-month-day, e.g. 2025-03-05")
_NO_YEAR = N_("no year given: write year-month-day, e.g. {example}")
_TIME_ONLY = N_("a time without a date")
_DATE_EXAMPLES = {"zh": "2025年3月5日", "en": "2025/3/5"}  # both are read whatever the language


def _reason(message: str) -> str:
    """One of the reasons above in the clerk's language."""
    return _(message).format(example=_DATE_EXAMPLES[get_language()])


# Public API ------------------------------------------------------------------------------------


def normalize_text(s: object) -> str:
    """Full-width to half-width (NFKC), strip, and collapse inner runs of whitespace to one space.

    ``None`` gives ``""``; numbers and dates are first written as text as in a text column.
    """
    if s is None:
        return ""
    if type(s) is not str:
        s = _as_text(s)
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s).translate(_DELETE_ZERO_WIDTH)
    return " ".join(s.split())


def beyond_reach_reason(cell: bool = True, last: date = LAST_DAY) -> str:
    """The reason given for a date after the calendar's reach (toolkit/calendar/reach.py): in a cell (one
    of the toolkit's own: ``last`` is LAST_COMPUTED_DAY), or given on the command line (``cell=False``)."""
    if not cell:
        return _("beyond the office calendar, which reaches from {first} to {last}").format(
            first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()
        )
    return _(
        "beyond the office calendar, which reaches to {last}: type the real date, or leave the cell empty "
        "when there is none"
    ).format(last=last.isoformat())


def parse_value(raw, kind, *, choices=None, choice_aliases=None, date1904=False):
    """Parse one raw cell value as ``kind``; return ``(value, None)``, ``(None, None)`` or ``(None, reason)``.

    kind: "text" -> str, "integer" -> int, "decimal" -> Decimal, "date" -> datetime.date,
    "datetime" -> datetime.datetime (naive), "choice" -> one of ``choices`` (str).
    ``choice_aliases`` maps other spellings to one of ``choices``.  ``date1904`` selects the
    workbook's 1904 date system for Excel serial numbers.  A date after the calendar's reach
    (``LAST_DAY``, e.g. 9999-12-31 typed for "never") is a reason, whatever form it was typed in.
    """
    if kind == "date" or kind == "datetime":
        value, reason = _parse_value(raw, kind, choices, choice_aliases, date1904)
        if value is not None and value.year > LAST_YEAR:
            return (None, beyond_reach_reason())
        return (value, reason)
    return _parse_value(raw, kind, choices, choice_aliases, date1904)


def _parse_value(raw, kind, choices, choice_aliases, date1904):
    if raw is None:
        return _EMPTY
    t = type(raw)
    if t is str:
        s = raw.strip(_WS)
        if not s:
            return _EMPTY
        if kind == "text":
            return (s, None)
        if kind == "date":
            if len(s) == 10 and s[4] == "-" and s[7] == "-" and s.isascii():  # 2025-03-05
                try:
                    d = date.fromisoformat(s)
                except ValueError:
                    pass
                else:
                    if d.year >= _MIN_YEAR:
                        return (d, None)
            return _date_from_text(s, False)
        if kind == "datetime":
            # 2025-03-05 14:30 or 2025-03-05 14:30:15 (also with T)
            if (
                (len(s) == 16 or len(s) == 19)
                and s[4] == "-"
                and s[7] == "-"
                and s[13] == ":"
                and (s[10] == " " or s[10] == "T")
                and s.isascii()
            ):
                try:
                    d = datetime.fromisoformat(s)
                except ValueError:
                    pass
                else:
                    if d.year >= _MIN_YEAR and d.tzinfo is None:
                        return (d, None)
            return _date_from_text(s, True)
        if kind == "integer":
            if s.isascii() and s.isdigit():
                return (int(s), None)
            return _integer_from_text(s)
        if kind == "decimal":
            if s.isascii() and _PLAIN_DECIMAL.fullmatch(s):
                return (Decimal(s), None)
            return _decimal_from_text(s)
        if kind == "choice":
            if choices is not None and s in choices:
                return (s, None)
            return _choice(s, choices, choice_aliases)
        raise _unknown_kind(kind)
    # Fast paths for the types calamine gives for a well-kept column.
    if kind == "date":
        if t is datetime:
            return (raw.date(), None)
        if t is date:
            return (raw, None)
        if (t is int or t is float) and 61 <= raw <= _MAX_SERIAL_1900 and not date1904:
            return (date.fromordinal(_ORD_1899_12_30 + int(raw)), None)  # int() == floor here
    elif kind == "datetime":
        if t is datetime:
            return (raw, None)
        if t is float and 61 <= raw < _MAX_SERIAL_1900 and not date1904:
            day = int(raw)
            seconds = round((raw - day) * 86400)
            if seconds < 86400:
                d = date.fromordinal(_ORD_1899_12_30 + day)
                hh, rem = divmod(seconds, 3600)
                mi, ss = divmod(rem, 60)
                return (datetime(d.year, d.month, d.day, hh, mi, ss), None)
    elif kind == "integer":
        if t is int:
            return (raw, None)
        if t is float and raw.is_integer():
            return (int(raw), None)
    elif kind == "decimal":
        if t is float and raw - raw == 0.0:  # finite
            return (Decimal(repr(raw)), None)
        if t is int:
            return (Decimal(raw), None)
    elif kind == "text":
        if t is float and raw.is_integer():
            return (str(int(raw)), None)
        if t is int:
            return (str(raw), None)
    return _parse_other(raw, kind, choices, choice_aliases, date1904)


# Slow paths ------------------------------------------------------------------------------------


def _unknown_kind(kind) -> ValueError:
    return ValueError(f"unknown value kind {kind!r}; expected one of {', '.join(KINDS)}")


def _half(s: str) -> str:
    """Full-width digits, letters and punctuation to half-width (cheap; not a full NFKC)."""
    return s if s.isascii() else s.translate(_HALF)


def _float_text(f: float) -> str:
    f = float(f)
    if f.is_integer():
        return str(int(f))
    return repr(f)


def _as_text(raw) -> str:
    """A non-empty, non-string cell value as text, the way staff would read it."""
    if raw is True:
        return "TRUE"
    if raw is False:
        return "FALSE"
    if isinstance(raw, float):
        return _float_text(raw)
    if isinstance(raw, numbers.Integral):
        return str(int(raw))
    if isinstance(raw, datetime):
        if raw.time() == _MIDNIGHT:
            return raw.date().isoformat()
        return raw.isoformat(sep=" ")
    if isinstance(raw, (date, time)):
        return raw.isoformat()
    if isinstance(raw, Decimal):
        if raw.is_finite() and raw == raw.to_integral_value():
            return str(raw.quantize(Decimal(1)))
        return str(raw)
    return str(raw)


def _got(raw) -> str:
    """Describe an unexpected non-text value in a reason."""
    if isinstance(raw, bool):
        return _("TRUE, a yes/no value") if raw else _("FALSE, a yes/no value")
    if isinstance(raw, datetime):
        return _("the date and time {value}").format(value=_as_text(raw))
    if isinstance(raw, date):
        return _("the date {value}").format(value=raw.isoformat())
    if isinstance(raw, time):
        return _("the time {value}").format(value=raw.isoformat())
    return _as_text(raw)


def _parse_other(raw, kind, choices, choice_aliases, date1904):
    """Everything that is not a plain string and not on a fast path."""
    if isinstance(raw, str):  # a str subclass
        return parse_value(str(raw), kind, choices=choices, choice_aliases=choice_aliases, date1904=date1904)
    if kind == "text":
        return (_as_text(raw), None)
    if kind == "choice":
        return _choice(_as_text(raw), choices, choice_aliases)
    if kind == "integer":
        return _integer_from_other(raw)
    if kind == "decimal":
        return _decimal_from_other(raw)
    if kind == "date" or kind == "datetime":
        return _date_from_other(raw, kind == "datetime", date1904)
    raise _unknown_kind(kind)


# Integers and decimals -------------------------------------------------------------------------


def _number_reason(h: str) -> str:
    if "%" in h:
        return _("percentages are not accepted here: write the plain number (e.g. 0.15 or 15)")
    if "万" in h or "亿" in h:
        return _("write the full number (e.g. 50000, not {example})").format(example="5万")
    if "," in h and _HAS_DIGIT.search(h):
        return _("not a number (commas may only separate thousands, e.g. 1,234)")
    return _("not a number")


def _integer_from_text(s: str):
    h = _half(s).strip()
    m = _INTEGER_TEXT.fullmatch(h)
    if m is None:
        if _PLAIN_DECIMAL.fullmatch(h):  # e.g. ".5"
            return (None, _("not a whole number"))
        return (None, _number_reason(h))
    sign, digits, frac = m.groups()
    if frac and frac.strip("0"):
        return (None, _("not a whole number"))
    n = int(digits.replace(",", ""))
    return (-n if sign == "-" else n, None)


def _integer_from_other(raw):
    if isinstance(raw, bool):
        return (None, _("not a number (it is {value})").format(value=_got(raw)))
    if isinstance(raw, numbers.Integral):
        return (int(raw), None)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return (None, _("not a number"))
        if raw.is_integer():
            return (int(raw), None)
        return (None, _("not a whole number"))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return (None, _("not a number"))
        if raw == raw.to_integral_value():
            return (int(raw), None)
        return (None, _("not a whole number"))
    if isinstance(raw, (date, time)):
        return (None, _("not a number (it is {value})").format(value=_got(raw)))
    return (None, _("not a number"))


def _decimal_from_text(s: str):
    h = _half(s).strip()
    m = _DECIMAL_TEXT.fullmatch(h)
    if m is None:
        return (None, _number_reason(h))
    sign1, _currency, sign2, whole, frac, frac_only, _yuan = m.groups()
    if sign1 and sign2:
        return (None, _("not a number"))
    sign = "-" if (sign1 or sign2) == "-" else ""
    if whole is None:
        text = f"{sign}0.{frac_only}"
    else:
        text = sign + whole.replace(",", "") + ("." + frac if frac else "")
    return (Decimal(text), None)


def _decimal_from_other(raw):
    if isinstance(raw, bool):
        return (None, _("not a number (it is {value})").format(value=_got(raw)))
    if isinstance(raw, numbers.Integral):
        return (Decimal(int(raw)), None)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return (None, _("not a number"))
        return (Decimal(repr(float(raw))), None)
    if isinstance(raw, Decimal):
        return (raw, None) if raw.is_finite() else (None, _("not a number"))
    if isinstance(raw, (date, time)):
        return (None, _("not a number (it is {value})").format(value=_got(raw)))
    try:
        return (Decimal(str(raw)), None)
    except (InvalidOperation, ValueError):
        return (None, _("not a number"))


# Dates and times -------------------------------------------------------------------------------


def _match_date(h: str):
    """(year, month, day, rest-or-None) as strings for a recognised date form, else None."""
    m = _DATE_ISO.fullmatch(h)
    if m is not None:
        return m.group(1, 3, 4, 5)
    m = _DATE_CN.fullmatch(h)
    if m is not None:
        y, mo, d, rest1, rest2 = m.groups()
        return y, mo, d, (rest1 if rest1 is not None else rest2)
    m = _DATE_COMPACT.fullmatch(h)
    if m is not None:
        return m.groups()
    return None


def _date_from_text(s: str, want_datetime: bool):
    parts = _match_date(s)
    if parts is None:
        h = _half(s)
        if h is not s:  # full-width digits or punctuation: try again half-width
            parts = _match_date(h)
        if parts is None:
            return (None, _date_reason(h, want_datetime))
    y, mo, d, rest = parts
    y, mo, d = int(y), int(mo), int(d)
    if y < _MIN_YEAR:
        return (
            None,
            _("year {year} looks wrong: dates before {first} are not accepted").format(
                year=f"{y:04d}", first=_MIN_YEAR
            ),
        )
    try:
        day = date(y, mo, d)
    except ValueError:
        return (None, _("no such date: {date}").format(date=f"{y:04d}-{mo:02d}-{d:02d}"))
    if rest is None:
        return (datetime(y, mo, d) if want_datetime else day, None)
    tm, reason = _time_from_text(_half(rest).strip())
    if reason is not None:
        return (None, reason)
    if want_datetime:
        return (datetime.combine(day, tm), None)
    return (day, None)


def _date_reason(h: str, want_datetime: bool) -> str:
    if _TIME.fullmatch(h):
        return _reason(_TIME_ONLY)
    if _DAY_MONTH_ORDER_UNCLEAR.match(h) or _SHORT_YEAR_CN.match(h):
        return _reason(_ORDER_UNCLEAR)
    if _NO_YEAR_CN.match(h):
        return _reason(_NO_YEAR)
    return _reason(_DATETIME_EXPECTED if want_datetime else _DATE_EXPECTED)


_AM_MARKERS = {"上午", "早上", "凌晨"}
_PM_MARKERS = {"下午", "晚上"}


def _time_from_text(text: str):
    m = _TIME.fullmatch(text)
    if m is None:
        return (None, _("not a time of day: {text} (expected e.g. 14:30)").format(text=text))
    marker, hh, mm, ss, frac, cmm, css, suffix = m.groups()
    hour = int(hh)
    minute = int(mm if mm is not None else (cmm or 0))
    second = int(ss if ss is not None else (css or 0))
    micro = int(frac.ljust(6, "0")) if frac else 0
    if marker and suffix:
        return (None, _("unclear time: {text}: write it on the 24-hour clock, e.g. 14:30").format(text=text))
    if marker or suffix:
        on_24_hours = _twelve_hour(hour, marker, suffix.lower() if suffix else None)
        if on_24_hours is None:
            return (None, _("unclear time: {text}: write it on the 24-hour clock, e.g. 14:30").format(text=text))
        hour = on_24_hours
    if hour > 23 or minute > 59 or second > 59:
        return (None, _("no such time: {text}").format(text=text))
    return (time(hour, minute, second, micro), None)


def _twelve_hour(hour: int, marker: str | None, suffix: str | None) -> int | None:
    """The 24-hour hour for ``hour`` with a Chinese marker (上午/下午...) or AM/PM; None if unclear."""
    if suffix == "a":  # 12:30 AM is 00:30
        return 0 if hour == 12 else hour if hour < 12 else None
    if suffix == "p":  # 12:30 PM is 12:30; 14:30 PM is redundant but clear
        return hour + 12 if 1 <= hour <= 11 else hour if 12 <= hour <= 23 else None
    if marker in _AM_MARKERS:  # 上午12点 is read both ways in practice: refuse
        return hour if hour < 12 else None
    if marker in _PM_MARKERS:
        if 1 <= hour <= 11:
            return hour + 12
        if hour == 12 and marker == "下午":  # 下午12点半 is 12:30; 晚上12点 is midnight: refuse
            return 12
        return hour if 13 <= hour <= 23 else None
    # 中午: around noon
    if hour in (11, 12) or 13 <= hour <= 14:
        return hour
    if 1 <= hour <= 2:
        return hour + 12
    return None


def _serial_day(day: int, date1904: bool):
    """The calendar date for a whole Excel serial number, or a reason."""
    if date1904:
        if 0 <= day <= _MAX_SERIAL_1904:
            return (date.fromordinal(_ORD_1904_01_01 + day), None)
    elif 61 <= day <= _MAX_SERIAL_1900:
        return (date.fromordinal(_ORD_1899_12_30 + day), None)
    elif 1 <= day <= 59:
        return (date.fromordinal(_ORD_1899_12_31 + day), None)
    elif day == 60:
        return (None, _("no such date: 1900-02-29 (Excel's day number 60 is a date that never existed)"))
    return (None, None)


def _date_from_other(raw, want_datetime: bool, date1904: bool):
    if isinstance(raw, bool):
        return (None, _("not a date (it is {value})").format(value=_got(raw)))
    if isinstance(raw, datetime):
        return (raw, None) if want_datetime else (raw.date(), None)
    if isinstance(raw, date):
        return (datetime(raw.year, raw.month, raw.day), None) if want_datetime else (raw, None)
    if isinstance(raw, time):
        return (None, _reason(_TIME_ONLY))
    if isinstance(raw, (numbers.Real, Decimal)):
        return _date_from_number(raw, want_datetime, date1904)
    return (None, _reason(_DATETIME_EXPECTED if want_datetime else _DATE_EXPECTED))


def _date_from_number(x, want_datetime: bool, date1904: bool):
    if isinstance(x, Decimal):
        if not x.is_finite():
            return (None, _("not a date"))
        x = float(x)
    elif not isinstance(x, numbers.Integral):
        x = float(x)
        if not math.isfinite(x):
            return (None, _("not a date"))
    shown = _float_text(x) if isinstance(x, float) else str(x)
    whole = math.floor(x)
    # A date typed as the number 20250305 (a cell not formatted as a date).  Excel serial
    # numbers stop at 2958465, so an 8-digit number cannot be one: this is not a guess.
    if whole == x and 19000101 <= whole <= 99991231:
        y, rest = divmod(int(whole), 10000)
        mo, d = divmod(rest, 100)
        if 1 <= mo <= 12 and 1 <= d <= 31:
            try:
                day = date(y, mo, d)
            except ValueError:
                return (None, _("no such date: {date}").format(date=f"{y:04d}-{mo:02d}-{d:02d}"))
            return (datetime(y, mo, d) if want_datetime else day, None)
    if not date1904 and 0 < x < 1:
        return (None, _reason(_TIME_ONLY))
    seconds = 0
    if want_datetime and whole != x:
        seconds = round((x - whole) * 86400)
        if seconds >= 86400:
            whole += 1
            seconds = 0
    day, reason = _serial_day(int(whole), date1904)
    if day is None:
        return (None, reason or _("not a date: the number {number} is outside Excel's date range").format(number=shown))
    if not want_datetime:
        return (day, None)
    hh, rem = divmod(seconds, 3600)
    mi, ss = divmod(rem, 60)
    return (datetime(day.year, day.month, day.day, hh, mi, ss), None)


# Choices ---------------------------------------------------------------------------------------


def _choice_key(s: str) -> str:
    return normalize_text(s).casefold()


@lru_cache(maxsize=256)
def _choice_table(choices: tuple, aliases: tuple) -> dict:
    table = {}
    for alias, target in aliases:
        if target not in choices:
            raise ValueError(f"choice alias {alias!r} points to {target!r}, which is not one of {choices!r}")
        table[_choice_key(alias)] = target
    for c in choices:  # the real values win over aliases
        table[_choice_key(c)] = c
    return table


def _choice(s: str, choices, choice_aliases):
    if not choices:
        raise ValueError("a 'choice' value needs a non-empty list of choices")
    if s in choices:
        return (s, None)
    key = _choice_key(s)
    if not key:
        return _EMPTY
    table = _choice_table(tuple(choices), tuple(choice_aliases.items()) if choice_aliases else ())
    found = table.get(key)
    if found is not None:
        return (found, None)
    return (None, _("not one of: {choices}").format(choices=_(", ").join(str(c) for c in choices)))
