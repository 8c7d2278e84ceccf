"""[layout]: the look of the columns the toolkit adds (shipped in ``defaults/layout.toml``).

``highlight`` lists the texts that colour a state cell, in order of precedence; ``[layout.colours]``
gives each text its fill and font colours ({ fill = ..., font = ... }). Read and checked here once; used by toolkit/jobs/layout.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.settings.fields import text_list
from toolkit.settings.problems import expect, expect_known_keys

_KEYS = {"highlight", "colours"}
_RGB = re.compile(r"#?[0-9A-Fa-f]{6}")


@dataclass(frozen=True)
class LayoutSettings:
    highlight: tuple[tuple[str, str, str], ...] = ()  # (text, fill, font) in order of precedence

    def colours(self) -> dict[str, tuple[str, str]]:
        return {text: (fill, font) for text, fill, font in self.highlight}


def read_layout(data: Mapping[str, Any], source: str | Path) -> LayoutSettings:
    """``[layout]`` of the merged settings, checked and typed; a wrong value raises SettingsError."""
    section: Any = data.get("layout", {})
    expect(isinstance(section, Mapping), source, "layout", "a table [layout]", section)
    expect_known_keys(section, _KEYS, source, "layout")
    texts = text_list(section.get("highlight", []), source, "layout.highlight", "a list of texts")
    colours: Any = section.get("colours", {})
    expect(isinstance(colours, Mapping), source, "layout.colours", "a table of text = [fill, font]", colours)
    out = []
    for text in texts:
        pair = colours.get(text)
        expect(
            isinstance(pair, Mapping)
            and set(pair) == {"fill", "font"}
            and all(isinstance(c, str) and _RGB.fullmatch(c) for c in pair.values()),
            source,
            f"layout.colours.{text}",
            '{ fill = "FFC7CE", font = "9C0006" } (colours as RGB hex)',
            pair,
        )
        out.append((text, pair["fill"].lstrip("#").upper(), pair["font"].lstrip("#").upper()))
    return LayoutSettings(highlight=tuple(out))
