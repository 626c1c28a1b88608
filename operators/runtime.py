"""The add-on's live state on the main thread: one job engine, the task list.

The engine's workers run the network; this module is the only place that
drains their events (``pump``), on whichever main-thread tick comes first: a
modal operator's window timer, a ``bpy.app.timers`` callback, or the blocking
loop used in background Blender, where no timer fires. Finished results are
handed to ``importing`` here, on the main thread.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpy

from .. import preferences
from ..client import MeshyClient
from ..client.engine import Job, JobEngine, JobEvent
from ..client.errors import MeshyError
from ..client.journal import Journal
from . import glb, messages

log = logging.getLogger("meshy")

PUMP_INTERVAL = 0.1


class UserError(MeshyError):
    """A refusal we explain to the user before any network call."""


@dataclass
class TaskEntry:
    """One row of the task list, fed by engine events."""

    job_id: str
    kind: str
    label: str
    meta: dict[str, Any] = field(default_factory=dict)
    task_id: str | None = None
    state: str = "queued"  # queued waiting running succeeded imported failed canceled suspended in_doubt
    status: str = ""
    progress: int = 0
    preceding_tasks: int | None = None
    message: str = ""
    files: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    finished: float | None = None
    objects: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.state in {"queued", "waiting", "running"}

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started


class Runtime:
    """Holds the engine for the current settings and the task list."""

    def __init__(self) -> None:
        self.engine: JobEngine | None = None
        self._engine_key: tuple[Any, ...] | None = None
        self.tasks: dict[str, TaskEntry] = {}
        self.last_error: str = ""
        self.balance: int | None = None
        self.key_status: str = ""  # "", "works", "rejected"
        self.history_dirty = True
        # Which open file a job belongs to: a new token whenever a file is loaded, kept when the
        # file is saved (or saved under a new name) so a result finds its way back to it.
        self.file_token = uuid.uuid4().hex
        self.listeners: list[Any] = []

    # -- engine ------------------------------------------------------------

    def make_client(self, context: bpy.types.Context | None = None) -> MeshyClient:
        """A client for the current settings; refuses offline or without a key."""
        s = preferences.settings(context)
        require_online()
        if not s.api_key:
            raise UserError(
                "No Meshy API key is set: add it in Edit > Preferences > Add-ons > Meshy Tools, "
                "or set MESHY_API_KEY"
            )
        proxies = {"http": s.proxy, "https": s.proxy} if s.proxy else None
        return MeshyClient(s.api_key, base_url=s.base_url, proxies=proxies, verify=s.ca_bundle or True)

    def get_engine(self, context: bpy.types.Context | None = None) -> JobEngine:
        """The engine, made anew when the key, URL or limits changed and it is idle."""
        s = preferences.settings(context)
        key = (hash(s.api_key), s.base_url, s.max_in_flight, s.proxy, s.ca_bundle, str(s.download_dir))
        if self.engine is not None and key != self._engine_key and not self.engine.active_jobs():
            self.engine.close()
            self.engine = None
        if self.engine is None:
            self.engine = JobEngine(
                self.make_client(context),
                journal=journal(),
                download_dir=s.download_dir,
                max_in_flight=s.max_in_flight,
                after_download=glb.prepare_for_import,
            )
            self._engine_key = key
        return self.engine

    def submit(self, job: Job, context: bpy.types.Context | None = None) -> str:
        engine = self.get_engine(context)
        job.meta.setdefault("blend", bpy.data.filepath)
        job.meta.setdefault("file_token", self.file_token)
        job_id = engine.submit(job)
        self.tasks[job_id] = TaskEntry(job_id, job.kind_name, job.label, job.meta, task_id=job.task_id)
        ensure_timer()
        return job_id

    def shutdown(self) -> None:
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    # -- main-thread tick --------------------------------------------------

    def pump(self, wait: float = 0.0) -> list[JobEvent]:
        """Drain engine events, update the task list, import finished results."""
        if self.engine is None:
            return []
        events = self.engine.drain(wait)
        for event in _latest_progress_only(events):
            self._apply(event)
        if any(e.type != "queued" for e in events):
            _redraw()
        return events

    def _apply(self, event: JobEvent) -> None:
        entry = self.tasks.get(event.job_id)
        if entry is None:
            entry = self.tasks[event.job_id] = TaskEntry(event.job_id, event.kind, event.label, event.meta)
        if event.task_id:
            entry.task_id = event.task_id
        if event.kind:
            entry.kind = event.kind  # known only now for an id imported with kind "any"
        if event.type in {"created", "failed", "canceled", "suspended", "in_doubt"} and entry.meta.get("upload"):
            _remove_upload(entry.meta["upload"])
        if event.type == "progress":
            entry.state, entry.status = "running", event.status or entry.status
            entry.progress, entry.preceding_tasks = event.progress, event.preceding_tasks
        elif event.type == "waiting":
            entry.state, entry.message = "waiting", event.message
        elif event.type == "created":
            entry.state, entry.status = "running", "PENDING"
        elif event.type in {"failed", "canceled"}:
            message = messages.explain(event.error) if event.error is not None else event.message
            entry.state, entry.message, entry.finished = event.type, message, time.time()
        elif event.type in {"suspended", "in_doubt"}:  # stopped here unfinished: Resume picks it up
            entry.state, entry.message, entry.finished = event.type, event.message, time.time()
        elif event.type == "succeeded":
            entry.files, entry.progress, entry.status = event.files, 100, "SUCCEEDED"
            entry.finished, entry.timings = time.time(), dict(event.timings)
            self._import(entry)
            entry.timings["in_scene"] = time.time()
        for listener in list(self.listeners):
            listener(event, entry)

    def _import(self, entry: TaskEntry) -> None:
        from . import importing

        entry.state = "succeeded"
        if not entry.meta.get("auto_import", True) or not self.belongs_here(entry.meta):
            return  # made for another file, or fetch-only: the task list offers Import
        try:
            entry.objects = importing.import_result(entry.kind, entry.files, entry.meta, entry.task_id or "")
        except Exception as exc:  # the scene is rolled back by importing; say why in one sentence
            log.exception("import of Meshy task %s failed", entry.task_id)
            entry.state, entry.message = "failed", messages.explain(exc, "importing the result")
            return
        entry.state = "imported"
        journal().record(entry.job_id, "imported", task_id=entry.task_id, kind=entry.kind, objects=entry.objects)

    def belongs_here(self, meta: dict[str, Any]) -> bool:
        """Was the job started from the file open now (this session, or saved at this path)?"""
        if meta.get("file_token") == self.file_token:
            return True
        return bool(meta.get("blend")) and meta.get("blend") == bpy.data.filepath

    def wait(self, job_ids: list[str], *, on_event: Any = None, timeout: float | None = None) -> None:
        """Block the main thread until the jobs end (background Blender only)."""
        pending = set(job_ids)
        deadline = None if timeout is None else time.monotonic() + timeout
        while pending:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{len(pending)} Meshy task(s) did not finish in time")
            for event in self.pump(wait=0.25):
                if on_event:
                    on_event(event)
            pending = {j for j in pending if self.tasks.get(j) and self.tasks[j].active}

    # -- resume --------------------------------------------------------------

    def resume(self, context: bpy.types.Context | None = None) -> list[str]:
        """Re-attach journalled tasks; re-import finished ones made for this file."""
        jobs = journal().jobs()
        if not jobs:
            return []
        try:
            engine = self.get_engine(context)
        except MeshyError as exc:
            self.last_error = exc.message
            return []
        resumed = engine.resume()
        for job_id in resumed:
            rec = jobs[job_id]
            self.tasks[job_id] = TaskEntry(job_id, rec["kind"], rec.get("label", ""), rec.get("meta") or {},
                                           task_id=rec.get("task_id"), state="running",
                                           started=rec.get("time", time.time()))
        for job_id, rec in jobs.items():
            if rec.get("state") == "succeeded" and self.belongs_here(rec.get("meta") or {}):
                files = engine.cached_files(rec["kind"], rec.get("task_id", ""))
                if files:
                    entry = TaskEntry(job_id, rec["kind"], rec.get("label", ""), rec.get("meta") or {},
                                      task_id=rec.get("task_id"), files=files, finished=rec.get("time"))
                    self.tasks[job_id] = entry
                    self._import(entry)
        if resumed:
            ensure_timer()
        return resumed


RUNTIME = Runtime()


def _latest_progress_only(events: list[JobEvent]) -> list[JobEvent]:
    """Drop progress events that a later progress event of the same job supersedes.

    After a busy moment a tick can hold hundreds of events; only the newest
    progress per job changes what the user sees, so the tick stays short.
    """
    latest = {e.job_id: i for i, e in enumerate(events) if e.type == "progress"}
    return [e for i, e in enumerate(events) if e.type != "progress" or latest[e.job_id] == i]


_JOURNALS: dict[Path, Journal] = {}


def journal() -> Journal:
    """The user's journal; one object per path so its lock covers every writer."""
    path = preferences.user_dir() / "journal.jsonl"
    return _JOURNALS.setdefault(path, Journal(path))


