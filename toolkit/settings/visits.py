"""[visits]: months between follow-up visits per tier, and when a visit counts as due soon."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.i18n import _
from toolkit.settings.choices import Choices, read_choices
from toolkit.settings.fields import is_whole
from toolkit.settings.problems import expect, expect_known_keys

_KEYS = {"cadence_months", "default_months", "due_soon_days"}


@dataclass(frozen=True)
class VisitSettings:
    cadence_months: dict[str, int] = field(default_factory=lambda: {"A": 1, "B": 3, "C": 6, "新客户": 1})
    default_months: int = 3
    due_soon_days: int = 7

    def months_for(self, tier: str | None) -> int:
        tier = str(tier).strip() if tier is not None else ""
        return self.cadence_months.get(tier, self.default_months)


def read_visits(data: Mapping[str, Any], source: str | Path, choices: Choices | None = None) -> VisitSettings:
    """Read and check ``[visits]`` of the merged settings; a wrong value raises SettingsError."""
    section: Any = data.get("visits")
    expect(isinstance(section, dict), source, "visits", _("a table [visits]"), section)
    expect_known_keys(section, _KEYS, source, "visits")
    cadence = section.get("cadence_months", {})
    expect(
        isinstance(cadence, dict), source, "visits.cadence_months", _("a table of tier = months, e.g. A = 1"), cadence
    )
    choices = choices if choices is not None else read_choices(data, source)
    allowed = list(choices.lists["tier"]) if "tier" in choices.lists else None
    for tier, months in cadence.items():
        key = f"visits.cadence_months.{tier}"
        if allowed is not None:
            expect(
                tier in allowed,
                source,
                key,
                _("a tier in [choices] tier ({tiers})").format(tiers=", ".join(allowed)),
                tier,
            )
        expect(is_whole(months) and months >= 1, source, key, _("a whole number of months, 1 or more"), months)
    default = section.get("default_months", 3)
    expect(
        is_whole(default) and default >= 1,
        source,
        "visits.default_months",
        _("a whole number of months, 1 or more"),
        default,
    )
    soon = section.get("due_soon_days", 7)
    expect(is_whole(soon) and soon >= 0, source, "visits.due_soon_days", _("a whole number of days, 0 or more"), soon)
    return VisitSettings({str(k): int(v) for k, v in cadence.items()}, int(default), int(soon))
