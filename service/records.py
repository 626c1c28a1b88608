"""The add-on's journal lines beside the engine's own: one typed method per record.

The engine journals a job's life (queued, creating, created, succeeded ...);
what only the add-on knows is written here, and nowhere else: that a result
is in a scene (and which .blend holds it), that a task failed before or
after Meshy had it, that a task was deleted on Meshy. States are ``JobState``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..client.journal import Journal
from ..core.states import JobState


class Records:
    """Writes and reads one journal (the session's, or a batch's ``<out>/journal.jsonl``)."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    @property
    def path(self) -> Any:
        return self.journal.path

    def imported(self, job_id: str, *, kind: str, task_id: str | None, objects: Iterable[str] = (),
                 blend: str | None = None, files: dict[str, str] | None = None,
                 meta: dict[str, Any] | None = None) -> None:
        """The result is in a scene (and, for the batch, saved in ``blend``)."""
        self.journal.record(job_id, JobState.IMPORTED, kind=kind, task_id=task_id, objects=list(objects) or None,
                            blend=blend, files=files, meta=meta)

    def failed(self, job_id: str, *, kind: str, message: str, task_id: str | None = None,
               task_status: str | None = None, label: str | None = None, meta: dict[str, Any] | None = None,
               files: dict[str, str] | None = None) -> None:
        """It ended badly: ``task_status`` is Meshy's (FAILED, CANCELED) when Meshy said so."""
        self.journal.record(job_id, JobState.FAILED, kind=kind, task_id=task_id, task_status=task_status,
                            message=message, label=label, meta=meta, files=files)

    def deleted(self, job_id: str, *, kind: str, task_id: str) -> None:
        self.journal.record(job_id, JobState.DELETED, kind=kind, task_id=task_id)

    def jobs(self, *, times: bool = False) -> dict[str, dict[str, Any]]:
        return self.journal.jobs(times=times)

    def find_task(self, task_id: str) -> dict[str, Any] | None:
        return self.journal.find_task(task_id)

    def compact(self) -> int:
        return self.journal.compact()
