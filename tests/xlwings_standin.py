"""A stand-in for Excel as xlwings 0.37.8 drives it, for the calls toolkit/excel/live.py makes.

Excel does not run on Linux, so the live adapter is tested against this in-memory model - the only
stand-in in the project. It must be as strict as the real thing, never kinder; each behaviour below
names the xlwings 0.37.8 source (the installed package: xlwings/main.py, _xlwindows.py, _xlmac.py,
utils.py, conversion/standard.py, base_classes.py) or the Excel behaviour it models.

What it models
- Book.fullname: xlwings' own conversion of a OneDrive/SharePoint address, called for real
  (_xlwindows.py Book.fullname: ``if "://" in self.xl.FullName: config = read_config_sheet(...);
  return fullname_url_to_local_path(url=..., sheet_onedrive_consumer_config=config.get(
  "ONEDRIVE_CONSUMER_WIN"), ...)``), so an unsynced file raises what xlwings raises (XlwingsError
  "Couldn't find your local OneDrive file", "Couldn't find your SharePoint file locally", and for
  SharePoint without a configured root even UnboundLocalError: utils.py reads ``root`` that only
  the SHAREPOINT/OneDriveCommercial branches assign).
- Range.value assignment as xlwings' ValueAccessor.writer does it (conversion/standard.py):
  Ensure2DStage; CleanDataForWriteStage with _xlwindows.Engine.prepare_xl_data_element (``x is
  None -> ""``, dates -> COM time); WriteValueToRangeStage, which resizes the range to the data and
  splits a write above ``DEFAULT_MAX_CELLS_PER_WRITE = 100_000`` cells (base_classes.py) into chunks
  of ``budget // ncols`` rows, each chunk one ``self.xl.Value = data`` (_xlwindows.py raw_value) -
  one counted call. Reads likewise above ``DEFAULT_MAX_CELLS_PER_READ = 4_000_000``.
- What Excel does with each assigned value, as if typed (see `typed`): text that looks like a number,
  a date or time (5-Mar, March 5, 2025年3月5日, 12:30), TRUE/FALSE, an error value (#N/A) or a
  formula (= + - @) is converted; a leading ' keeps the rest as text and marks the cell's style
  (PrefixCharacter); numbers keep 15 significant digits; "" empties the cell.
- Reading: numbers come back as floats, error values as None (_xlwindows._clean_value_data_element:
  ``elif isinstance(value, int) and value in cell_errors: ... return None``), a single cell as a
  scalar and a single row or column as a flat list unless ndim=2 (AdjustDimensionsStage).
  Range.formula is the raw COM value: a str for one cell, tuples of rows otherwise.
- Refusals Excel makes: a write touching a locked cell of a protected sheet, or part of a merged
  cell, raises (COM error 0x800A03EC); a read-only workbook saves nothing (Workbook.Save raises with
  DisplayAlerts off, which Book.save sets: ``with self.app.properties(display_alerts=False)``); a save
  can be made to fail (disk full, file locked by the sync client); Excel busy (a cell being edited)
  rejects a call with RPC_E_CALL_REJECTED.
- Range.merge_cells and Range.api.Locked answer True, False or None (COM's Null) for a mixed range.
- Book.caller(): sys.argv parsed exactly as main.py does (``--wb=``, ``--from_xl``, ``--hwnd``);
  on Windows the Excel is found by its window handle and the book by name (``app.books[name]``);
  on a Mac by name across every Excel (``Book(name, from_xl=True)``), refusing a name open twice.
- .api: COM (ReadOnly, ProtectContents, Locked) or appscript (read_only.get(), ...) by `platform`.
- App.alert validates buttons and mode like _xlwindows.App.alert (``buttons_dict[buttons]``,
  ``modes[mode]``: anything else is a KeyError).
- Every call that is a round trip to Excel is counted in ``App._calls`` (and each range write,
  chunk by chunk, in ``App._writes``), so the write budget is measured, not estimated.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from python_calamine import CalamineWorkbook

MAX_CELLS_PER_WRITE = 100_000  # xlwings/base_classes.py DEFAULT_MAX_CELLS_PER_WRITE
MAX_CELLS_PER_READ = 4_000_000  # xlwings/base_classes.py DEFAULT_MAX_CELLS_PER_READ
E_FAIL = -2146827284  # 0x800A03EC, what Excel's COM answers when it refuses
DISP_E_EXCEPTION = -2147352567
RPC_E_CALL_REJECTED = -2147418111
APPS: dict[int, App] = {}  # window handle -> Excel, for Book.caller()
PLATFORM = {"name": "win"}  # "win" or "mac": which branch of xlwings' Book.caller() runs


class com_error(Exception):  # noqa: N801 - named like pywintypes.com_error, which COM calls raise
    def __init__(self, hresult: int, text: str, excepinfo=None, argerror=None):
        super().__init__(hresult, text, excepinfo, argerror)
        self.hresult, self.strerror, self.excepinfo = hresult, text, excepinfo

    def __str__(self):
        return str(self.args)


def excel_refuses(description: str) -> com_error:
    """What a COM call gets when Excel itself refuses: DISP_E_EXCEPTION with Excel's description in the
    excepinfo, e.g. (-2147352567, 'Exception occurred.', (0, 'Microsoft Excel', 'Cannot change part of a
    merged cell.', 'xlmain11.chm', 0, -2146827284), None)."""
    return com_error(
        DISP_E_EXCEPTION, "Exception occurred.", (0, "Microsoft Excel", description, "xlmain11.chm", 0, E_FAIL), None
    )


@dataclass(frozen=True)
class XlError:
    """A cell error value (#N/A, #NAME?, ...)."""

    text: str


_ERRORS = (
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
)
_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_NUMBER = re.compile(
    r"^([+-]?)\s*\(?\s*[$¥€£]?\s*([+-]?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)"
    r"(?:[eE]([+-]?\d+))?\s*\)?\s*(%?)$"
)
_FRACTION = re.compile(r"^([+-]?\d+)\s+(\d+)/(\d+)$")
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]m?)?"
_TIME_ONLY = re.compile(rf"^{_TIME}$|^(\d{{1,2}})\s*([ap]m?)$", re.IGNORECASE)
_YMD = re.compile(rf"^(\d{{4}})[-/](\d{{1,2}})[-/](\d{{1,2}})(?:\s+{_TIME})?$", re.IGNORECASE)
_MDY = re.compile(r"^(\d{1,2})[-/](\d{1,2})(?:[-/](\d{2,4}))?$")
_D_MON = re.compile(rf"^(\d{{1,2}})[-\s/]*{_MONTH}\.?(?:[-\s/,]+(\d{{2,4}}))?$", re.IGNORECASE)
_MON_D = re.compile(rf"^{_MONTH}\.?[-\s/]*(\d{{1,4}})(?:,?\s*(\d{{2,4}}))?$", re.IGNORECASE)
_CJK = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日)?(?:\s*(\d{1,2})[:时](\d{2})分?)?$")


