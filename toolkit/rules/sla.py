"""Complaint deadlines (时效), their states, and escalation (升级): pure rules.

No file, Excel or clock access: "now" is the ``as_of`` parameter, working time comes from a
:class:`~toolkit.calendar.WorkCalendar`, and everything else from the ``[sla]`` and
``[escalation]`` settings (shipped in ``defaults/sla.toml``).

Which rule applies
    The first of ``[[sla.rules]]`` whose match keys (request_type, category, priority, channel,
    tier; one value or a list, a missing key matches anything) all fit the complaint.  A step the
    rule gives no target is not tracked.  No matching rule: ``sla_state`` "无适用规则".

The steps (start -> done; the done time falls back to a later milestone when it is blank,
because that milestone shows the step had happened by then at the latest)
    ========  ===========================  =================================================
    record    received_at                  recorded_at, else the earliest of responded_at,
                                           resolved_at, closed_at
    respond   received_at (clock stops     responded_at, else the earlier of resolved_at,
              while waiting on customer)   closed_at
    resolve   received_at (same)           resolved_at, else closed_at
    same_day  received_at                  the earlier of settlement_told_at and resolved_at,
                                           else closed_at
    feedback  resolved_at                  feedback_at, else closed_at
    survey    closed_at                    survey_at
    ========  ===========================  =================================================

    same_day is the complaint-form rule (当天告知解决时间): a complaint not resolved on the day it
    is received must have the customer told the settlement date that day.  Due at the office's
    closing time of the receipt day (received on a day off, or at/after closing: closing time of
    the next working day).  Resolved by then = met; told by then = met; otherwise late/overdue.

    survey: due ``survey`` after closing; a survey sooner than ``survey_earliest`` after closing
    counts as done but is shown "过早" (too early) - it is not late and does not escalate.

    A step whose start is blank is not applicable yet (blank state).  A complaint without
    received_at gets only ``sla_state`` "缺少受理时间"; every other output is blank.

Waiting on the customer
    respond and resolve use the pause (wait_started_at, wait_ended_at).  An open wait - a start
    without an end, or a status in ``waiting_statuses`` (without a recorded start the wait is taken
    to start at ``as_of``) - stops the clock: a step whose deadline was not reached when the wait
    began is on hold ("暂停(待客户)", no deadline).  For a step already done, an open wait is
    taken to end at the done time and waits that start after it are ignored.  Late hours of
    these steps leave out the waiting time.

States (``<step>_state``)
    进行中 open, 即将到期 open with at most ``due_soon_working_hours`` working hours left,
    逾期 overdue (``as_of`` after the deadline), 按时完成 done by the deadline, 超时完成 done
    after it, 暂停(待客户) on hold, 过早 survey too early, 缺少完成时间 no done time although the
    status is a closed one (``closed_statuses``), "" not applicable.  " (暂定)" is appended when
    the deadline is provisional (it involves a year the statutory calendar does not know).
    ``<step>_due`` is the deadline rounded to the minute (30 s and more round up); the states
    compare against that rounded deadline.  ``<step>_late_hours`` is the working hours from the
    deadline to ``as_of`` (overdue) or to the done time (late), rounded half-up to 0.1.

Overall
    ``sla_state``: 逾期 if any step is overdue, else 即将到期, else 暂停(待客户), else 进行中 if any
    step is open, else 已完成(有超时) if any step was late, 已完成(缺少时间) if any step lacks a done
    time, else 已完成 (plus " (暂定)" when any deadline is provisional).  ``next_step`` is the open
    step with the earliest deadline (an on-hold step when no open step has one), ``hours_late``
    the largest late hours of the overdue steps, ``escalation_level`` the highest level of
    ``[escalation.levels]`` reached by the late hours of the overdue steps listed in
    ``[escalation] steps`` (L0 when none is overdue; with L1 = 0 any such step is at least L1),
    ``notify`` who to tell.  By default a missed satisfaction survey is overdue but not escalated:
    escalation is for complaints not being handled, not for a follow-up that was not sent.

The same inputs always give the same outputs, so running a job twice changes nothing.
:func:`evaluate_all` is the batch form the jobs use; it computes working time with a per-day
"working-time timeline" (cumulative office time per day and per minute of the day) that gives
exactly the calendar functions' results, caches deadlines that depend only on the day
(working days, same day), and falls back to the calendar functions for working days with
pauses, zero targets and days outside the timeline.  :func:`evaluate` (one complaint) uses
the calendar functions directly; both give the same values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping, Sequence

from toolkit.calendar import (
    ACCEPTED_EXAMPLES,
    Duration,
    WorkCalendar,
    add_duration,
    add_working_days,
    add_working_hours,
    known_years,
    merge_pauses,
    parse_duration,
    working_hours_between,
)
from toolkit.errors import SettingsError

# -- names ----------------------------------------------------------------------------------------

STEPS = ("record", "respond", "resolve", "same_day", "feedback", "survey")
STEP_NAMES = {
    "record": "登记",
    "respond": "响应",
    "resolve": "解决",
    "same_day": "当日告知",
    "feedback": "回访",
    "survey": "满意度调查",
}
DURATION_STEPS = ("record", "respond", "resolve", "feedback", "survey")
MATCH_KEYS = ("request_type", "category", "priority", "channel", "tier")
LEVELS = ("L1", "L2", "L3")

INPUT_COLUMNS = (
    "received_at",
    "request_type",
    "category",
    "priority",
    "channel",
    "status",
    "recorded_at",
    "responded_at",
    "settlement_told_at",
    "resolved_at",
    "feedback_at",
    "closed_at",
    "survey_at",
    "wait_started_at",
    "wait_ended_at",
    "handler",
    "department",
)
OVERALL_COLUMNS = ("sla_state", "next_step", "next_deadline", "hours_late", "sla_rule", "escalation_level", "notify")
OUTPUT_COLUMNS = OVERALL_COLUMNS + tuple(f"{s}_{part}" for s in STEPS for part in ("state", "due", "late_hours"))

ON_TRACK, DUE_SOON, OVERDUE = "进行中", "即将到期", "逾期"
MET, MET_LATE, ON_HOLD = "按时完成", "超时完成", "暂停(待客户)"
TOO_EARLY, NO_DONE_TIME = "过早", "缺少完成时间"
PROVISIONAL = " (暂定)"
DONE, DONE_LATE, DONE_NO_TIME = "已完成", "已完成(有超时)", "已完成(缺少时间)"
NO_RECEIPT, NO_RULE = "缺少受理时间", "无适用规则"

# -- settings -------------------------------------------------------------------------------------

_SLA_KEYS = {"due_soon_working_hours", "survey_earliest", "waiting_statuses", "closed_statuses", "rules"}
_RULE_KEYS = {"name", *MATCH_KEYS, *DURATION_STEPS, "same_day"}
_ESCALATION_KEYS = {"levels", "l3_notify", "department_head_fallback", "department_heads", "steps"}
ESCALATING_STEPS = ("record", "respond", "resolve", "same_day", "feedback")  # the default of [escalation] steps
_CHOICE_LISTS = {
    "request_type": "request_type",
    "category": "category",
    "priority": "priority",
    "channel": "channel",
    "tier": "tier",
}


def _fail(source: str, key: str, expected: str, got: object) -> SettingsError:
    shown = "missing" if got is _MISSING else repr(got)
    return SettingsError(f"setting '{key}' should be {expected}, but is {shown}", path=source)


_MISSING = object()


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

    def matches(self, values: Mapping[str, object]) -> bool:
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
class SlaRules:
    """The parsed ``[sla]`` and ``[escalation]`` settings."""

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

    @classmethod
    def from_settings(cls, data: Mapping[str, object], source: str) -> "SlaRules":
        """Read and check ``data["sla"]`` and ``data["escalation"]``; raise SettingsError naming the key."""
        sla = data.get("sla", _MISSING)
        if not isinstance(sla, Mapping):
            raise _fail(source, "sla", "a table ([sla])", sla)
        unknown = sorted(set(sla) - _SLA_KEYS)
        if unknown:
            raise _fail(
                source,
                f"sla.{unknown[0]}",
                "left out (known keys: " + ", ".join(sorted(_SLA_KEYS)) + ")",
                sla[unknown[0]],
            )
        choices = data.get("choices") if isinstance(data.get("choices"), Mapping) else {}
        aliases = data.get("choice_aliases") if isinstance(data.get("choice_aliases"), Mapping) else {}

        soon = sla.get("due_soon_working_hours", 4)
        if isinstance(soon, bool) or not isinstance(soon, (int, float)) or not math.isfinite(soon) or soon < 0:
            raise _fail(source, "sla.due_soon_working_hours", "a number of working hours of at least 0", soon)
        earliest = _duration(sla.get("survey_earliest", "24 hours"), source, "sla.survey_earliest")
        statuses = {}
        for key, default in (("waiting_statuses", ["待客户回复"]), ("closed_statuses", ["已解决", "已关闭"])):
            statuses[key] = _text_list(
                sla.get(key, default), source, f"sla.{key}", choices, aliases, "status", allow_empty=True
            )

        raw_rules = sla.get("rules", _MISSING)
        if not isinstance(raw_rules, list) or not raw_rules:
            raise _fail(source, "sla.rules", "a list of rules ([[sla.rules]] entries), at least one", raw_rules)
        rules = tuple(_rule(entry, source, f"sla.rules[{n}]", choices, aliases) for n, entry in enumerate(raw_rules, 1))
        return cls(
            rules=rules,
            due_soon_working_hours=float(soon),
            survey_earliest=earliest,
            waiting_statuses=frozenset(statuses["waiting_statuses"]),
            closed_statuses=frozenset(statuses["closed_statuses"]),
            escalation=_escalation(data.get("escalation", {}), source),
        )


def _duration(value: object, source: str, key: str) -> Duration:
    try:
        if not isinstance(value, str):
            raise ValueError
        return parse_duration(value)
    except ValueError:
        raise _fail(
            source,
            key,
            f'a duration text like "24 hours", "2 working hours" or "3 working days" (accepted: {ACCEPTED_EXAMPLES})',
            value,
        ) from None


def _text_list(value, source, key, choices, aliases, list_name, *, allow_empty=False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, list)
        or not all(isinstance(v, str) and v.strip() for v in value)
        or (not value and not allow_empty)
    ):
        raise _fail(source, key, "a text or a list of texts" if not allow_empty else "a list of texts", value)
    allowed = choices.get(list_name)
    alias_map = aliases.get(list_name) if isinstance(aliases.get(list_name), Mapping) else {}
    out = []
    for v in value:
        v = v.strip()
        if isinstance(allowed, list) and allowed and v not in allowed:
            if v in alias_map:
                v = alias_map[v]
            elif v.lower() in alias_map:
                v = alias_map[v.lower()]
            else:
                raise _fail(
                    source, key, "one of " + ", ".join(map(str, allowed)) + f" (the list [choices] {list_name})", v
                )
        out.append(v)
    return tuple(out)


def _rule(entry: object, source: str, key: str, choices, aliases) -> SlaRule:
    if not isinstance(entry, Mapping):
        raise _fail(source, key, "a table with a name and targets", entry)
    unknown = sorted(set(entry) - _RULE_KEYS)
    if unknown:
        raise _fail(
            source,
            f"{key}.{unknown[0]}",
            "left out (a rule has: " + ", ".join(["name", *MATCH_KEYS, *DURATION_STEPS, "same_day"]) + ")",
            entry[unknown[0]],
        )
    name = entry.get("name", _MISSING)
    if not isinstance(name, str) or not name.strip():
        raise _fail(source, f"{key}.name", "a non-empty text (shown in the column 适用规则)", name)
    match = tuple(
        (mk, frozenset(_text_list(entry[mk], source, f"{key}.{mk}", choices, aliases, _CHOICE_LISTS[mk])))
        for mk in MATCH_KEYS
        if mk in entry
    )
    targets = {step: _duration(entry[step], source, f"{key}.{step}") for step in DURATION_STEPS if step in entry}
    same_day = entry.get("same_day", False)
    if not isinstance(same_day, bool):
        raise _fail(source, f"{key}.same_day", "true or false", same_day)
    return SlaRule(name=name.strip(), match=match, same_day=same_day, **targets)


def _escalation(section: object, source: str) -> Escalation:
    if not isinstance(section, Mapping):
        raise _fail(source, "escalation", "a table ([escalation])", section)
    unknown = sorted(set(section) - _ESCALATION_KEYS)
    if unknown:
        raise _fail(
            source,
            f"escalation.{unknown[0]}",
            "left out (known keys: " + ", ".join(sorted(_ESCALATION_KEYS)) + ")",
            section[unknown[0]],
        )
    levels = section.get("levels", {"L1": 0, "L2": 8, "L3": 24})
    if not isinstance(levels, Mapping):
        raise _fail(source, "escalation.levels", "a table like { L1 = 0, L2 = 8, L3 = 24 }", levels)
    unknown = sorted(set(levels) - set(LEVELS))
    if unknown:
        raise _fail(source, f"escalation.levels.{unknown[0]}", "left out (levels are L1, L2, L3)", levels[unknown[0]])
    thresholds = []
    for name in LEVELS:
        v = levels.get(name, _MISSING)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise _fail(source, f"escalation.levels.{name}", "a number of working hours late, at least 0", v)
        v = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        if thresholds and v < thresholds[-1]:
            raise _fail(
                source,
                f"escalation.levels.{name}",
                f"at least the threshold of L{len(thresholds)} ({thresholds[-1]})",
                levels[name],
            )
        thresholds.append(v)
    heads = section.get("department_heads", {})
    if not isinstance(heads, Mapping) or not all(isinstance(v, str) for v in heads.values()):
        raise _fail(source, "escalation.department_heads", "a table of department = head (texts)", heads)
    steps = section.get("steps", list(ESCALATING_STEPS))
    if not isinstance(steps, list) or not all(isinstance(v, str) and v in STEPS for v in steps):
        raise _fail(source, "escalation.steps", "a list of steps from " + ", ".join(STEPS), steps)
    texts = {}
    for key, default in (("l3_notify", "客服中心主任"), ("department_head_fallback", "部门负责人")):
        v = section.get(key, default)
        if not isinstance(v, str) or not v.strip():
            raise _fail(source, f"escalation.{key}", "a non-empty text", v)
        texts[key] = v.strip()
    return Escalation(
        levels=tuple(thresholds),
        department_heads={str(k).strip(): v.strip() for k, v in heads.items()},
        steps=frozenset(steps),
        **texts,
    )


# -- working time: calendar functions, with a fast per-day timeline ------------------------------

# target kinds
_CAL, _WH, _WD, _SAME_DAY = 0, 1, 2, 3
_US = timedelta(microseconds=1)
_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)
_US_PER_HOUR = 3_600_000_000
_PROV = 256  # the "provisional" bit in a step code


def _target(duration: Duration) -> tuple:
    """(kind, timedelta or days, microseconds, hours, Duration) - precomputed once per rule."""
    if duration.unit == "working_days":
        return (_WD, int(duration.amount), 0, duration.amount, duration)
    td = timedelta(hours=duration.amount)  # exactly what the calendar functions use
    return (_CAL if duration.unit == "calendar_hours" else _WH, td, td // _US, duration.amount, duration)


_SAME_DAY_TARGET = (_SAME_DAY, 0, 0, 0.0, None)


def _us_of(t: time) -> int:
    return (t.hour * 3600 + t.minute * 60 + t.second) * 1_000_000 + t.microsecond


_US_PER_MINUTE = 60_000_000


class _Timeline:
    """Office time on a line: cumulative office microseconds at the start of each day of a range.

    ``pos(t)`` = office time from the range's first day up to ``t``.  A deadline ``need`` after
    ``start`` is the earliest instant whose position reaches ``pos(start) + need`` (the calendar
    functions' rule: a result exactly at a period's end stays there); the working time between
    two instants is the difference of their positions.  Every working day holds the same office
    time, so the k-th working day of the range starts at position ``k * day_us`` and the inverse
    needs no search.  Built only for office hours in whole minutes (a per-minute table gives the
    office time before each minute of a working day).
    """

    def __init__(self, cal: WorkCalendar, first_year: int, last_year: int):
        first, last = date(first_year, 1, 1), date(last_year, 12, 31)
        periods = tuple((_us_of(a), _us_of(b)) for a, b in cal.office_hours)
        self.periods = tuple((a, b - a) for a, b in periods)
        self.day_us = day_us = sum(b - a for a, b in periods)
        self.first = first.toordinal()
        cum, work, workday_midnights = [], [], []
        total = 0
        d, one = first, timedelta(days=1)
        while d <= last:
            cum.append(total)
            w = bool(cal.periods_on(d))
            work.append(w)
            if w:
                total += day_us
                workday_midnights.append(datetime(d.year, d.month, d.day))
            d += one
        self.cum, self.work, self.workday_midnights = cum, work, workday_midnights
        self.n = len(cum)
        self.before = [self._in_day(m * _US_PER_MINUTE) for m in range(1440)]
        self.inside = [any(a <= m * _US_PER_MINUTE < b for a, b in periods) for m in range(1440)]

    @staticmethod
    def usable(cal: WorkCalendar) -> bool:
        return all(_us_of(a) % _US_PER_MINUTE == 0 and _us_of(b) % _US_PER_MINUTE == 0 for a, b in cal.office_hours)

    def _in_day(self, x: int) -> int:
        c = 0
        for a, span in self.periods:
            if x <= a:
                break
            if x < a + span:
                return c + x - a
            c += span
        return c

    def functions(self):
        """(pos, after, between) as closures over the tables - the hot paths of ``evaluate_all``.

        ``after(t, need)`` -> the deadline ``need`` (> 0) office microseconds after ``t``;
        ``between(a, b)`` -> office microseconds from ``a`` to ``b``; both None off the range.
        """
        first, n, cum, work, before, inside = self.first, self.n, self.cum, self.work, self.before, self.inside
        day_us, periods, midnights = self.day_us, self.periods, self.workday_midnights
        n_workdays = len(midnights)
        us = _US

        def pos(t):
            i = t.toordinal() - first
            if i < 0 or i >= n:
                return None
            if work[i]:
                m = t.hour * 60 + t.minute
                if inside[m]:
                    return cum[i] + before[m] + t.second * 1_000_000 + t.microsecond
                return cum[i] + before[m]
            return cum[i]

        def after(t, need):
            i = t.toordinal() - first
            if i < 0 or i >= n:
                return None
            p = cum[i] + need
            if work[i]:
                m = t.hour * 60 + t.minute
                p += before[m]
                if inside[m]:
                    p += t.second * 1_000_000 + t.microsecond
            k = (p - 1) // day_us  # the working day holding position p (its end included)
            if k >= n_workdays:
                return None
            r = p - k * day_us
            for a, span in periods:
                if r <= span:
                    return midnights[k] + us * (a + r)
                r -= span
            return None  # unreachable

        def between(a, b):
            pa = pos(a)
            pb = pos(b)
            if pa is None or pb is None:
                return None
            return pb - pa

        return pos, after, between

    def late_function(self, rounded: dict):
        """``late(a, b)`` -> the office hours from ``a`` to ``b`` rounded half-up to 0.1 as a
        Decimal (cached in ``rounded`` by tenths), or None off the range."""
        pos = self.functions()[0]

        def late(a, b):
            pa = pos(a)
            pb = pos(b)
            if pa is None or pb is None:
                return None
            tenths = ((pb - pa) * 10 + _US_PER_HOUR // 2) // _US_PER_HOUR
            hit = rounded.get(tenths)
            if hit is None:
                hit = rounded[tenths] = Decimal(tenths).scaleb(-1)
            return hit

        return late


class _Clock:
    """Deadlines and working hours for the rules: the calendar functions' answers, computed fast.

    Working-day and same-day deadlines depend only on the start's day and are cached; working
    hours use the timeline when there is one; working days with pauses, zero targets and days
    outside the timeline go to the calendar functions.
    """

    def __init__(self, cal: WorkCalendar, years: tuple[int, int] | None):
        self.cal = cal
        self.pos = self.after = self.between = self.late = None
        self.rounded: dict = {}  # tenths of an hour -> Decimal hours
        if years and _Timeline.usable(cal):
            timeline = _Timeline(cal, *years)
            self.pos, self.after, self.between = timeline.functions()
            self.late = timeline.late_function(self.rounded)
        self.days: dict = {}  # ordinal << 12 | days -> (deadline, prov) for working days
        self.same_day: dict = {}  # ordinal * 2 + (received at/after closing) -> (deadline, prov)
        closing = _us_of(cal.closing_time)
        self.closing_us = closing
        self.closing_minute = closing // _US_PER_MINUTE if closing % _US_PER_MINUTE == 0 else None
        self.known = known_years()

    def provisional(self, y0: int, y1: int) -> int:
        """_PROV when a year from ``y0`` to ``y1`` is unknown to the statutory calendar, else 0."""
        known = self.known
        if y0 == y1:
            return 0 if y0 in known else _PROV
        return _PROV if any(y not in known for y in range(y0, y1 + 1)) else 0

    def add(self, start: datetime, target: tuple, pauses) -> tuple[datetime | None, int]:
        """(deadline or None when on hold, _PROV or 0) for ``target`` after ``start``."""
        kind = target[0]
        if pauses:
            if kind == _CAL:
                return _clock_paused(start, target[1], _merged(pauses)), 0
            if kind == _WH and self.pos is not None and target[2] > 0:
                at = self._office_paused(start, target[2], _merged(pauses))
                if at is not False:
                    return at, (self.provisional(start.year, at.year) if at is not None else 0)
            d = add_duration(self.cal, start, target[4], pauses)
            return d.at, (_PROV if d.provisional else 0)
        if kind == _CAL:
            return start + target[1], 0
        if kind == _WH:
            if self.after is not None and target[2] > 0:
                at = self.after(start, target[2])
                if at is not None:
                    return at, self.provisional(start.year, at.year)
            d = add_working_hours(self.cal, start, target[3])
            return d.at, (_PROV if d.provisional else 0)
        if kind == _WD:
            days = target[1]
            key = (start.toordinal() << 12 | days) if days < 4096 else (start.toordinal(), days)
            hit = self.days.get(key)
            if hit is None:
                d = add_working_days(self.cal, start, days)
                hit = self.days[key] = (d.at, _PROV if d.provisional else 0)
            return hit
        # same day: closing time of the receipt day, or of the next working day when received on a
        # day off or at/after closing (the answer depends only on the day and that flag)
        key = start.toordinal() * 2 + (_us_of(start.time()) >= self.closing_us)
        hit = self.same_day.get(key)
        if hit is None:
            d = add_working_days(self.cal, start, 0)
            if d.at <= start:
                d = add_working_days(self.cal, start, 1)
            hit = self.same_day[key] = (d.at, _PROV if d.provisional else 0)
        return hit

    def _office_paused(self, start: datetime, need: int, pauses: list):
        """``add_working_hours`` with (merged) pauses, on the timeline; False when off it."""
        after = self.after
        t = start
        for a, b in pauses:
            if b is not None and b <= t:
                continue
            if a > t:
                run = self.between(t, a)
                if run is None:
                    return False
                if need <= run:
                    return after(t, need) or False
                need -= run
            if b is None:
                return None
            t = b
        return after(t, need) or False

    def office_us(self, a: datetime, b: datetime, pauses) -> int | None:
        """Office microseconds from ``a`` to ``b`` (b >= a) outside the pauses; None off the timeline."""
        between = self.between
        if between is None:
            return None
        total = between(a, b)
        if total is not None and pauses:
            # minus the office time inside each (merged) pause, clipped to [a, b]
            for begin, end in _merged(pauses):
                if begin < a:
                    begin = a
                if end is None or end > b:
                    end = b
                if end > begin:
                    inside = between(begin, end)
                    if inside is None:
                        return None
                    total -= inside
        return total

    def hours(self, a: datetime, b: datetime, pauses) -> float:
        """Working hours from ``a`` to ``b`` (b >= a), waiting time left out."""
        us = self.office_us(a, b, pauses)
        return us / _US_PER_HOUR if us is not None else working_hours_between(self.cal, a, b, pauses or ())

    def late_hours(self, a: datetime, b: datetime, pauses) -> Decimal:
        """``hours`` rounded half-up to 0.1."""
        us = self.office_us(a, b, pauses)
        if us is None:
            return _round_hours(working_hours_between(self.cal, a, b, pauses or ()))
        return self.tenths(us)

    def tenths(self, us: int) -> Decimal:
        # Round half up to tenths in exact integer arithmetic: the same as _round_hours of the
        # float the calendar gives, which is far closer to the true value than to any tie.
        tenths = (us * 10 + _US_PER_HOUR // 2) // _US_PER_HOUR
        hit = self.rounded.get(tenths)
        if hit is None:
            hit = self.rounded[tenths] = Decimal(tenths).scaleb(-1)
        return hit


def _clock_paused(start: datetime, need: timedelta, pauses: list) -> datetime | None:
    """``add_calendar_hours`` with (merged) pauses: clock time runs outside the pauses."""
    t = start
    for a, b in pauses:
        if b is not None and b <= t:
            continue
        if a > t:
            run = a - t
            if need <= run:
                return t + need
            need -= run
        if b is None:
            return None
        t = b
    return t + need


def _merged(pauses) -> list:
    """Pauses sorted and merged; an open pause (end None) swallows the later ones; empty ones are dropped."""
    return merge_pauses([(begin, end) for begin, end in pauses if end is None or end > begin])


def _round_minute(t: datetime) -> datetime:
    s = t.second
    t -= _SECOND * s + _US * t.microsecond
    return t + _MINUTE if s >= 30 else t


_TENTH = Decimal("0.1")


def _round_hours(hours: float) -> Decimal:
    return Decimal(repr(hours)).quantize(_TENTH, ROUND_HALF_UP)


# -- step codes -----------------------------------------------------------------------------------

_NA, _C_MET, _C_LATE, _C_EARLY, _C_NO_TIME, _C_OPEN, _C_SOON, _C_HOLD, _C_OVER = 0, 1, 2, 4, 8, 16, 32, 64, 128
_OPEN_BITS = _C_OPEN | _C_SOON | _C_HOLD | _C_OVER
_STATE_OF = {
    _NA: "",
    _C_MET: MET,
    _C_LATE: MET_LATE,
    _C_EARLY: TOO_EARLY,
    _C_NO_TIME: NO_DONE_TIME,
    _C_OPEN: ON_TRACK,
    _C_SOON: DUE_SOON,
    _C_HOLD: ON_HOLD,
    _C_OVER: OVERDUE,
}
_STATE_TEXT = [""] * 512
for _code, _text in _STATE_OF.items():
    _STATE_TEXT[_code] = _text
    _STATE_TEXT[_code | _PROV] = _text + PROVISIONAL if _text else ""


def _finished_state(mask: int) -> str:
    if mask & _C_LATE:
        text = DONE_LATE
    elif mask & _C_NO_TIME:
        text = DONE_NO_TIME
    elif mask & ~_PROV:
        text = DONE
    else:
        return ""
    return text + PROVISIONAL if mask & _PROV else text


_FINISHED_TEXT = [_finished_state(m) for m in range(512)]


def _run_step(
    starts,
    dones,
    per_rule,
    rule_index,
    pauses,
    closed,
    clock: _Clock,
    as_of: datetime,
    soon: float,
    earliest: tuple | None = None,
):
    """One step over all rows: (codes, deadlines, late hours).  The hot loop of ``evaluate_all``.

    ``per_rule`` holds the step's target per rule plus two None entries (``rule_index`` -1, -2).
    """
    n = len(starts)
    codes = [0] * n
    dues: list = [None] * n
    lates: list = [None] * n
    add, hours, late_hours, provisional = clock.add, clock.hours, clock.late_hours, clock.provisional
    after, fast_late = clock.after, clock.late
    days_cache, same_cache = clock.days, clock.same_day
    closing_minute = clock.closing_minute
    early_td = earliest[1] if earliest is not None and earliest[0] == _CAL else None
    for i, r in enumerate(rule_index):
        t = per_rule[r]
        if t is None:
            continue
        st = starts[i]
        if st is None:
            continue
        done = dones[i]
        p = None if pauses is None else pauses[i]
        if p is not None and done is not None:
            # a wait still open when the step was done ends there; waits after it do not count
            p = tuple((a, done if b is None else b) for a, b in p if a < done) or None
        kind = t[0]
        if p is not None:
            due, prov = add(st, t, p)
        elif kind == _CAL:
            due, prov = st + t[1], 0
        elif kind == _SAME_DAY and closing_minute is not None:
            hit = same_cache.get(st.toordinal() * 2 + (st.hour * 60 + st.minute >= closing_minute))
            due, prov = hit if hit is not None else add(st, t, None)
        elif kind == _WD and t[1] < 4096:
            hit = days_cache.get(st.toordinal() << 12 | t[1])
            due, prov = hit if hit is not None else add(st, t, None)
        elif kind == _WH and after is not None and t[2] > 0:
            due = after(st, t[2])
            if due is None:
                due, prov = add(st, t, None)
            else:
                prov = provisional(st.year, due.year)
        else:
            due, prov = add(st, t, None)
        if due is not None and (due.second or due.microsecond):
            due = _round_minute(due)
        if done is not None:
            if earliest is not None and done < (st + early_td if early_td is not None else add(st, earliest, None)[0]):
                code = _C_EARLY
            elif due is None or done <= due:
                code = _C_MET
            else:
                code = _C_LATE
                late = fast_late(due, done) if p is None and fast_late is not None else None
                lates[i] = late if late is not None else late_hours(due, done, p)
        elif closed is not None and closed[i]:
            code = _C_NO_TIME
        elif due is None:
            code = _C_HOLD
        elif as_of > due:
            code = _C_OVER
            lates[i] = late_hours(due, as_of, p)
        elif hours(as_of, due, p) <= soon:
            code = _C_SOON
        else:
            code = _C_OPEN
        codes[i] = code | prov
        dues[i] = due
    return codes, dues, lates


# -- inputs ---------------------------------------------------------------------------------------

_DATETIME_INPUTS = (
    "received_at",
    "recorded_at",
    "responded_at",
    "settlement_told_at",
    "resolved_at",
    "feedback_at",
    "closed_at",
    "survey_at",
    "wait_started_at",
    "wait_ended_at",
)


def _as_datetime(v):
    if v is None or type(v) is datetime and v.tzinfo is None:
        return v
    if isinstance(v, datetime):
        return v.replace(tzinfo=None)  # wall-clock reading
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day)
    if isinstance(v, str):
        s = v.strip()
        if not s:
            return None
        try:
            return _as_datetime(datetime.fromisoformat(s))
        except ValueError:
            return None
    return None


def _datetimes(values: Sequence) -> Sequence:
    """The values as naive datetimes or None (dates count from midnight, ISO texts are read,
    other values count as blank); as given when they already are, as the workbook reader gives."""
    if set(map(type, values)) <= _PLAIN:
        return values
    return [_as_datetime(v) for v in values]


_PLAIN = {datetime, type(None)}


def _earliest(*values):
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _years_of(received: Sequence, as_of: datetime) -> tuple[int, int] | None:
    """The years the timeline covers: from the first receipt to two years after the last receipt
    or ``as_of``; a typing mistake like 2205 must not build centuries of days (rows outside
    the range use the calendar functions)."""
    years = {v.year for v in received if v is not None}
    if not years:
        return None
    low = max(min(years), as_of.year - 30)
    high = min(max(max(years), as_of.year), as_of.year + 5) + 2
    return (low, high) if low <= high else None


_TIMELINE_FROM_ROWS = 200


# -- evaluation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepResult:
    state: str  # "" when not applicable
    due: datetime | None
    late_hours: Decimal | None


@dataclass(frozen=True)
class SlaResult:
    """The outputs for one complaint (the same values ``evaluate_all`` gives for its row)."""

    steps: Mapping[str, StepResult]
    sla_state: str
    next_step: str
    next_deadline: datetime | None
    hours_late: Decimal | None
    sla_rule: str
    escalation_level: str
    notify: str

    def columns(self) -> dict[str, object]:
        """Output column name -> value, as written to the tracker."""
        out: dict[str, object] = {name: getattr(self, name) for name in OVERALL_COLUMNS}
        for step, r in self.steps.items():
            out[f"{step}_state"], out[f"{step}_due"], out[f"{step}_late_hours"] = r.state, r.due, r.late_hours
        return out


def evaluate(
    complaint: Mapping[str, object], tier: str | None, as_of: datetime, rules: SlaRules, cal: WorkCalendar
) -> SlaResult:
    """The deadlines, states and escalation of one complaint (a mapping of tracker column -> value)."""
    columns = {name: [complaint.get(name)] for name in INPUT_COLUMNS}
    out = evaluate_all(columns, [tier], as_of, rules, cal)
    steps = {s: StepResult(out[f"{s}_state"][0], out[f"{s}_due"][0], out[f"{s}_late_hours"][0]) for s in STEPS}
    return SlaResult(steps=steps, **{name: out[name][0] for name in OVERALL_COLUMNS})


def evaluate_all(
    columns: Mapping[str, Sequence], tiers: Sequence[str | None], as_of: datetime, rules: SlaRules, cal: WorkCalendar
) -> dict[str, list]:
    """Every output column (``OUTPUT_COLUMNS``) as a list aligned with the input rows.

    ``columns`` maps tracker column names (``INPUT_COLUMNS``) to values by row; a missing column
    counts as blank.  Times are naive local datetimes or None, as the workbook reader gives them
    (a date counts from midnight, an ISO text is read, anything else counts as blank).
    ``tiers`` is each row's customer tier (or None).  Rows are independent and the result
    depends only on the arguments.
    """
    if not isinstance(as_of, datetime):
        raise TypeError(f"as_of must be a datetime, got {as_of!r}")
    if as_of.tzinfo is not None:
        as_of = as_of.replace(tzinfo=None)
    n = len(tiers)
    for name, values in columns.items():
        if name in INPUT_COLUMNS and len(values) != n:
            raise ValueError(f"column {name} has {len(values)} values for {n} rows")

    def col(name):  # used read-only
        values = columns.get(name)
        return [None] * n if values is None else values

    dt_cols = {name: _datetimes(col(name)) for name in _DATETIME_INPUTS}
    received = dt_cols["received_at"]
    status = col("status")

    # the rule of each row: -1 no rule, -2 no receipt time (per-rule lists get two None entries)
    used = [k for k in MATCH_KEYS if any(k == mk for r in rules.rules for mk, _ in r.match)]
    key_cols = [list(tiers) if k == "tier" else col(k) for k in used]
    cache: dict = {}
    rule_index = []
    append = rule_index.append
    for i, key in enumerate(zip(*key_cols) if key_cols else ((),) * n):
        if received[i] is None:
            append(-2)
            continue
        r = cache.get(key)
        if r is None:
            values = dict(zip(used, key))
            r = next((j for j, rule in enumerate(rules.rules) if rule.matches(values)), -1)
            cache[key] = r
        append(r)

    clock = _Clock(cal, _years_of(received, as_of) if n >= _TIMELINE_FROM_ROWS else None)
    soon = rules.due_soon_working_hours
    closed_set = rules.closed_statuses
    closed = [s in closed_set for s in status]

    # waits on the customer (rare): per row a tuple of pauses, or None
    waiting = rules.waiting_statuses
    ws_col, we_col = dt_cols["wait_started_at"], dt_cols["wait_ended_at"]
    pauses: list = [None] * n
    wait_rows = {i for i, a in enumerate(ws_col) if a is not None}
    wait_rows.update(i for i, s in enumerate(status) if s in waiting)
    for i in sorted(wait_rows):
        ws, we = ws_col[i], we_col[i]
        row = []
        if ws is not None and we is not None and we > ws:
            row.append((ws, we))
        if status[i] in waiting:
            row.append((ws if ws is not None and we is None else as_of, None))
        elif ws is not None and we is None:
            row.append((ws, None))
        pauses[i] = tuple(row) or None

    recorded, responded, told, resolved, feedback, closed_at, survey = (
        dt_cols[k]
        for k in (
            "recorded_at",
            "responded_at",
            "settlement_told_at",
            "resolved_at",
            "feedback_at",
            "closed_at",
            "survey_at",
        )
    )
    done_of = {
        "record": [
            r if r is not None else _earliest(a, b, c) for r, a, b, c in zip(recorded, responded, resolved, closed_at)
        ],
        "respond": [
            r if r is not None else (b if c is None else c if b is None else min(b, c))
            for r, b, c in zip(responded, resolved, closed_at)
        ],
        "resolve": [r if r is not None else c for r, c in zip(resolved, closed_at)],
        "same_day": [
            (r if t is None else t if r is None or t < r else r) if (t is not None or r is not None) else c
            for t, r, c in zip(told, resolved, closed_at)
        ],
        "feedback": [f if f is not None else c for f, c in zip(feedback, closed_at)],
        "survey": survey,
    }
    start_of = {
        "record": received,
        "respond": received,
        "resolve": received,
        "same_day": received,
        "feedback": resolved,
        "survey": closed_at,
    }

    out: dict[str, list] = {}
    codes_by_step, dues_by_step, lates_by_step = [], [], []
    for step in STEPS:
        if step == "same_day":
            per_rule = [_SAME_DAY_TARGET if r.same_day else None for r in rules.rules]
        else:
            per_rule = [_target(r.target(step)) if r.target(step) is not None else None for r in rules.rules]
        per_rule += [None, None]
        codes, dues, lates = _run_step(
            start_of[step],
            done_of[step],
            per_rule,
            rule_index,
            pauses if step in ("respond", "resolve") else None,
            closed if step in ("record", "respond", "resolve", "same_day") else None,
            clock,
            as_of,
            soon,
            _target(rules.survey_earliest) if step == "survey" else None,
        )
        out[f"{step}_state"] = [_STATE_TEXT[c] for c in codes]
        out[f"{step}_due"] = dues
        out[f"{step}_late_hours"] = lates
        codes_by_step.append(codes)
        dues_by_step.append(dues)
        lates_by_step.append(lates)

    # overall
    names = [r.name for r in rules.rules] + ["", ""]
    masks = [a | b | c | d | e | f for a, b, c, d, e, f in zip(*codes_by_step)]
    sla_state = [_FINISHED_TEXT[m] for m in masks]
    next_step = [""] * n
    next_deadline: list = [None] * n
    hours_late: list = [None] * n
    level_text = [("L0" if r >= 0 else "") for r in rule_index]
    notify = [""] * n
    escalation = rules.escalation
    escalates = [step in escalation.steps for step in STEPS]
    handler, department = col("handler"), col("department")
    for i in [i for i, r in enumerate(rule_index) if r < 0]:
        sla_state[i] = NO_RECEIPT if rule_index[i] == -2 else NO_RULE
    for i in [i for i, m in enumerate(masks) if m & _OPEN_BITS]:
        m = masks[i]
        suffix = PROVISIONAL if m & _PROV else ""
        if m & _C_OVER:
            sla_state[i] = OVERDUE + suffix
        elif m & _C_SOON:
            sla_state[i] = DUE_SOON + suffix
        elif m & _C_HOLD:
            sla_state[i] = ON_HOLD + suffix
        else:
            sla_state[i] = ON_TRACK + suffix
        best_due = best_step = hold_step = worst = worst_escalating = None
        for s, step in enumerate(STEPS):
            code = codes_by_step[s][i] & ~_PROV
            if code & (_C_OPEN | _C_SOON | _C_OVER):
                due = dues_by_step[s][i]
                if best_due is None or due < best_due:
                    best_due, best_step = due, step
                if code == _C_OVER:
                    late = lates_by_step[s][i]
                    if worst is None or late > worst:
                        worst = late
                    if escalates[s] and (worst_escalating is None or late > worst_escalating):
                        worst_escalating = late
            elif code == _C_HOLD and hold_step is None:
                hold_step = step
        step = best_step or hold_step
        next_step[i] = STEP_NAMES[step] if step else ""
        next_deadline[i] = best_due
        hours_late[i] = worst
        level = escalation.level(worst_escalating)
        level_text[i] = f"L{level}"
        notify[i] = escalation.notify(level, handler[i], department[i])

    out["sla_state"] = sla_state
    out["next_step"] = next_step
    out["next_deadline"] = next_deadline
    out["hours_late"] = hours_late
    out["sla_rule"] = [names[r] for r in rule_index]
    out["escalation_level"] = level_text
    out["notify"] = notify
    return {name: out[name] for name in OUTPUT_COLUMNS}
