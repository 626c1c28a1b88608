"""Sidebar tab "Meshy" in the 3D Viewport, and the Meshy menus (drawing only).

Panels read ``RUNTIME`` and the snapshots in ``state``; every change goes
through an operator, and every file or network access happens in timers
and threads (see ``state``), never in a draw.
"""

from __future__ import annotations

import bpy

from . import account, history, menus, operations, state, tasks, thumbnails

classes = (*account.classes, *operations.classes, *tasks.classes, *history.classes, *menus.classes)
_register_classes, _unregister_classes = bpy.utils.register_classes_factory(classes)


def register() -> None:
    _register_classes()
    menus.register()
    state.register()


def unregister() -> None:
    state.unregister()
    menus.unregister()
    _unregister_classes()
    thumbnails.release()
