"""A worksheet's XML, edited in place.

The sheet is scanned row by row as bytes. Rows the caller does not touch are copied as they
are; in a touched row only the named cells are rebuilt, and the other cells keep their XML
(formulas, cached values, styles, rich-text references).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from toolkit.xlsx.cells import CellEncoder
from toolkit.xlsx.refs import column_index, make_range, make_ref, parse_range

_R_ATTR = re.compile(rb'\br="([A-Z]*)(\d*)"')
_S_ATTR = re.compile(rb'\bs="(\d+)"')
_SPANS = re.compile(rb'\s*\bspans="[^"]*"')


class FormulaCells(Exception):
    """Cells the caller asked to change hold formulas (raised before anything is written)."""

    def __init__(self, refs: list[str]):
        self.refs = refs
        super().__init__(", ".join(refs))


@dataclass
class SheetEdit:
    """What to do to one sheet: cell values by (row, col), fills by (row, col)."""

    values: dict[int, dict[int, object]] = field(default_factory=dict)
    fills: dict[tuple[int, int], str] = field(default_factory=dict)

    def set(self, row: int, col: int, value) -> None:
        self.values.setdefault(row, {})[col] = value

    def fill(self, row: int, col: int, rgb: str) -> None:
        self.fills[(row, col)] = rgb
        self.values.setdefault(row, {}).setdefault(col, _KEEP)

    def __bool__(self) -> bool:
        return bool(self.values)


class _Keep:
    """Marker: keep the cell's value, only change its fill."""

    def __repr__(self):
        return "<keep>"


_KEEP = _Keep()


@dataclass
class SheetScan:
    """Facts about a sheet found while scanning it."""

    last_row: int = 0            # last row with any cell holding a value or formula
    max_col: int = 0             # rightmost column with a value in any row
    header_last_col: dict[int, int] = field(default_factory=dict)


def sheet_prefix(xml: bytes) -> bytes:
    m = re.search(rb"<(\w+:)?worksheet\b", xml[:5000])
    if not m:
        raise ValueError("not a worksheet part")
    return m.group(1) or b""


