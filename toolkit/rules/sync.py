"""Sync decisions between the register (master for customer fields) and the tracker.

Pure functions over plain column lists: customer fields flowing into the tracker, complaint
figures flowing back to the register, and unknown customer IDs with suggested matches.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import NamedTuple

from toolkit.i18n import N_, _
from toolkit.rules.plain import score_of

# tracker column <- register column
CUSTOMER_FIELDS = {
    "customer_name": "name",
    "customer_tier": "tier",
    "account_owner": "account_owner",
    "contact_person": "contact_person",
    "contact_phone": "phone",
}
# Characters staff confuse when typing IDs.
_CONFUSABLE = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "i": "1", "S": "5", "B": "8", "Z": "2"})


class SuggestionMaps(NamedTuple):
    """Register customer IDs by name, by phone digits, by loosely typed ID, and by ID with one character masked."""

    by_name: dict[str, list[str]]
    by_phone: dict[str, list[str]]
    by_loose_id: dict[str, list[str]]
    by_masked_id: dict[str, list[str]]


class RegisterIndex:
    """Where each customer ID is in the register, which IDs are there more than once, and (made on first
    use, since only unknown IDs in the tracker need them) the lookups for suggesting close matches."""

    def __init__(self, position: dict[str, int], duplicates: frozenset[str], names: Sequence, phones: Sequence):
        self.position = position
        self.duplicates = duplicates
        self._names, self._phones = names, phones

    @cached_property
    def suggestions(self) -> SuggestionMaps:
        by_name, by_phone, by_loose, by_masked = (defaultdict(list) for _ in range(4))
        names, phones = self._names, self._phones
        for cid, i in self.position.items():
            if names[i]:
                by_name[str(names[i]).strip()].append(cid)
            if _digits(phones[i]):
                by_phone[_digits(phones[i])].append(cid)
            loose = _loose(cid)
            by_loose[loose].append(cid)
            for k in range(len(loose)):
                by_masked[loose[:k] + "?" + loose[k + 1 :]].append(cid)
        return SuggestionMaps(dict(by_name), dict(by_phone), dict(by_loose), dict(by_masked))


def _digits(phone: object) -> str:
    return re.sub(r"\D", "", str(phone)) if phone else ""


def _loose(cid: str) -> str:
    return re.sub(r"[\s\-_]", "", cid.upper().translate(_CONFUSABLE)) if cid else ""


def index_register(ids: Sequence[str | None], names: Sequence[str | None], phones: Sequence[object]) -> RegisterIndex:
    position: dict[str, int] = {}
    dups = set()
    for i, cid in enumerate(ids):
        if cid is None:
            continue
        if cid in position:
            dups.add(cid)
            continue
        position[cid] = i
    return RegisterIndex(position, frozenset(dups), names, phones)


def suggest_customers(
    index: RegisterIndex, cid: str, name: object = None, phone: object = None, limit: int = 3
) -> list[tuple[str, str]]:
    """Closest register customers for an unknown ID: (customer ID, why) pairs."""
    found: dict[str, str] = {}
    maps = index.suggestions

    def add(ids, why):
        for c in ids:
            if c not in found and len(found) < limit:
                found[c] = why

    if name:
        add(maps.by_name.get(str(name).strip(), []), "同名")
    if _digits(phone):
        add(maps.by_phone.get(_digits(phone), []), "电话相同")
    loose = _loose(cid)
    add(maps.by_loose_id.get(loose, []), "编号相近")
    for k in range(len(loose)):
        add(maps.by_masked_id.get(loose[:k] + "?" + loose[k + 1 :], []), "编号相近")
    return list(found.items())


# The reasons of suggest_customers are written into the tracker's check cell as they are (Chinese
# data); in a message they are said in the clerk's language.
_WHY = {"同名": N_("same name"), "电话相同": N_("same phone number"), "编号相近": N_("similar ID")}


def unknown_customer_reason(hints: Sequence[tuple[str, str]] = ()) -> str:
    """The problem of a tracker row whose customer ID is not in the register, with the likely customers."""
    if not hints:
        return _("customer ID not found in the customer register")
    shown = _(", ").join(_("{id} ({why})").format(id=c, why=_(_WHY.get(why, why))) for c, why in hints)
    return _("customer ID not found in the customer register; it may be: {customers}").format(customers=shown)


def customer_fields_for_tracker(
    tracker_ids: Sequence[str | None],
    register: Mapping[str, Sequence],
    index: RegisterIndex,
    tracker_names: Sequence = (),
    tracker_phones: Sequence = (),
) -> tuple[dict[str, list], dict[str, list[bool]], list[int]]:
    """New values of the tracker's customer columns and customer_check; per column, the rows to leave
    as they are; and the rows with unknown IDs.

    For a row whose customer is unknown or duplicated, the customer columns are left as they
    are (None in the output means "do not change") and customer_check says why.
    """
    n = len(tracker_ids)
    out: dict[str, list] = {col: [None] * n for col in CUSTOMER_FIELDS}
    keep = {col: [False] * n for col in CUSTOMER_FIELDS}
    check = [""] * n
    unknown = []
    for i, cid in enumerate(tracker_ids):
        if cid is None:
            check[i] = "缺少客户编号"
            for col in CUSTOMER_FIELDS:
                keep[col][i] = True
            continue
        if cid in index.duplicates:
            check[i] = "客户编号在台账中重复，未同步"
            for col in CUSTOMER_FIELDS:
                keep[col][i] = True
            continue
        pos = index.position.get(cid)
        if pos is None:
            unknown.append(i)
            name = tracker_names[i] if i < len(tracker_names) else None
            phone = tracker_phones[i] if i < len(tracker_phones) else None
            hints = suggest_customers(index, cid, name, phone)
            shown = "; ".join(f"{c} ({why})" for c, why in hints)
            check[i] = "客户编号不在台账中" + (f"，可能是: {shown}" if shown else "")
            for col in CUSTOMER_FIELDS:
                keep[col][i] = True
            continue
        for col, src in CUSTOMER_FIELDS.items():
            out[col][i] = register[src][pos]
    out["customer_check"] = check
    return out, keep, unknown


def overdue_counts(
    register_ids: Sequence[str | None],
    tracker_ids: Sequence[str | None],
    sla_states: Sequence[str | None],
    *,
    overdue_text: str = "逾期",
) -> list[int | None]:
    """complaint_figures' "overdue_complaints" alone: per register row, its complaints whose state is overdue."""
    overdue: dict[str, int] = defaultdict(int)
    for cid, state in zip(tracker_ids, sla_states):
        if cid is not None and state and state.startswith(overdue_text):
            overdue[cid] += 1
    return [overdue.get(cid, 0) if cid else None for cid in register_ids]


