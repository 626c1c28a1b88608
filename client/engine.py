"""The job engine: run Meshy jobs on worker threads, report by events.

A job is upload -> create -> follow (SSE, resumed by GET) -> download. Blender's
main thread must never wait on the network, so all of that runs on worker
threads, and the only way back is a thread-safe queue of ``JobEvent`` that the
main thread drains on its own ticks. Worker threads never touch ``bpy``.

At most ``max_in_flight`` tasks are created-and-unfinished at once (Meshy's
queue limit is per account: 10 on the smallest plan); extra jobs wait locally,
and a 429 ``NoMoreConcurrentTasks`` makes a job wait and try again rather than
fail. Every new task id is written to the journal, fsynced, before anything
else happens, so ``resume()`` re-attaches to it after a crash instead of paying
for a second task.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .errors import MeshyError, NotFoundError, QueueFullError
from .journal import FINISHED_STATES, Journal
from .models import Kind
from .reconcile import AmbiguousTaskError, claimed_task_ids, find_created_task
from .tasks import Task

log = logging.getLogger("meshy.engine")

#: What each kind downloads unless the job says otherwise.
DEFAULT_OUTPUTS: dict[str, tuple[str, ...]] = {
    Kind.IMAGE_TO_IMAGE.value: ("images",),
    Kind.IMAGE_TO_3D.value: ("glb", "textures", "thumbnail"),
    Kind.RETEXTURE.value: ("glb", "textures", "thumbnail"),
    Kind.REMESH.value: ("glb", "thumbnail"),
}

TERMINAL_EVENTS = frozenset({"succeeded", "failed", "canceled"})
_RESULT_FILE = "task.json"


@dataclass
class Job:
    """One unit of work: a request to create, or an existing task to follow."""

    kind: Kind | str | None
    request: Any = None
    label: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    outputs: tuple[str, ...] | None = None
    task_id: str | None = None
    job_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    #: set when a create call was interrupted at this time: find its task, never create again
    interrupted_at: float | None = None

    def __post_init__(self) -> None:
        if self.kind is not None:  # None: an id of unknown kind, looked up by the worker
            self.kind = Kind(self.kind)
            if self.outputs is None:
                self.outputs = DEFAULT_OUTPUTS[self.kind.value]

    @property
    def kind_name(self) -> str:
        return self.kind.value if isinstance(self.kind, Kind) else ""


@dataclass
class JobEvent:
    """What happened to a job; drained by the main thread."""

    job_id: str
    type: str
    kind: str
    label: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    task_id: str | None = None
    status: str | None = None
    progress: int = 0
    preceding_tasks: int | None = None
    message: str = ""
    files: dict[str, str] = field(default_factory=dict)
    task: Task | None = None
    error: MeshyError | None = None  # on failed: the cause, for a richer explanation
    timings: dict[str, float] = field(default_factory=dict)  # wall-clock marks, for reports and benches

    @property
    def is_terminal(self) -> bool:
        return self.type in TERMINAL_EVENTS


@dataclass
class _JobState:
    job: Job
    canceled: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    timings: dict[str, float] = field(default_factory=lambda: {"queued": time.time()})


class JobEngine:
    """Worker threads that run jobs; a queue of events for the main thread."""

    def __init__(
        self,
        client: Any,
        *,
        journal: Journal | str | os.PathLike[str] | None,
        download_dir: str | os.PathLike[str],
        max_in_flight: int = 10,
        download_workers: int = 2,
        queue_full_wait: tuple[float, float] = (2.0, 30.0),
        after_download: Callable[[str, dict[str, str]], None] | None = None,
    ) -> None:
        """``after_download(kind, files)`` runs on the download thread before ``succeeded``
        is sent: work on the files that need not wait for the main thread (never bpy)."""
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.client = client
        self.journal = journal if isinstance(journal, Journal) or journal is None else Journal(journal)
        self.download_dir = Path(download_dir)
        self.max_in_flight = max_in_flight
        self._queue_full_wait = queue_full_wait
        self._after_download = after_download
        self._events: queue.Queue[JobEvent] = queue.Queue()
        self._pending: queue.Queue[_JobState | None] = queue.Queue()
        self._downloads: queue.Queue[tuple[_JobState, Task] | None] = queue.Queue()
        self._jobs: dict[str, _JobState] = {}
        self._lock = threading.Lock()
        self._create_lock = threading.Lock()
        self._closed = threading.Event()
        self._threads = [
            threading.Thread(target=self._follow_worker, name=f"meshy-task-{i}", daemon=True)
            for i in range(max_in_flight)
        ] + [
            threading.Thread(target=self._download_worker, name=f"meshy-download-{i}", daemon=True)
            for i in range(download_workers)
        ]
        for thread in self._threads:
            thread.start()

    # -- main-thread API ---------------------------------------------------

    def submit(self, job: Job) -> str:
        """Queue a job; returns its id at once (no network on this thread)."""
        if self._closed.is_set():
            raise RuntimeError("the job engine is closed")
        state = _JobState(job)
        with self._lock:
            self._jobs[job.job_id] = state
        self._journal(job, "queued", request=_request_record(job.request))
        self._emit(job, "queued", task_id=job.task_id)
        self._pending.put(state)
        return job.job_id

    def attach(
        self, kind: Kind | str | None, task_id: str, *, label: str = "", meta: dict[str, Any] | None = None,
        outputs: tuple[str, ...] | None = None, job_id: str | None = None,
    ) -> str:
        """Follow a task that already exists (import by id, resume): never creates.

        ``kind`` None looks the id up under each kind first (a user pasted an id).
        """
        job = Job(kind=kind, task_id=task_id, label=label, meta=dict(meta or {}), outputs=outputs)
        if job_id:
            job.job_id = job_id
        return self.submit(job)

    def resume(self) -> list[str]:
        """Re-attach every journalled task that was not seen to finish.

        Both lists come from one reading of the journal, taken before any job
        starts (a resumed job writes to it at once), and jobs this engine is
        running already are left alone (resume may be called again on load).
        """
        if self.journal is None:
            return []
        with self._lock:
            running = {job_id for job_id, s in self._jobs.items() if not s.done.is_set()}
            followed = {s.job.task_id for s in self._jobs.values() if not s.done.is_set() and s.job.task_id}
        records = [r for r in self.journal.jobs().values() if r["job_id"] not in running]
        interrupted = [r for r in records if r.get("state") == "creating" and not r.get("task_id")]
        unfinished = [r for r in records if r.get("task_id") and r.get("state") not in FINISHED_STATES
                      and r["task_id"] not in followed]
        resumed = []
        for record in interrupted:
            job = Job(kind=record["kind"], label=record.get("label", ""), meta=record.get("meta") or {},
                      outputs=tuple(record["outputs"]) if record.get("outputs") else None,
                      interrupted_at=float(record["time"]))
            job.job_id = record["job_id"]
            resumed.append(self.submit(job))
        for record in unfinished:
            resumed.append(
                self.attach(
                    record.get("kind") or None, record["task_id"], label=record.get("label", ""),
                    meta=record.get("meta") or {}, job_id=record["job_id"],
                    outputs=tuple(record["outputs"]) if record.get("outputs") else None,
                )
            )
        return resumed

    def cancel(self, job_id: str) -> bool:
        """Stop following a job here; a task on the service keeps running."""
        with self._lock:
            state = self._jobs.get(job_id)
        if state is None or state.done.is_set():
            return False
        state.canceled.set()
        self._finish(state, "canceled", message="Stopped waiting; the task keeps running on Meshy.")
        return True

    def drain(self, wait: float = 0.0) -> list[JobEvent]:
        """Every event since the last call, oldest first.

        Never blocks unless ``wait`` > 0, which waits that long for the first
        event (for loops in background Blender that have nothing else to do).
        """
        events = []
        if wait > 0:
            try:
                events.append(self._events.get(timeout=wait))
            except queue.Empty:
                return events
        while True:
            try:
                events.append(self._events.get_nowait())
            except queue.Empty:
                return events

    def run(
        self, job_ids: Iterable[str], on_event: Callable[[JobEvent], None] | None = None,
        timeout: float | None = None,
    ) -> dict[str, JobEvent]:
        """Block until the jobs end (for background Blender, where no timer runs)."""
        waiting = set(job_ids)
        results: dict[str, JobEvent] = {}
        deadline = None if timeout is None else time.monotonic() + timeout
        while waiting:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(f"{len(waiting)} Meshy job(s) did not finish in time")
            try:
                event = self._events.get(timeout=0.2 if remaining is None else min(0.2, remaining))
            except queue.Empty:
                continue
            if on_event:
                on_event(event)
            if event.is_terminal and event.job_id in waiting:
                waiting.discard(event.job_id)
                results[event.job_id] = event
        return results

    def active_jobs(self) -> list[Job]:
        """Jobs not yet finished, for the task list."""
        with self._lock:
            return [s.job for s in self._jobs.values() if not s.done.is_set()]

    def cached_files(self, kind: Kind | str, task_id: str) -> dict[str, str] | None:
        return cached_files(self.download_dir, kind, task_id)

    def result_dir(self, kind: Kind | str, task_id: str) -> Path:
        return result_dir(self.download_dir, kind, task_id)

    def close(self, wait: bool = False) -> None:
        """Stop the workers; unfinished tasks stay in the journal for resume()."""
        self._closed.set()
        with self._lock:
            states = list(self._jobs.values())
        for state in states:
            state.canceled.set()
        for _ in range(self.max_in_flight):
            self._pending.put(None)
        for _ in range(len(self._threads) - self.max_in_flight):
            self._downloads.put(None)
        if wait:
            for thread in self._threads:
                thread.join(timeout=5)

    # -- worker side -------------------------------------------------------

    def _follow_worker(self) -> None:
        while True:
            state = self._pending.get()
            if state is None or self._closed.is_set():
                return
            if state.canceled.is_set():
                continue
            try:
                task = self._create_and_follow(state)
            except MeshyError as exc:
                self._fail(state, exc.message, error=exc)
                continue
            except Exception:  # a bug must end the job with a sentence, not kill the worker
                log.exception("unexpected error in job %s", state.job.job_id)
                self._fail(state, "An unexpected error stopped this Meshy job; see the system console.")
                continue
            if task is not None:
                self._downloads.put((state, task))

    def _create_and_follow(self, state: _JobState) -> Task | None:
        job = state.job
        if job.kind is None:
            self._resolve_kind(job)
        if job.task_id is None and job.interrupted_at is not None:
            job.task_id = self._find_interrupted(state)
            if job.task_id is None:
                return None
        if job.task_id is None:
            job.task_id = self._create(state)
            if job.task_id is None:
                return None
        last: tuple[Any, ...] = ()
        task: Task | None = None
        for task in self.client.stream(job.kind, job.task_id):
            if state.canceled.is_set():
                return None
            seen = (task.status, task.progress, task.preceding_tasks)
            if seen != last:
                last = seen
                self._emit(
                    job, "progress", task_id=job.task_id, status=task.status,
                    progress=int(task.progress or 0), preceding_tasks=task.preceding_tasks, task=task,
                )
        if task is None or state.canceled.is_set():
            return None
        state.timings["terminal_seen"] = time.time()
        if task.status == "SUCCEEDED":
            return task
        if task.status == "CANCELED":
            self._fail(state, "The task was canceled on Meshy.", task=task)
        else:
            message = task.error_message or "Meshy could not finish this task."
            self._fail(state, message, task=task)
        return None

    def _resolve_kind(self, job: Job) -> None:
        for kind in Kind:
            try:
                self.client.get(kind, job.task_id)
            except NotFoundError:
                continue
            job.kind = kind
            job.outputs = job.outputs or DEFAULT_OUTPUTS[kind.value]
            self._journal(job, "following", task_id=job.task_id)
            return
        raise NotFoundError(f"No Meshy task with the id {job.task_id} was found", 404)

    def _find_interrupted(self, state: _JobState) -> str | None:
        """A create was cut off by a crash: adopt the task it made, if any."""
        job = state.job
        try:
            task_id = find_created_task(self.client, job.kind_name, job.interrupted_at or 0.0,
                                        claimed_task_ids(self.journal))
        except AmbiguousTaskError as exc:
            self._fail(state, exc.message, error=exc, journal_state="unresolved")
            return None
        if task_id is None:
            self._fail(state, "Blender stopped before this task reached Meshy; nothing was charged, run it again.",
                       journal_state="not_created")
            return None
        self._journal(job, "created", durable=True, task_id=task_id, reconciled=True)
        self._emit(job, "created", task_id=task_id)
        return task_id

    def _adopt_after_doubtful_create(self, job: Job, started: float, exc: MeshyError) -> str:
        """The create may have reached Meshy (reset, timeout, 5xx): look before anyone retries."""
        try:
            task_id = find_created_task(self.client, job.kind_name, started, claimed_task_ids(self.journal))
        except MeshyError:
            raise exc from None  # cannot tell: say so (the message says the task may exist)
        if task_id is None:
            raise MeshyError(f"{exc.message.rstrip('.')}; Meshy has no such task, so run it again") from None
        log.info("create of job %s broke after sending; adopted task %s", job.job_id, task_id)
        return task_id

    def _create(self, state: _JobState) -> str | None:
        """Create the task; wait (not fail) while the account's queue is full.

        One create at a time, bracketed by durable ``creating``/``created``
        records: if the process dies mid-call, at most one task is in doubt and
        ``resume()`` can tell which one it is (see reconcile.py).
        """
        job = state.job
        attempt = 0
        while not state.canceled.is_set():
            try:
                with self._create_lock:
                    started = time.time()
                    self._journal(job, "creating", durable=True)
                    try:
                        task_id = self.client.create(job.kind, job.request, retry_queue_full=False)
                    except MeshyError as exc:
                        if not getattr(exc, "maybe_sent", False):
                            raise
                        task_id = self._adopt_after_doubtful_create(job, started, exc)
                    state.timings["created"] = time.time()
                    self._journal(job, "created", durable=True, task_id=task_id)
            except QueueFullError as exc:
                self._journal(job, "waiting")
                attempt += 1
                base, cap = self._queue_full_wait
                backoff = min(cap, base * 2 ** min(attempt, 6)) * random.uniform(0.5, 1.0)
                delay = exc.retry_after or backoff
                self._emit(
                    job, "waiting", message="Meshy's task queue is full; this task will start by itself.",
                )
                if state.canceled.wait(delay):
                    return None
                continue
            self._emit(job, "created", task_id=task_id, status="PENDING")
            if state.canceled.is_set():
                return None
            return task_id
        return None

    def _download_worker(self) -> None:
        while True:
            item = self._downloads.get()
            if item is None:
                return
            state, task = item
            if state.canceled.is_set():
                continue
            state.timings["download_start"] = time.time()
            try:
                files = self._download(state.job, task)
            except MeshyError as exc:
                self._fail(state, f"The task finished but its result could not be downloaded: {exc.message}")
                continue
            except Exception:
                log.exception("unexpected error downloading job %s", state.job.job_id)
                self._fail(state, "The task finished but its result could not be saved; see the system console.")
                continue
            state.timings["downloaded"] = time.time()
            if self._after_download is not None:
                try:
                    self._after_download(state.job.kind_name, files)
                except Exception:  # an optional speed-up: the import works without it
                    log.exception("after-download step failed for job %s", state.job.job_id)
            self._finish(state, "succeeded", files=files, task=task, status=task.status, progress=100,
                         timings=dict(state.timings))

    def _download(self, job: Job, task: Task) -> dict[str, str]:
        folder = self.result_dir(job.kind, task.id)
        folder.mkdir(parents=True, exist_ok=True)
        wanted = _wanted_urls(task, job.outputs or ())
        if "glb" in (job.outputs or ()) and "model" not in wanted:
            raise _NoResult("Meshy returned no GLB model for this task.")
        if "images" in (job.outputs or ()) and not any(k.startswith("image_") for k in wanted):
            raise _NoResult("Meshy returned no images for this task.")
        files: dict[str, str] = {}
        for name, (pick, url) in wanted.items():
            dest = folder / f"{name}{_suffix(url, '.glb' if name == 'model' else '.png')}"
            try:
                self.client.download(url, dest, refresh=self._refresher(job, pick))
            except MeshyError:
                if name == "thumbnail":
                    log.warning("thumbnail of %s not downloaded", task.id)
                    continue
                raise
            files[name] = dest.name
        tmp = folder / (_RESULT_FILE + ".tmp")
        tmp.write_text(json.dumps({"task": task.raw, "files": files}), encoding="utf-8")
        os.replace(tmp, folder / _RESULT_FILE)
        return {name: str(folder / rel) for name, rel in files.items()}

    def _refresher(self, job: Job, pick: Callable[[Task], str | None]) -> Callable[[], str]:
        """Signed URLs expire: fetch the task again for a fresh one."""

        def refresh() -> str:
            fresh = pick(self.client.get(job.kind, job.task_id))
            if not fresh:
                raise _NoResult("Meshy no longer offers this result for download.")
            return fresh

        return refresh

    # -- bookkeeping -------------------------------------------------------

    def _fail(
        self, state: _JobState, message: str, task: Task | None = None, error: MeshyError | None = None,
        journal_state: str = "failed",
    ) -> None:
        self._finish(state, "failed", message=message, task=task, status=task.status if task else None,
                     error=error, timings=dict(state.timings), journal_state=journal_state)

    def _finish(self, state: _JobState, type_: str, journal_state: str = "", **fields: Any) -> None:
        with self._lock:
            if state.done.is_set():
                return
            state.done.set()
        job = state.job
        extra: dict[str, Any] = {}
        if fields.get("message"):
            extra["message"] = fields["message"]
        if fields.get("files"):
            extra["files"] = fields["files"]
        if type_ == "canceled":
            extra["canceled_by_user"] = True
        self._journal(job, journal_state or type_, task_id=job.task_id, **extra)
        self._emit(job, type_, task_id=job.task_id, **fields)

    def _journal(self, job: Job, state: str, durable: bool = False, **fields: Any) -> None:
        if self.journal is None:
            return
        try:
            self.journal.record(
                job.job_id, state, durable=durable, kind=job.kind_name, label=job.label,
                meta=job.meta, outputs=list(job.outputs or ()), **fields,
            )
        except OSError:
            log.exception("could not write the Meshy journal at %s", self.journal.path)
            if durable:
                raise

    def _emit(self, job: Job, type_: str, **fields: Any) -> None:
        self._events.put(JobEvent(job.job_id, type_, job.kind_name, job.label, job.meta, **fields))


class _NoResult(MeshyError):
    """A finished task whose outputs are missing."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


