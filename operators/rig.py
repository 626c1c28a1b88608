"""Rig: a skeleton and skin for the selected character, with its walking and running clips."""

from __future__ import annotations

from pathlib import Path

import bpy

from ..client.uploads import FileInput
from ..core import characters
from ..core.errors import UserError
from ..scene import inputs, rigs
from ..service.jobs import Submission
from .base import JobOperator


class MESHY_OT_rig(JobOperator, bpy.types.Operator):
    """Rig the selected character with Meshy: an armature, its skin, and walking and running clips"""

    bl_idname = "meshy.rig"
    bl_label = "Rig with Meshy"
    bl_description = ("Send the selected humanoid mesh to Meshy's auto-rigging and bring it back as an armature "
                      "with the skinned mesh and its walking and running clips")
    kind = "rigging"

    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        values = self.values()
        self.request(values, require_input=False)  # a bad height costs no export
        if self.texture_image_path and "texture_image_url" not in values:
            values["texture_image_url"] = _png(self.texture_image_path)
        if not (values.get("input_task_id") or values.get("model_url")):
            for name, faces in rigs.rig_faces(inputs.selected_meshes(context, self.kind)):
                if characters.too_many_faces(name, faces):
                    raise UserError(characters.too_many_faces(name, faces))
        return self.per_selected_mesh(context, values)


def _png(path: str) -> FileInput:
    """Rigging's texture must be a PNG: a JPEG (or anything Pillow reads) is converted."""
    file = Path(bpy.path.abspath(path))
    if not file.is_file():
        raise UserError(f"The texture image file {file} does not exist")
    return FileInput.image(file, png=True)


classes = (MESHY_OT_rig,)
