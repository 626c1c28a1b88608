"""What the generated operation panels draw for Text to 3D, Multi-Image to 3D and Text to Image.

The panels themselves are ``operations.py``'s, made from the parameter table;
this module adds their inputs and short labels, Multi-Image to 3D's two lists
of views (files and Blender images), Text to 3D's Refine section (the rows of
the table's ``refine`` stage, under the Refine switch) and its box for the
selected preview with a Refine button. Drawing only.
"""

from __future__ import annotations

from typing import Any

from ..core.params import param, stage_params
from ..core.stages import KIND, PREVIEW
from ..scene.previews import stage_of_object
from .common import draw_message

INPUTS = {
    "text-to-3d": ("prompt",),
    "multi-image-to-3d": ("image_paths", "image_names", "input_task_id"),
    "text-to-image": ("prompt",),
}
ICONS = {"text-to-3d": "OUTLINER_OB_FONT", "multi-image-to-3d": "RENDERLAYERS", "text-to-image": "FILE_IMAGE"}
SHORT = {"texture_image_path": "Texture File", "texture_image_url": "Texture URL",
         "multi_view_thumbnails": "View Thumbs", "image_names": "Images"}
#: The lists drawn here (a ``files`` row that is not Image to Image's references).
LISTS = ("image_paths", "image_names")
#: A stage's section: (its title, the switch in its header).
SECTIONS = {(KIND, "refine"): ("Refine", "refine")}


def draw_list(layout: Any, group: Any, name: str) -> None:
    """One of Multi-Image to 3D's view lists, with add and remove buttons."""
    col = layout.column(align=True)
    col.use_property_split = False
    col.label(text=param("multi-image-to-3d", name).label)
    for i, item in enumerate(getattr(group, name)):
        row = col.row(align=True)
        if name == "image_names":  # picked from a search list: shown, not typed
            row.box().label(text=item.name or "(none)", icon="IMAGE_DATA")
        else:
            row.prop(item, "name", text="")
        op = row.operator("meshy.remove_view", text="", icon="X")
        op.list_name, op.index = name, i
    if name == "image_paths":
        col.operator("meshy.add_view_images", text="Add Image Files", icon="FILEBROWSER")
    else:
        col.operator("meshy.add_view_image", text="Add Blender Image", icon="ADD")


def draw_sections(layout: Any, group: Any, kind: str, draw_param: Any, fold: Any) -> None:
    """Each stage a kind chains, as a folding section with its switch in the header."""
    for (owner, stage), (title, switch) in SECTIONS.items():
        if owner != kind:
            continue
        header, body = fold(layout, f"meshy_{kind}_{stage}", default_closed=False)
        header.use_property_split = False
        header.prop(group, switch, text=title)
        if body is None:
            continue
        for p in stage_params(kind, stage):
            if p.name != switch:
                draw_param(body, group, p)


def draw_selected_preview(layout: Any, context: Any) -> None:
    """Text to 3D: the selected preview objects, and Refine with the section's options."""
    previews = [o for o in (getattr(context, "selected_objects", None) or []) if stage_of_object(o) == PREVIEW]
    if not previews:
        return
    box = layout.box().column(align=True)
    more = f" and {len(previews) - 1} more" if len(previews) > 1 else ""
    box.label(text="Selected preview:")
    box.label(text=f"{previews[0].name}{more}", icon="MESH_DATA")
    row = box.row()
    row.scale_y = 1.2
    op = row.operator("meshy.refine", text="Refine Selected Preview", icon="SHADING_TEXTURE")
    op.sidebar_options = True
    draw_message(box, "Textures it with the Refine options above (10 credits); the textured model replaces it.",
                 icon="INFO", context=context)