def _year(text: str | None, default: int = 2026) -> int:
    if not text:
        return default
    y = int(text)
    return y + 2000 if y < 30 else y + 1900 if y < 100 else y


def _date(y: int, m: int, d: int, hh=0, mm=0, ss=0) -> dt.datetime | None:
    try:
        return dt.datetime(y, m, d, hh, mm, ss)
    except ValueError:
        return None


def typed(text: str):
    """What Excel stores when `text` is assigned to Range.Value: (value, formula or None, prefix)."""
    if text == "":
        return None, None, False
    if text.startswith("'"):
        return (text[1:] or None), None, True
    t = unicodedata.normalize("NFKC", text)  # East Asian Excel reads full-width digits and signs as ASCII
    s = t.strip()
    if s.upper() in _ERRORS:
        return XlError(s.upper()), None, False
    if s.upper() in ("TRUE", "FALSE"):
        return s.upper() == "TRUE", None, False
    m = _NUMBER.match(s)
    if m and (m.group(1) == "" or m.group(2) == ""):
        x = float(m.group(3).replace(",", "")) * 10 ** int(m.group(4) or 0)
        if "-" in (m.group(1), m.group(2)) or (s.startswith("(") and s.endswith(")")):
            x = -x
        if m.group(5):
            x /= 100
        return float(f"{x:.15g}"), None, False  # Excel keeps 15 significant digits
    m = _FRACTION.match(s)
    if m and int(m.group(3)):
        whole = int(m.group(1))
        return whole + math.copysign(int(m.group(2)) / int(m.group(3)), whole or 1), None, False
    for pattern, build in (
        (_YMD, lambda g: _date(int(g[0]), int(g[1]), int(g[2]), int(g[3] or 0), int(g[4] or 0), int(g[5] or 0))),
        (_MDY, lambda g: _date(_year(g[2]), int(g[0]), int(g[1]))),
        (_D_MON, lambda g: _date(_year(g[2]), _MONTHS[g[1].lower()], int(g[0]))),
        (
            _MON_D,
            lambda g: (
                _date(int(g[1]), _MONTHS[g[0].lower()], 1)
                if len(g[1]) == 4 and not g[2]
                else _date(_year(g[2]), _MONTHS[g[0].lower()], int(g[1]))
                if int(g[1]) <= 31
                else _date(_year(g[1]), _MONTHS[g[0].lower()], 1)
            ),
        ),
        (_CJK, lambda g: _date(_year(g[0]), int(g[1]), int(g[2] or 1), int(g[3] or 0), int(g[4] or 0))),
    ):
        m = pattern.match(s)
        if m:
            value = build(m.groups())
            if value is not None:
                return value, None, False
    m = _TIME_ONLY.match(s)
    if m:
        g = m.groups()
        hh, mm, ss, ampm = (int(g[0]), int(g[1]), int(g[2] or 0), g[3]) if g[0] else (int(g[4]), 0, 0, g[5])
        if ampm and ampm.lower().startswith("p") and hh < 12:
            hh += 12
        if hh < 24 and mm < 60 and ss < 60:
            return dt.datetime(1899, 12, 30, hh, mm, ss), None, False
    if len(s) > 1 and t.lstrip()[:1] in "=+-@" and t[:1] in "=+-@":
        formula = t if t.startswith("=") else "=" + t
        return XlError("#NAME?"), formula, False  # evaluated: the text is gone either way
    return text, None, False


