"""Plain-text tables for the terminal, aligned for Chinese (double-width) characters."""

from __future__ import annotations

import unicodedata
from typing import Sequence


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, w = "", 0
    for ch in text:
        cw = display_width(ch)
        if w + cw > width - 1:
            break
        out += ch
        w += cw
    return out + "…"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]], max_width: int = 48) -> str:
    last = len(headers) - 1  # the last column (usually the message) is never clipped
    cells = [[_clip("" if v is None else str(v).replace("\n", " "), max_width if k < last else 10**6)
              for k, v in enumerate(row)] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for k, v in enumerate(row):
            widths[k] = max(widths[k], display_width(v))

    def line(values):
        return "  ".join(v + " " * (widths[k] - display_width(v)) for k, v in enumerate(values)).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)
