"""A1 cell references <-> (row, column) numbers, both 1-based."""

from __future__ import annotations

import re
from functools import lru_cache

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
MAX_ROW = 1_048_576
MAX_COL = 16_384


@lru_cache(maxsize=16_384)
def column_letter(col: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    if not 1 <= col <= MAX_COL:
        raise ValueError(f"column number {col} is outside 1..{MAX_COL}")
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=16_384)
def column_index(letters: str) -> int:
    """'A' -> 1, 'aa' -> 27."""
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"{letters!r} is not a column name")
        n = n * 26 + ord(ch) - 64
    if not 1 <= n <= MAX_COL:
        raise ValueError(f"column {letters!r} is beyond Excel's last column XFD")
    return n


def parse_ref(ref: str) -> tuple[int, int]:
    """'D7' -> (7, 4)."""
    m = _A1.match(ref.strip())
    if not m:
        raise ValueError(f"{ref!r} is not a cell reference like 'D7'")
    row = int(m.group(2))
    if not 1 <= row <= MAX_ROW:
        raise ValueError(f"row {row} in {ref!r} is outside 1..{MAX_ROW}")
    return row, column_index(m.group(1))


def make_ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A1:C9' -> (1, 1, 9, 3) as (min_row, min_col, max_row, max_col); 'B2' is a 1-cell range."""
    if ":" in ref:
        a, b = ref.split(":", 1)
    else:
        a = b = ref
    r1, c1 = parse_ref(a)
    r2, c2 = parse_ref(b)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def make_range(min_row: int, min_col: int, max_row: int, max_col: int) -> str:
    if (min_row, min_col) == (max_row, max_col):
        return make_ref(min_row, min_col)
    return f"{make_ref(min_row, min_col)}:{make_ref(max_row, max_col)}"
