"""Multi-Image to 3D: a textured model from 1 to 4 views of one object, or from a multi-view task.

Blender images that are a whole multi-view set Meshy made (Text to Image or
Image to Image with Multi-View) are sent as that task's id: nothing is
uploaded. Anything else (files, other Blender images) is normalised and sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy
from bpy.props import BoolProperty, CollectionProperty, EnumProperty, IntProperty, StringProperty

from .. import properties
from ..client.models import MAX_MULTI_IMAGES
from ..core.errors import UserError
from ..scene import image_sets, inputs
from ..service.jobs import Submission
from .base import JobOperator

KIND = "multi-image-to-3d"
LISTS = [("image_paths", "Image Files", "The image files list"), ("image_names", "Blender Images",
                                                                      "The Blender images list")]


class MESHY_OT_multi_image_to_3d(JobOperator, bpy.types.Operator):
    """Turn 1 to 4 views of one object into a textured 3D model with Meshy"""

    bl_idname = "meshy.multi_image_to_3d"
    bl_label = "Multi-Image to 3D with Meshy"
    bl_description = ("Make a textured 3D model from 1 to 4 views of one object: image files, Blender images, "
                      "or a multi-view Text to Image / Image to Image task (chained, not uploaded)")
    kind = KIND

    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        values = self.values()
        urls = list(values.pop("image_urls", []))
        paths = list(values.pop("image_paths", []))
        images = image_sets.blender_images(values.pop("image_names", []))
        if values.get("input_task_id"):  # wins over the images, as on Meshy
            return [self.submission(values, image_sets.label_for_task(str(values["input_task_id"]))[:40])]
        count = len(urls) + len(paths) + len(images)
        if count == 0:
            raise UserError("Give 1 to 4 images of one object: image files, Blender images, or an Input Task ID")
        if count > MAX_MULTI_IMAGES:
            raise UserError(f"Multi-Image to 3D takes 1 to {MAX_MULTI_IMAGES} images of one object; "
                            f"{count} were given")
        self.request(values, require_input=False)  # a bad option costs no conversion
        if self.texture_image_path and "texture_image_url" not in values:
            values["texture_image_url"], _, _ = inputs.image_input(context, self.uploads, path=self.texture_image_path)
        chained = image_sets.chained_set(images) if images and not urls and not paths else None
        if chained:
            values["input_task_id"] = chained  # the whole set: its task's id, no upload
            return [self.submission(values, image_sets.set_label(images))]
        files = [inputs.image_input(context, self.uploads, path=p)[0] for p in paths]
        values["image_urls"] = [*urls, *files, *image_sets.uploads_of(images, self.uploads)]
        label = image_sets.set_label(images) if images else Path(paths[0]).stem if paths else "images"
        return [self.submission(values, label[:40])]


class MESHY_OT_add_view_images(bpy.types.Operator):
    """Add image files (up to 4 views of one object) for Multi-Image to 3D"""

    bl_idname = "meshy.add_view_images"
    bl_label = "Add View Images"
    bl_options = {"REGISTER", "INTERNAL"}

    directory: StringProperty(subtype="DIR_PATH")  # type: ignore[valid-type]
    files: CollectionProperty(type=bpy.types.OperatorFileListElement)  # type: ignore[valid-type]
    filter_image: BoolProperty(default=True, options={"HIDDEN"})  # type: ignore[valid-type]
    filter_folder: BoolProperty(default=True, options={"HIDDEN"})  # type: ignore[valid-type]

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        group = properties.options(context, KIND)
        room = MAX_MULTI_IMAGES - len(group.image_paths) - len(group.image_names)
        chosen = [str(Path(self.directory) / f.name) for f in self.files if f.name]
        if len(chosen) > room:
            self.report({"ERROR"}, f"Multi-Image to 3D takes at most {MAX_MULTI_IMAGES} images; "
                                   f"room for {max(room, 0)} more.")
            return {"CANCELLED"}
        for path in chosen:
            group.image_paths.add().name = path
        return {"FINISHED"}


_ITEMS: list[tuple[str, str, str]] = []  # Blender keeps no copy of a dynamic enum's strings


def _image_items(_op: Any, _context: Any) -> list[tuple[str, str, str]]:
    _ITEMS[:] = [(i.name, i.name, "") for i in bpy.data.images if i.type not in {"RENDER_RESULT", "COMPOSITING"}]
    return _ITEMS


class MESHY_OT_add_view_image(bpy.types.Operator):
    """Add a Blender image (a view of the object) for Multi-Image to 3D"""

    bl_idname = "meshy.add_view_image"
    bl_label = "Add Blender Image"
    bl_options = {"REGISTER", "INTERNAL", "UNDO"}
    bl_property = "image"

    image: EnumProperty(name="Image", items=_image_items)  # type: ignore[valid-type]

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        context.window_manager.invoke_search_popup(self)
        return {"RUNNING_MODAL"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        group = properties.options(context, KIND)
        if len(group.image_paths) + len(group.image_names) >= MAX_MULTI_IMAGES:
            self.report({"ERROR"}, f"Multi-Image to 3D takes at most {MAX_MULTI_IMAGES} images.")
            return {"CANCELLED"}
        if self.image not in bpy.data.images:
            self.report({"ERROR"}, "Pick a Blender image to add.")
            return {"CANCELLED"}
        group.image_names.add().name = self.image
        return {"FINISHED"}


class MESHY_OT_remove_view(bpy.types.Operator):
    """Remove this view from Multi-Image to 3D's inputs"""

    bl_idname = "meshy.remove_view"
    bl_label = "Remove View"
    bl_options = {"REGISTER", "INTERNAL", "UNDO"}

    list_name: EnumProperty(name="List", items=LISTS)  # type: ignore[valid-type]
    index: IntProperty(default=-1)  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        rows = getattr(properties.options(context, KIND), self.list_name)
        if 0 <= self.index < len(rows):
            rows.remove(self.index)
        return {"FINISHED"}


classes = (MESHY_OT_multi_image_to_3d, MESHY_OT_add_view_images, MESHY_OT_add_view_image, MESHY_OT_remove_view)