def require_online() -> None:
    """No call leaves the machine unless the user allowed online access."""
    if not bpy.app.online_access:
        raise UserError(
            "Online access is off: allow it in Edit > Preferences > System > Network > Allow Online Access "
            "(or start Blender with --online-mode)"
        )


def upload_dir() -> Path:
    path = preferences.user_dir() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_upload(path: str) -> None:
    """An exported mesh is not needed once Meshy has it (or the job ended)."""
    file = Path(path)
    if file.parent == upload_dir():
        file.unlink(missing_ok=True)


def _timer() -> float | None:
    try:
        RUNTIME.pump()
    except Exception:  # a timer that raises is unregistered by Blender: keep it alive, log it
        log.exception("Meshy event pump failed")
    engine = RUNTIME.engine
    return PUMP_INTERVAL if engine is not None and engine.active_jobs() else None


def ensure_timer() -> None:
    """Pump events on app timers while jobs run (not in background: no timers there)."""
    if bpy.app.background:
        return
    if not bpy.app.timers.is_registered(_timer):
        bpy.app.timers.register(_timer, first_interval=PUMP_INTERVAL, persistent=True)


def _redraw() -> None:
    wm = getattr(bpy.context, "window_manager", None)
    if wm is None:
        return
    for window in wm.windows:
        for area in window.screen.areas:
            if area.type in {"VIEW_3D", "IMAGE_EDITOR"}:
                area.tag_redraw()


