"""The server's task history, one page at a time, fetched on a thread.

``HISTORY`` is the cache the History panel draws from: rows per kind, the
page shown, and whether a fetch is under way. The list call and the thumbnail
downloads run on threads and never touch bpy; the rows land on the main
thread, then thumbnails appear as their files arrive (see panels.thumbnails).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpy
from bpy.props import EnumProperty, IntProperty

from .. import preferences
from ..client.errors import MeshyError
from ..core import messages
from ..core.params import KIND_ITEMS, kind_from_id
from ..properties import MAX_HISTORY_PAGE as MAX_PAGE_SIZE
from .runtime import RUNTIME, run_in_background

NAME_FIELDS = ("prompt", "text_style_prompt", "texture_prompt")


@dataclass
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


@dataclass
class HistoryState:
    """What was fetched, per kind; ``loading`` holds kinds with a fetch under way."""

    rows: dict[str, list[HistoryRow]] = field(default_factory=dict)
    page: dict[str, int] = field(default_factory=dict)
    more: dict[str, bool] = field(default_factory=dict)
    loading: set[str] = field(default_factory=set)
    error: dict[str, str] = field(default_factory=dict)
    fetched_at: dict[str, float] = field(default_factory=dict)


HISTORY = HistoryState()


def thumb_dir() -> Path:
    return preferences.user_dir() / "thumbnails"


def row_from_task(task: Any, kind: str, folder: Path) -> HistoryRow:
    """A row from a client Task (pure: no bpy, no network)."""
    name = next((str(task.get(f)) for f in NAME_FIELDS if task.get(f)), "") or task.id[:8]
    return HistoryRow(
        task_id=task.id, kind=kind, status=task.status, progress=int(task.progress or 0),
        created_at=int(task.created_at or 0), name=name[:60], thumbnail_url=task.thumbnail_url or "",
        thumb_path=str(folder / f"{task.id}.png"), message=task.error_message,
    )


def format_created(ms: int) -> str:
    """Meshy's created_at (ms since 1970) as a short local date and time."""
    if not ms:
        return ""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ms / 1000 if ms > 10**11 else ms))


def fetch(kind: str, page: int, page_size: int, context: bpy.types.Context | None = None) -> str:
    """Start fetching a page; returns a sentence when it cannot start."""
    if kind in HISTORY.loading:
        return ""
    try:
        client = RUNTIME.make_client(context)
    except MeshyError as exc:
        HISTORY.error[kind] = messages.explain(exc)
        return HISTORY.error[kind]
    folder = thumb_dir()
    HISTORY.loading.add(kind)

    def work() -> list[HistoryRow]:
        tasks = client.list_page(kind, page_num=page, page_size=page_size, sort_by="-created_at")
        return [row_from_task(t, kind, folder) for t in tasks]

    def done(rows: list[HistoryRow] | None, error: BaseException | None) -> None:
        HISTORY.loading.discard(kind)
        if error is not None:
            HISTORY.error[kind] = messages.explain(error, "fetching the task history")
            return
        HISTORY.error.pop(kind, None)
        HISTORY.rows[kind], HISTORY.page[kind] = rows or [], page
        HISTORY.more[kind] = len(rows or []) >= page_size
        HISTORY.fetched_at[kind] = time.time()
        fetch_thumbnails(client, rows or [])

    run_in_background(work, done)
    return ""


def fetch_thumbnails(client: Any, rows: list[HistoryRow]) -> None:
    """Download missing thumbnails on a thread; failures just leave no picture."""
    wanted = [(r.thumbnail_url, Path(r.thumb_path)) for r in rows
              if r.thumbnail_url and not Path(r.thumb_path).is_file()]
    if not wanted or bpy.app.background:
        return

    def work() -> int:
        got = 0
        for url, dest in wanted:
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                client.download(url, dest)
                got += 1
            except (MeshyError, OSError):
                continue
        return got

    run_in_background(work, lambda _got, _err: None, poll=0.3)


class MESHY_OT_history_page(bpy.types.Operator):
    """Fetch a page of your Meshy tasks of this kind, newest first"""

    bl_idname = "meshy.history_page"
    bl_label = "Refresh Meshy History"
    bl_options = {"REGISTER"}

    kind: EnumProperty(name="Kind", items=KIND_ITEMS)  # type: ignore[valid-type]
    page: IntProperty(name="Page", default=1, min=1)  # type: ignore[valid-type]
    page_size: IntProperty(name="Page Size", default=10, min=1, max=MAX_PAGE_SIZE)  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        kind = kind_from_id(self.kind)
        problem = fetch(kind, self.page, self.page_size, context)
        if problem:
            self.report({"ERROR"}, problem)
            return {"CANCELLED"}
        RUNTIME.history_dirty = False
        return {"FINISHED"}


classes = (MESHY_OT_history_page,)
