"""Image to 3D: a textured model from an image file, a Blender image or a render."""

from __future__ import annotations

import bpy

from ..core.errors import UserError
from ..scene import image_sets, inputs
from ..service.jobs import Submission
from .base import JobOperator


class MESHY_OT_image_to_3d(JobOperator, bpy.types.Operator):
    """Turn an image into a textured 3D model with Meshy"""

    bl_idname = "meshy.image_to_3d"
    bl_label = "Image to 3D with Meshy"
    bl_description = "Make a textured 3D model from an image file, a Blender image or a render of the scene"
    kind = "image-to-3d"


    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        values = self.values()
        self.request(values, require_input=False)  # a bad option costs no render or conversion
        if self.texture_image_path and "texture_image_url" not in values:
            values["texture_image_url"], _, _ = inputs.image_input(context, self.uploads, path=self.texture_image_path)
        label = image_sets.label_for_task(str(values["input_task_id"])) if values.get("input_task_id") else "image"
        if not values.get("input_task_id") and not values.get("image_url"):
            upload, task_id, label = inputs.image_input(
                context, self.uploads, path=self.image_path, name=self.image_name, use_render=self.use_render
            )
            if upload is None and task_id is None:
                raise UserError("Choose an image: an image file, a Blender image, or Render Scene")
            if task_id:
                values["input_task_id"] = task_id
            else:
                values["image_url"] = upload
        return [self.submission(values, str(label)[:40])]


classes = (MESHY_OT_image_to_3d,)
