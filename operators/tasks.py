"""Operators on tasks that already exist: stop waiting, delete, import, resume."""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty

from .. import runtime
from ..client.errors import MeshyError
from ..core import messages
from ..core.params import KIND_ITEMS as KINDS
from ..core.params import kind_from_id
from ..core.states import JobState
from ..i18n import CONTEXT
from ..i18n.ui import tr_report

KIND_ITEMS = [("AUTO", "Any", "Look the id up under every kind"), *KINDS]


def _kind(identifier: str) -> str | None:
    return None if identifier == "AUTO" else kind_from_id(identifier)


class MESHY_OT_cancel_task(bpy.types.Operator):
    """Stop waiting for a Meshy task here; it keeps running on Meshy and can be imported later"""

    bl_idname = "meshy.cancel_task"
    bl_label = "Stop Waiting for Meshy Task"
    bl_options = {"REGISTER", "INTERNAL"}

    job_id: StringProperty(name="Job")  # type: ignore[valid-type]
    task_id: StringProperty(name="Task ID")  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        tasks = runtime.service().tasks
        job_id = self.job_id if self.job_id in tasks else next(
            (e.job_id for e in tasks.values() if self.task_id and e.task_id == self.task_id and e.active), "")
        if not runtime.service().cancel(job_id):
            self.report({"ERROR"}, "That Meshy task is not running here.")
            return {"CANCELLED"}
        self.report({"INFO"}, messages.STOPPED_WAITING)
        return {"FINISHED"}


class MESHY_OT_delete_task(bpy.types.Operator):
    """Delete a task and its results on Meshy's server (cannot be undone)"""

    bl_idname = "meshy.delete_task"
    bl_label = "Delete Meshy Task"
    bl_options = {"REGISTER", "INTERNAL"}

    task_id: StringProperty(name="Task ID")  # type: ignore[valid-type]
    kind: EnumProperty(name="Kind", items=KINDS, translation_context=CONTEXT)  # type: ignore[valid-type]

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        return context.window_manager.invoke_confirm(self, event)

    def execute(self, context: bpy.types.Context) -> set[str]:
        if not self.task_id:
            self.report({"ERROR"}, "Give the id of the task to delete.")
            return {"CANCELLED"}
        service = runtime.service()
        try:  # the UI never waits on the network: deleted in the background (inline in background Blender)
            service.delete_task(kind_from_id(self.kind), self.task_id)
        except MeshyError as exc:
            self.report({"ERROR"}, tr_report(messages.explain(exc)))
            return {"CANCELLED"}
        if not bpy.app.background:
            self.report({"INFO"}, tr_report(f"Deleting Meshy task {self.task_id}."))
            return {"FINISHED"}
        if service.last_error:
            self.report({"ERROR"}, tr_report(service.last_error))
            return {"CANCELLED"}
        self.report({"INFO"}, tr_report(f"Deleted Meshy task {self.task_id}."))
        return {"FINISHED"}


class MESHY_OT_import_task(bpy.types.Operator):
    """Import the result of any Meshy task by its id (from the local cache when it is there)"""

    bl_idname = "meshy.import_task"
    bl_label = "Import Meshy Task"
    bl_options = {"REGISTER"}

    task_id: StringProperty(name="Task ID", description="The id of a Meshy task")  # type: ignore[valid-type]
    kind: EnumProperty(  # type: ignore[valid-type]
        name="Kind", items=KIND_ITEMS, default="AUTO", translation_context=CONTEXT,
    )
    source: StringProperty(  # type: ignore[valid-type]
        name="Place On", description="An object whose place the result takes (empty: the 3D cursor)",
    )
    keep_original: BoolProperty(  # type: ignore[valid-type]
        name="Keep Original", default=True,
        description="Keep the object it lands on, hidden (off: replace it); not given: the preferences decide",
    )

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        if not self.task_id:
            return context.window_manager.invoke_props_dialog(self)
        return self.execute(context)

    def execute(self, context: bpy.types.Context) -> set[str]:
        task_id = self.task_id.strip()
        if not task_id:
            self.report({"ERROR"}, "Give the id of the Meshy task to import.")
            return {"CANCELLED"}
        service = runtime.service()
        keep = self.keep_original if self.properties.is_property_set("keep_original") else None
        try:
            job_id, names = service.import_task(task_id, _kind(self.kind), source=self.source, keep_original=keep,
                                                settings=service.settings())
        except Exception as exc:  # a refusal (offline, no key) or a failed import from the cache
            self.report({"ERROR"}, tr_report(messages.explain(exc, "importing the result")))
            return {"CANCELLED"}
        if job_id is None:
            self.report({"INFO"}, tr_report(f"Imported {', '.join(names)} from the local copy."))
            return {"FINISHED"}
        if not bpy.app.background:
            self.report({"INFO"}, tr_report(f"Fetching Meshy task {task_id}; it is imported when ready."))
            return {"FINISHED"}
        service.wait([job_id])
        entry = service.tasks[job_id]
        if entry.state != JobState.IMPORTED:
            self.report({"ERROR"}, tr_report(entry.message or f"Meshy task {task_id} could not be imported."))
            return {"CANCELLED"}
        self.report({"INFO"}, tr_report(f"Imported {', '.join(entry.objects)}."))
        return {"FINISHED"}


class MESHY_OT_resume(bpy.types.Operator):
    """Follow Meshy tasks that were running when Blender closed, and import them when done"""

    bl_idname = "meshy.resume"
    bl_label = "Resume Meshy Tasks"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        service = runtime.service()
        settings = service.settings()
        try:
            service.engine(settings)  # refuses offline or without a key
        except MeshyError as exc:
            self.report({"ERROR"}, tr_report(exc.message))
            return {"CANCELLED"}
        service.resume(settings)  # followed already since start-up or load: these are kept
        active = [e.job_id for e in service.tasks.values() if e.active]
        if bpy.app.background and active:
            service.wait(active)
        failed = [service.tasks[j] for j in active if service.tasks[j].state == JobState.FAILED]
        if failed:
            self.report({"ERROR"}, tr_report("; ".join(f"{e.label}: {e.message}" for e in failed)))
            return {"CANCELLED"}
        self.report({"INFO"}, tr_report(f"Meshy: following {len(active)} task(s)."))
        return {"FINISHED"}


classes = (MESHY_OT_cancel_task, MESHY_OT_delete_task, MESHY_OT_import_task, MESHY_OT_resume)
