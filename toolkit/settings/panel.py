"""[panel]: the desktop panel (``toolkit panel``) - its language, its problem table and its launchers.

Shipped in ``defaults/panel.toml`` (which says what each key means); read and checked here once.
The launchers' Python falls back to ``[excel.panel]``'s interpreters (see
:func:`toolkit.panel.launchers.interpreters`), so the two panels need one path each at most.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.i18n import _, normalise_language
from toolkit.settings.fields import is_whole
from toolkit.settings.problems import expect, expect_known_keys

_KEYS = {"language", "problems_shown", "launcher", "launcher_en", "interpreter_win", "interpreter_mac"}
_NOT_IN_FILE_NAMES = '<>:"/\\|?*%'


@dataclass(frozen=True)
class PanelSettings:
    language: str | None = None  # "zh", "en", or None: the environment's (TOOLKIT_LANG), else Chinese
    problems_shown: int = 2000  # rows of the problem table after a run
    launcher: str = "客服工具箱"  # the launchers' file name without extension (.cmd, .command)
    launcher_en: str = "Office toolkit"  # the same when the panel's language is English
    interpreter_win: str = ""  # the launchers' Python; "" -> see toolkit.panel.launchers.interpreters
    interpreter_mac: str = ""

    def launcher_name(self, language: str) -> str:
        return self.launcher_en if language == "en" else self.launcher


def read_panel(data: Mapping[str, Any], source: str | Path) -> PanelSettings:
    """``[panel]`` of the merged settings checked and typed; a wrong value raises SettingsError."""
    section: Any = data.get("panel", {})
    expect(isinstance(section, Mapping), source, "panel", _("a table [panel]"), section)
    expect_known_keys(section, _KEYS, source, "panel")

    def text(key: str, *, required: bool = False) -> str:
        value = section.get(key, "")
        expect(
            isinstance(value, str) and (bool(value.strip()) or not required),
            source,
            f"panel.{key}",
            _("a non-empty text") if required else _("a text"),
            value,
        )
        return value.strip()

    language = text("language")
    expect(
        language == "" or normalise_language(language) is not None,
        source,
        "panel.language",
        _("zh, en or empty"),
        language,
    )
    shown = section.get("problems_shown", PanelSettings.problems_shown)
    expect(is_whole(shown) and shown >= 0, source, "panel.problems_shown", _("a whole number of at least 0"), shown)
    launchers = {}
    for key in ("launcher", "launcher_en"):
        name = text(key, required=True)
        expect(
            not any(ch in name for ch in _NOT_IN_FILE_NAMES) and not name.startswith("."),
            source,
            f"panel.{key}",
            _('a file name without extension (no < > : " / \\ | ? * %)'),
            name,
        )
        launchers[key] = name
    return PanelSettings(
        language=normalise_language(language) if language else None,
        problems_shown=int(shown),
        launcher=launchers["launcher"],
        launcher_en=launchers["launcher_en"],
        interpreter_win=text("interpreter_win"),
        interpreter_mac=text("interpreter_mac"),
    )
