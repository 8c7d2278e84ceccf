"""[summary]: the monthly report's files, its targets and how its figures are counted.

Read and checked here once (``defaults/summary.toml`` says what each key means). The report's
statuses (closed, waiting) are the SLA's, and its tiers are the [choices] tier list, so the report
counts exactly what the flags mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.i18n import _
from toolkit.settings.choices import Choices, read_choices
from toolkit.settings.problems import expect, expect_known_keys

_SUMMARY_KEYS = {
    "output_dir",
    "templates_dir",
    "language",
    "filename",
    "filename_en",
    "workbook",
    "sheet",
    "pdf_timeout_seconds",
    "satisfied_score",
    "review_below",
    "repeat_window_days",
    "top_customers",
    "overdue_list_limit",
    "review_list_limit",
    "targets",
}
_TARGET_KEYS = {"resolution_rate", "satisfied_share", "on_time_rate"}


@dataclass(frozen=True)
class SummaryRules:
    """``[summary]``: targets (fractions, 0.95 = 95%) and how figures are counted."""

    resolution_target: float = 0.95
    satisfied_target: float = 0.85
    on_time_target: float = 0.95
    satisfied_score: int = 4
    review_below: int = 4
    repeat_window_days: int = 30
    top_customers: int = 10
    tiers: tuple[str, ...] = ("A", "B", "C", "新客户")  # best first, as in [choices] tier


@dataclass(frozen=True)
class SummarySettings:
    output_dir: str
    templates_dir: str
    language: str
    filename: str
    filename_en: str
    workbook: str
    sheet: str
    pdf_timeout: float
    overdue_list_limit: int
    review_list_limit: int
    office: Mapping[str, Any]  # [notices.office]: the office's name and contact details
    rules: SummaryRules


def read_summary(
    data: Mapping[str, Any], source: str | Path, choices: Choices | None = None, office: Mapping | None = None
) -> SummarySettings:
    """``[summary]`` checked and typed; `office` is [notices.office] (the report carries the office's name)."""
    choices = choices if choices is not None else read_choices(data, source)
    section = data.get("summary", {})
    expect(isinstance(section, dict), source, "summary", _("a table [summary]"), section)
    expect_known_keys(section, _SUMMARY_KEYS, source, "summary")
    targets = section.get("targets", {})
    expect(isinstance(targets, dict), source, "summary.targets", _("a table [summary.targets]"), targets)
    expect_known_keys(targets, _TARGET_KEYS, source, "summary.targets")
    for key, value in targets.items():
        expect(
            isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 100,
            source,
            f"summary.targets.{key}",
            _("a per cent between 0 and 100"),
            value,
        )
    rules = _read_rules(section, targets, source, choices)

    def check(cond, key, what, got):
        expect(cond, source, f"summary.{key}", what, got)

    for key in ("output_dir", "templates_dir", "filename", "filename_en", "sheet"):
        check(isinstance(section.get(key), str) and section[key].strip(), key, _("a non-empty text"), section.get(key))
    for key in ("filename", "filename_en"):
        try:
            section[key].format(month="2026-10")
        except (KeyError, IndexError, ValueError) as exc:
            check(False, key, _("a pattern using only {month}"), f"{section[key]} ({exc})")
    check(section.get("language") in ("zh", "en"), "language", _("zh or en"), section.get("language"))
    wb = section.get("workbook")
    check(isinstance(wb, str) and wb.lower().endswith(".xlsx"), "workbook", _("a file name ending in .xlsx"), wb)
    timeout = section.get("pdf_timeout_seconds", 300)
    check(isinstance(timeout, (int, float)) and timeout > 0, "pdf_timeout_seconds", _("a positive number"), timeout)
    limits = {}
    for key in ("overdue_list_limit", "review_list_limit"):
        value = section.get(key, 50)
        check(
            isinstance(value, int) and not isinstance(value, bool) and value >= 0,
            key,
            _("a whole number of at least 0"),
            value,
        )
        limits[key] = value
    shown_office = {str(k): v for k, v in (office or {}).items()}
    shown_office.setdefault("name", "客户服务中心")
    return SummarySettings(
        section["output_dir"],
        section["templates_dir"],
        section["language"],
        section["filename"],
        section["filename_en"],
        wb,
        section["sheet"],
        float(timeout),
        limits["overdue_list_limit"],
        limits["review_list_limit"],
        shown_office,
        rules,
    )


def _read_rules(section: Mapping, targets: Mapping, source: str | Path, choices: Choices) -> SummaryRules:
    """The targets and counting choices of [summary] (its keys are checked by read_summary)."""

    def whole(key, default, low):
        value = section.get(key, default)
        expect(
            isinstance(value, int) and not isinstance(value, bool) and value >= low,
            source,
            f"summary.{key}",
            _("a whole number of at least {low}").format(low=low),
            value,
        )
        return value

    return SummaryRules(
        resolution_target=targets.get("resolution_rate", 95) / 100,
        satisfied_target=targets.get("satisfied_share", 85) / 100,
        on_time_target=targets.get("on_time_rate", 95) / 100,
        satisfied_score=whole("satisfied_score", 4, 1),
        review_below=whole("review_below", 4, 1),
        repeat_window_days=whole("repeat_window_days", 30, 1),
        top_customers=whole("top_customers", 10, 0),
        tiers=choices.lists.get("tier", SummaryRules.tiers),
    )
