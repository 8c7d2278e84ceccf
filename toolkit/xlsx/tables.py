"""Tables (ListObjects) on a sheet: grow them when rows are appended or a column is added.

A column added at a table's right edge joins the table (its ref, its tableColumns and its
autoFilter grow), so sorting or filtering the table in Excel keeps each row whole. A table's
totals row is never data (totals_rows: the reader leaves it out).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from toolkit.i18n import _
from toolkit.xlsx.package import Package, read_rels, resolve_target
from toolkit.xlsx.refs import make_range, parse_range
from toolkit.xlsx.rows import SheetStream
from toolkit.xlsx.workbook import read_workbook

_TABLE_TAG = re.compile(rb"<(\w+:)?table\b[^>]*>")
_REF = re.compile(rb'(\bref=")([^"]*)(")')


@dataclass
class TablePart:
    part: str
    xml: bytes
    ref: tuple[int, int, int, int]
    totals: bool
    header_row: bool

    @property
    def prefix(self) -> bytes:
        m = _TABLE_TAG.search(self.xml)
        return (m.group(1) or b"") if m else b""


def sheet_tables(pkg: Package, sheet_part: str) -> list[TablePart]:
    tables = []
    for rel in read_rels(pkg, sheet_part):
        if not rel.get("Type", "").endswith("/table") or rel.get("TargetMode") == "External":
            continue
        part = resolve_target(sheet_part, rel["Target"])
        if not pkg.has(part):
            continue
        xml = pkg.read(part)
        tag = _TABLE_TAG.search(xml)
        if not tag:
            continue
        m = _REF.search(tag.group(0))
        if not m:
            continue
        try:
            ref = parse_range(m.group(2).decode())
        except ValueError:
            continue
        head = tag.group(0)
        totals = bool(re.search(rb'totalsRowCount="[1-9]', head))
        header_row = not re.search(rb'headerRowCount="0"', head)
        tables.append(TablePart(part=part, xml=xml, ref=ref, totals=totals, header_row=header_row))
    return tables


def _set_range(xml: bytes, element: bytes, prefix: bytes, change) -> bytes:
    """Apply `change((r1, c1, r2, c2)) -> (r1, c1, r2, c2)` to the ref of the first <element>."""
    pat = re.compile(rb'(<%s%s\b[^>]*?\bref=")([^"]*)(")' % (re.escape(prefix), element))
    m = pat.search(xml)
    if not m:
        return xml
    try:
        old = parse_range(m.group(2).decode())
    except ValueError:
        return xml
    new = make_range(*change(old)).encode()
    return xml[: m.start(2)] + new + xml[m.end(2) :]


def grow_down(table: TablePart, new_last_row: int) -> bytes | None:
    """The table's XML extended to new_last_row, or None when it must stay as it is."""
    r1, c1, r2, c2 = table.ref
    if table.totals or new_last_row <= r2:
        return None
    p = table.prefix
    xml = _set_range(table.xml, b"table", p, lambda r: (r[0], r[1], new_last_row, r[3]))
    # the table's own filter covers the same rows (a filter ending elsewhere is left alone)
    return _set_range(xml, b"autoFilter", p, lambda r: (r[0], r[1], new_last_row, r[3]) if r[2] == r2 else r)


def grow_right(table: TablePart, header: str) -> bytes:
    """The table's XML with one more column at its right edge, named `header`."""
    p = table.prefix
    names = [
        html.unescape(n.decode("utf-8")).casefold()
        for n in re.findall(rb'<%stableColumn\b[^>]*?\bname="([^"]*)"' % re.escape(p), table.xml)
    ]
    if header.casefold() in names:
        raise ValueError(
            _("the table already has a column named '{header}' (table column names must differ)").format(header=header)
        )
    xml = _set_range(table.xml, b"table", p, lambda r: (r[0], r[1], r[2], r[3] + 1))
    xml = _set_range(xml, b"autoFilter", p, lambda r: (r[0], r[1], r[2], r[3] + 1))
    ids = [int(x) for x in re.findall(rb'<%stableColumn\b[^>]*?\bid="(\d+)"' % re.escape(p), xml)]
    count = len(ids) + 1
    entry = b'<%stableColumn id="%d" name="%s"/>' % (
        p,
        max(ids, default=0) + 1,
        html.escape(header, quote=True).encode(),
    )
    close = b"</%stableColumns>" % p
    xml = xml.replace(close, entry + close, 1)
    return re.sub(
        rb'(<%stableColumns\b[^>]*?\bcount=")\d+(")' % re.escape(p),
        lambda m: m.group(1) + str(count).encode() + m.group(2),
        xml,
        count=1,
    )


def totals_rows(path, sheet: str) -> set[int]:
    """The sheet rows that are a table's totals row (its last row when totalsRowCount is set): never data."""
    with Package.open(path) as pkg:
        info = read_workbook(pkg).sheet(sheet, path=path)
        return {t.ref[2] for t in sheet_tables(pkg, info.part) if t.totals}


def merged_ranges(path, sheet: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges (r1, c1, r2, c2): its <mergeCell> elements, after the rows (one pass)."""
    with Package.open(path) as pkg:
        info = read_workbook(pkg).sheet(sheet, path=path)
        stream = SheetStream(pkg.stream(info.part, 4 * 1024 * 1024, what=f"sheet '{info.name}'"))
        for _piece in stream.pieces():
            pass
        out = []
        for m in re.finditer(
            rb"""<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*["']([^"']+)["']""", bytes(stream.tail or b"")
        ):
            try:
                out.append(parse_range(m.group(1).decode()))
            except ValueError:
                continue
        return out
