"""Sidebar tab "Meshy" in the 3D Viewport, and the Meshy menus (drawing only).

Panels read Blender properties and ``core.snapshot`` (a read-only picture of
the job service) and lay out what ``core.views`` makes of them. Every change
goes through an operator; every file or network access happens on the job
service's timer or in the background, never in a draw.
"""

from __future__ import annotations

import bpy

from ..core import snapshot
from . import account, characters, history, menus, operations, tasks, thumbnails

classes = (*account.classes, *operations.classes, *characters.classes, *tasks.classes, *history.classes, *menus.classes)
_register_classes, _unregister_classes = bpy.utils.register_classes_factory(classes)


def register() -> None:
    _register_classes()
    menus.register()
    snapshot.subscribe(thumbnails.refresh)


def unregister() -> None:
    snapshot.unsubscribe(thumbnails.refresh)
    menus.unregister()
    _unregister_classes()
    thumbnails.release()
