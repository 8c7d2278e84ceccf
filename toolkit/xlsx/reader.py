"""Reading sheets fast.

Two steps, so that 300,000-row sheets read at the speed of a compiled reader:
1. `peek()` parses only the first rows of the sheet XML (and only the shared strings they
   use) so the caller can find the header row and map the columns it needs.
2. `read_columns()` loads just those columns with fastexcel (Rust, calamine underneath)
   as typed Arrow arrays. Cells whose type does not match the column's (a date typed as
   text in a date column, "1,234" in a number column) come back as their raw values, so the
   caller can parse them or report them - nothing is coerced silently.

Both read the sheet as a stream (toolkit.xlsx.rows): the peek stops after its rows, and the
fast reader is handed the sheet a few tens of megabytes of rows at a time (each piece a small
workbook of its own, with the header row), so a sheet of any size is read in bounded memory.
Rows and cells are numbered by the one parser of cell positions the writer uses too.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from toolkit.errors import WorkbookRefused
from toolkit.i18n import _
from toolkit.xlsx.cells import MAX_CELL_TEXT, serial_datetime
from toolkit.xlsx.memory import frugal, give_back
from toolkit.xlsx.package import Package, read_rels, rels_name, resolve_target, write_stored
from toolkit.xlsx.rows import CellParser, SheetStream, attr, iter_rows, renumbered, row_tags
from toolkit.xlsx.styles import StyleBook, StylesError
from toolkit.xlsx.workbook import read_workbook

_V = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TEXT = re.compile(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)
_SI_START = re.compile(rb"<(?:\w+:)?si\b")
_SI_END = re.compile(rb"</(?:\w+:)?si>|<(?:\w+:)?si\b[^>]*?/>")
_ESC = re.compile(r"_x([0-9A-Fa-f]{4})_")
PEEK_BLOCK = 256 * 1024  # the peek unpacks this much at a time


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
    max_rows: int = 30  # the grid covers at most rows 1..max_rows

    def grid(self) -> list[list[object]]:
        """Rows 1..N as lists (column A first), blank rows included, for header finding: N is the last
        peeked row, at most `max_rows` (a peeked row 1,048,576 does not make a million-row grid)."""
        rows = [(r, cells) for r, cells in self.rows if r <= self.max_rows]
        if not rows:
            return []
        last = rows[-1][0]
        width = max((max(cells) for _r, cells in rows if cells), default=0)
        out: list[list[object]] = [[None] * width for _ in range(last)]
        for r, cells in rows:
            for c, v in cells.items():
                out[r - 1][c - 1] = v
        return out


class _SharedStrings:
    """Shared strings read lazily, only as far as the highest index asked for."""

    def __init__(self, pkg: Package, part: str | None):
        self.pkg, self.part = pkg, part
        self.items: list[str] = []
        self._buf = b""
        self._blocks = iter(pkg.stream(part, PEEK_BLOCK)) if part and pkg.has(part) else None

    def get(self, index: int) -> str:
        while index >= len(self.items) and self._blocks is not None:
            block = next(self._blocks, None)
            if block is None:
                self._blocks = None
                block = b""
            # only whole <si> elements are parsed: the text up to the last one's end (searched in the new
            # block only, so a long string table is read in one linear pass)
            searched_from = max(0, len(self._buf) - 8)
            self._buf += block
            last = None
            for m in _SI_END.finditer(self._buf, searched_from):
                last = m.end()
            if last is None:
                continue
            for m in _SI.finditer(self._buf, 0, last):
                if m.group(0).endswith(b"/>") or m.group(1) is not None:
                    self.items.append(_rich_text(m.group(1) or b""))
            self._buf = self._buf[last:]
        return self.items[index] if index < len(self.items) else ""

    def close(self) -> None:
        self._blocks = None


def _cell_value(attrs: bytes, body: bytes | None, sst: _SharedStrings, styles: StyleBook | None, date1904: bool):
    if not body:
        return None
    t = attr(attrs, b"t") or b"n"
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
    style = attr(attrs, b"s")
    if style is not None and style.isdigit() and styles is not None and styles.is_date_style(int(style)):
        try:
            return serial_datetime(num, date1904)
        except (OverflowError, ValueError):  # beyond the calendar, or not a number (nan)
            return num
    return int(num) if num.is_integer() and abs(num) < 2**53 else num


def _parts_of(pkg: Package, wb) -> tuple[str | None, str | None]:
    """The workbook's styles part and shared-strings part (either may be missing)."""
    styles_part = sst_part = None
    for rel in read_rels(pkg, wb.workbook_part):
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        if kind == "styles":
            styles_part = resolve_target(wb.workbook_part, rel["Target"])
        elif kind == "sharedStrings":
            sst_part = resolve_target(wb.workbook_part, rel["Target"])
    return styles_part, sst_part


