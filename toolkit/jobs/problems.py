"""Problems and warnings, defined once: what every command counts, and the exit code it gives.

The same data gives the same list whichever command reads it (check, run, sync, flag, tiers,
notices, summary, demo): :func:`data_problems` is that list -

- the values that cannot be read and the required columns missing (read_table),
- an ID used twice in the register or the tracker (problems),
- a complaint whose customer is not in the register, with the likely IDs (warning),
- a manual tier whose 调整有效期至 has passed (warning),
- a row of the office days workbook that cannot be read (warning).

A problem is something staff must fix (its value was left out); a warning is something to look
at (the job did its work). Exit codes: 0 nothing to report or only warnings, 1 problems listed,
2 the command could not run (toolkit.cli.common).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from toolkit.errors import Problem
from toolkit.i18n import _, ngettext
from toolkit.jobs.office import read_office_days
from toolkit.model.records import Table
from toolkit.rules import sync as sync_rules
from toolkit.rules.tiers import override_expired
from toolkit.settings import Settings

__all__ = ["counts", "counts_phrase", "counts_text", "data_problems", "duplicate_keys", "has_problems"]


def data_problems(settings: Settings, register: Table, tracker: Table, as_of: dt.datetime) -> list[Problem]:
    """Every problem and warning of the two workbooks as of `as_of` (see the module's list)."""
    # the office's calendar first: an unreadable row there moves every deadline, not one row's
    problems = [
        Problem(p.file, p.sheet, p.row, p.column, p.value, p.reason, "warning") for p in read_office_days(settings)[2]
    ]
    problems += [*register.problems, *tracker.problems]
    for table in (register, tracker):
        if table.has(table.schema.key):
            problems += duplicate_keys(table, table.schema.key)
    if register.has("tier_override") and register.has("override_expires"):
        ids = register.values("customer_id")
        for i, (override, expires) in enumerate(
            zip(register.values("tier_override"), register.values("override_expires"), strict=True)
        ):
            if ids[i] is not None and override_expired(override, expires, as_of.date()):
                problems.append(
                    register.problem(
                        i,
                        "override_expires",
                        expires,
                        _("the manual tier override has expired and is no longer applied"),
                        "warning",
                    )
                )
    if tracker.has("customer_id") and register.has("customer_id"):
        problems += unknown_customer_warnings(register, tracker)
    return problems


def duplicate_keys(table: Table, name: str) -> list[Problem]:
    """Every row whose key appears more than once (all but the first occurrence reported)."""
    seen: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(table.values(name)):
        if key is not None:
            seen[key].append(i)
    out = []
    for key, where in seen.items():
        if len(where) > 1:
            first = table.rows[where[0]]
            for i in where[1:]:
                out.append(
                    table.problem(i, name, key, _("duplicate: the same ID is already on row {row}").format(row=first))
                )
    return out


def unknown_customer_warnings(register: Table, tracker: Table) -> list[Problem]:
    """Tracker rows whose customer ID is not in the register, each with the IDs it probably meant."""
    index = sync_rules.index_register(register.values("customer_id"), register.values("name"), register.values("phone"))
    ids = tracker.values("customer_id")
    _fields, _keep, unknown_rows = sync_rules.customer_fields_for_tracker(
        ids,
        {name: register.values(name) for name in sync_rules.CUSTOMER_FIELDS.values()}
        | {"tier": register.values("tier")},
        index,
        tracker.values("customer_name"),
        tracker.values("contact_phone"),
    )
    names, phones = tracker.values("customer_name"), tracker.values("contact_phone")
    # the reason in the clerk's language (the tracker's 客户核对 cell keeps the workbook's own Chinese)
    return [
        tracker.problem(
            i,
            "customer_id",
            ids[i],
            sync_rules.unknown_customer_reason(sync_rules.suggest_customers(index, ids[i], names[i], phones[i])),
            "warning",
        )
        for i in unknown_rows
    ]


def counts(problems: Iterable[Problem]) -> tuple[int, int]:
    """(problems, warnings)."""
    errors = warnings = 0
    for p in problems:
        if p.severity == "error":
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def has_problems(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def counts_phrase(problems: Iterable[Problem]) -> str:
    """ "3 problems, 9 warnings" (for a sentence: the demo's summary)."""
    errors, warnings = counts(problems)
    return _("{problems}, {warnings}").format(
        problems=ngettext("{n} problem", "{n} problems", errors).format(n=errors),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings),
    )


def counts_text(problems: Iterable[Problem]) -> str:
    """ "3 problems, 9 warnings." - the one line every command ends with."""
    return _("{counts}.").format(counts=counts_phrase(problems))
