"""A journal of jobs on disk, so a paid task survives a crash or a restart.

JSON lines, append-only: one record per state change. The record that holds a
new task id is flushed and fsynced before the create call's caller sees the
id, so whatever happens next, a later run re-attaches to that task instead of
creating (and paying for) it again. Reading folds the records of each job into
its latest state; a torn last line (a crash mid-write) is skipped.
"""

from __future__ import annotations

import json
import os
import threading
import time
from enum import StrEnum
from pathlib import Path
from typing import Any


class JobState(StrEnum):
    """Every state a job's journal record can hold (the ``state`` field)."""

    QUEUED = "queued"  # accepted here, nothing sent yet
    CREATING = "creating"  # the create call is running (durable: a crash here is looked for later)
    WAITING = "waiting"  # Meshy's queue is full; the create is retried by itself
    IN_DOUBT = "in_doubt"  # the create's answer was lost: the task may exist and is looked for again
    CREATED = "created"  # the task id is known (durable)
    FOLLOWING = "following"  # an existing task is followed (import by id, resume)
    SUSPENDED = "suspended"  # following stopped (network, server errors); resume picks it up
    SUCCEEDED = "succeeded"  # finished on Meshy and downloaded
    IMPORTED = "imported"  # in a scene
    FAILED = "failed"  # FAILED/CANCELED on Meshy, 404, or refused before anything was sent
    CANCELED = "canceled"  # the user stopped waiting here; the task keeps running on Meshy
    DELETED = "deleted"
    DISMISSED = "dismissed"
    NOT_CREATED = "not_created"  # provably never reached Meshy: safe to run again
    UNRESOLVED = "unresolved"  # several tasks could be this one: left to the user


#: States after which a job needs nothing more from the service.
FINISHED_STATES = frozenset(
    {JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELED, JobState.IMPORTED, JobState.DELETED,
     JobState.DISMISSED, JobState.NOT_CREATED, JobState.UNRESOLVED}
)


class Journal:
    """Append-only JSON-lines log of jobs, safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, job_id: str, state: str, *, durable: bool = False, **fields: Any) -> None:
        """Append one state change; ``durable`` fsyncs (used for new task ids)."""
        entry = {"job_id": job_id, "state": state, "time": time.time(), **fields}
        line = json.dumps(entry, separators=(",", ":"), default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                if durable:
                    os.fsync(handle.fileno())

    def jobs(self, *, times: bool = False) -> dict[str, dict[str, Any]]:
        """Every job's latest known fields, in the order jobs first appeared.

        ``times`` adds ``job["times"]``: when each state was first recorded (reports).
        """
        merged: dict[str, dict[str, Any]] = {}
        for line in self._lines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn write from a crash: the rest is still good
            if not isinstance(entry, dict) or "job_id" not in entry:
                continue
            job = merged.setdefault(entry["job_id"], {"times": {}} if times else {})
            if times:
                job["times"].setdefault(entry.get("state", ""), entry.get("time"))
            job.update({k: v for k, v in entry.items() if v is not None and k != "times"})  # None never erases
        return merged

    def compact(self, *, keep_finished_for: float = 30 * 86400, idle_for: float = 600) -> int:
        """Rewrite as one line per job, dropping jobs finished longer ago; returns how many went.

        An append-only log grows with every job, so it is compacted at start-up,
        but only when nothing wrote to it for ``idle_for`` seconds: another
        Blender may share it, and a record it appends mid-rewrite must not be
        lost. Unfinished jobs are always kept.
        """
        now = time.time()
        try:
            if now - self.path.stat().st_mtime < idle_for:
                return 0
        except FileNotFoundError:
            return 0
        jobs = self.jobs()
        keep = [job for job in jobs.values()
                if job.get("state") not in FINISHED_STATES or now - float(job.get("time", now)) < keep_finished_for]
        if len(keep) == len(jobs) and sum(1 for _ in self._lines()) == len(jobs):
            return 0
        tmp = self.path.with_name(self.path.name + ".tmp")
        with self._lock:
            with open(tmp, "w", encoding="utf-8") as handle:
                for job in keep:
                    handle.write(json.dumps(job, separators=(",", ":"), default=str) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        return len(jobs) - len(keep)

    def _lines(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def interrupted_creates(self) -> list[dict[str, Any]]:
        """Jobs whose create call was running when the process died (see reconcile.py)."""
        return [job for job in self.jobs().values() if job.get("state") == "creating" and not job.get("task_id")]

    def unfinished(self) -> list[dict[str, Any]]:
        """Jobs with a task id on the service that were never seen to finish."""
        return [
            job
            for job in self.jobs().values()
            if job.get("task_id") and job.get("state") not in FINISHED_STATES
        ]

    def claims(self) -> dict[str, str]:
        """Task id -> the job that recorded it first (file order).

        Two processes sharing one journal may both find the same task after a
        lost create answer; appends are ordered, so the first claim wins and
        the other job keeps looking instead of adopting it too.
        """
        first: dict[str, str] = {}
        for line in self._lines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("task_id"), str) and entry["task_id"]:
                first.setdefault(entry["task_id"], str(entry.get("job_id")))
        return first

    def find_task(self, task_id: str) -> dict[str, Any] | None:
        """The latest record of the job that follows ``task_id``, if any."""
        for job in self.jobs().values():
            if job.get("task_id") == task_id:
                return job
        return None
