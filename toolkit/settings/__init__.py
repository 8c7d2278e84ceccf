"""Settings, read and checked once: the shipped defaults merged with the office's ``toolkit.toml``.

::

    from toolkit.settings import load_settings
    settings = load_settings("客服台账")      # every section checked now; a wrong value raises SettingsError
    settings.sla.closed_statuses            # frozenset({'已解决', '已关闭'})
    settings.tracker.column("status")       # the tracker's columns (a SheetSchema)

Rules and jobs take the typed sections (:class:`Settings`' fields), never the TOML data. A setting
that holds a list may be given as a single text (``closed_statuses = "已关闭"``), and a value of
a choice list may be given by one of its aliases (``"closed"``); both are decided in one place
(:mod:`toolkit.settings.fields`, :mod:`toolkit.settings.choices`). A bad setting is reported with
the file, the key, what was expected and what was found (:mod:`toolkit.settings.problems`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.i18n import _
from toolkit.model.schema import SheetSchema
from toolkit.settings.calendar import CalendarSettings, read_calendar
from toolkit.settings.choices import Choices, read_choices
from toolkit.settings.columns import read_sheet
from toolkit.settings.excel import ExcelSettings, read_excel
from toolkit.settings.files import FileSettings, read_files
from toolkit.settings.layout import LayoutSettings, read_layout
from toolkit.settings.notices import NoticeSettings, read_notices
from toolkit.settings.panel import PanelSettings, read_panel
from toolkit.settings.problems import setting_error
from toolkit.settings.sla import Escalation, SlaSettings, read_sla
from toolkit.settings.sources import (
    SETTINGS_FILE,
    SHIPPED,
    default_settings,
    default_settings_text,
    merge,
    read_office_file,
)
from toolkit.settings.summary import SummarySettings, read_summary
from toolkit.settings.tier_history import TierHistorySettings, read_tier_history
from toolkit.settings.tiers import TierSettings, read_tiers
from toolkit.settings.visits import VisitSettings, read_visits

__all__ = [
    "SETTINGS_FILE",
    "Settings",
    "default_settings",
    "default_settings_text",
    "load_settings",
    "read_settings",
    "require_folder",
    "setting_error",
    "shipped_settings",
]


@dataclass(frozen=True)
class Settings:
    """Every section of the settings, typed. Each field is one table of the TOML files."""

    folder: Path  # the workbook folder
    source: str  # which file the settings came from, for messages
    files: FileSettings
    choices: Choices
    register: SheetSchema  # [register] and its [[register.columns]]
    tracker: SheetSchema  # [tracker] and its [[tracker.columns]]
    calendar: CalendarSettings
    sla: SlaSettings  # [sla], with [escalation] as sla.escalation
    tiers: TierSettings
    tier_history: TierHistorySettings
    visits: VisitSettings
    notices: NoticeSettings
    summary: SummarySettings
    excel: ExcelSettings
    panel: PanelSettings  # [panel]: the desktop panel
    layout: LayoutSettings  # [layout]: the look of the columns the toolkit adds

    @property
    def escalation(self) -> Escalation:
        return self.sla.escalation

    @property
    def register_path(self) -> Path:
        return self.folder / self.files.register

    @property
    def tracker_path(self) -> Path:
        return self.folder / self.files.tracker

    @property
    def tier_history_path(self) -> Path:
        """The tier history workbook, kept beside the register."""
        return self.register_path.parent / self.tier_history.workbook

    @property
    def backups_kept(self) -> int:
        return self.files.backups_kept

    @property
    def header_language(self) -> str:
        return self.files.header_language

    @property
    def language(self) -> str | None:
        """What the toolkit says in this office: "zh", "en", or None (the person's environment decides)."""
        return self.files.language


def read_settings(data: Mapping[str, Any], source: str, folder: str | Path = ".") -> Settings:
    """Merged TOML data checked and made into typed sections: the one place every section is read."""
    files = read_files(data, source)
    choices = read_choices(data, source)
    register = read_sheet("register", data, source, choices)
    tracker = read_sheet("tracker", data, source, choices)
    notices = read_notices(data, source, register, tracker)
    return Settings(
        folder=Path(folder),
        source=source,
        files=files,
        choices=choices,
        register=register,
        tracker=tracker,
        calendar=read_calendar(data, source),
        sla=read_sla(data, source, choices),
        tiers=read_tiers(data, source, choices),
        tier_history=read_tier_history(data, source),
        visits=read_visits(data, source, choices),
        notices=notices,
        summary=read_summary(data, source, choices, notices.office),
        excel=read_excel(data, source, files.language),
        panel=read_panel(data, source),
        layout=read_layout(data, source),
    )


def load_settings(folder: str | Path = ".", *, overrides: Mapping | None = None) -> Settings:
    """The settings of the workbook folder: the shipped defaults, its `toolkit.toml` (if any) merged
    over them, then `overrides` (TOML-shaped data, e.g. from a test) merged over that."""
    folder = Path(folder)
    data = default_settings()
    source = SHIPPED
    office_file = folder / SETTINGS_FILE
    if office_file.exists():
        data = merge(data, read_office_file(office_file), source=str(office_file))
        source = str(office_file)
    if overrides:
        data = merge(data, dict(overrides), source=source)
    return read_settings(data, source, folder)


def require_folder(folder: str | Path) -> Path:
    """The workbook folder a job reads, refused in one plain line when it does not exist or is a file."""
    folder = Path(folder)
    if not folder.is_dir():
        if folder.exists():
            raise ToolkitError(
                _("{folder} is a file, not a folder: give the folder that holds the workbooks").format(folder=folder)
            )
        raise ToolkitError(_("the folder {folder} does not exist: check the path").format(folder=folder))
    return folder


@lru_cache(maxsize=1)
def shipped_settings() -> Settings:
    """The shipped defaults alone (what a folder without toolkit.toml gets); read once (Settings are frozen)."""
    return read_settings(default_settings(), SHIPPED)
