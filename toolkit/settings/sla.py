"""[sla] and [escalation]: which deadlines apply to a complaint, and who is told when it is late.

Read and checked here once (see ``defaults/sla.toml`` for what each key means); the rules in
:mod:`toolkit.rules.sla` take the typed :class:`SlaSettings`. Statuses and match values are
values of the office's choice lists ([choices] status, tier, ...), aliases resolved; each may be
one text or a list of texts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from toolkit.calendar import ACCEPTED_EXAMPLES, Duration, parse_duration
from toolkit.calendar.durations import DurationTooLong
from toolkit.i18n import _
from toolkit.settings.choices import Choices, read_choices
from toolkit.settings.fields import as_list, text_list
from toolkit.settings.problems import MISSING, setting_error

STEPS = ("record", "respond", "resolve", "same_day", "feedback", "survey")
DURATION_STEPS = ("record", "respond", "resolve", "feedback", "survey")
MATCH_KEYS = ("request_type", "category", "priority", "channel", "tier")
LEVELS = ("L1", "L2", "L3")
ESCALATING_STEPS = ("record", "respond", "resolve", "same_day", "feedback")  # the default of [escalation] steps

_SLA_KEYS = {"due_soon_working_hours", "survey_earliest", "waiting_statuses", "closed_statuses", "rules"}
_RULE_KEYS = {"name", *MATCH_KEYS, *DURATION_STEPS, "same_day"}
_ESCALATION_KEYS = {"levels", "l3_notify", "department_head_fallback", "department_heads", "steps"}
_CHOICE_LISTS = {key: key for key in MATCH_KEYS}  # the [choices] list each match key's values come from


@dataclass(frozen=True)
class SlaRule:
    """One ``[[sla.rules]]`` entry: when it applies and the target per step (None = not tracked)."""

    name: str
    match: tuple[tuple[str, frozenset[str]], ...] = ()  # (match key, accepted values)
    record: Duration | None = None
    respond: Duration | None = None
    resolve: Duration | None = None
    feedback: Duration | None = None
    survey: Duration | None = None
    same_day: bool = False

    def matches(self, values: Mapping[str, Any]) -> bool:
        return all(values.get(key) in accepted for key, accepted in self.match)

    def target(self, step: str) -> Duration | None:
        return getattr(self, step) if step in DURATION_STEPS else None


@dataclass(frozen=True)
class Escalation:
    """``[escalation]``: thresholds in working hours late, and who to notify."""

    levels: tuple[Decimal, Decimal, Decimal] = (Decimal(0), Decimal(8), Decimal(24))
    department_heads: Mapping[str, str] = None  # type: ignore[assignment]
    department_head_fallback: str = "部门负责人"
    l3_notify: str = "客服中心主任"
    steps: frozenset[str] = frozenset(ESCALATING_STEPS)  # whose lateness raises the level

    def __post_init__(self):
        if self.department_heads is None:
            object.__setattr__(self, "department_heads", {})

    def level(self, hours_late: Decimal | None) -> int:
        """0 (on time) .. 3 for the working hours late (None = not overdue)."""
        if hours_late is None:
            return 0
        level = 0
        for n, threshold in enumerate(self.levels, 1):
            if hours_late >= threshold:
                level = n
        return level

    def department_head_text(self, department: object) -> str:
        """Who heads `department`, as the tracker's 通知对象 and the overdue notices both show it:
        "部门负责人 王经理 (售后服务部)", or the fallback "部门负责人 (售后服务部)" for a department not listed."""
        dept = str(department).strip() if department is not None else ""
        head = self.department_heads.get(dept) if dept else None
        text = f"部门负责人 {head}" if head else self.department_head_fallback
        return f"{text} ({dept})" if dept else text

    def notify(self, level: int, handler: object, department: object) -> str:
        if level <= 0:
            return ""
        if level == 1:
            who = str(handler).strip() if handler is not None else ""
            return f"处理人 {who}" if who else "处理人"
        head = self.department_head_text(department)
        return head if level == 2 else f"{self.l3_notify}; {head}"


@dataclass(frozen=True)
class SlaSettings:
    """``[sla]``: the deadline rules, and the statuses that stop or finish the clock; with ``[escalation]``."""

    rules: tuple[SlaRule, ...]
    due_soon_working_hours: float = 4.0
    survey_earliest: Duration = Duration(24, "calendar_hours")
    waiting_statuses: frozenset[str] = frozenset({"待客户回复"})
    closed_statuses: frozenset[str] = frozenset({"已解决", "已关闭"})
    escalation: Escalation = Escalation()

    def rule_for(self, request_type=None, category=None, priority=None, channel=None, tier=None) -> SlaRule | None:
        """The first rule matching the complaint's values, or None."""
        values = {
            "request_type": request_type,
            "category": category,
            "priority": priority,
            "channel": channel,
            "tier": tier,
        }
        for rule in self.rules:
            if rule.matches(values):
                return rule
        return None


