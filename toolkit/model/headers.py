"""Find the header row of a sheet and map its columns to canonical names (pure code).

Staff write the same header in many ways -- "Customer ID", "customer_id", "ＣＵＳＴＯＭＥＲ　ＩＤ",
"客户编号 ", "客户\\n编号" -- so headers are compared after :func:`normalize_header`.
``expected_headers`` maps each canonical column name to the header texts accepted for it (the
main header and its aliases).  A text listed for two canonical names raises ``ValueError``.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from toolkit.i18n import _
from toolkit.model.values import normalize_text

__all__ = [
    "HeaderMap",
    "RowLook",
    "closest_fields",
    "find_header_row",
    "look_at_rows",
    "map_columns",
    "normalize_header",
]

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_PUNCTUATION = "_-.:：()（）/\\"
_REMOVE = {ord(c): None for c in _PUNCTUATION + _ZERO_WIDTH}


def normalize_header(s: object) -> str:
    """A header text reduced for comparison: NFKC, lower case, no whitespace, no ``_-.:：()（）/\\``.

    ``None`` gives ``""``; a number such as 2025.0 gives ``"2025"``.
    """
    if s is None:
        return ""
    if type(s) is not str:
        s = normalize_text(s)
    s = unicodedata.normalize("NFKC", s).casefold().translate(_REMOVE)
    return "".join(s.split())


@dataclass
class HeaderMap:
    """How a sheet's header cells map to canonical column names (all indexes 0-based)."""

    columns: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    unknown: dict[int, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def _lookup(expected_headers: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Normalised header text -> canonical name; refuses one text meaning two columns."""
    table: dict[str, str] = {}
    for canonical, texts in expected_headers.items():
        if isinstance(texts, str):
            texts = [texts]
        for text in texts:
            key = normalize_header(text)
            if not key:
                continue
            other = table.get(key)
            if other is not None and other != canonical:
                raise ValueError(
                    _(
                        "header text '{text}' is accepted for both '{other}' and '{canonical}'; it may only name one column"
                    ).format(text=text, other=other, canonical=canonical)
                )
            table[key] = canonical
    return table


def find_header_row(
    rows: Sequence[Sequence[object]],
    expected_headers: Mapping[str, Iterable[str]],
    *,
    max_scan: int = 20,
) -> int | None:
    """The 0-based index of the header row among the first ``max_scan`` rows, or None.

    The header row is the first row that matches the most expected columns; it must match at
    least 2 of them (or the only one, when just one column is expected).  Title rows above the
    header (such as a merged "客户台账 2025") match little or nothing and are passed over.
    """
    if not expected_headers:
        return None
    table = _lookup(expected_headers)
    needed = min(2, len(expected_headers))
    best_row, best_count = None, 0
    for index, row in enumerate(rows[:max_scan] if max_scan >= 0 else ()):
        found = set()
        for cell in row or ():
            if cell is None or cell == "":
                continue
            canonical = table.get(normalize_header(cell))
            if canonical is not None:
                found.add(canonical)
        if len(found) > best_count:
            best_row, best_count = index, len(found)
    return best_row if best_count >= needed else None


def map_columns(header_cells: Sequence[object], expected_headers: Mapping[str, Iterable[str]]) -> HeaderMap:
    """Map header cells to canonical names.

    ``columns``: canonical name -> index of the first column with that header.
    ``duplicates``: canonical name -> every index matched, when more than one column matches.
    ``unknown``: index -> header text (whitespace tidied) for non-empty headers that match nothing.
    ``missing``: expected canonical names with no column, in ``expected_headers`` order.
    """
    table = _lookup(expected_headers)
    result = HeaderMap()
    for index, cell in enumerate(header_cells or ()):
        key = normalize_header(cell)
        if not key:
            continue
        canonical = table.get(key)
        if canonical is None:
            result.unknown[index] = _shown(cell)
        elif canonical in result.columns:
            seen = result.duplicates.setdefault(canonical, [result.columns[canonical]])
            seen.append(index)
        else:
            result.columns[canonical] = index
    result.missing = [c for c in expected_headers if c not in result.columns]
    return result


def _shown(cell: object) -> str:
    """A header as staff would recognise it: original characters, line breaks as single spaces."""
    text = cell if isinstance(cell, str) else normalize_text(cell)
    return " ".join(text.split())


def closest_fields(header: object, expected_headers: Mapping[str, Iterable[str]], n: int = 3) -> list[str]:
    """The canonical names whose accepted texts are most like `header` (best first, at most `n`).

    For a header nothing accepts ("Acct Mgr", "客户经理人"): what it probably means, so that the office
    can add it as an alias. Compared after normalize_header; texts less than 60% alike, or
    clearly less alike than the best, are left out.
    """
    key = normalize_header(header)
    if not key:
        return []
    scores: dict[str, float] = {}
    for canonical, texts in expected_headers.items():
        for text in [texts] if isinstance(texts, str) else texts:
            other = normalize_header(text)
            if not other:
                continue
            ratio = difflib.SequenceMatcher(None, key, other).ratio()
            if key in other or other in key:  # "联系人手机" holds "手机"
                ratio = max(ratio, 0.6)
            if ratio > scores.get(canonical, 0.0):
                scores[canonical] = ratio
    best = max(scores.values(), default=0.0)
    ranked = sorted(((r, c) for c, r in scores.items() if r >= max(0.6, best - 0.1)), key=lambda rc: -rc[0])
    return [c for _r, c in ranked[:n]]


@dataclass(frozen=True)
class RowLook:
    """One row looked at for the header: its cells, the columns it names and the required ones it lacks."""

    index: int  # 0-based row index in the rows looked at
    cells: tuple[str, ...]  # its non-empty cells as text
    found: tuple[str, ...]  # canonical names its cells name
    lacking: tuple[str, ...]  # required canonical names it does not name


def look_at_rows(
    rows: Sequence[Sequence[object]],
    expected_headers: Mapping[str, Iterable[str]],
    required: Iterable[str],
    *,
    max_scan: int = 20,
) -> list[RowLook]:
    """What each non-empty row among the first `max_scan` offers as a header row (for "no header row found")."""
    table = _lookup(expected_headers)
    required = list(required)
    looks = []
    for index, row in enumerate(rows[:max_scan]):
        cells = tuple(_shown(c) for c in row or () if c is not None and c != "")
        if not cells:
            continue
        found = tuple(dict.fromkeys(table[k] for c in row if (k := normalize_header(c)) in table))
        looks.append(RowLook(index, cells, found, tuple(r for r in required if r not in found)))
    return looks
