"""A font that shows Chinese well in the panel, on every system.

Tk's default fonts on Linux (and some Windows installs) have no Chinese glyphs, and the fallback
it finds by itself mixes styles or shows boxes. So the panel picks the first family installed from
a list in order of preference: Microsoft YaHei on Windows, PingFang SC on a Mac, Noto Sans CJK SC or
Source Han Sans / WenQuanYi on Linux, and sets Tk's named fonts (TkDefaultFont, TkTextFont,
TkHeadingFont, ...) to it, so every ttk widget follows. None installed: Tk's own choice is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from tkinter import font as tkfont

PREFERRED = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans SC",
    "SimHei",
    "SimSun",
)
NAMED_FONTS = (
    "TkDefaultFont",
    "TkTextFont",
    "TkMenuFont",
    "TkHeadingFont",
    "TkCaptionFont",
    "TkTooltipFont",
    "TkIconFont",
    "TkSmallCaptionFont",
)


def pick_family(installed: Iterable[str], preferred: Iterable[str] = PREFERRED) -> str | None:
    """The first preferred family that is installed (compared ignoring case), else None."""
    by_lower = {name.lower(): name for name in installed}
    for family in preferred:
        if family.lower() in by_lower:
            return by_lower[family.lower()]
    return None


def apply_cjk_font(root, size: int = 10) -> str | None:
    """Set Tk's named fonts to the chosen family; returns it (None: none installed, Tk's kept)."""
    family = pick_family(tkfont.families(root))
    if family is None:
        return None
    for name in NAMED_FONTS:
        try:
            f = tkfont.nametofont(name, root=root)
        except Exception:  # a named font this Tk does not have
            continue
        f.configure(family=family, size=size)
    return family
