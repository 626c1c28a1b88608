"""What every Meshy sidebar panel shares: placement, wrapped text, progress bars."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import bpy

from ..i18n.ui import tr


class PANEL:
    """Mixin placing a panel in the 3D Viewport's sidebar, tab "Meshy"."""

    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Meshy"


def available_width(context: Any = None) -> float:
    """Pixels a label's text gets in the sidebar (labels cut text, never wrap it)."""
    region = getattr(context or bpy.context, "region", None)
    scale = _scale()
    return max(80.0, (getattr(region, "width", 0) or 300) - 100 * scale)


def _scale() -> float:
    prefs = bpy.context.preferences
    return prefs.system.ui_scale if prefs else 1.0


def text_width(text: str) -> float:
    """Width of ``text`` in the UI font (blf), or an estimate where blf is unavailable."""
    try:
        import blf

        blf.size(0, 11 * _scale())
        return blf.dimensions(0, text)[0]
    except Exception:
        return len(text) * 6.5 * _scale()


#: Japanese and Chinese line breaking (禁則): no line starts with a closing mark, none ends with an opening one.
NO_LINE_START = "、。，．,.:;：；!?！？)）]」』】〉》…ー・%％"
NO_LINE_END = "(（[「『【〈《"
#: A line may break between any two characters of these scripts (they put no spaces between words).
_UNITS = re.compile(r"(\s*)([\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+)")


def wrap(text: str, width: float, measure: Any = text_width) -> list[str]:
    """Greedy wrap to ``width`` pixels, at spaces and between Japanese or Chinese characters (never before
    a closing mark or after an opening one); a word too long alone (a URL) is cut by characters."""
    lines: list[str] = []
    units: list[tuple[str, str]] = []  # (the space before, a word or one CJK character) of the line so far

    def joined(us: list[tuple[str, str]]) -> str:
        return "".join(gap + unit for gap, unit in us)

    for space, unit in _UNITS.findall(text):
        gap = " " if space and units else ""
        if units and measure(joined(units) + gap + unit) > width:
            moved: list[tuple[str, str]] = []
            if unit in NO_LINE_START and len(units) > 1:  # a closing mark takes the character before it along
                moved.append(units.pop())
            while len(units) > 1 and units[-1][1] in NO_LINE_END:  # an opening mark goes down with the rest
                moved.insert(0, units.pop())
            lines.append(joined(units))
            units = [("", u) if i == 0 else (g, u) for i, (g, u) in enumerate(moved)]
            gap = " " if space and units else ""
        units.append((gap, unit))
        if len(units) == 1 and len(unit) > 1 and measure(unit) > width:  # one word wider than the line
            word = unit
            while measure(word) > width and len(word) > 1:
                cut = _fit(word, width, measure)
                while 1 < cut < len(word) and word[cut] in NO_LINE_START:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            units = [("", word)]
    return [*lines, joined(units)] if units or not lines else lines


def _fit(word: str, width: float, measure: Any) -> int:
    """The most characters of ``word`` that fit in ``width`` (at least one): a binary search."""
    lo, hi = 1, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(word[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


@lru_cache(maxsize=512)
def _wrapped(text: str, width: float, scale: float) -> tuple[str, ...]:
    """``wrap`` once per sentence, width and UI scale: a redraw measures nothing it measured before."""
    return tuple(wrap(text, width))


def draw_message(layout: Any, text: str, icon: str = "INFO", context: Any = None) -> None:
    """A sentence (translated) over several labels so nothing is cut off; icon on the first line."""
    col = layout.column(align=True)
    col.scale_y = 0.85
    for i, line in enumerate(_wrapped(tr(text), available_width(context), _scale())):
        col.label(text=line, icon=icon if i == 0 else "BLANK1")


def progress_bar(layout: Any, factor: float, text: str) -> None:
    """``layout.progress`` (Blender 4.0+); a percentage label where it is missing."""
    text = tr(text)
    if hasattr(layout, "progress"):
        layout.progress(factor=factor, type="BAR", text=text)
    else:
        layout.label(text=f"{text} ({int(factor * 100)}%)")
