"""Bring a finished task into the scene, all or nothing, as one undo step.

Models come in through Blender's glTF importer, or its OBJ importer when
the result holds quads (``core.requests.polygon_file``: glTF has none), get
a Principled BSDF built from the downloaded PBR maps, go where their source
object was and, when it was skinned, deform with its armature. Images from
Image to Image become Blender images. With ``meta["mark_asset"]`` the
objects are marked as assets (``assets``). If any step fails, everything this
import created is removed again, so the scene is as it was.
"""

from __future__ import annotations

from typing import Any

import bpy

from ..core.requests import polygon_file
from . import rigs
from .assets import mark_result
from .gltf import import_glb
from .image_sets import import_text_to_image
from .materials import PBR_MAPS, apply_material, build_pbr_material, load_images
from .obj import import_obj
from .placement import hide_original, place_like, replace_original
from .previews import import_text_to_3d
from .records import record_image, record_task
from .rigging import carry_rig
from .rollback import rollback_on_error

SUFFIX = {"remesh": "remesh", "retexture": "retexture", "image-to-3d": "3d", "image-to-image": "edit"}
SUFFIX.update({"text-to-3d": "text to 3D", "multi-image-to-3d": "3d", "text-to-image": "image"})
#: Kinds whose results come in their own way (text-to-3d previews and refines, text-to-image sets).
IMPORTERS = {"text-to-3d": import_text_to_3d, "text-to-image": import_text_to_image}


def import_result(kind: str, files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    """Import a finished task's files; returns the names of what was made."""
    with rollback_on_error():
        if kind in rigs.KINDS:  # Rig and Animate: an armature, its clips as NLA tracks (scene/rigs.py)
            names = rigs.import_character(kind, files, meta, task_id)
        elif kind == "image-to-image":
            names = _import_images(files, meta, task_id)
        elif kind in IMPORTERS:
            names = IMPORTERS[kind](files, meta, task_id)
        else:
            names = _import_model(kind, files, meta, task_id)
    label = meta.get("label") or "result"
    if bpy.ops.ed.undo_push.poll():
        bpy.ops.ed.undo_push(message=f"Meshy {SUFFIX.get(kind, kind)} {label}")
    return names


def result_name(kind: str, meta: dict[str, Any]) -> str:
    return f"{meta.get('label') or 'Meshy'}_{SUFFIX.get(kind, kind)}"


def _import_model(kind: str, files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    settings = meta.get("settings") or {}
    polygons = polygon_file(kind, files, settings)
    if "model" not in files and not polygons:
        raise ValueError("This task has no model to import")
    source = bpy.data.objects.get(meta.get("source", "")) if meta.get("source") else None
    scene = bpy.context.scene
    collection = source.users_collection[0] if source and source.users_collection else scene.collection
    name = result_name(kind, meta)
    maps = {k: files[k] for k in PBR_MAPS if k in files}
    # With PBR maps the material is built from them, so the file's own is not imported at all.
    load = import_obj if polygons else import_glb
    objects = load(polygons or files["model"], name=name, collection=collection, materials=not maps)
    if not objects:
        raise ValueError("The downloaded model holds no objects")
    meshes = [o for o in objects if o.type == "MESH"]
    if maps and meshes:
        apply_material(meshes, build_pbr_material(name, maps))
    if source is not None:
        place_like(objects, source)
        carry_rig(source, objects, kind)
    for obj in meshes:
        record_task(obj, kind, task_id, settings)
    if meta.get("mark_asset"):
        mark_result(objects, kind, task_id, settings, files.get("thumbnail"))
    if source is not None:
        if meta.get("keep_original", True):
            hide_original(source)
        else:
            replace_original(source, objects)
            bpy.context.view_layer.update()
    else:
        cursor = scene.cursor.location.copy()
        for obj in objects:
            if obj.parent is None:
                obj.location = cursor
    return [o.name for o in objects]  # the importer left them selected, the first one active


def _import_images(files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    paths = [files[k] for k in sorted(files, key=_image_index) if k.startswith("image_")]
    if not paths:
        raise ValueError("This task has no images to import")
    images = load_images(paths, pack=bool(meta.get("pack_images", False)))
    base = result_name("image-to-image", meta)
    for index, image in enumerate(images):
        image.name = base if len(images) == 1 else f"{base}_view{index + 1}"
        record_image(image, task_id, index, meta.get("settings") or {})
    return [i.name for i in images]


def _image_index(key: str) -> int:
    try:
        return int(key.rsplit("_", 1)[1])
    except (IndexError, ValueError):
        return 0
