"""Bring a finished task into the scene, all or nothing, as one undo step.

Models come in through Blender's glTF importer, get a Principled BSDF built
from the downloaded PBR maps, and go where their source object was. Images
from Image to Image become Blender images. If any step fails, everything this
import created is removed again, so the scene is as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import bpy

from . import scene_io

MAP_KEYS = ("base_color", "metallic", "roughness", "normal", "emission")
SUFFIX = {"remesh": "remesh", "retexture": "retexture", "image-to-3d": "3d", "image-to-image": "edit"}
_ID_COLLECTIONS = ("objects", "meshes", "materials", "images", "collections", "textures", "node_groups")


def import_result(kind: str, files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    """Import a finished task's files; returns the names of what was made."""
    with rollback_on_error():
        if kind == "image-to-image":
            names = _import_images(files, meta, task_id)
        else:
            names = _import_model(kind, files, meta, task_id)
    label = meta.get("label") or "result"
    if bpy.ops.ed.undo_push.poll():
        bpy.ops.ed.undo_push(message=f"Meshy {SUFFIX.get(kind, kind)} {label}")
    return names


def result_name(kind: str, meta: dict[str, Any]) -> str:
    return f"{meta.get('label') or 'Meshy'}_{SUFFIX.get(kind, kind)}"


def _import_model(kind: str, files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    if "model" not in files:
        raise ValueError("This task has no model to import")
    source = bpy.data.objects.get(meta.get("source", "")) if meta.get("source") else None
    scene = bpy.context.scene
    collection = source.users_collection[0] if source and source.users_collection else scene.collection
    name = result_name(kind, meta)
    maps = {k: files[k] for k in MAP_KEYS if k in files}
    # With PBR maps the material is built from them, so the file's own is not imported at all.
    objects = scene_io.import_glb(files["model"], name=name, collection=collection, materials=not maps)
    if not objects:
        raise ValueError("The downloaded model holds no objects")
    meshes = [o for o in objects if o.type == "MESH"]
    if maps and meshes:
        scene_io.apply_material(meshes, scene_io.build_pbr_material(name, maps))
    settings = meta.get("settings") or {}
    for obj in meshes:
        scene_io.record_task(obj, kind, task_id, settings)
    if source is not None:
        scene_io.place_like(objects, source)
        if meta.get("keep_original", True):
            scene_io.hide_original(source)
        else:
            scene_io.replace_original(source, objects)
            bpy.context.view_layer.update()
    else:
        cursor = scene.cursor.location.copy()
        for obj in objects:
            if obj.parent is None:
                obj.location = cursor
    return [o.name for o in objects]  # import_glb left them selected, the first one active


def _import_images(files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    paths = [files[k] for k in sorted(files, key=_image_index) if k.startswith("image_")]
    if not paths:
        raise ValueError("This task has no images to import")
    images = scene_io.load_images(paths, pack=bool(meta.get("pack_images", False)))
    base = result_name("image-to-image", meta)
    for index, image in enumerate(images):
        image.name = base if len(images) == 1 else f"{base}_view{index + 1}"
        image["meshy_task_id"] = task_id
        image["meshy_kind"] = "image-to-image"
        image["meshy_view_index"] = index
        image["meshy_settings"] = json.dumps(meta.get("settings") or {})
    return [i.name for i in images]


def _image_index(key: str) -> int:
    try:
        return int(key.rsplit("_", 1)[1])
    except (IndexError, ValueError):
        return 0


@contextmanager
def rollback_on_error() -> Iterator[None]:
    """Remove every datablock made inside the block if it raises."""
    before = {attr: set(getattr(bpy.data, attr)[:]) for attr in _ID_COLLECTIONS}
    hidden = {o.name: (o.hide_get(), o.hide_render) for o in scene_io.layer_objects(bpy.context.view_layer)}
    try:
        yield
    except BaseException:
        for attr in _ID_COLLECTIONS:
            data = getattr(bpy.data, attr)
            for block in set(data[:]) - before[attr]:
                try:
                    data.remove(block)
                except (ReferenceError, RuntimeError):
                    pass
        for obj in scene_io.layer_objects(bpy.context.view_layer):
            if obj.name in hidden:
                obj.hide_set(hidden[obj.name][0])
                obj.hide_render = hidden[obj.name][1]
        raise
