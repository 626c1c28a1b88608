"""Gather an operator's inputs on the main thread, with a sentence for each refusal.

Models are exported from the selection (one task per mesh object) unless the
object came from a Meshy task and was not edited since: then the task id is
sent and nothing is uploaded. Images come from a file, a Blender image, or a
render of the scene. Everything here runs before any network call, and on a
refusal nothing in the scene has changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import bpy

from ..client.uploads import FileInput
from ..core.errors import UserError
from ..core.params import IMAGE_KINDS
from ..core.requests import KEEP_POLYGONS, can_chain
from .gltf import export_objects_glb
from .images import image_to_png, render_scene_to_png
from .records import task_source

VERBS = {"remesh": "remesh", "retexture": "retexture", "rigging": "rig"}


@dataclass
class ModelInput:
    """One source object and what to send for it."""

    obj: bpy.types.Object
    input_task_id: str | None = None
    upload: FileInput | None = None
    polygons: bool = False  # a chained mesh with quads (or n-gons): its retexture keeps them

    def fields(self) -> dict[str, object]:
        """The request field this input fills: the chained task, or the uploaded file."""
        if self.input_task_id:
            return {"input_task_id": self.input_task_id, **({KEEP_POLYGONS: True} if self.polygons else {})}
        return {"model_url": self.upload}


def mesh_selection(context: bpy.types.Context) -> list[bpy.types.Object]:
    """The selected mesh objects (no refusal: what the sidebar shows and counts)."""
    return [o for o in (getattr(context, "selected_objects", None) or []) if o.type == "MESH"]


def selected_meshes(context: bpy.types.Context, kind: str) -> list[bpy.types.Object]:
    """The selected mesh objects, or a sentence saying what is wrong."""
    verb = VERBS.get(kind, kind)
    selected = list(getattr(context, "selected_objects", None) or [])
    if not selected:
        raise UserError(f"Select a mesh object to {verb}")
    meshes = [o for o in selected if o.type == "MESH"]
    if not meshes:
        kinds = ", ".join(sorted({o.type.title() for o in selected}))
        raise UserError(f"The selection holds no mesh object to {verb} (only {kinds})")
    for obj in meshes:
        data = obj.evaluated_get(context.evaluated_depsgraph_get()).data
        if len(data.polygons) == 0:
            raise UserError(f"{obj.name} has no faces to {verb}")
    return meshes


def model_inputs(context: bpy.types.Context, kind: str, upload_dir: Path) -> list[ModelInput]:
    """One input per selected mesh: a chained task id, or a GLB exported into ``upload_dir``."""
    inputs: list[ModelInput] = []
    try:
        for obj in selected_meshes(context, kind):
            source = task_source(obj)
            if source and can_chain(kind, source[0]):
                mesh = obj.data  # unedited since import: the result's own faces
                polygons = len(mesh.loops) != 3 * len(mesh.polygons)
                inputs.append(ModelInput(obj, input_task_id=source[1], polygons=polygons))
                continue
            path = upload_dir / f"{_safe(obj.name)}_{uuid.uuid4().hex[:8]}.glb"
            export_objects_glb([obj], path)
            inputs.append(ModelInput(obj, upload=FileInput.model(path)))
    except Exception:
        discard(inputs)
        raise
    return inputs


def image_input(
    context: bpy.types.Context, upload_dir: Path, *, path: str = "", name: str = "", use_render: bool = False,
) -> tuple[FileInput | None, str | None, str]:
    """(upload, chained image-to-image task id, label) from the first source given; files go to ``upload_dir``."""
    if path:
        file = Path(bpy.path.abspath(path))
        if not file.is_file():
            raise UserError(f"The image file {file} does not exist")
        return FileInput.image(file), None, file.stem
    if name:
        image = bpy.data.images.get(name)
        if image is None:
            raise UserError(f"There is no Blender image named {name!r}")
        task_id = image.get("meshy_task_id")
        if task_id and image.get("meshy_kind") in IMAGE_KINDS and "meshy_view_index" in image \
                and not _has_siblings(image):  # one picture of an image task: chained, not uploaded
            return None, str(task_id), _stem(image.name)
        out = upload_dir / f"{_safe(image.name)}_{uuid.uuid4().hex[:8]}.png"
        try:
            image_to_png(image, out)
        except Exception as exc:
            raise UserError(f"The Blender image {image.name!r} could not be saved for upload ({exc})") from exc
        return FileInput.image(out), None, _stem(image.name)
    if use_render:
        out = upload_dir / f"render_{uuid.uuid4().hex[:8]}.png"
        render_scene_to_png(context.scene, out)
        return FileInput.image(out), None, context.scene.name
    return None, None, ""


def discard(inputs: list[ModelInput]) -> None:
    """Remove exported files of inputs that will not be sent."""
    for item in inputs:
        if item.upload is not None:
            Path(item.upload.path).unlink(missing_ok=True)


def _has_siblings(image: bpy.types.Image) -> bool:
    task_id = image.get("meshy_task_id")
    return sum(1 for i in bpy.data.images if i.get("meshy_task_id") == task_id and "meshy_view_index" in i) > 1


def _stem(name: str) -> str:
    return Path(name).stem or name


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:40] or "object"
