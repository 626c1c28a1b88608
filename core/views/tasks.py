"""The Tasks panel's rows: this session's tasks and the journal's, with progress and actions.

``task_rows`` turns the task list and a journal snapshot into what each row
shows and which buttons it offers. States are ``JobState``; a job kept for
later (``suspended``, ``in_doubt``) reads "Kept: resumes later", never "Failed".
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...client.results import result_dir
from .. import messages
from ..params import TITLES
from ..states import DONE, KEPT, JobState
from . import kinds_more

MAX_JOURNAL_ROWS = 8
HIDDEN_STATES = {"deleted", "dismissed"}
STATE_ICONS = {
    JobState.QUEUED: "SORTTIME", JobState.CREATING: "SORTTIME", JobState.WAITING: "TIME",
    JobState.CREATED: "PLAY", JobState.FOLLOWING: "PLAY", JobState.SUCCEEDED: "CHECKMARK",
    JobState.IMPORTED: "CHECKMARK", JobState.FAILED: "ERROR", JobState.CANCELED: "CANCEL",
    JobState.SUSPENDED: "TIME", JobState.IN_DOUBT: "QUESTION",
}
IMPORTABLE = frozenset({JobState.SUCCEEDED, JobState.IMPORTED, JobState.CANCELED, *KEPT})
#: What a row says once a job needs nothing more from Meshy (journal rows: ``EARLIER``).
ENDED = {JobState.SUCCEEDED: "Done, not imported", JobState.IMPORTED: "Done, imported", JobState.FAILED: "Failed",
         JobState.CANCELED: "Not followed (on Meshy)", JobState.SUSPENDED: "Paused: press Resume",
         JobState.IN_DOUBT: "Maybe created: looked for on Resume"}
EARLIER = {JobState.SUCCEEDED: "Done earlier", JobState.IMPORTED: "Imported earlier", JobState.FAILED: "Failed",
           JobState.SUSPENDED: "Kept: resumes later", JobState.IN_DOUBT: "Kept: resumes later"}


@dataclass
class TaskRow:
    """What one task row shows and which buttons it offers."""

    job_id: str
    task_id: str
    kind: str
    name: str
    state: str
    status_text: str
    progress: float  # 0..1
    elapsed: str
    icon: str
    message: str = ""
    advice: str = ""
    thumb_path: str = ""
    active: bool = False
    can_import: bool = False
    imported: bool = False
    from_journal: bool = False
    stage: str = ""  # text-to-3d: "preview" or "refine"
    link: str = ""  # the line naming the other stage ("Refines preview 1a2b3c4d")
    can_refine: bool = False

    @property
    def kind_title(self) -> str:
        return kinds_more.stage_title(self.kind, self.stage, TITLES.get(self.kind, self.kind or "Task"))

    def with_stage(self, meta: Mapping[str, Any] | None) -> TaskRow:
        """The row with its text-to-3d stage, the link to the other stage and whether it offers Refine."""
        self.stage, self.link = kinds_more.row_stage(self.kind, meta)
        self.can_refine = kinds_more.can_refine(self.kind, meta, self.state, self.task_id)
        return self


def format_elapsed(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def status_text(entry: Any) -> str:
    """A plain phrase for where the task is: queued here, in Meshy's queue, running, kept."""
    state = entry.state
    if state in (JobState.QUEUED, JobState.CREATING):
        return "Waiting to be sent"
    if state == JobState.WAITING and "queue is full" not in (entry.message or ""):
        return "Held up: goes on by itself"  # a lost answer looked for, or a troubled task polled
    if state == JobState.WAITING:
        return "Queued here: Meshy's queue is full, starts by itself"
    if state in (JobState.CREATED, JobState.FOLLOWING):
        if entry.status in ("PENDING", "") and entry.preceding_tasks:
            return f"In Meshy's queue: {entry.preceding_tasks} ahead"
        if entry.status in ("PENDING", ""):
            return "Sent, starting"
        return f"Running {entry.progress}%"
    return ENDED.get(state, str(state).replace("_", " ").capitalize())


def thumb_path(kind: str, task_id: str, files: dict[str, str], download_dir: Path) -> str:
    own = kinds_more.THUMBNAIL.get(kind, "thumbnail")  # an image task's first picture is its thumbnail
    if files.get("thumbnail") or files.get(own):
        return files.get("thumbnail") or files[own]
    if kind and task_id:
        try:
            return str(result_dir(download_dir, kind, task_id) / f"{own}.png")
        except ValueError:  # not a kind this add-on knows, or a folder that would leave the downloads
            return ""
    return ""


def entry_row(entry: Any, download_dir: Path, now: float | None = None) -> TaskRow:
    """A row for a live TaskEntry of this session."""
    now = now or time.time()
    elapsed = (entry.finished or now) - entry.started
    return TaskRow(
        job_id=entry.job_id, task_id=entry.task_id or "", kind=entry.kind, name=entry.label or "Untitled",
        state=entry.state, status_text=status_text(entry), progress=max(0.0, min(1.0, entry.progress / 100)),
        elapsed=format_elapsed(elapsed), icon=STATE_ICONS.get(entry.state, "QUESTION"),
        message=entry.message if entry.state in (JobState.FAILED, JobState.WAITING, *KEPT) else "",
        advice=messages.advice(entry.message) if entry.state == JobState.FAILED else "",
        thumb_path=thumb_path(entry.kind, entry.task_id or "", entry.files, download_dir),
        active=entry.active, can_import=bool(entry.task_id) and (entry.state in IMPORTABLE or bool(entry.files)),
        imported=entry.state == JobState.IMPORTED,
    ).with_stage(entry.meta)


def journal_row(rec: Mapping[str, Any], download_dir: Path) -> TaskRow:
    """A row for a journalled task of an earlier session or another file."""
    state = rec.get("state", "")
    kind, task_id = rec.get("kind") or "", rec.get("task_id") or ""
    failed = state == JobState.FAILED
    text = EARLIER.get(state, "Not followed (on Meshy)")
    return TaskRow(
        job_id=rec.get("job_id", ""), task_id=task_id, kind=kind, name=rec.get("label") or task_id[:8],
        state=state, status_text=text, progress=1.0 if state in DONE else 0.0,
        elapsed=time.strftime("%m-%d %H:%M", time.localtime(rec.get("time", 0))), icon="FILE_FOLDER",
        message=rec.get("message", "") if failed else "",
        advice=messages.advice(rec.get("message", "")) if failed else "",
        thumb_path=thumb_path(kind, task_id, {}, download_dir),
        can_import=bool(task_id) and (not failed or bool(rec.get("files"))),  # a failed import can be tried again
        imported=state == JobState.IMPORTED, from_journal=True,
    ).with_stage(rec.get("meta") if isinstance(rec.get("meta"), Mapping) else None)


def task_rows(entries: Mapping[str, Any], journal_jobs: Mapping[str, Mapping[str, Any]], download_dir: Path,
              now: float | None = None) -> list[TaskRow]:
    """This session's tasks newest first, then the journal's latest others."""
    rows = [entry_row(e, download_dir, now) for e in sorted(entries.values(), key=lambda e: -e.started)]
    seen = {r.job_id for r in rows} | {r.task_id for r in rows if r.task_id}
    older = [rec for rec in journal_jobs.values()
             if rec.get("job_id") not in seen and rec.get("task_id") not in seen
             and rec.get("state") not in HIDDEN_STATES and rec.get("task_id")]
    older.sort(key=lambda r: -float(r.get("time", 0)))
    return rows + [journal_row(rec, download_dir) for rec in older[:MAX_JOURNAL_ROWS]]
