"""Save a batch's results: one .blend per asset, or one for all with a collection each."""

from __future__ import annotations

from pathlib import Path

import bpy

from ..scene.console import captured_output


def collect(names: list[str], collection_name: str, offset: tuple[float, float, float] | None) -> None:
    """Single-blend mode: each asset in its own collection, laid out on a grid."""
    scene = bpy.context.scene
    coll = bpy.data.collections.new(collection_name)
    scene.collection.children.link(coll)
    for name in names:
        obj = bpy.data.objects.get(name)
        if obj is None:
            continue
        for users in list(obj.users_collection):
            users.objects.unlink(obj)
        coll.objects.link(obj)
        if offset and (obj.parent is None or obj.parent.name not in names):
            obj.location = (obj.location[0] + offset[0], obj.location[1] + offset[1], obj.location[2] + offset[2])


def keep_images(names: list[str]) -> None:
    for name in names:
        image = bpy.data.images.get(name)
        if image is not None:
            image.use_fake_user = True  # an image no material uses is otherwise not saved


def save_blend(path: Path, pack: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if pack:
        for image in bpy.data.images:
            if image.source == "FILE" and image.packed_file is None and image.filepath:
                image.pack()
    with captured_output(f"saving {path.name}"):  # Blender's "Info: Saved copy as ..." goes to the import log
        bpy.ops.wm.save_as_mainfile(filepath=str(path), copy=True, relative_remap=True, check_existing=False)


def grid(index: int, spacing: float = 3.0, columns: int = 10) -> tuple[float, float, float]:
    return ((index % columns) * spacing, (index // columns) * spacing, 0.0)