# ------------------------------------------------------------------------------ cells and sheets


@dataclass
class Cell:
    value: object = None  # str, float, bool, datetime, XlError
    formula: str | None = None  # "=..." for a formula cell
    prefix: bool = False  # entered with the text prefix ' (part of the cell's style)


def _a1(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Za-z]+)\$?(\d+)", ref.strip())
    if not m:
        raise com_error(E_FAIL, f"Range('{ref}') is not a cell reference")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _letters(col: int) -> str:
    s = ""
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


class _MacProperty:
    """An appscript property reference: read with .get()."""

    def __init__(self, read):
        self._read = read

    def get(self):
        return self._read()


class WinBookApi:
    def __init__(self, book):
        self._book = book

    @property
    def ReadOnly(self):  # noqa: N802 - COM's name
        self._book._app._call("api")
        return self._book._read_only


class MacBookApi:
    def __init__(self, book):
        self._book = book

    @property
    def read_only(self):
        return _MacProperty(lambda: (self._book._app._call("api"), self._book._read_only)[1])


class WinSheetApi:
    def __init__(self, sheet):
        self._sheet = sheet

    @property
    def ProtectContents(self):  # noqa: N802
        self._sheet._book._app._call("api")
        return self._sheet._protected


class MacSheetApi:
    def __init__(self, sheet):
        self._sheet = sheet

    @property
    def protect_contents(self):
        return _MacProperty(lambda: (self._sheet._book._app._call("api"), self._sheet._protected)[1])


class WinRangeApi:
    def __init__(self, rng):
        self._rng = rng

    @property
    def Locked(self):  # noqa: N802
        self._rng._app()._call("api")
        return self._rng._locked()


class MacRangeApi:
    def __init__(self, rng):
        self._rng = rng

    @property
    def locked(self):
        return _MacProperty(lambda: (self._rng._app()._call("api"), self._rng._locked())[1])


