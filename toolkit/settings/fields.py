"""How the values of settings are read: the shapes every section shares, each decided in one place.

- :func:`as_list`: a setting that holds a list may be written as a single value, everywhere:
  ``closed_statuses = "已关闭"`` means ``closed_statuses = ["已关闭"]``.
- :func:`text_list`: a list of non-empty texts (stripped), through :func:`as_list`.
- :func:`is_number`, :func:`is_whole`: numbers as TOML gives them (true/false are no numbers).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from toolkit.i18n import _
from toolkit.settings.problems import expect


def as_list(value: object) -> Any:
    """`value` as a list when it is a single value (a text, a number, a date); lists and tables as they are."""
    return value if isinstance(value, (list, dict)) else [value]


def text_list(
    value: object,
    source: str | Path,
    key: str,
    expected: str | None = None,
    *,
    allow_empty: bool = True,
) -> tuple[str, ...]:
    """A list of non-empty texts (a single text is a list of one), each stripped."""
    items = as_list(value)
    expect(
        isinstance(items, list) and all(isinstance(v, str) and v.strip() for v in items) and (items or allow_empty),
        source,
        key,
        expected or _("a text or a list of texts"),
        value,
    )
    return tuple(v.strip() for v in items)


def is_number(v: object) -> bool:
    """A finite int or float (a bool is no number here)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def is_whole(v: object) -> bool:
    """An int (a bool is no number here)."""
    return isinstance(v, int) and not isinstance(v, bool)
