"""Menus: Object > Meshy, Add > Meshy (what needs no selection), and the Image Editor's Image menu (active image)."""

from __future__ import annotations

from typing import Any

import bpy

from ..core.params import KIND_ITEMS, OPERATORS, PROMPT_KINDS, TITLES
from . import kinds_more
from .common import tr


class MESHY_MT_object(bpy.types.Menu):
    """The four Meshy operations with the sidebar's options."""

    bl_idname = "MESHY_MT_object"
    bl_label = "Meshy"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.operator_context = "INVOKE_DEFAULT"
        for identifier, title, _desc in KIND_ITEMS:
            layout.operator("meshy.run", text=tr(title)).kind = identifier
        layout.operator("meshy.refine", text=tr("Refine Selected Preview")).sidebar_options = True
        layout.separator()
        layout.operator("meshy.import_task", text="Import Task by ID…")
        layout.operator("meshy.open_preferences", text="Preferences…")


def _object_menu(self: Any, context: bpy.types.Context) -> None:
    self.layout.separator()
    self.layout.menu(MESHY_MT_object.bl_idname, icon="MOD_REMESH")


def _image_menu(self: Any, context: bpy.types.Context) -> None:
    layout = self.layout
    layout.separator()
    layout.operator_context = "INVOKE_DEFAULT"
    for identifier, title in (("IMAGE_TO_3D", "Image to 3D (Meshy)"), ("IMAGE_TO_IMAGE", "Image to Image (Meshy)"),
                              ("MULTI_IMAGE_TO_3D", "Multi-Image to 3D (Meshy)")):
        op = layout.operator("meshy.run", text=tr(title), icon="MESH_MONKEY" if "3D" in title else "IMAGE_DATA")
        op.kind, op.use_active_image = identifier, True


class MESHY_MT_add(bpy.types.Menu):
    """Add > Meshy: the operations that make something from a prompt alone (each asks for it)."""

    bl_idname = "MESHY_MT_add"
    bl_label = "Meshy"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.operator_context = "INVOKE_DEFAULT"
        for kind in PROMPT_KINDS:
            layout.operator(f"meshy.{OPERATORS[kind]}", text=f"{TITLES[kind]}…", icon=kinds_more.ICONS[kind])


def _add_menu(self: Any, context: bpy.types.Context) -> None:
    self.layout.separator()
    self.layout.menu(MESHY_MT_add.bl_idname, icon="OUTLINER_OB_FONT")


classes = (MESHY_MT_object, MESHY_MT_add)


def register() -> None:
    bpy.types.VIEW3D_MT_object.append(_object_menu)
    bpy.types.IMAGE_MT_image.append(_image_menu)
    bpy.types.VIEW3D_MT_add.append(_add_menu)


def unregister() -> None:
    bpy.types.VIEW3D_MT_add.remove(_add_menu)
    bpy.types.IMAGE_MT_image.remove(_image_menu)
    bpy.types.VIEW3D_MT_object.remove(_object_menu)