def read_sla(data: Mapping[str, Any], source: str | Path, choices: Choices | None = None) -> SlaSettings:
    """``data["sla"]`` and ``data["escalation"]`` checked and typed; a wrong value raises SettingsError naming the key."""
    sla = data.get("sla", MISSING)
    if not isinstance(sla, Mapping):
        raise setting_error(source, "sla", _("a table ([sla])"), sla)
    _refuse_unknown(sla, _SLA_KEYS, source, "sla")
    choices = choices if choices is not None else read_choices(data, source)
    soon = sla.get("due_soon_working_hours", 4)
    if isinstance(soon, bool) or not isinstance(soon, (int, float)) or not math.isfinite(soon) or soon < 0:
        raise setting_error(source, "sla.due_soon_working_hours", _("a number of working hours of at least 0"), soon)
    earliest = _duration(sla.get("survey_earliest", "24 hours"), source, "sla.survey_earliest")
    statuses = {}
    for key, default in (("waiting_statuses", ["待客户回复"]), ("closed_statuses", ["已解决", "已关闭"])):
        statuses[key] = _choice_list(sla.get(key, default), source, f"sla.{key}", choices, "status", allow_empty=True)
    raw_rules = sla.get("rules", MISSING)
    if not isinstance(raw_rules, list) or not raw_rules:
        raise setting_error(source, "sla.rules", _("a list of rules ([[sla.rules]] entries), at least one"), raw_rules)
    rules = tuple(_rule(entry, source, f"sla.rules[{n}]", choices) for n, entry in enumerate(raw_rules, 1))
    return SlaSettings(
        rules=rules,
        due_soon_working_hours=float(soon),
        survey_earliest=earliest,
        waiting_statuses=frozenset(statuses["waiting_statuses"]),
        closed_statuses=frozenset(statuses["closed_statuses"]),
        escalation=_escalation(data.get("escalation", {}), source),
    )


def _refuse_unknown(table: Mapping[str, Any], known: set[str], source: str | Path, where: str) -> None:
    """[sla] and [escalation] name the first unknown key (sorted) with its value, and the keys they know."""
    unknown = sorted(set(table) - known)
    if unknown:
        raise setting_error(
            source,
            f"{where}.{unknown[0]}",
            _("left out (known keys: {keys})").format(keys=", ".join(sorted(known))),
            table[unknown[0]],
        )


def _duration(value: object, source: str | Path, key: str) -> Duration:
    try:
        if not isinstance(value, str):
            raise ValueError
        return parse_duration(value)
    except DurationTooLong:
        raise setting_error(source, key, _("a duration of at most 100 years"), value) from None
    except ValueError:
        raise setting_error(
            source,
            key,
            _(
                'a duration text like "24 hours", "2 working hours" or "3 working days" (accepted: {ACCEPTED_EXAMPLES})'
            ).format(ACCEPTED_EXAMPLES=ACCEPTED_EXAMPLES),
            value,
        ) from None