def _wanted_urls(task: Task, outputs: Iterable[str]) -> dict[str, tuple[Callable[[Task], str | None], str]]:
    """Map output file names to (how to re-find the URL, the URL)."""
    pickers: dict[str, Callable[[Task], str | None]] = {}
    for output in outputs:
        if output == "glb":
            pickers["model"] = lambda t: (t.model_urls or {}).get("glb")
        elif output == "models":
            for fmt in task.model_urls or {}:
                pickers[f"model_{fmt}"] = lambda t, f=fmt: (t.model_urls or {}).get(f)
        elif output == "textures":
            for key in (task.texture_urls or [{}])[0] if task.texture_urls else {}:
                pickers[key] = lambda t, k=key: ((t.texture_urls or [{}])[0] or {}).get(k)
        elif output == "images":
            for i in range(len(task.image_urls or [])):
                pickers[f"image_{i}"] = lambda t, i=i: (t.image_urls or [None] * (i + 1))[i]
        elif output == "thumbnail":
            pickers["thumbnail"] = lambda t: t.thumbnail_url
    result = {}
    for name, pick in pickers.items():
        url = pick(task)
        if url:
            result[name] = (pick, url)
    return result


def result_dir(download_dir: Path, kind: Kind | str, task_id: str) -> Path:
    """Where a task's files go: also the local cache that re-import reads."""
    from .downloads import safe_filename

    return Path(download_dir) / Kind(kind).value / safe_filename(task_id)


def cached_files(download_dir: Path, kind: Kind | str, task_id: str) -> dict[str, str] | None:
    """Files of a finished download, so re-import works offline and after expiry."""
    folder = result_dir(download_dir, kind, task_id)
    try:
        record = json.loads((folder / _RESULT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = {name: str(folder / rel) for name, rel in record.get("files", {}).items()}
    return files if all(Path(p).is_file() for p in files.values()) else None


def _suffix(url: str, default: str) -> str:
    suffix = Path(urlparse(url).path).suffix.lower()
    return suffix if suffix and len(suffix) <= 6 and suffix[1:].isalnum() else default


def _request_record(request: Any) -> dict[str, Any] | None:
    """A JSON-safe copy of a request for the journal (no inline data URIs)."""
    if request is None:
        return None
    data = request.to_dict() if hasattr(request, "to_dict") else dict(request)
    return {k: ("<inline data>" if isinstance(v, str) and v.startswith("data:") else v) for k, v in data.items()}
