"""Snapshots the panels draw from, refreshed by a main-thread timer.

A draw must not read files, create folders or start network work, so this
timer does it for them once a second: re-read the journal when it changed,
load thumbnails that arrived, check a new API key once, refetch the history
page after a delete, and redraw while tasks run (elapsed time moves).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import bpy

from .. import preferences
from ..operators import account, history
from ..operators.runtime import RUNTIME, journal, redraw_areas
from . import thumbnails

log = logging.getLogger("meshy")
INTERVAL = 1.0
_SNAP: dict[str, Any] = {"jobs": {}, "mtime": None, "download_dir": None}


def journal_jobs() -> dict[str, dict[str, Any]]:
    return _SNAP["jobs"]


def download_dir() -> Path:
    return _SNAP["download_dir"] or Path(".")


def refresh_journal() -> bool:
    """Re-read the journal if its file changed; True when it did."""
    path = journal().path
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = None
    if mtime == _SNAP["mtime"]:
        return False
    _SNAP["mtime"], _SNAP["jobs"] = mtime, journal().jobs() if mtime else {}
    return True


def thumbnail_paths() -> list[str]:
    from .tasks import task_rows

    paths = [r.thumb_path for r in task_rows(RUNTIME.tasks, journal_jobs(), download_dir())]
    for rows in history.HISTORY.rows.values():
        paths += [r.thumb_path for r in rows]
    return paths


def tick(context: Any = None) -> bool:
    """One refresh; True when something the panels show changed."""
    _SNAP["download_dir"] = preferences.settings(context).download_dir
    changed = refresh_journal()
    changed |= thumbnails.load(thumbnail_paths()) > 0
    if account.needs_check(context):
        changed |= account.start_check(context)
    if RUNTIME.history_dirty and bpy.app.online_access:
        wm = getattr(context or bpy.context, "window_manager", None)
        ui = getattr(wm, "meshy_history", None)
        for kind in list(history.HISTORY.rows):
            size = ui.page_size if ui is not None else 10
            history.fetch(kind, history.HISTORY.page.get(kind, 1), size, context)
        RUNTIME.history_dirty = False
    return changed or any(e.active for e in RUNTIME.tasks.values())


def _timer() -> float:
    try:
        if tick():
            redraw_areas()
    except Exception:  # a timer that raises is dropped by Blender: log and keep going
        log.exception("Meshy panel refresh failed")
    return INTERVAL


def register() -> None:
    if not bpy.app.background and not bpy.app.timers.is_registered(_timer):
        bpy.app.timers.register(_timer, first_interval=0.5, persistent=True)


def unregister() -> None:
    if bpy.app.timers.is_registered(_timer):
        bpy.app.timers.unregister(_timer)