class SheetXml:
    def __init__(self, xml: bytes):
        self.xml = xml
        self.prefix = sheet_prefix(xml)
        p = re.escape(self.prefix)
        self._row_re = re.compile(rb"<%srow\b([^>]*?)(/>|>(.*?)</%srow>)" % (p, p), re.S)
        self._cell_re = re.compile(rb"<%sc\b([^>]*?)(?:/>|>(.*?)</%sc>)" % (p, p), re.S)
        self._value_re = re.compile(rb"<%s(?:v|is|f)\b" % p)
        self._formula_re = re.compile(rb"<%sf\b" % p)
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
        """Yield (row number, match) for every <row> element, numbering rows without r="..."."""
        r = 0
        for m in self._row_re.finditer(self.xml, self.data_start, self.data_end):
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

    def has_formula(self, cell: bytes) -> bool:
        return bool(self._formula_re.search(cell))

    # ------------------------------------------------------------------ writing
    def apply(self, edit: SheetEdit, encoder: CellEncoder, on_formula: str = "refuse") -> tuple[bytes, list[str]]:
        """Return the new sheet XML and the refs of formula cells skipped (on_formula="skip")."""
        pending = sorted(edit.values)
        formulas: list[str] = []
        out: list[bytes] = []
        pos = self.data_start
        i = 0
        bounds = [None, None, None, None]  # min_row, min_col, max_row, max_col of written cells

        def note(r: int, cols) -> None:
            lo, hi = min(cols), max(cols)
            bounds[0] = r if bounds[0] is None else min(bounds[0], r)
            bounds[2] = r if bounds[2] is None else max(bounds[2], r)
            bounds[1] = lo if bounds[1] is None else min(bounds[1], lo)
            bounds[3] = hi if bounds[3] is None else max(bounds[3], hi)

        for r, m in self.rows():
            while i < len(pending) and pending[i] < r:  # new rows before this one
                out.append(self.xml[pos:m.start()])
                pos = m.start()
                out.append(self._new_row(pending[i], edit, encoder))
                note(pending[i], edit.values[pending[i]])
                i += 1
            if i < len(pending) and pending[i] == r:
                out.append(self.xml[pos:m.start()])
                out.append(self._patch_row(r, m, edit, encoder, on_formula, formulas))
                note(r, edit.values[r])
                pos = m.end()
                i += 1
        tail = [self._new_row(r, edit, encoder) for r in pending[i:]]
        for r in pending[i:]:
            note(r, edit.values[r])
        if formulas and on_formula == "refuse":
            raise FormulaCells(formulas)
        out.append(self.xml[pos:self.data_end])
        out.extend(tail)
        body = b"".join(out)
        p = self.prefix
        if self.self_closed:
            a, b = self.self_closed
            new = self.xml[:a] + b"<%ssheetData>" % p + body + b"</%ssheetData>" % p + self.xml[b:]
        else:
            new = self.xml[:self.data_start] + body + self.xml[self.data_end:]
        if bounds[0] is not None:
            new = _widen_dimension(new, p, bounds)
        return new, formulas

    def _new_row(self, r: int, edit: SheetEdit, encoder: CellEncoder) -> bytes:
        cells = []
        for c in sorted(edit.values[r]):
            v = edit.values[r][c]
            x = encoder.encode(make_ref(r, c), None if v is _KEEP else v, None, edit.fills.get((r, c)))
            if x is not None:
                cells.append(x)
        p = self.prefix
        if not cells:
            return b""
        return b'<%srow r="%d">%s</%srow>' % (p, r, b"".join(cells), p)

    def _patch_row(self, r, m, edit: SheetEdit, encoder: CellEncoder, on_formula, formulas) -> bytes:
        row_attrs, body = m.group(1), m.group(3) or b""
        updates = edit.values[r]
        merged: dict[int, bytes | None] = {}
        for c, attrs, cell in self.cells(body, r):
            if c not in updates:
                merged[c] = cell
                continue
            value = updates[c]
            sm = _S_ATTR.search(attrs)
            style = int(sm.group(1)) if sm else None
            if value is _KEEP:
                fill = edit.fills.get((r, c))
                merged[c] = _restyle(cell, encoder.styles.with_fill(style or 0, fill)) if fill else cell
                continue
            if self.has_formula(cell) and on_formula != "overwrite":
                formulas.append(make_ref(r, c))
                merged[c] = cell
                continue
            merged[c] = encoder.encode(make_ref(r, c), value, style, edit.fills.get((r, c)))
        for c, value in updates.items():
            if c not in merged:
                merged[c] = encoder.encode(make_ref(r, c), None if value is _KEEP else value, None,
                                           edit.fills.get((r, c)))
        cols = sorted(c for c, x in merged.items() if x is not None)
        cells = b"".join(merged[c] for c in cols)
        if b"spans=" in row_attrs and cols:
            row_attrs = _SPANS.sub(b"", row_attrs) + b' spans="%d:%d"' % (cols[0], cols[-1])
        p = self.prefix
        if not cells:
            return b"<%srow%s/>" % (p, row_attrs)
        return b"<%srow%s>%s</%srow>" % (p, row_attrs, cells, p)


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


def _widen_dimension(xml: bytes, p: bytes, bounds) -> bytes:
    pat = re.compile(rb'(<%sdimension\b[^>]*\bref=")([^"]*)(")' % re.escape(p))
    m = pat.search(xml, 0, 20000)
    if not m:
        return xml
    try:
        r1, c1, r2, c2 = parse_range(m.group(2).decode())
    except ValueError:
        r1, c1, r2, c2 = bounds
    if m.group(2) == b"A1" and r2 == 1:  # an empty sheet's placeholder
        r1, c1, r2, c2 = bounds
    new = make_range(min(r1, bounds[0]), min(c1, bounds[1]), max(r2, bounds[2]), max(c2, bounds[3]))
    return xml[:m.start(2)] + new.encode() + xml[m.end(2):]
