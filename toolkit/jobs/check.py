"""`toolkit check`: validate both workbooks and list every problem found."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import _
from toolkit.model.records import Table, read_table
from toolkit.rules.sync import unknown_customer_reason
from toolkit.settings import Settings, load_settings


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    rows_checked: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


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


def unknown_customers(tracker: Table, known_ids: set[str]) -> list[tuple[int, str]]:
    """(index, customer ID) of tracker rows whose customer is not in the register."""
    return [(i, cid) for i, cid in enumerate(tracker.values("customer_id")) if cid is not None and cid not in known_ids]


def check_folder(folder: str | Path, settings: Settings | None = None) -> CheckReport:
    settings = settings or load_settings(folder)
    report = CheckReport()
    tables = {}
    for schema, path in ((settings.register, settings.register_path), (settings.tracker, settings.tracker_path)):
        try:
            table = read_table(path, schema)
        except ToolkitError as exc:
            report.problems.append(
                Problem(str(path), schema.sheet, None, None, None, exc.message + (f" ({exc.hint})" if exc.hint else ""))
            )
            continue
        tables[schema.role] = table
        report.rows_checked[schema.role] = len(table)
        report.problems += table.problems
        if table.has(schema.key):
            report.problems += duplicate_keys(table, schema.key)
    register, tracker = tables.get("register"), tables.get("tracker")
    if register is not None and tracker is not None and tracker.has("customer_id"):
        known = {c for c in register.values("customer_id") if c is not None}
        for i, cid in unknown_customers(tracker, known):
            tracker_problem = tracker.problem(i, "customer_id", cid, unknown_customer_reason())
            report.problems.append(tracker_problem)
    return report
