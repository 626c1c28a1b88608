"""The engine's download step: a finished task's files into its folder, then ``succeeded``.

A download that fails on the network keeps the job (``suspended``: resume
downloads it again); only a result Meshy no longer has, or one past its
expiry, ends it as failed. Split out of ``engine.py`` like ``creating.py``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import notices as text
from .errors import MeshyError
from .jobs import Job, JobRun
from .results import NoResult, download_outputs
from .tasks import Task

if TYPE_CHECKING:
    from .engine import JobEngine

log = logging.getLogger("meshy.engine")


def download_result(engine: JobEngine, state: JobRun, task: Task) -> None:
    """Download ``task``'s outputs for the job, run the after-download hook, and finish the job."""
    state.timings["download_start"] = time.time()
    job = state.job
    try:
        files = download_outputs(engine.client, engine.result_dir(job.kind, job.task_id or task.id), task,
                                 job.outputs or (), lambda pick: refresher(engine, job, pick))
    except NoResult as exc:
        engine._fail(state, f"The task finished but its result could not be downloaded: {exc.message}")
        return
    except MeshyError as exc:
        if expired(task, engine.client):
            engine._fail(state, text.EXPIRED, error=exc)
        else:
            engine._suspend(state, text.download_kept(exc.message), error=exc)
        return
    except Exception:
        log.exception("unexpected error downloading job %s", job.job_id)
        engine._fail(state, "The task finished but its result could not be saved; see the system console.")
        return
    state.timings["downloaded"] = time.time()
    if engine._after_download is not None:
        try:
            engine._after_download(job.kind_name, files)
        except Exception:  # an optional speed-up: the import works without it
            log.exception("after-download step failed for job %s", job.job_id)
    engine._finish(state, "succeeded", files=files, task=task, status=task.status, progress=100,
                   timings=dict(state.timings))


def refresher(engine: JobEngine, job: Job, pick: Callable[[Task], str | None]) -> Callable[[], str]:
    """Signed URLs expire: fetch the task again for a fresh one."""

    def refresh() -> str:
        fresh = pick(engine.client.get(job.kind, job.task_id))
        if not fresh:
            raise NoResult("Meshy no longer offers this result for download")
        return fresh

    return refresh


def expired(task: Task, client: Any) -> bool:
    """Meshy deletes results after about 3 days: past ``expires_at`` a download cannot heal."""
    offset = float(getattr(client, "clock_offset", 0.0) or 0.0)
    return task.expires_at > 0 and task.expires_at / 1000.0 - offset < time.time()


