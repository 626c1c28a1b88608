"""A journal of jobs on disk, so a paid task survives a crash or a restart.

JSON lines, append-only: one record per state change. The record that holds a
new task id is flushed and fsynced before the create call's caller sees the
id, so whatever happens next, a later run re-attaches to that task instead of
creating (and paying for) it again. Reading folds the records of each job into
its latest state.

The file is hostile input (see journal_format.py): a damaged line is skipped
with one warning per read, and every good job still resumes. Reading never
raises: a journal that cannot be read (a folder, no permission, a pipe) reads
as empty and says why in ``Journal.problem``, so enabling the add-on never
fails because of it. Writing raises ``JournalWriteError`` with one sentence
("The disk is full: ..."). Every record starts on a new line, so a line torn by
a crash or a full disk never swallows the next one; nothing already written is
ever truncated.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from . import journal_files as files
from .journal_files import JournalWriteError
from .journal_format import Damage, decode, encode, is_id, iter_lines

__all__ = ["FINISHED_STATES", "JobState", "Journal", "JournalWriteError", "fold"]

log = logging.getLogger("meshy.journal")

_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO at the journal path must not block the opening
_O_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0) | _O_NONBLOCK
_READ_BUFFER = 256 * 1024


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


_STATES = frozenset(s.value for s in JobState)
UNKNOWN_KIND_CREATE = (
    "The journal does not say which kind of task this was when Blender stopped during its create, "
    "so it cannot be looked for; check the Meshy history before running it again"
)


class Journal:
    """Append-only JSON-lines log of jobs, safe to share between threads and processes.

    ``problem`` is one sentence when the journal could not be read or written
    (None when it works); ``damage`` says what the last read skipped.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._problems: dict[str, str | None] = {"read": None, "write": None}
        self.damage: str | None = None
        self._logged: dict[str, str | None] = {}

    @property
    def problem(self) -> str | None:
        """Why the journal cannot be written or read right now, in one sentence; None when it works."""
        return self._problems["write"] or self._problems["read"]

    # -- writing -------------------------------------------------------------

    def record(self, job_id: str, state: str, *, durable: bool = False, **fields: Any) -> None:
        """Append one state change; ``durable`` fsyncs (used for new task ids).

        Raises ``ValueError`` for a record no reader would trust (a programming
        error), ``JournalWriteError`` when the file cannot be written.
        """
        if not is_id(job_id):
            raise ValueError(f"a journal record needs a job id of printable text, not {job_id!r}")
        if str(state) not in _STATES:
            raise ValueError(f"{state!r} is not a job state ({', '.join(sorted(_STATES))})")
        line, dropped = encode({"job_id": job_id, "state": str(state), "time": time.time(), **fields})
        check = Damage()
        if decode(line, _STATES, check) is None:  # what is written must read back, or it is lost
            raise ValueError(f"this journal record of job {job_id} would not be read back ({check.reasons()})")
        if dropped:
            log.warning("journal record of job %s was too long; left out: %s", job_id, ", ".join(dropped))
        with self._lock:
            try:
                files.append(self.path, line, durable)
            except OSError as exc:
                error = files.write_error(exc, self.path)
                self._problems["write"] = error.message
                raise error from exc
            self._problems["write"] = None

    # -- reading -------------------------------------------------------------

    def jobs(self, *, times: bool = False) -> dict[str, dict[str, Any]]:
        """Every job's latest known fields, in the order jobs first appeared; never raises.

        ``times`` adds ``job["times"]``: when each state was first recorded (reports).
        Every job has ``job_id``, ``state``, ``time`` and ``kind`` ("" when unknown).
        """
        return fold(self._records(), times=times)

    def claims(self) -> dict[str, str]:
        """Task id -> the job that recorded it first (file order); never raises.

        Two processes sharing one journal may both find the same task after a
        lost create answer; appends are ordered, so the first claim wins and
        the other job keeps looking instead of adopting it too.
        """
        first: dict[str, str] = {}
        for entry in self._records():
            task_id = entry.get("task_id")
            if task_id:
                first.setdefault(task_id, entry["job_id"])
        return first

    def interrupted_creates(self) -> list[dict[str, Any]]:
        """Jobs whose create call was running when the process died (see reconcile.py)."""
        return [job for job in self.jobs().values()
                if job.get("state") == JobState.CREATING and not job.get("task_id")]

    def unfinished(self) -> list[dict[str, Any]]:
        """Jobs with a task id on the service that were never seen to finish."""
        return [job for job in self.jobs().values()
                if job.get("task_id") and job.get("state") not in FINISHED_STATES]

    def find_task(self, task_id: str) -> dict[str, Any] | None:
        """The latest record of the job that follows ``task_id``, if any."""
        for job in self.jobs().values():
            if job.get("task_id") == task_id:
                return job
        return None

    def _records(self, tally: list[int] | None = None) -> Iterator[dict[str, Any]]:
        """Every trusted record in file order, streamed (a big journal is never held whole); never raises.

        ``tally`` gets the number of lines the file has. Problems are noted when the stream ends.
        """
        damage = Damage()
        lines = 0
        problem = None
        try:
            handle = files.open_for_reading(self.path)
        except FileNotFoundError:
            handle = None
        except OSError as exc:
            handle, problem = None, files.read_problem(exc, self.path)
        if handle is not None:
            with handle:
                try:
                    for line in iter_lines(handle, damage):
                        lines += 1
                        entry = decode(line, _STATES, damage)
                        if entry is not None:
                            yield entry
                except OSError as exc:  # an I/O error part-way: keep what was read
                    problem = files.read_problem(exc, self.path)
            lines += damage.lines["long"]
        if tally is not None:
            tally.append(lines)
        self._problems["read"] = problem
        self._say("read", problem)
        self.damage = damage.sentence(self.path) if damage else None
        self._say("damage", self.damage)

    def _say(self, topic: str, text: str | None) -> None:
        """Log a problem once while it lasts: the task list re-reads the journal whenever it changes."""
        if text and text != self._logged.get(topic):
            log.warning("%s", text)
        self._logged[topic] = text

    # -- compaction ----------------------------------------------------------

    def compact(self, *, keep_finished_for: float = 30 * 86400, idle_for: float = 600) -> int:
        """Rewrite as one line per job, dropping jobs finished longer ago; returns how many went.

        An append-only log grows with every job, so it is compacted at start-up,
        but only when nothing wrote to it for ``idle_for`` seconds (a Blender
        without file locks may share it). Unfinished jobs are always kept; damaged
        lines go. Never raises: on any failure (a full disk, no permission) the
        journal stays as it was, the temporary file is removed and ``problem`` says why.
        """
        try:
            return self._compact(keep_finished_for, idle_for)
        except OSError as exc:
            message = files.write_error(exc, self.path, "compacted").message
            self._problems["write"] = message
            log.warning("%s", message)
            return 0

    def _compact(self, keep_finished_for: float, idle_for: float) -> int:
        now = time.time()
        try:
            info = os.stat(self.path)
        except OSError:
            info = None
        if info is None or not stat.S_ISREG(info.st_mode):
            self.jobs()  # says why in ``problem`` (nothing when there is no journal yet)
            return 0
        if now - info.st_mtime < idle_for:
            return 0
        with self._lock, files.held(self.path):  # appends of other processes wait for the new file
            tally: list[int] = []
            jobs = fold(self._records(tally))
            keep = [job for job in jobs.values()
                    if job["state"] not in FINISHED_STATES or now - job["time"] < keep_finished_for]
            if len(keep) == len(jobs) and tally == [len(jobs)]:
                return 0
            files.replace(self.path, b"".join(encode(job)[0] for job in keep))
        self._problems["write"] = None
        return len(jobs) - len(keep)


def fold(entries: Iterable[dict[str, Any]], *, times: bool = False) -> dict[str, dict[str, Any]]:
    """Each job's latest fields, from its records in file order (None never erases)."""
    merged: dict[str, dict[str, Any]] = {}
    for entry in entries:
        job = merged.get(entry["job_id"])
        if job is None:
            job = merged[entry["job_id"]] = {"times": {}} if times else {}
        if times:
            job["times"].setdefault(entry["state"], entry["time"])
        if None in entry.values():
            job.update({key: value for key, value in entry.items() if value is not None})
        else:
            job.update(entry)
    for job in merged.values():
        job.setdefault("kind", "")
        if job["state"] == JobState.CREATING and not job["kind"] and not job.get("task_id"):
            # Only a hand-edited file gets here (a create always names its kind); resuming it
            # cannot look for the task, so it is left to the user rather than guessed.
            job["state"], job["message"] = JobState.UNRESOLVED.value, UNKNOWN_KIND_CREATE
    return merged
