"""A worksheet's XML, edited in place.

The sheet is scanned row by row as bytes. Rows the caller does not touch are copied as they
are; in a touched row only the named cells are rebuilt, and the other cells keep their XML
(formulas, cached values, styles, rich-text references).

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
from dataclasses import dataclass, field

from toolkit.xlsx.cells import CellEncoder, CellValueError
from toolkit.xlsx.columns import ColumnCells
from toolkit.xlsx.refs import column_index, column_letter, make_range, make_ref, parse_range

_R_ATTR = re.compile(rb'\br="([A-Z]*)(\d*)"')
_S_ATTR = re.compile(rb'\bs="(\d+)"')
_T_ATTR = re.compile(rb'\bt="(\w+)"')
_SPANS = re.compile(rb'\s*\bspans="[^"]*"')
_CUSTOM_FORMAT = re.compile(rb'\bcustomFormat="(?:1|true)"')


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
    columns: list[tuple[int, list[int], list]] = field(default_factory=list)  # (col, rows, values)

    def set(self, row: int, col: int, value) -> None:
        self.values.setdefault(row, {})[col] = value

    def fill(self, row: int, col: int, rgb: str) -> None:
        self.fills[(row, col)] = rgb
        self.values.setdefault(row, {}).setdefault(col, _KEEP)

    def set_column(self, col: int, rows: list[int], values: list) -> None:
        """Set the cells of column `col` in `rows` (each row once) to `values`."""
        if len(rows) != len(values):
            raise ValueError(f"{len(rows)} rows but {len(values)} values for column {col}")
        self.columns.append((col, list(rows), list(values)))

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
        return bool(self.values) or any(rows for _c, rows, _v in self.columns)


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


def sheet_prefix(xml: bytes) -> bytes:
    m = re.search(rb"<(\w+:)?worksheet\b", xml[:5000])
    if not m:
        raise ValueError("not a worksheet part")
    return m.group(1) or b""


class _RowMatch:
    """One <row> element found in the sheet XML (the parts of a regex match the editor uses)."""

    __slots__ = ("_attrs", "_body", "_start", "_end")

    def __init__(self, attrs: bytes, body: bytes | None, start: int, end: int):
        self._attrs, self._body, self._start, self._end = attrs, body, start, end

    def group(self, n: int):
        return self._attrs if n == 1 else self._body

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


class SheetXml:
    def __init__(self, xml: bytes):
        self.xml = xml
        self.prefix = sheet_prefix(xml)
        p = re.escape(self.prefix)
        self._cell_re = re.compile(rb"<%sc\b([^>]*?)(?:/>|>(.*?)</%sc>)" % (p, p), re.S)
        self._cell_refs_re = re.compile(rb'<%sc r="([A-Z]+[0-9]+)"' % p)  # the references cells start with
        self._value_re = re.compile(rb"<%s(?:v|is|f)\b" % p)
        self._formula_re = re.compile(rb"<%sf\b" % p)
        # a whole <f> element (empty or with text)
        self._f_elem_re = re.compile(rb"<%sf\b([^>]*?)(?:/>|>(.*?)</%sf>)" % (p, p), re.S)
        self._col_re = re.compile(rb"<%scol\b([^>]*?)/?>" % p)
        self._spanning: list | None = None
        self._formulas_found: bool | None = None
        self._col_styles: list[tuple[int, int, int]] | None = None
        self._col_style_cache: dict[int, int | None] = {}
        self.overwrote_formula = False
        self.skipped_refs: list[str] = []
        open_m = re.search(rb"<%ssheetData\b[^>]*?(/?)>" % p, xml)
        if open_m is None:
            raise ValueError("the sheet has no cell data section")
        self.data_start = open_m.end()
        if open_m.group(1):  # <sheetData/>
            self.self_closed = (open_m.start(), open_m.end())
            self.data_end = open_m.end()
        else:
            self.self_closed = None
            close = xml.find(b"</%ssheetData>" % self.prefix, self.data_start)
            if close < 0:
                raise ValueError("the sheet's cell data section is not closed")
            self.data_end = close

    # ------------------------------------------------------------------ reading helpers
    def rows(self):
        """Yield (row number, match) for every <row> element, numbering rows without r="...".

        The match has the regex-match methods the callers use: group(1) the row's attributes,
        group(3) its content (None for <row .../>), start() and end().
        """
        xml, end = self.xml, self.data_end
        opener = b"<%srow" % self.prefix
        closer = b"</%srow>" % self.prefix
        n = len(opener)
        pos, r = self.data_start, 0
        while True:
            k = xml.find(opener, pos, end)
            if k < 0:
                return
            if xml[k + n : k + n + 1] not in (b" ", b">", b"/", b"\t", b"\r", b"\n"):  # e.g. <rowBreaks>
                pos = k + n
                continue
            gt = xml.find(b">", k + n, end)
            if gt < 0:
                return
            if xml[gt - 1 : gt] == b"/":
                m = _RowMatch(xml[k + n : gt - 1], None, k, gt + 1)
            else:
                close = xml.find(closer, gt, end)
                if close < 0:
                    return
                m = _RowMatch(xml[k + n : gt], xml[gt + 1 : close], k, close + len(closer))
            pos = m.end()
            rm = _R_ATTR.search(m.group(1))
            r = int(rm.group(2)) if rm and rm.group(2) else r + 1
            yield r, m

    def cells(self, row_body: bytes, row: int):
        """Yield (col, attrs bytes, whole cell bytes) for the cells of one row."""
        c = 0
        for m in self._cell_re.finditer(row_body):
            rm = _R_ATTR.search(m.group(1))
            c = column_index(rm.group(1).decode()) if rm and rm.group(1) else c + 1
            yield c, m.group(1), m.group(0)

    def scan(self, header_rows: tuple[int, ...] = ()) -> SheetScan:
        """Last row holding data, and the last used column of the given header rows."""
        info = SheetScan()
        has_value = self._value_re.search
        for r, m in self.rows():
            body = m.group(3)
            if body and has_value(body):
                info.last_row = r
                if r in header_rows:
                    last = 0
                    for c, _a, cell in self.cells(body, r):
                        if has_value(cell):
                            last = c
                    info.header_last_col[r] = last
        return info

    def _has_formulas(self) -> bool:
        """Whether any cell of the sheet holds a formula (one scan of the cell data, remembered)."""
        if self._formulas_found is None:
            self._formulas_found = self._formula_re.search(self.xml, self.data_start, self.data_end) is not None
        return self._formulas_found

    def has_formula(self, cell: bytes) -> bool:
        return bool(self._formula_re.search(cell))

    # ------------------------------------------------------------------ formulas spanning cells
    def _spanning_formulas(self):
        """Formulas that cover more than their own cell: [(kind, range, si, formula text, own cell)].

        kind is "array" (array formulas and what-if data tables: every cell of the range is a
        formula cell, though only the first holds the <f>) or "shared" (the first cell of a shared
        formula; the other cells hold <f t="shared" si=".."/>). Only these <f> elements carry a
        ref="..." attribute, so they are found by searching for it rather than by parsing every cell.
        """
        if self._spanning is not None:
            return self._spanning
        found = []
        xml, p = self.xml, self.prefix
        f_open = b"<%sf" % p
        pos = self.data_start
        while True:
            k = xml.find(b'ref="', pos, self.data_end)
            if k < 0:
                break
            pos = k + 5
            lt = xml.rfind(b"<", self.data_start, k)
            if (
                lt < 0
                or not xml.startswith(f_open, lt)
                or xml[lt + len(f_open) : lt + len(f_open) + 1] not in b" \t\r\n/>"
            ):
                continue
            gt = xml.find(b">", lt)
            if gt < k:  # the text is in an element's content, not in the tag
                continue
            tag = xml[lt : gt + 1]
            t = _T_ATTR.search(tag)
            ref = re.search(rb'\bref="([^"]+)"', tag)
            kind = t.group(1) if t else b"normal"
            if not ref or kind not in (b"array", b"dataTable", b"shared"):
                continue
            try:
                rng = parse_range(ref.group(1).decode())
            except ValueError:
                continue
            cell_start = xml.rfind(b"<%sc " % p, self.data_start, lt)
            rm = _R_ATTR.search(xml, cell_start, lt) if cell_start >= 0 else None
            own = (
                (int(rm.group(2)), column_index(rm.group(1).decode()))
                if rm and rm.group(1) and rm.group(2)
                else (rng[0], rng[1])
            )
            if kind == b"shared":
                si = re.search(rb'\bsi="(\d+)"', tag)
                if not si:
                    continue
                text = b""
                if not tag.endswith(b"/>"):
                    end = xml.find(b"</%sf>" % p, gt)
                    text = xml[gt + 1 : end] if end >= 0 else b""
                found.append(("shared", rng, si.group(1), text, own))
            else:
                found.append(("array", rng, None, None, own))
        self._spanning = found
        return found

    def _array_at(self, r: int, c: int):
        """The array formula whose range holds (r, c), as (range, its first cell), or None."""
        for kind, rng, _si, _text, own in self._spanning_formulas():
            if kind == "array" and rng[0] <= r <= rng[2] and rng[1] <= c <= rng[3]:
                return rng, own
        return None

    def _formula_plan(self, edit: SheetEdit, on_formula: str):
        """What the edit does to formulas that span cells, worked out before the sheet is rewritten.

        Returns (cells inside array ranges that the edit would overwrite, shared formulas losing
        their first cell {si: (row, col, formula text)}, array formulas to remove {their first cell}).
        """
        in_arrays: set[tuple[int, int]] = set()
        shared: dict[bytes, tuple[int, int, bytes]] = {}
        arrays: set[tuple[int, int]] = set()
        spanning = self._spanning_formulas() if self._has_formulas() else []
        if not spanning:
            return in_arrays, shared, arrays
        targets = {(r, c) for r, cols in edit.values.items() for c, v in cols.items() if v is not _KEEP}
        masters = {own: (si, text) for kind, _rng, si, text, own in spanning if kind == "shared"}
        for rc in targets:
            hit = self._array_at(*rc)
            if hit:
                in_arrays.add(rc)
                if on_formula == "overwrite":
                    arrays.add(hit[1])
            if on_formula == "overwrite" and rc in masters:
                si, text = masters[rc]
                shared[si] = (rc[0], rc[1], text)
        return in_arrays, shared, arrays

    # ------------------------------------------------------------------ styles of new cells
    def _column_style(self, c: int) -> int | None:
        cache = self._col_style_cache
        if c not in cache:
            cache[c] = self._column_style_uncached(c)
        return cache[c]

    def _column_style_uncached(self, c: int) -> int | None:
        if self._col_styles is None:
            self._col_styles = []
            head = self.xml[: self.data_start]
            for m in self._col_re.finditer(head):
                a = m.group(1)
                lo, hi, st = (re.search(rb'\b%s="(\d+)"' % k, a) for k in (b"min", b"max", b"style"))
                if lo and hi and st:
                    self._col_styles.append((int(lo.group(1)), int(hi.group(1)), int(st.group(1))))
        for lo, hi, st in self._col_styles:
            if lo <= c <= hi:
                return st or None
        return None

    def _new_cell_style(self, row_attrs: bytes | None, c: int) -> int | None:
        """The format Excel gives a cell typed into an empty spot: the row's, else the column's."""
        row_style = _row_format(row_attrs)
        return self._column_style(c) if row_style is _NO_ROW_FORMAT else row_style

    # ------------------------------------------------------------------ writing
    def apply(self, edit: SheetEdit, encoder: CellEncoder, on_formula: str = "refuse") -> tuple[bytes, list[str]]:
        """Return the new sheet XML and the refs of formula cells skipped (on_formula="skip")."""
        data = b"".join(self.apply_chunks(edit, encoder, on_formula))
        return data, self.skipped_refs

    def apply_chunks(self, edit: SheetEdit, encoder: CellEncoder, on_formula: str = "refuse"):
        """The new sheet XML as a stream of byte chunks (unchanged stretches are zero-copy views).

        Raises FormulaCells at the end when on_formula="refuse" and formula cells were targeted;
        afterwards `skipped_refs` lists the formula cells left alone (on_formula="skip").
        """
        if edit.columns and not self._columns_fit(edit):
            edit.materialize()
        in_arrays, shared, arrays = self._formula_plan(edit, on_formula)
        hits: set[tuple[int, int]] = set(in_arrays)  # formula cells the edit asks to change
        fixer = _FormulaFixer(self, shared, arrays) if (shared or arrays) else None
        blocks = ColumnCells(edit.columns, encoder, self._column_style) if edit.columns else None
        pending = sorted(set(edit.values).union(blocks.index)) if blocks else sorted(edit.values)
        view = memoryview(self.xml)
        p = self.prefix
        head = bytes(view[: self.data_start])
        if self.self_closed:
            head = bytes(view[: self.self_closed[0]]) + b"<%ssheetData>" % p
        # Formula cells the edit leaves alone must not widen the dimension; where the sheet has
        # formulas (and they are not overwritten), the body is built first and the bounds taken after.
        exact = on_formula != "overwrite" and self._has_formulas()
        body = self._body_chunks(edit, encoder, on_formula, hits, fixer, view, pending, blocks)
        if exact:
            body = list(body)
        # The bounds of the cells written, row by row (no (row, col) pair per cell: a first fill writes millions).
        bounds = blocks.bounds(hits if on_formula != "overwrite" else set()) if blocks else None
        for r, cols in edit.values.items():
            if hits and on_formula != "overwrite":
                written = [c for c, v in cols.items() if v is not None and (r, c) not in hits]
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
            had_cells = self._value_re.search(self.xml, self.data_start, self.data_end) is not None
            head = _widen_dimension(head, p, bounds, placeholder_ok=not had_cells)
        yield head
        yield from body
        refs = [make_ref(r, c) for r, c in sorted(hits)]
        if hits and on_formula == "refuse":
            raise FormulaCells(refs)
        self.overwrote_formula = bool(hits) and on_formula == "overwrite"
        self.skipped_refs = refs if on_formula == "skip" else []
        if self.self_closed:
            yield b"</%ssheetData>" % p
            yield view[self.self_closed[1] :]
        else:
            yield view[self.data_end :]

    def _columns_fit(self, edit: SheetEdit) -> bool:
        """Whether the edit's column blocks can be written column by column: no fills, no column twice,
        rows given once each, and no formula spanning cells in the sheet (those need the cell-by-cell plan)."""
        cols = [c for c, _rows, _values in edit.columns]
        if edit.fills or self.self_closed or len(set(cols)) != len(cols):
            return False
        if any(len(set(rows)) != len(rows) for _c, rows, _values in edit.columns):
            return False
        return not (self._has_formulas() and self._spanning_formulas())

    def _body_chunks(self, edit, encoder, on_formula, hits, fixer, view, pending, blocks=None):
        pos = self.data_start
        i = 0
        for r, m in self.rows():
            while i < len(pending) and pending[i] < r:  # new rows before this one
                yield view[pos : m.start()]
                pos = m.start()
                yield self._new_row(pending[i], self._row_edit(pending[i], edit, blocks), encoder, on_formula, hits)
                i += 1
            if i < len(pending) and pending[i] == r:
                yield view[pos : m.start()]
                fast = self._append_block_cells(r, m, view, blocks) if blocks and r not in edit.values else None
                if fast is not None:
                    yield from fast
                else:
                    yield self._patch_row(r, m, self._row_edit(r, edit, blocks), encoder, on_formula, hits, fixer)
                pos = m.end()
                i += 1
            elif fixer is not None and m.group(3) and fixer.wants(r, m.group(3)):
                yield view[pos : m.start()]
                yield self._patch_row(r, m, SheetEdit(), encoder, on_formula, hits, fixer)
                pos = m.end()
        yield view[pos : self.data_end]
        for r in pending[i:]:
            yield self._new_row(r, self._row_edit(r, edit, blocks), encoder, on_formula, hits)

    def _row_edit(self, r: int, edit: SheetEdit, blocks) -> SheetEdit:
        """The edit of one row, its column-block cells included, for the cell-by-cell ways of writing it."""
        if not blocks or r not in blocks:
            return edit
        updates = blocks.updates(r)
        updates.update(edit.values.get(r, {}))
        return SheetEdit(values={r: updates}, fills=edit.fills)

    def _append_block_cells(self, r: int, m, view: memoryview, blocks) -> list | None:
        """A row's column-block cells appended to it, when they all lie right of its last cell and the row
        has no format of its own (new cells then take their column's); None otherwise."""
        row_attrs, body = m.group(1), m.group(3)
        if _row_format(row_attrs) is not _NO_ROW_FORMAT:
            return None
        k = blocks.index[r]
        last = self._last_col(body or b"", b"<%sc " % self.prefix)
        if last is None or blocks.first_target[k] <= last:
            return None
        cells = blocks.cells(k)
        p = self.prefix
        if not cells:
            return [view[m.start() : m.end()]]
        row_attrs = _widened_spans(row_attrs, int(blocks.lo[k]), int(blocks.hi[k]))
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
        if fixer is None and not edit.fills:
            fast = self._patch_row_fast(r, m, edit.values.get(r, {}), encoder, hits)
            if fast is not None:
                return fast
        row_attrs, body = m.group(1), m.group(3) or b""
        updates = edit.values.get(r, {})
        merged: dict[int, bytes | None] = {}
        for c, attrs, cell in self.cells(body, r):
            if not _R_ATTR.search(attrs) or not _R_ATTR.search(attrs).group(1):
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
            sm = _S_ATTR.search(attrs)
            style = int(sm.group(1)) if sm else None
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
            merged[c] = encoder.encode(
                make_ref(r, c),
                None if value is _KEEP else value,
                self._new_cell_style(row_attrs, c),
                edit.fills.get((r, c)),
            )
        cols = sorted(c for c, x in merged.items() if x is not None)
        cells = b"".join(merged[c] for c in cols)
        if b"spans=" in row_attrs and cols:
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
        opener = b"<%sc " % p
        cell_at = opener + b'r="'
        closer = b"</%sc>" % p
        formula = self._formula_re.search
        encode = encoder.encode
        row_style = _row_format(row_attrs)  # the same for every new cell of the row
        if row_style is _NO_ROW_FORMAT and len(updates) > 1 and _KEEP not in updates.values():
            # Every target right of the row's last cell (a first fill): no target exists yet, so none
            # holds a formula; the new cells are appended, each in its column's format.
            last = self._last_col(body, opener)
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
                sm = _S_ATTR.search(body, k, gt + 1)
                pieces.append((k, end, encode(ref, value, int(sm.group(1)) if sm else None)))
                continue
            if last_col is None:
                last_col = self._last_col(body, opener)
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

    def _last_col(self, body: bytes, opener: bytes) -> int | None:
        """The column of a row's last cell (0 for an empty row); None when it has no reference."""
        lk = body.rfind(opener)
        if lk < 0:
            return 0 if not body.strip() else None
        rm = _R_ATTR.match(body, lk + len(opener))
        return column_index(rm.group(1).decode()) if rm and rm.group(1) else None

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
    if b"spans=" not in row_attrs:
        return row_attrs
    sp = re.search(rb'\bspans="(\d+):(\d+)"', row_attrs)
    if not sp:
        return row_attrs
    return _SPANS.sub(b"", row_attrs) + b' spans="%d:%d"' % (min(int(sp.group(1)), lo), max(int(sp.group(2)), hi))


_NO_ROW_FORMAT = object()  # marker: the row has no format of its own; new cells take their column's


def _row_format(row_attrs: bytes | None):
    """The row's own format (customFormat="1" with s="..."), None for the default one, else _NO_ROW_FORMAT."""
    if row_attrs is not None and _CUSTOM_FORMAT.search(row_attrs):
        sm = _S_ATTR.search(row_attrs)
        if sm:
            return int(sm.group(1)) or None
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
        self._si_re = re.compile(rb'\bsi="(%s)"' % b"|".join(re.escape(k) for k in shared)) if shared else None

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
            if re.search(rb'\bt="str"', start):
                v = re.search(
                    rb"<%sv>(.*?)</%sv>" % (re.escape(self.sheet.prefix), re.escape(self.sheet.prefix)), rest, re.S
                )
                p = self.sheet.prefix
                text = v.group(1) if v else b""
                start = re.sub(rb'\bt="str"', b't="inlineStr"', start)
                closing = b"</%sc>" % p
                return start + sep + b'<%sis><%st xml:space="preserve">%s</%st></%sis>' % (p, p, text, p, p) + closing
            return cell
        a = fm.group(1)
        si = re.search(rb'\bsi="(\d+)"', a)
        if not (si and si.group(1) in self.shared and re.search(rb'\bt="shared"', a)):
            return cell
        if re.search(rb'\bref="', a):  # the group's first cell itself (when it is kept, e.g. skipped)
            return cell
        mr, mc, text = self.shared[si.group(1)]
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


def _restyle(cell: bytes, style: int) -> bytes:
    start, sep, rest = cell.partition(b">")
    closing = start.endswith(b"/")
    if closing:
        start = start[:-1]
    if _S_ATTR.search(start):
        start = _S_ATTR.sub(b's="%d"' % style, start, count=1)
    else:
        start = start + b' s="%d"' % style
    return start + (b"/" if closing else b"") + sep + rest


def _widen_dimension(xml: bytes, p: bytes, bounds, placeholder_ok: bool = True) -> bytes:
    """Grow the sheet's <dimension> to cover `bounds` (an empty sheet's "A1" placeholder is replaced)."""
    pat = re.compile(rb'(<%sdimension\b[^>]*\bref=")([^"]*)(")' % re.escape(p))
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
