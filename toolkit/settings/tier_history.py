"""[tier_history]: the workbook beside the register where every tier change the tiers job decides is kept.

Shipped in ``defaults/tiers.toml`` (which says what each key means); read and checked here once. The
job that keeps the history is :mod:`toolkit.jobs.tier_history`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.i18n import _
from toolkit.settings.problems import expect, expect_known_keys

_KEYS = {"workbook", "sheet"}


@dataclass(frozen=True)
class TierHistorySettings:
    workbook: str = "tier_history.xlsx"  # a file name, kept beside the register
    sheet: str = "等级变更记录"


def read_tier_history(data: Mapping[str, Any], source: str | Path) -> TierHistorySettings:
    """``[tier_history]`` of the merged settings checked and typed; a wrong value raises SettingsError."""
    section: Any = data.get("tier_history", {})
    expect(isinstance(section, Mapping), source, "tier_history", _("a table [tier_history]"), section)
    expect_known_keys(section, _KEYS, source, "tier_history")
    workbook = section.get("workbook", TierHistorySettings.workbook)
    expect(
        isinstance(workbook, str)
        and workbook.strip().lower().endswith(".xlsx")
        and "/" not in workbook
        and "\\" not in workbook,
        source,
        "tier_history.workbook",
        _("a file name ending in .xlsx (the file is kept beside the register)"),
        workbook,
    )
    sheet = section.get("sheet", TierHistorySettings.sheet)
    expect(
        isinstance(sheet, str) and sheet.strip() != "" and len(sheet) <= 31,
        source,
        "tier_history.sheet",
        _("a sheet name of 1 to 31 characters"),
        sheet,
    )
    return TierHistorySettings(workbook.strip(), sheet.strip())
