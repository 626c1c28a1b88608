"""Text to 3D in the scene: a preview at the 3D cursor, its refine in the preview's place.

A preview comes in untextured (the GLB's own plain material; from the OBJ when it
was remeshed to quads, as ``core.requests.polygon_file`` says) at the 3D cursor,
or in place of an earlier copy of the same preview (a re-import replaces it,
never duplicates it). A refine takes the place of its preview object, found by
the preview's task id, and replaces it: same world placement, collections,
parent and children, with the PBR maps wired as for image-to-3d. Objects record
their stage (``meshy_stage``) and a refine its preview (``meshy_preview_task_id``)
beside ``meshy_task_id``. Which previews a Refine may texture is decided here
too: unedited objects a preview made, with a sentence for anything else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bpy

from ..client.results import RESULT_FILE
from ..core.errors import UserError
from ..core.requests import polygon_file
from ..core.stages import KIND, PREVIEW, REFINE
from .gltf import import_glb
from .materials import PBR_MAPS, apply_material, build_pbr_material
from .obj import import_obj
from .placement import place_like, replace_original
from .records import PROP_KIND, PROP_SETTINGS, PROP_TASK_ID, record_task, task_source

PROP_STAGE = "meshy_stage"
PROP_PREVIEW = "meshy_preview_task_id"
SUFFIX = {PREVIEW: "preview", REFINE: "3d"}
MAX_TASK_JSON = 8 << 20  # the cache's task.json is read back as hostile: capped, and only two fields used


def import_text_to_3d(files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    """A preview or a refine into the scene (inside the importer's rollback); the names of what was made."""
    settings = meta.get("settings") or {}
    polygons = polygon_file(KIND, files, settings)  # a quad preview: from its OBJ (glTF holds triangles only)
    if "model" not in files and not polygons:
        raise ValueError("This task has no model to import")
    stage, preview_id = stage_and_preview(files, meta)
    olds = objects_of(task_id) or (objects_of(preview_id) if stage == REFINE and preview_id else [])
    anchor = next((o for o in olds if o.parent not in olds), None)
    scene = bpy.context.scene
    collection = anchor.users_collection[0] if anchor is not None and anchor.users_collection else scene.collection
    name = f"{meta.get('label') or 'Meshy'}_{SUFFIX[stage]}"
    maps = {k: files[k] for k in PBR_MAPS if k in files}
    load = import_obj if polygons else import_glb
    objects = load(polygons or files["model"], name=name, collection=collection, materials=not maps)
    if not objects:
        raise ValueError("The downloaded model holds no objects")
    meshes = [o for o in objects if o.type == "MESH"]
    if maps and meshes:
        apply_material(meshes, build_pbr_material(name, maps))
    for obj in meshes:
        record_task(obj, KIND, task_id, settings)
        obj[PROP_STAGE] = stage
        if stage == REFINE and preview_id:
            obj[PROP_PREVIEW] = preview_id
    if anchor is not None:
        place_like(objects, anchor)
        for old in olds:  # the preview (or the earlier copy) goes: the result is in its place
            replace_original(old, objects)
        bpy.context.view_layer.update()
    else:
        for obj in objects:
            if obj.parent is None:
                obj.location = scene.cursor.location.copy()
    return [o.name for o in objects]


def stage_and_preview(files: dict[str, str], meta: dict[str, Any]) -> tuple[str, str]:
    """Which stage a finished task is, and the preview it refines: the job's own words, else the task's."""
    settings = meta.get("settings") or {}
    task = _cached_task(files)
    kind_type = task.get("type") if isinstance(task.get("type"), str) else ""
    mode = settings.get("mode") if settings.get("mode") in (PREVIEW, REFINE) else ""
    if not mode:
        mode = REFINE if kind_type.endswith("refine") else PREVIEW if kind_type.endswith("preview") else ""
    if not mode:  # a preview has no textures; a refine always has its base colour
        mode = REFINE if "base_color" in files else PREVIEW
    candidates = (meta.get("preview_task_id"), settings.get("preview_task_id"), task.get("preview_task_id"))
    preview = next((c for c in candidates if isinstance(c, str) and c), "")
    return mode, preview


def _cached_task(files: dict[str, str]) -> dict[str, Any]:
    """The task object the download saved beside the model ({} when missing, too big or not JSON)."""
    path = Path(files["model"]).parent / RESULT_FILE
    try:
        if path.stat().st_size > MAX_TASK_JSON:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    task = data.get("task") if isinstance(data, dict) else None
    return task if isinstance(task, dict) else {}


def objects_of(task_id: str) -> list[bpy.types.Object]:
    """The scene's objects a text-to-3d task made."""
    if not task_id:
        return []
    return [o for o in bpy.context.scene.objects if o.get(PROP_TASK_ID) == task_id and o.get(PROP_KIND) == KIND]


def stage_of_object(obj: bpy.types.Object) -> str:
    """``preview``/``refine`` for an object Text to 3D made, ``""`` for any other."""
    if obj.get(PROP_KIND) != KIND:
        return ""
    stage = obj.get(PROP_STAGE)
    if stage in (PREVIEW, REFINE):
        return str(stage)
    try:
        mode = json.loads(obj.get(PROP_SETTINGS) or "{}").get("mode")
    except (ValueError, AttributeError):
        mode = None
    return REFINE if mode == REFINE or obj.get(PROP_PREVIEW) else PREVIEW


def selected_previews(context: bpy.types.Context) -> list[tuple[bpy.types.Object, str]]:
    """(object, preview task id) per selected preview, one per task; a sentence for anything else selected."""
    selected = list(getattr(context, "selected_objects", None) or [])
    if not selected:
        raise UserError("Select a Text to 3D preview object, or give the preview's task id")
    found: dict[str, bpy.types.Object] = {}
    for obj in selected:
        stage = stage_of_object(obj)
        if stage == REFINE:
            raise UserError(f"{obj.name} is refined already: Refine textures a Text to 3D preview "
                            "(use Retexture to texture it again)")
        if stage != PREVIEW or obj.type != "MESH":
            raise UserError(f"{obj.name} is not a Text to 3D preview: Refine textures a preview made by "
                            "Text to 3D (use Retexture for any other mesh)")
        if task_source(obj) is None:
            raise UserError(f"{obj.name} was edited since Meshy made it: Refine textures Meshy's preview, "
                            "not your edits (use Retexture to texture the edited mesh)")
        found.setdefault(str(obj[PROP_TASK_ID]), obj)
    return [(obj, task_id) for task_id, obj in found.items()]


def preview_label(obj: bpy.types.Object) -> str:
    """The name a preview object was given, without its ``_preview`` suffix."""
    name = obj.name.split(".")[0]
    return name.removesuffix("_" + SUFFIX[PREVIEW]) or name
