"""One cell's XML: turning Python values into <c> elements.

Strings are written as inline strings, so sharedStrings.xml never needs to change; text that
looks like a formula (=, +, -, @) stays text because it is never written as <f>.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from toolkit.xlsx.styles import DATE_FORMAT, DATETIME_FORMAT, StyleBook

EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
_EPOCH_1900_ORDINAL = EPOCH_1900.toordinal()
# Characters XML 1.0 cannot carry (and lone surrogates, which UTF-8 cannot), plus the carriage
# return, which XML readers turn into a line feed; Excel writes them all as _xHHHH_.
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell


class CellValueError(ValueError):
    """A value that cannot be put into a cell."""


def excel_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    if type(value) is dt.date and not date1904:  # a plain date: whole days (as the general path below gives)
        serial = value.toordinal() - _EPOCH_1900_ORDINAL
        if serial >= 61:
            return float(serial)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    delta = value - (EPOCH_1904 if date1904 else EPOCH_1900)
    serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    if not date1904 and serial < 61:  # Excel's fictitious 1900-02-29
        serial -= 1
    if serial < 0:
        raise CellValueError(f"{value:%Y-%m-%d} is before the first date Excel can show")
    return serial


_NEEDS_ESCAPE = re.compile("[&<>_\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def escape_text(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:  # most text: nothing to escape
        return text
    text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    text = _BAD_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def format_number(value: int | float | Decimal) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CellValueError(f"{value} is not a number Excel can store")
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellValueError(f"{value} is not a number Excel can store")
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(int(value))


class CellEncoder:
    """Builds <c> elements for one sheet, adding date formats to the style book as needed."""

    def __init__(self, styles: StyleBook | None, prefix: bytes = b"", date1904: bool = False):
        self.styles = styles
        self.p = prefix.decode()
        self.date1904 = date1904
        self._epoch = EPOCH_1904 if date1904 else EPOCH_1900
        self._dated_cache: dict[tuple[int, bool], int] = {}
        self._plain_cache: dict[int, int] = {}

    def encode(self, ref: str, value, style: int | None, fill: str | None = None) -> bytes | None:
        """The <c> element for `value` at `ref`, keeping `style` (the cell's existing s) where it fits.

        Returns None for a cleared cell that has no style of its own (the cell is dropped).
        """
        p = self.p
        kind = type(value)
        # Fast paths for the plain values jobs write by the million (same bytes as the general path below).
        if fill is None:
            if kind is str and len(value) <= MAX_CELL_TEXT:
                text = escape_text(value)
                space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
                s = f' s="{style}"' if style else ""
                return f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t{space}>{text}</{p}t></{p}is></{p}c>'.encode()
            if kind is dt.datetime or kind is dt.date:
                serial = self._serial_text(value) if kind is dt.datetime else None
                if serial is None:
                    serial = format_number(round(excel_serial(value, self.date1904), 8))
                style = self._dated(style or 0, kind is dt.datetime)
                s = f' s="{style}"' if style else ""
                return f'<{p}c r="{ref}"{s}><{p}v>{serial}</{p}v></{p}c>'.encode()
            if kind is int or kind is Decimal:
                if style is not None and self.styles:
                    style = self._plain(style)
                s = f' s="{style}"' if style else ""
                return f'<{p}c r="{ref}"{s}><{p}v>{format_number(value)}</{p}v></{p}c>'.encode()
        typ = ""
        if value is None:
            body = ""
        elif isinstance(value, bool):
            typ, body = "b", f"<{p}v>{int(value)}</{p}v>"
        elif isinstance(value, (int, float, Decimal)):
            body = f"<{p}v>{format_number(value)}</{p}v>"
            if style is not None and self.styles:
                style = self._plain(style)
        elif isinstance(value, (dt.date, dt.datetime)):
            body = f"<{p}v>{format_number(round(excel_serial(value, self.date1904), 8))}</{p}v>"
            style = self._dated(style or 0, isinstance(value, dt.datetime))
        elif isinstance(value, str):
            if len(value) > MAX_CELL_TEXT:
                raise CellValueError(f"text of {len(value):,} characters is longer than a cell can hold (32,767)")
            text = escape_text(value)
            space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
            typ, body = "inlineStr", f"<{p}is><{p}t{space}>{text}</{p}t></{p}is>"
        else:
            raise CellValueError(f"cannot put a {type(value).__name__} into a cell")
        if fill:
            style = self.filled(style, fill)
        attrs = f'r="{ref}"'
        if style:
            attrs += f' s="{style}"'
        if typ:
            attrs += f' t="{typ}"'
        if not body:
            return f"<{p}c {attrs}/>".encode() if style else None
        return f"<{p}c {attrs}>{body}</{p}c>".encode()

    def _serial_text(self, value: dt.datetime) -> str | None:
        """format_number(round(excel_serial(value), 8)) for an ordinary naive datetime, without the
        checks that only matter for early or zoned ones (which return None: use the general path)."""
        if value.tzinfo is not None:
            return None
        delta = value - self._epoch
        if delta.days < 61:  # before 1 March 1900 (or near the 1904 epoch): the general path adjusts
            return None
        text = repr(round(delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6, 8))
        return text[:-2] if text.endswith(".0") else text

    def filled(self, style: int | None, fill: str) -> int:
        """The style like `style` with a solid background colour."""
        if self.styles is None:
            raise CellValueError("this workbook has no styles part, so cells cannot be coloured")
        try:
            return self.styles.with_fill(style or 0, fill)
        except ValueError as exc:
            raise CellValueError(str(exc)) from None

    def _dated(self, style: int, with_time: bool) -> int:
        key = (style, with_time)
        cached = self._dated_cache.get(key)
        if cached is not None:
            return cached
        if self.styles is None:
            raise CellValueError("this workbook has no styles part, so dates cannot be formatted")
        if self.styles.is_date_style(style):
            result = style
        else:
            result = self.styles.with_number_format(style, DATETIME_FORMAT if with_time else DATE_FORMAT)
        self._dated_cache[key] = result
        return result

    def _plain(self, style: int) -> int:
        """A number written over a date-formatted cell would show as a date: give it "General"."""
        cached = self._plain_cache.get(style)
        if cached is None:
            cached = self.styles.with_number_format(style, "General") if self.styles.is_date_style(style) else style
            self._plain_cache[style] = cached
        return cached
