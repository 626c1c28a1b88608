"""Remesh: one Meshy remesh task per selected mesh, result placed on its source."""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty

from ..client.engine import Job
from .base import MeshyJobOperator
from .model_jobs import model_jobs
from .params import annotations


class MESHY_OT_remesh(MeshyJobOperator, bpy.types.Operator):
    """Remesh the selected objects with Meshy to a target polycount and topology"""

    bl_idname = "meshy.remesh"
    bl_label = "Remesh with Meshy"
    bl_description = "Send the selected mesh objects to Meshy and replace them with a clean remeshed version"
    kind = "remesh"

    __annotations__ = {
        **annotations("remesh"),
        "keep_original": BoolProperty(
            name="Keep Original", default=True,
            description="Keep the source object, hidden, next to the result (off: replace it)",
        ),
    }

    def build_jobs(self, context: bpy.types.Context) -> list[Job]:
        return model_jobs(self, context)


classes = (MESHY_OT_remesh,)

