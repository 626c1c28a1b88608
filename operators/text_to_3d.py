"""Text to 3D: a preview from a sentence, and Refine, which textures a preview in place.

``text_to_3d(prompt=..., refine=True)`` is one job: the preview, then its refine
chained by the job service (``service/chains.py``) once the preview is in the
scene; in background Blender the call returns when the textured model has
replaced the preview. ``refine`` textures existing previews: the selected
preview objects, or one preview task by id.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import bpy
from bpy.props import BoolProperty

from .. import properties, runtime
from ..core.errors import UserError
from ..core.params import PARAMS, TITLES
from ..core.requests import build_request
from ..core.stages import KIND, REFINE, prompt_label, stage_of
from ..core.states import ACTIVE, JobState
from ..scene import inputs, previews
from ..service.chains import then_meta
from ..service.jobs import Submission
from ..service.tasks import TaskEntry
from .base import JobOperator, PromptJobOperator

REFINE_TABLE = "text-to-3d-refine"


class MESHY_OT_text_to_3d(PromptJobOperator, bpy.types.Operator):
    """Make a 3D model from a sentence with Meshy"""

    bl_idname = "meshy.text_to_3d"
    bl_label = "Text to 3D with Meshy"
    bl_description = ("Make a 3D model from a sentence: an untextured preview at the 3D cursor; with Refine, "
                      "textured in its place")
    kind = KIND

    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        values = self.values()
        preview = self.request(values)  # the prompt and every preview option, before anything else
        meta = then_meta(self._refine_request(context, values)) if values.get("refine") else {}
        return [Submission(self.kind, preview, prompt_label(values.get("prompt", "")), meta=meta)]

    def _refine_request(self, context: bpy.types.Context, values: dict[str, Any]) -> Any:
        """The refine to chain: the refine options and the shared ones, checked now (no preview id yet)."""
        refine = {p.name: values[p.name] for p in PARAMS[REFINE_TABLE] if p.name in values}
        build_request(REFINE_TABLE, refine, self.settings, require_input=False)  # a bad option costs no conversion
        if refine.get("texture_image_path") and not refine.get("texture_image_url"):
            refine["texture_image_url"], _, _ = inputs.image_input(context, self.uploads,
                                                                   path=refine["texture_image_path"])
        return build_request(REFINE_TABLE, refine, self.settings, require_input=False)

    def modal(self, context: bpy.types.Context, event: Any) -> set[str]:
        if event.type == "ESC":  # stop waiting for the stage running now: the chained refine too
            self._job_ids = tuple(e.job_id for e in self._entries())
        return super().modal(context, event)

    def _entries(self) -> list[TaskEntry]:
        """The chain's latest stage per job: the preview, then (once chained) its refine."""
        service = runtime.service()
        ids = [service.chains.and_followups([j])[-1] for j in self._job_ids]
        return [service.tasks[j] for j in ids if j in service.tasks]


class MESHY_OT_refine(JobOperator, bpy.types.Operator):
    """Texture a Text to 3D preview with Meshy"""

    bl_idname = "meshy.refine"
    bl_label = "Refine Preview with Meshy"
    bl_description = ("Texture Text to 3D previews (the selected preview objects, or a preview task id); "
                      "the textured model replaces the preview")
    kind = REFINE_TABLE

    sidebar_options: BoolProperty(  # type: ignore[valid-type]
        name="Sidebar Options", default=False, options={"HIDDEN", "SKIP_SAVE"},
        description="Take the options not given from the sidebar's Text to 3D panel (its Refine section)",
    )

    def submission(self, values: dict[str, Any], label: str, **fields: Any) -> Submission:
        request = dataclasses.replace(self.request(values, require_input=False), preview_task_id=fields["preview"])
        request.validate()
        return Submission(KIND, request, label, source=fields.get("source", ""),
                          meta={"preview_task_id": fields["preview"]})

    def values(self) -> dict[str, Any]:
        """The caller's values; from the sidebar's buttons, the Text to 3D panel's refine options beneath them."""
        values = super().values()
        group = properties.options(bpy.context, KIND) if self.sidebar_options else None
        if group is not None:
            names = {p.name for p in PARAMS[self.kind]}
            sidebar = properties.scene_values(group, KIND)
            changed = properties.changed_values(group, KIND)  # which ones differ from the defaults
            values = {**{k: sidebar[k] for k in changed if k in names}, **values}
        return values

    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        values = self.values()
        task_id = str(values.pop("task_id", "") or "").strip()
        self.request(values, require_input=False)  # the options, before any conversion
        if task_id:
            targets = [(task_id, self._known_preview(task_id), "")]
        else:
            targets = [(tid, previews.preview_label(obj), obj.name) for obj, tid in previews.selected_previews(context)]
        if values.get("texture_image_path") and not values.get("texture_image_url"):
            values["texture_image_url"], _, _ = inputs.image_input(context, self.uploads,
                                                                   path=values["texture_image_path"])
        return [self.submission(values, label, preview=tid, source=source) for tid, label, source in targets]

    def _known_preview(self, task_id: str) -> str:
        """The label of a preview this machine knows; a sentence when it knows the id is something else."""
        for obj in previews.objects_of(task_id):
            if previews.stage_of_object(obj) == REFINE:
                raise UserError(f"Task {task_id} is a refine already: Refine textures a Text to 3D preview")
        rec = runtime.service().records(self.settings).find_task(task_id) or {}
        kind = rec.get("kind") or ""
        if kind and kind != KIND:
            raise UserError(f"Task {task_id} is a {TITLES.get(kind, kind)} task, not a Text to 3D preview: "
                            "only a preview can be refined")
        if kind and stage_of(kind, rec.get("meta")) == REFINE:
            raise UserError(f"Task {task_id} is a refine already: Refine textures a Text to 3D preview")
        if rec.get("state") == JobState.FAILED and rec.get("task_status"):
            raise UserError(f"The preview {task_id} failed on Meshy: there is nothing to refine")
        if rec.get("state") in ACTIVE:
            raise UserError(f"The preview {task_id} is not finished yet: refine it once it is in the scene")
        return str(rec.get("label") or task_id[:8])


classes = (MESHY_OT_text_to_3d, MESHY_OT_refine)
