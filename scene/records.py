"""What a result object remembers: which task made it, and whether its mesh was edited since.

Custom properties (documented in docs/ARCHITECTURE.md): ``meshy_task_id``,
``meshy_kind``, ``meshy_settings`` (JSON) and ``meshy_fingerprint``.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Iterable, Mapping
from typing import Any

import bpy

PROP_TASK_ID = "meshy_task_id"
PROP_KIND = "meshy_kind"
PROP_SETTINGS = "meshy_settings"
PROP_FINGERPRINT = "meshy_fingerprint"


def mesh_fingerprint(obj: bpy.types.Object) -> str:
    """A stable hash of the evaluated mesh in local space: counts, positions, corner indices.

    Moving the object does not change it; editing a vertex, the topology or a
    modifier does, so a later step knows whether the mesh must be uploaded again.
    Posing an armature does not: an Armature modifier alone leaves the rest shape,
    which is what Meshy got (a rigged result keeps its task id while posed).
    """
    eval_obj = None
    if any(m.type != "ARMATURE" for m in obj.modifiers) or obj.data.shape_keys:
        eval_obj = obj.evaluated_get(bpy.context.evaluated_depsgraph_get())
        mesh = eval_obj.to_mesh()
    else:  # nothing evaluates differently: read the mesh itself, no depsgraph update (fast on import)
        mesh = obj.data
    try:
        n_verts, n_polys, n_loops = len(mesh.vertices), len(mesh.polygons), len(mesh.loops)
        co = array("f", bytes(4 * n_verts * 3))
        corners = array("i", bytes(4 * n_loops))
        # Attribute arrays are ~100x faster to read than the vertex/loop collections.
        position, corner_vert = mesh.attributes.get("position"), mesh.attributes.get(".corner_vert")
        if position is not None and corner_vert is not None:
            position.data.foreach_get("vector", co)
            corner_vert.data.foreach_get("value", corners)
        else:
            mesh.vertices.foreach_get("co", co)
            mesh.loops.foreach_get("vertex_index", corners)
    finally:
        if eval_obj is not None:
            eval_obj.to_mesh_clear()
    digest = hashlib.sha256()
    # Counts plus corner vertices pin the topology; face sizes add little and cost the most to read.
    digest.update(f"v2:{n_verts}:{n_polys}:{n_loops}:".encode())
    # Exact float32 bytes: the fingerprint is only ever compared within Blender, on the same data.
    digest.update(co.tobytes())
    digest.update(corners.tobytes())
    return f"{n_verts}v{n_polys}f-{digest.hexdigest()[:32]}"


def record_task(obj: bpy.types.Object, kind: str, task_id: str, settings: Mapping[str, Any] | None = None) -> None:
    """Remember on the object which Meshy task made it, with a fingerprint of the mesh as imported."""
    obj[PROP_TASK_ID] = str(task_id)
    obj[PROP_KIND] = str(kind)
    obj[PROP_SETTINGS] = json.dumps(dict(settings or {}), sort_keys=True, default=str)
    obj[PROP_FINGERPRINT] = mesh_fingerprint(obj)


def record_image(image: bpy.types.Image, task_id: str, view_index: int, settings: Mapping[str, Any]) -> None:
    """Remember on a Blender image which Image to Image task (and which view of it) made it."""
    image[PROP_TASK_ID] = task_id
    image[PROP_KIND] = "image-to-image"
    image["meshy_view_index"] = view_index
    image[PROP_SETTINGS] = json.dumps(dict(settings or {}))


def task_source(obj: bpy.types.Object) -> tuple[str, str] | None:
    """``(kind, task_id)`` of the task that made the object, if its mesh was not edited since."""
    task_id, kind, fingerprint = obj.get(PROP_TASK_ID), obj.get(PROP_KIND), obj.get(PROP_FINGERPRINT)
    if not task_id or not kind or not fingerprint or obj.type != "MESH":
        return None
    if mesh_fingerprint(obj) != fingerprint:
        return None
    return str(kind), str(task_id)


def triangle_count(objects: Iterable[bpy.types.Object]) -> int:
    """Triangles of the evaluated meshes (what an export would contain)."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    total = 0
    for obj in objects:
        if obj.type != "MESH":
            continue
        eval_obj = obj.evaluated_get(depsgraph)
        mesh = eval_obj.to_mesh()
        try:
            mesh.calc_loop_triangles()
            total += len(mesh.loop_triangles)
        finally:
            eval_obj.to_mesh_clear()
    return total
