"""Animate: a clip of Meshy's Animation Library, played by the selected Meshy rig."""

from __future__ import annotations

import bpy

from ..core import characters
from ..scene import rigs
from ..scene.records import PROP_TASK_ID
from ..service.jobs import Submission
from .base import JobOperator


class MESHY_OT_animate(JobOperator, bpy.types.Operator):
    """Animate the selected Meshy rig with an action of Meshy's Animation Library"""

    bl_idname = "meshy.animate"
    bl_label = "Animate with Meshy"
    bl_description = ("Give the selected Meshy rig an action of Meshy's Animation Library, chosen by name; "
                      "it lands on the same armature as a new NLA track that plays")
    kind = "animations"

    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        values = characters.animation_values(self.values())  # the action's name -> action_id: one sentence if unknown
        self.request(values, require_input=False)
        if values.get("rig_task_id"):  # lands on a rig of that task in the scene, else comes in on its own
            rig = rigs.find_rig(None, values["rig_task_id"])
            return [self._submission(values, rig.name if rig else "", rig.name if rig else values["rig_task_id"])]
        return [self._submission({**values, "rig_task_id": str(rig[PROP_TASK_ID])}, rig.name, rig.name)
                for rig in rigs.selected_rigs(context)]

    def _submission(self, values: dict, source: str, label: str) -> Submission:
        title = rigs.action_title(values.get("action_id"))
        return Submission(self.kind, self.request(values), f"{label[:24]} {title}", source=source)


classes = (MESHY_OT_animate,)
