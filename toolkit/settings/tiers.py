"""[tiers]: the customer tiers' thresholds (best tier first), new customers and no flip-flopping.

Read and checked here once (``defaults/tiers.toml`` says what each key means); the rules in
:mod:`toolkit.rules.tiers` take the typed :class:`TierSettings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from toolkit.i18n import _
from toolkit.settings.choices import Choices, read_choices
from toolkit.settings.fields import is_number, is_whole
from toolkit.settings.problems import UNKNOWN_KEY, expect, expect_known_keys

PERIODS = ("month", "quarter", "week")
_TIER_KEYS = {"rules", "new_customer_days", "new_customer_tier", "confirmations", "margin", "evaluation_period"}


@dataclass(frozen=True)
class ConditionKind:
    is_min: bool  # True: the customer's value must be at least the limit; False: at most
    whole: bool  # the limit must be a whole number


CONDITION_KINDS: dict[str, ConditionKind] = {
    "revenue_12m_min": ConditionKind(is_min=True, whole=False),
    "orders_12m_min": ConditionKind(is_min=True, whole=True),
    "days_since_last_order_max": ConditionKind(is_min=False, whole=True),
    "tenure_days_min": ConditionKind(is_min=True, whole=True),
    "complaints_12m_max": ConditionKind(is_min=False, whole=True),
}


@dataclass(frozen=True)
class Condition:
    key: str  # e.g. "revenue_12m_min"
    limit: Decimal  # as written in the settings
    tight: Decimal  # moved by the margin to be harder to meet
    loose: Decimal  # moved by the margin to be easier to meet


def condition(key: str, limit: Decimal, margin: Decimal) -> Condition:
    """The condition `key` with its limit, and the limit moved by `margin` both ways."""
    harder, easier = ((1 + margin), (1 - margin)) if CONDITION_KINDS[key].is_min else ((1 - margin), (1 + margin))
    return Condition(key, limit, limit * harder, limit * easier)


@dataclass(frozen=True)
class TierRule:
    tier: str
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class TierSettings:
    rules: tuple[TierRule, ...]  # best to worst; the last has no conditions
    new_customer_days: int = 90
    new_customer_tier: str = "新客户"
    confirmations: int = 2
    margin: Decimal = Decimal("0.05")
    evaluation_period: str = "month"

    @property
    def tiers(self) -> tuple[str, ...]:
        return tuple(r.tier for r in self.rules)

    def period_of(self, day: dt.date) -> str:
        """The evaluation period `day` falls in: "2026-11", "2026-Q4" or "2026-W45"."""
        if self.evaluation_period == "quarter":
            return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
        if self.evaluation_period == "week":
            year, week, _weekday = day.isocalendar()
            return f"{year:04d}-W{week:02d}"
        return f"{day.year:04d}-{day.month:02d}"


def read_tiers(data: Mapping[str, Any], source: str | Path, choices: Choices | None = None) -> TierSettings:
    """``[tiers]`` of the merged settings checked and typed; a wrong value raises SettingsError."""
    section: Any = data.get("tiers")
    expect(isinstance(section, dict), source, "tiers", _("a table [tiers]"), section)
    expect_known_keys(section, _TIER_KEYS, source, "tiers")
    choices = choices if choices is not None else read_choices(data, source)
    allowed = list(choices.lists["tier"]) if "tier" in choices.lists else None

    margin_raw = section.get("margin", 0.05)
    expect(
        is_number(margin_raw) and 0 <= margin_raw < 1,
        source,
        "tiers.margin",
        _("a fraction from 0 up to (not including) 1, e.g. 0.05 for 5%"),
        margin_raw,
    )
    margin = Decimal(str(margin_raw))
    days = section.get("new_customer_days", 90)
    expect(
        is_whole(days) and days >= 0, source, "tiers.new_customer_days", _("a whole number of days, 0 or more"), days
    )
    new_tier = section.get("new_customer_tier", "新客户")
    expect(
        isinstance(new_tier, str) and new_tier.strip() != "",
        source,
        "tiers.new_customer_tier",
        _("a tier name"),
        new_tier,
    )
    new_tier = new_tier.strip()
    if allowed is not None:
        expect(
            new_tier in allowed,
            source,
            "tiers.new_customer_tier",
            _("one of the tiers in [choices] tier ({tiers})").format(tiers=", ".join(allowed)),
            new_tier,
        )
    confirmations = section.get("confirmations", 2)
    expect(
        is_whole(confirmations) and confirmations >= 1,
        source,
        "tiers.confirmations",
        _("a whole number, 1 or more"),
        confirmations,
    )
    period = section.get("evaluation_period", "month")
    expect(
        period in PERIODS,
        source,
        "tiers.evaluation_period",
        _("one of {values}").format(values=", ".join(PERIODS)),
        period,
    )

    raw_rules = section.get("rules")
    expect(
        isinstance(raw_rules, list) and len(raw_rules) > 0,
        source,
        "tiers.rules",
        _("a list of [[tiers.rules]] tables, best tier first"),
        raw_rules,
    )
    rules = []
    seen = set()
    for n, entry in enumerate(raw_rules, 1):
        where = f"tiers.rules[{n}]"
        expect(isinstance(entry, dict), source, where, _("a table with tier = ... and conditions"), entry)
        for key in entry:
            expect(
                key == "tier" or key in CONDITION_KINDS,
                source,
                f"{where}.{key}",
                _("tier or one of {kinds}").format(kinds=", ".join(CONDITION_KINDS)),
                UNKNOWN_KEY,
            )
        tier = entry.get("tier")
        expect(
            isinstance(tier, str) and tier.strip() != "", source, f"{where}.tier", _('a tier name such as "A"'), tier
        )
        tier = tier.strip()
        expect(tier not in seen, source, f"{where}.tier", _("a tier named once"), tier)
        expect(
            tier != new_tier,
            source,
            f"{where}.tier",
            _("a tier other than the new-customer tier '{new_tier}' (see tiers.new_customer_days)").format(
                new_tier=new_tier
            ),
            tier,
        )
        if allowed is not None:
            expect(
                tier in allowed,
                source,
                f"{where}.tier",
                _("one of the tiers in [choices] tier ({tiers})").format(tiers=", ".join(allowed)),
                tier,
            )
        seen.add(tier)
        conditions = []
        for key, kind in CONDITION_KINDS.items():
            if key not in entry:
                continue
            value = entry[key]
            if kind.whole:
                expect(is_whole(value) and value >= 0, source, f"{where}.{key}", _("a whole number, 0 or more"), value)
            else:
                expect(is_number(value) and value >= 0, source, f"{where}.{key}", _("a number, 0 or more"), value)
            conditions.append(condition(key, Decimal(str(value)), margin))
        last = n == len(raw_rules)
        if last:
            expect(
                not conditions,
                source,
                f"{where}.{conditions[0].key if conditions else 'tier'}",
                _("left out: the last tier takes every customer the tiers above do not"),
                _("a condition"),
            )
        else:
            expect(
                bool(conditions),
                source,
                where,
                _("at least one condition (only the last tier has none)"),
                _("a tier without conditions"),
            )
        rules.append(TierRule(tier, tuple(conditions)))
    return TierSettings(tuple(rules), int(days), new_tier, int(confirmations), margin, period)
