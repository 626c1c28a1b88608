"""Image to 3D: a textured model from an image file, a Blender image or a render."""

from __future__ import annotations

import bpy

from ..client.engine import Job
from . import inputs
from .base import MeshyJobOperator
from .params import annotations
from .runtime import UserError


class MESHY_OT_image_to_3d(MeshyJobOperator, bpy.types.Operator):
    """Turn an image into a textured 3D model with Meshy"""

    bl_idname = "meshy.image_to_3d"
    bl_label = "Image to 3D with Meshy"
    bl_description = "Make a textured 3D model from an image file, a Blender image or a render of the scene"
    kind = "image-to-3d"

    __annotations__ = annotations("image-to-3d")

    def build_jobs(self, context: bpy.types.Context) -> list[Job]:
        args = self.api_args()
        if self.texture_image_path and "texture_image_url" not in args:
            args["texture_image_url"], _, _ = inputs.image_input(context, path=self.texture_image_path)
        label = args.get("input_task_id") or "image"
        if not args.get("input_task_id") and not args.get("image_url"):
            # Check the parameters first: a bad value must cost no render or conversion.
            self.make_request({**args, "input_task_id": "placeholder"})
            upload, task_id, label = inputs.image_input(
                context, path=self.image_path, name=self.image_name, use_render=self.use_render
            )
            if upload is None and task_id is None:
                raise UserError("Choose an image: an image file, a Blender image, or Render Scene")
            if task_id:
                args["input_task_id"] = task_id
            else:
                args["image_url"] = upload
        return [self.job(self.make_request(args), label=str(label)[:40])]


classes = (MESHY_OT_image_to_3d,)
