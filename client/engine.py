"""The job engine: run Meshy jobs on worker threads, report by events.

A job is upload -> create -> follow (SSE, healed by GETs) -> download. Blender's
main thread must never wait on the network, so all of that runs on worker
threads, and the only way back is a thread-safe queue of ``JobEvent`` that the
main thread drains on its own ticks. Worker threads never touch ``bpy``.

At most ``max_in_flight`` tasks are created-and-unfinished at once (Meshy's
queue limit is per account: 10 on the smallest plan); extra jobs wait locally,
and a 429 ``NoMoreConcurrentTasks`` makes a job wait and try again rather than
fail. Every new task id is written to the journal, fsynced, before anything
else happens, so ``resume()`` re-attaches to it after a crash instead of paying
for a second task.

A paid task is never given up here. A create whose answer was lost (reset,
timeout, 5xx, an unreadable answer) puts the job *in doubt* (durably) and the
task is looked for with patience (``reconcile.py``); following survives any
trouble by polling (``follow.py``). When a job must stop without its task's
end it stops *unfinished* (``suspended`` or ``in_doubt`` in the journal) and
``resume()``, the one reconciling path, picks it up later. The event types
are listed in ``jobs.py``.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import notices as text
from .creating import create_task, settle_doubt
from .downloading import download_result
from .errors import MeshyError, NotFoundError
from .follow import FollowPolicy, LostContact, follow_task
from .jobs import DEFAULT_OUTPUTS, TERMINAL_EVENTS, Job, JobEvent, JobRun, request_record
from .journal import FINISHED_STATES, JobState, Journal
from .kinds import Kind
from .reconcile import DoubtPolicy, Window
from .results import cached_files, result_dir
from .tasks import Task

__all__ = ["DEFAULT_OUTPUTS", "TERMINAL_EVENTS", "Job", "JobEngine", "JobEvent", "cached_files", "result_dir"]

log = logging.getLogger("meshy.engine")


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
        doubt: DoubtPolicy | None = None,
        follow: FollowPolicy | None = None,
    ) -> None:
        """``after_download(kind, files)`` runs on the download thread before ``succeeded``
        is sent: work on the files that need not wait for the main thread (never bpy).
        ``doubt`` and ``follow`` set the patience with doubtful creates and troubled tasks."""
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.client = client
        self.journal = journal if isinstance(journal, Journal) or journal is None else Journal(journal)
        self.download_dir = Path(download_dir)
        self.max_in_flight = max_in_flight
        self.doubt = doubt or DoubtPolicy()
        self.follow = follow or FollowPolicy()
        self._queue_full_wait = queue_full_wait
        self._after_download = after_download
        self._events: queue.Queue[JobEvent] = queue.Queue()
        self._pending: queue.Queue[JobRun | None] = queue.Queue()
        self._downloads: queue.Queue[tuple[JobRun, Task] | None] = queue.Queue()
        self._jobs: dict[str, JobRun] = {}
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
        state = JobRun(job)
        with self._lock:
            self._jobs[job.job_id] = state
        if job.doubt_window is None and job.interrupted_at is None:
            self._journal(job, JobState.QUEUED, request=request_record(job.request))
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
        """Take up every journalled job that may still have a task to follow; never creates.

        Interrupted creates (a crash mid-call) and ``in_doubt`` jobs are looked
        for again (an interrupted one is marked ``in_doubt`` first, durably);
        unfinished tasks (``created``, ``following``, ``suspended``...) are
        followed. Everything comes from one reading of the journal, taken before
        any job starts, and jobs this engine runs already are left alone.
        """
        if self.journal is None:
            return []
        with self._lock:
            running = {job_id for job_id, s in self._jobs.items() if not s.done.is_set()}
            followed = {s.job.task_id for s in self._jobs.values() if not s.done.is_set() and s.job.task_id}
        records = [r for r in self.journal.jobs().values() if r["job_id"] not in running]
        resumed = []
        for record in records:
            state, task_id = record.get("state"), record.get("task_id")
            outputs = tuple(record["outputs"]) if record.get("outputs") else None
            common = dict(label=record.get("label", ""), meta=record.get("meta") or {}, outputs=outputs)
            if (state == JobState.CREATING and not task_id) or state == JobState.IN_DOUBT:
                if not record.get("kind"):
                    continue
                window = Window.of_job(record, self.doubt)
                job = Job(kind=record["kind"], doubt_window=(window.start, window.end), **common)
                job.job_id = record["job_id"]
                if state == JobState.CREATING:  # a rival looking meanwhile sees it is not in flight
                    self._journal(job, JobState.IN_DOUBT, durable=True, message=text.IN_DOUBT, **window.record())
                resumed.append(self.submit(job))
            elif task_id and state not in FINISHED_STATES and task_id not in followed:
                resumed.append(self.attach(record.get("kind") or None, task_id, job_id=record["job_id"], **common))
                followed.add(task_id)
        return resumed

    def cancel(self, job_id: str) -> bool:
        """Stop following a job here; a task on the service keeps running."""
        with self._lock:
            state = self._jobs.get(job_id)
        if state is None or state.done.is_set():
            return False
        state.canceled.set()
        if state.in_doubt:  # the task may exist: keep looking for it on the next start
            self._finish(state, "canceled", journal_state=JobState.IN_DOUBT, message=text.STOPPED_LOOKING)
        else:
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
        """Stop the workers; unfinished jobs stay in the journal (``suspended``, ``in_doubt``) for resume()."""
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
            except NotFoundError as exc:
                self._fail(state, exc.message, error=exc)
                continue
            except MeshyError as exc:
                if state.job.task_id:  # a task exists (and may be paid for): keep it for resume
                    self._suspend(state, f"{exc.message.rstrip('.')}; {text.KEPT}", error=exc)
                else:
                    self._fail(state, exc.message, error=exc)
                continue
            except Exception:  # a bug must end the job with a sentence, not kill the worker
                log.exception("unexpected error in job %s", state.job.job_id)
                if state.job.task_id:
                    self._suspend(state, text.UNEXPECTED_KEPT)
                else:
                    self._fail(state, "An unexpected error stopped this Meshy job; see the system console.")
                continue
            if task is not None:
                self._downloads.put((state, task))
            elif self._closed.is_set() and state.job.task_id:
                self._suspend(state, text.CLOSED)

    def _create_and_follow(self, state: JobRun) -> Task | None:
        job = state.job
        if job.kind is None:
            self._resolve_kind(job)
        if job.task_id is None and (job.doubt_window is not None or job.interrupted_at is not None):
            if job.doubt_window is not None:
                window = Window(*job.doubt_window)
            else:
                started = float(job.interrupted_at or 0.0)
                window = Window(started, started + self.doubt.crash_span)
                self._journal(job, JobState.IN_DOUBT, durable=True, message=text.IN_DOUBT, **window.record())
            job.task_id = settle_doubt(self, state, window, None)
        elif job.task_id is None:
            job.task_id = create_task(self, state)
        if job.task_id is None:
            return None
        last: tuple[Any, ...] = ()
        task: Task | None = None

        def trouble(exc: MeshyError) -> None:
            self._emit(job, "waiting", task_id=job.task_id, reason="reconnecting",
                       message=text.reconnecting(exc.message))

        try:
            for task in follow_task(self.client, job.kind, job.task_id, stop=state.canceled, policy=self.follow,
                                    on_trouble=trouble):
                seen = (task.status, task.progress, task.preceding_tasks)
                if seen != last and not state.canceled.is_set():
                    last = seen
                    self._emit(
                        job, "progress", task_id=job.task_id, status=task.status,
                        progress=int(task.progress or 0), preceding_tasks=task.preceding_tasks, task=task,
                    )
        except LostContact as exc:
            self._suspend(state, exc.message, error=exc.cause)
            return None
        if task is None or state.canceled.is_set() or not task.is_terminal:
            return None
        state.timings["terminal_seen"] = time.time()
        if task.status == "SUCCEEDED":
            return task
        if task.status == "CANCELED":
            self._fail(state, "The task was canceled on Meshy.", task=task)
        else:
            self._fail(state, task.error_message or "Meshy could not finish this task.", task=task)
        return None

    def _resolve_kind(self, job: Job) -> None:
        for kind in Kind:
            try:
                self.client.get(kind, job.task_id)
            except NotFoundError:
                continue
            job.kind = kind
            job.outputs = job.outputs or DEFAULT_OUTPUTS[kind.value]
            self._journal(job, JobState.FOLLOWING, task_id=job.task_id)
            return
        raise NotFoundError(f"No Meshy task with the id {job.task_id} was found", 404)

    def _claims_here(self, job_id: str) -> dict[str, str]:
        """Tasks this engine's other jobs follow (for an engine without a journal)."""
        with self._lock:
            return {s.job.task_id: j for j, s in self._jobs.items() if s.job.task_id and j != job_id}

    def _download_worker(self) -> None:
        while True:
            item = self._downloads.get()
            if item is None:
                return
            state, task = item
            if not state.canceled.is_set():
                download_result(self, state, task)

    # -- bookkeeping -------------------------------------------------------

    def _fail(
        self, state: JobRun, message: str, task: Task | None = None, error: MeshyError | None = None,
        journal_state: str = JobState.FAILED, **extra: Any,
    ) -> None:
        self._finish(state, "failed", message=message, task=task, status=task.status if task else None,
                     error=error, timings=dict(state.timings), journal_state=journal_state, journal_extra=extra)

    def _suspend(self, state: JobRun, message: str, error: MeshyError | None = None) -> None:
        """Stop here without the task's end: ``suspended`` in the journal, picked up by resume()."""
        self._finish(state, "suspended", journal_state=JobState.SUSPENDED, message=message, error=error,
                     timings=dict(state.timings))

    def _finish(self, state: JobRun, type_: str, journal_state: str = "",
                journal_extra: dict[str, Any] | None = None, **fields: Any) -> None:
        with self._lock:
            if state.done.is_set():
                return
            state.done.set()
        job = state.job
        extra: dict[str, Any] = dict(journal_extra or {})
        if fields.get("message"):
            extra["message"] = fields["message"]
        if fields.get("files"):
            extra["files"] = fields["files"]
        if type_ == "canceled":
            extra["canceled_by_user"] = True
        self._journal(job, journal_state or JobState(type_), task_id=job.task_id, **extra)
        self._emit(job, type_, task_id=job.task_id, **fields)

    def _journal(self, job: Job, state: str, durable: bool = False, **fields: Any) -> None:
        if self.journal is None:
            return
        try:
            self.journal.record(
                job.job_id, str(state), durable=durable, kind=job.kind_name, label=job.label,
                meta=job.meta, outputs=list(job.outputs or ()), **fields,
            )
        except OSError:
            log.exception("could not write the Meshy journal at %s", self.journal.path)
            if durable:
                raise

    def _emit(self, job: Job, type_: str, **fields: Any) -> None:
        self._events.put(JobEvent(job.job_id, type_, job.kind_name, job.label, job.meta, **fields))
