"""The monthly service report's figures (月度服务报告): pure.

Plain column lists in (the tracker's and the register's, as `read_table` gives them), a
:class:`MonthlyFigures` out. No file, Excel or clock access: the month and "now" (`as_of`) are
parameters, working time comes from a :class:`~toolkit.calendar.WorkCalendar`, deadlines from
:mod:`toolkit.rules.sla`, and the targets and counting choices from ``[summary]`` (shipped in
``defaults/summary.toml``).

The month end (月末)
    Figures are taken as of the first moment of the next month (the *cut-off*), or as of
    `as_of` when the month is not over yet. Every time typed in the tracker that is later than
    the cut-off is treated as blank, and a finished status (``sla.closed_statuses``) whose
    finishing times are all later becomes "处理中": the deadlines are then worked out exactly as
    `toolkit flag` would have worked them out at the cut-off. So the report for October is the
    same whether it is made on 1 November or on 20 November.

What is counted (every population is "the month" = receipt, closing or survey in [1st, cut-off))
    received              complaints received (受理时间) in the month
    closed                complaints closed (闭环时间) in the month
    resolved              complaints received in the month and resolved by the cut-off (解决时间,
                          else 闭环时间); resolution rate = resolved / received (target 95%)
    open at month end     complaints received before the cut-off, not resolved by it, whose status
                          at the cut-off is not a finished one
    overdue at month end  complaints whose overall state at the cut-off is 逾期 (any step overdue),
                          counted in three kinds that call for different things:
                          - open and overdue (逾期未结): open at month end (above) - the ones to act
                            on; counted by step (the SLA's next step, 待办环节) and escalation level,
                            and listed worst first: highest level, then most working hours late;
                          - resolved, closing overdue (已解决待回访逾期): resolved by the cut-off but
                            the feedback (回访) that closes the case is overdue;
                          - survey overdue (满意度调查逾期): closed, the satisfaction survey not made
                            in its window
                          each complaint is in one kind (an open one cannot have a survey due; a
                          resolved one can have only its feedback or survey overdue)
    on time, per step     for the complaints received in the month, each step's state at the
                          cut-off: 按时完成 is on time; 超时完成, 逾期 and 过早 (a survey sooner than
                          24 h after closing: outside its window) are not; steps still running, on
                          hold, not applicable or lacking a done time are not judged.
                          rate = on time / judged (target 95% per step)
    hours to respond /    working hours (office calendar: lunch breaks, nights, weekends and
    to resolve            holidays do not count) from receipt to the step's done time (the SLA's:
                          响应时间, else the earlier of 解决时间 and 闭环时间; 解决时间, else 闭环时间),
                          less a finished wait on the customer; complaints received in the month
                          and done by the cut-off; median and mean
    satisfaction          scores 1-5 whose survey (满意度调查时间, else 闭环时间, else 解决时间) falls in
                          the month: mean, and the share of scores >= satisfied_score (target 85%)
    cases to review       scores below review_below (复盘), listed
    repeat complaints     complaints received in the month whose customer had another complaint
                          received in the repeat_window_days before it
    tier changes          changes from one tier to another dated in the month (a first grading is
                          not a change), from the tier history (等级变更记录) and the register's
                          last change (等级变更日期, 上次等级); the tier distribution is each
                          customer's tier at the cut-off, read the same way
                          (:class:`toolkit.rules.tier_history.TierTimeline`); customers whose first
                          contact (首次接触日期) is after the cut-off are not counted. Without a
                          history, or before it began, only the register's last change is known.

Breakdowns (by category, priority, channel, department, handler) count the same populations
per group. The previous month's figures are computed the same way at its own cut-off (the 1st
of this month), for the change column.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.calendar import WorkCalendar, working_hours_between
from toolkit.calendar.reach import FIRST_DAY, FIRST_YEAR, LAST_DAY, LAST_YEAR
from toolkit.i18n import _
from toolkit.rules import sla
from toolkit.rules.plain import datetime_of, day_of, score_of, text_of
from toolkit.rules.tier_history import TierEvent, TierTimeline
from toolkit.settings.sla import SlaSettings
from toolkit.settings.summary import SummaryRules

DIMENSIONS = ("category", "priority", "channel", "department", "handler")
STEPS = sla.STEPS
LEVEL_ORDER = ("L3", "L2", "L1", "L0")  # escalation levels, worst first
OPEN, CLOSING, SURVEY = "open", "closing", "survey"  # the kinds of complaint overdue at month end
REGISTER_COLUMNS = (
    "customer_id",
    "name",
    "tier",
    "previous_tier",
    "tier_changed_on",
    "tier_reason",
    "first_contact_date",
)
_TIMES = sla.DATETIME_INPUTS
_FINISHING_TIMES = ("resolved_at", "closed_at", "survey_at", "feedback_at")
_MONTH_FORMS = (
    re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*$"),
    re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月?\s*$"),
    re.compile(r"^\s*(\d{4})(\d{2})\s*$"),
)


# ------------------------------------------------------------------------------------------ months


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1)

    @property
    def end(self) -> dt.datetime:
        """The first moment of the next month."""
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def label(self, language: str = "zh") -> str:
        if language == "en":
            return dt.date(self.year, self.month, 1).strftime("%B %Y")
        return f"{self.year}年{self.month}月"


def parse_month(text: str) -> Month:
    """'2026-10', '2026/10', '2026年10月' or '202610' -> Month; anything else raises ValueError."""
    for form in _MONTH_FORMS:
        m = form.match(str(text))
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12 and FIRST_YEAR <= year <= LAST_YEAR:
                return Month(year, month)
            if 1 <= month <= 12:
                raise ValueError(
                    _("'{text}' is beyond the office calendar, which reaches from {first} to {last}").format(
                        text=text, first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()
                    )
                )
            break
    raise ValueError(_("'{text}' is not a month; write it like 2026-10").format(text=text))


def month_before(when: dt.datetime | dt.date) -> Month:
    """The calendar month before the one `when` falls in (the report usually wanted)."""
    return Month(when.year, when.month).previous()


# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Rate:
    """`part` of `whole`; `value` None when there is nothing to divide."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Hours:
    """Working hours over `count` complaints."""

    count: int
    median: float | None
    mean: float | None

    @classmethod
    def of(cls, values: list[float]) -> Hours:
        if not values:
            return cls(0, None, None)
        return cls(len(values), statistics.median(values), statistics.fmean(values))