def _choice_list(value, source, key, choices: Choices, list_name: str, *, allow_empty=False) -> tuple[str, ...]:
    """A text or a list of texts, each a value of the list [choices] `list_name` (aliases resolved)."""
    texts = text_list(
        value,
        source,
        key,
        _("a text or a list of texts") if not allow_empty else _("a list of texts"),
        allow_empty=allow_empty,
    )
    return tuple(choices.value(list_name, v, source, key) for v in texts)


def _rule(entry: object, source: str | Path, key: str, choices: Choices) -> SlaRule:
    if not isinstance(entry, Mapping):
        raise setting_error(source, key, _("a table with a name and targets"), entry)
    unknown = sorted(set(entry) - _RULE_KEYS)
    if unknown:
        raise setting_error(
            source,
            f"{key}.{unknown[0]}",
            "left out (a rule has: " + ", ".join(["name", *MATCH_KEYS, *DURATION_STEPS, "same_day"]) + ")",
            entry[unknown[0]],
        )
    name = entry.get("name", MISSING)
    if not isinstance(name, str) or not name.strip():
        raise setting_error(
            source, f"{key}.name", _("a non-empty text (shown in the column {column})").format(column="适用规则"), name
        )
    match = tuple(
        (mk, frozenset(_choice_list(entry[mk], source, f"{key}.{mk}", choices, _CHOICE_LISTS[mk])))
        for mk in MATCH_KEYS
        if mk in entry
    )
    targets = {step: _duration(entry[step], source, f"{key}.{step}") for step in DURATION_STEPS if step in entry}
    same_day = entry.get("same_day", False)
    if not isinstance(same_day, bool):
        raise setting_error(source, f"{key}.same_day", _("true or false"), same_day)
    return SlaRule(name=name.strip(), match=match, same_day=same_day, **targets)


def _escalation(section: object, source: str | Path) -> Escalation:
    if not isinstance(section, Mapping):
        raise setting_error(source, "escalation", _("a table ([escalation])"), section)
    _refuse_unknown(section, _ESCALATION_KEYS, source, "escalation")
    levels = section.get("levels", {"L1": 0, "L2": 8, "L3": 24})
    if not isinstance(levels, Mapping):
        raise setting_error(source, "escalation.levels", _("a table like { L1 = 0, L2 = 8, L3 = 24 }"), levels)
    unknown = sorted(set(levels) - set(LEVELS))
    if unknown:
        raise setting_error(
            source, f"escalation.levels.{unknown[0]}", _("left out (levels are L1, L2, L3)"), levels[unknown[0]]
        )
    thresholds: list[Decimal] = []
    for name in LEVELS:
        v = levels.get(name, MISSING)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise setting_error(source, f"escalation.levels.{name}", _("a number of working hours late, at least 0"), v)
        v = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        if thresholds and v < thresholds[-1]:
            raise setting_error(
                source,
                f"escalation.levels.{name}",
                _("at least the threshold of L{n} ({thresholds})").format(n=len(thresholds), thresholds=thresholds[-1]),
                levels[name],
            )
        thresholds.append(v)
    heads = section.get("department_heads", {})
    if not isinstance(heads, Mapping) or not all(isinstance(v, str) for v in heads.values()):
        raise setting_error(source, "escalation.department_heads", _("a table of department = head (texts)"), heads)
    steps = as_list(section.get("steps", list(ESCALATING_STEPS)))
    if not isinstance(steps, list) or not all(isinstance(v, str) and v in STEPS for v in steps):
        raise setting_error(
            source, "escalation.steps", _("a list of steps from {steps}").format(steps=", ".join(STEPS)), steps
        )
    texts = {}
    for key, default in (("l3_notify", "客服中心主任"), ("department_head_fallback", "部门负责人")):
        v = section.get(key, default)
        if not isinstance(v, str) or not v.strip():
            raise setting_error(source, f"escalation.{key}", _("a non-empty text"), v)
        texts[key] = v.strip()
    return Escalation(
        levels=(thresholds[0], thresholds[1], thresholds[2]),
        department_heads={str(k).strip(): v.strip() for k, v in heads.items()},
        steps=frozenset(steps),
        **texts,
    )
