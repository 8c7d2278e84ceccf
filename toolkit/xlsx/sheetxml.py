"""A worksheet's XML, edited in place, as a stream.

The sheet is read piece by piece (toolkit.xlsx.rows: a few megabytes of whole rows at a time) and
the new XML is made piece by piece, so a sheet of any size is rewritten in bounded memory. Rows
the caller does not touch are copied as they are; in a touched row only the named cells are
rebuilt, and the other cells keep their XML (formulas, cached values, styles, rich-text references).

The sheet is read twice: a survey first (what must be known before the first byte is written: the
formulas that span cells, which target cells hold formulas, whether the sheet holds any value),
then the rewrite. Rows, cells and their numbers are found by the engine's one parser of cell
positions, whatever the quotes, namespace prefix or missing r attributes.

- Formula cells are the cells holding an <f>, and also every cell of an array formula's (or
  data table's) range. They are refused, skipped or overwritten as the caller says; overwriting
  the first cell of a shared formula gives the group's other cells their own formula text, and
  overwriting part of an array formula removes the array (its cells keep their last values).
- A new cell gets the format Excel would give it: its row's (when the row has one), else its
  column's.
- Cells without r="..." are numbered by position and get an r when their row is rewritten.
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from toolkit.xlsx.cells import CellEncoder, CellValueError
from toolkit.xlsx.columns import ColumnBlocks
from toolkit.xlsx.layout import Highlight, add_highlights, add_widths, max_priority
from toolkit.xlsx.refs import column_index, column_letter, make_range, make_ref, parse_range
from toolkit.xlsx.rows import CellParser, SheetStream, attr, has_position, iter_rows, position, row_tag_re, row_tags

_SPANS = re.compile(rb"""\s*(?<![\w:.-])spans\s*=\s*(?:"[^"]*"|'[^']*')""")
PIECE = 8 * 1024 * 1024  # the sheet is read this much at a time


def _int_attr(attrs: bytes, name: bytes) -> int | None:
    value = attr(attrs, name)
    return int(value) if value is not None and value.isdigit() else None


class FormulaCells(Exception):
    """Cells the caller asked to change hold formulas (raised before anything is written)."""

    def __init__(self, refs: list[str]):
        self.refs = refs
        super().__init__(", ".join(refs))


@dataclass
class SheetEdit:
    """What to do to one sheet: cell values by (row, col), fills by (row, col), and whole column blocks.

    A column block (set_column) sets many cells of one column at once; the writer builds the new cells
    of blocks column by column (a first fill). `values` wins where both name a cell.
    """

    values: dict[int, dict[int, object]] = field(default_factory=dict)
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    columns: list[tuple[int, Sequence[int], Sequence]] = field(default_factory=list)  # (col, rows, values)
    # the look of added columns (toolkit.xlsx.layout): a new cell styled like another cell of its row
    # ((row, col) -> that cell's col), column widths, and highlight rules (col, first row, last row,
    # text, fill colour, font colour)
    like: dict[tuple[int, int], int] = field(default_factory=dict)
    headers_added: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, text): tables grow
    widths: dict[int, float] = field(default_factory=dict)
    highlights: list[tuple[int, int, int, str, str, str]] = field(default_factory=list)

    def set(self, row: int, col: int, value) -> None:
        self.values.setdefault(row, {})[col] = value

    def fill(self, row: int, col: int, rgb: str) -> None:
        self.fills[(row, col)] = rgb
        self.values.setdefault(row, {}).setdefault(col, _KEEP)

    def set_column(self, col: int, rows: Sequence[int], values: Sequence) -> None:
        """Set the cells of column `col` in `rows` (each row once) to `values`.

        The two sequences are kept as they are, not copied (a first fill's are millions long): the caller
        leaves them unchanged until the sheet is written.
        """
        if len(rows) != len(values):
            raise ValueError(f"{len(rows)} rows but {len(values)} values for column {col}")
        self.columns.append((col, rows, values))

    def materialize(self) -> None:
        """Turn the column blocks into cell values (for the ways of writing that need them cell by cell)."""
        columns, self.columns = self.columns, []
        values = self.values
        for col, rows, new in reversed(columns):  # a later block wins, as a later set() does
            for r, v in zip(rows, new):
                by_col = values.get(r)
                if by_col is None:
                    by_col = values[r] = {}
                by_col.setdefault(col, v)

    def cell_count(self) -> int:
        return sum(len(v) for v in self.values.values()) + sum(len(rows) for _c, rows, _v in self.columns)

    def __bool__(self) -> bool:
        return bool(self.values) or any(len(rows) for _c, rows, _v in self.columns)


class _Keep:
    """Marker: keep the cell's value, only change its fill."""

    def __repr__(self):
        return "<keep>"


