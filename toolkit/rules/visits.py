"""Follow-up visits (定期回访): when each customer's next visit is due, and who is overdue.

Pure functions; "today" is the `as_of` parameter. Settings in ``[visits]`` (shipped in
``defaults/tiers.toml``): months between visits per tier, a default for customers without a
(known) tier, and how many days ahead a visit counts as due soon.

- The next visit is due `cadence` months after the last visit; a customer never visited is due
  `cadence` months after the first contact. Month ends are kept: 31 Jan + 1 month = 28/29 Feb.
- Never visited and no first contact date: due at once (`as_of`), flag "未回访".
- Flag "逾期" when `as_of` is after the due date (with the days overdue), "即将到期" when the
  due date is at most `due_soon_days` away (today included), else "".
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from toolkit.errors import expect_setting
from toolkit.rules.plain import day_of, is_whole

OVERDUE = "逾期"
DUE_SOON = "即将到期"
NEVER_VISITED = "未回访"
OUTPUT_COLUMNS = ("next_visit_due", "visit_flag", "visit_days_overdue")
_KEYS = {"cadence_months", "default_months", "due_soon_days"}


@dataclass(frozen=True)
class VisitRules:
    cadence_months: dict[str, int] = field(default_factory=lambda: {"A": 1, "B": 3, "C": 6, "新客户": 1})
    default_months: int = 3
    due_soon_days: int = 7

    def months_for(self, tier: str | None) -> int:
        tier = str(tier).strip() if tier is not None else ""
        return self.cadence_months.get(tier, self.default_months)

    @classmethod
    def from_settings(cls, data: Mapping, source: str = "settings") -> "VisitRules":
        """Read and check ``[visits]`` of the merged settings; a wrong value raises SettingsError."""
        section = data.get("visits")
        expect_setting(isinstance(section, dict), source, "visits", "a table [visits]", section)
        for key in section:
            expect_setting(
                key in _KEYS, source, f"visits.{key}", "one of " + ", ".join(sorted(_KEYS)), "an unknown key"
            )
        cadence = section.get("cadence_months", {})
        expect_setting(
            isinstance(cadence, dict), source, "visits.cadence_months", "a table of tier = months, e.g. A = 1", cadence
        )
        choices = data.get("choices", {})
        allowed = (
            [str(t) for t in choices["tier"]]
            if isinstance(choices, dict) and isinstance(choices.get("tier"), list)
            else None
        )
        for tier, months in cadence.items():
            key = f"visits.cadence_months.{tier}"
            if allowed is not None:
                expect_setting(
                    tier in allowed, source, key, "a tier in [choices] tier (" + ", ".join(allowed) + ")", tier
                )
            expect_setting(is_whole(months) and months >= 1, source, key, "a whole number of months, 1 or more", months)
        default = section.get("default_months", 3)
        expect_setting(
            is_whole(default) and default >= 1,
            source,
            "visits.default_months",
            "a whole number of months, 1 or more",
            default,
        )
        soon = section.get("due_soon_days", 7)
        expect_setting(
            is_whole(soon) and soon >= 0, source, "visits.due_soon_days", "a whole number of days, 0 or more", soon
        )
        return cls({str(k): int(v) for k, v in cadence.items()}, int(default), int(soon))


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months, clamped to the month's end: 2025-01-31 + 1 = 2025-02-28."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_visit(
    last_visit: dt.date | None, first_contact: dt.date | None, tier: str | None, as_of: dt.date, rules: VisitRules
) -> tuple[dt.date | None, str, int | None]:
    """(next visit due, flag, days overdue) for one customer."""
    as_of = day_of(as_of)
    base = day_of(last_visit) or day_of(first_contact)
    if base is None:
        return as_of, NEVER_VISITED, None
    due = add_months(base, rules.months_for(tier))
    if as_of > due:
        return due, OVERDUE, (as_of - due).days
    if (due - as_of).days <= rules.due_soon_days:
        return due, DUE_SOON, None
    return due, "", None


def evaluate_visits(
    last_visits: Sequence, first_contacts: Sequence, tiers: Sequence, as_of: dt.date, rules: VisitRules
) -> dict[str, list]:
    """next_visit_due, visit_flag and visit_days_overdue for every register row."""
    as_of = day_of(as_of)
    out = {name: [] for name in OUTPUT_COLUMNS}
    due_col, flag_col, days_col = (out[k] for k in OUTPUT_COLUMNS)
    n = len(last_visits)
    for i in range(n):
        due, flag, days = next_visit(
            last_visits[i],
            first_contacts[i] if i < len(first_contacts) else None,
            tiers[i] if i < len(tiers) else None,
            as_of,
            rules,
        )
        due_col.append(due)
        flag_col.append(flag)
        days_col.append(days)
    return out
