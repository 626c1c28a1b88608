"""One sidebar panel per Meshy operation: inputs, options, cost, Run.

Options come from the scene's ``MESHY_PG_*`` group (saved with the .blend);
the main ones are shown, the rest folded under "Advanced". The Run button
calls ``meshy.run``, which sends only changed options, and is disabled with
the reason shown when an input is missing.
"""

from __future__ import annotations

from typing import Any

import bpy

from .. import preferences, properties
from ..core import snapshot
from ..core.params import IMAGE_KINDS, KINDS, PARAMS, TITLES, Param, kind_id
from ..core.views import operations as views
from ..i18n import CONTEXT
from ..scene.inputs import mesh_selection
from ..scene.rigs import rig_selection
from . import kinds_more
from .common import PANEL, draw_message, tr

#: Kinds whose results are images, not objects: the Asset Browser lists no image assets.
IMAGE_RESULTS = IMAGE_KINDS

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
INPUTS.update(kinds_more.INPUTS)  # Text to 3D, Multi-Image to 3D, Text to Image
ICONS.update(kinds_more.ICONS)
SHORT.update(kinds_more.SHORT)


def run_view(kind: str, context: Any, group: Any, balance: int | None) -> views.RunView:
    """What the cost line and the Run button show for the scene's options now."""
    return views.run_view(kind, properties.scene_values(group, kind), selected_meshes=len(mesh_selection(context)),
                          settings=preferences.settings(context), online=bool(bpy.app.online_access), balance=balance,
                          selected_rigs=len(rig_selection(context)))


def draw_param(layout: Any, group: Any, p: Param) -> None:
    if p.name in kinds_more.LISTS:
        kinds_more.draw_list(layout, group, p.name)
    elif p.type == "image":
        layout.prop_search(group, p.name, bpy.data, "images", text=tr(SHORT.get(p.name, p.label)))
    elif p.type == "files":
        draw_references(layout, group)
    elif p.type == "urls":
        for item in getattr(group, p.name):
            layout.prop(item, "name", text="URL")
    elif p.type == "str" and p.name in ("prompt", "text_style_prompt", "texture_prompt"):
        row = layout.row()
        row.use_property_split = False
        row.prop(group, p.name, text="", placeholder=tr(p.label), icon="FONT_DATA")
    else:
        layout.prop(group, p.name, text=tr(SHORT.get(p.name, p.label or p.name)))  # ours before Blender's catalog


def draw_references(layout: Any, group: Any) -> None:
    col = layout.column(align=True)
    for i, item in enumerate(group.reference_image_paths):
        row = col.row(align=True)
        row.prop(item, "name", text="")
        row.operator("meshy.remove_reference_image", text="", icon="X").index = i
    col.operator("meshy.add_reference_image", text="Add Reference Image", icon="ADD")


def draw_operation(layout: Any, context: Any, kind: str) -> None:
    group = properties.options(context, kind)
    if group is None:
        return
    layout.use_property_split = True
    layout.use_property_decorate = False
    params = {p.name: p for p in PARAMS[kind]}
    box = layout.box().column()
    if kind in ("remesh", "retexture"):
        names = [o.name for o in mesh_selection(context)]
        box.label(text=tr(views.selection_text(names)), icon="OBJECT_DATA")
    for name in INPUTS[kind]:
        draw_param(box, group, params[name])
    col = layout.column()
    for p in PARAMS[kind]:
        if p.sidebar and not p.advanced and not p.stage and p.name not in INPUTS[kind]:
            draw_param(col, group, p)
    prefs = preferences.addon_prefs(context)
    if kind in ("remesh", "retexture") and prefs is not None:
        col.prop(prefs, "keep_original")  # the preference itself: one choice for the sidebar and scripts
    if kind not in IMAGE_RESULTS and hasattr(context.scene, "meshy_mark_assets"):
        col.prop(context.scene, "meshy_mark_assets")  # one choice per scene, for every kind's imports
    kinds_more.draw_sections(layout, group, kind, draw_param, _fold)  # a chained stage's options (Refine)
    advanced = [p for p in PARAMS[kind] if p.sidebar and p.advanced and not p.stage and p.name not in INPUTS[kind]]
    header, body = _fold(layout, f"meshy_{kind}_advanced")
    header.label(text="Advanced")
    if body is not None:
        for p in advanced:
            draw_param(body, group, p)
    draw_run(layout, context, kind, group)
    if kind == "text-to-3d":
        kinds_more.draw_selected_preview(layout, context)


def _fold(layout: Any, idname: str, default_closed: bool = True) -> tuple[Any, Any]:
    """``layout.panel`` (4.1+): a folding section whose open state Blender keeps."""
    if hasattr(layout, "panel"):
        return layout.panel(idname, default_closed=default_closed)
    return layout.row(), None


def draw_run(layout: Any, context: Any, kind: str, group: Any) -> None:
    view = run_view(kind, context, group, snapshot.current().balance)
    col = layout.column(align=True)
    col.use_property_split = False
    col.label(text=tr(view.cost_text), icon="NONE" if view.enough else "ERROR")
    if view.top_up:
        draw_message(col, view.top_up, icon="INFO", context=context)
    row = col.row()
    row.scale_y = 1.4
    row.enabled = not view.blocker
    row.operator("meshy.run", text=tr(f"Run {TITLES[kind]}"), icon="PLAY").kind = kind_id(kind)
    if view.blocker:
        draw_message(col, view.blocker, icon="INFO", context=context)


def _panel(kind: str, order: int) -> type:
    def draw(self: Any, context: Any) -> None:
        draw_operation(self.layout, context, kind)

    def draw_header(self: Any, context: Any) -> None:
        self.layout.label(text="", icon=ICONS[kind])

    name = "VIEW3D_PT_meshy_" + kind.replace("-", "_")
    return type(name, (PANEL, bpy.types.Panel), {
        "__doc__": f"Meshy {TITLES[kind]}: inputs, options, estimated credits and Run.",  # tools/i18n_extract.py
        "bl_idname": name, "bl_label": TITLES[kind], "bl_translation_context": CONTEXT, "bl_order": order,
        "bl_options": {"DEFAULT_CLOSED"} if kind != "remesh" else set(),
        "draw": draw, "draw_header": draw_header,
    })


classes = tuple(_panel(kind, i + 1) for i, kind in enumerate(KINDS) if kind in INPUTS)  # Rig, Animate: characters.py