_KEEP = _Keep()


@dataclass
class SheetScan:
    """Facts about a sheet found while scanning it."""

    last_row: int = 0  # last row with any cell holding a value or formula
    max_col: int = 0  # rightmost column with a value in any row
    header_last_col: dict[int, int] = field(default_factory=dict)


@dataclass
class SheetSurvey:
    """What the writer must know of a sheet before it writes the first byte of the new one."""

    had_cells: bool = False  # some cell holds a value or a formula
    has_formulas: bool = False
    # formulas that cover more than their own cell: [(kind, range, si, formula text, own cell)]
    spanning: list = field(default_factory=list)
    formula_cells: dict[int, list[int]] = field(default_factory=dict)  # of the rows asked about: row -> cols
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # merged ranges (r1, c1, r2, c2)


class _RowMatch:
    """One <row> element found in a piece of the sheet (the parts of a regex match the editor uses)."""

    __slots__ = ("_attrs", "_body", "_start", "_end")

    def __init__(self, attrs: bytes, body: bytes | None, start: int, end: int):
        self._attrs, self._body, self._start, self._end = attrs, body, start, end

    @classmethod
    def of(cls, row, piece: bytes) -> _RowMatch:
        return cls(row.attrs, None if row.empty else piece[row.body_start : row.body_end], row.start, row.end)

    def group(self, n: int):
        return self._attrs if n == 1 else self._body

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


