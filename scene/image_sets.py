"""Sets of images: Text to Image's results as Blender images, and Multi-Image to 3D's views out of them.

A result becomes one Blender image per picture, named and tagged like Image to
Image's (``<label>_image``, or ``<label>_image_view1``... for a multi-view set;
``meshy_task_id``, ``meshy_kind``, ``meshy_view_index``) plus ``meshy_view_count``;
the RGBA thumbnail, when one was asked for, one more image (``<label>_image_alpha``,
tagged but not a view). The other way, Blender images that are a whole
multi-view set of one task Multi-Image to 3D can chain on are sent as that
task's id, so nothing is uploaded; any other image is written to a PNG first.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import bpy

from ..client.uploads import FileInput
from ..core.errors import UserError
from ..core.requests import can_chain
from .images import image_to_png
from .materials import load_images
from .records import PROP_KIND, PROP_SETTINGS, PROP_TASK_ID

PROP_VIEW_INDEX = "meshy_view_index"
PROP_VIEW_COUNT = "meshy_view_count"
PROP_ALPHA = "meshy_alpha_thumbnail"


def import_text_to_image(files: dict[str, str], meta: dict[str, Any], task_id: str) -> list[str]:
    """The task's pictures (and its alpha thumbnail) as Blender images; their names."""
    keys = sorted((k for k in files if k.startswith("image_")), key=_index)
    if not keys:
        raise ValueError("This task has no images to import")
    pack = bool(meta.get("pack_images", False))
    images = load_images([files[k] for k in keys], pack=pack)
    base = f"{meta.get('label') or 'Meshy'}_image"
    settings = json.dumps(dict(meta.get("settings") or {}), sort_keys=True, default=str)
    for index, image in enumerate(images):
        image.name = base if len(images) == 1 else f"{base}_view{index + 1}"
        _tag(image, task_id, settings)
        image[PROP_VIEW_INDEX] = index
        image[PROP_VIEW_COUNT] = len(images)
    names = [i.name for i in images]
    if "alpha_thumbnail" in files:
        (alpha,) = load_images([files["alpha_thumbnail"]], pack=pack)
        alpha.name = f"{base}_alpha"
        alpha.alpha_mode = "STRAIGHT"
        _tag(alpha, task_id, settings)
        alpha[PROP_ALPHA] = True
        names.append(alpha.name)
    return names


def _tag(image: bpy.types.Image, task_id: str, settings: str) -> None:
    image[PROP_TASK_ID] = task_id
    image[PROP_KIND] = "text-to-image"
    image[PROP_SETTINGS] = settings


def _index(key: str) -> int:
    try:
        return int(key.rsplit("_", 1)[1])
    except (IndexError, ValueError):
        return 0


def blender_images(names: Iterable[str]) -> list[bpy.types.Image]:
    """The Blender images by name, or a sentence for the first that does not exist."""
    images = []
    for name in names:
        image = bpy.data.images.get(name)
        if image is None:
            raise UserError(f"There is no Blender image named {name!r}")
        images.append(image)
    return images


def _whole(image: bpy.types.Image, prop: str) -> int | None:
    """A view index or count as a whole number >= 0; None when absent or garbage (a .blend is disk data)."""
    value = image.get(prop)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def views_of(image: bpy.types.Image) -> list[bpy.types.Image]:
    """Every view of the multi-view set ``image`` belongs to, in view order (just ``image`` when it is none)."""
    task_id = image.get(PROP_TASK_ID)
    if not task_id or _whole(image, PROP_VIEW_INDEX) is None:
        return [image]
    views = [i for i in bpy.data.images if i.get(PROP_TASK_ID) == task_id and _whole(i, PROP_VIEW_INDEX) is not None]
    return sorted(views, key=lambda i: _whole(i, PROP_VIEW_INDEX)) if len(views) > 1 else [image]


def chained_set(images: list[bpy.types.Image], kind: str = "multi-image-to-3d") -> str | None:
    """The task id when ``images`` are a whole multi-view set (2+ views) of one task ``kind`` chains on."""
    if len(images) < 2:
        return None
    task_ids = {i.get(PROP_TASK_ID) for i in images}
    if len(task_ids) != 1 or not all(i.get(PROP_TASK_ID) for i in images):
        return None
    first = images[0]
    indices = {_whole(i, PROP_VIEW_INDEX) for i in images}
    if not can_chain(kind, str(first.get(PROP_KIND) or "")) or None in indices:
        return None
    count = _whole(first, PROP_VIEW_COUNT) or len(views_of(first))
    return str(first[PROP_TASK_ID]) if len(indices) == len(images) == count else None


def uploads_of(images: list[bpy.types.Image], upload_dir: Path) -> list[FileInput]:
    """Each image written to a PNG in ``upload_dir`` for upload (removed again if one fails)."""
    made: list[Path] = []
    try:
        for image in images:
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in image.name)[:40] or "image"
            out = upload_dir / f"{safe}_{uuid.uuid4().hex[:8]}.png"
            try:
                image_to_png(image, out)
            except Exception as exc:
                raise UserError(f"The Blender image {image.name!r} could not be saved for upload ({exc})") from exc
            made.append(out)
        return [FileInput.image(p) for p in made]
    except BaseException:
        for path in made:
            path.unlink(missing_ok=True)
        raise


def set_label(images: list[bpy.types.Image]) -> str:
    """A name for a model made from these images: the first one's, without its view suffix."""
    if not images:
        return "images"
    name = Path(images[0].name).stem
    return name.split("_view")[0] or name


def label_for_task(task_id: str) -> str:
    """A name for a model made from a task by id: its images' name when they are in this file, else the id."""
    image = next((i for i in bpy.data.images if i.get(PROP_TASK_ID) == task_id), None)
    return set_label(views_of(image)) if image is not None else task_id
