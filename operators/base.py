"""What every Meshy operator shares: refuse clearly, submit, then wait.

``execute`` gathers and checks everything on the main thread and hands jobs to
the engine. From there:

- invoked from the UI (or ``'INVOKE_DEFAULT'``): a modal operator on a window
  timer pumps events, shows progress in the status bar, and ESC stops waiting
  without losing the task;
- executed from Python with a window: returns at once, and the app timer
  imports the result when it arrives (the UI never waits on the network);
- in background Blender (no timers fire there): blocks until done, printing
  progress, so ``blender -b --python`` scripts get their result in one call.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import bpy

from .. import preferences
from ..client.engine import Job
from ..client.errors import MeshyError
from ..client.models import request_from_dict
from ..client.uploads import FileInput
from . import messages
from .params import PARAMS, api_value, to_api
from .runtime import RUNTIME, TaskEntry, require_online, upload_dir

log = logging.getLogger("meshy")


class MeshyJobOperator:
    """Mixin for the four task operators; subclasses implement ``build_jobs``."""

    kind = ""
    bl_options = {"REGISTER"}
    _job_ids: tuple[str, ...] = ()
    _timer = None

    # -- to implement ------------------------------------------------------

    def build_jobs(self, context: bpy.types.Context) -> list[Job]:
        raise NotImplementedError

    # -- helpers for subclasses ---------------------------------------------

    def api_args(self) -> dict[str, Any]:
        """Parameters the caller set, as API values (only these are sent)."""
        args: dict[str, Any] = {}
        for param in PARAMS[self.kind]:
            if not param.api:
                continue
            value = getattr(self, param.name)
            if param.type in {"files", "urls"}:
                if len(value):
                    args[param.name] = to_api(param, value)
            elif self.properties.is_property_set(param.name):
                if param.type == "str" and value == "":
                    continue
                if param.name == "decimation_mode" and value == 0:
                    continue  # 0 means "not set": the enum-less way to say none
                args[param.name] = to_api(param, value)
        if "ai_model" not in args and any(p.name == "ai_model" for p in PARAMS[self.kind]):
            s = preferences.settings()
            default = s.default_image_model if self.kind == "image-to-image" else s.default_mesh_model
            if self.kind == "image-to-image" or default != "LATEST":
                args["ai_model"] = api_value(default)  # the user's default model from the preferences
        if "target_formats" in args and "glb" not in args["target_formats"]:
            args["target_formats"] = ["glb", *args["target_formats"]]  # the add-on imports GLB
        return args

    def make_request(self, args: dict[str, Any]) -> Any:
        """A validated request model; a broken rule raises one sentence."""
        request = request_from_dict(self.kind, args)
        request.validate()
        return request

    def job(self, request: Any, label: str, **meta: Any) -> Job:
        settings = {k: v for k, v in request.to_payload().items() if not _is_upload(v)}
        if hasattr(self, "keep_original"):  # the preference unless the caller chose
            keep = self.keep_original if self.properties.is_property_set("keep_original") else None
            meta.setdefault("keep_original", preferences.settings().keep_original if keep is None else keep)
        return Job(kind=self.kind, request=request, label=label,
                   meta={"label": label, "settings": settings, **meta})

    # -- Blender entry points ------------------------------------------------

    def execute(self, context: bpy.types.Context) -> set[str]:
        if not self._submit(context):
            return {"CANCELLED"}
        if bpy.app.background or context.window is None:
            return self._wait_here()
        self.report({"INFO"}, f"Meshy: {len(self._job_ids)} task(s) sent; the result is imported when ready.")
        return {"FINISHED"}

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        if bpy.app.background or context.window is None:
            return self.execute(context)
        if not self._submit(context):
            return {"CANCELLED"}
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.1, window=context.window)
        wm.modal_handler_add(self)
        self._status(context)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event: Any) -> set[str]:
        if event.type == "ESC":
            for job_id in self._job_ids:
                RUNTIME.engine.cancel(job_id)
            RUNTIME.pump()
            self._end(context)
            return self._report_outcome(self._entries())
        if event.type == "TIMER":
            RUNTIME.pump()
            entries = self._entries()
            if all(not e.active for e in entries):
                self._end(context)
                return self._report_outcome(entries)
            self._status(context, entries)
        return {"PASS_THROUGH"}

    # -- internals -------------------------------------------------------------

    def _submit(self, context: bpy.types.Context) -> bool:
        """Check and gather everything, then queue the jobs; False after a report."""
        jobs: list[Job] = []
        try:
            require_online()
            RUNTIME.get_engine(context)  # refuses without a key, before any export
            jobs = self.build_jobs(context)
            self._job_ids = [RUNTIME.submit(job, context) for job in jobs]
        except Exception as exc:
            _discard_uploads(jobs)
            if not isinstance(exc, (MeshyError, ValueError, OSError)):
                log.exception("Meshy %s failed before sending", self.kind)
            self.report({"ERROR"}, messages.explain(exc, f"preparing the {self.kind} task"))
            return False
        return True

    def _wait_here(self) -> set[str]:
        shown: dict[str, str] = {}

        def show(event: Any) -> None:
            entry = RUNTIME.tasks.get(event.job_id)
            if entry is None or event.type not in {"progress", "waiting", "created"}:
                return
            where = f", {entry.preceding_tasks} ahead in queue" if entry.preceding_tasks else ""
            line = f"Meshy {self.kind} {entry.label}: {entry.status or entry.state} {entry.progress}%{where}"
            if shown.get(event.job_id) != line:  # after a backlog many events repeat the newest state
                shown[event.job_id] = line
                print(line, file=sys.stderr, flush=True)

        RUNTIME.wait(self._job_ids, on_event=show)
        return self._report_outcome(self._entries())

    def _entries(self) -> list[TaskEntry]:
        return [RUNTIME.tasks[j] for j in self._job_ids if j in RUNTIME.tasks]

    def _report_outcome(self, entries: list[TaskEntry]) -> set[str]:
        failed = [e for e in entries if e.state == "failed"]
        if failed:
            text = "; ".join(f"{e.label}: {e.message.rstrip('.')}" for e in failed)
            self.report({"ERROR"}, f"Meshy {self.kind} failed for {text}.")
            return {"CANCELLED"}
        paused = [e for e in entries if e.state in {"suspended", "in_doubt"}]
        if paused:  # stopped unfinished: kept in the journal, Resume (or the next start) goes on
            self.report({"WARNING"}, " ".join(f"{e.label}: {e.message}" for e in paused))
            return {"CANCELLED"}
        if any(e.state == "canceled" for e in entries):  # Esc, or Stop Waiting in the task list
            self.report({"INFO"}, messages.STOPPED_WAITING)
            return {"CANCELLED"}
        made = sum(len(e.objects) for e in entries)
        self.report({"INFO"}, f"Meshy {self.kind}: done, {made} result(s) imported.")
        return {"FINISHED"}

    def _status(self, context: bpy.types.Context, entries: list[TaskEntry] | None = None) -> None:
        entries = entries or self._entries()
        parts = []
        for e in entries:
            where = f" ({e.preceding_tasks} ahead)" if e.preceding_tasks else ""
            parts.append(f"{e.label} {e.progress}%{where}" if e.state == "running" else f"{e.label} {e.state}")
        text = f"Meshy {self.kind}: " + ", ".join(parts) + "   Esc: stop waiting (the task keeps running)"
        if context.workspace:
            context.workspace.status_text_set(text)

    def _end(self, context: bpy.types.Context) -> None:
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None
        if context.workspace:
            context.workspace.status_text_set(None)


def _is_upload(value: Any) -> bool:
    if isinstance(value, FileInput):
        return True
    return isinstance(value, list) and any(isinstance(v, FileInput) for v in value)


def _discard_uploads(jobs: list[Job]) -> None:
    """Exported meshes and converted images of jobs that will not be sent."""
    root = upload_dir()
    for job in jobs:
        for value in (job.request.to_payload() if job.request else {}).values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, FileInput) and Path(item.path).parent == root:
                    Path(item.path).unlink(missing_ok=True)