def complaint_figures(
    register_ids: Sequence[str | None],
    tracker: Mapping[str, Sequence],
    as_of: dt.datetime,
    sla_states: Sequence[str | None],
    *,
    closed_statuses=("已解决", "已关闭"),
    overdue_text: str = "逾期",
    score_scale: tuple[float, float] | None = None,
) -> dict[str, list]:
    """Complaint figures per register row: open, last 12 months, last date, satisfaction, overdue.

    Satisfaction is the mean of the scores (`score_of` with `score_scale`, the satisfaction column's range in
    the settings) of the complaints received in the last 12 months; other values are not counted."""
    since = as_of - dt.timedelta(days=365)
    open_n: dict[str, int] = defaultdict(int)
    n12: dict[str, int] = defaultdict(int)
    last: dict[str, dt.datetime] = {}
    scores: dict[str, list[int]] = defaultdict(list)
    overdue: dict[str, int] = defaultdict(int)
    closed = set(closed_statuses)
    ids, received, status, sat = (
        tracker["customer_id"],
        tracker["received_at"],
        tracker["status"],
        tracker["satisfaction"],
    )
    for i, cid in enumerate(ids):
        if cid is None:
            continue
        when = received[i]
        if status[i] not in closed and (when is None or when <= as_of):
            open_n[cid] += 1
        if when is not None and when <= as_of:
            if cid not in last or when > last[cid]:
                last[cid] = when
            if when > since:
                n12[cid] += 1
                score = score_of(sat[i], score_scale)
                if score is not None:
                    scores[cid].append(score)
        state = sla_states[i] if i < len(sla_states) else None
        if state and state.startswith(overdue_text):
            overdue[cid] += 1
    out: dict[str, list] = {
        "open_complaints": [],
        "complaints_12m": [],
        "last_complaint_date": [],
        "satisfaction_12m": [],
        "overdue_complaints": [],
    }
    for cid in register_ids:
        out["open_complaints"].append(open_n.get(cid, 0) if cid else None)
        out["complaints_12m"].append(n12.get(cid, 0) if cid else None)
        out["last_complaint_date"].append(last[cid].date() if cid in last else None)
        s = scores.get(cid) if cid else None
        out["satisfaction_12m"].append(
            (Decimal(sum(s)) / len(s)).quantize(Decimal("0.01"), ROUND_HALF_UP) if s else None
        )
        out["overdue_complaints"].append(overdue.get(cid, 0) if cid else None)
    return out
