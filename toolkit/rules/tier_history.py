"""The tier history (等级变更记录): every tier change, one line each, and what it says about any past day. Pure.

The register keeps only a customer's *last* change (上次等级, 等级变更日期, 等级依据), so a past
month's tiers reach back one change at most. The history keeps them all: each time `toolkit tiers`
(or `run`) decides a change, a line is added with the day, the customer, the old and the new tier
and the reason (:func:`register_events` gives the lines; the job in :mod:`toolkit.jobs.tier_history`
writes them beside the register).

What is a line
    One :class:`TierEvent`: (day of the change, customer, old tier, new tier). A first grading is a
    line with no old tier. Two lines are the same line when those four agree (:func:`event_key`), so
    adding the register's state again adds nothing: running the job twice adds nothing.

Lines the job did not decide
    Every run also compares the register's last changes with the history and adds those the
    history lacks (``recorded_how`` = :data:`FROM_REGISTER`): the first run seeds the history
    with each customer's last change, and a change whose line could not be written (the history
    open in Excel) is added on the next run.

What the history says about a day (:class:`TierTimeline`)
    A customer's tier at a cut-off (the first moment after the day asked about) is the new tier of
    its last line dated before the cut-off; with none, the old tier of its first line after it; with
    no line at all, the register's tier. A first line after the cut-off that is a first grading
    means the customer had no tier yet - exact only from the day the history began
    (:attr:`TierTimeline.since`, the first run that wrote it). Before that day the lines are the
    register's last changes only, so the first grading is taken to describe the customer as it was
    then, as the register alone would be read; :meth:`TierTimeline.covers` says whether a day is
    covered exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from toolkit.rules.plain import day_of, text_of

DECIDED = "等级评定"  # recorded_how: a change the job decided in this run
FROM_REGISTER = "据台账补记"  # recorded_how: a change the register shows that the history lacked


@dataclass(frozen=True)
class TierEvent:
    changed_on: dt.date
    customer_id: str
    name: str
    previous_tier: str | None  # None: a first grading
    tier: str | None
    reason: str = ""
    evaluated_at: dt.datetime | None = None  # the run (its as-of) that wrote the line
    recorded_how: str = DECIDED

    @property
    def is_change(self) -> bool:
        """From one tier to another (a first grading is no change)."""
        return self.previous_tier is not None and self.previous_tier != self.tier


def event_key(e: TierEvent) -> tuple[str, dt.date, str, str]:
    return (e.customer_id, e.changed_on, e.previous_tier or "", e.tier or "")


def _tier(value) -> str | None:
    return text_of(value) or None


def register_events(
    columns: Mapping[str, Sequence], decided: Sequence[bool], as_of: dt.datetime, leave: Sequence[bool] | None = None
) -> list[TierEvent]:
    """The register's last change of every customer, as history lines.

    `columns`: customer_id, name, tier, previous_tier, tier_changed_on, tier_reason by row (the
    register as the job leaves it); `decided[i]`: row i's tier was changed by this run; `leave[i]`:
    row i is left alone by the job (a duplicated customer ID) and gives no line. A row without a
    customer ID, a tier or a change date gives no line.
    """
    ids = columns.get("customer_id") or []
    n = len(ids)

    def col(name):
        values = columns.get(name)
        return values if values is not None else [None] * n

    out = []
    for i, (cid, name, tier, prev, on, reason) in enumerate(
        zip(ids, col("name"), col("tier"), col("previous_tier"), col("tier_changed_on"), col("tier_reason"))
    ):
        cid, tier, day = text_of(cid), _tier(tier), day_of(on)
        if not cid or tier is None or not isinstance(day, dt.date) or (leave is not None and leave[i]):
            continue
        out.append(
            TierEvent(
                day,
                cid,
                text_of(name),
                _tier(prev),
                tier,
                text_of(reason),
                as_of,
                DECIDED if decided[i] else FROM_REGISTER,
            )
        )
    return out


def missing_events(candidates: Iterable[TierEvent], history: Iterable[TierEvent]) -> list[TierEvent]:
    """The candidates the history does not hold yet (each once), by day then customer."""
    seen = {event_key(e) for e in history}
    out = []
    for e in candidates:
        k = event_key(e)
        if k not in seen:
            seen.add(k)
            out.append(e)
    out.sort(key=lambda e: (e.changed_on, e.customer_id))
    return out


@dataclass(frozen=True)
class TierChange:
    """One change of tier in a period, as the report lists it."""

    customer_id: str
    previous_tier: str
    tier: str | None
    changed_on: dt.date
    reason: str


class TierTimeline:
    """Each customer's tiers over time, from the history's lines and the register's last changes.

    `history`: the lines of the history (None: there is no history; the register alone is read);
    `register`: customer_id, tier, previous_tier, tier_changed_on, tier_reason by row.
    """

    def __init__(self, register: Mapping[str, Sequence], history: Sequence[TierEvent] | None = None):
        ids = list(register.get("customer_id") or [])
        n = len(ids)

        def col(name):
            values = register.get(name)
            return list(values) if values is not None else [None] * n

        self.has_history = history is not None
        evaluated = [e.evaluated_at for e in history or () if e.evaluated_at is not None]
        self.since: dt.datetime | None = min(evaluated) if evaluated else None
        self.current: dict[str, str | None] = {}
        lines: dict[str, dict[tuple, TierEvent]] = {}
        for cid, tier, prev, on, reason in zip(
            ids, col("tier"), col("previous_tier"), col("tier_changed_on"), col("tier_reason")
        ):
            cid = text_of(cid)
            if not cid or cid in self.current:
                continue  # a duplicated ID: the first row counts, as everywhere in the report
            self.current[cid] = _tier(tier)
            day = day_of(on)
            if isinstance(day, dt.date) and _tier(tier) is not None:
                e = TierEvent(day, cid, "", _tier(prev), _tier(tier), text_of(reason), None, FROM_REGISTER)
                lines.setdefault(cid, {})[event_key(e)] = e
        for e in history or ():
            lines.setdefault(e.customer_id, {})[event_key(e)] = e  # the history's line (and reason) wins
        self.events: dict[str, list[TierEvent]] = {
            cid: sorted(by_key.values(), key=lambda e: (e.changed_on, e.evaluated_at or dt.datetime.min))
            for cid, by_key in lines.items()
        }

    def covers(self, when: dt.datetime) -> bool:
        """Whether the history reaches back to `when` (it began on or before it)."""
        return self.since is not None and self.since <= when

    def tier_at(self, customer_id: str, cutoff: dt.datetime) -> str | None:
        """The customer's tier just before `cutoff` (None: no tier)."""
        events = self.events.get(customer_id)
        if not events:
            return self.current.get(customer_id)
        before = None
        for e in events:
            if _start(e.changed_on) < cutoff:
                before = e
            else:
                break
        if before is not None:
            return before.tier
        first = events[0]
        if first.previous_tier is not None:
            return first.previous_tier
        return None if self.covers(cutoff) else first.tier

    def tiers_at(self, cutoff: dt.datetime, customers: Iterable[str] | None = None) -> dict[str, str | None]:
        """Every customer's tier at `cutoff` (default: the register's customers)."""
        return {cid: self.tier_at(cid, cutoff) for cid in (self.current if customers is None else customers)}

    def changes(self, start: dt.datetime, cutoff: dt.datetime) -> list[TierChange]:
        """Changes from one tier to another dated in [start, cutoff), by day then customer."""
        out = []
        for cid, events in self.events.items():
            for e in events:
                if e.is_change and start <= _start(e.changed_on) < cutoff:
                    out.append(TierChange(cid, e.previous_tier or "", e.tier, e.changed_on, e.reason))
        out.sort(key=lambda c: (c.changed_on, c.customer_id))
        return out


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)