@dataclass(frozen=True)
class Kpis:
    """One month's headline figures."""

    month: Month
    cutoff: dt.datetime
    received: int
    closed: int
    resolution: Rate  # resolved by the cut-off / received
    open_at_end: int
    overdue_at_end: int  # every complaint with a step overdue: the three kinds below
    on_time: dict[str, Rate]  # step -> on time / judged
    respond_hours: Hours
    resolve_hours: Hours
    satisfaction_mean: float | None
    satisfied: Rate  # scores >= satisfied_score / scores
    low_scores: int  # cases to review
    repeats: Rate  # repeat complaints / received
    tier_changes: int  # customers changing from one tier to another
    overdue_open: int = 0  # open at month end and overdue: the ones to act on
    overdue_closing: int = 0  # resolved, the feedback that closes the case overdue
    overdue_survey: int = 0  # closed, the satisfaction survey overdue

    @property
    def surveyed(self) -> int:
        return self.satisfied.whole


@dataclass(frozen=True)
class GroupRow:
    """One line of a breakdown (a category, a handler, ...); key None = left blank in the tracker."""

    key: str | None
    received: int
    resolution: Rate
    resolve_on_time: Rate
    overdue_open: int  # open and overdue at month end (whenever received)
    surveyed: int
    satisfaction_mean: float | None


@dataclass(frozen=True)
class CustomerRow:
    customer_id: str
    name: str
    tier: str | None
    complaints: int
    repeats: int
    open_at_end: int
    low_scores: int


@dataclass(frozen=True)
class TierChange:
    customer_id: str
    name: str
    previous_tier: str | None
    tier: str | None
    changed_on: dt.date
    reason: str
    direction: str  # "up", "down" or "" (to or from a tier without an order)


@dataclass(frozen=True)
class OverdueRow:
    complaint_id: str
    customer_id: str
    customer_name: str
    handler: str
    department: str
    received_at: dt.datetime
    next_step: str
    next_deadline: dt.datetime | None
    hours_late: float | None
    escalation_level: str
    kind: str = OPEN  # OPEN, CLOSING or SURVEY


def overdue_order(o: OverdueRow) -> tuple:
    """Worst first: the highest escalation level, then the most working hours late, then the oldest."""
    level = LEVEL_ORDER.index(o.escalation_level) if o.escalation_level in LEVEL_ORDER else len(LEVEL_ORDER)
    return level, -(o.hours_late or 0), o.received_at, o.complaint_id