def _sheet_stream(pkg: Package, info, path, block: int, piece_size: int) -> SheetStream:
    try:
        return SheetStream(pkg.stream(info.part, block, what=f"sheet '{info.name}'"), piece_size=piece_size)
    except ValueError as exc:
        raise WorkbookRefused(
            _("is damaged: sheet '{name}' cannot be read ({reason})").format(name=info.name, reason=exc), path=path
        ) from None


def worksheet_names(path: str | Path) -> list[str]:
    """The names of the workbook's worksheets (sheets with cells), in the workbook's order."""
    with Package.open(path) as pkg:
        return [s.name for s in read_workbook(pkg).sheets if s.kind == "worksheet"]


def peek(path: str | Path, sheet: str, max_rows: int = 30) -> Peek:
    """Values of the first `max_rows` rows that exist in the sheet."""
    with Package.open(path) as pkg:
        wb = read_workbook(pkg)
        info = wb.sheet(sheet, path=path)
        styles_part, sst_part = _parts_of(pkg, wb)
        try:
            styles = StyleBook(pkg.read(styles_part)) if styles_part and pkg.has(styles_part) else None
        except StylesError:
            styles = None  # dates then read as numbers; the values themselves are still right
        stream = _sheet_stream(pkg, info, path, PEEK_BLOCK, PEEK_BLOCK)
        cells_of = CellParser(stream.prefix).cells
        sst = _SharedStrings(pkg, sst_part)
        result = Peek(sheet=info.name, date1904=wb.date1904, max_rows=max_rows)
        r = 0
        try:
            for piece, end in stream.pieces():
                for row in iter_rows(piece, stream.prefix, r, end=end):
                    r = row.number
                    cells: dict[int, object] = {}
                    try:
                        for c, attrs, m in cells_of(piece, row.body_start, row.body_end):
                            v = _cell_value(attrs, m.group(2), sst, styles, wb.date1904)
                            if v is not None and v != "":
                                cells[c] = v
                    except UnicodeDecodeError:
                        raise
                    except ValueError as exc:  # e.g. ZAA7: no such column in Excel, so not written by it
                        raise WorkbookRefused(
                            _("is damaged: sheet '{name}' row {r} has a cell at an impossible place ({reason})").format(
                                name=info.name, r=r, reason=exc
                            ),
                            path=path,
                        ) from None
                    if cells:
                        if result.first_row is None:
                            result.first_row = r
                        lo = min(cells)
                        result.first_col = lo if result.first_col is None else min(result.first_col, lo)
                    result.rows.append((r, cells))
                    if len(result.rows) >= max_rows:
                        return result
            result.complete = True
        except UnicodeDecodeError as exc:
            raise WorkbookRefused(
                _("is damaged: sheet '{name}' holds text that is not valid UTF-8 (byte '{object}')").format(
                    name=info.name, object=exc.object[exc.start : exc.start + 1]
                ),
                path=path,
            ) from None
        except ValueError as exc:  # the stream: no end of the cell data, a row of more than 64 MB
            raise WorkbookRefused(
                _("is damaged: sheet '{name}' cannot be read ({reason})").format(name=info.name, reason=exc), path=path
            ) from None
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


READ_PIECE = 32 * 1024 * 1024  # the fast reader is handed this much of the sheet's XML at a time
MAX_ROW_GAP = 10_000  # rows further apart go to different pieces (a piece's rows are held as one block)


