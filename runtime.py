"""The job service's host in Blender: one service per session, one main-thread timer.

``service()`` is the session's ``JobService`` (``service/``), given what only
Blender can do: import a finished task into the scene (``scene``), say
whether Blender may go online, redraw the Meshy areas, read the preferences.
One ``bpy.app.timers`` timer drains the engine's events and finished
background work (every ``BUSY`` seconds while something runs) and, once a
second, lets the controller refresh what the panels show; modal operators
only read the task list. In background Blender no timer fires: the
operators wait with ``service().wait()``, the same pump. The journal is
compacted at start-up, then resumed (on the first tick, once the file is
loaded) and again whenever a file is loaded.
"""

from __future__ import annotations

import logging
from typing import Any

import bpy

from . import preferences, scene
from .core import snapshot
from .properties import MAX_HISTORY_PAGE
from .service.background import Background
from .service.controller import Controller
from .service.jobs import JobService
from .service.tasks import Imported

log = logging.getLogger("meshy")

BUSY = 0.1  # seconds between ticks while tasks or background work run
IDLE = 1.0  # otherwise: the controller's own pace

_session: dict[str, Any] = {}


def service() -> JobService:
    """The session's job service (made on first use, e.g. by a script before registration ends)."""
    if "service" not in _session:
        svc = JobService(
            preferences.settings, importer=_import, online=lambda: bool(bpy.app.online_access), redraw=redraw_areas,
            wake=_wake, background=Background(inline=bool(bpy.app.background)), current_file=lambda: bpy.data.filepath,
        )
        _session["service"] = svc
        _session["controller"] = Controller(svc, page_size=_history_page_size)
    return _session["service"]


def controller() -> Controller:
    service()
    return _session["controller"]


def _import(kind: str, files: dict[str, str], meta: dict[str, Any], task_id: str) -> Imported:
    if "mark_asset" not in meta:  # the scene's choice when the result lands (sidebar, history, resume)
        meta = {**meta, "mark_asset": bool(getattr(bpy.context.scene, "meshy_mark_assets", False))}
    return Imported(scene.import_result(kind, files, meta, task_id))


@bpy.app.handlers.persistent
def _on_save_post(*args: Any) -> None:
    """A saved file holding Meshy assets: their catalogs into the catalog file Blender reads for it."""
    try:
        scene.assets.write_file_catalogs(args[0] if args and isinstance(args[0], str) else bpy.data.filepath)
    except OSError:
        log.exception("could not write the asset catalogs")


def _history_page_size() -> int:
    ui = getattr(getattr(bpy.context, "window_manager", None), "meshy_history", None)
    return min(MAX_HISTORY_PAGE, ui.page_size) if ui is not None else 10


def redraw_areas() -> None:
    """Redraw the 3D Viewport and Image Editor (the areas showing Meshy panels)."""
    wm = getattr(bpy.context, "window_manager", None)
    if wm is None:
        return
    for window in wm.windows:
        for area in window.screen.areas:
            if area.type in {"VIEW_3D", "IMAGE_EDITOR"}:
                area.tag_redraw()


def _tick() -> float:
    """The one timer: events and background results, then (once a second) the panels' refreshes."""
    _session["ticking"] = True
    try:
        if _session.pop("resume_pending", False) and bpy.app.online_access:
            service().resume()  # after start-up, once the file is loaded
        busy = service().tick()
        ctl = controller()
        if ctl.due():
            changed = ctl.refresh()
            changed |= snapshot.notify()
            if changed:
                redraw_areas()
        return BUSY if busy else IDLE
    except Exception:  # a timer that raises is dropped by Blender: log it and keep ticking
        log.exception("Meshy timer failed")
        return IDLE
    finally:
        _session["ticking"] = False


def _wake() -> None:
    """Work was just handed to the engine: tick soon rather than at the idle pace."""
    if bpy.app.background or _session.get("ticking"):  # inside the tick: it returns BUSY by itself
        return
    if bpy.app.timers.is_registered(_tick):
        bpy.app.timers.unregister(_tick)
    bpy.app.timers.register(_tick, first_interval=BUSY, persistent=True)


@bpy.app.handlers.persistent
def _on_load_post(*_args: Any) -> None:
    service().file_opened()  # another file: results of earlier jobs do not land in it
    service().resume()


def register() -> None:
    svc = service()
    snapshot.provide(controller().snapshot)
    bpy.app.handlers.load_post.append(_on_load_post)
    bpy.app.handlers.save_post.append(_on_save_post)
    try:  # nothing writes the journal yet: keep it one line per job, recent ones only
        svc.records().compact()
    except OSError:
        log.exception("could not compact the Meshy journal")
    if bpy.app.background:
        if bpy.app.online_access:
            svc.resume()
        return
    _session["resume_pending"] = True
    bpy.app.timers.register(_tick, first_interval=0.5, persistent=True)


def unregister() -> None:
    if _on_load_post in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_on_load_post)
    if _on_save_post in bpy.app.handlers.save_post:
        bpy.app.handlers.save_post.remove(_on_save_post)
    if bpy.app.timers.is_registered(_tick):
        bpy.app.timers.unregister(_tick)
    snapshot.provide(None)
    if "service" in _session:
        _session.pop("service").shutdown()
        _session.pop("controller", None)
