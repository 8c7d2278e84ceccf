"""New workbooks laid out by a :class:`~toolkit.model.schema.SheetSchema`.

:func:`write_workbook` writes a NEW workbook with XlsxWriter: headers (with the other language as
a cell comment), frozen header row, filter, column widths and number formats, drop-down lists for
choice columns and highlighting keyed on the toolkit's flag columns. It is only for files that do
not exist yet (or that the caller explicitly replaces, e.g. ``init --force``): the toolkit never
rewrites a workbook staff are working in with it - that is the job of :mod:`toolkit.xlsx.editor`.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_col_to_name

from toolkit.errors import ToolkitError
from toolkit.i18n import _
from toolkit.model.schema import SheetSchema
from toolkit.xlsx.cells import EPOCH_1900_ORDINAL, escape_text, excel_serial, format_number
from toolkit.xlsx.safety import atomic_write

__all__ = ["write_workbook"]

# How far down drop-down lists and highlighting reach in a workbook with few rows.
MIN_FORMATTED_ROWS = 1000
DEFAULT_WIDTH = 12

NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "decimal": "#,##0.00",
    "integer": "0",
    "text": "@",  # so a phone number or ID typed later stays text, not 1.38E+10
    "choice": "@",
}

_STAFF_HEADER = {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
_TOOLKIT_HEADER = {
    "bold": True,
    "bg_color": "#D9D9D9",
    "font_color": "#404040",
    "border": 1,
    "text_wrap": True,
    "valign": "vcenter",
}
_OVERDUE = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}  # Excel's "light red fill"
_DUE_SOON = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}  # Excel's "yellow fill"
_ESCALATED = {"bold": True, "font_color": "#C00000"}

_FIRST_SAFE_DAY = date(1900, 3, 1)  # before this, Excel's serials are off by its 1900 leap-day bug
_LIST_FORMULA_MAX = 255  # Excel's limit for an inline drop-down list "a,b,c"
_LIST_SHEET = "_lists"


# --------------------------------------------------------------------------------- write_workbook


def write_workbook(
    path: str | Path,
    schema: SheetSchema,
    rows: Iterable[Mapping[str, Any]] = (),
    *,
    language: str = "zh",
    big: bool = False,
    replace: bool = False,
    keep_backups: int = 10,
) -> None:
    """Write a new workbook at `path` with one sheet laid out by `schema` and the given rows.

    rows: dicts keyed by canonical column name (a missing key or ``None`` leaves the cell empty);
    values may be str, int, float, Decimal, date, datetime or None. Text columns always get text
    (an ID or phone given as a number is written as its digits), never a number.
    language: "zh" or "en" - which header text goes in row 1; the other one becomes its comment.
    big: for hundreds of thousands of rows - rows are streamed to the file in order, so they take
    little memory (a list of rows is streamed as it is; any other iterable is first spooled to a
    temporary file beside `path`); header comments are left out, and drop-downs and highlighting
    cover only the data rows.
    replace: allow replacing an existing file (the old one is kept in .toolkit-backups/, up to
    `keep_backups` of them); without it an existing file is refused.
    """
    path = Path(path)
    if path.exists() and not replace:
        raise ToolkitError(
            _("already exists; the toolkit only creates new workbooks this way"),
            path=path,
            hint=_("move or rename the existing file first"),
        )
    if language not in ("zh", "en"):
        raise ValueError(f"language should be 'zh' or 'en', not {language!r}")
    write = _write_big if big else _write_small
    try:
        atomic_write(path, lambda tmp: write(tmp, schema, rows, language), keep_backups=keep_backups)
    except ToolkitError as exc:
        if exc.path != str(path):  # name the workbook, not the temporary file it was written to
            raise type(exc)(exc.message, path=path, hint=exc.hint) from None
        raise


def _new_workbook(target: Path, *, constant_memory: bool) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(
        str(target),
        {
            "constant_memory": constant_memory,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
            "remove_timezone": True,
        },
    )


class _Layout:
    """The sheet's formats, column set-up and header row."""

    def __init__(self, wb: xlsxwriter.Workbook, ws, schema: SheetSchema, language: str, comments: bool):
        self.schema = schema
        self.staff_header = wb.add_format(_STAFF_HEADER)
        self.toolkit_header = wb.add_format(_TOOLKIT_HEADER)
        self.formats = {kind: wb.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
        self.time_fmt = wb.add_format({"num_format": "hh:mm"})
        # name -> (column index, type, format for a value of the column's own type)
        self.plan = {c.name: (i, c.type, self.formats[c.type]) for i, c in enumerate(schema.columns)}

        # Columns: width and the type's number format (so later entries get it too).
        for c, col in enumerate(schema.columns):
            ws.set_column(c, c, col.width if col.width else DEFAULT_WIDTH, self.formats[col.type])
        # Header row; the other language's header as a comment.
        ws.set_row(0, 30)
        other = "en" if language == "zh" else "zh"
        for c, col in enumerate(schema.columns):
            fmt = self.toolkit_header if col.owner == "toolkit" else self.staff_header
            text = col.header_for(language)
            ws.write_string(0, c, _safe_text(text), fmt)
            note = col.header_for(other)
            if comments and note and note != text:
                ws.write_comment(0, c, note, {"author": "toolkit"})

    def finish(self, wb, ws, language: str, n: int, last: int) -> None:
        """Frozen header, filter, drop-downs and highlighting, for `n` data rows (formatting to `last`)."""
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, n, len(self.schema.columns) - 1)
        _add_drop_downs(wb, ws, self.schema, language, last)
        _add_highlighting(wb, ws, self.schema, last)
        ws.activate()
        wb.set_properties({"title": self.schema.sheet, "comments": "Created by the office toolkit"})


