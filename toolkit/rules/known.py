"""What was known at the `--as-of` moment: times typed after it are treated as not typed yet.

A job run "as of 2026-10-31 18:00" on a tracker where staff already typed a response time of
2026-11-02 must decide as the office would have on 31 October: the response had not happened, the
step was open (or overdue). The monthly report has always read the workbooks this way; every job
(flag, sync, tiers, visits, notices) now does too, through :func:`known_as_of`.

Only the times of things that happened are hidden (EVENT_COLUMNS): a promised date or an override's
expiry date is in the future by nature, and a complaint received after the moment is left to the
rules, which already treat it as not received yet. A date without a time counts as known from the
start of its day (a date typed for 31 October is known on 31 October).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["EVENT_COLUMNS", "known_as_of", "typed_after"]

# The columns that record when something happened, per workbook role.
EVENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "tracker": (
        "recorded_at",
        "responded_at",
        "settlement_told_at",
        "resolved_at",
        "feedback_at",
        "closed_at",
        "survey_at",
        "wait_started_at",
        "wait_ended_at",
    ),
    # The register keeps only the latest order and visit, so hiding one typed after the moment would
    # invent "never ordered" rather than the earlier one (which is gone): its dates are read as they are.
    "register": (),
}


def typed_after(value: object, as_of: dt.datetime) -> bool:
    """Whether `value` is a date or time later than `as_of` (not known yet at that moment)."""
    if isinstance(value, dt.datetime):
        return value > as_of
    if isinstance(value, dt.date):
        return value > as_of.date()
    return False


def known_as_of(columns: Mapping[str, Sequence], time_columns: Iterable[str], as_of: dt.datetime) -> dict[str, list]:
    """The `time_columns` among `columns`, each with the times after `as_of` made None (new lists; the
    columns given are not changed). Columns that hold no such time are returned as they are."""
    out: dict[str, list] = {}
    for name in time_columns:
        if name not in columns:
            continue
        values = columns[name]
        if any(typed_after(v, as_of) for v in values):
            out[name] = [None if typed_after(v, as_of) else v for v in values]
        else:
            out[name] = values if isinstance(values, list) else list(values)
    return out
