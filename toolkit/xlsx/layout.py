"""The look of columns the engine adds to a sheet: widths and conditional formatting, in the sheet's XML.

Knows nothing of the office: the caller (toolkit/jobs/layout.py) says which column gets which width
and which highlight rules. Only what the new columns need is added; what the sheet has is kept:

- Widths go in <cols>: a new <col> for each new column that no <col> covers yet (a <col> the sheet
  already has, e.g. one covering A:XFD, wins). A sheet without <cols> gets one before <sheetData>.
- Highlights are <conditionalFormatting> blocks (cfRule type containsText, as Excel writes "Text that
  contains"), placed where the schema wants them (after the sheet's own conditional formats, before
  data validations, hyperlinks, page setup...). Being rules rather than cell colours, they follow
  the clerk's edits: a row typed 已解决 loses its red at once. Their priorities come after the
  sheet's own rules, so the office's own formats keep precedence.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from toolkit.xlsx.refs import column_letter

__all__ = ["Highlight", "add_highlights", "add_widths"]

_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*?)/?>")
_ATTR = rb"""(?<![\w:.-])%s\s*=\s*(?:"([^"]*)"|'([^']*)')"""
# Elements of a worksheet that come after <conditionalFormatting> (ECMA-376 CT_Worksheet order).
_AFTER_CF = (
    b"dataValidations",
    b"hyperlinks",
    b"printOptions",
    b"pageMargins",
    b"pageSetup",
    b"headerFooter",
    b"rowBreaks",
    b"colBreaks",
    b"customProperties",
    b"cellWatches",
    b"ignoredErrors",
    b"smartTags",
    b"drawing",
    b"legacyDrawing",
    b"legacyDrawingHF",
    b"drawingHF",
    b"picture",
    b"oleObjects",
    b"controls",
    b"webPublishItems",
    b"tableParts",
    b"extLst",
)


@dataclass(frozen=True)
class Highlight:
    """Cells of column `col`, rows `first_row`..`last_row`, containing `text` get differential format `dxf`."""

    col: int
    first_row: int
    last_row: int
    text: str
    dxf: int


def _int(attrs: bytes, name: bytes) -> int | None:
    m = re.search(_ATTR % name, attrs)
    if not m:
        return None
    value = m.group(1) if m.group(1) is not None else m.group(2)
    return int(value) if value.isdigit() else None


def add_widths(head: bytes, prefix: bytes, widths: dict[int, float]) -> bytes:
    """`head` (the sheet XML before its rows) with a width for each column of `widths` not yet covered."""
    covered = []
    for m in _COL.finditer(head):
        lo, hi = _int(m.group(1), b"min"), _int(m.group(1), b"max")
        if lo is not None and hi is not None:
            covered.append((lo, hi))
    new = [(c, w) for c, w in sorted(widths.items()) if not any(lo <= c <= hi for lo, hi in covered)]
    if not new:
        return head
    p = prefix
    cols = b"".join(b'<%scol min="%d" max="%d" width="%.2f" customWidth="1"/>' % (p, c, c, w) for c, w in new)
    close = re.search(rb"</%scols\s*>" % re.escape(p), head)
    if close:
        # <col> entries are kept in order of their columns: the new ones go after those left of them
        at = close.start()
        for m in _COL.finditer(head):
            lo = _int(m.group(1), b"min")
            if lo is not None and lo > new[0][0]:
                at = m.start()
                break
        return head[:at] + cols + head[at:]
    data = re.search(rb"<%ssheetData\b" % re.escape(p), head)
    if data is None:
        return head
    return head[: data.start()] + b"<%scols>%s</%scols>" % (p, cols, p) + head[data.start() :]


def add_highlights(tail: bytes, prefix: bytes, highlights: list[Highlight], first_priority: int) -> bytes:
    """`tail` (the sheet XML after its rows) with one <conditionalFormatting> per highlighted column."""
    if not highlights:
        return tail
    p = prefix
    by_col: dict[int, list[Highlight]] = {}
    for h in highlights:
        by_col.setdefault(h.col, []).append(h)
    blocks = []
    priority = first_priority
    for col, rules in sorted(by_col.items()):
        letter = column_letter(col)
        first, last = rules[0].first_row, rules[0].last_row
        sqref = f"{letter}{first}:{letter}{last}"
        body = b""
        for h in rules:
            text = html.escape(h.text, quote=True)
            formula = html.escape(f'NOT(ISERROR(SEARCH("{h.text}",{letter}{first})))')
            body += (
                b'<%scfRule type="containsText" dxfId="%d" priority="%d" operator="containsText" text="%s">'
                b"<%sformula>%s</%sformula></%scfRule>" % (p, h.dxf, priority, text.encode(), p, formula.encode(), p, p)
            )
            priority += 1
        blocks.append(
            b'<%sconditionalFormatting sqref="%s">%s</%sconditionalFormatting>' % (p, sqref.encode(), body, p)
        )
    xml = b"".join(blocks)
    names = b"|".join(_AFTER_CF)
    m = re.search(rb"<%s(?:%s)\b" % (re.escape(p), names), tail)
    if m is None:
        m = re.search(rb"</%sworksheet\s*>" % re.escape(p), tail)
    at = m.start() if m else len(tail)
    return tail[:at] + xml + tail[at:]


def max_priority(xml: bytes) -> int:
    """The highest conditional-format priority in the sheet's XML (0 when it has none)."""
    found = [int(x) for x in re.findall(rb"""<(?:\w+:)?cfRule\b[^>]*?priority\s*=\s*["'](\d+)""", xml)]
    return max(found, default=0)
