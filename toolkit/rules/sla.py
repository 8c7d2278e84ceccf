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
    after it with working time late (done after the deadline but with no working time late - in the
    evening after a deadline at closing time - is 按时完成: 超时完成 never shows 0.0 hours late), 暂停(待客户) on hold, 过早 survey too early, 缺少完成时间 no done time although the
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
:func:`evaluate_all` is the batch form the jobs use; it computes working time with the calendar's
:class:`~toolkit.calendar.Clock` (a per-day working-time timeline that gives exactly the calendar
functions' results). :func:`evaluate` (one complaint) gives the same values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from toolkit.calendar import (
    CALENDAR_HOURS,
    PROVISIONAL_BIT,
    SAME_DAY,
    SAME_DAY_TARGET,
    WORKING_DAYS,
    WORKING_HOURS,
    Clock,
    Target,
    WorkCalendar,
    target_of,
)
from toolkit.rules.plain import datetime_of
from toolkit.settings.sla import MATCH_KEYS, STEPS, SlaSettings

# -- names ----------------------------------------------------------------------------------------

STEP_NAMES = {
    "record": "登记",
    "respond": "响应",
    "resolve": "解决",
    "same_day": "当日告知",
    "feedback": "回访",
    "survey": "满意度调查",
}

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

# -- rounding ---------------------------------------------------------------------------------------

_US = timedelta(microseconds=1)
_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)


def _round_minute(t: datetime) -> datetime:
    s = t.second
    t -= _SECOND * s + _US * t.microsecond
    return t + _MINUTE if s >= 30 else t


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
    _STATE_TEXT[_code | PROVISIONAL_BIT] = _text + PROVISIONAL if _text else ""


def _finished_state(mask: int) -> str:
    if mask & _C_LATE:
        text = DONE_LATE
    elif mask & _C_NO_TIME:
        text = DONE_NO_TIME
    elif mask & ~PROVISIONAL_BIT:
        text = DONE
    else:
        return ""
    return text + PROVISIONAL if mask & PROVISIONAL_BIT else text


_FINISHED_TEXT = [_finished_state(m) for m in range(512)]


def _run_step(
    starts,
    dones,
    per_rule,
    rule_index,
    pauses,
    closed,
    clock: Clock,
    as_of: datetime,
    soon: float,
    earliest: Target | None = None,
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
    early_td = earliest[1] if earliest is not None and earliest[0] == CALENDAR_HOURS else None
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
        elif kind == CALENDAR_HOURS:
            due, prov = st + t[1], 0
        elif kind == SAME_DAY and closing_minute is not None:
            hit = same_cache.get(st.toordinal() * 2 + (st.hour * 60 + st.minute >= closing_minute))
            due, prov = hit if hit is not None else add(st, t, None)
        elif kind == WORKING_DAYS and t[1] < 4096:
            hit = days_cache.get(st.toordinal() << 12 | t[1])
            due, prov = hit if hit is not None else add(st, t, None)
        elif kind == WORKING_HOURS and after is not None and t[2] > 0:
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
                late = fast_late(due, done) if p is None and fast_late is not None else None
                late = late if late is not None else late_hours(due, done, p)
                if late:
                    code, lates[i] = _C_LATE, late
                else:  # after the deadline, but no working time late (done after hours): on time
                    code = _C_MET
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

DATETIME_INPUTS = (  # the input columns that hold times
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


def _datetimes(values: Sequence) -> Sequence:
    """The values as naive datetimes or None (dates count from midnight, texts are read as the
    workbook reader reads them, other values count as blank); as given when they already are, as the workbook reader gives."""
    if set(map(type, values)) <= _PLAIN:
        return values
    return [datetime_of(v) for v in values]


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
    complaint: Mapping[str, object], tier: str | None, as_of: datetime, rules: SlaSettings, cal: WorkCalendar
) -> SlaResult:
    """The deadlines, states and escalation of one complaint (a mapping of tracker column -> value)."""
    columns = {name: [complaint.get(name)] for name in INPUT_COLUMNS}
    out = evaluate_all(columns, [tier], as_of, rules, cal)
    steps = {s: StepResult(out[f"{s}_state"][0], out[f"{s}_due"][0], out[f"{s}_late_hours"][0]) for s in STEPS}
    return SlaResult(steps=steps, **{name: out[name][0] for name in OVERALL_COLUMNS})


def evaluate_all(
    columns: Mapping[str, Sequence], tiers: Sequence[str | None], as_of: datetime, rules: SlaSettings, cal: WorkCalendar
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

    dt_cols = {name: _datetimes(col(name)) for name in DATETIME_INPUTS}
    received = dt_cols["received_at"]
    status = col("status")

    # the rule of each row: -1 no rule, -2 no receipt time (per-rule lists get two None entries)
    used = [k for k in MATCH_KEYS if any(k == mk for r in rules.rules for mk, _ in r.match)]
    key_cols = [list(tiers) if k == "tier" else col(k) for k in used]
    cache: dict = {}
    rule_index: list[int] = []
    append = rule_index.append
    for i, key in enumerate(zip(*key_cols) if key_cols else ((),) * n):
        if received[i] is None:
            append(-2)
            continue
        r = cache.get(key)
        if r is None:
            match = dict(zip(used, key))
            r = next((j for j, rule in enumerate(rules.rules) if rule.matches(match)), -1)
            cache[key] = r
        append(r)

    clock = Clock(cal, _years_of(received, as_of) if n >= _TIMELINE_FROM_ROWS else None)
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
            per_rule = [SAME_DAY_TARGET if r.same_day else None for r in rules.rules]
        else:
            per_rule = [None if (d := r.target(step)) is None else target_of(d) for r in rules.rules]
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
            target_of(rules.survey_earliest) if step == "survey" else None,
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
        suffix = PROVISIONAL if m & PROVISIONAL_BIT else ""
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
            code = codes_by_step[s][i] & ~PROVISIONAL_BIT
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
        shown = best_step or hold_step
        next_step[i] = STEP_NAMES[shown] if shown else ""
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
