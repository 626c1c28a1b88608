"""Task thumbnails as icons (bpy.utils.previews), loaded off the draw path.

Drawing only asks ``icon(path)``: 0 until the picture is loaded. ``refresh``
runs on the job service's timer (it subscribes to ``core.snapshot``) and
loads files that have appeared on disk (the engine's ``thumbnail.png``, or a
history thumbnail downloaded in the background), so a draw never reads a
file or waits on the network.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import bpy
import bpy.utils.previews

from ..core.snapshot import Snapshot
from ..core.views.tasks import task_rows

_PREVIEWS: dict[str, Any] = {}
_MISSING: dict[str, float] = {}  # path -> mtime seen, for files that failed to load


def collection() -> Any:
    if "main" not in _PREVIEWS:
        _PREVIEWS["main"] = bpy.utils.previews.new()
    return _PREVIEWS["main"]


def icon(path: str) -> int:
    """The icon id of a loaded thumbnail, or 0 (draw-safe: no file access)."""
    if not path or "main" not in _PREVIEWS:
        return 0
    item = _PREVIEWS["main"].get(path)
    return item.icon_id if item is not None else 0


def load(paths: Iterable[str]) -> int:
    """Load thumbnails whose files exist (main thread, from a timer); returns how many."""
    pcoll, count = collection(), 0
    for path in paths:
        if not path or path in pcoll or path in _MISSING:
            continue
        if not Path(path).is_file():
            continue
        try:
            pcoll.load(path, path, "IMAGE")
        except (KeyError, RuntimeError, OSError):
            _MISSING[path] = 0.0
            continue
        count += 1
    return count


def refresh(snap: Snapshot) -> bool:
    """Load the thumbnails of the rows the panels show; True when a new one came in."""
    paths = [r.thumb_path for r in task_rows(snap.tasks, snap.journal_jobs, snap.download_dir)]
    paths += [r.thumb_path for rows in snap.history.rows.values() for r in rows]
    return load(paths) > 0


def release() -> None:
    for pcoll in _PREVIEWS.values():
        bpy.utils.previews.remove(pcoll)
    _PREVIEWS.clear()
    _MISSING.clear()