def _abandon(wb: xlsxwriter.Workbook) -> None:
    """Close a workbook whose writing failed (its file is a temporary one that is deleted)."""
    with contextlib.suppress(Exception):
        wb.close()


def _close(wb: xlsxwriter.Workbook, target: Path) -> None:
    try:
        wb.close()
    except XlsxWriterException as exc:
        raise ToolkitError(_("could not be written: {reason}").format(reason=exc), path=target) from None


def _check_rows(n: int, target: Path) -> None:
    if n + 1 > _MAX_ROWS:
        raise ToolkitError(
            _("{n:,} rows do not fit in one sheet (Excel's limit is {value:,} rows below the header)").format(
                n=n, value=_MAX_ROWS - 1
            ),
            path=target,
        )


# ---------------------------------------------------------------- small workbooks: plain XlsxWriter


def _write_small(target: Path, schema: SheetSchema, rows: Iterable[Mapping[str, Any]], language: str) -> None:
    wb = _new_workbook(target, constant_memory=False)
    try:
        ws = wb.add_worksheet(schema.sheet)
        layout = _Layout(wb, ws, schema, language, comments=True)
        n = _write_rows(ws, layout, rows)
        _check_rows(n, target)
        layout.finish(wb, ws, language, n, max(n, MIN_FORMATTED_ROWS - 1))
    except BaseException:
        _abandon(wb)
        raise
    _close(wb, target)


def _write_rows(ws, layout: _Layout, rows: Iterable[Mapping[str, Any]]) -> int:
    plan = layout.plan
    date_fmt, datetime_fmt, time_fmt = layout.formats["date"], layout.formats["datetime"], layout.time_fmt
    write_string, write_number = ws.write_string, ws.write_number
    r = 0
    for r, row in enumerate(rows, start=1):
        for name, value in row.items():
            if value is None:
                continue
            try:
                c, kind, fmt = plan[name]
            except KeyError:
                raise _unknown_column(name, r) from None
            t = type(value)
            if t is str:
                if len(value) > _MAX_TEXT:
                    raise _too_long(layout.schema, c, r, value)
                write_string(r, c, _safe_text(value), fmt)
            elif t is bool:
                ws.write_boolean(r, c, value)
            elif t is int or t is float or t is Decimal:
                if kind == "text" or kind == "choice":
                    write_string(r, c, _number_text(value), fmt)  # IDs and phones stay text
                else:
                    write_number(r, c, float(value), fmt)
            elif isinstance(value, date):  # date or datetime
                serial, with_time = _excel_serial(value)
                if serial is None:  # before 1900-03-01: Excel cannot hold it as a date
                    write_string(r, c, _iso(value), fmt)
                elif kind == "date" or kind == "datetime":
                    write_number(r, c, serial, fmt)
                else:
                    write_number(r, c, serial, datetime_fmt if with_time else date_fmt)
            elif isinstance(value, time):
                write_number(r, c, _time_serial(value), time_fmt)
            elif isinstance(value, (int, float, Decimal)):
                if kind == "text" or kind == "choice":
                    write_string(r, c, _number_text(value), fmt)
                else:
                    write_number(r, c, float(value), fmt)
            else:
                text = str(value)
                if len(text) > _MAX_TEXT:
                    raise _too_long(layout.schema, c, r, text)
                write_string(r, c, _safe_text(text), fmt)
    return r


