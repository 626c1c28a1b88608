"""Getting a task id for a job: the create call, and the patient search after a doubtful one.

One create runs at a time per engine, bracketed by durable ``creating`` and
``created`` records. A call whose answer was lost (``maybe_sent``) puts the job
*in doubt*, durably, with the call's time window; :func:`settle_doubt` then
looks for the task on the schedule of :class:`reconcile.DoubtPolicy` and ends
with the task adopted, ``unresolved`` (several candidates), ``not_created``
(provably never made) or, when the schedule runs out, ``in_doubt`` for resume.
These are the engine's own steps, split out to keep each module small.
"""

from __future__ import annotations

import logging
import random
import time
from typing import TYPE_CHECKING

from . import notices as text
from .errors import MeshyError, QueueFullError, RequestTimeoutError
from .jobs import JobRun, request_record
from .journal import JobState
from .reconcile import Window, look, unresolved_message

if TYPE_CHECKING:
    from .engine import JobEngine

log = logging.getLogger("meshy.engine")


def create_task(engine: JobEngine, run: JobRun) -> str | None:
    """Create the task; wait (not fail) while the account's queue is full.

    One create at a time, bracketed by durable ``creating``/``created``
    records: if the process dies mid-call, at most one task is in doubt and
    ``resume()`` can tell which one it is (see reconcile.py). A call whose
    answer was lost puts the job in doubt (durably) and its task is looked for.
    """
    job = run.job
    attempt = 0
    while not run.canceled.is_set():
        doubt: tuple[Window, MeshyError] | None = None
        try:
            with engine._create_lock:
                started = time.time()
                engine._journal(job, JobState.CREATING, durable=True)
                try:
                    task_id = engine.client.create(job.kind, job.request, retry_queue_full=False)
                except MeshyError as exc:
                    if not getattr(exc, "maybe_sent", False):
                        raise
                    window = Window(started, time.time() + (engine.doubt.late_tail if _timed_out(exc) else 0.0))
                    engine._journal(job, JobState.IN_DOUBT, durable=True, message=text.IN_DOUBT,
                                    cause=exc.message, **window.record())
                    doubt = (window, exc)
                else:
                    run.timings["created"] = time.time()
                    job.task_id = task_id  # known before the record: if writing it fails, the job is suspended
                    engine._journal(job, JobState.CREATED, durable=True, task_id=task_id)
        except QueueFullError as exc:
            engine._journal(job, JobState.WAITING)
            attempt += 1
            base, cap = engine._queue_full_wait
            backoff = min(cap, base * 2 ** min(attempt, 6)) * random.uniform(0.5, 1.0)
            delay = exc.retry_after or backoff
            engine._emit(job, "waiting", reason="queue_full",
                         message="Meshy's task queue is full; this task will start by itself.")
            if run.canceled.wait(delay):
                return None
            continue
        if doubt is not None:
            log.info("create of job %s may have reached Meshy (%s); looking for its task", job.job_id,
                     doubt[1].message)
            return settle_doubt(engine, run, *doubt)
        engine._emit(job, "created", task_id=task_id, status="PENDING")
        return task_id  # even when stopped meanwhile: the job knows its task (suspended, never lost)
    return None


def settle_doubt(engine: JobEngine, run: JobRun, window: Window, cause: MeshyError | None) -> str | None:
    """Look for the task of a doubtful create with patience; None when the job ended here."""
    job = run.job
    run.in_doubt = True
    engine._emit(job, "waiting", reason="in_doubt", message=text.looking(cause.message if cause else ""))
    request = request_record(job.request) if job.request is not None else None
    for delay in (0.0, *engine.doubt.looks):
        if delay and run.canceled.wait(delay) or run.canceled.is_set():
            break
        try:
            with engine._create_lock:  # every task this engine made is journalled while it looks
                verdict = look(engine.client, engine.journal, job.job_id, job.kind_name, window, request,
                               policy=engine.doubt, claimed=engine._claims_here(job.job_id))
        except (MeshyError, OSError) as exc:  # offline, or a claim that could not be made durable: later
            log.info("could not look for the task of job %s yet (%s)", job.job_id, exc)
            continue
        if verdict.outcome == "found":
            run.in_doubt = False
            run.timings["created"] = time.time()
            job.task_id = verdict.task_id
            engine._journal(job, JobState.CREATED, durable=True, task_id=verdict.task_id, reconciled=True)
            engine._emit(job, "created", task_id=verdict.task_id)
            log.info("job %s adopted task %s after a doubtful create", job.job_id, verdict.task_id)
            return verdict.task_id
        if verdict.outcome == "unlistable":
            run.in_doubt = False
            engine._fail(run, text.unlistable(job.kind_name), journal_state=JobState.UNRESOLVED, error=cause)
            return None
        if verdict.outcome == "unresolved":
            run.in_doubt = False
            engine._fail(run, unresolved_message(verdict.candidates), journal_state=JobState.UNRESOLVED,
                         error=cause, candidates=verdict.candidates)
            return None
        if verdict.outcome == "not_created":
            run.in_doubt = False
            engine._fail(run, text.NOT_CREATED, journal_state=JobState.NOT_CREATED, error=cause)
            return None
    engine._finish(run, "in_doubt", journal_state=JobState.IN_DOUBT, message=text.IN_DOUBT, error=cause)
    return None


def _timed_out(exc: MeshyError) -> bool:
    return isinstance(exc, RequestTimeoutError)
