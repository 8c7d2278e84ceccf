"""`toolkit check`: validate both workbooks and list every problem found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import Problem, ToolkitError
from toolkit.jobs.problems import data_problems, duplicate_keys
from toolkit.model.records import read_table
from toolkit.settings import Settings, load_settings, require_folder


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    rows_checked: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def check_folder(
    folder: str | Path, settings: Settings | None = None, *, as_of: dt.datetime | None = None
) -> CheckReport:
    """Every problem of the folder's workbooks: the list every job gives (toolkit/jobs/problems.py), and
    a workbook that cannot be read at all as one problem."""
    settings = settings or load_settings(require_folder(folder))
    as_of = (as_of or dt.datetime.now()).replace(microsecond=0)
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
    register, tracker = tables.get("register"), tables.get("tracker")
    if register is not None and tracker is not None:
        report.problems += data_problems(settings, register, tracker, as_of)
    else:
        for one in (register, tracker):
            if one is not None:
                report.problems += one.problems
                if one.has(one.schema.key):
                    report.problems += duplicate_keys(one, one.schema.key)
    return report
