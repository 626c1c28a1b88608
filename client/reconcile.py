"""Find the task a crashed create call may have made, so it is never paid for twice.

The engine writes a durable ``creating`` record just before each create call
and ``created`` with the id right after, and only one create runs at a time.
If Blender dies between the two, Meshy may or may not have the task. The
newest tasks of that kind are listed; a task that no journal record claims
and that was created around that moment is the one. None means the request
never made a task (safe to create again); more than one candidate is
ambiguous and left to the user rather than guessed.
"""

from __future__ import annotations

from typing import Any

from .errors import MeshyError
from .journal import Journal

#: How far the service's clock may be from ours, in seconds.
CLOCK_WINDOW = 600.0


class AmbiguousTaskError(MeshyError):
    """More than one task could be the one a crashed create made."""


def find_created_task(client: Any, kind: str, started_at: float, claimed: set[str]) -> str | None:
    """The id of the unclaimed task created around ``started_at`` (epoch seconds), or None."""
    recent = client.list_page(kind, page_num=1, page_size=50, sort_by="-created_at")
    candidates = [
        task.id for task in recent
        if task.id not in claimed and abs(task.created_at / 1000.0 - started_at) <= CLOCK_WINDOW
    ]
    if len(candidates) > 1:
        raise AmbiguousTaskError(
            "Blender stopped while this task was being created and Meshy has several tasks it could be; "
            "look in the Meshy history before running it again"
        )
    return candidates[0] if candidates else None


def claimed_task_ids(journal: Journal | None) -> set[str]:
    if journal is None:
        return set()
    return {str(job["task_id"]) for job in journal.jobs().values() if job.get("task_id")}


def resolve_creating(client: Any, journal: Journal) -> dict[str, str]:
    """Settle every interrupted create in the journal; returns job id -> new state.

    ``created`` (the task was found and is now journalled), ``not_created``
    (nothing reached Meshy: create again) or ``unresolved`` (ambiguous).
    """
    outcome: dict[str, str] = {}
    for job in journal.jobs().values():
        if job.get("state") != "creating" or job.get("task_id"):
            continue
        try:
            task_id = find_created_task(client, job["kind"], float(job["time"]), claimed_task_ids(journal))
        except AmbiguousTaskError as exc:
            journal.record(job["job_id"], "unresolved", durable=True, message=exc.message)
            outcome[job["job_id"]] = "unresolved"
            continue
        if task_id:
            journal.record(job["job_id"], "created", durable=True, task_id=task_id, reconciled=True)
            outcome[job["job_id"]] = "created"
        else:
            journal.record(job["job_id"], "not_created", durable=True)
            outcome[job["job_id"]] = "not_created"
    return outcome
