"""Results as assets: marked, described, tagged, catalogued and given a preview, in any Blender (also ``-b``).

``mark_result`` marks the mesh objects of an import (an armature they deform
comes along when one is dragged in): description, tags and catalog come from
``core.asset_catalogs``. ``asset_generate_preview()`` needs the UI's event
loop, so the preview is built here: from Meshy's thumbnail of the result when
it was downloaded, else from a small Workbench render of the result alone in
a scene of its own; its pixels go into ``ID.preview`` directly, which Blender
saves with the asset. ``publish`` writes marked results into a library .blend
(appending to what is there, written to a temporary file then renamed) with
the catalog file beside it. Main thread only.
"""

from __future__ import annotations

import logging
import os
import tempfile
from array import array
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import bpy

from ..core import asset_catalogs
from .console import captured_output
from .images import render_scene_to_png
from .records import PROP_KIND, PROP_TASK_ID
from .rollback import remove_new, snapshot

log = logging.getLogger("meshy.import")

PREVIEW_SIZE = 256  # what Blender renders asset previews at


def mark_result(objects: Iterable[bpy.types.Object], kind: str, task_id: str, settings: Mapping[str, Any],
                thumbnail: str | None = None) -> list[bpy.types.Object]:
    """Mark a result's objects as assets; returns those marked (its meshes, else its top-level objects)."""
    objects = list(objects)
    marked = [o for o in objects if o.type == "MESH"] or [o for o in objects if o.parent is None]
    if not marked:
        return []
    catalog = asset_catalogs.catalog_for(kind)
    for obj in marked:
        obj.asset_mark()
        data = obj.asset_data
        data.description = asset_catalogs.description(kind, task_id, settings)
        data.author = asset_catalogs.AUTHOR
        for tag in asset_catalogs.tags(kind, settings):
            if tag not in data.tags:
                data.tags.new(tag)
        data.catalog_id = catalog.uuid
    pixels = _thumbnail_pixels(thumbnail) if thumbnail else None
    if pixels is None:
        pixels = _render_pixels(objects)
    if pixels is not None:
        for obj in marked:
            set_preview(obj, *pixels)
    elif not bpy.app.background:
        for obj in marked:
            obj.asset_generate_preview()  # the UI renders it later, on its own
    return marked


def set_preview(block: bpy.types.ID, size: tuple[int, int], pixels: array) -> None:
    """Write RGBA float pixels into the datablock's preview (what the Asset Browser shows)."""
    preview = block.preview_ensure()
    preview.image_size = size
    preview.image_pixels_float.foreach_set(pixels)


def _thumbnail_pixels(path: str) -> tuple[tuple[int, int], array] | None:
    """Meshy's picture of the result, scaled to a preview; None when it cannot be read."""
    try:
        image = bpy.data.images.load(str(path), check_existing=False)
    except RuntimeError as exc:
        log.warning("could not read the thumbnail %s: %s", Path(path).name, exc)
        return None
    try:
        return _scaled_pixels(image)
    finally:
        bpy.data.images.remove(image)


def _scaled_pixels(image: bpy.types.Image) -> tuple[tuple[int, int], array] | None:
    width, height = image.size
    if not width or not height:
        return None
    scale = PREVIEW_SIZE / max(width, height)
    if scale < 1.0:
        width, height = max(1, round(width * scale)), max(1, round(height * scale))
        image.scale(width, height)
    pixels = array("f", bytes(4 * width * height * 4))
    if image.channels != 4:
        return None
    image.pixels.foreach_get(pixels)
    return (width, height), pixels


def _render_pixels(objects: list[bpy.types.Object]) -> tuple[tuple[int, int], array] | None:
    """A small Workbench render of the result alone (its own scene, its own camera), as preview pixels."""
    scene = bpy.data.scenes.new("meshy_preview")
    folder = tempfile.mkdtemp(prefix="meshy-preview-")
    path = Path(folder) / "preview.png"
    try:
        for obj in objects:
            scene.collection.objects.link(obj)
        scene.display.shading.light = "STUDIO"
        scene.display.shading.color_type = "TEXTURE"
        scene.view_layers[0].update()  # a new scene has no depsgraph until then (the camera is framed with it)
        with captured_output("preview render"):
            render_scene_to_png(scene, path, resolution=PREVIEW_SIZE)
        return _thumbnail_pixels(str(path))
    except (RuntimeError, ValueError, OSError) as exc:
        log.warning("could not render a preview: %s", exc)
        return None
    finally:
        bpy.data.scenes.remove(scene)
        path.unlink(missing_ok=True)
        os.rmdir(folder)