def read_columns(
    path: str | Path,
    sheet: str,
    header_row: int,
    columns: dict[int, str],
    expect_headers: dict[int, str] | None = None,
    convert=None,
) -> ColumnsRead:
    """Load the data rows below `header_row` for the given sheet columns, as Arrow arrays.

    `columns` maps 1-based sheet columns to a toolkit type (text, integer, ...). When
    `expect_headers` (sheet column -> header text) is given, the header row is loaded too and
    checked, so a wrongly placed range is caught instead of shifting every value.
    `convert(col, array)`, when given, is applied to each piece of each column as it is read
    (element by element: e.g. trimming texts), so only converted arrays are kept. The values
    come as a ChunkedArray (a piece per chunk, not copied into one).

    The sheet is handed to fastexcel in pieces of whole rows (READ_PIECE of XML each, as a small
    workbook with the same formats and shared strings), so only a piece's cells are ever held at
    once. The first piece starts with the header row (as data row 0, checked against
    `expect_headers`); every later one starts with a copy of the header row moved just above
    the piece's first row, which fastexcel takes for the header: the piece's rows then come out
    with their own numbers, and every column asked for exists in every piece.
    """
    frugal()
    path = Path(path)
    use = sorted(columns)
    idx = [c - 1 for c in use]  # fastexcel's column indexes are the sheet's own (A = 0)
    dtypes = {i: FASTEXCEL_DTYPES[columns[c]] for i, c in zip(idx, use)}
    arrays: dict[int, list] = {c: [] for c in use}
    raw: dict[int, dict[int, object]] = {c: {} for c in use}  # by row counted from the header row (= 0)
    numbers = {c for c in use if FASTEXCEL_DTYPES[columns[c]] == "float"}  # fastexcel reads TRUE there as 1
    filled = 0  # rows (from the header row on) the arrays hold so far
    header_xml: bytes | None = None

    def send_piece(piece: bytes, start: int, end: int, first: int) -> None:
        """Hand piece[start:end] (whole rows, the first of which is sheet row `first`) to fastexcel, which
        reads it in a thread of its own while this one cuts the next piece; take the one before it in."""
        nonlocal header_xml
        rows_xml = memoryview(piece)[start:end]
        rows: list[bytes | memoryview]
        if first == header_row:
            header_xml = piece[start : next(iter_rows(piece, prefix, start=start, end=end)).end]
            fx_header = None if header_row == 1 else header_row - 2  # an empty row above the header
            rows = [rows_xml]
        elif header_xml is None:
            raise RangeMismatch("the header row is not where the peek found it")
        else:
            fx_header = first - 2  # (fastexcel counts rows from 0)
            rows = [renumbered(header_xml, prefix, first - 1), rows_xml]
        yes_no = bool(numbers) and (piece.find(b'"b"', start, end) >= 0 or piece.find(b"'b'", start, end) >= 0)
        if yes_no or base.overlong:  # (cheap: nearly no sheet has a yes/no cell, or text too long for a cell)
            _misread_cells(
                piece, prefix, start, end, first, header_row, numbers if yes_no else set(), base.overlong, raw
            )
        file = base.package(rows)  # (the file the piece before this one was in is still being read)
        job = reader.submit(_load_piece, file, info.name, fx_header, idx, dtypes)
        if pending:
            take_in(*pending.pop())
        pending.append((job, first))

    def take_in(job, first: int) -> None:
        """The columns of one piece read by fastexcel, converted and kept."""
        nonlocal filled
        try:
            table, errors = job.result()
        except Exception as exc:  # fastexcel's own exception types: let the exact reader decide
            raise RangeMismatch(f"the fast reader cannot read the sheet ({first_line(exc)})") from None
        at = first - header_row
        if at < filled:  # cannot happen with rows in order; never let two pieces overlap
            raise RangeMismatch(f"rows {first} and on were read twice")
        # a cell that did not fit its column's type: (row in the piece, the sheet's own column index, A = 0)
        errors = [(r, ci + 1, e.detail) for e in (errors.errors if errors else []) for r, ci in [e.offset_position]]
        if at == 0 and expect_headers:  # the first piece: its row 0 is the header row, checked as it is read
            at_header = {c: raw_from_error(detail) for r, c, detail in errors if r == 0}
            for c, arr in zip(use, table.columns):
                got = at_header.get(c, arr[0].as_py() if len(arr) else None)
                if c in expect_headers and str(got).strip() != str(expect_headers[c]).strip():
                    raise RangeMismatch(f"column {c}: expected header {expect_headers[c]!r}, found {got!r}")
        for c, raw_arr in zip(use, table.columns):
            arr = convert(c, raw_arr) if convert is not None else raw_arr
            if arr is raw_arr:  # kept in Arrow's own memory, not in the reader's (which is then given back whole)
                arr = pa.concat_arrays([arr])
            if filled < at:
                arrays[c].append(pa.nulls(at - filled, arr.type))
            arrays[c].append(arr)
        for r, c, detail in errors:
            if c in raw:
                raw[c][at + r] = raw_from_error(detail)
        filled = at + table.num_rows

    pending: list = []  # the piece fastexcel is reading: (its future, its first row)
    with (
        Package.open(path) as pkg,
        _PieceWorkbook(pkg, sheet, path) as base,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-piece") as reader,
    ):
        info, stream, prefix = base.info, base.stream, base.stream.prefix
        r = 0
        try:
            for piece, piece_end in stream.pieces():
                start: int | None = None  # where the rows to send begin in the piece: row `first`
                first = last = 0
                for number, m in row_tags(piece, prefix, r, end=piece_end):
                    if number <= r:  # rows out of order: the fast reader would place them elsewhere
                        raise RangeMismatch(f"row {number} comes after row {r}")
                    r = number
                    if r < header_row:
                        continue
                    if start is not None and r - last > MAX_ROW_GAP:
                        send_piece(piece, start, m.start(), first)
                        start = None
                    if start is None:
                        start, first = m.start(), r
                    last = r
                if start is not None:
                    send_piece(piece, start, piece_end, first)
            if pending:
                take_in(*pending.pop())
        except ValueError as exc:  # a damaged stream: no end of the cell data, a row of more than 64 MB
            raise WorkbookRefused(
                _("is damaged: sheet '{name}' cannot be read ({reason})").format(name=info.name, reason=exc), path=path
            ) from None
        finally:
            for job, _first in pending:  # (an error on the way: the piece being read is waited for, not used)
                job.cancel()
    give_back()
    if header_xml is None:
        raise RangeMismatch("the header row is not where the peek found it")
    out: dict[int, ColumnRead] = {}
    for c in use:
        chunks = arrays.pop(c)
        arr = pa.chunked_array(chunks, type=chunks[0].type)
        shifted = {r - 1: v for r, v in raw[c].items() if r >= 1}
        out[c] = ColumnRead(values=arr.slice(1), arrow_type=str(arr.type), raw=shifted)
    return ColumnsRead(first_data_row=header_row + 1, height=max(filled - 1, 0), columns=out)


