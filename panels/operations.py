"""One sidebar panel per Meshy operation: inputs, options, cost, Run.

Options come from the scene's ``MESHY_PG_*`` group (saved with the .blend);
the main ones are shown, the rest folded under "Advanced". The Run button
calls ``meshy.run``, which sends only changed options, and is disabled with
the reason shown when an input is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import bpy

from ..operators import messages
from ..operators import scene_settings as ss
from ..operators.params import PARAMS, Param
from ..operators.runtime import RUNTIME
from .common import PANEL, draw_message

#: Inputs drawn in the Input box, in this order, per kind (the rest are options).
INPUTS = {
    "remesh": (),
    "retexture": ("text_style_prompt", "style_image_path", "style_image_name"),
    "image-to-3d": ("image_path", "image_name", "use_render"),
    "image-to-image": ("prompt", "reference_image_paths", "image_path", "image_name", "use_render"),
}
#: Shorter labels where the sidebar's split layout would cut the table's label.
SHORT = {"target_polycount": "Polycount", "decimation_mode": "Decimation", "resize_longest_side": "Longest Side",
         "convert_format_only": "Format Only", "save_pre_remeshed_model": "Keep Pre-Remesh",
         "enable_original_uv": "Keep UVs", "alpha_thumbnail": "Alpha Preview", "style_image_path": "Style File",
         "style_image_name": "Style Image", "texture_image_path": "Texture File", "image_name": "Image"}
ICONS = {"remesh": "MOD_REMESH", "retexture": "TEXTURE", "image-to-3d": "MESH_MONKEY",
         "image-to-image": "IMAGE_DATA"}


@dataclass
class RunView:
    """The cost line and the Run button's state (pure, tested headless)."""

    cost_text: str
    enough: bool
    blocker: str
    tasks: int


def run_view(kind: str, context: Any, group: Any, balance: int | None) -> RunView:
    credits = ss.estimate(kind, context, group)
    tasks = ss.task_count(kind, context, group)
    per = f" ({tasks} tasks)" if tasks > 1 else ""
    have = f"{balance:,} left" if balance is not None else "balance unknown"
    enough = balance is None or credits <= balance
    return RunView(f"≈ {credits} credits{per} · {have}", enough, ss.blocker(kind, context, group), tasks)


def selection_text(context: Any) -> str:
    meshes = ss.selected_meshes(context)
    if not meshes:
        return "Selection: no mesh object"
    more = f" and {len(meshes) - 1} more" if len(meshes) > 1 else ""
    return f"Selection: {meshes[0].name}{more}"


def draw_param(layout: Any, group: Any, p: Param) -> None:
    if p.type == "image":
        layout.prop_search(group, p.name, bpy.data, "images", text=SHORT.get(p.name, p.label))
    elif p.type == "files":
        draw_references(layout, group)
    elif p.type == "urls":
        for item in getattr(group, p.name):
            layout.prop(item, "name", text="URL")
    elif p.type == "str" and p.name in ("prompt", "text_style_prompt", "texture_prompt"):
        row = layout.row()
        row.use_property_split = False
        row.prop(group, p.name, text="", placeholder=p.label, icon="FONT_DATA")
    else:
        layout.prop(group, p.name, text=SHORT.get(p.name, p.label or p.name))


def draw_references(layout: Any, group: Any) -> None:
    col = layout.column(align=True)
    for i, item in enumerate(group.reference_image_paths):
        row = col.row(align=True)
        row.prop(item, "name", text="")
        row.operator("meshy.remove_reference_image", text="", icon="X").index = i
    col.operator("meshy.add_reference_image", text="Add Reference Image", icon="ADD")


def draw_operation(layout: Any, context: Any, kind: str) -> None:
    group = ss.options(context, kind)
    if group is None:
        return
    layout.use_property_split = True
    layout.use_property_decorate = False
    params = {p.name: p for p in PARAMS[kind]}
    box = layout.box().column()
    if kind in ("remesh", "retexture"):
        box.label(text=selection_text(context), icon="OBJECT_DATA")
    for name in INPUTS[kind]:
        draw_param(box, group, params[name])
    col = layout.column()
    for p in PARAMS[kind]:
        if not p.advanced and p.name not in INPUTS[kind]:
            draw_param(col, group, p)
    for name in ss.EXTRA.get(kind, ()):
        col.prop(group, name)
    advanced = [p for p in PARAMS[kind] if p.advanced and p.name not in INPUTS[kind]]
    header, body = _fold(layout, f"meshy_{kind}_advanced")
    header.label(text="Advanced")
    if body is not None:
        for p in advanced:
            draw_param(body, group, p)
    draw_run(layout, context, kind, group)


def _fold(layout: Any, idname: str) -> tuple[Any, Any]:
    """``layout.panel`` (4.1+): a folding section whose open state Blender keeps."""
    if hasattr(layout, "panel"):
        return layout.panel(idname, default_closed=True)
    return layout.row(), None


def draw_run(layout: Any, context: Any, kind: str, group: Any) -> None:
    view = run_view(kind, context, group, RUNTIME.balance)
    col = layout.column(align=True)
    col.use_property_split = False
    col.label(text=view.cost_text, icon="NONE" if view.enough else "ERROR")
    if not view.enough:
        draw_message(col, messages.top_up_hint(RUNTIME.balance, ss.estimate(kind, context, group)),
                     icon="INFO", context=context)
    row = col.row()
    row.scale_y = 1.4
    row.enabled = not view.blocker
    row.operator("meshy.run", text=f"Run {ss.TITLES[kind]}", icon="PLAY").kind = ss.KIND_ITEMS[
        ss.KINDS.index(kind)][0]
    if view.blocker:
        draw_message(col, view.blocker, icon="INFO", context=context)


def _panel(kind: str, order: int) -> type:
    def draw(self: Any, context: Any) -> None:
        draw_operation(self.layout, context, kind)

    def draw_header(self: Any, context: Any) -> None:
        self.layout.label(text="", icon=ICONS[kind])

    name = "VIEW3D_PT_meshy_" + kind.replace("-", "_")
    return type(name, (PANEL, bpy.types.Panel), {
        "__doc__": f"Meshy {ss.TITLES[kind]}: inputs, options, estimated credits and Run.",
        "bl_idname": name, "bl_label": ss.TITLES[kind], "bl_order": order,
        "bl_options": {"DEFAULT_CLOSED"} if kind != "remesh" else set(),
        "draw": draw, "draw_header": draw_header,
    })


classes = tuple(_panel(kind, i + 1) for i, kind in enumerate(ss.KINDS))
