"""Operators on tasks that already exist: stop waiting, delete, import, resume."""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty

from .. import preferences
from ..client.engine import Job, cached_files
from ..client.errors import MeshyError
from ..core import messages
from ..core.params import KIND_ITEMS as KINDS_ITEMS
from ..core.params import kind_from_id
from ..core.requests import keep_original
from .runtime import RUNTIME, TaskEntry, UserError, run_in_background

KIND_ITEMS = [("AUTO", "Any", "Look the id up under every kind"), *KINDS_ITEMS]


def _kind(identifier: str) -> str | None:
    return None if identifier == "AUTO" else kind_from_id(identifier)


def _entry(job_id: str, task_id: str) -> TaskEntry | None:
    if job_id and job_id in RUNTIME.tasks:
        return RUNTIME.tasks[job_id]
    return next((e for e in RUNTIME.tasks.values() if task_id and e.task_id == task_id), None)


class MESHY_OT_cancel_task(bpy.types.Operator):
    """Stop waiting for a Meshy task here; it keeps running on Meshy and can be imported later"""

    bl_idname = "meshy.cancel_task"
    bl_label = "Stop Waiting for Meshy Task"
    bl_options = {"REGISTER", "INTERNAL"}

    job_id: StringProperty(name="Job")  # type: ignore[valid-type]
    task_id: StringProperty(name="Task ID")  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        entry = _entry(self.job_id, self.task_id)
        if entry is None or not entry.active or RUNTIME.engine is None:
            self.report({"ERROR"}, "That Meshy task is not running here.")
            return {"CANCELLED"}
        RUNTIME.engine.cancel(entry.job_id)
        RUNTIME.pump()
        self.report({"INFO"}, messages.STOPPED_WAITING)
        return {"FINISHED"}


class MESHY_OT_delete_task(bpy.types.Operator):
    """Delete a task and its results on Meshy's server (cannot be undone)"""

    bl_idname = "meshy.delete_task"
    bl_label = "Delete Meshy Task"
    bl_options = {"REGISTER", "INTERNAL"}

    task_id: StringProperty(name="Task ID")  # type: ignore[valid-type]
    kind: EnumProperty(name="Kind", items=KIND_ITEMS[1:])  # type: ignore[valid-type]

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        return context.window_manager.invoke_confirm(self, event)

    def execute(self, context: bpy.types.Context) -> set[str]:
        if not self.task_id:
            self.report({"ERROR"}, "Give the id of the task to delete.")
            return {"CANCELLED"}
        try:
            client = RUNTIME.make_client(context)
        except MeshyError as exc:
            self.report({"ERROR"}, messages.explain(exc))
            return {"CANCELLED"}
        kind, task_id = _kind(self.kind), self.task_id

        def done(_result: object, error: BaseException | None) -> None:
            RUNTIME.last_error = messages.explain(error, "deleting the task") if error else ""
            if error is None:
                _forget(task_id)

        # The UI never waits on the network: a thread deletes, a timer reports (inline in background).
        run_in_background(lambda: client.delete(kind, task_id), done)
        if bpy.app.background and RUNTIME.last_error:
            self.report({"ERROR"}, RUNTIME.last_error)
            return {"CANCELLED"}
        self.report({"INFO"}, f"Deleting Meshy task {task_id}." if not bpy.app.background
                    else f"Deleted Meshy task {task_id}.")
        return {"FINISHED"}


def _forget(task_id: str) -> None:
    from .runtime import journal

    for entry in list(RUNTIME.tasks.values()):
        if entry.task_id == task_id:
            journal().record(entry.job_id, "deleted", task_id=task_id, kind=entry.kind)
            del RUNTIME.tasks[entry.job_id]
    RUNTIME.history_dirty = True


class MESHY_OT_import_task(bpy.types.Operator):
    """Import the result of any Meshy task by its id (from the local cache when it is there)"""

    bl_idname = "meshy.import_task"
    bl_label = "Import Meshy Task"
    bl_options = {"REGISTER"}

    task_id: StringProperty(name="Task ID", description="The id of a Meshy task")  # type: ignore[valid-type]
    kind: EnumProperty(name="Kind", items=KIND_ITEMS, default="AUTO")  # type: ignore[valid-type]
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
        from ..scene import importing
        from .runtime import journal

        task_id = self.task_id.strip()
        if not task_id:
            self.report({"ERROR"}, "Give the id of the Meshy task to import.")
            return {"CANCELLED"}
        kind = _kind(self.kind)
        record = journal().find_task(task_id)
        if kind is None and record and record.get("kind"):
            kind = record["kind"]
        label = (record or {}).get("label") or task_id[:8]
        settings = preferences.settings(context)
        chosen = self.keep_original if self.properties.is_property_set("keep_original") else None
        meta = {"label": label, "source": self.source, "keep_original": keep_original(chosen, settings),
                "settings": ((record or {}).get("meta") or {}).get("settings", {})}
        files = cached_files(settings.download_dir, kind, task_id) if kind else None
        if files:  # offline re-import from the local cache
            try:
                names = importing.import_result(kind, files, meta, task_id)
            except Exception as exc:
                self.report({"ERROR"}, messages.explain(exc, "importing the result"))
                return {"CANCELLED"}
            self.report({"INFO"}, f"Imported {', '.join(names)} from the local copy.")
            return {"FINISHED"}
        try:  # follow the existing task (never creates); kind None is looked up by id
            job_id = RUNTIME.submit(Job(kind=kind, task_id=task_id, label=label, meta=meta), context)
        except MeshyError as exc:
            self.report({"ERROR"}, messages.explain(exc))
            return {"CANCELLED"}
        if not bpy.app.background:
            self.report({"INFO"}, f"Fetching Meshy task {task_id}; it is imported when ready.")
            return {"FINISHED"}
        RUNTIME.wait([job_id])
        entry = RUNTIME.tasks[job_id]
        if entry.state != "imported":
            self.report({"ERROR"}, entry.message or f"Meshy task {task_id} could not be imported.")
            return {"CANCELLED"}
        self.report({"INFO"}, f"Imported {', '.join(entry.objects)}.")
        return {"FINISHED"}


class MESHY_OT_resume(bpy.types.Operator):
    """Follow Meshy tasks that were running when Blender closed, and import them when done"""

    bl_idname = "meshy.resume"
    bl_label = "Resume Meshy Tasks"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            RUNTIME.get_engine(context)
        except UserError as exc:
            self.report({"ERROR"}, exc.message)
            return {"CANCELLED"}
        RUNTIME.resume(context)  # followed already since start-up or load: these are kept
        active = [e.job_id for e in RUNTIME.tasks.values() if e.active]
        if bpy.app.background and active:
            RUNTIME.wait(active)
        failed = [RUNTIME.tasks[j] for j in active if RUNTIME.tasks[j].state == "failed"]
        if failed:
            self.report({"ERROR"}, "; ".join(f"{e.label}: {e.message}" for e in failed))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Meshy: following {len(active)} task(s).")
        return {"FINISHED"}


classes = (MESHY_OT_cancel_task, MESHY_OT_delete_task, MESHY_OT_import_task, MESHY_OT_resume)
