"""How much the engine unpacks: a cap on the inflated size of each part of a workbook.

A workbook is a zip file; its sheets are packed about ten to one. A small file whose sheet
unpacks to gigabytes (a zip bomb, or a damaged or generated file) would keep a job busy for
minutes and fill the disk with the rewritten copy, so the engine refuses any part that
unpacks to more than the cap, before it reads it, with a message naming the file, the part
and both sizes. The size the zip's directory states is checked when the workbook is opened,
and the bytes really unpacked are counted as they come (a directory can lie).

The cap is 1,024 MB per part: a tracker of 300,000 complaints with every toolkit column filled
unpacks to about 770 MB. An administrator raises (or lowers) it with the environment variable
TOOLKIT_MAX_UNPACKED_MB, e.g. for a scheduled task; code can call `set_max_unpacked`.

Also capped, as part of the same safeguard: one row of a sheet (64 MB: Excel's widest row of
its longest texts stays far below) and the XML before a sheet's cells (64 MB).
"""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.errors import WorkbookRefused
from toolkit.i18n import _

ENV_VAR = "TOOLKIT_MAX_UNPACKED_MB"
DEFAULT_MAX_UNPACKED = 1024 * 1024 * 1024
MAX_ROW_BYTES = 64 * 1024 * 1024
MAX_SHEET_HEAD_BYTES = 64 * 1024 * 1024

_max_unpacked: int | None = None


def max_unpacked() -> int:
    """The cap in bytes: set_max_unpacked's value, else the environment variable's, else the default."""
    if _max_unpacked is not None:
        return _max_unpacked
    text = os.environ.get(ENV_VAR, "").strip()
    if text:
        try:
            mb = float(text)
        except ValueError:
            mb = -1
        if mb <= 0:
            raise WorkbookRefused(
                _("the environment variable {ENV_VAR} should be a number of megabytes, but is '{text}'").format(
                    ENV_VAR=ENV_VAR, text=text
                ),
                hint=_("set it to e.g. 2048, or remove it to use 1024"),
            )
        return int(mb * 1024 * 1024)
    return DEFAULT_MAX_UNPACKED


def set_max_unpacked(n_bytes: int | None) -> None:
    """Set the cap for this process (None: back to the environment variable or the default)."""
    global _max_unpacked
    _max_unpacked = n_bytes


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def too_large(path: Path | str, part: str, unpacked: int, packed: int) -> WorkbookRefused:
    """The refusal of a part that would unpack to more than the cap (as its zip directory says)."""
    cap = max_unpacked()
    what = f"one of its sheets ({part})" if part.startswith("xl/worksheets/") else f"its part {part}"
    return WorkbookRefused(
        _(
            "{what} would unpack to {mb} from {mb2} in the file, more than the toolkit unpacks ({mb3}); nothing was read or changed"
        ).format(what=what, mb=_mb(unpacked), mb2=_mb(packed), mb3=_mb(cap)),
        path=path,
        hint=_(
            "if the workbook really is this large, the administrator can raise the limit with the environment variable {ENV_VAR} (in megabytes)"
        ).format(ENV_VAR=ENV_VAR),
    )
