"""Retexture: new PBR textures for the selected meshes from a prompt or a style image."""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty

from ..client.engine import Job
from . import inputs
from .base import MeshyJobOperator
from .model_jobs import model_jobs
from .params import annotations
from .runtime import UserError


class MESHY_OT_retexture(MeshyJobOperator, bpy.types.Operator):
    """Texture the selected objects with Meshy from a text prompt or a style image"""

    bl_idname = "meshy.retexture"
    bl_label = "Retexture with Meshy"
    bl_description = "Give the selected mesh objects new PBR textures made by Meshy from a prompt or an image"
    kind = "retexture"

    __annotations__ = {
        **annotations("retexture"),
        "keep_original": BoolProperty(
            name="Keep Original", default=True,
            description="Keep the source object, hidden, next to the result (off: replace it)",
        ),
    }

    def build_jobs(self, context: bpy.types.Context) -> list[Job]:
        extra = {}
        if not self.text_style_prompt and not self.image_style_url:
            upload, _, _ = inputs.image_input(context, path=self.style_image_path, name=self.style_image_name,
                                              param="image_style_url")
            if upload is None:
                raise UserError("Describe the texture in Style Prompt, or pick a style image")
            extra["image_style_url"] = upload
        return model_jobs(self, context, extra)


classes = (MESHY_OT_retexture,)