def _misread_cells(
    piece, prefix: bytes, start: int, end: int, first: int, header_row: int, numbers: set, overlong: dict, raw
) -> None:
    """Cells of piece[start:end] (whole rows, the first being sheet row `first`) that fastexcel would read
    wrong without a word, put in `raw` with their own values: yes/no cells (TRUE, FALSE) in number columns
    (read as 1 and 0: a TRUE typed as a score or an amount is no number), and text longer than a cell holds
    (cut at 32,767 characters)."""
    cells = CellParser(prefix)
    for row in iter_rows(piece, prefix, first - 1, start, end):
        if row.number <= header_row:
            continue
        for c, attrs, m in cells.cells(piece, row.body_start, row.body_end):
            if c not in raw:
                continue
            t = attr(attrs, b"t")
            if t == b"b" and c in numbers:
                raw[c][row.number - header_row] = b">1<" in (m.group(2) or b"")
            elif t == b"s" and overlong:
                v = _V.search(m.group(2) or b"")
                if v is not None and v.group(1).strip().isdigit() and int(v.group(1)) in overlong:
                    raw[c][row.number - header_row] = overlong[int(v.group(1))]


def _overlong_strings(sst: bytes) -> dict[int, str]:
    """The shared strings longer than a cell can hold (32,767 characters), by index: found by the gaps
    between the strings' starts (a string of more characters takes more bytes), so only those are decoded."""
    if len(sst) <= MAX_CELL_TEXT:
        return {}
    starts = [m.start() for m in _SI_START.finditer(sst)]
    out = {}
    for i, (a, b) in enumerate(zip(starts, [*starts[1:], len(sst)])):
        if b - a > MAX_CELL_TEXT:
            m = _SI.match(sst, a)
            text = _rich_text(m.group(1) or b"") if m is not None else ""
            if len(text) > MAX_CELL_TEXT:
                out[i] = text
    return out


