"""Reading sheets fast.

Two steps, so that 300,000-row sheets read at the speed of a compiled reader:
1. `peek()` parses only the first rows of the sheet XML (and only the shared strings they
   use) so the caller can find the header row and map the columns it needs.
2. `read_columns()` loads just those columns with fastexcel (Rust, calamine underneath)
   as typed Arrow arrays. Cells whose type does not match the column's (a date typed as
   text in a date column, "1,234" in a number column) come back as their raw values, so the
   caller can parse them or report them - nothing is coerced silently.
"""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import WorkbookRefused
from toolkit.xlsx.cells import serial_datetime
from toolkit.xlsx.package import Package, read_rels, resolve_target
from toolkit.xlsx.refs import column_index
from toolkit.xlsx.styles import StyleBook, StylesError
from toolkit.xlsx.workbook import read_workbook

_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_R = re.compile(rb'\br="([A-Z]*)(\d*)"')
_T = re.compile(rb'\bt="(\w+)"')
_S = re.compile(rb'\bs="(\d+)"')
_V = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TEXT = re.compile(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)
_ESC = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xml_text(raw: bytes) -> str:
    text = html.unescape(raw.decode("utf-8"))
    return _ESC.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _rich_text(body: bytes) -> str:
    body = _PHONETIC.sub(b"", body)
    return "".join(_xml_text(t) for t in _TEXT.findall(body))


@dataclass
class Peek:
    """The first rows of a sheet as values by absolute row and column numbers (1-based)."""

    sheet: str
    date1904: bool
    rows: list[tuple[int, dict[int, object]]] = field(default_factory=list)
    first_row: int | None = None  # first row holding a value (where the used range starts)
    first_col: int | None = None  # leftmost column holding a value among the peeked rows
    complete: bool = False  # True when the whole sheet was peeked

    def grid(self) -> list[list[object]]:
        """Rows 1..N as lists (column A first), blank rows included, for header finding."""
        if not self.rows:
            return []
        last = self.rows[-1][0]
        width = max((max(cells) for _r, cells in self.rows if cells), default=0)
        out = [[None] * width for _ in range(last)]
        for r, cells in self.rows:
            for c, v in cells.items():
                out[r - 1][c - 1] = v
        return out


def _stream_head(pkg: Package, part: str, max_rows: int, chunk: int = 256 * 1024) -> tuple[bytes, bool]:
    """The start of a sheet's XML holding at least `max_rows` rows; True if it is the whole part."""
    data = b""
    with pkg.zf.open(part) as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                return data, True
            data += block
            if data.count(b"</row>") + data.count(b":row>") >= max_rows + 1:
                return data, False


class _SharedStrings:
    """Shared strings read lazily, only as far as the highest index asked for."""

    def __init__(self, pkg: Package, part: str | None):
        self.pkg, self.part = pkg, part
        self.items: list[str] = []
        self._buf = b""
        self._fh = pkg.zf.open(part) if part and pkg.has(part) else None

    def get(self, index: int) -> str:
        while index >= len(self.items) and self._fh is not None:
            block = self._fh.read(256 * 1024)
            if not block:
                self._fh.close()
                self._fh = None
            self._buf += block
            last = 0
            for m in _SI.finditer(self._buf):
                if m.group(0).endswith(b"/>") or m.group(1) is not None:
                    self.items.append(_rich_text(m.group(1) or b""))
                    last = m.end()
            self._buf = self._buf[last:]
        return self.items[index] if index < len(self.items) else ""

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def _cell_value(attrs: bytes, body: bytes | None, sst: _SharedStrings, styles: StyleBook | None, date1904: bool):
    if not body:
        return None
    tm = _T.search(attrs)
    t = tm.group(1) if tm else b"n"
    if t == b"inlineStr":
        return _rich_text(body)
    vm = _V.search(body)
    if vm is None:
        return None
    raw = vm.group(1)
    if t == b"s":
        try:
            index = int(raw)
        except ValueError:
            return None  # not an index into the shared strings: nothing readable
        return sst.get(index) if index >= 0 else None
    if t in (b"str", b"e"):
        return _xml_text(raw)
    if t == b"b":
        return raw.strip() in (b"1", b"true")
    try:
        num = float(raw)
    except ValueError:
        return _xml_text(raw)
    sm = _S.search(attrs)
    if sm and styles is not None and styles.is_date_style(int(sm.group(1))):
        try:
            return serial_datetime(num, date1904)
        except (OverflowError, ValueError):  # beyond the calendar, or not a number (nan)
            return num
    return int(num) if num.is_integer() and abs(num) < 2**53 else num