class SheetXml:
    """One worksheet part, rewritten as a stream. `open_stream()` gives the part's bytes afresh each
    time it is called (as blocks, as Package.stream does): the sheet is read once to survey it and
    once to rewrite it."""

    def __init__(self, open_stream, piece_size: int = PIECE):
        self._open = open_stream
        self._piece_size = piece_size
        stream = self._stream()
        self.prefix = stream.prefix
        self.head = stream.head
        self.self_closed = stream.self_closed
        self._open_tag = stream.open_tag
        p = re.escape(self.prefix)
        self._parser = CellParser(self.prefix)
        self._cell_refs_re = re.compile(rb'<%sc r="([A-Z]+[0-9]+)"' % p)  # the references cells start with
        self._value_re = re.compile(rb"<%s(?:v|is|f)\b" % p)
        self._formula_re = re.compile(rb"<%sf\b" % p)
        # a whole <f> element (empty or with text)
        self._f_elem_re = re.compile(rb"<%sf\b([^>]*?)(?:/>|>(.*?)</%sf>)" % (p, p), re.S)
        self._col_re = re.compile(rb"<%scol\b([^>]*?)/?>" % p)
        self._merge_re = re.compile(rb"""<%smergeCell\b[^>]*?\bref\s*=\s*["']([^"']+)["']""" % p)
        self._cell_start = b"<%sc" % self.prefix
        self._col_styles: list[tuple[int, int, int]] | None = None
        self._col_style_cache: dict[int, int | None] = {}
        self.overwrote_formula = False
        self.skipped_refs: list[str] = []
        self.merged_refs: list[tuple[str, str, object]] = []  # (cell, merged range, value not written)

    def _stream(self) -> SheetStream:
        return SheetStream(self._open(), piece_size=self._piece_size)

    def _pieces(self):
        """(piece, end) of each stretch of rows, from a fresh read of the sheet."""
        return self._stream().pieces()

    # ------------------------------------------------------------------ reading helpers
    def cells(self, row_body: bytes, row: int = 0):
        """Yield (col, attrs bytes, whole cell bytes) for the cells of one row."""
        for c, attrs, m in self._parser.cells(row_body):
            yield c, attrs, m.group(0)

    def scan(self, header_rows: tuple[int, ...] = ()) -> SheetScan:
        """Last row holding data, and the last used column of the given header rows."""
        info = SheetScan()
        has_value = self._value_re.search
        r = 0
        for piece, end in self._pieces():
            for row in iter_rows(piece, self.prefix, r, end=end):
                r = row.number
                if not row.empty and has_value(piece, row.body_start, row.body_end):
                    info.last_row = r
                    if r in header_rows:
                        last = 0
                        for c, _a, m in self._parser.cells(piece, row.body_start, row.body_end):
                            if has_value(m.group(0)):
                                last = c
                        info.header_last_col[r] = last
        return info

    def _survey_pieces(self, stream: SheetStream, found: SheetSurvey):
        """The stream's pieces; at their end, the merged ranges of the sheet's tail go into `found`."""
        yield from stream.pieces()
        for m in self._merge_re.finditer(bytes(stream.tail or b"")):
            try:
                found.merges.append(parse_range(m.group(1).decode()))
            except ValueError:
                continue

    def survey(self, rows: np.ndarray) -> SheetSurvey:
        """One pass over the sheet: whether it holds values and formulas, the formulas spanning cells, and
        the columns of the formula cells in `rows` (the rows the edit targets, ascending)."""
        found = SheetSurvey()
        has_value, has_formula = self._value_re.search, self._formula_re.search
        r = 0
        stream = self._stream()
        for piece, end in self._survey_pieces(stream, found):
            if not found.had_cells and has_value(piece, 0, end):
                found.had_cells = True
            if has_formula(piece, 0, end) is None:
                r = self._last_row_number(piece, end, r)
                continue
            found.has_formulas = True
            for row in iter_rows(piece, self.prefix, r, end=end):
                r = row.number
                if row.empty or has_formula(piece, row.body_start, row.body_end) is None:
                    continue
                k = int(np.searchsorted(rows, r))
                asked = k < len(rows) and rows[k] == r
                cols = []
                for c, _attrs, m in self._parser.cells(piece, row.body_start, row.body_end):
                    cell = m.group(0)
                    fm = self._f_elem_re.search(cell) if has_formula(cell) else None
                    if fm is None:
                        continue
                    cols.append(c)
                    spanning = self._spanning(fm, (r, c))
                    if spanning is not None:
                        found.spanning.append(spanning)
                if asked and cols:
                    found.formula_cells[r] = cols
        return found

    def _last_row_number(self, piece: bytes, end: int, previous: int) -> int:
        """The number of the last row of a stretch (without numbering every row, where its own r says)."""
        last = None
        k = end
        start_re = row_tag_re(self.prefix)
        opener = b"<%srow" % self.prefix
        while last is None:
            k = piece.rfind(opener, 0, k)
            if k < 0:
                return previous
            last = start_re.match(piece, k, end)
        pos = position(last.group(1))
        if pos is not None and pos[1]:
            return int(pos[1])
        # the last row has no r: every row of the stretch is counted (only the last one kept)
        numbered = deque(row_tags(piece, self.prefix, previous, end=end), maxlen=1)
        return numbered[0][0] if numbered else previous

    @staticmethod
    def _spanning(fm, own: tuple[int, int]):
        """(kind, range, si, text, own) of a formula element that spans cells, else None.

        kind is "array" (array formulas and what-if data tables: every cell of the range is a
        formula cell, though only the first holds the <f>) or "shared" (the first cell of a shared
        formula; the other cells hold <f t="shared" si=".."/>). Only these <f> elements carry a
        ref="..." attribute.
        """
        a = fm.group(1)
        ref = attr(a, b"ref")
        kind = attr(a, b"t") or b"normal"
        if not ref or kind not in (b"array", b"dataTable", b"shared"):
            return None
        try:
            rng = parse_range(ref.decode())
        except (ValueError, UnicodeDecodeError):
            return None
        if kind == b"shared":
            si = attr(a, b"si")
            if si is None or not si.isdigit():
                return None
            return ("shared", rng, si, fm.group(2) or b"", own)
        return ("array", rng, None, None, own)

    def has_formula(self, cell: bytes) -> bool:
        return bool(self._formula_re.search(cell))

    # ------------------------------------------------------------------ formulas spanning cells
    @staticmethod
    def _array_at(spanning: list, r: int, c: int):
        """The array formula whose range holds (r, c), as (range, its first cell), or None."""
        for kind, rng, _si, _text, own in spanning:
            if kind == "array" and rng[0] <= r <= rng[2] and rng[1] <= c <= rng[3]:
                return rng, own
        return None

    def _formula_plan(self, edit: SheetEdit, on_formula: str, spanning: list):
        """What the edit does to formulas that span cells, worked out before the sheet is rewritten.

        Returns (cells inside array ranges that the edit would overwrite, shared formulas losing
        their first cell {si: (row, col, formula text)}, array formulas to remove {their first cell}).
        """
        in_arrays: set[tuple[int, int]] = set()
        shared: dict[bytes, tuple[int, int, bytes]] = {}
        arrays: set[tuple[int, int]] = set()
        if not spanning:
            return in_arrays, shared, arrays
        targets = {(r, c) for r, cols in edit.values.items() for c, v in cols.items() if v is not _KEEP}
        masters = {own: (si, text) for kind, _rng, si, text, own in spanning if kind == "shared"}
        for rc in targets:
            hit = self._array_at(spanning, *rc)
            if hit:
                in_arrays.add(rc)
                if on_formula == "overwrite":
                    arrays.add(hit[1])
            if on_formula == "overwrite" and rc in masters:
                si, text = masters[rc]
                shared[si] = (rc[0], rc[1], text)
        return in_arrays, shared, arrays

    @staticmethod
    def _formula_targets(edit: SheetEdit, blocks: ColumnBlocks | None, survey: SheetSurvey) -> set[tuple[int, int]]:
        """The target cells (a value, not a fill alone) that hold a formula."""
        hits: set[tuple[int, int]] = set()
        for r, cols in survey.formula_cells.items():
            wanted = {c for c, v in edit.values.get(r, {}).items() if v is not _KEEP}
            if blocks is not None:
                wanted.update(blocks.targets(r))
            hits.update((r, c) for c in cols if c in wanted)
        return hits

    # ------------------------------------------------------------------ styles of new cells
    def _column_style(self, c: int) -> int | None:
        cache = self._col_style_cache
        if c not in cache:
            cache[c] = self._column_style_uncached(c)
        return cache[c]

    def _column_style_uncached(self, c: int) -> int | None:
        if self._col_styles is None:
            self._col_styles = []
            for m in self._col_re.finditer(self.head):
                a = m.group(1)
                lo, hi, st = (_int_attr(a, k) for k in (b"min", b"max", b"style"))
                if lo is not None and hi is not None and st is not None:
                    self._col_styles.append((lo, hi, st))
        for lo, hi, st in self._col_styles:
            if lo <= c <= hi:
                return st or None
        return None

    def _new_cell_style(self, row_attrs: bytes | None, c: int) -> int | None:
        """The format Excel gives a cell typed into an empty spot: the row's, else the column's."""
        row_style = _row_format(row_attrs)
        return self._column_style(c) if row_style is _NO_ROW_FORMAT else row_style

    # ------------------------------------------------------------------ writing
    def apply_chunks(self, edit: SheetEdit, encoder: CellEncoder, on_formula: str = "refuse"):
        """The new sheet XML as a stream of byte chunks (unchanged stretches are zero-copy views).

        Raises FormulaCells, before the first chunk, when on_formula="refuse" and formula cells are
        targeted; `skipped_refs` lists the formula cells left alone (on_formula="skip").
        """
        blocks = ColumnBlocks(edit.columns, encoder, self._column_style) if edit.columns else None
        survey = self.survey(self._pending(edit, blocks))
        if survey.merges and self._leave_merged(edit, survey.merges) and blocks is not None:
            blocks = ColumnBlocks(edit.columns, encoder, self._column_style) if edit.columns else None
        if blocks is not None and not self._columns_fit(edit, blocks, survey):
            edit.materialize()
            blocks = None
        pending = self._pending(edit, blocks)
        in_arrays, shared, arrays = self._formula_plan(edit, on_formula, survey.spanning)
        hits: set[tuple[int, int]] = set(in_arrays)  # formula cells the edit asks to change
        hits.update(self._formula_targets(edit, blocks, survey))
        refs = [make_ref(r, c) for r, c in sorted(hits)]
        if hits and on_formula == "refuse":
            raise FormulaCells(refs)
        self.overwrote_formula = bool(hits) and on_formula == "overwrite"
        self.skipped_refs = refs if on_formula == "skip" else []
        fixer = _FormulaFixer(self, shared, arrays) if (shared or arrays) else None
        p = self.prefix
        head = self.head
        if self.self_closed:  # <sheetData/> opened to hold rows
            head = head[: self._open_tag[0]] + b"<%ssheetData>" % p
        # The bounds of the cells written, row by row (no (row, col) pair per cell: a first fill writes millions);
        # formula cells the edit leaves alone do not widen the dimension.
        left_alone = hits if on_formula != "overwrite" else set()
        bounds = blocks.bounds(left_alone) if blocks else None
        for r, cols in edit.values.items():
            if left_alone:
                written = [c for c, v in cols.items() if v is not None and (r, c) not in left_alone]
            else:
                written = [c for c, v in cols.items() if v is not None]
            if written:
                lo, hi = min(written), max(written)
                bounds = (
                    [r, lo, r, hi]
                    if bounds is None
                    else [min(bounds[0], r), min(bounds[1], lo), max(bounds[2], r), max(bounds[3], hi)]
                )
        if bounds is not None:
            head = _widen_dimension(head, p, bounds, placeholder_ok=not survey.had_cells)
        if edit.widths:
            head = add_widths(head, p, edit.widths)
        yield head
        tail = yield from self._body_chunks(edit, encoder, on_formula, hits, fixer, pending, blocks)
        if self.self_closed:
            yield b"</%ssheetData>" % p
        if edit.highlights and encoder.styles is not None:
            rules = [
                Highlight(c, r1, r2, text, encoder.styles.with_dxf(fill, font))
                for c, r1, r2, text, fill, font in edit.highlights
            ]
            tail = add_highlights(tail, p, rules, max_priority(bytes(tail)) + 1)
        yield tail

    def _leave_merged(self, edit: SheetEdit, merges: list[tuple[int, int, int, int]]) -> bool:
        """Drop the edit's values for cells hidden under merged cells (all but a merge's first cell), noted in
        `merged_refs`: a value written there would not show. Returns whether the edit was materialised."""
        inside = [(r1, c1, r2, c2) for r1, c1, r2, c2 in merges if (r1, c1) != (r2, c2)]
        if not inside:
            return False
        materialised = False
        block_cols = {c for c, _rows, _v in edit.columns}
        if any(c1 <= c <= c2 for _r1, c1, _r2, c2 in inside for c in block_cols):
            edit.materialize()
            materialised = True
        for r1, c1, r2, c2 in inside:
            for r in range(r1, r2 + 1):
                cols = edit.values.get(r)
                if not cols:
                    continue
                for c in [c for c in cols if c1 <= c <= c2 and (r, c) != (r1, c1)]:
                    value = cols.pop(c)
                    if value is not None and value is not _KEEP:
                        self.merged_refs.append((make_ref(r, c), make_range(r1, c1, r2, c2), value))
        return materialised

    @staticmethod
    def _pending(edit: SheetEdit, blocks: ColumnBlocks | None) -> np.ndarray:
        """The rows the edit touches, ascending."""
        rows = np.fromiter(edit.values, np.int64, len(edit.values))
        return np.union1d(rows, blocks.rows) if blocks is not None else np.unique(rows)

    def _columns_fit(self, edit: SheetEdit, blocks: ColumnBlocks, survey: SheetSurvey) -> bool:
        """Whether the edit's column blocks can be written column by column: no fills, no column twice,
        rows given once each, and no formula spanning cells in the sheet (those need the cell-by-cell plan)."""
        cols = [c for c, _rows, _values in edit.columns]
        if edit.fills or self.self_closed or len(set(cols)) != len(cols):
            return False
        if blocks.has_repeated_rows():
            return False
        return not survey.spanning

    def _body_chunks(self, edit, encoder, on_formula, hits, fixer, pending, blocks=None):
        """The new cell data, a piece of the sheet at a time; returns the XML after it (</sheetData>...)."""
        pending = pending.tolist()
        n = len(pending)
        i = 0
        r = 0
        p = self.prefix
        stream = self._stream()
        for piece, end in stream.pieces():
            if fixer is None and (i >= n or pending[i] > self._last_row_number(piece, end, r)):
                # nothing to change among this piece's rows (the next new row comes after them)
                r = self._last_row_number(piece, end, r)
                yield memoryview(piece)[:end]
                continue
            view = memoryview(piece)
            pos = 0
            for row in iter_rows(piece, p, r, end=end):
                r = row.number
                while i < n and pending[i] < r:  # new rows before this one
                    yield view[pos : row.start]
                    pos = row.start
                    yield self._new_row(pending[i], self._row_edit(pending[i], edit, blocks), encoder, on_formula, hits)
                    i += 1
                if i < n and pending[i] == r:
                    yield view[pos : row.start]
                    m = _RowMatch.of(row, piece)
                    fast = (
                        self._append_block_cells(r, m, view, blocks)
                        if blocks is not None and r not in edit.values
                        else None
                    )
                    if fast is not None:
                        yield from fast
                    else:
                        yield self._patch_row(r, m, self._row_edit(r, edit, blocks), encoder, on_formula, hits, fixer)
                    pos = row.end
                    i += 1
                elif fixer is not None and not row.empty and fixer.wants(r, piece[row.body_start : row.body_end]):
                    yield view[pos : row.start]
                    yield self._patch_row(r, _RowMatch.of(row, piece), SheetEdit(), encoder, on_formula, hits, fixer)
                    pos = row.end
            yield view[pos:end]
        for k in range(i, n):  # new rows after the last one
            yield self._new_row(pending[k], self._row_edit(pending[k], edit, blocks), encoder, on_formula, hits)
        return stream.tail

    def _row_edit(self, r: int, edit: SheetEdit, blocks) -> SheetEdit:
        """The edit of one row, its column-block cells included, for the cell-by-cell ways of writing it."""
        if blocks is None or not blocks.has_row(r):
            return edit
        updates = blocks.at(r).updates(r)
        updates.update(edit.values.get(r, {}))
        return SheetEdit(values={r: updates}, fills=edit.fills)

    def _append_block_cells(self, r: int, m, view: memoryview, blocks) -> list | None:
        """A row's column-block cells appended to it, when they all lie right of its last cell and the row
        has no format of its own (new cells then take their column's); None otherwise."""
        row_attrs, body = m.group(1), m.group(3)
        if _row_format(row_attrs) is not _NO_ROW_FORMAT:
            return None
        window = blocks.at(r)
        k = window.index[r]
        last = self._last_col(body or b"")
        if last is None or window.first_target[k] <= last:
            return None
        cells = window.cells(k)
        p = self.prefix
        if not cells:
            return [view[m.start() : m.end()]]
        row_attrs = _widened_spans(row_attrs, int(window.lo[k]), int(window.hi[k]))
        return [b"<%srow%s>" % (p, row_attrs), body or b"", cells, b"</%srow>" % p]

    def _new_row(self, r: int, edit: SheetEdit, encoder: CellEncoder, on_formula: str, hits) -> bytes:
        cells = []
        for c in sorted(edit.values[r]):
            v = edit.values[r][c]
            if v is None:
                continue  # nothing to clear
            if (r, c) in hits and on_formula != "overwrite":
                continue
            x = encoder.encode(
                make_ref(r, c), None if v is _KEEP else v, self._new_cell_style(None, c), edit.fills.get((r, c))
            )
            if x is not None:
                cells.append(x)
        p = self.prefix
        if not cells:
            return b""
        return b'<%srow r="%d">%s</%srow>' % (p, r, b"".join(cells), p)

    def _patch_row(self, r, m, edit: SheetEdit, encoder: CellEncoder, on_formula: str, hits: set, fixer) -> bytes:
        like = {c: src for (lr, c), src in edit.like.items() if lr == r} if edit.like else {}
        if fixer is None and not edit.fills and not like:
            fast = self._patch_row_fast(r, m, edit.values.get(r, {}), encoder, hits)
            if fast is not None:
                return fast
        row_attrs, body = m.group(1), m.group(3) or b""
        updates = edit.values.get(r, {})
        merged: dict[int, bytes | None] = {}
        styles_here: dict[int, int | None] = {}
        for c, attrs, cell in self.cells(body, r):
            if like:
                styles_here[c] = _int_attr(attrs, b"s")
            if not has_position(attrs):
                # cells without r="..." are placed by their order: name them, since cells
                # before them may be added or removed
                cell = (
                    cell[: 2 + len(self.prefix)] + b' r="%s"' % make_ref(r, c).encode() + cell[2 + len(self.prefix) :]
                )
                attrs = b' r="%s"' % make_ref(r, c).encode() + attrs
            value = updates.get(c, _KEEP)
            if value is not _KEEP and ((r, c) in hits or self.has_formula(cell)):
                hits.add((r, c))
                if on_formula != "overwrite":  # refused or skipped: the cell stays as it is, uncoloured
                    updates = {k: v for k, v in updates.items() if k != c}
            if c not in updates:
                if fixer is not None:
                    cell = fixer.fix(r, c, cell)
                merged[c] = cell
                continue
            style = _int_attr(attrs, b"s")
            if value is _KEEP:
                fill = edit.fills.get((r, c))
                if fixer is not None:
                    cell = fixer.fix(r, c, cell)
                merged[c] = _restyle(cell, encoder.filled(style, fill)) if fill else cell
                continue
            merged[c] = encoder.encode(make_ref(r, c), value, style, edit.fills.get((r, c)))
        for c, value in updates.items():
            if c in merged or value is None or ((r, c) in hits and on_formula != "overwrite"):
                continue
            style = styles_here.get(like[c]) if c in like else None
            merged[c] = encoder.encode(
                make_ref(r, c),
                None if value is _KEEP else value,
                style if style is not None else self._new_cell_style(row_attrs, c),
                edit.fills.get((r, c)),
            )
        written = {c: x for c, x in merged.items() if x is not None}
        cols = sorted(written)
        cells = b"".join(written[c] for c in cols)
        if b"spans" in row_attrs and cols and _SPANS.search(row_attrs):
            row_attrs = _SPANS.sub(b"", row_attrs) + b' spans="%d:%d"' % (cols[0], cols[-1])
        p = self.prefix
        if not cells:
            return b"<%srow%s/>" % (p, row_attrs)
        return b"<%srow%s>%s</%srow>" % (p, row_attrs, cells, p)

    def _patch_row_fast(self, r: int, m, updates: dict, encoder: CellEncoder, hits: set) -> bytes | None:
        """Patch a row by finding the target cells by reference instead of parsing every cell.

        Handles the common case: every target cell either exists with r="..." and holds no
        formula, or lies right of the row's last cell. Returns None to ask for the full path.
        """
        row_attrs, body = m.group(1), m.group(3) or b""
        p = self.prefix
        cell_at = b"<%sc " % p + b'r="'
        closer = b"</%sc>" % p
        formula = self._formula_re.search
        encode = encoder.encode
        row_style = _row_format(row_attrs)  # the same for every new cell of the row
        if row_style is _NO_ROW_FORMAT and len(updates) > 1 and _KEEP not in updates.values():
            # Every target right of the row's last cell (a first fill): no target exists yet, so none
            # holds a formula; the new cells are appended, each in its column's format.
            last = self._last_col(body)
            if last is not None and min(updates) > last and not (hits and any((r, c) in hits for c in updates)):
                return self._row_xml(row_attrs, body + encoder.new_cells(r, updates, self._column_style), updates)
        pieces: list[tuple[int, int, bytes | None]] = []  # (start, end, replacement) in body
        appended: list[bytes] = []
        last_col = None
        # When many cells of the row change (a first fill), most are new: the references the row holds
        # are listed in one pass, and only those are searched for. A listed reference is one `find`
        # would find (and no other), since a match cannot hide another one: it holds no '<'.
        present = set(self._cell_refs_re.findall(body)) if len(updates) > 4 else None
        for c in sorted(updates):
            value = updates[c]
            if value is _KEEP or (hits and (r, c) in hits):
                return None
            ref = f"{column_letter(c)}{r}"
            needle = ref.encode()
            k = body.find(cell_at + needle + b'"') if present is None or needle in present else -1
            if k >= 0:
                gt = body.find(b">", k)
                if body[gt - 1 : gt] == b"/":
                    end = gt + 1
                else:
                    close = body.find(closer, gt)
                    if close < 0:
                        return None
                    end = close + len(closer)
                if formula(body, k, end):
                    return None
                pieces.append((k, end, encode(ref, value, _int_attr(body[k:gt], b"s"))))
                continue
            if last_col is None:
                last_col = self._last_col(body)
                if last_col is None:
                    return None
            if c <= last_col:
                return None
            if value is None:
                continue
            x = encode(ref, value, self._column_style(c) if row_style is _NO_ROW_FORMAT else row_style)
            if x is not None:
                appended.append(x)
                last_col = c
        out, pos = [], 0
        for start, end, rep in sorted(pieces):
            out.append(body[pos:start])
            if rep is not None:
                out.append(rep)
            pos = end
        out.append(body[pos:])
        out.extend(appended)
        return self._row_xml(row_attrs, b"".join(out), updates)

    def _last_col(self, body: bytes) -> int | None:
        """The column of a row's last cell (0 for an empty row); None when it has no reference."""
        opener = self._cell_start
        n = len(opener)
        k = len(body)
        while True:
            k = body.rfind(opener, 0, k)
            if k < 0:
                return 0 if not body.strip() else None
            if body[k + n : k + n + 1] in (b" ", b"\t", b"\r", b"\n", b">", b"/"):
                break
        gt = body.find(b">", k)
        pos = position(body[k + n : gt if gt >= 0 else len(body)])
        return column_index(pos[0].decode("ascii")) if pos is not None and pos[0] else None

    def _row_xml(self, row_attrs: bytes, cells: bytes, updates: dict) -> bytes:
        """The <row> element around its new cells, its spans="..." widened to the updated cells."""
        p = self.prefix
        cols = [c for c in updates if updates[c] is not None]
        if cols:
            row_attrs = _widened_spans(row_attrs, min(cols), max(cols))
        if not cells.strip():
            return b"<%srow%s/>" % (p, row_attrs)
        return b"<%srow%s>%s</%srow>" % (p, row_attrs, cells, p)