@dataclass(frozen=True)
class ReviewCase:
    complaint_id: str
    customer_id: str
    customer_name: str
    score: int
    handler: str
    category: str
    solution: str
    surveyed_on: dt.datetime


@dataclass(frozen=True)
class WeekCount:
    first: dt.date  # the week's first day inside the month
    last: dt.date  # its last day inside the month
    received: int


@dataclass
class MonthlyFigures:
    month: Month
    kpis: Kpis
    previous: Kpis
    rules: SummaryRules
    breakdowns: dict[str, list[GroupRow]]
    top_customers: list[CustomerRow]
    tier_distribution: list[tuple[str | None, int]]  # (tier, customers) at the cut-off, best first
    tier_changes: list[TierChange]
    overdue: list[OverdueRow]  # open and overdue at the cut-off, worst first
    overdue_by_step: dict[str, int]  # of those: next step (登记, 响应, ...) -> complaints
    reviews: list[ReviewCase]
    weeks: list[WeekCount]
    notes: list[str] = field(default_factory=list)
    overdue_by_level: dict[str, int] = field(default_factory=dict)  # of the open ones: L3, L2, L1, L0 -> count
    overdue_older: int = 0  # of the open ones: received before the month
    overdue_rest: list[OverdueRow] = field(default_factory=list)  # resolved or closed, a later step overdue
    tier_history_since: dt.datetime | None = None  # the tier history began then (None: no history)
    tier_source: str = "register"  # "history", "partial" (began in or after the month)
    # or "register" (no history: last changes only)

    @property
    def partial(self) -> bool:
        """The month was not over at `as_of`: figures are as of then."""
        return self.kpis.cutoff < self.month.end


# ------------------------------------------------------------------------------------------ the work


def monthly_figures(
    tracker: Mapping[str, Sequence],
    register: Mapping[str, Sequence],
    month: Month,
    *,
    as_of: dt.datetime,
    cal: WorkCalendar,
    sla_rules: SlaSettings,
    rules: SummaryRules = SummaryRules(),
    tier_history: Sequence[TierEvent] | None = None,
    score_scale: tuple[float, float] | None = None,
) -> MonthlyFigures:
    """The month's figures and the previous month's, from the tracker's and the register's columns.

    `tracker` / `register` map column names to value lists (a missing column counts as blank):
    tracker received_at, customer_id, complaint_id, the SLA inputs (``sla.INPUT_COLUMNS``),
    satisfaction, customer_name, solution; register ``REGISTER_COLUMNS``. `tier_history`: the
    lines of the tier history (None: there is none; tiers come from the register alone).
    """
    as_of = as_of.replace(tzinfo=None) if as_of.tzinfo else as_of
    if as_of <= month.start:
        raise ValueError(f"the month {month} has not begun at {as_of:%Y-%m-%d %H:%M}")
    data = _Data(tracker, register, rules, tier_history, score_scale)
    cutoff = min(month.end, as_of)
    current = _Snapshot(data, month, cutoff, cal, sla_rules)
    previous = _Snapshot(data, month.previous(), month.start, cal, sla_rules)
    overdue, rest = current.overdue_lists()
    timeline = data.timeline
    figures = MonthlyFigures(
        month=month,
        kpis=current.kpis(),
        previous=previous.kpis(),
        rules=rules,
        breakdowns={d: current.breakdown(d) for d in DIMENSIONS},
        top_customers=current.top_customers(),
        tier_distribution=current.tier_distribution(),
        tier_changes=current.tier_change_list(),
        overdue=overdue,
        overdue_by_step=_count_by(overdue, lambda o: o.next_step, list(sla.STEP_NAMES.values())),
        reviews=current.review_cases(),
        weeks=current.weeks(),
        overdue_by_level=_count_by(overdue, lambda o: o.escalation_level, list(LEVEL_ORDER)),
        overdue_older=sum(1 for o in overdue if o.received_at < month.start),
        overdue_rest=rest,
        tier_history_since=timeline.since,
        tier_source="register"
        if not timeline.has_history
        else "history"
        if timeline.covers(month.start)
        else "partial",
    )
    figures.notes += data.notes
    if cutoff < month.end:
        figures.notes.append(
            _("the month is not over: figures are as of {cutoff:%Y-%m-%d %H:%M}").format(cutoff=cutoff)
        )
    missing = current.closed_without_time
    if missing:
        figures.notes.append(
            _(
                "{missing} complaint(s) received in the month have a finished status but no resolution or closing time; they are not counted as resolved"
            ).format(missing=missing)
        )
    return figures


