"""Retexture: new PBR textures for the selected meshes from a prompt or a style image."""

from __future__ import annotations

import bpy

from ..core.errors import UserError
from ..scene import inputs
from ..service.jobs import Submission
from .base import JobOperator


class MESHY_OT_retexture(JobOperator, bpy.types.Operator):
    """Texture the selected objects with Meshy from a text prompt or a style image"""

    bl_idname = "meshy.retexture"
    bl_label = "Retexture with Meshy"
    bl_description = "Give the selected mesh objects new PBR textures made by Meshy from a prompt or an image"
    kind = "retexture"


    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        values = self.values()
        if not values.get("text_style_prompt") and not values.get("image_style_url"):
            self.request(values, require_input=False)  # a bad option costs no image conversion
            upload, _, _ = inputs.image_input(context, self.uploads, path=self.style_image_path,
                                              name=self.style_image_name)
            if upload is None:
                raise UserError("Describe the texture in Style Prompt, or pick a style image")
            values["image_style_url"] = upload
        return self.per_selected_mesh(context, values)


classes = (MESHY_OT_retexture,)