def peek(path: str | Path, sheet: str, max_rows: int = 30) -> Peek:
    """Values of the first `max_rows` rows that exist in the sheet."""
    with Package.open(path) as pkg:
        wb = read_workbook(pkg)
        info = wb.sheet(sheet, path=path)
        styles_part = sst_part = None
        for rel in read_rels(pkg, wb.workbook_part):
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            if kind == "styles":
                styles_part = resolve_target(wb.workbook_part, rel["Target"])
            elif kind == "sharedStrings":
                sst_part = resolve_target(wb.workbook_part, rel["Target"])
        try:
            styles = StyleBook(pkg.read(styles_part)) if styles_part and pkg.has(styles_part) else None
        except StylesError:
            styles = None  # dates then read as numbers; the values themselves are still right
        try:
            head, complete = _stream_head(pkg, info.part, max_rows)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise WorkbookRefused(f"is damaged: sheet '{info.name}' cannot be read ({exc})", path=path) from None
        sst = _SharedStrings(pkg, sst_part)
        result = Peek(sheet=info.name, date1904=wb.date1904, complete=complete)
        try:
            r = 0
            for m in _ROW.finditer(head):
                rm = _R.search(m.group(1))
                r = int(rm.group(2)) if rm and rm.group(2) else r + 1
                cells: dict[int, object] = {}
                c = 0
                for cm in _CELL.finditer(m.group(2) or b""):
                    crm = _R.search(cm.group(1))
                    try:
                        c = column_index(crm.group(1).decode()) if crm and crm.group(1) else c + 1
                    except ValueError as exc:  # e.g. ZAA7: no such column in Excel, so not written by it
                        raise WorkbookRefused(
                            f"is damaged: sheet '{info.name}' row {r} has a cell at an impossible place ({exc})",
                            path=path,
                        ) from None
                    v = _cell_value(cm.group(1), cm.group(2), sst, styles, wb.date1904)
                    if v is not None and v != "":
                        cells[c] = v
                if cells:
                    if result.first_row is None:
                        result.first_row = r
                    lo = min(cells)
                    result.first_col = lo if result.first_col is None else min(result.first_col, lo)
                result.rows.append((r, cells))
                if len(result.rows) >= max_rows:
                    break
        except UnicodeDecodeError as exc:
            raise WorkbookRefused(
                f"is damaged: sheet '{info.name}' holds text that is not valid UTF-8 "
                f"(byte {exc.object[exc.start : exc.start + 1]!r})",
                path=path,
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise WorkbookRefused(f"is damaged: its shared strings cannot be read ({exc})", path=path) from None
        finally:
            sst.close()
        return result


# ---------------------------------------------------------------------- full column reads


@dataclass
class ColumnRead:
    """One column's values for the data rows, plus raw values of cells that did not fit its type."""

    values: object  # a pyarrow Array of the column's type; wrong-typed cells are null
    arrow_type: str
    raw: dict[int, object] = field(default_factory=dict)  # index in values -> the cell's own value


@dataclass
class ColumnsRead:
    first_data_row: int  # sheet row number of values[0]
    height: int
    columns: dict[int, ColumnRead]  # by 1-based sheet column


_GOT = re.compile(r"got '(\w+)\((.*)\)'$", re.S)


def _rust_unescape(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            if nxt == "u" and s[i + 2 : i + 3] == "{":
                end = s.index("}", i)
                out.append(chr(int(s[i + 3 : end], 16)))
                i = end + 1
                continue
            out.append({"n": "\n", "r": "\r", "t": "\t", "0": "\0"}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def raw_from_error(detail: str) -> object:
    """The cell's own value from a fastexcel type-mismatch message."""
    m = _GOT.search(detail)
    if not m:
        return detail
    kind, inner = m.group(1), m.group(2)
    if kind == "String" and len(inner) >= 2 and inner[0] == inner[-1] == '"':
        return _rust_unescape(inner[1:-1])
    if kind in ("Float", "Int"):
        try:
            f = float(inner)
            return int(f) if f.is_integer() else f
        except ValueError:
            return inner
    if kind == "Bool":
        return inner == "true"
    if kind == "Error":
        return "#" + inner.replace("NA", "N/A").replace("Div0", "DIV/0!").upper() if inner else "#ERROR"
    if kind in ("DateTime", "DateTimeIso"):
        nums = re.findall(r"value: ([0-9.]+)", inner)
        return float(nums[0]) if nums else inner
    return inner


FASTEXCEL_DTYPES = {
    "text": "string",
    "choice": "string",
    "integer": "float",
    "decimal": "float",
    "date": "datetime",
    "datetime": "datetime",
}


def read_columns(
    path: str | Path,
    sheet: str,
    header_row: int,
    first_row: int,
    first_col: int,
    columns: dict[int, str],
    expect_headers: dict[int, str] | None = None,
) -> ColumnsRead:
    """Load the data rows below `header_row` for the given sheet columns, as Arrow arrays.

    `columns` maps 1-based sheet columns to a toolkit type (text, integer, ...). `first_row`
    and `first_col` are where the sheet's used range starts (see `peek`). When
    `expect_headers` (sheet column -> header text) is given, the header row is loaded too and
    checked, so a wrongly placed range is caught instead of shifting every value.
    """
    import fastexcel  # noqa: PLC0415 - each native reader is loaded when its path first runs

    path = Path(path)
    rel_header = header_row - first_row
    use = sorted(columns)
    # fastexcel's column indexes are the sheet's own (A = 0), wherever the used range starts;
    # its rows are counted from the first used row.
    idx = [c - 1 for c in use]
    if rel_header < 0 or min(use, default=first_col) < first_col:
        raise RangeMismatch("the header lies outside the sheet's used range")
    try:
        reader = fastexcel.read_excel(str(path))
        loaded = reader.load_sheet(
            sheet,
            header_row=None,
            skip_rows=rel_header,
            use_columns=idx,
            dtypes={i: FASTEXCEL_DTYPES[columns[c]] for i, c in zip(idx, use)},
        )
        table, errors = loaded.to_arrow_with_errors()
    except Exception as exc:  # fastexcel's own exception types: let the exact reader decide
        raise RangeMismatch(f"the fast reader cannot read the sheet ({first_line(exc)})") from None
    raw: dict[int, dict[int, object]] = {c: {} for c in use}
    for err in errors.errors if errors else []:
        r, ci = err.offset_position
        if 0 <= ci < len(use):
            raw[use[ci]][r] = raw_from_error(err.detail)
    if expect_headers:
        for c, arr in zip(use, table.columns):
            got = raw[c].get(0, arr[0].as_py() if len(arr) else None)
            if c in expect_headers and str(got).strip() != str(expect_headers[c]).strip():
                raise RangeMismatch(f"column {c}: expected header {expect_headers[c]!r}, found {got!r}")
    out: dict[int, ColumnRead] = {}
    for c, arr in zip(use, table.columns):
        shifted = {r - 1: v for r, v in raw[c].items() if r >= 1}
        out[c] = ColumnRead(values=arr.slice(1), arrow_type=str(arr.type), raw=shifted)
    return ColumnsRead(first_data_row=header_row + 1, height=max(table.num_rows - 1, 0), columns=out)


class RangeMismatch(Exception):
    """The fast reader's view of the sheet does not line up with the header found by peek()."""


def read_grid(path: str | Path, sheet: str) -> list[list[object]]:
    """Every cell of a sheet from A1, as Python values (the exact, slower path)."""
    from python_calamine import CalamineWorkbook  # noqa: PLC0415 - the exact path, loaded when used

    try:
        wb = CalamineWorkbook.from_path(str(path))
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own exception types for damaged sheets
        raise WorkbookRefused(f"is damaged: sheet '{sheet}' cannot be read ({first_line(exc)})", path=path) from None


def first_line(exc: BaseException) -> str:
    """An exception's message on one line (the Rust readers add pages of context below it)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
