"""The History panel: one row per task Meshy lists, and what the page says while it loads."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...client.kinds import Kind
from . import kinds_more

NAME_FIELDS = ("prompt", "text_style_prompt", "texture_prompt")
STATUS_ICONS = {"SUCCEEDED": "CHECKMARK", "FAILED": "ERROR", "PENDING": "SORTTIME",
                "IN_PROGRESS": "PLAY", "CANCELED": "CANCEL"}


@dataclass(frozen=True)
class HistoryRow:
    """One past task as the panel shows it."""

    task_id: str
    kind: str
    status: str
    progress: int
    created_at: int
    name: str
    thumbnail_url: str = ""
    thumb_path: str = ""
    message: str = ""
    stage: str = ""  # text-to-3d: "preview" or "refine"
    preview_task_id: str = ""  # a refine's preview

    @property
    def stage_text(self) -> str:
        """``Preview`` / ``Refine of 1a2b3c4d`` for a text-to-3d row, "" for other kinds."""
        if self.stage == "refine":
            return f"Refine of {self.preview_task_id[:8]}" if self.preview_task_id else "Refine"
        return self.stage.title()

    @property
    def icon(self) -> str:
        return STATUS_ICONS.get(self.status, "QUESTION")

    @property
    def state_text(self) -> str:
        state = self.status.replace("_", " ").title()
        return f"{state} {self.progress}%" if self.status in ("PENDING", "IN_PROGRESS") else state


def row_from_task(task: Any, kind: str, folder: Path) -> HistoryRow:
    """A row from a client Task (pure: no bpy, no network)."""
    name = next((str(task.get(f)) for f in NAME_FIELDS if task.get(f)), "") or task.id[:8]
    stage, preview = kinds_more.history_stage(task) if kind == "text-to-3d" else ("", "")
    return HistoryRow(
        task_id=task.id, kind=kind, status=task.status, progress=int(task.progress or 0),
        created_at=int(task.created_at or 0), name=name[:60], thumbnail_url=task.thumbnail_url or "",
        thumb_path=str(folder / f"{task.id}.png"), message=task.error_message, stage=stage, preview_task_id=preview,
    )


def format_created(ms: int) -> str:
    """Meshy's created_at (ms since 1970) as a short local date and time."""
    if not ms:
        return ""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ms / 1000 if ms > 10**11 else ms))


def listable(kind: str) -> bool:
    """Does Meshy list tasks of this kind? (Rigging and animation have no list endpoint.)"""
    try:
        return Kind(kind).listable
    except ValueError:
        return True


def unlisted_text(kind: str) -> str:
    """What the History panel says for a kind Meshy keeps no list of."""
    return (f"Meshy keeps no list of {Kind(kind).title} tasks to browse: open one by its task id "
            "(Object > Meshy > Import Task by ID); the ones made here are in the Tasks panel.")


def history_lines(kind: str, history: Any) -> list[tuple[str, str]]:
    """(text, icon) for the page's state: loading, error, not fetched, empty; [] when rows show."""
    if not listable(kind):
        return [(unlisted_text(kind), "INFO")]
    if kind in history.loading and not history.rows.get(kind):
        return [("Loading…", "TIME")]
    if history.error.get(kind):
        return [(history.error[kind], "ERROR")]
    if kind not in history.rows:
        return [("Press Refresh to list your tasks on Meshy.", "INFO")]
    if not history.rows[kind]:
        return [("No tasks of this kind on this page.", "INFO")]
    return []


def display_name(row: HistoryRow, journal_jobs: Mapping[str, Mapping[str, Any]]) -> str:
    """The name given here (journal label) when this machine made the task, else Meshy's."""
    label = next((j.get("label") for j in journal_jobs.values() if j.get("task_id") == row.task_id), "")
    return f"{label} · {row.task_id[:8]}" if label else row.name
