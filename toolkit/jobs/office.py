"""The office's working-time calendar, built from its settings and its own list of days."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.calendar import WorkCalendar, provisional_warning
from toolkit.errors import Problem, SettingsError
from toolkit.model.office_days import parse_overrides
from toolkit.model.settings import Settings, load_settings


def _office_hours(settings: Settings) -> list[tuple[str, str]]:
    periods = []
    for text in settings.section("calendar").get("office_hours", []):
        start, sep, end = str(text).partition("-")
        if not sep:
            raise SettingsError(
                f"setting 'calendar.office_hours' should list periods like \"09:00-12:00\", but has {text!r}",
                path=settings.source,
            )
        periods.append((start.strip(), end.strip()))
    return periods


def read_office_days(settings: Settings) -> tuple[set, set, list[Problem]]:
    """Closures and extra working days from the settings and the office's days workbook."""
    section = settings.section("calendar")
    rows = [(d, "closure", "") for d in section.get("closures", [])]
    rows += [(d, "workday", "") for d in section.get("extra_workdays", [])]
    closures, extra, errs = parse_overrides(rows)
    problems = [Problem(settings.source, "", None, "calendar", rows[i][0], msg) for i, msg in errs]
    name = section.get("overrides_file")
    path = settings.folder / name if name else None
    if path is not None and path.exists():
        from toolkit.xlsx.package import Package
        from toolkit.xlsx.reader import read_grid
        from toolkit.xlsx.workbook import read_workbook

        with Package.open(path) as pkg:
            sheet = read_workbook(pkg).sheets[0].name
        grid = read_grid(path, sheet)
        body = [tuple((list(r) + [None, None, None])[:3]) for r in grid[1:]]
        c2, e2, errs2 = parse_overrides(body)
        closures |= c2
        extra |= e2
        problems += [Problem(str(path), sheet, i + 2, None, body[i][0], msg) for i, msg in errs2]
    return closures, extra, problems


def office_calendar(folder: str | Path = ".", settings: Settings | None = None):
    """(calendar, warn) where warn(year) prints the provisional-year warning once per year."""
    settings = settings or load_settings(folder)
    closures, extra, problems = read_office_days(settings)
    for p in problems:
        print(f"toolkit: warning: {p}", file=sys.stderr)
    try:
        cal = WorkCalendar(
            office_hours=tuple(_office_hours(settings)),
            closures=frozenset(closures),
            extra_workdays=frozenset(extra - closures),
        )
    except ValueError as exc:
        raise SettingsError(f"calendar settings: {exc}", path=settings.source) from None
    warned: set[int] = set()

    def warn(year: int) -> None:
        if year not in warned:
            warned.add(year)
            print(f"toolkit: warning: {provisional_warning(year)}", file=sys.stderr)

    return cal, warn
