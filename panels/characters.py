"""The Rig and Animate panels: the character or rig selected, the options, the cost and Run.

Drawn like the other operation panels (``operations``: the same option rows,
Advanced fold and Run button), with what these two need on top: the selected
character and its height, the selected rig, and the chosen action as Meshy's
Animation Library names it (unconfirmed ids marked).
"""

from __future__ import annotations

from typing import Any

import bpy
from mathutils import Vector

from .. import preferences, properties
from ..core.characters import action_lines
from ..core.params import PARAMS, TITLES
from ..core.views.characters import rig_text, selection_text
from ..i18n import CONTEXT
from ..scene.inputs import mesh_selection
from ..scene.rigs import rig_selection
from .common import PANEL, draw_message
from .operations import _fold, draw_param, draw_run

ICONS = {"rigging": "OUTLINER_OB_ARMATURE", "animations": "ACTION"}
DOCS = {"rigging": "Meshy Rig: the selected character, its height, options, estimated credits and Run.",
        "animations": "Meshy Animate: the selected rig, the action, post-processing, estimated credits and Run."}
#: Drawn first, in the Input box; the rest are options (folded under Advanced when the table says so).
INPUTS = {"rigging": (), "animations": ("action",)}


def draw_character(layout: Any, context: Any, kind: str) -> None:
    group = properties.options(context, kind)
    if group is None:
        return
    layout.use_property_split = True
    layout.use_property_decorate = False
    params = {p.name: p for p in PARAMS[kind]}
    box = layout.box().column()
    if kind == "rigging":
        box.label(text=selection_text([(o.name, _height(o)) for o in mesh_selection(context)]), icon="OBJECT_DATA")
    else:
        text, icon = rig_text([(r.name, len(r.animation_data.nla_tracks) if r.animation_data else 0)
                               for r in rig_selection(context)])
        box.label(text=text, icon=icon)
        draw_param(box, group, params["action"])
        for text, icon in action_lines(group.action):
            draw_message(box, text, icon=icon, context=context)
    col = layout.column()
    for p in PARAMS[kind]:
        if p.sidebar and not p.advanced and p.name not in INPUTS[kind]:
            if p.name == "fps" and group.post_process != "CHANGE_FPS":
                continue  # a frame rate only goes with Change FPS
            draw_param(col, group, p)
    prefs = preferences.addon_prefs(context)
    if kind == "rigging" and prefs is not None:
        col.prop(prefs, "keep_original")
    header, body = _fold(layout, f"meshy_{kind}_advanced")
    header.label(text="Advanced")
    if body is not None:
        for p in PARAMS[kind]:
            if p.sidebar and p.advanced:
                draw_param(body, group, p)
    draw_run(layout, context, kind, group)


def _height(obj: bpy.types.Object) -> float:
    """The object's height in the scene, from its box (no mesh read: cheap enough for a draw)."""
    zs = [(obj.matrix_world @ Vector(corner)).z for corner in obj.bound_box]
    return max(zs) - min(zs)


def _panel(kind: str) -> type:
    def draw(self: Any, context: Any) -> None:
        draw_character(self.layout, context, kind)

    def draw_header(self: Any, context: Any) -> None:
        self.layout.label(text="", icon=ICONS[kind])

    name = "VIEW3D_PT_meshy_" + kind
    return type(name, (PANEL, bpy.types.Panel), {
        "__doc__": DOCS[kind],
        "bl_idname": name, "bl_label": TITLES[kind], "bl_translation_context": CONTEXT, "bl_order": 4,
        "bl_options": {"DEFAULT_CLOSED"},
        "draw": draw, "draw_header": draw_header,
    })


classes = tuple(_panel(kind) for kind in ("rigging", "animations"))