# --------------------------------------------------------------------------- catalogs of an open file


def catalog_folder(blend_path: str) -> Path | None:
    """Where Blender reads the catalogs of assets in this file: its asset library's root, else its folder."""
    if not blend_path:
        return None
    blend = Path(blend_path).resolve()
    for library in bpy.context.preferences.filepaths.asset_libraries:
        root = Path(bpy.path.abspath(library.path)).resolve() if library.path else None
        if root is not None and root in blend.parents:
            return root
    return blend.parent


def result_kinds() -> list[str]:
    """The kinds of the Meshy results marked as assets in the open file."""
    kinds: list[str] = []
    for obj in bpy.data.objects:
        kind = obj.get(PROP_KIND)
        if obj.asset_data is not None and isinstance(kind, str) and obj.get(PROP_TASK_ID) and kind not in kinds:
            kinds.append(kind)
    return kinds


def write_file_catalogs(blend_path: str) -> Path | None:
    """After a save: the catalogs of the file's Meshy assets into the catalog file Blender reads for it."""
    kinds = result_kinds()
    folder = catalog_folder(blend_path)
    if not kinds or folder is None:
        return None
    return asset_catalogs.write_catalogs(folder, kinds)


# --------------------------------------------------------------------------- a library .blend


def stage(objects: Iterable[bpy.types.Object], path: Path) -> None:
    """Write marked objects (and what they use) to a .blend of their own, paths absolute, for ``publish``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    bpy.data.libraries.write(str(tmp), set(objects), path_remap="ABSOLUTE", fake_user=True)
    os.replace(tmp, path)


def publish(folder: Path, staged: list[Path]) -> list[str]:
    """Add the staged results to ``folder``'s library .blend and catalog file; returns the names added.

    The library's assets and the staged ones are appended into this file for
    the write and removed again afterwards; a result already in the library
    (same task) is not added twice. Images are packed, so the library works
    wherever it is copied. The library is replaced only by a complete file.
    """
    library = Path(folder) / asset_catalogs.LIBRARY_FILE
    before = snapshot()
    try:
        existing = _load_assets(library) if library.is_file() else []
        have = {str(o.get(PROP_TASK_ID)) for o in existing if o.get(PROP_TASK_ID)}
        added: list[bpy.types.Object] = []
        for path in staged:
            objects = _load_assets(path)
            if not any(str(o.get(PROP_TASK_ID) or "") in have for o in objects):
                added += objects
                have |= {str(o.get(PROP_TASK_ID)) for o in objects if o.get(PROP_TASK_ID)}
        if not added:
            return []
        _pack_new_images(before)
        library.parent.mkdir(parents=True, exist_ok=True)
        tmp = library.with_name(f".{library.name}.{os.getpid()}.tmp")
        try:
            with captured_output(f"saving {library.name}"):
                bpy.data.libraries.write(str(tmp), set(existing) | set(added), fake_user=True, compress=True)
            os.replace(tmp, library)
        finally:
            tmp.unlink(missing_ok=True)
        kinds = [str(o.get(PROP_KIND)) for o in [*existing, *added] if o.get(PROP_KIND)]
        asset_catalogs.write_catalogs(Path(folder), kinds)
        return [o.name for o in added]
    finally:
        remove_new(before)


def _load_assets(path: Path) -> list[bpy.types.Object]:
    """The asset objects of a .blend, appended into this file (with what they use)."""
    with bpy.data.libraries.load(str(path), assets_only=True) as (src, dst):
        dst.objects = list(src.objects)
    return [o for o in dst.objects if o is not None and o.asset_data is not None]


def _pack_new_images(before: Mapping[str, set[int]]) -> None:
    for image in bpy.data.images:
        if image.as_pointer() in before["images"] or image.packed_file is not None or image.source != "FILE":
            continue
        if image.filepath and Path(bpy.path.abspath(image.filepath)).is_file():
            image.pack()
