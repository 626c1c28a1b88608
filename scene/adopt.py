"""What every model import shares: one rollback, the importer's chatter captured, and the new objects adopted.

Blender's importers (glTF, OBJ) each add objects wherever their options say
and select them; ``run_importer`` calls one inside a rollback (a failure
leaves nothing behind) with its console output captured (``console``), then
``adopt`` moves what it made into one collection, names it and selects it,
as after any Blender import. Options are passed only when the installed
operator has them: their names change between Blender versions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import bpy

from .common import SceneIOError, first_line, in_view_layer, layer_objects
from .console import captured_output
from .rollback import rollback_on_error


def op_kwargs(op: Any, wanted: Mapping[str, Any]) -> dict[str, Any]:
    """Only the options this Blender's operator has (option names differ across versions)."""
    names = _option_names(op.idname())
    return {k: v for k, v in wanted.items() if k in names}


@functools.cache
def _option_names(idname: str) -> frozenset[str]:
    module, name = idname.split("_OT_", 1)
    op = getattr(getattr(bpy.ops, module.lower()), name)
    return frozenset(p.identifier for p in op.get_rna_type().properties)


def run_importer(
    op: Any, options: Mapping[str, Any], path: Path, *, name: str | None, collection: bpy.types.Collection | None,
    finish: Callable[[list[bpy.types.Object]], None] | None = None,
) -> list[bpy.types.Object]:
    """Run an import operator all or nothing; ``finish`` works on the new objects inside the same rollback."""
    context = bpy.context
    scene = context.scene
    view_layer = context.view_layer
    collection = collection or scene.collection
    active = view_layer.objects.active
    if active is not None and active.mode != "OBJECT" and bpy.ops.object.mode_set.poll():
        bpy.ops.object.mode_set(mode="OBJECT")
    with rollback_on_error(context) as before:
        try:
            with context.temp_override(scene=scene, view_layer=view_layer), captured_output(path.name):
                result = op(**options)
        except RuntimeError as exc:
            raise SceneIOError(f"Blender could not import the model {path.name}: {first_line(exc)}") from exc
        if "FINISHED" not in result:
            raise SceneIOError(f"Blender could not import the model {path.name}")
        new = adopt(before, collection, name, view_layer)
        if finish is not None:
            finish(new)
    return new


def adopt(before: dict[str, set[int]], collection: bpy.types.Collection, name: str | None,
          view_layer: bpy.types.ViewLayer) -> list[bpy.types.Object]:
    """The objects made since ``before``: only in ``collection``, named after ``name``, selected, first active."""
    new = [o for o in bpy.data.objects if o.as_pointer() not in before["objects"]]
    new.sort(key=lambda o: (_depth(o), o.name))
    for obj in new:
        for users in list(obj.users_collection):
            if users != collection:
                users.objects.unlink(obj)
        if collection not in obj.users_collection:
            collection.objects.link(obj)
    # Collections the importer made (5.x "scene as collection") are left empty: drop them.
    for coll in [c for c in bpy.data.collections if c.as_pointer() not in before["collections"]]:
        if not coll.objects and not coll.children:
            bpy.data.collections.remove(coll)
    if name:
        for index, obj in enumerate(new):
            obj.name = name if index == 0 else f"{name}.{index:03d}"
            if obj.data is not None and obj.data.users == 1:
                obj.data.name = obj.name
    for obj in layer_objects(view_layer):
        if obj.select_get():
            obj.select_set(False)
    for obj in new:
        if in_view_layer(obj, view_layer):
            obj.select_set(True)
    if new and in_view_layer(new[0], view_layer):
        view_layer.objects.active = new[0]
    return new


def _depth(obj: bpy.types.Object) -> int:
    depth = 0
    while obj.parent is not None:
        obj = obj.parent
        depth += 1
    return depth
