"""Charts for the monthly report, as PNG bytes (matplotlib, no display needed).

::

    from toolkit.documents import charts
    png = charts.weekly_volume([("10/1-10/4", 29), ("10/5-10/11", 36)], title="每周受理量", ylabel="件")

Labels are Chinese, so the text is drawn with a CJK font found among the installed fonts (Noto
Sans CJK from Debian's fonts-noto-cjk first; the usual Windows and macOS Chinese fonts too). A
font without Chinese glyphs would draw every character as an empty box ("tofu"), so
:func:`cjk_font` says which font is used and :func:`missing_glyphs` which characters it lacks;
the report job notes it when no CJK font is installed. Figures are made with matplotlib's
object API on the Agg canvas (never pyplot), so nothing global changes and no window opens;
the same data give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Tried in order; the first installed one is used.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Serif CJK SC",
)
FALLBACK_FAMILY = "DejaVu Sans"
BAR = "#4472C4"  # Word/Excel's default blue, so the charts sit well beside Office charts
BAR_PREVIOUS = "#A5A5A5"
TARGET = "#C00000"
GOOD, BAD = "#70AD47", "#ED7D31"
DPI = 150
CLEARANCE_PT = 3  # the least room between a label and the target line
SIZE = (6.4, 3.2)  # inches: 16 x 8 cm, the width of an A4 page's text


# _MATPLOTLIB: matplotlib takes about a second to load, and only the monthly report draws charts, so
# it is imported by the functions that use it, not when the jobs (which import this module) load.


@dataclass(frozen=True)
class Font:
    family: str  # what matplotlib calls it
    path: str  # the font file (a .ttc may hold several faces)


@lru_cache(maxsize=1)
def cjk_font() -> Font | None:
    """The first installed font of `CJK_FAMILIES`, or None when none is installed."""
    from matplotlib import font_manager as fm  # noqa: PLC0415 - see _MATPLOTLIB

    for family in CJK_FAMILIES:
        try:
            path = fm.findfont(fm.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return Font(family, path)
    return None


def missing_glyphs(text: str, font: Font | None = None) -> set[str]:
    """The characters of `text` the font has no glyph for (drawn as empty boxes); all of them without a font."""
    from matplotlib import font_manager as fm  # noqa: PLC0415 - see _MATPLOTLIB

    font = font or cjk_font()
    if font is None:
        return {c for c in text if not c.isspace() and ord(c) > 0x2E7F}
    face = fm.get_font(font.path)
    return {c for c in text if not c.isspace() and face.get_char_index(ord(c)) == 0}


def _figure(size=SIZE):
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - see _MATPLOTLIB
    from matplotlib.figure import Figure  # noqa: PLC0415

    fig = Figure(figsize=size, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    # no "Software" / date chunks: the same figure gives the same bytes
    fig.savefig(
        buf, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight", pad_inches=0.1, facecolor="white"
    )
    return buf.getvalue()


def _context():
    import matplotlib  # noqa: PLC0415 - see _MATPLOTLIB

    font = cjk_font()
    families = ([font.family] if font else []) + [FALLBACK_FAMILY]
    return matplotlib.rc_context(
        {
            "font.family": families,
            "font.size": 9,
            "axes.unicode_minus": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def weekly_volume(
    weeks: Sequence[tuple[str, int]], *, title: str, ylabel: str = "", previous: Sequence[tuple[str, int]] | None = None
) -> bytes:
    """Bars: complaints received per week (`previous`: last month's weeks, drawn lighter beside them)."""
    with _context():
        fig = _figure()
        ax = fig.add_subplot()
        labels = [w for w, _ in weeks]
        values = [v for _, v in weeks]
        xs = list(range(len(weeks)))
        width = 0.4 if previous else 0.6
        if previous:
            prev = [v for _, v in previous][: len(xs)] + [0] * max(0, len(xs) - len(previous))
            ax.bar([x - width / 2 for x in xs], prev, width, color=BAR_PREVIOUS, label=previous_label(title))
            bars = ax.bar([x + width / 2 for x in xs], values, width, color=BAR, label=title)
            ax.legend(frameon=False, loc="upper left")
        else:
            bars = ax.bar(xs, values, width, color=BAR)
        ax.bar_label(bars, padding=2, fontsize=8)
        ax.set_xticks(xs, labels)
        ax.set_title(title, fontsize=11)
        if ylabel:
            ax.set_ylabel(ylabel)
        ax.set_ylim(0, max(values + [1]) * 1.18)
        return _png(fig)


def previous_label(title: str) -> str:
    return "上月" if any(ord(c) > 0x2E7F for c in title) else "previous month"


def category_breakdown(items: Sequence[tuple[str, int]], *, title: str, xlabel: str = "") -> bytes:
    """Horizontal bars: complaints per category, the largest on top."""
    with _context():
        height = max(1.8, 0.45 * len(items) + 1.0)
        fig = _figure((SIZE[0], height))
        ax = fig.add_subplot()
        ordered = list(items)[::-1]
        ys = list(range(len(ordered)))
        bars = ax.barh(ys, [v for _, v in ordered], 0.6, color=BAR)
        ax.bar_label(bars, padding=3, fontsize=8)
        ax.set_yticks(ys, [k for k, _ in ordered])
        ax.set_title(title, fontsize=11)
        if xlabel:
            ax.set_xlabel(xlabel)
        ax.set_xlim(0, max([v for _, v in ordered] + [1]) * 1.15)
        return _png(fig)


def on_time_by_step(
    items: Sequence[tuple[str, float | None]], *, target: float, title: str, target_label: str
) -> bytes:
    """Bars: the share of each step done on time (0-1; None = nothing to judge), with the target as a line."""
    with _context():
        return _png(on_time_figure(items, target=target, title=title, target_label=target_label))


def on_time_figure(items: Sequence[tuple[str, float | None]], *, target: float, title: str, target_label: str):
    """The figure of :func:`on_time_by_step`, drawn, for tests to measure. Call inside ``_context()``.

    No text touches the target line: a bar's label goes above the bar; when it would come near the line
    there, inside the bar's top (in white), else just above the line. The target's own label sits
    outside the plot, right of the line's end.
    """
    from matplotlib.transforms import blended_transform_factory  # noqa: PLC0415 - see _MATPLOTLIB

    fig = _figure()
    ax = fig.add_subplot()
    xs = list(range(len(items)))
    values = [v * 100 if v is not None else 0 for _, v in items]
    colours = [GOOD if v is not None and v >= target else BAD for _, v in items]
    ax.bar(xs, values, 0.6, color=colours)
    line_y = target * 100
    ax.axhline(line_y, color=TARGET, linestyle="--", linewidth=1)
    ax.set_xticks(xs, [k for k, _ in items])
    ax.set_ylim(0, 112)
    ax.set_ylabel("%")
    ax.set_title(title, fontsize=11)
    ax.text(
        1.01,
        line_y,
        f"{target_label} {target * 100:g}%",
        color=TARGET,
        ha="left",
        va="center",
        fontsize=8,
        transform=blended_transform_factory(ax.transAxes, ax.transData),
        clip_on=False,
    )
    labels = [
        ax.annotate(
            f"{v * 100:.1f}%" if v is not None else "—",
            (x, y),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
        )
        for x, y, (_, v) in zip(xs, values, items)
    ]
    renderer = fig.canvas.get_renderer()
    line_px = ax.transData.transform((0, line_y))[1]
    gap = CLEARANCE_PT * DPI / 72
    for label, y in zip(labels, values):
        if not crosses(label.get_window_extent(renderer), line_px, gap):
            continue  # above its bar, clear of the line
        if y >= 12:  # inside the bar's top, in white
            label.set_va("top")
            label.xyann = (0, -2)
            label.set_color("white")
            if not crosses(label.get_window_extent(renderer), line_px, gap):
                continue
        label.set_va("bottom")  # else above the line, where nothing else is
        label.set_color("black")
        label.xy = (label.xy[0], max(y, line_y))
        label.xyann = (0, CLEARANCE_PT + 1)
    fig.canvas.draw()
    return fig


def crosses(box, y_px: float, gap: float) -> bool:
    """Whether a text's box (display pixels) comes within `gap` pixels of a horizontal line at `y_px`."""
    return box.y0 - gap <= y_px <= box.y1 + gap
