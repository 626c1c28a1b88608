"""What every task operator shares: refuse clearly, submit to the job service, then wait.

``execute`` reads the settings once, gathers and checks everything on the
main thread (a bad option costs no export) and hands the tasks to the job
service. From there:

- invoked from the UI (or ``'INVOKE_DEFAULT'``): modal, with progress in the
  status bar; the service's one timer drains the events and the modal
  handler only reads the task list; Esc stops waiting without losing the task;
- executed from Python with a window: returns at once, and the timer imports
  the result when it arrives (the UI never waits on the network);
- in background Blender (no timers fire there): blocks in ``service.wait()``,
  printing progress, so ``blender -b --python`` scripts get their result in one call.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import bpy

from .. import properties, runtime
from ..client.errors import MeshyError
from ..client.uploads import FileInput
from ..core import messages
from ..core.progress import Milestones
from ..core.requests import build_request
from ..core.settings import Settings
from ..core.states import JobState
from ..i18n.ui import tr, tr_report
from ..panels import dialogs
from ..scene import inputs
from ..service.jobs import Submission
from ..service.tasks import TaskEntry

log = logging.getLogger("meshy")


class JobOperator:
    """Mixin for the task operators; each implements ``submissions`` (what to send, from what)."""

    kind = ""
    bl_options = {"REGISTER"}
    _job_ids: tuple[str, ...] = ()
    _timer = None
    _settings: Settings | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A task operator's properties are its kind's rows of the parameter table (``core/params.py``)."""
        super().__init_subclass__(**kwargs)
        if cls.kind:
            own = cls.__dict__.get("__annotations__", {})
            cls.__annotations__ = {**properties.operator_annotations(cls.kind), **own}

    # -- to implement ------------------------------------------------------------

    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        raise NotImplementedError

    # -- for the subclasses --------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """What the caller set, as API values (only these are sent)."""
        return properties.caller_values(self, self.kind)

    @property
    def settings(self) -> Settings:
        """The settings of this submit, read once."""
        assert self._settings is not None
        return self._settings

    @property
    def uploads(self) -> Path:
        """Where this submit's exported meshes and converted images go (removed once sent)."""
        return self.settings.upload_dir

    def request(self, values: dict[str, Any], *, require_input: bool = True) -> Any:
        """A validated request from the caller's values and the preferences; a broken rule raises one sentence."""
        return build_request(self.kind, values, self.settings, require_input=require_input)

    def submission(self, values: dict[str, Any], label: str, **fields: Any) -> Submission:
        return Submission(self.kind, self.request(values), label, keep_original=values.get("keep_original"),
                          **fields)

    def per_selected_mesh(self, context: bpy.types.Context, values: dict[str, Any]) -> list[Submission]:
        """One task per selected mesh (chained by task id when unedited), or one for an explicit input.

        The options are checked before anything is exported, so a bad value costs
        no export and leaves no file behind.
        """
        if values.get("input_task_id") or values.get("model_url"):
            return [self.submission(values, str(values.get("input_task_id") or "model")[:24])]
        self.request(values, require_input=False)
        sources = inputs.model_inputs(context, self.kind, self.uploads)
        try:
            return [self.submission({**values, **item.fields()}, item.obj.name, source=item.obj.name,
                                    upload=Path(item.upload.path) if item.upload else None) for item in sources]
        except Exception:
            inputs.discard(sources)
            raise

    # -- Blender's entry points ----------------------------------------------------

    def execute(self, context: bpy.types.Context) -> set[str]:
        if not self._submit(context):
            return {"CANCELLED"}
        if bpy.app.background or context.window is None:
            return self._wait_here()
        sent = f"Meshy: {len(self._job_ids)} task(s) sent; the result is imported when ready."
        self.report({"INFO"}, tr_report(sent))
        return {"FINISHED"}

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        if bpy.app.background or context.window is None:
            return self.execute(context)
        if not self._submit(context):
            return {"CANCELLED"}
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.1, window=context.window)  # wakes this handler; it only reads
        wm.modal_handler_add(self)
        self._status(context)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event: Any) -> set[str]:
        if event.type == "ESC":
            for job_id in self._job_ids:
                runtime.service().cancel(job_id)
            self._end(context)
            return self._report_outcome(self._entries())
        if event.type == "TIMER":
            entries = self._entries()
            if all(not e.active for e in entries):
                self._end(context)
                return self._report_outcome(entries)
            self._status(context, entries)
        return {"PASS_THROUGH"}

    # -- internals -----------------------------------------------------------------

    def _submit(self, context: bpy.types.Context) -> bool:
        """Check and gather everything, then hand the tasks over; False after a report."""
        service = runtime.service()
        subs: list[Submission] = []
        try:
            self._settings = service.settings()  # read once for this submit
            service.engine(self._settings)  # refuses offline or without a key, before any export
            subs = self.submissions(context)
            self._job_ids = tuple(service.submit(subs, self._settings))
        except Exception as exc:
            _discard(subs, self._settings.upload_dir if self._settings else None)
            if not isinstance(exc, (MeshyError, ValueError, OSError)):
                log.exception("Meshy %s failed before sending", self.kind)
            self.report({"ERROR"}, tr_report(messages.explain(exc, f"preparing the {self.kind} task")))
            return False
        return True

    def _wait_here(self) -> set[str]:
        shown = Milestones()  # a line per state and per tenth, not per percent

        def show(event: Any, entry: TaskEntry | None) -> None:
            if entry is None or event.type not in {"progress", "waiting", "created"}:
                return
            where = f", {entry.preceding_tasks} ahead in queue" if entry.preceding_tasks else ""
            line = f"Meshy {self.kind} {entry.label}: {entry.status or entry.state} {entry.progress}%{where}"
            if shown.worth(event.job_id, f"{entry.status or entry.state}{where}", entry.progress):
                print(line, file=sys.stderr, flush=True)

        runtime.service().wait(self._job_ids, on_event=show)
        return self._report_outcome(self._entries())

    def _entries(self) -> list[TaskEntry]:
        tasks = runtime.service().tasks
        return [tasks[j] for j in self._job_ids if j in tasks]

    def _report_outcome(self, entries: list[TaskEntry]) -> set[str]:
        failed = [e for e in entries if e.state == JobState.FAILED]
        if failed:
            text = "; ".join(f"{e.label}: {e.message.rstrip('.')}" for e in failed)
            self.report({"ERROR"}, tr_report(f"Meshy {self.kind} failed for {text}."))
            return {"CANCELLED"}
        if any(e.state == JobState.CANCELED for e in entries):  # Esc, or Stop Waiting in the task list
            self.report({"INFO"}, tr_report(messages.STOPPED_WAITING))
            return {"CANCELLED"}
        kept = [e for e in entries if e.kept]
        if kept:  # stopped unfinished, not failed: kept in the journal, Resume (or the next start) goes on
            self.report({"WARNING"}, tr_report(" ".join(f"{e.label}: {e.message or messages.KEPT}" for e in kept)))
            return {"CANCELLED"}
        made = sum(len(e.objects) for e in entries)
        self.report({"INFO"}, tr_report(f"Meshy {self.kind}: done, {made} result(s) imported."))
        return {"FINISHED"}

    def _status(self, context: bpy.types.Context, entries: list[TaskEntry] | None = None) -> None:
        entries = entries or self._entries()
        parts = []
        for e in entries:
            where = f" ({e.preceding_tasks} ahead)" if e.preceding_tasks else ""
            parts.append(f"{e.label} {e.progress}%{where}" if e.state in (JobState.CREATED, JobState.FOLLOWING)
                         else f"{e.label} {e.state}")
        text = f"Meshy {self.kind}: " + ", ".join(parts) + "   Esc: stop waiting (the task keeps running)"
        if context.workspace:
            context.workspace.status_text_set(tr(text))

    def _end(self, context: bpy.types.Context) -> None:
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None
        if context.workspace:
            context.workspace.status_text_set(None)


def _discard(subs: list[Submission], upload_dir: Path | None) -> None:
    """Exported meshes and converted images of tasks that will not be sent."""
    for sub in subs:
        files = [sub.upload] if sub.upload is not None else []
        for value in sub.request.to_payload().values():
            files += [Path(v.path) for v in (value if isinstance(value, list) else [value]) if isinstance(v, FileInput)]
        for file in files:
            if file.parent == upload_dir:
                file.unlink(missing_ok=True)


class PromptJobOperator(JobOperator):
    """A kind started from a sentence (Text to 3D, Text to Image): F3 and the Add menu ask for it in a dialog."""

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        if not self.prompt and not bpy.app.background and context.window is not None:
            return context.window_manager.invoke_props_dialog(self, width=440)
        return super().invoke(context, event)

    def draw(self, context: bpy.types.Context) -> None:
        dialogs.draw_dialog(self.layout, self, self.kind)
