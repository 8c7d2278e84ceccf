"""Follow-up visits (定期回访): when each customer's next visit is due, and who is overdue.

Pure functions; "today" is the `as_of` parameter. Settings in ``[visits]`` (shipped in
``defaults/tiers.toml``): months between visits per tier, a default for customers without a
(known) tier, and how many days ahead a visit counts as due soon.

- The next visit is due `cadence` months after the last visit; a customer never visited is due
  `cadence` months after the first contact. Month ends are kept: 31 Jan + 1 month = 28/29 Feb.
- Never visited and no first contact date: due at once, flag "未回访". "At once" is the day the
  toolkit first found it so (the due date already written is kept while the customer stays
  unvisited), so the date does not move every day.
- Flag "逾期" when `as_of` is after the due date (with the days overdue), "即将到期" when the
  due date is at most `due_soon_days` away (today included), else "".
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

from toolkit.rules.plain import day_of, the_day
from toolkit.settings.visits import VisitSettings

OVERDUE = "逾期"
DUE_SOON = "即将到期"
NEVER_VISITED = "未回访"
OUTPUT_COLUMNS = ("next_visit_due", "visit_flag", "visit_days_overdue")


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months, clamped to the month's end: 2025-01-31 + 1 = 2025-02-28."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_visit(
    last_visit: dt.date | None, first_contact: dt.date | None, tier: str | None, as_of: dt.date, rules: VisitSettings
) -> tuple[dt.date | None, str, int | None]:
    """(next visit due, flag, days overdue) for one customer."""
    as_of = the_day(as_of)
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
    last_visits: Sequence,
    first_contacts: Sequence,
    tiers: Sequence,
    as_of: dt.date,
    rules: VisitSettings,
    current_due: Sequence = (),
) -> dict[str, list]:
    """next_visit_due, visit_flag and visit_days_overdue for every register row (`current_due`: the dates
    written last time, kept for customers never visited)."""
    as_of = the_day(as_of)
    out: dict[str, list] = {name: [] for name in OUTPUT_COLUMNS}
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
        if flag == NEVER_VISITED and i < len(current_due):
            written = day_of(current_due[i])
            if written is not None and written <= as_of:
                due = written
        due_col.append(due)
        flag_col.append(flag)
        days_col.append(days)
    return out