class Range:
    def __init__(self, sheet: Sheet, r1: int, c1: int, r2: int, c2: int, options: dict | None = None):
        if r1 < 1 or c1 < 1 or r2 > 1_048_576 or c2 > 16_384:
            raise com_error(E_FAIL, "the range lies outside the sheet")
        self._sheet = sheet
        self._box = (min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
        self._options = options or {}

    def _app(self) -> App:
        return self._sheet._book._app

    @property
    def row(self):
        return self._box[0]

    @property
    def column(self):
        return self._box[1]

    def options(self, convert=None, **options):
        for key in options:  # the options xlwings' default converter knows (main.py Range.options)
            if key not in ("ndim", "numbers", "dates", "empty", "transpose", "expand", "chunksize", "err_to_str"):
                raise TypeError(f"unknown option {key}")
        if options.get("ndim", None) not in (None, 1, 2, "natural", "squeeze"):
            raise ValueError(f"Invalid c.value ndim={options['ndim']}")
        if convert is not None:
            raise NotImplementedError("the adapter uses the default converter only")
        return Range(self._sheet, *self._box, options=options)

    def _cells(self):
        r1, c1, r2, c2 = self._box
        return [[(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    # -- reading

    @property
    def value(self):
        r1, c1, r2, c2 = self._box
        width = c2 - c1 + 1
        cells = (r2 - r1 + 1) * width
        rows_per_read = max(1, MAX_CELLS_PER_READ // width) if cells > MAX_CELLS_PER_READ else r2 - r1 + 1
        for _ in range(math.ceil((r2 - r1 + 1) / rows_per_read)):
            self._app()._call("read")
        err_to_str = self._options.get("err_to_str", False)

        def read(rc):
            cell = self._sheet._cells.get(rc)
            if cell is None:
                return None
            v = cell.value
            if isinstance(v, XlError):
                return v.text if err_to_str else None
            if isinstance(v, int) and not isinstance(v, bool):
                return float(v)
            return v

        grid = [[read(rc) for rc in row] for row in self._cells()]
        self._app()._after("read", self)
        ndim = self._options.get("ndim")
        if ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid[0] if len(grid) == 1 else [row[0] for row in grid] if len(grid[0]) == 1 else grid

    @property
    def formula(self):
        self._app()._call("formula")

        def text(rc):
            cell = self._sheet._cells.get(rc)
            if cell is None:
                return ""
            if cell.formula is not None:
                return cell.formula
            v = cell.value
            if v is None:
                return ""
            if isinstance(v, XlError):
                return v.text
            if isinstance(v, bool):
                return "TRUE" if v else "FALSE"
            if isinstance(v, float):
                return repr(int(v)) if v.is_integer() else repr(v)
            if isinstance(v, dt.datetime):
                return f"{v.month}/{v.day}/{v.year}" + (f" {v:%H:%M:%S}" if v.time() != dt.time() else "")
            return str(v)

        grid = tuple(tuple(text(rc) for rc in row) for row in self._cells())
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid

    @property
    def merge_cells(self):
        self._app()._call("merge_cells")
        flags = {self._sheet._merged_at(rc) is not None for row in self._cells() for rc in row}
        return flags.pop() if len(flags) == 1 else None

    @property
    def api(self):
        return MacRangeApi(self) if self._app()._platform == "mac" else WinRangeApi(self)

    def _locked(self):
        flags = {rc not in self._sheet._unlocked for row in self._cells() for rc in row}
        return flags.pop() if len(flags) == 1 else None

    # -- writing

    @value.setter
    def value(self, data):
        # Ensure2DStage
        if isinstance(data, (list, tuple)):
            if data and not isinstance(data[0], (list, tuple)):
                data = [data]
        else:
            data = [[data]]
        if not data or not data[0]:
            return  # WriteValueToRangeStage: ``if ctx.range is not None and ctx.value``
        width = len(data[0])
        if any(len(row) != width for row in data):
            raise ValueError("All dimensions must be equal")
        r1, c1, r2, c2 = self._box
        # xlwings resizes the range to the data (rng.resize(len(value), len(value[0]))); the adapter must
        # name the exact range, so a mismatch is a bug in the adapter, reported here
        assert (len(data), width) == (r2 - r1 + 1, c2 - c1 + 1), (
            f"{len(data)}x{width} values written to {self._sheet.name}!{_letters(c1)}{r1}:{_letters(c2)}{r2}"
        )
        # CleanDataForWriteStage (_xlwindows.Engine.prepare_xl_data_element)
        data = [[_prepare(x) for x in row] for row in data]
        cells = len(data) * width
        rows_per_write = max(1, MAX_CELLS_PER_WRITE // width) if cells > MAX_CELLS_PER_WRITE else len(data)
        for start in range(0, len(data), rows_per_write):
            chunk = data[start : start + rows_per_write]
            self._sheet._write(r1 + start, c1, chunk)


def _prepare(x):
    if isinstance(x, float) and math.isnan(x):
        return ""
    if x is None:
        return ""
    if type(x) is dt.date:
        return dt.datetime(x.year, x.month, x.day)
    if isinstance(x, dt.datetime):
        return x.replace(microsecond=x.microsecond // 1000 * 1000, tzinfo=None)  # COM dates: milliseconds
    if isinstance(x, (str, bool, int, float)):
        return x
    if isinstance(x, Decimal):  # pywin32 sends a Decimal as VT_CY: four decimal places
        return float(round(x, 4))
    raise TypeError(f"Objects of type '{type(x).__name__}' can not be converted to a COM VARIANT")


class Sheet:
    def __init__(self, book: Book, name: str, grid=()):
        self._book, self._name = book, name
        self._cells: dict[tuple[int, int], Cell] = {}
        self._merged: list[tuple[int, int, int, int]] = []
        self._protected = False
        self._unlocked: set[tuple[int, int]] = set()
        for r, row in enumerate(grid, start=1):
            for c, v in enumerate(row, start=1):
                if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                    v = dt.datetime(v.year, v.month, v.day)
                if v is not None and v != "":
                    self._cells[(r, c)] = Cell(float(v) if isinstance(v, int) and not isinstance(v, bool) else v)

    @property
    def name(self):
        self._book._app._call("name")
        return self._name

    @property
    def used_range(self):
        self._book._app._call("used_range")
        keys = [rc for rc, cell in self._cells.items() if cell.value is not None or cell.formula is not None]
        if not keys:
            return Range(self, 1, 1, 1, 1)
        return Range(
            self, min(r for r, _ in keys), min(c for _, c in keys), max(r for r, _ in keys), max(c for _, c in keys)
        )

    def range(self, cell1, cell2=None):
        if isinstance(cell1, str) and ":" in cell1 and cell2 is None:
            cell1, cell2 = cell1.split(":", 1)
        r1, c1 = _a1(cell1) if isinstance(cell1, str) else cell1
        r2, c2 = (r1, c1) if cell2 is None else (_a1(cell2) if isinstance(cell2, str) else cell2)
        return Range(self, r1, c1, r2, c2)

    @property
    def api(self):
        return MacSheetApi(self) if self._book._app._platform == "mac" else WinSheetApi(self)

    # -- what Excel does on a write (one call)

    def _merged_at(self, rc):
        r, c = rc
        return next((m for m in self._merged if m[0] <= r <= m[2] and m[1] <= c <= m[3]), None)

    def _write(self, top: int, left: int, rows: list[list[object]]) -> None:
        app = self._book._app
        app._call("write")
        bottom, right = top + len(rows) - 1, left + len(rows[0]) - 1
        app._refusal()
        if self._protected and any(
            (r, c) not in self._unlocked for r in range(top, bottom + 1) for c in range(left, right + 1)
        ):
            raise excel_refuses(
                "The cell or chart you're trying to change is on a protected sheet. To make a "
                "change, unprotect the sheet."
            )
        for m in self._merged:
            overlaps = m[0] <= bottom and top <= m[2] and m[1] <= right and left <= m[3]
            inside = top <= m[0] and m[2] <= bottom and left <= m[1] and m[3] <= right
            if overlaps and not inside:
                raise excel_refuses("We can't do that to a merged cell.")
        app._writes.append((self._name, top, left, bottom, right))
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                rc = (top + i, left + j)
                area = self._merged_at(rc)
                if area is not None and rc != (area[0], area[1]):
                    continue  # only the top-left cell of a merged area holds a value
                self._assign(rc, v)

    def _assign(self, rc, v):
        """What Excel stores for one assigned value (as if typed into the cell)."""
        if isinstance(v, str):
            if len(v) > 32767:
                raise excel_refuses("Text values in formulas are limited to 32767 characters.")
            value, formula, prefix = typed(v)
        elif isinstance(v, bool):
            value, formula, prefix = v, None, False
        elif isinstance(v, (int, float)):
            value, formula, prefix = float(f"{float(v):.15g}"), None, False
        elif isinstance(v, dt.datetime):
            value, formula, prefix = v, None, False
        else:
            raise TypeError(f"Objects of type '{type(v).__name__}' can not be converted to a COM VARIANT")
        if value is None and formula is None and not prefix:
            self._cells.pop(rc, None)
        else:
            self._cells[rc] = Cell(value, formula, prefix)

    def _sort(self, first_row: int, key_col: int, reverse: bool = True) -> None:
        """Sort the rows from `first_row` down by the column `key_col` (Data > Sort)."""
        content: dict[int, dict[int, Cell]] = {}
        for (r, c), cell in self._cells.items():
            if r >= first_row:
                content.setdefault(r, {})[c] = cell
        rows = sorted(content)
        order = sorted(rows, key=lambda r: str(content[r].get(key_col, Cell()).value), reverse=reverse)
        for rc in [rc for rc in self._cells if rc[0] >= first_row]:
            del self._cells[rc]
        for new_r, old_r in zip(rows, order):
            for c, cell in content[old_r].items():
                self._cells[(new_r, c)] = cell


class Sheets:
    def __init__(self, sheets: list[Sheet]):
        self._list = sheets

    def __iter__(self):
        return iter(self._list)


class Book:
    def __init__(self, app: App, fullname, sheets: dict[str, list] | None = None, *, read_only: bool = False):
        self._app, self._fullname = app, str(fullname)
        self._saved = 0
        self._read_only = read_only
        self._save_fails: str | None = None
        self._sheets = [Sheet(self, name, grid) for name, grid in (sheets or {}).items()]

    @property
    def name(self):
        self._app._call("name")
        return self._name()

    def _name(self) -> str:
        return re.split(r"[/\\]", self._fullname)[-1]

    @property
    def fullname(self):
        """_xlwindows.py Book.fullname: a web address goes through xlwings' own conversion."""
        self._app._call("fullname")
        if "://" not in self._fullname:
            return self._fullname
        from xlwings.utils import fullname_url_to_local_path

        config = self._config_sheet()
        suffix = "MAC" if self._app._platform == "mac" else "WIN"
        # __wrapped__: xlwings caches the answer per process (lru_cache); each test is its own process here
        return fullname_url_to_local_path.__wrapped__(
            url=self._fullname,
            sheet_onedrive_consumer_config=config.get(f"ONEDRIVE_CONSUMER_{suffix}"),
            sheet_onedrive_commercial_config=config.get(f"ONEDRIVE_COMMERCIAL_{suffix}"),
            sheet_sharepoint_config=config.get(f"SHAREPOINT_{suffix}"),
        )

    def _config_sheet(self) -> dict:
        """utils.read_config_sheet: the sheet xlwings.conf, A1:B1 expanded down (keys as written)."""
        sheet = next((s for s in self._sheets if s._name == "xlwings.conf"), None)
        config = {}
        r = 1
        while sheet is not None and (sheet._cells.get((r, 1)) or Cell()).value is not None:
            value = (sheet._cells.get((r, 2)) or Cell()).value
            config[sheet._cells[(r, 1)].value] = value
            r += 1
        return config

    @property
    def sheets(self):
        self._app._call("sheets")
        return Sheets(self._sheets)

    @property
    def app(self):
        return self._app

    @property
    def api(self):
        return MacBookApi(self) if self._app._platform == "mac" else WinBookApi(self)

    def save(self, path=None, password=None):
        assert path is None and password is None, "the adapter saves in place"
        # main.py Book.save: ``with self.app.properties(display_alerts=False): self.impl.save(...)``
        for _ in range(3):  # get display_alerts, set it off, set it back
            self._app._call("property")
        self._app._call("save")
        if self._read_only:
            raise excel_refuses(f"Cannot save as that name. Document was opened as read-only. ({self._name()})")
        if self._save_fails:
            raise excel_refuses(self._save_fails)
        self._saved += 1

    def _sheet(self, name) -> Sheet:
        return next(s for s in self._sheets if s._name == name)

    @classmethod
    def caller(cls) -> Book:
        """main.py Book.caller, on the stand-in's Excels."""
        wb, from_xl, hwnd = None, None, None
        for arg in sys.argv:
            if arg.startswith("--wb="):
                wb = arg.split("=")[1].strip()
            elif arg.startswith("--from_xl"):
                from_xl = arg.split("=")[1].strip()
            elif arg.startswith("--hwnd"):
                hwnd = arg.split("=")[1].strip()
        if from_xl != "1":
            raise Exception(
                "Book.caller() must not be called directly. Call through Excel "
                "or set a mock caller first with Book.set_mock_caller()."
            )
        name = wb.lower()
        if PLATFORM["name"] == "win":
            app = APPS[int(hwnd)]  # App(xl=int(hwnd))
            return app._book_named(name)  # app.books[name]
        candidates = [b for app in APPS.values() for b in app._books if b._name().lower() == name]
        if len(candidates) > 1:
            raise Exception(f"Workbook '{name}' is open in more than one Excel instance.")
        if not candidates:
            raise com_error(E_FAIL, f"no workbook named {name}")
        return candidates[0]


class Books:
    def __init__(self, books: list[Book]):
        self._list = books

    def __iter__(self):
        return iter(self._list)


class App:
    _next_hwnd = 1000

    def __init__(self, platform: str = "win"):
        assert platform in ("win", "mac")
        self._platform = platform
        self._books: list[Book] = []
        self._alerts: list[tuple[str, str, str]] = []
        self._screen_updating, self._enable_events, self._calculation = True, True, "automatic"
        self._states: list[tuple[bool, bool, str]] = []  # (screen, events, calculation) at each write
        self._refuse_at: tuple[int, Exception] | None = None
        self._hooks: list = []
        self._calls: Counter = Counter()
        self._writes: list[tuple] = []
        App._next_hwnd += 1
        self._hwnd = App._next_hwnd
        APPS[self._hwnd] = self

    # -- counting and the test's controls

    def _call(self, kind: str) -> None:
        self._calls[kind] += 1

    def _refusal(self) -> None:
        self._states.append((self._screen_updating, self._enable_events, self._calculation))
        if self._refuse_at is not None and len(self._writes) >= self._refuse_at[0]:
            error, self._refuse_at = self._refuse_at[1], None
            raise error

    def _refuse_write(self, after: int, error: Exception | None = None) -> None:
        """Refuse the write after `after` more successful ones (Excel busy: a clerk editing a cell)."""
        self._refuse_at = (
            len(self._writes) + after,
            error or com_error(RPC_E_CALL_REJECTED, "Call was rejected by callee."),
        )

    def _after(self, kind: str, rng: Range) -> None:
        for hook in list(self._hooks):
            if hook(kind, rng):
                self._hooks.remove(hook)

    def _book_named(self, name: str) -> Book:
        book = next((b for b in self._books if b._name().lower() == name.lower()), None)
        if book is None:
            raise com_error(-2147352565, "Invalid index.")
        return book

    def _open(self, path: Path, **kwargs) -> Book:
        wb = CalamineWorkbook.from_path(str(path))
        book = Book(
            self, path, {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}, **kwargs
        )
        self._books.append(book)
        return book

    # -- xlwings' App

    @property
    def books(self):
        self._call("books")
        return Books(self._books)

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        {None: 0, "ok": 0, "ok_cancel": 1, "yes_no": 4, "yes_no_cancel": 3}[buttons]  # KeyError as in xlwings
        if mode:
            {"info": 64, "critical": 48}[mode]
        self._call("alert")
        self._alerts.append(("" if prompt is None else prompt, "" if title is None else title, mode))
        return "ok"

    @property
    def screen_updating(self):
        self._call("property")
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value):
        self._call("property")
        self._screen_updating = bool(value)

    @property
    def enable_events(self):
        self._call("property")
        return self._enable_events

    @enable_events.setter
    def enable_events(self, value):
        self._call("property")
        self._enable_events = bool(value)

    @property
    def calculation(self):
        self._call("property")
        return self._calculation

    @calculation.setter
    def calculation(self, value):
        {"manual": -4135, "automatic": -4105, "semiautomatic": 2}[value]  # calculation_s2i: KeyError otherwise
        self._call("property")
        self._calculation = value


STAND_IN = {
    "App": App,
    "Books": Books,
    "Book": Book,
    "Sheets": Sheets,
    "Sheet": Sheet,
    "Range": Range,
    "BookApi": (WinBookApi, MacBookApi),
    "SheetApi": (WinSheetApi, MacSheetApi),
    "RangeApi": (WinRangeApi, MacRangeApi),
    "MacProperty": _MacProperty,
}
