"""Where rows and cells are in a worksheet's XML: the one parser of cell positions.

Every part of the engine that reads or writes sheet XML (the header peek, the fast reader's
pieces, the writer) finds rows, cells and their numbers here, so they all agree on every valid
form of the XML:
- a position is the r attribute, in double or single quotes, with spaces around '=' allowed
  (r="C7", r='C7', r = "C7");
- a row without r is the row after the previous one; a cell without r is the column after the
  previous cell of its row (as Excel and the other readers number them);
- elements may carry a namespace prefix (<x:row>, <x:c>): the one the sheet's <sheetData> uses.

A sheet is read as a stream (`SheetStream`): the XML before its cells, then pieces holding whole
rows (a few megabytes each, so a sheet of any size is read in bounded memory and every scan is
linear in its size), then the XML after its cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from toolkit.xlsx import limits
from toolkit.xlsx.refs import column_index

# The r attribute of a start tag's attribute text: letters and digits, either quote.
R_ATTR = re.compile(rb"""(?<![\w:.-])r\s*=\s*(?:"([A-Za-z]*)(\d*)"|'([A-Za-z]*)(\d*)')""")
_SHEET_DATA = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData\b[^>]*?(/?)>")
_BOUNDARY = (b" ", b">", b"/", b"\t", b"\r", b"\n")


def position(attrs: bytes) -> tuple[bytes, bytes] | None:
    """(letters, digits) of a start tag's r attribute (either may be empty), or None without one."""
    m = R_ATTR.search(attrs)
    if m is None:
        return None
    return (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))


def row_number(attrs: bytes, previous: int) -> int:
    """The number of a row with these attributes, the row before it being `previous`."""
    pos = position(attrs)
    return int(pos[1]) if pos is not None and pos[1] else previous + 1


def cell_column(attrs: bytes, previous: int) -> int:
    """The column of a cell with these attributes, the cell before it (in its row) being in `previous`.

    Raises ValueError for a reference beyond Excel's last column (XFD) or one that is not a column name.
    """
    pos = position(attrs)
    return column_index(pos[0].decode("ascii")) if pos is not None and pos[0] else previous + 1


def has_position(attrs: bytes) -> bool:
    pos = position(attrs)
    return pos is not None and bool(pos[0])


_ATTR_RES: dict[bytes, re.Pattern] = {}


def attr(attrs: bytes, name: bytes) -> bytes | None:
    """The value of attribute `name` (e.g. b"t", b"s") in a start tag's attribute text, either quote."""
    pat = _ATTR_RES.get(name)
    if pat is None:
        pat = _ATTR_RES[name] = re.compile(rb"""(?<![\w:.-])%s\s*=\s*(?:"([^"]*)"|'([^']*)')""" % re.escape(name))
    m = pat.search(attrs)
    if m is None:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def renumbered(row_xml: bytes, prefix: bytes, number: int) -> bytes:
    """A whole <row> element moved to row `number`: its r and its cells' r attributes rewritten."""
    parser = CellParser(prefix)
    gt = row_xml.find(b">")
    start_tag = row_xml[: gt + 1]
    out = [_with_row(start_tag, number, row_part=True)]
    pos = gt + 1
    for _c, _attrs, m in parser.cells(row_xml, pos):
        a0, a1 = m.span(1)
        out.append(row_xml[pos:a0])
        out.append(_with_row(row_xml[a0:a1], number))
        pos = a1
    out.append(row_xml[pos:])
    return b"".join(out)


def _with_row(attrs: bytes, number: int, row_part: bool = False) -> bytes:
    m = R_ATTR.search(attrs)
    if m is None:
        if not row_part:
            return attrs  # a cell numbered by position stays so
        gt = len(attrs) - (2 if attrs.endswith(b"/>") else 1)
        return attrs[:gt] + b' r="%d"' % number + attrs[gt:]
    letters = m.group(1) if m.group(1) is not None else m.group(3)
    return attrs[: m.start()] + b'r="%s%d"' % (letters, number) + attrs[m.end() :]


class CellParser:
    """The cells of one row body of a sheet whose elements carry `prefix` (b"" or b"x:")."""

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        self.prefix = prefix
        self.cell_re = re.compile(rb"<%sc(?=[\s/>])([^>]*?)(?:/>|>(.*?)</%sc\s*>)" % (p, p), re.S)

    def cells(self, body: bytes | memoryview, start: int = 0, end: int | None = None):
        """Yield (col, attrs, match) for the cells of a row body, numbering cells without r by position."""
        c = 0
        for m in self.cell_re.finditer(body, start, len(body) if end is None else end):
            c = cell_column(m.group(1), c)
            yield c, m.group(1), m


class Row:
    """One <row> element found in a buffer: its number and where its parts are."""

    __slots__ = ("number", "start", "end", "attrs", "body_start", "body_end")

    def __init__(self, number: int, start: int, end: int, attrs: bytes, body_start: int, body_end: int):
        self.number, self.start, self.end, self.attrs = number, start, end, attrs
        self.body_start, self.body_end = body_start, body_end  # equal for <row .../>

    @property
    def empty(self) -> bool:
        return self.body_start == self.body_end


_ROW_TAGS: dict[bytes, re.Pattern] = {}