def _count_by(rows: list[OverdueRow], key, order: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in rows:
        counts[key(o)] = counts.get(key(o), 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))


class _Data:
    """The columns the figures use, with the per-customer history for repeat complaints."""

    def __init__(
        self,
        tracker: Mapping[str, Sequence],
        register: Mapping[str, Sequence],
        rules: SummaryRules,
        tier_history: Sequence[TierEvent] | None = None,
        score_scale: tuple[float, float] | None = None,
    ):
        self.rules = rules
        self.notes: list[str] = []
        n = len(tracker.get("received_at") or tracker.get("complaint_id") or [])
        self.n = n

        def col(name, table=tracker, size=n):
            values = table.get(name)
            return list(values) if values is not None else [None] * size

        self.t = {
            name: col(name)
            for name in set(sla.INPUT_COLUMNS)
            | set(_TIMES)
            | set(DIMENSIONS)
            | {"complaint_id", "customer_id", "customer_name", "satisfaction", "solution", "status"}
        }
        for name in _TIMES:  # a date typed without a time counts from midnight, as in the SLA rules
            values = self.t[name]
            if any(v is not None and type(v) is not dt.datetime for v in values):
                self.t[name] = [datetime_of(v) for v in values]
        m = len(register.get("customer_id") or [])
        self.r = {name: col(name, register, m) for name in REGISTER_COLUMNS}
        self.timeline = TierTimeline(self.r, tier_history)
        self.first_contact: dict[str, dt.date] = {}
        for cid, first in zip(self.r["customer_id"], self.r["first_contact_date"]):
            day = day_of(first)
            if cid and isinstance(day, dt.date) and cid not in self.first_contact:
                self.first_contact[cid] = day
        self.tier_of: dict[str, str | None] = {}
        self.name_of: dict[str, str] = {}
        for cid, name, tier in zip(self.r["customer_id"], self.r["name"], self.r["tier"]):
            if cid and cid not in self.tier_of:
                self.tier_of[cid], self.name_of[cid] = tier, text_of(name)
        no_receipt = sum(1 for v in self.t["received_at"] if v is None)
        if no_receipt:
            self.notes.append(
                _("{no_receipt} complaint(s) have no receipt time and are not counted").format(no_receipt=no_receipt)
            )
        scores: list[Any] = []  # a score 1-5, or None where there is no valid score
        bad = 0
        for v in self.t["satisfaction"]:  # (the reader has reported and left out what is no score already)
            score = score_of(v, score_scale)
            scores.append(score)
            bad += score is None and v is not None
        if bad:
            scale = (
                _(" from {low} to {high}").format(low=f"{score_scale[0]:g}", high=f"{score_scale[1]:g}")
                if score_scale
                else ""
            )
            self.notes.append(
                _("{bad} satisfaction scores are not a whole number{scale} and are not counted").format(
                    bad=bad, scale=scale
                )
            )
        self.scores = scores
        self.survey_time = [
            s if s is not None else c if c is not None else r
            for s, c, r in zip(self.t["survey_at"], self.t["closed_at"], self.t["resolved_at"])
        ]
        # (receipt time, row) per customer, sorted: the entry before a complaint's is the customer's
        # previous complaint (two rows with the same time: the upper row counts as the earlier one)
        history: dict[str, list[tuple[dt.datetime, int]]] = {}
        for i, (cid, at) in enumerate(zip(self.t["customer_id"], self.t["received_at"])):
            if cid and at is not None:
                history.setdefault(cid, []).append((at, i))
        for entries in history.values():
            entries.sort()
        self.history = history

    def is_repeat(self, i: int) -> bool:
        """The customer had another complaint received at most repeat_window_days before this one."""
        cid, at = self.t["customer_id"][i], self.t["received_at"][i]
        entries = self.history.get(cid) if cid else None
        if not entries or at is None:
            return False
        k = bisect_left(entries, (at, i))
        return k > 0 and entries[k - 1][0] >= at - dt.timedelta(days=self.rules.repeat_window_days)


