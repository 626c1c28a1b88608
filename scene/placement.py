"""Put a result where its source is, and keep or replace the source."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import bpy
from mathutils import Matrix


def _top_level(objects: Iterable[bpy.types.Object]) -> list[bpy.types.Object]:
    objects = list(objects)
    pointers = {o.as_pointer() for o in objects}
    return [o for o in objects if o.parent is None or o.parent.as_pointer() not in pointers]


def place_like(new_objects: Iterable[bpy.types.Object], source: bpy.types.Object) -> None:
    """Put a result where its source is: same world placement, collections and parent.

    The result's objects are in the source's local space (that is how it was
    uploaded), so each top-level object's own matrix is composed with the
    source's world matrix. Children keep their place under their parent.
    """
    new_objects = list(new_objects)
    bpy.context.view_layer.update()  # matrix_world of source and parent up to date
    source_world = source.matrix_world.copy()
    collections = list(source.users_collection) or [bpy.context.scene.collection]
    for obj in new_objects:
        for coll in list(obj.users_collection):
            if coll not in collections:
                coll.objects.unlink(obj)
        for coll in collections:
            if obj.name not in coll.objects:
                coll.objects.link(obj)
    for obj in _top_level(new_objects):
        world = source_world @ obj.matrix_world
        obj.parent = source.parent
        if source.parent is not None:
            obj.parent_type = source.parent_type
            if source.parent_type == "BONE":
                obj.parent_bone = source.parent_bone
            elif source.parent_type in {"VERTEX", "VERTEX_3"}:
                obj.parent_vertices = source.parent_vertices
            obj.matrix_parent_inverse = source.matrix_parent_inverse.copy()
        else:
            obj.matrix_parent_inverse = Matrix.Identity(4)
        obj.matrix_world = world
    bpy.context.view_layer.update()


def hide_original(source: bpy.types.Object) -> None:
    """Keep the source object but hide it in the viewport and in renders."""
    try:
        source.hide_set(True)
    except RuntimeError:  # not in the current view layer: hide it where it can be hidden
        source.hide_viewport = True
    source.hide_render = True


def replace_original(
    source: bpy.types.Object, new: bpy.types.Object | Iterable[bpy.types.Object],
) -> None:
    """Delete the source; its children move under the (first top-level) result, keeping their place."""
    new_objects = [new] if isinstance(new, bpy.types.Object) else list(new)
    heir = _top_level(new_objects)[0] if new_objects else None
    bpy.context.view_layer.update()
    for child in list(source.children):
        world = child.matrix_world.copy()
        child.parent = heir
        child.matrix_parent_inverse = Matrix.Identity(4)
        child.matrix_world = world
    data = source.data
    bpy.data.objects.remove(source, do_unlink=True)
    if isinstance(data, bpy.types.Mesh) and data.users == 0:
        bpy.data.meshes.remove(data)


def apply_matrix(objects: Iterable[bpy.types.Object], matrix: Sequence[float]) -> None:
    """Move a result to a world matrix (16 floats, row by row) recorded from its source elsewhere."""
    world = Matrix([matrix[i:i + 4] for i in range(0, 16, 4)])
    for obj in _top_level(objects):
        obj.matrix_world = world @ obj.matrix_world
