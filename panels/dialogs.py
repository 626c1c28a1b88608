"""The dialogs of the operators that need nothing selected (F3, the Add menu): drawn from the parameter table.

Text to 3D and Text to Image ask for their prompt in a dialog when called
without one: the main options open, the refine options under the Refine
switch, the rest folded under "Advanced", as in their sidebar panels.
"""

from __future__ import annotations

from typing import Any

from ..core.params import PARAMS, Param, stage_params
from .kinds_more import SECTIONS


def _draw(layout: Any, op: Any, p: Param) -> None:
    if p.name in ("prompt", "texture_prompt"):
        row = layout.row()
        row.use_property_split = False
        row.prop(op, p.name, text="", placeholder=p.label, icon="FONT_DATA")
    elif p.type not in {"files", "urls", "image"}:  # lists and Blender images: the sidebar's
        layout.prop(op, p.name)


def draw_dialog(layout: Any, op: Any, kind: str) -> None:
    layout.use_property_split = True
    layout.use_property_decorate = False
    shown = [p for p in PARAMS[kind] if p.role != "option" or p.type == "bool"]
    for p in shown:
        if not p.advanced and not p.stage:
            _draw(layout, op, p)
    for (owner, stage), (_title, switch) in SECTIONS.items():
        if owner != kind:
            continue
        layout.prop(op, switch)
        if getattr(op, switch):
            box = layout.box().column()
            for p in stage_params(kind, stage):
                if p.name != switch:
                    _draw(box, op, p)
    rest = [p for p in shown if p.advanced and not p.stage]
    if not rest or not hasattr(layout, "panel"):
        return
    header, body = layout.panel(f"meshy_{kind}_dialog_advanced", default_closed=True)
    header.label(text="Advanced")
    if body is not None:
        for p in rest:
            _draw(body, op, p)
