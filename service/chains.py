"""Tasks that start when another ends: Text to 3D's refine, chained on its own preview.

``bpy.ops.meshy.text_to_3d(..., refine=True)`` is one job for the user and two
tasks on Meshy: the preview is submitted with the refine's request in its meta
(``THEN``, the request as ``to_dict`` writes it, so it is in the journal with
the preview), and when the preview has succeeded (and is in the scene) the
refine is submitted with ``preview_task_id`` set, under the job id
``<preview job>-refine``. That id is what keeps a crash from paying twice: a
refine whose job is in the journal past ``queued`` is never submitted again
(the engine's own resume follows it), and one that never got that far, or
never got submitted, is submitted by ``resume()``. The refine's meta names its
preview (``preview_task_id``, ``preview_job``), so the task list and the
result objects link the two.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..client.errors import MeshyError
from ..client.models import request_from_dict
from ..client.uploads import FileInput
from ..core import messages
from ..core.stages import THEN
from ..core.states import JobState

log = logging.getLogger("meshy")

SUFFIX = "-refine"
#: Meta of the preview that the refine must not inherit (its own are set anew).
NOT_INHERITED = frozenset({THEN, "settings", "upload", "label", "source", "estimate", "auto_import"})
#: Journal states in which Meshy has the preview finished (``failed`` with files: only its import failed).
PREVIEW_DONE = frozenset({JobState.SUCCEEDED, JobState.IMPORTED})


def followup_id(job_id: str) -> str:
    return f"{job_id}{SUFFIX}"


def root_id(job_id: str) -> str:
    """The job a chain started with (``x-refine`` -> ``x``)."""
    return job_id.removesuffix(SUFFIX) if job_id.endswith(SUFFIX) else job_id


def then_meta(refine_request: Any) -> dict[str, Any]:
    """What a preview job carries in its meta so that its refine follows it."""
    return {THEN: refine_request.to_dict()}


class Chains:
    """The job service's chained stages: started on an event, again on resume, never twice."""

    def __init__(self, service: Any, submission: Callable[..., Any]) -> None:
        self._service = service
        self._submission = submission  # the service's Submission (handed in: jobs.py imports this module)

    # -- for the service --------------------------------------------------------------

    def on_event(self, event: Any, entry: Any) -> None:
        """A listener of the service: a preview that succeeded starts its refine (after its import)."""
        if event.type == "succeeded" and isinstance(entry.meta.get(THEN), dict) and entry.task_id:
            # A preview seen to succeed now was unfinished until now, so no refine of it can be in the
            # journal yet: no need to read it (a big journal takes ~80 ms) on the main thread.
            self.start(entry.job_id, entry.task_id, entry.meta, jobs={})

    def resume(self, jobs: Mapping[str, Mapping[str, Any]], settings: Any) -> list[str]:
        """Refines a crash left unsubmitted (their previews done on Meshy): submitted now; their job ids."""
        started = []
        for job_id, rec in jobs.items():
            meta = rec.get("meta") or {}
            if not isinstance(meta.get(THEN), dict) or not rec.get("task_id") or job_id.endswith(SUFFIX):
                continue
            done = rec.get("state") in PREVIEW_DONE or (
                rec.get("state") == JobState.FAILED and rec.get("files") and not rec.get("task_status"))
            if done:
                new = self.start(job_id, str(rec["task_id"]), meta, jobs=jobs, settings=settings)
                if new:
                    started.append(new)
        return started

    def and_followups(self, job_ids: Iterable[str]) -> list[str]:
        """The jobs, and the stages chained on them that exist here (what "one job" waits for)."""
        tasks = self._service.tasks
        out = list(job_ids)
        for job_id in list(out):
            nxt = followup_id(job_id)
            if nxt in tasks and nxt not in out:
                out.append(nxt)
        return out

    def latest(self, job_id: str) -> str:
        """The chain's newest stage that exists here (the job itself when nothing is chained on it)."""
        return self.and_followups([job_id])[-1]

    def pending(self, job_id: str) -> bool:
        """Will (or did) this job chain a stage of its own? (a preview with ``refine=True``)."""
        entry = self._service.tasks.get(job_id)
        return entry is not None and isinstance(entry.meta.get(THEN), dict)

    # -- the one way a refine is chained ------------------------------------------------

    def start(self, job_id: str, task_id: str, meta: Mapping[str, Any], *,
              jobs: Mapping[str, Mapping[str, Any]] | None = None, settings: Any = None) -> str | None:
        """Submit the refine of the preview ``task_id`` unless it exists already; its job id, or None."""
        service = self._service
        new_id = followup_id(job_id)
        if new_id in service.tasks:
            return None
        settings = settings or service.settings()
        known = (jobs if jobs is not None else service.records(settings).jobs()).get(new_id)
        if known and known.get("state") != JobState.QUEUED:
            return None  # sent (or settled) before: the engine follows it, nothing is created again
        label = str(meta.get("label") or "")
        inherited = {k: v for k, v in meta.items() if k not in NOT_INHERITED}
        inherited.update(preview_task_id=task_id, preview_job=job_id)
        try:
            request = request_from_dict("text-to-3d-refine", {**meta[THEN], "preview_task_id": task_id})
            request.validate()
        except MeshyError as exc:  # checked when the preview was sent: only a hand-edited journal gets here
            message = messages.explain(exc)
            service.tasks.add(new_id, "text-to-3d", label, inherited, state=JobState.FAILED, message=message)
            service.records(settings).failed(new_id, kind="text-to-3d", label=label, message=message,
                                             meta=inherited)
            return None
        image = request.texture_image_url
        sub = self._submission("text-to-3d", request, label, meta=inherited, job_id=new_id,
                               upload=Path(image.path) if isinstance(image, FileInput) else None)
        log.info("Meshy text-to-3d %s: preview %s done, refining it", label, task_id)
        return service.submit([sub], settings)[0]