# ---------------------------------------------------------------- big workbooks: streamed rows
#
# XlsxWriter spends about 10 microseconds on every cell, which is minutes for 300,000 rows. So for
# big workbooks XlsxWriter writes everything except the data rows (styles, header, column set-up,
# drop-downs, highlighting, filter, frozen panes), and the data rows are streamed into its sheet
# XML here, as inline strings and numbers with the style numbers XlsxWriter gave the formats.

_SHEET_PART = "xl/worksheets/sheet1.xml"  # XlsxWriter names sheets in the order they were added
_FLUSH_ROWS = 2000


def _write_big(target: Path, schema: SheetSchema, rows: Iterable[Mapping[str, Any]], language: str) -> None:
    head_path = target.with_name(target.name + ".head")
    spool_path = target.with_name(target.name + ".rows")
    try:
        wb = _new_workbook(head_path, constant_memory=True)
        try:
            ws = wb.add_worksheet(schema.sheet)
            layout = _Layout(wb, ws, schema, language, comments=False)
            encoder = _RowEncoder(schema, layout)
            if hasattr(rows, "__len__"):
                n = len(rows)  # type: ignore[arg-type]
            else:  # an iterator can be read only once: spool its rows to count them
                with open(spool_path, "w", encoding="utf-8", newline="") as fh:
                    n = encoder.stream(rows, fh.write)
                rows = ()
            _check_rows(n, target)
            layout.finish(wb, ws, language, n, max(n, 1))
        except BaseException:
            _abandon(wb)
            raise
        _close(wb, head_path)
        with (
            zipfile.ZipFile(head_path) as zin,
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=_BIG_LEVEL) as zout,
        ):
            for info in zin.infolist():
                if info.filename != _SHEET_PART:
                    zout.writestr(info, zin.read(info))
                    continue
                xml = zin.read(info).decode("utf-8")
                cut = xml.index("</sheetData>")
                head, tail = xml[:cut], xml[cut:]
                if n:
                    last_col = xl_col_to_name(len(schema.columns) - 1)
                    head = re.sub(
                        r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_col}{n + 1}"/>', head, count=1
                    )
                with zout.open(_SHEET_PART, "w", force_zip64=n > 400_000) as out:
                    out.write(head.encode("utf-8"))
                    if spool_path.exists():
                        with open(spool_path, "rb") as fh:
                            shutil.copyfileobj(fh, out, 1 << 20)
                    else:
                        written = encoder.stream(rows, lambda s: out.write(s.encode("utf-8")))
                        if written != n:
                            raise ValueError(f"rows gave {written} rows but its len() said {n}")
                    out.write(tail.encode("utf-8"))
    finally:
        for p in (head_path, spool_path):
            with contextlib.suppress(OSError):
                p.unlink()


_BIG_LEVEL = 1  # zlib level for the big sheet: 3x faster than the usual 6, files about a third bigger
# Anything that needs more than copying the text: XML specials, Excel's _xHHHH_ escapes, control
# characters (the carriage return among them: XML readers would turn it into a line feed), and
# whitespace Excel would drop without xml:space="preserve".
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0a-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^\s|\s$")


