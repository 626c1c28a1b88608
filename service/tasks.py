"""The task list: one entry per job of this session, fed by the engine's events.

Entries change only through ``TaskList``'s methods, on the main thread; the
panels read them through a snapshot. Each entry's ``state`` is a ``JobState``
(``core.states``), the vocabulary of the journal, the batch and the panels.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..client.engine import JobEvent
from ..core import messages, states
from ..core.states import JobState


@dataclass
class TaskEntry:
    """One job as the task list, the operators and the batch see it."""

    job_id: str
    kind: str
    label: str
    meta: dict[str, Any] = field(default_factory=dict)
    task_id: str | None = None
    state: JobState = JobState.QUEUED
    status: str = ""  # Meshy's status (PENDING, IN_PROGRESS ...)
    progress: int = 0
    preceding_tasks: int | None = None
    message: str = ""
    files: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    finished: float | None = None
    objects: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    task_status: str | None = None  # Meshy's final status of a failed task (FAILED, CANCELED)

    @property
    def active(self) -> bool:
        return self.state in states.ACTIVE

    @property
    def kept(self) -> bool:
        """Not followed now, resumes later: neither done nor failed."""
        return self.state in states.KEPT

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started


@dataclass(frozen=True)
class Imported:
    """What an importer made of a finished task: object (or image) names, and the .blend it saved."""

    objects: list[str]
    blend: str | None = None


class TaskList(Mapping[str, TaskEntry]):
    """This session's jobs by id; read like a dict, changed through the methods below."""

    def __init__(self) -> None:
        self._entries: dict[str, TaskEntry] = {}

    def __getitem__(self, job_id: str) -> TaskEntry:
        return self._entries[job_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, job_id: str, kind: str, label: str, meta: dict[str, Any], **fields: Any) -> TaskEntry:
        entry = self._entries[job_id] = TaskEntry(job_id, kind, label, meta, **fields)
        return entry

    def apply(self, event: JobEvent) -> TaskEntry:
        """An engine event: the entry's state, progress and sentence follow it."""
        entry = self._entries.get(event.job_id)
        if entry is None:
            entry = self.add(event.job_id, event.kind, event.label, event.meta)
        if event.task_id:
            entry.task_id = event.task_id
        if event.kind:
            entry.kind = event.kind  # known only now for an id imported with kind "any"
        entry.state = states.after_event(entry.state, event.type, task_id=event.task_id, terminal=event.is_terminal)
        if event.type == "progress":
            entry.status = event.status or entry.status
            entry.progress, entry.preceding_tasks = event.progress, event.preceding_tasks
        elif event.type == "created":
            entry.status = "PENDING"
        elif event.type == "waiting" or entry.kept:
            entry.message = event.message or (messages.KEPT if entry.kept else entry.message)
        elif event.type in {"failed", "canceled"}:
            entry.message = messages.explain(event.error) if event.error is not None else event.message
            entry.task_status = event.task.status if event.task is not None else None
        elif event.type == "succeeded":
            entry.files, entry.progress, entry.status = event.files, 100, "SUCCEEDED"
            entry.timings = dict(event.timings)
        if not entry.active and entry.finished is None:
            entry.finished = time.time()
        return entry

    def stop_following(self, job_id: str) -> None:
        """The user stopped waiting: canceled here at once (the engine's event follows)."""
        entry = self._entries.get(job_id)
        if entry is not None and entry.active:
            entry.state, entry.message, entry.finished = JobState.CANCELED, messages.STOPPED_WAITING, time.time()

    def imported(self, entry: TaskEntry, objects: list[str]) -> None:
        entry.state, entry.objects = JobState.IMPORTED, list(objects)
        entry.timings["in_scene"] = time.time()

    def import_failed(self, entry: TaskEntry, message: str) -> None:
        entry.state, entry.message = JobState.FAILED, message

    def forget(self, task_id: str) -> list[TaskEntry]:
        """Drop every entry of a task (it was deleted on Meshy); returns them."""
        gone = [e for e in self._entries.values() if e.task_id == task_id]
        for entry in gone:
            del self._entries[entry.job_id]
        return gone

    def clear(self) -> None:
        self._entries.clear()


def latest_progress_only(events: list[JobEvent]) -> list[JobEvent]:
    """Drop progress events that a later progress event of the same job supersedes.

    After a busy moment a tick can hold hundreds of events; only the newest
    progress per job changes what the user sees, so the tick stays short.
    """
    latest = {e.job_id: i for i, e in enumerate(events) if e.type == "progress"}
    return [e for i, e in enumerate(events) if e.type != "progress" or latest[e.job_id] == i]