def _widened_spans(row_attrs: bytes, lo: int, hi: int) -> bytes:
    """A row's attributes with its spans="first:last" (when it has one) widened to columns lo..hi."""
    if b"spans" not in row_attrs:
        return row_attrs
    spans = attr(row_attrs, b"spans")
    sp = re.fullmatch(rb"(\d+):(\d+)", spans) if spans is not None else None
    if not sp:
        return row_attrs
    return _SPANS.sub(b"", row_attrs) + b' spans="%d:%d"' % (min(int(sp.group(1)), lo), max(int(sp.group(2)), hi))


_NO_ROW_FORMAT = object()  # marker: the row has no format of its own; new cells take their column's


def _row_format(row_attrs: bytes | None):
    """The row's own format (customFormat="1" with s="..."), None for the default one, else _NO_ROW_FORMAT."""
    if row_attrs is not None and attr(row_attrs, b"customFormat") in (b"1", b"true"):
        style = _int_attr(row_attrs, b"s")
        if style is not None:
            return style or None
    return _NO_ROW_FORMAT


class _FormulaFixer:
    """Keeps formulas consistent when on_formula="overwrite" replaces part of a multi-cell formula.

    - A shared formula whose first cell is overwritten: the other cells of the group only say
      "same as the first cell, shifted"; each gets its own formula text instead.
    - An array formula (or data table) any cell of which is overwritten: Excel cannot change part
      of an array, so the array formula is removed and its cells keep their last values.
    """

    def __init__(self, sheet: SheetXml, shared: dict[bytes, tuple[int, int, bytes]], arrays: set[tuple[int, int]]):
        self.sheet = sheet
        self.shared = shared
        self.arrays = arrays
        self._si_re = (
            re.compile(rb"""(?<![\w:.-])si\s*=\s*["'](%s)["']""" % b"|".join(re.escape(k) for k in shared))
            if shared
            else None
        )

    def wants(self, r: int, body: bytes) -> bool:
        if any(ar == r for ar, _ac in self.arrays):
            return True
        return self._si_re is not None and self._si_re.search(body) is not None

    def fix(self, r: int, c: int, cell: bytes) -> bytes:
        fm = self.sheet._f_elem_re.search(cell)
        if fm is None:
            return cell
        if (r, c) in self.arrays:  # drop the array formula, keep the cached value as a constant
            cell = cell[: fm.start()] + cell[fm.end() :]
            start, sep, rest = cell.partition(b">")
            if attr(start, b"t") == b"str":
                v = re.search(
                    rb"<%sv>(.*?)</%sv>" % (re.escape(self.sheet.prefix), re.escape(self.sheet.prefix)), rest, re.S
                )
                p = self.sheet.prefix
                text = v.group(1) if v else b""
                start = _T_STR.sub(b't="inlineStr"', start)
                closing = b"</%sc>" % p
                return start + sep + b'<%sis><%st xml:space="preserve">%s</%st></%sis>' % (p, p, text, p, p) + closing
            return cell
        a = fm.group(1)
        si = attr(a, b"si")
        if not (si is not None and si in self.shared and attr(a, b"t") == b"shared"):
            return cell
        if attr(a, b"ref") is not None:  # the group's first cell itself (when it is kept, e.g. skipped)
            return cell
        mr, mc, text = self.shared[si]
        moved = _translate(text, make_ref(mr, mc), make_ref(r, c))
        p = self.sheet.prefix
        return cell[: fm.start()] + b"<%sf>%s</%sf>" % (p, moved, p) + cell[fm.end() :]