class _RowEncoder:
    """Data rows as sheet XML, styled with the formats XlsxWriter registered for the columns."""

    def __init__(self, schema: SheetSchema, layout: _Layout):
        # XF numbers for the formats; asked before the workbook is closed, as XlsxWriter itself does
        # when it writes a cell with a format, so that the styles part lists them.
        xf = {kind: fmt._get_xf_index() for kind, fmt in layout.formats.items()}
        self.time_xf = layout.time_fmt._get_xf_index()
        self.date_xf, self.datetime_xf = xf["date"], xf["datetime"]
        self.schema = schema
        # name, '<c r="B', type, style, the rest of a text cell's start, the rest of a number cell's start
        self.order = [
            (
                c.name,
                f'<c r="{xl_col_to_name(i)}',
                c.type,
                xf[c.type],
                f'" s="{xf[c.type]}" t="inlineStr"><is><t>',
                f'" s="{xf[c.type]}"><v>',
            )
            for i, c in enumerate(schema.columns)
        ]
        self.names = frozenset(c.name for c in schema.columns)

    def stream(self, rows: Iterable[Mapping[str, Any]], write) -> int:
        order, names, special = self.order, self.names, _SPECIAL.search
        epoch = EPOCH_1900_ORDINAL
        first_safe = _FIRST_SAFE_DAY
        parts: list[str] = []
        add = parts.append
        r = 1
        for r, row in enumerate(rows, start=2):
            if not row.keys() <= names:
                raise _unknown_column(next(k for k in row if k not in names), r - 1)
            rs = str(r)
            add(f'<row r="{rs}">')
            get = row.get
            for name, pre, kind, s, text_open, num_open in order:
                value = get(name)
                if value is None:
                    continue
                t = type(value)
                if t is str:
                    if special(value) is None and len(value) <= _MAX_TEXT:
                        add(f"{pre}{rs}{text_open}{value}</t></is></c>")
                    else:
                        add(self._text(pre + rs, s, value, r))
                elif t is datetime:
                    if value.year < 1901 and value.date() < first_safe:
                        add(self._other(pre + rs, s, kind, value, r))
                        continue
                    # excel_serial's arithmetic, inline for the big sheets (test_new_workbook_serials)
                    serial = (
                        value.toordinal()
                        - epoch
                        + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
                        + value.microsecond / 86400e6
                    )
                    if kind == "datetime" or kind == "date":
                        add(f"{pre}{rs}{num_open}{serial!r}</v></c>")
                    else:
                        add(f'{pre}{rs}" s="{self.datetime_xf}"><v>{serial!r}</v></c>')
                elif t is date:
                    if value < first_safe:
                        add(self._other(pre + rs, s, kind, value, r))
                    elif kind == "date" or kind == "datetime":
                        add(f"{pre}{rs}{num_open}{value.toordinal() - epoch}</v></c>")
                    else:
                        add(f'{pre}{rs}" s="{self.date_xf}"><v>{value.toordinal() - epoch}</v></c>')
                elif (t is int or t is float or t is Decimal) and kind != "text" and kind != "choice":
                    number = float(value)
                    if number - number != 0.0:  # inf or nan
                        add(f'{pre}{rs}" s="{s}" t="e"><v>#NUM!</v></c>')
                    elif number.is_integer() and abs(number) < 1e15:
                        add(f"{pre}{rs}{num_open}{int(number)}</v></c>")
                    else:
                        add(f"{pre}{rs}{num_open}{number!r}</v></c>")
                else:
                    add(self._other(pre + rs, s, kind, value, r))
            add("</row>")
            if r % _FLUSH_ROWS == 0:
                write("".join(parts))
                parts.clear()
        if parts:
            write("".join(parts))
        return r - 1

    def _text(self, ref: str, s: int, value: str, r: int) -> str:
        if len(value) > _MAX_TEXT:
            c = next(i for i, col in enumerate(self.schema.columns) if f'<c r="{xl_col_to_name(i)}{r}' == ref)
            raise _too_long(self.schema, c, r - 1, value)
        return f'{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{escape_text(value)}</t></is></c>'

    def _other(self, ref: str, s: int, kind: str, value, r: int) -> str:
        """The rare cases: numbers in text columns, booleans, times, old dates, other objects."""
        if isinstance(value, bool):
            return f'{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float, Decimal)):
            if kind == "text" or kind == "choice":
                return f'{ref}" s="{s}" t="inlineStr"><is><t>{_number_text(value)}</t></is></c>'
            number = float(value)
            if number - number != 0.0:
                return f'{ref}" s="{s}" t="e"><v>#NUM!</v></c>'
            return f'{ref}" s="{s}"><v>{number!r}</v></c>'
        if isinstance(value, date):  # subclasses, and dates Excel cannot hold
            serial, with_time = _excel_serial(value)
            if serial is None:
                return self._text(ref, s, _iso(value), r)
            if kind not in ("date", "datetime"):
                s = self.datetime_xf if with_time else self.date_xf
            return f'{ref}" s="{s}"><v>{format_number(serial)}</v></c>'
        if isinstance(value, time):
            return f'{ref}" s="{self.time_xf}"><v>{_time_serial(value)!r}</v></c>'
        return self._text(ref, s, str(value), r)


# ---------------------------------------------------------------- shared helpers

_MAX_ROWS = 1_048_576
_MAX_TEXT = 32_767


def _unknown_column(name: str, data_row: int) -> ValueError:
    return ValueError(f"data row {data_row} has a value for {name!r}, which is not a column of this sheet")


