"""glTF in and out, with Blender's own glTF add-on.

Export sends what the user sees (modifiers applied) in each object's local
space, a skinned mesh in its rest shape; import brings a model in, all or nothing. Works with Blender 4.2 LTS
and 5.x: operator options are passed only when the installed glTF add-on has
them, because their names change between versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import bpy

from ..core import glb
from .adopt import op_kwargs as _op_kwargs
from .adopt import run_importer
from .common import SceneIOError, layer_objects, preserved_state
from .rigging import rest_pose


def _ensure_gltf() -> None:
    """The glTF add-on is bundled but can be disabled (e.g. after read_factory_settings)."""
    if _gltf_available():
        return
    import addon_utils

    addon_utils.enable("io_scene_gltf2", default_set=True)
    if not _gltf_available():
        raise SceneIOError("Blender's glTF 2.0 add-on (io_scene_gltf2) is not available; enable it in Preferences")


def _gltf_available() -> bool:
    # bpy.ops.<module>.<name> exists for any name; only its RNA type proves the operator is registered.
    try:
        bpy.ops.export_scene.gltf.get_rna_type()
        bpy.ops.import_scene.gltf.get_rna_type()
    except (KeyError, AttributeError, RuntimeError):
        return False
    return True


def _evaluated_mesh_stats(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph) -> tuple[int, int]:
    eval_obj = obj.evaluated_get(depsgraph)
    mesh = eval_obj.to_mesh()
    try:
        return len(mesh.vertices), len(mesh.polygons)
    finally:
        eval_obj.to_mesh_clear()


def _check_exportable(objects: list[bpy.types.Object], depsgraph: bpy.types.Depsgraph) -> None:
    if not objects:
        raise SceneIOError("Nothing to export: give at least one mesh object")
    for obj in objects:
        if obj is None or obj.type != "MESH":
            kind = "nothing" if obj is None else f"a {obj.type.title()} object"
            name = "(none)" if obj is None else obj.name
            raise SceneIOError(f"{name} is {kind}, not a mesh; only mesh objects can be sent to Meshy")
        _verts, faces = _evaluated_mesh_stats(obj, depsgraph)
        if faces == 0:
            raise SceneIOError(f"{obj.name} has no faces (its mesh with modifiers applied is empty)")


def export_objects_glb(objects: Iterable[bpy.types.Object], path: str | Path) -> Path:
    """Write mesh objects to a binary glTF with Blender's own exporter, in each object's local space.

    Meshy gets what the user sees (modifiers applied) but without the world
    transform, so the result placed at the source's world matrix lands where
    the source is. Works on temporary copies of the evaluated meshes, so the
    user's objects, matrices, selection, active object and mode stay untouched.
    """
    _ensure_gltf()
    context = bpy.context
    objects = list(objects)
    depsgraph = context.evaluated_depsgraph_get()
    _check_exportable(objects, depsgraph)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    scene = context.scene

    temp_collection = None
    temp_objects: list[bpy.types.Object] = []
    temp_meshes: list[bpy.types.Mesh] = []
    with preserved_state(context) as view_layer, rest_pose(objects):
        depsgraph = context.evaluated_depsgraph_get()  # edit-mode changes were just written back
        try:
            temp_collection = bpy.data.collections.new("meshy_export_tmp")
            scene.collection.children.link(temp_collection)
            for obj in objects:
                eval_obj = obj.evaluated_get(depsgraph)
                mesh = bpy.data.meshes.new_from_object(eval_obj, preserve_all_data_layers=True, depsgraph=depsgraph)
                temp_meshes.append(mesh)
                # Object-linked material slots live on the object, not the mesh: copy them over.
                # Use the ORIGINAL material: the evaluated one is a depsgraph copy, and storing it
                # in real data leaves a dangling pointer (4.2 crashes on the next depsgraph build).
                for index, slot in enumerate(eval_obj.material_slots):
                    material = slot.material.original if slot.material is not None else None
                    if index < len(mesh.materials) and material not in (None, mesh.materials[index]):
                        mesh.materials[index] = material
                temp = bpy.data.objects.new(obj.name, mesh)  # identity matrix: local space
                temp_objects.append(temp)
                temp_collection.objects.link(temp)
            for obj in layer_objects(view_layer):
                if obj.select_get():
                    obj.select_set(False)
            for temp in temp_objects:
                temp.select_set(True)
            view_layer.objects.active = temp_objects[0]
            view_layer.update()
            op = bpy.ops.export_scene.gltf
            options = _op_kwargs(op, {
                "filepath": str(path),
                "check_existing": False,
                "export_format": "GLB",
                "use_selection": True,
                "use_visible": False,
                "use_renderable": False,
                "use_active_collection": False,
                "use_active_scene": True,
                "export_apply": False,  # the temporary meshes already have the modifiers applied
                "export_yup": True,
                "export_cameras": False,
                "export_lights": False,
                "export_extras": False,
                "export_animations": False,
                "export_current_frame": True,  # no frame_set: 4.2 crashes there after exporting textures
                "export_skins": False,
                "export_morph": False,
                "export_materials": "EXPORT",
                "export_image_format": "AUTO",
                "export_texcoords": True,
                "export_normals": True,
                "export_draco_mesh_compression_enable": False,
                "export_use_gltfpack": False,
                "will_save_settings": False,
                # Not "export_loglevel": 4.2 and 5.0 crash with any value >= 0 (KeyError 'loglevel').
            })
            result = op(**options)
            if "FINISHED" not in result or not path.is_file():
                raise SceneIOError(f"Blender's glTF exporter did not write {path.name}")
        finally:
            for temp in temp_objects:
                bpy.data.objects.remove(temp, do_unlink=True)
            for mesh in temp_meshes:
                if mesh.users == 0:
                    bpy.data.meshes.remove(mesh)
            if temp_collection is not None:
                bpy.data.collections.remove(temp_collection)
            view_layer.update()  # resync: removed objects would linger as None in view_layer.objects
    return path


def import_glb(
    path: str | Path, *, name: str | None = None, collection: bpy.types.Collection | None = None,
    materials: bool = True,
) -> list[bpy.types.Object]:
    """Import a GLB with Blender's glTF importer and return the objects it made.

    ``materials=False`` skips the file's own materials and images, for a caller
    that builds the material from separate maps.

    The objects end up only in ``collection`` (default: the scene's collection)
    and, when ``name`` is given, are named after it (``Chair_remesh``,
    ``Chair_remesh.001`` ...). If the import fails, whatever it had made is
    removed and the error says which file could not be read. The new objects
    are selected and the first one is active, as after any Blender import.
    """
    _ensure_gltf()
    path = Path(path)
    if not path.is_file():
        raise SceneIOError(f"The model file {path} does not exist")
    if not materials:
        bare = glb.bare_copy_path(path)
        if bare.is_file() or glb.write_bare_copy(path):  # usually made already by the download thread
            return import_glb(bare, name=name, collection=collection)
    op = bpy.ops.import_scene.gltf
    options = _op_kwargs(op, {
        "filepath": str(path),
        "import_pack_images": True,
        # Blender's own default (no merge): the mesh is exactly what Meshy made, and the
        # import costs what a plain glTF import costs (merging adds ~10% on a 20k mesh).
        "merge_vertices": False,
        "import_shading": "NORMALS",
        "import_scene_as_collection": False,
        "import_select_created_objects": True,
        "import_scene_extras": False,
    })
    return run_importer(op, options, path, name=name, collection=collection)

