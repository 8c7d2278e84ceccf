"""Errors and problem reports, worded for office staff.

A ``ToolkitError`` stops a job (a file that cannot be opened, a bad setting).
A ``Problem`` is one bad value or row: it is reported and the job goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.formats import show
from toolkit.i18n import _


class ToolkitError(Exception):
    """An expected failure with a message meant for the person running the job."""

    def __init__(self, message: str, *, path: str | Path | None = None, hint: str | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.hint:
            text += _(" ({hint})").format(hint=self.hint)
        return text


class WorkbookRefused(ToolkitError):
    """A workbook the engine will not touch because it cannot do so safely."""


class WorkbookBusy(ToolkitError):
    """A workbook that is open in Excel or being written by another toolkit job."""


class SettingsError(ToolkitError):
    """A settings file with a wrong key or value."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a workbook, located precisely enough for staff to find it."""

    file: str
    sheet: str
    row: int | None
    column: str | None  # the header text as staff see it
    value: object
    reason: str
    severity: str = "error"  # "error" or "warning"

    def location(self) -> str:
        """Where it is, in the clerk's language: "customers.xlsx, sheet '客户台账', row 12, column '电话'"."""
        parts = [Path(self.file).name]
        if self.sheet:
            parts.append(_("sheet '{sheet}'").format(sheet=self.sheet))
        if self.row is not None:
            parts.append(_("row {row}").format(row=self.row))
        if self.column:
            parts.append(_("column '{column}'").format(column=self.column))
        return _(", ").join(parts)

    def __str__(self) -> str:
        shown = "" if self.value is None or self.value == "" else _(": '{value}'").format(value=show(self.value))
        return f"{self.location()}{shown} - {self.reason}"