@bpy.app.handlers.persistent
def _on_load_post(*_args: Any) -> None:
    RUNTIME.file_token = uuid.uuid4().hex  # another file: results of earlier jobs do not land in it
    RUNTIME.resume()


def register() -> None:
    bpy.app.handlers.load_post.append(_on_load_post)
    try:  # nothing writes the journal yet: keep it one line per job, recent ones only
        journal().compact()
    except OSError:
        log.exception("could not compact the Meshy journal")
    if bpy.app.online_access:
        if bpy.app.background:
            RUNTIME.resume()
        else:  # after start-up, once the file is loaded
            bpy.app.timers.register(lambda: (RUNTIME.resume(), None)[1], first_interval=0.5)


def unregister() -> None:
    if _on_load_post in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_on_load_post)
    if bpy.app.timers.is_registered(_timer):
        bpy.app.timers.unregister(_timer)
    RUNTIME.shutdown()


def run_in_background(work: Any, done: Any, *, poll: float = 0.1) -> None:
    """Run ``work()`` on a thread and ``done(result, error)`` on the main thread.

    ``work`` must not touch bpy. In background Blender no timer fires, so
    ``work`` runs inline there (scripts and tests get the result at once).
    """
    import threading

    if bpy.app.background:
        try:
            result, error = work(), None
        except Exception as exc:
            result, error = None, exc
        done(result, error)
        return
    box: list[tuple[Any, BaseException | None]] = []

    def target() -> None:
        try:
            box.append((work(), None))
        except Exception as exc:  # handed to the main thread as a value
            box.append((None, exc))

    def check() -> float | None:
        if not box:
            return poll
        try:
            done(*box[0])
        except Exception:  # a timer that raises is dropped by Blender: log instead
            log.exception("Meshy background callback failed")
        _redraw()
        return None

    threading.Thread(target=target, daemon=True, name="meshy-ui").start()
    bpy.app.timers.register(check, first_interval=poll)


def redraw_areas() -> None:
    """Redraw the 3D Viewport and Image Editor (the areas showing Meshy panels)."""
    _redraw()
