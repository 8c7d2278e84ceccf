"""Set up an office folder: the settings file and the two empty workbooks.

:func:`write_workbook` writes a NEW workbook with XlsxWriter: headers (with the other language as
a cell comment), frozen header row, filter, column widths and number formats, drop-down lists for
choice columns and highlighting keyed on the toolkit's flag columns. It is only for files that do
not exist yet (or that the caller explicitly replaces, e.g. ``init --force``): the toolkit never
rewrites a workbook staff are working in with it - that is the job of :mod:`toolkit.xlsx.editor`.

:func:`init_folder` creates ``toolkit.toml`` and the empty register and tracker;
:func:`write_sample` fills a folder with generated sample data (see :mod:`toolkit.jobs.sample_data`).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape as _xml_escape

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_col_to_name

from toolkit.errors import ToolkitError
from toolkit.model.schema import Column, SheetSchema
from toolkit.model.settings import SETTINGS_FILE, default_settings_text, load_settings
from toolkit.xlsx.safety import atomic_write, folder_lock

__all__ = ["init_folder", "settings_file_text", "write_sample", "write_workbook"]

# How far down drop-down lists and highlighting reach in a workbook with few rows.
MIN_FORMATTED_ROWS = 1000
DEFAULT_WIDTH = 12

NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "decimal": "#,##0.00",
    "integer": "0",
    "text": "@",    # so a phone number or ID typed later stays text, not 1.38E+10
    "choice": "@",
}

_STAFF_HEADER = {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
_TOOLKIT_HEADER = {"bold": True, "bg_color": "#D9D9D9", "font_color": "#404040", "border": 1,
                   "text_wrap": True, "valign": "vcenter"}
_OVERDUE = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}      # Excel's "light red fill"
_DUE_SOON = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}     # Excel's "yellow fill"
_ESCALATED = {"bold": True, "font_color": "#C00000"}

_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_FIRST_SAFE_DAY = date(1900, 3, 1)  # before this, Excel's serials are off by its 1900 leap-day bug
_LIST_FORMULA_MAX = 255             # Excel's limit for an inline drop-down list "a,b,c"
_LIST_SHEET = "_lists"


# --------------------------------------------------------------------------------- write_workbook


def write_workbook(path: str | Path, schema: SheetSchema, rows: Iterable[Mapping[str, object]] = (), *,
                   language: str = "zh", big: bool = False, replace: bool = False,
                   keep_backups: int = 10) -> None:
    """Write a new workbook at `path` with one sheet laid out by `schema` and the given rows.

    rows: dicts keyed by canonical column name (a missing key or ``None`` leaves the cell empty).
    language: "zh" or "en" - which header text goes in row 1; the other one becomes its comment.
    big: stream rows to disk (XlsxWriter's constant_memory mode) so hundreds of thousands of rows
    fit in little memory; header comments are left out and drop-downs/highlighting cover only the
    data rows.
    replace: allow replacing an existing file (the old one is kept in .toolkit-backups/); without
    it an existing file is refused.
    """
    path = Path(path)
    if path.exists() and not replace:
        raise ToolkitError("already exists; the toolkit only creates new workbooks this way", path=path,
                           hint="move or rename the existing file first")
    if language not in ("zh", "en"):
        raise ValueError(f"language should be 'zh' or 'en', not {language!r}")
    atomic_write(path, lambda tmp: _write(tmp, schema, rows, language, big), keep_backups=keep_backups)


def _write(target: Path, schema: SheetSchema, rows: Iterable[Mapping[str, object]], language: str,
           big: bool) -> None:
    wb = xlsxwriter.Workbook(str(target), {
        "constant_memory": big,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "nan_inf_to_errors": True,
        "remove_timezone": True,
    })
    try:
        ws = wb.add_worksheet(schema.sheet)
        layout = _Layout(wb, schema)
        columns = schema.columns

        # Columns: width and the type's number format (so later entries get it too).
        for c, col in enumerate(columns):
            ws.set_column(c, c, col.width if col.width else DEFAULT_WIDTH, layout.col_formats[c])

        # Header row.
        ws.set_row(0, 30)
        other = "en" if language == "zh" else "zh"
        for c, col in enumerate(columns):
            fmt = layout.toolkit_header if col.owner == "toolkit" else layout.staff_header
            ws.write_string(0, c, _safe_text(col.header_for(language)), fmt)
            note = col.header_for(other)
            if not big and note and note != col.header_for(language):
                ws.write_comment(0, c, note, {"author": "toolkit"})

        # Data rows, in order (required by constant_memory mode).
        n = _write_rows(ws, layout, rows)

        ncols = len(columns)
        last = n if big else max(n, MIN_FORMATTED_ROWS - 1)   # zero-based last row for formatting
        last = max(last, 1)
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(n, 0), ncols - 1)
        _add_drop_downs(wb, ws, schema, language, last)
        _add_highlighting(wb, ws, schema, last)
        ws.activate()
        wb.set_properties({"title": schema.sheet, "comments": "Created by the office toolkit"})
    finally:
        try:
            wb.close()
        except XlsxWriterException as exc:
            raise ToolkitError(f"could not be written: {exc}", path=target) from None


class _Layout:
    """Formats and per-column writing plans for one sheet."""

    def __init__(self, wb: xlsxwriter.Workbook, schema: SheetSchema):
        self.staff_header = wb.add_format(_STAFF_HEADER)
        self.toolkit_header = wb.add_format(_TOOLKIT_HEADER)
        formats = {kind: wb.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
        self.date_fmt = formats["date"]
        self.datetime_fmt = formats["datetime"]
        self.time_fmt = wb.add_format({"num_format": "hh:mm"})
        self.col_formats = [formats[c.type] for c in schema.columns]
        # name -> (column index, type, format for a value of the column's own type)
        self.plan = {c.name: (i, c.type, formats[c.type]) for i, c in enumerate(schema.columns)}


def _write_rows(ws, layout: _Layout, rows: Iterable[Mapping[str, object]]) -> int:
    plan = layout.plan
    date_fmt, datetime_fmt, time_fmt = layout.date_fmt, layout.datetime_fmt, layout.time_fmt
    write_string, write_number = ws.write_string, ws.write_number
    r = 0
    for r, row in enumerate(rows, start=1):
        for name, value in row.items():
            if value is None:
                continue
            try:
                c, kind, fmt = plan[name]
            except KeyError:
                raise ValueError(f"row {r + 1} has a value for {name!r}, which is not a column of this sheet") from None
            t = type(value)
            if t is str:
                write_string(r, c, _safe_text(value), fmt)
            elif t is datetime or t is date:
                serial = _excel_serial(value)
                if serial is None:  # before 1900-03-01: Excel cannot hold it as a date
                    write_string(r, c, value.isoformat(sep=" ") if t is datetime else value.isoformat(), fmt)
                elif kind == "date" or (t is date and kind != "datetime"):
                    write_number(r, c, serial, date_fmt if kind != "date" else fmt)
                else:
                    write_number(r, c, serial, datetime_fmt if kind != "datetime" else fmt)
            elif t is bool:
                ws.write_boolean(r, c, value)
            elif t is int or t is float or t is Decimal or isinstance(value, (int, float, Decimal)):
                if kind == "text" or kind == "choice":
                    write_string(r, c, _number_text(value), fmt)  # IDs and phones stay text
                else:
                    number = float(value)
                    if math.isfinite(number) or t is float:
                        write_number(r, c, number, fmt)
                    else:
                        write_string(r, c, str(value), fmt)
            elif isinstance(value, datetime) or isinstance(value, date):  # subclasses
                serial = _excel_serial(value)
                if serial is None:
                    write_string(r, c, value.isoformat(), fmt)
                else:
                    write_number(r, c, serial, fmt if kind in ("date", "datetime") else datetime_fmt)
            elif isinstance(value, time):
                write_number(r, c, (value.hour * 3600 + value.minute * 60 + value.second) / 86400, time_fmt)
            else:
                write_string(r, c, _safe_text(str(value)), fmt)
    return r


def _excel_serial(value: date) -> float | None:
    """Excel's day number for a date or (naive or aware, taken as wall-clock) datetime."""
    day = value.date() if isinstance(value, datetime) else value
    if day < _FIRST_SAFE_DAY:
        return None
    days = value.toordinal() - _EXCEL_EPOCH
    if isinstance(value, datetime):
        return days + (value.hour * 3600 + value.minute * 60 + value.second) / 86400 + value.microsecond / 86_400e6
    return days


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
        ws.data_validation(1, c, last, c, {
            "validate": "list",
            "source": _list_source(wb, ws, col.choices, state),
            "ignore_blank": True,
            # A warning, not a stop: the toolkit also accepts English spellings (choice aliases).
            "error_type": "warning",
            "error_title": header[:32],
            "error_message": f"请从下拉列表中选择 (choose from the list): {allowed}"[:255],
        })


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
            ws.conditional_format(1, 0, last, ncols - 1, {
                "type": "formula",
                "criteria": f'=ISNUMBER(SEARCH("{text}",${col}2))',
                "format": wb.add_format(props),
            })

    if schema.role == "tracker":
        row_rule("sla_state", "逾期", _OVERDUE)
        row_rule("sla_state", "即将到期", _DUE_SOON)
        col = letter("escalation_level")
        if col is not None:
            c = schema.columns.index(schema.column("escalation_level"))
            ws.conditional_format(1, c, last, c, {
                "type": "formula",
                "criteria": f'=OR(LEFT(TRIM(${col}2),2)="L2",LEFT(TRIM(${col}2),2)="L3")',
                "format": wb.add_format(_ESCALATED),
            })
    elif schema.role == "register":
        row_rule("visit_flag", "逾期", _OVERDUE)


# --------------------------------------------------------------------------------- init_folder


def settings_file_text() -> str:
    """The starter `toolkit.toml`: a commented header and the [files] table with the defaults."""
    files = tomllib.loads(default_settings_text())["files"]
    try:
        shipped = str(resources.files("toolkit").joinpath("defaults/settings.toml"))
    except Exception:  # pragma: no cover - an unusual install
        shipped = "toolkit/defaults/settings.toml (inside the installed toolkit)"

    def value(v) -> str:
        return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else str(v)

    comments = {
        "register": "客户台账 - the customer register",
        "tracker": "投诉跟踪表 - the complaint / service-request tracker",
        "backups_kept": "backups kept per workbook in .toolkit-backups/",
        "header_language": "zh or en: headers written for new workbooks and new columns",
    }
    lines = [
        "# 工具设置 - settings for the office toolkit in this folder",
        "#",
        "# Write here only what you want to change; every setting left out keeps its shipped default.",
        "# The shipped defaults, with every setting and what it means, are in:",
        f"#   {shipped}",
        "# Copy a line or a whole section from there into this file and change it here, e.g. to add",
        "# a channel to the drop-down list:",
        "#",
        "#   [choices]",
        '#   channel = ["电话", "邮件", "在线", "现场", "书面", "微信"]',
        "#",
        "# What you can change: the workbook file names, how many backups are kept, the header",
        "# language, column headers and the other header texts accepted for a column, the choice",
        "# lists and the English spellings accepted for them, and the rules in the other sections of",
        "# the shipped defaults (deadlines, tiers, ...).",
        "# If you rename a workbook here, rename the file itself too.",
        "",
        "[files]",
    ]
    for key, v in files.items():
        text = f"{key} = {value(v)}"
        note = comments.get(key)
        lines.append(f"{text:<34} # {note}" if note else text)
    return "\n".join(lines) + "\n"


def init_folder(folder: str | Path, *, force: bool = False) -> list[Path]:
    """Create `folder` (if needed) with `toolkit.toml` and the empty register and tracker.

    Refuses if any of those files exists, unless `force` (replaced workbooks are kept in
    .toolkit-backups/). Returns the paths written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ToolkitError("is a file, not a folder", path=folder)
    settings_path = folder / SETTINGS_FILE
    files = tomllib.loads(default_settings_text())["files"]
    targets = [settings_path, folder / files["register"], folder / files["tracker"]]
    keep = int(files["backups_kept"])
    if settings_path.exists():
        try:  # the names an existing settings file gives, too
            current = load_settings(folder)
            targets += [current.register_path, current.tracker_path]
            keep = current.backups_kept
        except ToolkitError:
            pass
    existing = list(dict.fromkeys(p for p in targets if p.exists()))
    if existing and not force:
        names = ", ".join(p.name for p in existing)
        raise ToolkitError(f"already has {names}; nothing was changed", path=folder,
                           hint="use force to replace them with new, empty files; the old ones are kept in "
                                ".toolkit-backups/")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ToolkitError(f"could not create the folder: {exc.strerror or exc}", path=folder) from None
    with folder_lock(folder):
        text = settings_file_text()
        atomic_write(settings_path, lambda tmp: tmp.write_text(text, encoding="utf-8"), keep_backups=keep)
        settings = load_settings(folder)
        written = [settings_path]
        for path, schema in ((settings.register_path, settings.register), (settings.tracker_path, settings.tracker)):
            write_workbook(path, schema, language=settings.header_language, replace=force,
                           keep_backups=settings.backups_kept)
            written.append(path)
    return written


# --------------------------------------------------------------------------------- write_sample


def _is_empty_workbook(path: Path, sheet: str) -> bool:
    """True if `path` holds nothing but a header row on `sheet` (e.g. straight after init)."""
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        try:
            if sheet not in wb.sheet_names:
                return False
            rows = wb.get_sheet_by_name(sheet).iter_rows()
            next(rows, None)  # the header row
            for row in rows:
                if any(v is not None and v != "" for v in row):
                    return False
            return True
        finally:
            wb.close()
    except Exception:
        return False


def write_sample(folder: str | Path, data, *, big: bool = False, force: bool = False) -> list[Path]:
    """Write sample data (see :func:`toolkit.jobs.sample_data.generate`) into the folder's workbooks.

    The folder's settings decide file names, sheets and headers. An existing workbook is replaced
    only if it holds no data rows (e.g. straight after ``init``) or with `force` (the old one is kept
    in .toolkit-backups/). Returns the paths written.
    """
    folder = Path(folder)
    settings = load_settings(folder)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = ((settings.register_path, settings.register, data.customers),
            (settings.tracker_path, settings.tracker, data.complaints))
    for path, schema, _rows in jobs:
        if path.exists() and not force and not _is_empty_workbook(path, schema.sheet):
            raise ToolkitError("already holds data; sample data would replace it", path=path,
                               hint="use an empty folder for sample data, or force to replace the file")
    written = []
    with folder_lock(folder):
        for path, schema, rows in jobs:
            write_workbook(path, schema, rows, language=settings.header_language, big=big, replace=True,
                           keep_backups=settings.backups_kept)
            written.append(path)
    return written
