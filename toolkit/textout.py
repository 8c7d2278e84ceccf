"""Plain-text tables for the terminal, aligned for Chinese (double-width) characters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence


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


# Control characters (and bidirectional overrides) from a workbook cell must not reach the terminal
# as they are: an escape sequence could rewrite the screen, a carriage return hide the line.
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` on one line, with control characters shown as \\xNN (\\uNNNN) instead of acting."""
    text = text.replace("\r\n", " ").replace("\n", " ")
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]], max_width: int = 48) -> str:
    last = len(headers) - 1  # the last column (usually the message) is never clipped
    cells = [
        [_clip("" if v is None else printable(str(v)), max_width if k < last else 10**6) for k, v in enumerate(row)]
        for row in rows
    ]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for k, v in enumerate(row):
            widths[k] = max(widths[k], display_width(v))

    def line(values):
        return "  ".join(v + " " * (widths[k] - display_width(v)) for k, v in enumerate(values)).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)