def _load_piece(file: str, sheet: str, header_row: int | None, use_columns: list[int], dtypes: dict):
    """fastexcel's reading of one piece (in the reading thread): its table and the cells that did not fit."""
    import fastexcel  # noqa: PLC0415 - each native reader is loaded when its path first runs

    loaded = fastexcel.read_excel(file).load_sheet(sheet, header_row=header_row, use_columns=use_columns, dtypes=dtypes)
    return loaded.to_arrow_with_errors()


_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*>")
_WORKSHEET = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")


class _PieceWorkbook:
    """The sheet's stream, and what fastexcel needs of its workbook besides the sheet's rows (its list
    of sheets, its formats and shared strings), read once. `package(rows)` writes a small workbook of
    them and a sheet holding `rows` (stored, not compressed) to a temporary file and returns its path
    (fastexcel opens a file much faster than it takes the same bytes from Python)."""

    def __init__(self, pkg: Package, sheet: str, path: Path):
        wb = read_workbook(pkg)
        self.info = info = wb.sheet(sheet, path=path)
        self.stream = stream = _sheet_stream(pkg, info, path, 4 * 1024 * 1024, READ_PIECE)
        styles_part, sst_part = _parts_of(pkg, wb)
        names = [
            "[Content_Types].xml",
            "_rels/.rels",
            wb.workbook_part,
            rels_name(wb.workbook_part),
            styles_part,
            sst_part,
        ]
        self.members = [(name, pkg.read(name)) for name in dict.fromkeys(names) if name and pkg.has(name)]
        sst = next((data for name, data in self.members if name == sst_part), b"")
        self.overlong = _overlong_strings(sst)  # shared strings longer than a cell holds: by index
        # the sheet's own dimension would make the reader reserve room for the whole sheet
        self.head = _DIMENSION.sub(b"", stream.head)
        if stream.self_closed:
            self.head = self.head[: self.head.rfind(b"<")] + b"<%ssheetData>" % stream.prefix
        root = _WORKSHEET.search(stream.head)
        self.tail = b"</%ssheetData></%sworksheet>" % (stream.prefix, (root.group(1) or b"") if root else b"")
        self.files = []
        for _copy in range(2):  # one being read while the next is written
            fd, name = tempfile.mkstemp(prefix=".~toolkit-read-", suffix=".xlsx")
            os.close(fd)
            self.files.append(Path(name))
        self._turn = 0

    def __enter__(self) -> _PieceWorkbook:
        return self

    def __exit__(self, *exc) -> None:
        for file in self.files:
            file.unlink(missing_ok=True)

    def package(self, rows: list) -> str:
        """The path of a small workbook holding `rows` (the two files take turns)."""
        file = self.files[self._turn]
        self._turn = 1 - self._turn
        sheet = [self.head, *rows, self.tail]
        write_stored(file, [*((name, [data]) for name, data in self.members), (self.info.part, sheet)])
        return str(file)


class RangeMismatch(Exception):
    """The fast reader's view of the sheet does not line up with the header found by peek()."""


def read_grid(path: str | Path, sheet: str) -> Sequence[Sequence[object]]:
    """Every cell of a sheet from A1, as Python values (the exact, slower path)."""
    from python_calamine import CalamineWorkbook  # noqa: PLC0415 - the exact path, loaded when used

    try:
        wb = CalamineWorkbook.from_path(str(path))
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own exception types for damaged sheets
        raise WorkbookRefused(
            _("is damaged: sheet '{sheet}' cannot be read ({first_line})").format(
                sheet=sheet, first_line=first_line(exc)
            ),
            path=path,
        ) from None


def first_line(exc: BaseException) -> str:
    """An exception's message on one line (the Rust readers add pages of context below it)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