class _Snapshot:
    """The tracker as it stood at one month's cut-off, with the SLA worked out at that moment."""

    def __init__(self, data: _Data, month: Month, cutoff: dt.datetime, cal: WorkCalendar, sla_rules: SlaSettings):
        self.data, self.month, self.cutoff, self.cal = data, month, cutoff, cal
        t = data.t
        start = month.start
        received = t["received_at"]
        # rows known at the cut-off: received before it
        self.rows = [i for i, at in enumerate(received) if at is not None and at < cutoff]
        self.in_month = [i for i in self.rows if received[i] >= start]
        closed_set, waiting_set = sla_rules.closed_statuses, sla_rules.waiting_statuses
        snap: dict[str, list] = {}
        every_row = len(self.rows) == data.n
        for name in sla.INPUT_COLUMNS:
            values = t[name]
            values = list(values) if every_row else [values[i] for i in self.rows]
            if name in _TIMES:
                values = [None if v is None or v >= cutoff else v for v in values]
            snap[name] = values
        status = snap["status"]
        for k, i in enumerate(self.rows):
            s = status[k]
            if (
                s in closed_set
                and any(t[c][i] is not None for c in _FINISHING_TIMES)
                and snap["resolved_at"][k] is None
                and snap["closed_at"][k] is None
            ):
                status[k] = "处理中"  # finished after the cut-off: it was still being handled then
            elif s in waiting_set and t["wait_started_at"][i] is not None and snap["wait_started_at"][k] is None:
                status[k] = "处理中"  # the wait began after the cut-off
        self.status = status
        self.tiers_at_cutoff = self._tiers_at_cutoff()
        self.pos = {i: k for k, i in enumerate(self.rows)}
        self.snap = snap
        # Deadlines are worked out for the month's complaints and for those with a step not done by the
        # cut-off. A complaint closed and surveyed before it has every step done (each step's done time
        # falls back to the closing time), so it can be neither overdue nor open: it is left out, which at
        # office scale leaves out most of the tracker's history.
        clo, srv = snap["closed_at"], snap["survey_at"]
        self.evaluated = [
            i for k, i in enumerate(self.rows) if received[i] >= start or clo[k] is None or srv[k] is None
        ]
        self.epos = {i: e for e, i in enumerate(self.evaluated)}
        picked = [self.pos[i] for i in self.evaluated]
        sub = {name: [values[k] for k in picked] for name, values in snap.items()}
        tiers = [self.tiers_at_cutoff.get(t["customer_id"][i]) for i in self.evaluated]
        self.sla = (
            sla.evaluate_all(sub, tiers, cutoff, sla_rules, cal)
            if self.evaluated
            else {name: [] for name in sla.OUTPUT_COLUMNS}
        )
        # done times of respond and resolve, as the SLA rules take them (blank after the cut-off)
        res, clo, rsp = snap["resolved_at"], snap["closed_at"], snap["responded_at"]
        self.resolve_done = [r if r is not None else c for r, c in zip(res, clo)]
        self.respond_done = [
            p if p is not None else (b if c is None else c if b is None else min(b, c))
            for p, b, c in zip(rsp, res, clo)
        ]
        overdue_state = sla.OVERDUE
        self.overdue_rows = [
            i for e, i in enumerate(self.evaluated) if self.sla["sla_state"][e].startswith(overdue_state)
        ]
        self.open_rows = [
            i for k, i in enumerate(self.rows) if self.resolve_done[k] is None and status[k] not in closed_set
        ]
        open_set = set(self.open_rows)
        survey_state = self.sla["survey_state"]
        self.overdue_kind = {
            i: OPEN if i in open_set else SURVEY if survey_state[self.epos[i]].startswith(overdue_state) else CLOSING
            for i in self.overdue_rows
        }
        self.surveyed_rows = [
            i
            for i, (s, at, rec) in enumerate(zip(data.scores, data.survey_time, received))
            if s is not None and at is not None and rec is not None and start <= at < cutoff
        ]
        self.closed_without_time = sum(
            1 for i in self.in_month if status[self.pos[i]] in closed_set and self.resolve_done[self.pos[i]] is None
        )

    # -- helpers

    def _tiers_at_cutoff(self) -> dict[str, str | None]:
        """Each customer's tier at the cut-off, from the tier history and the register's last change (see
        TierTimeline); customers first contacted after the cut-off were no customers yet."""
        first = self.data.first_contact
        return {
            cid: tier
            for cid, tier in self.data.timeline.tiers_at(self.cutoff).items()
            if cid not in first or dt.datetime.combine(first[cid], dt.time()) < self.cutoff
        }

    def _resolved(self, i: int) -> bool:
        return self.resolve_done[self.pos[i]] is not None

    def _on_time(self, rows: list[int], step: str) -> Rate:
        states = self.sla[f"{step}_state"]
        on_time = judged = 0
        for i in rows:
            state = states[self.epos[i]].removesuffix(sla.PROVISIONAL)
            if state == sla.MET:
                on_time += 1
                judged += 1
            elif state in (sla.MET_LATE, sla.OVERDUE, sla.TOO_EARLY):
                judged += 1
        return Rate(on_time, judged)

    def _hours(self, rows: list[int], done_of: list) -> Hours:
        t = self.data.t
        values = []
        for i in rows:
            k = self.pos[i]
            done = done_of[k]
            if done is None:
                continue
            start = t["received_at"][i]
            ws, we = self.snap["wait_started_at"][k], self.snap["wait_ended_at"][k]
            pauses = [(ws, we)] if ws is not None and we is not None and start <= ws < we <= done else []
            hours = working_hours_between(self.cal, start, done, pauses)
            if hours >= 0:
                values.append(hours)
        return Hours.of(values)

    # -- the figures

    def kpis(self) -> Kpis:
        data, rules, start, cutoff = self.data, self.data.rules, self.month.start, self.cutoff
        rows = self.in_month
        closed = sum(
            1
            for at, rec in zip(data.t["closed_at"], data.t["received_at"])
            if at is not None and rec is not None and start <= at < cutoff
        )
        scores = [data.scores[i] for i in self.surveyed_rows]
        changes = len({c.customer_id for c in data.timeline.changes(start, cutoff)})
        kinds = list(self.overdue_kind.values())
        return Kpis(
            month=self.month,
            cutoff=cutoff,
            received=len(rows),
            closed=closed,
            resolution=Rate(sum(1 for i in rows if self._resolved(i)), len(rows)),
            open_at_end=len(self.open_rows),
            overdue_at_end=len(self.overdue_rows),
            on_time={step: self._on_time(rows, step) for step in STEPS},
            respond_hours=self._hours(rows, self.respond_done),
            resolve_hours=self._hours(rows, self.resolve_done),
            satisfaction_mean=statistics.fmean(scores) if scores else None,
            satisfied=Rate(sum(1 for s in scores if s >= rules.satisfied_score), len(scores)),
            low_scores=sum(1 for s in scores if s < rules.review_below),
            repeats=Rate(sum(1 for i in rows if data.is_repeat(i)), len(rows)),
            tier_changes=changes,
            overdue_open=kinds.count(OPEN),
            overdue_closing=kinds.count(CLOSING),
            overdue_survey=kinds.count(SURVEY),
        )

    def breakdown(self, dimension: str) -> list[GroupRow]:
        values = self.data.t[dimension]
        groups: dict[str | None, dict[str, list[int]]] = {}

        def add(kind, i):
            key = text_of(values[i]) or None
            groups.setdefault(key, {"in": [], "over": [], "surv": []})[kind].append(i)

        for i in self.in_month:
            add("in", i)
        for i in self.overdue_rows:
            if self.overdue_kind[i] == OPEN:
                add("over", i)
        for i in self.surveyed_rows:
            add("surv", i)
        out = []
        for key, g in groups.items():
            scores = [self.data.scores[i] for i in g["surv"]]
            out.append(
                GroupRow(
                    key,
                    len(g["in"]),
                    Rate(sum(1 for i in g["in"] if self._resolved(i)), len(g["in"])),
                    self._on_time(g["in"], "resolve"),
                    len(g["over"]),
                    len(scores),
                    statistics.fmean(scores) if scores else None,
                )
            )
        out.sort(key=lambda g: (-g.received, -g.overdue_open, g.key is None, g.key or ""))
        return out

    def top_customers(self) -> list[CustomerRow]:
        data, rules = self.data, self.data.rules
        t = data.t
        by_customer: dict[str, list[int]] = {}
        for i in self.in_month:
            cid = t["customer_id"][i]
            if cid:
                by_customer.setdefault(cid, []).append(i)
        ranked = sorted(by_customer.items(), key=lambda kv: (-len(kv[1]), kv[0]))[: rules.top_customers]
        open_count: dict[str, int] = {}
        for i in self.open_rows:
            cid = t["customer_id"][i]
            open_count[cid] = open_count.get(cid, 0) + 1
        low: dict[str, int] = {}
        for i in self.surveyed_rows:
            if data.scores[i] < rules.review_below and t["customer_id"][i]:
                low[t["customer_id"][i]] = low.get(t["customer_id"][i], 0) + 1
        out = []
        for cid, rows in ranked:
            name = data.name_of.get(cid) or next(
                (text_of(t["customer_name"][i]) for i in rows if t["customer_name"][i]), ""
            )
            out.append(
                CustomerRow(
                    cid,
                    name,
                    self.tiers_at_cutoff.get(cid),
                    len(rows),
                    sum(1 for i in rows if data.is_repeat(i)),
                    open_count.get(cid, 0),
                    low.get(cid, 0),
                )
            )
        return out

    def tier_distribution(self) -> list[tuple[str | None, int]]:
        counts: dict[str | None, int] = {}
        for tier in self.tiers_at_cutoff.values():
            counts[tier] = counts.get(tier, 0) + 1
        order = {t: n for n, t in enumerate(self.data.rules.tiers)}
        return sorted(counts.items(), key=lambda kv: (kv[0] is None, order.get(kv[0] or "", len(order)), kv[0] or ""))

    def tier_change_list(self) -> list[TierChange]:
        """Changes from one tier to another in the month (a first grading is no change)."""
        order = {t: n for n, t in enumerate(self.data.rules.tiers) if t != "新客户"}
        out = []
        for c in self.data.timeline.changes(self.month.start, self.cutoff):
            a, b = order.get(c.previous_tier or ""), order.get(c.tier or "")
            direction = "" if a is None or b is None or a == b else ("up" if b < a else "down")
            out.append(
                TierChange(
                    c.customer_id,
                    self.data.name_of.get(c.customer_id, ""),
                    c.previous_tier or None,
                    c.tier,
                    c.changed_on,
                    c.reason,
                    direction,
                )
            )
        return out

    def overdue_lists(self) -> tuple[list[OverdueRow], list[OverdueRow]]:
        """(open and overdue, the others: closing then survey overdue), each worst first."""
        t, s = self.data.t, self.sla
        out = []
        for i in self.overdue_rows:
            k = self.epos[i]
            late = s["hours_late"][k]
            cid = t["customer_id"][i]
            out.append(
                OverdueRow(
                    text_of(t["complaint_id"][i]),
                    text_of(cid),
                    self.data.name_of.get(cid) or text_of(t["customer_name"][i]),
                    text_of(t["handler"][i]),
                    text_of(t["department"][i]),
                    t["received_at"][i],
                    s["next_step"][k],
                    s["next_deadline"][k],
                    float(late) if late is not None else None,
                    s["escalation_level"][k],
                    self.overdue_kind[i],
                )
            )
        out.sort(key=overdue_order)
        kinds = (OPEN, CLOSING, SURVEY)
        return [o for o in out if o.kind == OPEN], sorted(
            (o for o in out if o.kind != OPEN), key=lambda o: (kinds.index(o.kind), overdue_order(o))
        )

    def review_cases(self) -> list[ReviewCase]:
        data = self.data
        t = data.t
        out = []
        for i in self.surveyed_rows:
            if data.scores[i] < data.rules.review_below:
                cid = t["customer_id"][i]
                out.append(
                    ReviewCase(
                        text_of(t["complaint_id"][i]),
                        text_of(cid),
                        data.name_of.get(cid) or text_of(t["customer_name"][i]),
                        data.scores[i],
                        text_of(t["handler"][i]),
                        text_of(t["category"][i]),
                        text_of(t["solution"][i]),
                        data.survey_time[i],
                    )
                )
        out.sort(key=lambda c: (c.score, c.surveyed_on, c.complaint_id))
        return out

    def weeks(self) -> list[WeekCount]:
        """Complaints received per week (Monday to Sunday), the weeks cut to the month."""
        first = self.month.start.date()
        last = (self.month.end - dt.timedelta(days=1)).date()
        counts: dict[dt.date, int] = {}
        for i in self.in_month:
            day = self.data.t["received_at"][i].date()
            monday = day - dt.timedelta(days=day.weekday())
            counts[monday] = counts.get(monday, 0) + 1
        out = []
        monday = first - dt.timedelta(days=first.weekday())
        while monday <= last:
            out.append(WeekCount(max(monday, first), min(monday + dt.timedelta(days=6), last), counts.get(monday, 0)))
            monday += dt.timedelta(days=7)
        return out