def row_tag_re(prefix: bytes) -> re.Pattern:
    """The start tags of <row> elements. Group 1: the attribute text (ending in '/' for <row .../>); group 2:
    the number, when r="..." is the first attribute (as Excel writes it: read without a second search)."""
    pat = _ROW_TAGS.get(prefix)
    if pat is None:
        pat = _ROW_TAGS[prefix] = re.compile(rb"""<%srow(?=[\s/>])((?:\s+r="(\d+)")?[^>]*)>""" % re.escape(prefix))
    return pat


def row_tags(buf, prefix: bytes, previous: int = 0, start: int = 0, end: int | None = None):
    """(number, match) of each <row> start tag in a stretch of whole rows, in order.

    `previous` is the number of the row before the stretch (0 at the top of the sheet).
    """
    r = previous
    for m in row_tag_re(prefix).finditer(buf, start, len(buf) if end is None else end):
        digits = m.group(2)
        r = int(digits) if digits else row_number(m.group(1), r)
        yield r, m


def iter_rows(buf, prefix: bytes, previous: int = 0, start: int = 0, end: int | None = None) -> Iterator[Row]:
    """The <row> elements of a stretch of whole rows, in order, numbered (see row_tags)."""
    closer = b"</%srow" % prefix
    end = len(buf) if end is None else end
    find = buf.find
    for r, m in row_tags(buf, prefix, previous, start, end):
        attrs = m.group(1)
        gt = m.end()
        if attrs.endswith(b"/"):
            yield Row(r, m.start(), gt, attrs[:-1], gt, gt)
            continue
        close = find(closer, gt, end)
        stop = find(b">", close, end) if close >= 0 else -1
        if stop < 0:
            return
        yield Row(r, m.start(), stop + 1, attrs, gt, close)


class SheetStream:
    """A worksheet part read as a stream: `head` (the XML up to and including <sheetData>), then
    `pieces()` (stretches of whole rows), then `tail` (from </sheetData> to the end).

    `blocks` yields the part's bytes as they are unpacked. A <sheetData/> gives no pieces and
    `self_closed` True. Damage (no cell data section, one not closed, a row over 64 MB) raises ValueError.
    """

    def __init__(self, blocks: Iterable[bytes], *, piece_size: int = 8 * 1024 * 1024):
        self._blocks = iter(blocks)
        self._piece_size = piece_size
        self.tail: bytes | None = None
        buf = b""
        for block in self._blocks:
            buf += block
            m = _SHEET_DATA.search(buf)
            if m is not None:
                break
            if len(buf) > limits.MAX_SHEET_HEAD_BYTES:
                raise ValueError("no cell data section in the first 64 MB of the sheet")
        else:
            m = _SHEET_DATA.search(buf)
        if m is None:
            raise ValueError("the sheet has no cell data section")
        self.prefix = m.group(1) or b""
        self.self_closed = bool(m.group(2))
        self.open_tag = (m.start(), m.end())
        self.head = buf[: m.end()]
        self._rest = buf[m.end() :]
        self.closer = b"</%ssheetData>" % self.prefix

    def pieces(self) -> Iterator[tuple[bytes, int]]:
        """Stretches of the cell data as (buffer, end): buffer[:end] holds whole rows (a few megabytes).

        The buffer is not cut (no copy): its bytes after `end` start the next stretch.
        """
        if self.self_closed:
            self.tail = self._rest + b"".join(self._blocks)
            return
        closer = self.closer
        opener = b"<%srow" % self.prefix
        overlap = len(closer) - 1
        first = self._rest
        self._rest = b""
        pending: list[bytes] = [first] if first else []
        size = len(first)
        close = first.find(closer)
        last = first[-overlap:]
        blocks = self._blocks
        while True:
            block = None
            if close < 0:
                block = next(blocks, None)
                if block is not None:
                    # </sheetData> ends the rows (it cannot occur inside them: '<' is escaped in text and
                    # values); looked for in each new block only, and across its start
                    k = block.find(closer)
                    if k >= 0:
                        close = size + k
                    elif last:
                        j = (last + block[:overlap]).find(closer)
                        if j >= 0:
                            close = size - len(last) + j
                    pending.append(block)
                    size += len(block)
                    last = (last + block)[-overlap:] if len(block) < overlap else block[-overlap:]
                    if size < self._piece_size and close < 0:
                        continue
            buf = pending[0] if len(pending) == 1 else b"".join(pending)
            pending = []
            if close >= 0:
                if close:
                    yield buf, close
                self.tail = buf[close:] + b"".join(blocks)
                return
            if block is None:
                raise ValueError("the sheet's cell data section is not closed")
            cut = _last_row_start(buf, opener)
            if cut <= 0:  # one row longer than a piece: keep gathering it
                if len(buf) > limits.MAX_ROW_BYTES:
                    raise RowTooLarge(
                        f"a row holds more than {limits.MAX_ROW_BYTES // 2**20} MB of XML, more than "
                        "any row Excel writes"
                    )
                pending, size = [buf], len(buf)
                continue
            yield buf, cut
            rest = buf[cut:]
            pending, size = [rest], len(rest)


class RowTooLarge(ValueError):
    """A row of more than limits.MAX_ROW_BYTES: a damaged or hostile sheet."""


def _last_row_start(buf: bytes, opener: bytes) -> int:
    """Where the last <row> element of `buf` starts (everything before it is whole rows); -1 if none."""
    n = len(opener)
    k = len(buf)
    while True:
        k = buf.rfind(opener, 0, k)
        if k < 0 or buf[k + n : k + n + 1] in _BOUNDARY:
            return k
