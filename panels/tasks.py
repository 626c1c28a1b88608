"""The Tasks panel: every task of this session and the journal, with progress.

``task_rows`` turns the runtime's entries and a journal snapshot into what
each row shows (pure, tested headless); ``draw`` only lays it out. The
journal is read by the panels' timer, never by a draw.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bpy

from ..operators import messages
from ..operators.runtime import RUNTIME
from ..operators.scene_settings import TITLES
from . import thumbnails
from .common import PANEL, draw_message, progress_bar

MAX_JOURNAL_ROWS = 8
HIDDEN_STATES = {"deleted", "dismissed"}
STATE_ICONS = {
    "queued": "SORTTIME", "waiting": "TIME", "running": "PLAY", "succeeded": "CHECKMARK",
    "imported": "CHECKMARK", "failed": "ERROR", "canceled": "CANCEL", "journal": "FILE_FOLDER",
    "suspended": "PAUSE", "in_doubt": "QUESTION",
}


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

    @property
    def kind_title(self) -> str:
        return TITLES.get(self.kind, self.kind or "Task")


def format_elapsed(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def status_text(entry: Any) -> str:
    """A plain phrase for where the task is: queued here, in Meshy's queue, running."""
    if entry.state == "queued":
        return "Waiting to be sent"
    if entry.state == "waiting" and "queue is full" not in entry.message:
        return "Held up: goes on by itself"  # a lost answer looked for, or a troubled task polled
    if entry.state == "waiting":
        return "Queued here: Meshy's queue is full, starts by itself"
    if entry.state == "running":
        if entry.status in ("PENDING", "") and entry.preceding_tasks:
            return f"In Meshy's queue: {entry.preceding_tasks} ahead"
        if entry.status in ("PENDING", ""):
            return "Sent, starting"
        return f"Running {entry.progress}%"
    return {"succeeded": "Done, not imported", "imported": "Done, imported", "failed": "Failed",
            "canceled": "Not followed (on Meshy)", "suspended": "Paused: press Resume",
            "in_doubt": "Maybe created: looked for on Resume"}.get(entry.state, entry.state.title())


def thumb_path(kind: str, task_id: str, files: dict[str, str], download_dir: Path) -> str:
    if files.get("thumbnail"):
        return files["thumbnail"]
    if kind and task_id:
        return str(download_dir / kind / task_id / "thumbnail.png")
    return ""


def entry_row(entry: Any, download_dir: Path, now: float | None = None) -> TaskRow:
    """A row for a live TaskEntry of this session."""
    now = now or time.time()
    elapsed = (entry.finished or now) - entry.started
    return TaskRow(
        job_id=entry.job_id, task_id=entry.task_id or "", kind=entry.kind, name=entry.label or "Untitled",
        state=entry.state, status_text=status_text(entry), progress=max(0.0, min(1.0, entry.progress / 100)),
        elapsed=format_elapsed(elapsed), icon=STATE_ICONS.get(entry.state, "QUESTION"),
        message=entry.message if entry.state in ("failed", "waiting", "suspended", "in_doubt") else "",
        advice=messages.advice(entry.message) if entry.state == "failed" else "",
        thumb_path=thumb_path(entry.kind, entry.task_id or "", entry.files, download_dir),
        active=entry.active, can_import=entry.state in ("succeeded", "imported", "canceled") and bool(entry.task_id),
        imported=entry.state == "imported",
    )


