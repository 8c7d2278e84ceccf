"""[calendar]: office hours, and the office's own closures and extra working days.

The statutory holidays and make-up working days come from the calendar itself
(:mod:`toolkit.calendar`); these settings add the office's own days. More of them can be kept in
the office days workbook named by ``overrides_file`` (read by :mod:`toolkit.jobs.office`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.calendar import WorkCalendar
from toolkit.i18n import _
from toolkit.model.values import parse_value
from toolkit.settings.fields import as_list
from toolkit.settings.problems import expect, expect_known_keys, setting_error

_KEYS = {"office_hours", "overrides_file", "closures", "extra_workdays"}


@dataclass(frozen=True)
class CalendarSettings:
    office_hours: tuple[tuple[dt.time, dt.time], ...]  # opening and closing time of each period
    closures: frozenset[dt.date] = frozenset()  # days the office is closed although it would work
    extra_workdays: frozenset[dt.date] = frozenset()  # days the office works although it would be off
    overrides_file: str | None = "office_days.xlsx"  # the office days workbook in the folder, if any


def _period(text: object, source: str | Path) -> tuple[dt.time, dt.time]:
    start, sep, end = str(text).partition("-")
    try:
        if not sep:
            raise ValueError
        return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())
    except ValueError:
        raise setting_error(source, "calendar.office_hours", _('a list of periods like "09:00-12:00"'), text) from None


def _days(value: object, source: str | Path, key: str) -> frozenset[dt.date]:
    days = set()
    for item in as_list(value):
        day = item.date() if isinstance(item, dt.datetime) else item
        if isinstance(day, str):
            day, _reason = parse_value(day, "date")
        expect(isinstance(day, dt.date), source, key, _('a list of dates like "2026-12-31"'), item)
        days.add(day)
    return frozenset(days)


def read_calendar(data: Mapping[str, Any], source: str | Path) -> CalendarSettings:
    section = data.get("calendar", {})
    expect(isinstance(section, Mapping), source, "calendar", _("a table [calendar]"), section)
    assert isinstance(section, Mapping)
    expect_known_keys(section, _KEYS, source, "calendar")
    hours = tuple(_period(text, source) for text in as_list(section.get("office_hours", [])))
    try:
        WorkCalendar(office_hours=hours)
    except ValueError as exc:
        raise setting_error(
            source,
            "calendar.office_hours",
            _("office hours a working day can have ({reason})").format(reason=exc),
            section.get("office_hours"),
        ) from None
    overrides_file = section.get("overrides_file", "office_days.xlsx")
    expect(
        isinstance(overrides_file, str),
        source,
        "calendar.overrides_file",
        _('a file name (or "" for none)'),
        overrides_file,
    )
    return CalendarSettings(
        office_hours=hours,
        closures=_days(section.get("closures", []), source, "calendar.closures"),
        extra_workdays=_days(section.get("extra_workdays", []), source, "calendar.extra_workdays"),
        overrides_file=overrides_file or None,
    )
