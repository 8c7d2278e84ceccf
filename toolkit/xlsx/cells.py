"""One cell's XML: turning Python values into <c> elements.

Strings are written as inline strings, so sharedStrings.xml never needs to change; text that
looks like a formula (=, +, -, @) stays text because it is never written as <f>.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from decimal import Decimal

from toolkit.xlsx.refs import column_letter
from toolkit.xlsx.styles import DATE_FORMAT, DATETIME_FORMAT, StyleBook

EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
EPOCH_1900_ORDINAL = EPOCH_1900.toordinal()  # Excel's day 0; every serial in the toolkit counts from these
# Characters XML 1.0 cannot carry (and lone surrogates, which UTF-8 cannot), plus the carriage
# return, which XML readers turn into a line feed; Excel writes them all as _xHHHH_.
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell


class CellValueError(ValueError):
    """A value that cannot be put into a cell."""


def excel_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    if type(value) is dt.date and not date1904:  # a plain date: whole days (as the general path below gives)
        days = value.toordinal() - EPOCH_1900_ORDINAL
        if days >= 61:
            return float(days)
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


def serial_datetime(serial: float, date1904: bool = False) -> dt.datetime:
    """The date and time of an Excel serial number (the inverse of excel_serial); OverflowError or
    ValueError beyond the calendar."""
    if not date1904 and serial < 61:  # before Excel's fictitious 1900-02-29
        serial += 1
    return (EPOCH_1904 if date1904 else EPOCH_1900) + dt.timedelta(days=serial)


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
        self._templates: dict[tuple[int, type], _Template] = {}
        self._templates_for = None

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

    def new_cells(self, row: int, updates: dict[int, object], style_of) -> bytes:
        """The <c> elements of new cells in one row, in column order: the same bytes as encode() gives
        each (`style_of(col)` is the format a new cell of that column takes), built faster.

        A first fill writes millions of new cells, and a column repeats a few values (states, tiers,
        end-of-day deadlines) over and over. So the XML after the row number is made once per column
        and value, and remembered (up to TAILS_PER_COLUMN values a column).
        """
        templates = self._templates_of(style_of)
        out: list[str] = []
        add = out.append
        for c in sorted(updates):
            value = updates[c]
            if value is None:
                continue  # an empty new cell: nothing to write
            t = templates.get((c, type(value))) or self._template(c, type(value), style_of)
            add(f"{t.head}{row}{t.tails[value]}")
        return "".join(out).encode("utf-8")

    def column_tails(self, col: int, values: Sequence, style_of) -> tuple[str, list[str | None]]:
        """A column's new cells as (the XML up to the row number, [the XML after it per value]): cell i
        is head + str(row) + tails[i], the bytes encode() gives it; None for an empty value (no cell)."""
        kinds = set(map(type, values))
        kinds.discard(type(None))
        by_kind = {kind: self._template(col, kind, style_of) for kind in kinds}
        if len(by_kind) == 1:  # one kind of value: each distinct value's tail is made once, looked up after
            (t,) = by_kind.values()
            return t.head, list(map(t.tails.__getitem__, values))
        head = f'<{self.p}c r="{column_letter(col)}'
        return head, [None if v is None else by_kind[type(v)].tails[v] for v in values]

    def datetime_cell_parts(self, col: int, style_of) -> tuple[str, str, str]:
        """(head, before, after): a new datetime cell of the column is head + row + before + serial + after."""
        t = self._template(col, dt.datetime, style_of)
        return t.head, f"{t._mid}<{self.p}v>", f"</{self.p}v></{self.p}c>"

    def _templates_of(self, style_of) -> dict[tuple[int, type], _Template]:
        """The templates of new cells, made with `style_of`'s formats (afresh when another style_of comes)."""
        if style_of != self._templates_for:
            self._templates.clear()
            self._templates_for = style_of
        return self._templates

    def _template(self, col: int, kind: type, style_of) -> _Template:
        templates = self._templates_of(style_of)
        t = templates.get((col, kind))
        if t is None:
            t = templates[(col, kind)] = _Template(self, col, kind, style_of(col))
        return t

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
            styles = self.styles
            dated = styles is not None and styles.is_date_style(style)
            cached = styles.with_number_format(style, "General") if styles is not None and dated else style
            self._plain_cache[style] = cached
        return cached


TAILS_PER_COLUMN = 100_000  # values remembered per column and type (a first fill's columns repeat far fewer)


class _Template:
    """A new cell of one column and value type, as encode() writes it: `head` (up to the row number)
    and, per value, the `tail` after it, remembered where the same value always gives the same text."""

    __slots__ = ("head", "tails", "_mid", "_kind", "_enc", "_style")

    def __init__(self, enc: CellEncoder, col: int, kind: type, style: int | None):
        p = enc.p
        self.head = f'<{p}c r="{column_letter(col)}'
        self.tails = _Tails(self)
        self._kind, self._enc, self._style = kind, enc, style
        if kind is str:
            typ = ' t="inlineStr"'
        elif kind is bool:
            typ = ' t="b"'
        elif kind is dt.datetime or kind is dt.date:
            style, typ = enc._dated(style or 0, kind is dt.datetime), ""
        elif kind is int or kind is float or kind is Decimal:
            if style is not None and enc.styles:
                style = enc._plain(style)
            typ = ""
        else:
            self._mid = None
            return
        s = f' s="{style}"' if style else ""
        self._mid = f'"{s}{typ}>'

    def tail(self, value) -> str | None:
        """The text after the row number (remembered when safe), or None for the general path."""
        mid, kind, p = self._mid, self._kind, self._enc.p
        if mid is None:
            return None
        if kind is str:
            if len(value) > MAX_CELL_TEXT:
                return None  # the general path raises the usual error
            text = escape_text(value)
            space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
            tail = f"{mid}<{p}is><{p}t{space}>{text}</{p}t></{p}is></{p}c>"
        elif kind is bool:
            tail = f"{mid}<{p}v>{int(value)}</{p}v></{p}c>"
        elif kind is dt.datetime or kind is dt.date:
            if kind is dt.datetime and value.tzinfo is not None:
                return None  # equal instants in different zones are different cell values
            serial = self._enc._serial_text(value) if kind is dt.datetime else None
            if serial is None:
                serial = format_number(round(excel_serial(value, self._enc.date1904), 8))
            tail = f"{mid}<{p}v>{serial}</{p}v></{p}c>"
        else:
            tail = f"{mid}<{p}v>{format_number(value)}</{p}v></{p}c>"
            if not value:  # 0.0 and -0.0 (and 0 and Decimal("-0")) are equal but written differently
                return tail
        if len(self.tails) < TAILS_PER_COLUMN:
            self.tails[value] = tail
        return tail

    def general_tail(self, value) -> str:
        """The tail through encode() itself (values without a quick template)."""
        p = self._enc.p
        cell = self._enc.encode("A1", value, self._style)
        assert cell is not None, "an empty value has no tail: new_cells writes no cell for it"
        return cell.decode("utf-8")[len(p) + 8 :]


class _Tails(dict):
    """A template's remembered tails; a missing one is made (and remembered when safe) on lookup."""

    def __init__(self, template: _Template):
        super().__init__()
        self.template = template

    def __missing__(self, value) -> str | None:
        if value is None:
            return None
        tail = self.template.tail(value)
        return self.template.general_tail(value) if tail is None else tail