def journal_row(rec: dict[str, Any], download_dir: Path) -> TaskRow:
    """A row for a journalled task of an earlier session or another file."""
    state = rec.get("state", "")
    kind, task_id = rec.get("kind") or "", rec.get("task_id") or ""
    failed = state == "failed"
    text = {"succeeded": "Done earlier", "imported": "Imported earlier", "failed": "Failed",
            "canceled": "Not followed (on Meshy)"}.get(state, "Not followed (on Meshy)")
    return TaskRow(
        job_id=rec.get("job_id", ""), task_id=task_id, kind=kind, name=rec.get("label") or task_id[:8],
        state=state, status_text=text, progress=1.0 if state in ("succeeded", "imported") else 0.0,
        elapsed=time.strftime("%m-%d %H:%M", time.localtime(rec.get("time", 0))), icon="FILE_FOLDER",
        message=rec.get("message", "") if failed else "",
        advice=messages.advice(rec.get("message", "")) if failed else "",
        thumb_path=thumb_path(kind, task_id, {}, download_dir), can_import=bool(task_id and not failed),
        imported=state == "imported", from_journal=True,
    )


def task_rows(entries: dict[str, Any], journal_jobs: dict[str, dict[str, Any]], download_dir: Path,
              now: float | None = None) -> list[TaskRow]:
    """This session's tasks newest first, then the journal's latest others."""
    rows = [entry_row(e, download_dir, now) for e in sorted(entries.values(), key=lambda e: -e.started)]
    seen = {r.job_id for r in rows} | {r.task_id for r in rows if r.task_id}
    older = [rec for rec in journal_jobs.values()
             if rec.get("job_id") not in seen and rec.get("task_id") not in seen
             and rec.get("state") not in HIDDEN_STATES and rec.get("task_id")]
    older.sort(key=lambda r: -float(r.get("time", 0)))
    return rows + [journal_row(rec, download_dir) for rec in older[:MAX_JOURNAL_ROWS]]


def kind_id(kind: str) -> str:
    return kind.upper().replace("-", "_")


def draw_row(layout: Any, row: TaskRow) -> None:
    box = layout.box()
    top = box.row(align=False)
    icon_id = thumbnails.icon(row.thumb_path)
    if icon_id:
        top.template_icon(icon_value=icon_id, scale=2.6)
    col = top.column(align=True)
    col.label(text=row.name, icon=row.icon)
    col.label(text=f"{row.kind_title} · {row.elapsed}")
    if row.active:
        progress_bar(box, row.progress, row.status_text)
    else:
        col.label(text=row.status_text)
    if row.message:
        draw_message(box, row.message, icon="ERROR" if row.state == "failed" else "INFO")
    if row.advice:
        draw_message(box, row.advice, icon="QUESTION")
    buttons = box.row(align=True)
    if row.active:
        op = buttons.operator("meshy.cancel_task", text="Stop Waiting", icon="CANCEL")
        op.job_id, op.task_id = row.job_id, row.task_id
    if row.can_import:
        op = buttons.operator("meshy.import_task", text="Re-import" if row.imported else "Import",
                              icon="IMPORT")
        op.task_id, op.kind = row.task_id, kind_id(row.kind)
    if row.task_id:
        op = buttons.operator("meshy.open_download_folder", text="", icon="FILE_FOLDER")
        op.kind, op.task_id = row.kind, row.task_id
        op = buttons.operator("meshy.delete_task", text="", icon="TRASH")
        op.task_id, op.kind = row.task_id, kind_id(row.kind)


class VIEW3D_PT_meshy_tasks(PANEL, bpy.types.Panel):
    """Every Meshy task of this session and the journal, with progress and actions."""

    bl_label = "Tasks"
    bl_idname = "VIEW3D_PT_meshy_tasks"
    bl_order = 5

    def draw(self, context: bpy.types.Context) -> None:
        from . import state

        layout = self.layout
        rows = task_rows(RUNTIME.tasks, state.journal_jobs(), state.download_dir())
        if not rows:
            layout.label(text="No tasks yet: run an operation above.", icon="INFO")
        for row in rows:
            draw_row(layout, row)
        if RUNTIME.last_error:
            draw_message(layout, RUNTIME.last_error, icon="ERROR")
        foot = layout.row(align=True)
        foot.operator("meshy.resume", text="Resume", icon="FILE_REFRESH")
        foot.operator("meshy.open_download_folder", text="Downloads", icon="FILE_FOLDER")


classes = (VIEW3D_PT_meshy_tasks,)
