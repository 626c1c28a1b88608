"""Rigged sources stay rigged: a result deforms with its source's armature.

Meshy gets a skinned mesh in its rest shape (``rest_pose`` around the
export: the pose would otherwise be baked in and then deformed twice) and
returns a bare mesh. ``carry_rig`` gives the result what made the source
deform: its parent (``placement`` already copies it), the same Armature
modifiers, and the vertex weights, moved over by Blender's own Data
Transfer with the armature in its rest position: interpolated from the
nearest face for a new topology (remesh), from the nearest vertex for the
same geometry (retexture), so each vertex keeps exactly its source's
weights there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import bpy

from .common import SceneIOError, first_line

#: Data Transfer's vertex mapping per kind: remesh makes new vertices, retexture keeps the geometry.
MAPPING = {"remesh": "POLYINTERP_NEAREST", "retexture": "NEAREST"}
_SKIP = {"rna_type", "name", "type", "is_active", "is_override_data", "persistent_uid", "execution_time",
         "use_apply_on_spline", "show_expanded", "is_pin_to_last"}


def armature_modifiers(obj: bpy.types.Object) -> list[bpy.types.ArmatureModifier]:
    return [m for m in getattr(obj, "modifiers", ()) if m.type == "ARMATURE" and m.object is not None]


def armatures(obj: bpy.types.Object) -> list[bpy.types.Object]:
    """The armatures deforming ``obj``: its Armature modifiers', and an armature parent of type ARMATURE."""
    found = [m.object for m in armature_modifiers(obj)]
    if obj.parent is not None and obj.parent.type == "ARMATURE" and obj.parent_type == "ARMATURE":
        found.append(obj.parent)
    return list(dict.fromkeys(found))


def is_rigged(obj: bpy.types.Object) -> bool:
    return obj.type == "MESH" and bool(armatures(obj))


@contextmanager
def rest_pose(objects: Iterable[bpy.types.Object]) -> Iterator[None]:
    """The armatures of ``objects`` in their rest position for the block (the user's pose comes back)."""
    saved = []
    for arm in dict.fromkeys(a for obj in objects for a in armatures(obj)):
        if arm.data.pose_position != "REST":
            saved.append(arm.data)
            arm.data.pose_position = "REST"
    if saved:
        bpy.context.view_layer.update()
    try:
        yield
    finally:
        for data in saved:
            data.pose_position = "POSE"
        if saved:
            bpy.context.view_layer.update()


def carry_rig(source: bpy.types.Object, results: Iterable[bpy.types.Object], kind: str) -> None:
    """Give the (placed) result meshes the source's Armature modifiers and weights; nothing for an unrigged source."""
    if not is_rigged(source):
        return
    meshes = [o for o in results if o.type == "MESH"]
    if source.vertex_groups:
        with rest_pose([source]):
            for obj in meshes:
                transfer_weights(source, obj, MAPPING.get(kind, "POLYINTERP_NEAREST"))
    for obj in meshes:
        for modifier in armature_modifiers(source):
            copy = obj.modifiers.new(modifier.name, "ARMATURE")
            _copy_settings(modifier, copy)


def transfer_weights(source: bpy.types.Object, target: bpy.types.Object, mapping: str) -> None:
    """Every vertex group of ``source`` onto ``target`` by Data Transfer (in world space), applied."""
    for group in source.vertex_groups:
        if target.vertex_groups.get(group.name) is None:
            target.vertex_groups.new(name=group.name)
    modifier = target.modifiers.new("Meshy weights", "DATA_TRANSFER")
    modifier.object = source
    modifier.use_object_transform = True
    modifier.use_vert_data = True
    modifier.data_types_verts = {"VGROUP_WEIGHTS"}
    modifier.vert_mapping = mapping
    modifier.layers_vgroup_select_src = "ALL"
    modifier.layers_vgroup_select_dst = "NAME"
    modifier.mix_mode = "REPLACE"
    modifier.mix_factor = 1.0
    # The evaluated mesh becomes the object's mesh: the same as applying the modifier, without an
    # operator (which would push an undo step of its own inside the import's one).
    context = bpy.context
    try:
        depsgraph = context.evaluated_depsgraph_get()
        evaluated = target.evaluated_get(depsgraph)
        mesh = bpy.data.meshes.new_from_object(evaluated, preserve_all_data_layers=True, depsgraph=depsgraph)
    except RuntimeError as exc:
        raise SceneIOError(f"Blender could not carry the weights of {source.name} over: {first_line(exc)}") from exc
    finally:
        target.modifiers.remove(modifier)
    old = target.data
    name = old.name
    target.data = mesh
    if old.users == 0:
        bpy.data.meshes.remove(old)
    mesh.name = name


def _copy_settings(src: bpy.types.Modifier, dst: bpy.types.Modifier) -> None:
    for prop in src.bl_rna.properties:
        name = prop.identifier
        if prop.is_readonly or name in _SKIP:
            continue
        try:
            setattr(dst, name, getattr(src, name))
        except (AttributeError, TypeError, ValueError):
            pass
