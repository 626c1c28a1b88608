"""Quad results in: Meshy's OBJ through Blender's own (C++) OBJ importer.

glTF holds triangles only, so a quad remesh comes in from the OBJ Meshy
makes beside the GLB (``core.requests.POLYGON_FORMAT`` says why OBJ). The
importer reads it Y-up like the GLB (forward -Z, up Y) and puts that axis
change on the object; it is baked into the mesh here, so the result has the
GLB's identity transform and lands where a GLB result would. The file's own
materials are dropped when the caller builds one from Meshy's PBR maps: the
MTL names files under the server's names, and Blender's OBJ importer reads
every image of it as sRGB.
"""

from __future__ import annotations

from pathlib import Path

import bpy
from mathutils import Matrix

from .adopt import op_kwargs, run_importer
from .common import SceneIOError


def _obj_importer() -> object:
    op = bpy.ops.wm.obj_import
    try:
        op.get_rna_type()
    except (KeyError, AttributeError, RuntimeError):
        raise SceneIOError("This Blender has no OBJ importer (wm.obj_import)") from None
    return op


def import_obj(
    path: str | Path, *, name: str | None = None, collection: bpy.types.Collection | None = None,
    materials: bool = True,
) -> list[bpy.types.Object]:
    """Import an OBJ with Blender's importer, keeping its polygons; the contract of ``import_glb``."""
    path = Path(path)
    if not path.is_file():
        raise SceneIOError(f"The model file {path} does not exist")
    op = _obj_importer()
    options = op_kwargs(op, {
        "filepath": str(path),
        "forward_axis": "NEGATIVE_Z",  # Y-up, as Meshy writes every format (and glTF is by definition)
        "up_axis": "Y",
        "validate_meshes": True,  # the file came from the network: bad indices are mended, not trusted
        "use_split_objects": True,
        "use_split_groups": False,
        "import_vertex_groups": False,
    })
    before_materials = {m.as_pointer() for m in bpy.data.materials}

    def finish(objects: list[bpy.types.Object]) -> None:
        _bake_axes(objects)
        if not materials:
            _drop_materials(objects, before_materials)

    return run_importer(op, options, path, name=name, collection=collection, finish=finish)


def _bake_axes(objects: list[bpy.types.Object]) -> None:
    """The importer's Y-up to Z-up turn, from each top-level object's transform into its mesh."""
    for obj in objects:
        if obj.parent is not None or obj.type != "MESH" or obj.data.users != 1:
            continue
        basis = obj.matrix_basis.copy()
        if basis == Matrix.Identity(4):
            continue
        obj.data.transform(basis)  # custom normals turn with it (4.2+)
        obj.matrix_basis = Matrix.Identity(4)
        for child in obj.children:
            child.matrix_parent_inverse = basis @ child.matrix_parent_inverse


def _drop_materials(objects: list[bpy.types.Object], before: set[int]) -> None:
    """The importer's materials, for a caller that wires its own from the PBR maps."""
    for obj in objects:
        if obj.type == "MESH":
            obj.data.materials.clear()
    for material in [m for m in bpy.data.materials if m.as_pointer() not in before and m.users == 0]:
        bpy.data.materials.remove(material)
