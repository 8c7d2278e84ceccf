"""How values look in the office's documents: dates, money, masked contact details (pure functions).

- dates the office's way: 2025年10月10日, with a time 2025年10月10日 14:30 (English: 10 October 2025 14:30);
- money: ¥12,345.00;
- masking for documents that leave the office (客户信息安全): phone 138****2327, email z***@example.com,
  address 北京市丰台区****.

Each is a Jinja filter in the templates (``{{ received_at|date }}``, ``{{ amount|money }}``,
``{{ phone|mask_phone }}``) and is used when a value is shown without a filter (dates and times
are always shown the office's way, a blank cell as nothing).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from toolkit.formats import MONTHS_EN
from toolkit.i18n import _
from toolkit.model.values import parse_value

_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _as_datetime(value):
    if isinstance(value, (dt.date, dt.datetime)) or value is None:
        return value
    if isinstance(value, str) and value.strip():
        parsed, err = parse_value(value.strip(), "datetime")
        if not err and parsed is not None:
            return parsed
    return value


def format_date(value, language: str = "zh") -> str:
    """2025年10月10日 (English: 10 October 2025); text that is no date is returned as it is."""
    value = _as_datetime(value)
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.date):
        return str(value)
    if language == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def format_datetime(value, language: str = "zh") -> str:
    """2025年10月10日 14:30 (English: 10 October 2025 14:30); a date alone has no time."""
    value = _as_datetime(value)
    if not isinstance(value, dt.datetime):
        return format_date(value, language)
    return f"{format_date(value, language)} {value:%H:%M}"


def format_weekday(value, language: str = "zh") -> str:
    value = _as_datetime(value)
    if not isinstance(value, dt.date):
        return ""
    return _WEEKDAYS_EN[value.weekday()] if language == "en" else "星期" + _WEEKDAYS_ZH[value.weekday()]


def _as_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("'{value}' is not a number").format(value=value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").replace("元", "")
        try:
            return Decimal(text)
        except InvalidOperation:
            pass
    raise ValueError(_("'{value}' is not a number").format(value=value))


def format_money(value, symbol: str = "¥", places: int = 2) -> str:
    """¥12,345.00; -¥1,234.50 for a negative amount; a blank cell shows nothing."""
    if value is None or value == "":
        return ""
    try:
        amount = _as_decimal(value)
    except ValueError:
        raise ValueError(_("'{value}' is not an amount of money").format(value=value)) from None
    quant = Decimal(1).scaleb(-places)
    amount = amount.quantize(quant)
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.{places}f}"


def format_number(value, places: int | None = None) -> str:
    """12,345 or 12,345.68 with `places` decimals."""
    if value is None or value == "":
        return ""
    amount = _as_decimal(value)
    if places is None:
        return f"{amount:,f}" if amount != amount.to_integral_value() else f"{amount:,.0f}"
    return f"{amount.quantize(Decimal(1).scaleb(-places)):,.{places}f}"


# ------------------------------------------------------------------------------------------ masking

_PHONE_SPLIT = re.compile(r"(\s*[;,，；/、]\s*)")
_COUNTRY = re.compile(r"^(\+\d{1,3}[\s-]?|00\d{1,3}[\s-]?)")


def _mask_one_phone(text: str) -> str:
    prefix = ""
    m = _COUNTRY.match(text)
    if m:
        prefix, text = m.group(0), text[m.end() :]
    digits = sum(ch.isdigit() for ch in text)
    if digits == 0:
        return prefix + text
    if digits >= 7:
        keep_head, keep_tail = 3, 4
    else:
        keep_head, keep_tail = 0, min(2, digits - 1)
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_head or seen > digits - keep_tail else "*")
        else:
            out.append(ch)
    return prefix + "".join(out)


def mask_phone(value) -> str:
    """138****2327 (first three and last four digits kept; each of several numbers masked)."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return "".join(part if _PHONE_SPLIT.fullmatch(part) else _mask_one_phone(part) for part in _PHONE_SPLIT.split(text))


