"""[excel]: the Excel face - how a button treats an open workbook, and the control panel's layout.

The panel's layout ([excel.panel], [[excel.buttons]]) is read when the panel is built
(``toolkit excel build-panel``); the rest when a button is clicked (``toolkit.macros``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.i18n import _
from toolkit.settings.fields import is_whole
from toolkit.settings.problems import MISSING, expect, expect_known_keys

_BUTTON_KEYS = {"macro", "function", "caption", "caption_en", "note", "note_en"}
_BUTTON_NEEDS = {"macro", "function", "caption", "caption_en"}
_CELL = re.compile(r"[A-Z]{1,2}[1-9][0-9]{0,4}")


@dataclass(frozen=True)
class Button:
    macro: str  # VBA Sub in Module1
    function: str  # function of toolkit.macros
    caption: str
    caption_en: str
    note: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class PanelSpec:
    """The control panel: its sheet, texts, cells, the interpreter settings and one button per job."""

    sheet: str
    title: str
    title_en: str
    language: str
    folder_label: str
    folder_label_en: str
    folder_cell: str
    status_cell: str
    interpreter_win: str
    interpreter_mac: str
    pythonpath: str
    buttons: tuple[Button, ...]
    file: str = "control_panel.xlsm"


@dataclass(frozen=True)
class ExcelSettings:
    save_open_workbooks: bool  # a workbook open in Excel is saved after a button wrote it
    status_problems_shown: int  # problems listed on the panel after a run
    panel: PanelSpec


def read_excel(data: Mapping[str, Any], source: str | Path, office_language: str | None = None) -> ExcelSettings:
    """[excel]; the control panel's language, when not set, is the office's ([files] language), else Chinese."""
    excel = data.get("excel", {})
    expect(isinstance(excel, Mapping), source, "excel", _("a table [excel]"), excel)
    assert isinstance(excel, Mapping)
    save = excel.get("save_open_workbooks", True)
    expect(isinstance(save, bool), source, "excel.save_open_workbooks", _("true or false"), save)
    shown = excel.get("status_problems_shown", 30)
    expect(
        is_whole(shown) and shown >= 0, source, "excel.status_problems_shown", _("a whole number of at least 0"), shown
    )
    return ExcelSettings(bool(save), int(shown), _panel(excel, source, office_language or "zh"))


def _panel(excel: Mapping, source: str | Path, default_language: str) -> PanelSpec:
    panel = excel.get("panel", {})
    expect(isinstance(panel, Mapping), source, "excel.panel", _("a table [excel.panel]"), panel)

    def text(key: str) -> str:
        value = panel.get(key, "")
        expect(isinstance(value, str), source, f"excel.panel.{key}", _("a text"), value)
        return value

    buttons = []
    for n, entry in enumerate(excel.get("buttons", []), start=1):
        where = f"excel.buttons[{n}]"
        expect(isinstance(entry, Mapping), source, where, _("a table"), entry)
        expect_known_keys(entry, _BUTTON_KEYS, source, where)
        missing = sorted(_BUTTON_NEEDS - set(entry))
        expect(
            not missing,
            source,
            f"{where}.{missing[0] if missing else ''}",
            _("a text (a button needs macro, function, caption and caption_en)"),
            MISSING,
        )
        buttons.append(Button(**{k: str(v) for k, v in entry.items()}))
    expect(bool(buttons), source, "excel.buttons", _("a list of [[excel.buttons]] tables, at least one"), [])
    language = text("language") or default_language
    expect(language in ("zh", "en"), source, "excel.panel.language", _("zh or en"), language)
    for key in ("folder_cell", "status_cell"):
        expect(_CELL.fullmatch(text(key)), source, f"excel.panel.{key}", _("a cell such as B3"), text(key))
    return PanelSpec(
        sheet=text("sheet"),
        title=text("title"),
        title_en=text("title_en"),
        language=language,
        folder_label=text("folder_label"),
        folder_label_en=text("folder_label_en"),
        folder_cell=text("folder_cell"),
        status_cell=text("status_cell"),
        interpreter_win=text("interpreter_win"),
        interpreter_mac=text("interpreter_mac"),
        pythonpath=text("pythonpath"),
        buttons=tuple(buttons),
        file=text("file") or PanelSpec.file,
    )
