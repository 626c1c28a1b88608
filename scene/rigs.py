"""Meshy rigs in the scene: a rigged character with its clips, and new actions on the same armature.

A rigging result comes in as its armature with the skinned mesh
(``character.glb``), standing where its source stood. Each basic clip
(``walking.glb``, ``running.glb``) is imported into a temporary place, its
action moved onto the character's armature (bones matched by name) as an NLA
track, and everything else that import made is removed; the walk plays, the
run is muted. An animation result lands on the rig it was made for the same
way, as one more track that plays; with no such rig in the file (a batch, an
import by id) it comes in as a character of its own. The caller
(``scene.importing``) makes it one undo step and rolls the datablocks back on
failure; the scene's frame rate and range are put back here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import bpy
from mathutils import Matrix, Vector

from ..client import animation_library
from ..client.models import FPS_CHOICES
from ..core.characters import CLIP_FPS, CLIPS
from ..core.errors import UserError
from . import actions
from .common import SceneIOError, layer_objects
from .gltf import import_glb
from .placement import hide_original, place_like, replace_original
from .records import PROP_KIND, PROP_SETTINGS, PROP_TASK_ID, record_task
from .rollback import remove_new, snapshot

RIGGING, ANIMATION = "rigging", "animations"
KINDS = (RIGGING, ANIMATION)


def import_character(kind: str, files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    """A finished rigging or animation task into the scene; returns the names of the objects it made or changed."""
    scene = bpy.context.scene
    with actions.timing_kept_on_error(scene):
        if kind == RIGGING:
            return _import_rig(files, meta, task_id)
        return _import_animation(files, meta, task_id)


# -- rigging ---------------------------------------------------------------------------------------------


def _import_rig(files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    if "character" not in files:
        raise SceneIOError("This task has no rigged character to import")
    scene = bpy.context.scene
    source = _object(meta.get("source"))
    settings = meta.get("settings") or {}
    actions.use_rate(scene, CLIP_FPS)  # before the clips come in: their keys land on whole frames
    objects, armature, _ = _character(files["character"], f"{meta.get('label') or 'Meshy'}_rig", source)
    for obj in objects:
        if obj.type == "MESH":
            record_task(obj, RIGGING, task_id, settings)  # before any clip poses it
    _record(armature, RIGGING, task_id, settings)
    _place(objects, source)  # at rest, before a clip moves the feet
    tracks = []
    for key, title in CLIPS:
        if key in files:
            action = clip_action(files[key], armature, f"{armature.name}_{title}")
            action["meshy_clip"] = key
            _record(action, RIGGING, task_id, settings)
            tracks.append((actions.add_track(armature, action, title), action))
    if tracks:
        actions.play(armature, tracks[0][0], cycle=actions.is_cycle(tracks[0][1]))
    _finish(objects, armature, source, keep=meta.get("keep_original", True))
    return [o.name for o in objects]


# -- animation -------------------------------------------------------------------------------------------


def _import_animation(files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    if "animation" not in files:
        raise SceneIOError("This task has no animation to import")
    scene = bpy.context.scene
    settings = meta.get("settings") or {}
    rig_task = str(settings.get("rig_task_id") or "")
    action_id = settings.get("action_id") if isinstance(settings.get("action_id"), int) else None
    title = action_title(action_id)
    post = settings.get("post_process") if isinstance(settings.get("post_process"), dict) else {}
    fps = post.get("fps") if post.get("operation_type") == "change_fps" and post.get("fps") in FPS_CHOICES else None
    target = find_rig(meta.get("source"), rig_task)
    if target is None:  # no rig of it in this file: the animated character on its own
        actions.use_rate(scene, fps or CLIP_FPS)
        objects, armature, action = _character(files["animation"], f"{meta.get('label') or 'Meshy'}_anim", None)
        if action is None:
            raise SceneIOError("The downloaded animation holds no action")
        _record(armature, RIGGING if rig_task else ANIMATION, rig_task or task_id, settings)
        names = [o.name for o in objects]
        _place(objects, None)
        _finish(objects, armature, None, keep=True)
    else:
        action = clip_action(files["animation"], target, f"{target.name}_{title}")
        armature, names = target, [target.name]
    if action_id is not None:
        action["meshy_action_id"] = action_id
    _record(action, ANIMATION, task_id, settings)
    track = actions.add_track(armature, action, title)
    actions.play(armature, track, cycle=actions.is_cycle(action))
    return names


def action_title(action_id: Any) -> str:
    """The library's name of an action id (``Walking_Woman``), else ``Action_<id>`` (``Action`` without one)."""
    found = animation_library.action(action_id) if isinstance(action_id, int) else None
    if found is not None:
        return found.name
    return f"Action_{action_id}" if isinstance(action_id, int) else "Action"