def mask_email(value) -> str:
    """z***@example.com (the first character of the name kept, the domain shown)."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    name, at, domain = text.partition("@")
    if not at:
        return (text[:1] + "***") if text else ""
    return f"{name[:1]}***@{domain}"


_ADMIN_UNITS = "省市区县州旗盟镇乡"


def mask_address(value) -> str:
    """北京市丰台区**** (the province/city/district kept, the street and number hidden)."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if text.isascii():
        _head, comma, rest = text.partition(",")
        return f"****,{rest}" if comma else (text[: max(1, len(text) // 3)] + "****")
    window = text[:12]
    cut = max((window.rfind(u) for u in _ADMIN_UNITS), default=-1)
    keep = cut + 1 if cut >= 1 else max(2, len(text) // 3)
    return text[:keep] + "****"


MASKS = {"phone": mask_phone, "email": mask_email, "address": mask_address, "none": lambda v: v}


def mask(value, how: str):
    """Mask `value` the named way: phone, email, address or none."""
    return MASKS[how](value)


# ------------------------------------------------------------------------------------------ display

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def display(value, language: str = "zh") -> str:
    """How a value is shown when the template gives no filter."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ("yes" if value else "no") if language == "en" else ("是" if value else "否")
    if isinstance(value, dt.datetime):
        return format_datetime(value, language)
    if isinstance(value, dt.date):
        return format_date(value, language)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def strip_control(text: str) -> str:
    """Characters XML cannot hold (stray control characters from pasted text) are dropped."""
    return _CONTROL.sub("", text)


# ------------------------------------------------------------------------------------------ Word pictures

_PICTURE = re.compile(r"yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|AM/PM|am/pm|'[^']*'")


def word_date(value, picture: str, language: str = "zh") -> str:
    """A date formatted with a Word date picture (MERGEFIELD \\@ switch), e.g. 'dd-MM-yyyy', 'yyyy年M月d日'."""
    value = _as_datetime(value)
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.date):
        return str(value)
    d = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)

    def token(m: re.Match) -> str:
        t = m.group(0)
        if t.startswith("'"):
            return t[1:-1]
        return {
            "yyyy": f"{d.year:04d}",
            "yy": f"{d.year % 100:02d}",
            "MMMM": MONTHS_EN[d.month - 1],
            "MMM": MONTHS_EN[d.month - 1][:3],
            "MM": f"{d.month:02d}",
            "M": str(d.month),
            "dddd": format_weekday(d, "en"),
            "ddd": format_weekday(d, "en")[:3],
            "dd": f"{d.day:02d}",
            "d": str(d.day),
            "HH": f"{d.hour:02d}",
            "H": str(d.hour),
            "hh": f"{(d.hour % 12) or 12:02d}",
            "h": str((d.hour % 12) or 12),
            "mm": f"{d.minute:02d}",
            "m": str(d.minute),
            "ss": f"{d.second:02d}",
            "s": str(d.second),
            "AM/PM": "AM" if d.hour < 12 else "PM",
            "am/pm": "am" if d.hour < 12 else "pm",
        }[t]

    return _PICTURE.sub(token, picture)


_NUMBER_PICTURE = re.compile(r"[#0][#0,]*(?:\.[#0]+)?")


def word_number(value, picture: str) -> str:
    """A number formatted with a Word numeric picture (MERGEFIELD \\# switch), e.g. '#,##0.00', '0%'."""
    if value is None or value == "":
        return ""
    try:
        amount = _as_decimal(value)
    except ValueError:
        return str(value)
    m = _NUMBER_PICTURE.search(picture)
    if not m:
        return picture
    pattern = m.group(0)
    places = len(pattern.split(".", 1)[1]) if "." in pattern else 0
    grouping = "," if "," in pattern else ""
    amount = amount.quantize(Decimal(1).scaleb(-places))
    return picture[: m.start()] + format(amount, f"{grouping}.{places}f") + picture[m.end() :]
