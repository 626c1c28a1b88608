"""Remesh: one Meshy remesh task per selected mesh, result placed on its source."""

from __future__ import annotations

import bpy

from ..service.jobs import Submission
from .base import JobOperator


class MESHY_OT_remesh(JobOperator, bpy.types.Operator):
    """Remesh the selected objects with Meshy to a target polycount and topology"""

    bl_idname = "meshy.remesh"
    bl_label = "Remesh with Meshy"
    bl_description = "Send the selected mesh objects to Meshy and replace them with a clean remeshed version"
    kind = "remesh"


    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        return self.per_selected_mesh(context, self.values())


classes = (MESHY_OT_remesh,)