# -- the rigs in the file -----------------------------------------------------------------------------------


def is_rig(obj: Any) -> bool:
    """An armature that Rig with Meshy made (it knows its rigging task)."""
    return (obj is not None and getattr(obj, "type", "") == "ARMATURE" and obj.get(PROP_KIND) == RIGGING
            and bool(obj.get(PROP_TASK_ID)))


def rig_of(obj: bpy.types.Object | None) -> bpy.types.Object | None:
    """The Meshy rig of an object: itself, or the armature that deforms it (modifier or parent)."""
    if obj is None:
        return None
    if is_rig(obj):
        return obj
    found = [m.object for m in getattr(obj, "modifiers", ()) if m.type == "ARMATURE" and m.object is not None]
    if obj.parent is not None:
        found.append(obj.parent)
    return next((o for o in found if is_rig(o)), None)


def rig_selection(context: Any) -> list[bpy.types.Object]:
    """The Meshy rigs of the active and selected objects, once each (no refusal: what the sidebar shows)."""
    view_layer = getattr(context, "view_layer", None)
    active = view_layer.objects.active if view_layer is not None else None
    selected = list(getattr(context, "selected_objects", None) or [])
    found: dict[str, bpy.types.Object] = {}
    for obj in ([active] if active is not None and active.select_get() else []) + selected:
        rig = rig_of(obj)
        if rig is not None:
            found.setdefault(rig.name, rig)
    return list(found.values())


def selected_rigs(context: Any) -> list[bpy.types.Object]:
    """The selected Meshy rigs, or a sentence saying why there is none."""
    rigs = rig_selection(context)
    if rigs:
        return rigs
    selected = list(getattr(context, "selected_objects", None) or [])
    if not selected:
        raise UserError("Select a Meshy rig to animate: an armature made by Rig with Meshy, or its mesh")
    if len(selected) > 1:
        raise UserError(f"None of the {len(selected)} selected objects is a Meshy rig: rig the character first "
                        "(Rig with Meshy), then animate it")
    raise UserError(f"{selected[0].name} is not a Meshy rig: rig the character first (Rig with Meshy), "
                    "then animate it")


def find_rig(name: str | None, rig_task_id: str) -> bpy.types.Object | None:
    """The rig an animation was made for: the named armature if it is that rig, else any rig of that task."""
    named = _object(name)
    if is_rig(named) and (not rig_task_id or str(named.get(PROP_TASK_ID)) == rig_task_id):
        return named
    if not rig_task_id:
        return None
    return next((o for o in bpy.context.scene.objects if is_rig(o) and str(o.get(PROP_TASK_ID)) == rig_task_id),
                None)


def rig_faces(objects: Iterable[bpy.types.Object]) -> list[tuple[str, int]]:
    """(name, triangles) of each mesh as it would be exported (modifiers applied), as Meshy counts faces.

    A face of n corners is n - 2 triangles, so the sum is corners - 2 * faces: no loop over the faces.
    """
    depsgraph = bpy.context.evaluated_depsgraph_get()
    out = []
    for obj in objects:
        eval_obj = obj.evaluated_get(depsgraph)
        mesh = eval_obj.to_mesh()
        try:
            out.append((obj.name, len(mesh.loops) - 2 * len(mesh.polygons)))
        finally:
            eval_obj.to_mesh_clear()
    return out


# -- importing ---------------------------------------------------------------------------------------------


def clip_action(path: str, armature: bpy.types.Object, name: str) -> bpy.types.Action:
    """The action of a clip file, moved onto ``armature``; whatever else the file held is removed again."""
    before = snapshot()
    action = None
    try:
        temporary = import_glb(path, materials=False)  # only the action is wanted: no images decoded
        action = _first_action(temporary)
        if action is None:
            raise SceneIOError(f"{Path(path).name} holds no animation")
        actions.retarget(action, armature)
        action.name = name
    finally:
        if action is not None:
            before["actions"].add(action.as_pointer())
        remove_new(before)  # the temporary character, its mesh, armature and the importer's leftovers
        bpy.context.view_layer.update()
    return action


