"""The desktop panel's settings: ``[panel]`` in toolkit.toml (shipped defaults: defaults/panel.toml).

Read and checked once, here, into a frozen PanelSettings; a wrong value is a SettingsError naming
the file, the key, what was expected and what was found.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.errors import expect_setting
from toolkit.i18n import normalise_language
from toolkit.model.settings import Settings


@dataclass(frozen=True)
class PanelSettings:
    language: str | None  # "zh", "en", or None: the environment's (TOOLKIT_LANG), else Chinese
    problems_shown: int
    launcher: str
    launcher_en: str
    interpreter_win: str  # the launchers' Python; "" -> see toolkit.panel.launchers.interpreters
    interpreter_mac: str
    excel_interpreter_win: str  # [excel.panel]'s, the fallback
    excel_interpreter_mac: str

    @classmethod
    def from_settings(cls, settings: Settings) -> PanelSettings:
        src = settings.source
        data = settings.section("panel")

        def text(key: str, *, required: bool = False) -> str:
            value = data.get(key, "")
            expect_setting(
                isinstance(value, str) and (bool(value.strip()) or not required),
                src,
                f"panel.{key}",
                "a non-empty text" if required else "a text",
                value,
            )
            return value.strip()

        language = text("language")
        expect_setting(
            language == "" or normalise_language(language) is not None,
            src,
            "panel.language",
            "zh, en or empty",
            language,
        )
        shown = data.get("problems_shown", 2000)
        expect_setting(
            isinstance(shown, int) and not isinstance(shown, bool) and shown >= 0,
            src,
            "panel.problems_shown",
            "a whole number of at least 0",
            shown,
        )
        launchers = {}
        for key in ("launcher", "launcher_en"):
            name = text(key, required=True)
            expect_setting(
                not any(ch in name for ch in '<>:"/\\|?*%') and not name.startswith("."),
                src,
                f"panel.{key}",
                'a file name without extension (no < > : " / \\ | ? * %)',
                name,
            )
            launchers[key] = name
        excel = settings.section("excel").get("panel", {})
        return cls(
            language=normalise_language(language) if language else None,
            problems_shown=shown,
            launcher=launchers["launcher"],
            launcher_en=launchers["launcher_en"],
            interpreter_win=text("interpreter_win"),
            interpreter_mac=text("interpreter_mac"),
            excel_interpreter_win=str(excel.get("interpreter_win", "") or "").strip(),
            excel_interpreter_mac=str(excel.get("interpreter_mac", "") or "").strip(),
        )

    def launcher_name(self, language: str) -> str:
        return self.launcher_en if language == "en" else self.launcher
