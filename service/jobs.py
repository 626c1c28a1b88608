"""The job service: the one way a job goes, for the sidebar, the operators and the batch.

For a Blender session (``runtime.py``) or one batch run it owns:

- the settings: a snapshot read once per submit (``settings()``) and handed on;
- the one client factory (``client()``): online access, the key, proxy, CA bundle;
- the engine (``engine()``), made anew when the key, address or limits change and it is idle;
- every journal line beside the engine's own (``records()``, typed);
- the task list (``tasks``), fed by ``pump()`` on the main thread's one timer, or by
  ``wait()`` where no timer runs (background Blender, the batch);
- the account and history state the panels show (``account``, ``history``).

What only Blender can do is injected: ``importer`` brings a finished task into
the scene on the main thread, ``online`` says whether Blender may go online,
``redraw`` and ``wake`` nudge the UI and the timer. So the service has no bpy
and tier 1 runs it against the emulator.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..client import MeshyClient
from ..client.engine import Job, JobEngine, JobEvent, cached_files
from ..client.errors import MeshyError
from ..client.journal import Journal
from ..core import glb, messages, requests
from ..core.errors import UserError
from ..core.params import IMAGE_KINDS, MODEL_KINDS
from ..core.settings import Settings
from ..core.states import JobState
from .account import Account
from .background import Background
from .chains import Chains
from .history import History
from .records import Records
from .tasks import Imported, TaskEntry, TaskList, latest_progress_only

log = logging.getLogger("meshy")

#: ``importer(kind, files, meta, task_id)``: the result into the scene (main thread), or raise.
Importer = Callable[[str, dict[str, str], dict[str, Any], str], Imported]
NO_KEY = ("No Meshy API key is set: add it in Edit > Preferences > Add-ons > Meshy Tools, "
          "or set MESHY_API_KEY")
OFFLINE = ("Online access is off: allow it in Edit > Preferences > System > Network > Allow Online Access "
           "(or start Blender with --online-mode)")


class WaitTimeout(TimeoutError):
    """``wait()`` gave up; the jobs go on (and are in the journal)."""


@dataclass
class Submission:
    """One task to create: a validated request and what to do with its result."""

    kind: str
    request: Any
    label: str
    source: str = ""  # the object whose place the result takes ("" : the 3D cursor)
    upload: Path | None = None  # a file made for this task, removed once Meshy has it
    keep_original: bool | None = None  # None: the preferences decide
    pack_images: bool = False
    meta: dict[str, Any] = field(default_factory=dict)  # the caller's own (the batch's asset key)
    outputs: tuple[str, ...] | None = None
    job_id: str | None = None


class JobService:
    """Settings, client, engine, journal and task list of one session or one batch run."""

    def __init__(
        self,
        read_settings: Callable[[], Settings],
        *,
        importer: Importer,
        online: Callable[[], bool] = lambda: True,
        redraw: Callable[[], None] = lambda: None,
        wake: Callable[[], None] = lambda: None,
        background: Background | None = None,
        current_file: Callable[[], str] = lambda: "",
        belongs: Callable[[dict[str, Any]], bool] | None = None,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self._read_settings = read_settings
        self._importer = importer
        self.online = online
        self._redraw, self._wake, self._current_file, self._belongs = redraw, wake, current_file, belongs
        self._client_options = dict(client_options or {})
        self.background = background or Background(inline=True)
        self.tasks = TaskList()
        self.account = Account(self)
        self.history = History(self)
        self.chains = Chains(self, Submission)  # Text to 3D's refine after its preview: one job, two tasks
        self.listeners: list[Callable[[JobEvent, TaskEntry], None]] = [self.account.on_event, self.chains.on_event]
        self.last_error = ""
        # Which open file a job belongs to: a new token whenever a file is loaded, kept when the
        # file is saved (or saved under a new name) so a result finds its way back to it.
        self.file_token = uuid.uuid4().hex
        self._engine: JobEngine | None = None
        self._engine_key: tuple[Any, ...] | None = None
        self._journals: dict[Path, Journal] = {}
        self._upload_dir: Path | None = None

    # -- settings, client, engine, journal ------------------------------------------

    def settings(self) -> Settings:
        """A fresh snapshot of the preferences (env wins): read once per submit."""
        return self._read_settings()

    def require_online(self) -> None:
        """No call leaves the machine unless the user allowed online access."""
        if not self.online():
            raise UserError(OFFLINE)

    def client(self, settings: Settings | None = None) -> MeshyClient:
        """The one client factory; refuses offline or without a key, before anything is sent."""
        s = settings or self.settings()
        self.require_online()
        if not s.api_key:
            raise UserError(NO_KEY)
        proxies = {"http": s.proxy, "https": s.proxy} if s.proxy else None
        return MeshyClient(s.api_key, base_url=s.base_url, proxies=proxies, verify=s.ca_bundle or True,
                           **self._client_options)

    def engine(self, settings: Settings | None = None) -> JobEngine:
        """The engine for these settings: made anew when they changed and it is idle."""
        s = settings or self.settings()
        key = (hash(s.api_key), s.base_url, s.max_in_flight, s.proxy, s.ca_bundle, str(s.download_dir),
               str(s.journal_path))
        if self._engine is not None and key != self._engine_key and not self._engine.active_jobs():
            self.shutdown()
        if self._engine is None:
            self._engine = JobEngine(self.client(s), journal=self.journal(s), download_dir=s.download_dir,
                                     max_in_flight=s.max_in_flight, after_download=glb.prepare_for_import)
            self._engine_key = key
        self._upload_dir = s.upload_dir
        return self._engine

    @property
    def current_engine(self) -> JobEngine | None:
        return self._engine

    def journal(self, settings: Settings | None = None) -> Journal:
        """One journal object per path, so its lock covers every writer in this process."""
        path = (settings or self.settings()).journal_path
        return self._journals.setdefault(path, Journal(path))

    def records(self, settings: Settings | None = None) -> Records:
        """The typed journal writer: of these settings, else of the engine at work."""
        if settings is None and self._engine is not None and self._engine.journal is not None:
            return Records(self._engine.journal)
        return Records(self.journal(settings))

    # -- jobs --------------------------------------------------------------------------

    def submit(self, submissions: Iterable[Submission], settings: Settings) -> list[str]:
        """Hand tasks to the engine (no network on this thread); returns their job ids."""
        engine = self.engine(settings)
        ids = []
        for sub in submissions:
            job = Job(kind=sub.kind, request=sub.request, label=sub.label,
                      outputs=sub.outputs or requests.outputs_for(sub.kind, sub.request),
                      meta=self._meta(sub, settings))
            if sub.job_id:
                job.job_id = sub.job_id
            ids.append(engine.submit(job))
            self.tasks.add(job.job_id, job.kind_name, job.label, job.meta)
        self._wake()
        return ids

    def follow(self, kind: str | None, task_id: str, *, label: str, meta: dict[str, Any], settings: Settings,
               job_id: str | None = None, outputs: tuple[str, ...] | None = None) -> str:
        """Follow a task that exists already (never creates); kind None looks the id up."""
        engine = self.engine(settings)
        meta = {**meta, "blend": meta.get("blend", self._current_file()),
                "file_token": meta.get("file_token", self.file_token)}
        job_id = engine.attach(kind, task_id, label=label, meta=meta, outputs=outputs, job_id=job_id)
        self.tasks.add(job_id, kind or "", label, meta, task_id=task_id, state=JobState.FOLLOWING)
        self._wake()
        return job_id

    def _meta(self, sub: Submission, settings: Settings) -> dict[str, Any]:
        meta: dict[str, Any] = {"label": sub.label, "settings": requests.recorded_settings(sub.request)}
        if sub.source:
            meta["source"] = sub.source
        if sub.upload is not None:
            meta["upload"] = str(sub.upload)
        if sub.kind in MODEL_KINDS:
            meta["keep_original"] = requests.keep_original(sub.keep_original, settings)
        if sub.kind in IMAGE_KINDS:
            meta["pack_images"] = sub.pack_images
        meta.update(sub.meta)
        meta.setdefault("blend", self._current_file())
        meta.setdefault("file_token", self.file_token)
        return meta

    def import_task(self, task_id: str, kind: str | None, *, source: str = "", keep_original: bool | None = None,
                    settings: Settings) -> tuple[str | None, list[str]]:
        """Import any task by id: from the local cache at once (offline), else follow it.

        Returns ``(None, names)`` after an import from the cache, ``(job_id, [])`` when it is fetched.
        """
        record = self.records(settings).find_task(task_id) or {}
        kind = kind or record.get("kind") or None
        label = record.get("label") or task_id[:8]
        meta = {"label": label, "source": source, "keep_original": requests.keep_original(keep_original, settings),
                "settings": (record.get("meta") or {}).get("settings", {})}
        files = cached_files(settings.download_dir, kind, task_id) if kind else None
        if files:
            return None, self.import_files(kind, files, meta, task_id)
        return self.follow(kind, task_id, label=label, meta=meta, settings=settings), []

    def import_files(self, kind: str, files: dict[str, str], meta: dict[str, Any], task_id: str,
                     job_id: str | None = None, settings: Settings | None = None) -> list[str]:
        """Import downloaded files now (raises on failure); journalled when ``job_id`` is given."""
        made = self._importer(kind, files, meta, task_id)
        if job_id:
            self.records(settings).imported(job_id, kind=kind, task_id=task_id, objects=made.objects,
                                            blend=made.blend, files=files, meta=meta)
        return made.objects

    def import_finished(self, job_id: str, kind: str, task_id: str, files: dict[str, str], meta: dict[str, Any],
                        *, label: str = "", finished: float | None = None) -> TaskEntry:
        """A job that finished earlier (its files in the cache): imported as a live result would be."""
        entry = self.tasks.add(job_id, kind, label or meta.get("label", ""), meta, task_id=task_id, files=files,
                               finished=finished or time.time(), state=JobState.SUCCEEDED)
        self._import(entry)
        return entry

    def cancel(self, job_id: str) -> bool:
        """Stop following a job here; the task on Meshy keeps running and stays importable."""
        if self._engine is None or job_id not in self.tasks or not self.tasks[job_id].active:
            return False
        self._engine.cancel(job_id)
        self.tasks.stop_following(job_id)
        return True

    def delete_task(self, kind: str, task_id: str, settings: Settings | None = None) -> None:
        """Delete a task on Meshy in the background; ``last_error`` says why when it failed."""
        s = settings or self.settings()
        client = self.client(s)

        def done(_result: object, error: BaseException | None) -> None:
            self.last_error = messages.explain(error, "deleting the task") if error else ""
            if error is None:
                self._forget(kind, task_id, s)

        self.background.run(lambda: client.delete(kind, task_id), done)

    def _forget(self, kind: str, task_id: str, settings: Settings) -> None:
        records = self.records(settings)
        job_ids = {e.job_id for e in self.tasks.forget(task_id)}
        known = records.find_task(task_id)
        if known:
            job_ids.add(known["job_id"])
        for job_id in job_ids:
            records.deleted(job_id, kind=kind, task_id=task_id)
        self.history.dirty = True

    def resume(self, settings: Settings | None = None, *, import_finished: bool = True) -> list[str]:
        """Follow every unfinished job of the journal (the engine settles interrupted creates).

        With ``import_finished``, results that arrived but were never imported into the
        file open now are imported from the cache.
        """
        s = settings or self.settings()
        jobs = self.records(s).jobs()
        if not jobs:
            return []
        try:
            engine = self.engine(s)
        except MeshyError as exc:
            self.last_error = exc.message
            return []
        resumed = engine.resume()
        for job_id in resumed:
            rec = jobs.get(job_id, {})
            self.tasks.add(job_id, rec.get("kind") or "", rec.get("label", ""), rec.get("meta") or {},
                           task_id=rec.get("task_id"), started=rec.get("time", time.time()),
                           state=JobState.FOLLOWING if rec.get("task_id") else JobState.QUEUED)
        for job_id, rec in jobs.items() if import_finished else ():
            if rec.get("state") == JobState.SUCCEEDED and self.belongs_here(rec.get("meta") or {}):
                files = engine.cached_files(rec["kind"], rec.get("task_id", ""))
                if files:
                    self.import_finished(job_id, rec["kind"], rec.get("task_id", ""), files, rec.get("meta") or {},
                                         label=rec.get("label", ""), finished=rec.get("time"))
        resumed += self.chains.resume(jobs, s)  # stages a crash left unsubmitted (their first task done)
        if resumed:
            self._wake()
        return resumed

    # -- the main thread's side ------------------------------------------------------

    def pump(self, wait: float = 0.0) -> list[JobEvent]:
        """Drain the engine's events, update the task list, import finished results."""
        if self._engine is None:
            return []
        events = self._engine.drain(wait)
        for event in latest_progress_only(events):
            self._apply(event)
        if any(e.type != "queued" for e in events):
            self._redraw()
        return events

    def _apply(self, event: JobEvent) -> None:
        entry = self.tasks.apply(event)
        if event.type in {"created", "failed", "canceled", "suspended", "in_doubt"} and entry.meta.get("upload"):
            self._remove_upload(entry.meta["upload"])
        if event.type == "failed" and entry.task_status:  # Meshy said FAILED/CANCELED: not worth a retry
            self.records().failed(entry.job_id, kind=entry.kind, task_id=entry.task_id, message=entry.message,
                                  task_status=entry.task_status, meta=entry.meta)
        if event.type == "succeeded":
            self._import(entry)
        for listener in list(self.listeners):
            listener(event, entry)

    def _import(self, entry: TaskEntry) -> None:
        if not entry.meta.get("auto_import", True) or not self.belongs_here(entry.meta):
            return  # made for another file, or fetch-only: the task list offers Import
        try:
            made = self._importer(entry.kind, entry.files, entry.meta, entry.task_id or "")
        except Exception as exc:  # the importer rolled the scene back; say why in one sentence
            if not isinstance(exc, (MeshyError, ValueError, OSError)):
                log.exception("import of Meshy task %s failed", entry.task_id)
            self.tasks.import_failed(entry, messages.explain(exc, "importing the result"))
            self.records().failed(entry.job_id, kind=entry.kind, task_id=entry.task_id, message=entry.message,
                                  meta=entry.meta, files=entry.files)
            return
        self.tasks.imported(entry, made.objects)
        self.records().imported(entry.job_id, kind=entry.kind, task_id=entry.task_id, objects=made.objects,
                                blend=made.blend, files=entry.files)

    def _remove_upload(self, path: str) -> None:
        """A file exported for a task is not needed once Meshy has it (or the job ended)."""
        file = Path(path)
        if self._upload_dir is not None and file.parent == self._upload_dir:  # never a path the journal chose
            file.unlink(missing_ok=True)

    def belongs_here(self, meta: dict[str, Any]) -> bool:
        """Was the job started from the file open now (this session, or saved at this path)?"""
        if self._belongs is not None:
            return self._belongs(meta)
        if meta.get("file_token") == self.file_token:
            return True
        return bool(meta.get("blend")) and meta.get("blend") == self._current_file()

    def file_opened(self) -> None:
        """Another file was loaded: results of earlier jobs do not land in it."""
        self.file_token = uuid.uuid4().hex

    def wait(self, job_ids: Iterable[str], *, on_event: Callable[[JobEvent, TaskEntry | None], None] | None = None,
             every: Callable[[], None] | None = None, timeout: float | None = None,
             until: Callable[[TaskEntry], bool] | None = None) -> None:
        """Block until the jobs are done here (``until``: an earlier stop), with the timer's own pump.

        For background Blender and the batch, where no timer fires; ``every`` runs once
        a loop (progress lines, reports). Raises ``WaitTimeout`` after ``timeout`` seconds.
        """
        finished = until or (lambda entry: not entry.active)
        pending = set(job_ids)
        deadline = None if timeout is None else time.monotonic() + timeout
        while pending:
            if deadline is not None and time.monotonic() > deadline:
                raise WaitTimeout(f"{len(pending)} Meshy task(s) did not finish in time")
            for event in self.pump(wait=0.25):
                if on_event is not None:
                    on_event(event, self.tasks.get(event.job_id))
            self.background.drain()
            if every is not None:
                every()
            pending = {j for j in self.chains.and_followups(pending) if j in self.tasks and not finished(self.tasks[j])}

    def tick(self) -> bool:
        """One tick of the main thread's timer: events, then finished background work; True while busy."""
        self.pump()
        if self.background.drain():
            self._redraw()
        return self.busy

    @property
    def busy(self) -> bool:
        return bool(self._engine is not None and self._engine.active_jobs()) or self.background.busy

    def shutdown(self) -> None:
        """Stop the engine's workers; unfinished tasks stay in the journal for ``resume()``."""
        if self._engine is not None:
            self._engine.close()
            close = getattr(self._engine.client, "close", None)
            if close is not None:
                close()
            self._engine = None
            self._engine_key = None