def _translate(formula_xml: bytes, origin: str, dest: str) -> bytes:
    """A formula's text (XML-escaped, without '=') moved from cell `origin` to cell `dest`."""
    from openpyxl.formula.translate import Translator  # noqa: PLC0415 - openpyxl loads only to move a formula

    text = html.unescape(formula_xml.decode("utf-8"))
    try:
        moved = Translator("=" + text, origin=origin).translate_formula(dest)[1:]
    except Exception as exc:  # openpyxl's tokenizer raises its own errors for formulas it cannot read
        raise CellValueError(
            f"cell {origin} starts a shared formula ({text}) that the toolkit cannot copy "
            f"to {dest} ({exc}); nothing was written"
        ) from None
    return moved.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


_T_STR = re.compile(rb"""(?<![\w:.-])t\s*=\s*(?:"str"|'str')""")
_S_ANY = re.compile(rb"""(?<![\w:.-])s\s*=\s*(?:"[^"]*"|'[^']*')""")


def _restyle(cell: bytes, style: int) -> bytes:
    start, sep, rest = cell.partition(b">")
    closing = start.endswith(b"/")
    if closing:
        start = start[:-1]
    if _S_ANY.search(start):
        start = _S_ANY.sub(b's="%d"' % style, start, count=1)
    else:
        start = start + b' s="%d"' % style
    return start + (b"/" if closing else b"") + sep + rest


def _widen_dimension(xml: bytes, p: bytes, bounds, placeholder_ok: bool = True) -> bytes:
    """Grow the sheet's <dimension> to cover `bounds` (an empty sheet's "A1" placeholder is replaced)."""
    pat = re.compile(rb"""(<%sdimension\b[^>]*(?<![\w:.-])ref\s*=\s*["'])([^"']*)(["'])""" % re.escape(p))
    m = pat.search(xml, 0, 20000)
    if not m:
        return xml
    try:
        r1, c1, r2, c2 = parse_range(m.group(2).decode())
    except ValueError:
        r1, c1, r2, c2 = bounds
    if m.group(2) == b"A1" and placeholder_ok:  # an empty sheet's placeholder, not a used cell
        r1, c1, r2, c2 = bounds
    new = make_range(min(r1, bounds[0]), min(c1, bounds[1]), max(r2, bounds[2]), max(c2, bounds[3]))
    return xml[: m.start(2)] + new.encode() + xml[m.end(2) :]
