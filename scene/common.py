"""What every scene module shares: the error for the user, the view layer's live objects,
and putting the user's selection, active object, mode and settings back afterwards.

Main thread only, like all of ``scene/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import bpy


class SceneIOError(ValueError):
    """A scene cannot be exported/imported as asked; the message is a sentence for the user."""


def layer_objects(view_layer: bpy.types.ViewLayer) -> list[bpy.types.Object]:
    """The view layer's objects; removed ones show up as None until a resync (seen in Blender 5.2)."""
    return [o for o in view_layer.objects if o is not None]


def in_view_layer(obj: bpy.types.Object, view_layer: bpy.types.ViewLayer) -> bool:
    return view_layer.objects.get(obj.name) == obj


@contextmanager
def preserved_state(context: bpy.types.Context | None = None) -> Iterator[bpy.types.ViewLayer]:
    """Put the user's selection, active object and mode back afterwards, whatever happens.

    Switches to Object Mode for the duration (exporters and importers need it,
    and it writes edit-mode changes back to the mesh).
    """
    context = context or bpy.context
    view_layer = context.view_layer
    active = view_layer.objects.active
    mode = active.mode if active is not None else "OBJECT"
    selected = [o for o in layer_objects(view_layer) if o.select_get()]
    if mode != "OBJECT" and bpy.ops.object.mode_set.poll():
        bpy.ops.object.mode_set(mode="OBJECT")
    try:
        yield view_layer
    finally:
        for obj in layer_objects(view_layer):
            if obj is not None and obj.select_get():  # None: a base of an object removed meanwhile
                obj.select_set(False)
        for obj in selected:
            try:
                if in_view_layer(obj, view_layer):
                    obj.select_set(True)
            except (ReferenceError, RuntimeError):
                pass
        try:
            view_layer.objects.active = active if active is not None and in_view_layer(active, view_layer) else None
        except ReferenceError:
            view_layer.objects.active = None
        if mode != "OBJECT" and view_layer.objects.active is not None and bpy.ops.object.mode_set.poll():
            try:
                bpy.ops.object.mode_set(mode=mode)
            except RuntimeError:
                pass


@contextmanager
def saved_attrs(*pairs: tuple[Any, str]) -> Iterator[None]:
    """Restore attributes (owner, name) to their current values afterwards."""
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr in pairs]
    try:
        yield
    finally:
        for owner, attr, value in reversed(saved):
            try:
                setattr(owner, attr, value)
            except (AttributeError, TypeError, ValueError, ReferenceError):
                pass


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