def _too_long(schema: SheetSchema, c: int, data_row: int, text: str) -> ToolkitError:
    col = schema.columns[c]
    return ToolkitError(
        _(
            "row {value}, column '{header}': text of {n:,} characters is longer than a cell can hold ({MAX_TEXT:,})"
        ).format(value=data_row + 1, header=col.header, n=len(text), MAX_TEXT=_MAX_TEXT)
    )


def _excel_serial(value: date) -> tuple[float | None, bool]:
    """Excel's day number for a date or datetime (None before 1 March 1900, where Excel's own 1900
    leap-day bug makes serials ambiguous), and whether it has a time."""
    with_time = isinstance(value, datetime)
    if (value.date() if isinstance(value, datetime) else value) < _FIRST_SAFE_DAY:
        return None, with_time
    return excel_serial(value), with_time


def _iso(value: date) -> str:
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()


def _time_serial(value: time) -> float:
    return (value.hour * 3600 + value.minute * 60 + value.second) / 86400 + value.microsecond / 86_400e6


def _number_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(value)


def _safe_text(s: str) -> str:
    """Text XlsxWriter stores verbatim: it passes '<r>...</r>' through as raw rich-text XML."""
    if s.startswith("<r>") and s.endswith("</r>"):
        return f'<r><t xml:space="preserve">{_xml_escape(s)}</t></r>'
    return s


def _list_source(wb: xlsxwriter.Workbook, ws, choices: tuple[str, ...], state: dict) -> list | str:
    """An inline list if Excel allows it, else a range on a hidden sheet."""
    inline = ",".join(choices)
    if len(inline) <= _LIST_FORMULA_MAX and not any("," in v or '"' in v for v in choices):
        return list(choices)
    if "sheet" not in state:
        state["sheet"] = wb.add_worksheet(_LIST_SHEET)
        state["sheet"].hide()
        state["col"] = 0
    sheet, col = state["sheet"], state["col"]
    for r, v in enumerate(choices):
        sheet.write_string(r, col, _safe_text(v))
    state["col"] = col + 1
    letter = xl_col_to_name(col)
    return f"='{_LIST_SHEET}'!${letter}$1:${letter}${len(choices)}"


def _add_drop_downs(wb, ws, schema: SheetSchema, language: str, last: int) -> None:
    """Drop-down lists on staff choice columns (computed columns are filled by the toolkit)."""
    state: dict = {}
    for c, col in enumerate(schema.columns):
        if col.type != "choice" or not col.choices or col.owner == "toolkit":
            continue
        header = col.header_for(language)
        allowed = "、".join(col.choices)
        ws.data_validation(
            1,
            c,
            last,
            c,
            {
                "validate": "list",
                "source": _list_source(wb, ws, col.choices, state),
                "ignore_blank": True,
                # A warning, not a stop: the toolkit also accepts English spellings (choice aliases).
                "error_type": "warning",
                "error_title": header[:32],
                "error_message": f"请从下拉列表中选择 (choose from the list): {allowed}"[:255],
            },
        )


def _add_highlighting(wb, ws, schema: SheetSchema, last: int) -> None:
    ncols = len(schema.columns)

    def letter(name: str) -> str | None:
        for i, col in enumerate(schema.columns):
            if col.name == name:
                return xl_col_to_name(i)
        return None

    def row_rule(flag: str, text: str, props: dict) -> None:
        col = letter(flag)
        if col is not None:
            ws.conditional_format(
                1,
                0,
                last,
                ncols - 1,
                {
                    "type": "formula",
                    "criteria": f'=ISNUMBER(SEARCH("{text}",${col}2))',
                    "format": wb.add_format(props),
                },
            )

    if schema.role == "tracker":
        row_rule("sla_state", "逾期", _OVERDUE)
        row_rule("sla_state", "即将到期", _DUE_SOON)
        col = letter("escalation_level")
        if col is not None:
            c = schema.columns.index(schema.column("escalation_level"))
            ws.conditional_format(
                1,
                c,
                last,
                c,
                {
                    "type": "formula",
                    "criteria": f'=OR(LEFT(TRIM(${col}2),2)="L2",LEFT(TRIM(${col}2),2)="L3")',
                    "format": wb.add_format(_ESCALATED),
                },
            )
    elif schema.role == "register":
        row_rule("visit_flag", "逾期", _OVERDUE)
