"""Text to Image: pictures from a sentence, as Blender images (a multi-view set as a set)."""

from __future__ import annotations

import bpy

from ..core.stages import prompt_label
from ..service.jobs import Submission
from .base import PromptJobOperator


class MESHY_OT_text_to_image(PromptJobOperator, bpy.types.Operator):
    """Make Blender images from a sentence with Meshy"""

    bl_idname = "meshy.text_to_image"
    bl_label = "Text to Image with Meshy"
    bl_description = ("Make an image (or 3 views of one subject) from a sentence; the results become Blender "
                      "images that Image to 3D and Multi-Image to 3D take without uploading")
    kind = "text-to-image"

    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        values = self.values()
        request = self.request(values)  # prompt, model, aspect ratio: checked before anything is sent
        return [Submission(self.kind, request, prompt_label(values.get("prompt", "")), pack_images=self.pack_images)]


classes = (MESHY_OT_text_to_image,)