def _character(path: str, name: str, source: bpy.types.Object | None) -> tuple[
        list[bpy.types.Object], bpy.types.Object, bpy.types.Action | None]:
    """Import a rigged character: (its objects, its armature, the action it came with, taken off the armature)."""
    collection = source.users_collection[0] if source is not None and source.users_collection else None
    objects = _without_bone_shapes(import_glb(path, collection=collection))
    armature = next((o for o in objects if o.type == "ARMATURE"), None)
    if armature is None:
        raise SceneIOError(f"{Path(path).name} holds no armature")
    action = None
    data = armature.animation_data
    if data is not None:  # the importer's active action and its stashed NLA copy: taken, to be put back as ours
        action = data.action or next((s.action for t in data.nla_tracks for s in t.strips if s.action), None)
        data.action = None
        for track in list(data.nla_tracks):
            data.nla_tracks.remove(track)
    armature.name = armature.data.name = name
    for index, mesh in enumerate(o for o in objects if o.type == "MESH"):
        mesh.name = f"{name}_mesh" if index == 0 else f"{name}_mesh.{index:03d}"
        if mesh.data.users == 1:
            mesh.data.name = mesh.name
    return objects, armature, action


def _without_bone_shapes(objects: list[bpy.types.Object]) -> list[bpy.types.Object]:
    """Drop the spheres glTF's importer makes to draw joints: Blender's own bones draw the rig."""
    shapes = {pb.custom_shape.as_pointer(): pb.custom_shape for o in objects if o.type == "ARMATURE"
              for pb in o.pose.bones if pb.custom_shape is not None}
    kept = [o for o in objects if o.as_pointer() not in shapes]
    for obj in kept:
        if obj.type == "ARMATURE":
            for pb in obj.pose.bones:
                pb.custom_shape = None
    for shape in shapes.values():
        data = shape.data
        bpy.data.objects.remove(shape, do_unlink=True)
        if data is not None and data.users == 0:
            bpy.data.meshes.remove(data)
    return kept


def _first_action(objects: list[bpy.types.Object]) -> bpy.types.Action | None:
    for obj in objects:
        data = obj.animation_data
        if obj.type == "ARMATURE" and data is not None:
            found = data.action or next((s.action for t in data.nla_tracks for s in t.strips if s.action), None)
            if found is not None:
                return found
    return None


def _place(objects: list[bpy.types.Object], source: bpy.types.Object | None) -> None:
    """Stand the character where its source stands, else at the 3D cursor."""
    if source is not None:
        stand_like(objects, source)
        return
    cursor = bpy.context.scene.cursor.location.copy()
    for obj in objects:
        if obj.parent is None:
            obj.location = cursor


def _finish(objects: list[bpy.types.Object], armature: bpy.types.Object, source: bpy.types.Object | None,
            *, keep: bool) -> None:
    """Keep the source (hidden) or let the character replace it; select the character, its armature active."""
    if source is not None:
        if keep:
            hide_original(source)
        else:
            replace_original(source, objects)
    view_layer = bpy.context.view_layer
    for obj in layer_objects(view_layer):
        obj.select_set(obj in objects)
    view_layer.objects.active = armature
    view_layer.update()


def stand_like(objects: list[bpy.types.Object], source: bpy.types.Object) -> None:
    """Put a character where its source stands: its collections, parent, place and turn, feet on its feet.

    Not its scale: Meshy made the character ``height_meters`` tall, which is the
    size asked for. The bottom centre of the character's mesh goes to the bottom
    centre of the source's box (in the source's own axes), so a source whose
    origin is at its middle still gets a character standing on the same floor.
    """
    imported = {o.as_pointer(): o.matrix_world.copy() for o in objects}
    feet = _bottom_centre([p for o in objects if o.type == "MESH" for p in _world_box(o)])
    place_like(objects, source)  # collections and parent
    box = [Vector(c) for c in source.bound_box]
    anchor = source.matrix_world @ _bottom_centre(box)
    _, turn, _ = source.matrix_world.decompose()
    move = Matrix.Translation(anchor) @ turn.to_matrix().to_4x4() @ Matrix.Translation(-feet)
    pointers = set(imported)
    for obj in objects:
        if obj.parent is None or obj.parent.as_pointer() not in pointers:
            obj.matrix_world = move @ imported[obj.as_pointer()]
    bpy.context.view_layer.update()


def _world_box(obj: bpy.types.Object) -> list[Vector]:
    return [obj.matrix_world @ Vector(c) for c in obj.bound_box]


def _bottom_centre(points: list[Vector]) -> Vector:
    if not points:
        return Vector((0.0, 0.0, 0.0))
    xs, ys, zs = ([p[i] for p in points] for i in range(3))
    return Vector(((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, min(zs)))


def _record(block: Any, kind: str, task_id: str, settings: dict[str, Any]) -> None:
    """The task that made an armature or an action (no mesh: no fingerprint)."""
    block[PROP_TASK_ID] = str(task_id)
    block[PROP_KIND] = kind
    block[PROP_SETTINGS] = json.dumps(dict(settings), sort_keys=True, default=str)


def _object(name: Any) -> bpy.types.Object | None:
    return bpy.data.objects.get(name) if isinstance(name, str) and name else None
