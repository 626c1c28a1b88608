"""One rollback for every import, and one list of the datablock types a result can add.

``rollback_on_error`` snapshots the datablocks, the objects' visibility and the
selection; if the block raises, whatever it made is removed and the rest is
put back, so a failed import leaves the scene as it was. ``clear_scene``
empties a file of those types (the batch saves one result per .blend).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import bpy

from .common import in_view_layer, layer_objects

#: What an import (or a batch's scene) may hold, objects first, then what they use.
DATABLOCKS = (
    "objects", "collections", "meshes", "materials", "images", "textures", "node_groups", "actions",
    "armatures", "cameras", "lights", "curves",
)


def snapshot() -> dict[str, set[int]]:
    """The datablocks there now, by type (as pointers, cheap to compare)."""
    return {attr: {b.as_pointer() for b in getattr(bpy.data, attr)} for attr in DATABLOCKS}


def remove_new(before: dict[str, set[int]]) -> None:
    """Remove every datablock that is not in the snapshot (objects first, then their data)."""
    for attr in DATABLOCKS:
        data = getattr(bpy.data, attr)
        for block in [b for b in data if b.as_pointer() not in before[attr]]:
            try:
                data.remove(block)
            except (ReferenceError, RuntimeError, TypeError):
                pass


@contextmanager
def rollback_on_error(context: Any = None) -> Iterator[dict[str, set[int]]]:
    """Undo everything the block made if it raises; yields the snapshot it compares with."""
    context = context or bpy.context
    view_layer = context.view_layer
    before = snapshot()
    objects = layer_objects(view_layer)
    shown = {o.name: (o.hide_get(), o.hide_render) for o in objects}
    selected = [o.name for o in objects if o.select_get()]
    active = view_layer.objects.active.name if view_layer.objects.active is not None else None
    try:
        yield before
    except BaseException:
        remove_new(before)
        _restore(view_layer, shown, selected, active)
        raise


def _restore(view_layer: Any, shown: dict[str, tuple[bool, bool]], selected: list[str], active: str | None) -> None:
    for obj in layer_objects(view_layer):
        if obj.name in shown:
            obj.hide_set(shown[obj.name][0])
            obj.hide_render = shown[obj.name][1]
        obj.select_set(obj.name in selected)
    previous = bpy.data.objects.get(active) if active else None
    try:
        view_layer.objects.active = previous if previous is not None and in_view_layer(previous, view_layer) else None
    except (ReferenceError, RuntimeError):
        pass


def clear_scene() -> None:
    """Remove every local datablock of ``DATABLOCKS``, so a saved .blend holds only its own result."""
    for attr in DATABLOCKS:
        blocks = [b for b in getattr(bpy.data, attr) if not b.library]
        if blocks:
            bpy.data.batch_remove(blocks)
    bpy.data.orphans_purge(do_local_ids=True, do_linked_ids=True, do_recursive=True)
    # Blender 5.2 leaves stale (None) bases in the view layer until it resyncs, which
    # only the UI's event loop does by itself: resync before anything iterates it.
    bpy.context.view_layer.update()
