"""Scene work: the bpy glue between Blender data and the files Meshy reads and writes.

Main thread only; nothing here talks to the network. ``gltf`` exports the
selection and imports a model, ``materials`` wires PBR maps, ``placement``
puts a result where its source is, ``records`` remembers which task made an
object (and whether it was edited since), ``images`` renders the scene or
writes a Blender image for upload, ``rollback`` undoes a failed import (one
list of datablock types), ``importing`` brings a finished task in as one undo
step, ``inputs`` gathers an operator's inputs with a sentence per refusal,
``assets`` marks results as assets and writes them into a library .blend.
Every function leaves the user's selection, active object and mode as it
found them unless changing the scene is its whole point.
"""

from __future__ import annotations

from . import assets
from .common import SceneIOError
from .gltf import export_objects_glb, import_glb
from .images import image_to_png, render_scene_to_png
from .importing import import_result, result_name
from .materials import PBR_MAPS, apply_material, build_pbr_material, load_images
from .placement import apply_matrix, hide_original, place_like, replace_original
from .records import mesh_fingerprint, record_task, task_source, triangle_count
from .rollback import DATABLOCKS, clear_scene, rollback_on_error

__all__ = [
    "DATABLOCKS", "PBR_MAPS", "SceneIOError", "apply_material", "apply_matrix", "assets", "build_pbr_material",
    "clear_scene", "export_objects_glb", "hide_original", "image_to_png", "import_glb", "import_result", "load_images",
    "mesh_fingerprint", "place_like", "record_task", "render_scene_to_png", "replace_original", "result_name",
    "rollback_on_error", "task_source", "triangle_count",
]
