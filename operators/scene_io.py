"""Scene I/O: the bpy glue between Blender data and the files Meshy reads and writes.

Main thread only. Nothing here talks to the network: the operators hand the
files this module writes to the job engine and give back the files it
downloaded. Every function leaves the user's selection, active object and
mode as it found them unless changing the scene is its whole point
(import, placement), and cleans up after itself when it fails.

Works with Blender 4.2 LTS and 5.x: operator options are passed only when the
installed glTF add-on has them, because their names change between versions.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bpy
from mathutils import Matrix, Vector

from ..core import glb

__all__ = [
    "SceneIOError",
    "apply_material",
    "build_pbr_material",
    "export_objects_glb",
    "hide_original",
    "image_to_png",
    "import_glb",
    "load_images",
    "mesh_fingerprint",
    "place_like",
    "record_task",
    "render_scene_to_png",
    "replace_original",
    "task_source",
    "triangle_count",
]

#: Custom property names on result objects (documented in docs/ARCHITECTURE.md).
PROP_TASK_ID = "meshy_task_id"
PROP_KIND = "meshy_kind"
PROP_SETTINGS = "meshy_settings"
PROP_FINGERPRINT = "meshy_fingerprint"

#: Map key -> (colour space, Principled BSDF input). "normal" goes through a Normal Map node.
PBR_MAPS: dict[str, tuple[str, str]] = {
    "base_color": ("sRGB", "Base Color"),
    "metallic": ("Non-Color", "Metallic"),
    "roughness": ("Non-Color", "Roughness"),
    "normal": ("Non-Color", "Normal"),
    "emission": ("sRGB", "Emission Color"),
}

# Datablock collections an importer may add to; rolled back on failure.
_ID_COLLECTIONS = (
    "objects", "meshes", "materials", "images", "textures", "node_groups", "collections",
    "actions", "armatures", "cameras", "lights", "curves", "shape_keys",
)


class SceneIOError(ValueError):
    """A scene cannot be exported/imported as asked; the message is a sentence for the user."""


# --------------------------------------------------------------------------- helpers


def _op_kwargs(op: Any, wanted: Mapping[str, Any]) -> dict[str, Any]:
    """Only the options this Blender's operator has (glTF option names differ across versions)."""
    names = {p.identifier for p in op.get_rna_type().properties}
    return {k: v for k, v in wanted.items() if k in names}


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


def layer_objects(view_layer: bpy.types.ViewLayer) -> list[bpy.types.Object]:
    """The view layer's objects; removed ones show up as None until a resync (seen in Blender 5.2)."""
    return [o for o in view_layer.objects if o is not None]


def _in_view_layer(obj: bpy.types.Object, view_layer: bpy.types.ViewLayer) -> bool:
    return view_layer.objects.get(obj.name) == obj


@contextmanager
def _preserved_state(context: bpy.types.Context | None = None) -> Iterator[bpy.types.ViewLayer]:
    """Put the user's selection, active object and mode back afterwards, whatever happens.

    Switches to Object Mode for the duration (exporters and importers need it,
    and it writes edit-mode changes back to the mesh).
    """
    context = context or bpy.context
    view_layer = context.view_layer
    active = view_layer.objects.active
    mode = active.mode if active is not None else "OBJECT"
    selected = [o for o in layer_objects(view_layer) if o.select_get()]
    if mode != "OBJECT" and bpy.ops.object.mode_set.poll():
        bpy.ops.object.mode_set(mode="OBJECT")
    try:
        yield view_layer
    finally:
        for obj in layer_objects(view_layer):
            if obj is not None and obj.select_get():  # None: a base of an object removed meanwhile
                obj.select_set(False)
        for obj in selected:
            try:
                if _in_view_layer(obj, view_layer):
                    obj.select_set(True)
            except (ReferenceError, RuntimeError):
                pass
        try:
            view_layer.objects.active = active if active is not None and _in_view_layer(active, view_layer) else None
        except ReferenceError:
            view_layer.objects.active = None
        if mode != "OBJECT" and view_layer.objects.active is not None and bpy.ops.object.mode_set.poll():
            try:
                bpy.ops.object.mode_set(mode=mode)
            except RuntimeError:
                pass


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


# --------------------------------------------------------------------------- export


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
    with _preserved_state(context) as view_layer:
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


# --------------------------------------------------------------------------- import


def _snapshot() -> dict[str, set[int]]:
    return {attr: {b.as_pointer() for b in getattr(bpy.data, attr)} for attr in _ID_COLLECTIONS}


def _remove_new(before: dict[str, set[int]]) -> None:
    """Remove every datablock that is not in the snapshot (objects first, then their data)."""
    for attr in _ID_COLLECTIONS:
        data = getattr(bpy.data, attr)
        for block in [b for b in data if b.as_pointer() not in before[attr]]:
            try:
                data.remove(block)
            except (ReferenceError, RuntimeError, TypeError):
                pass


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
    context = bpy.context
    scene = context.scene
    view_layer = context.view_layer
    collection = collection or scene.collection
    active = view_layer.objects.active
    if active is not None and active.mode != "OBJECT" and bpy.ops.object.mode_set.poll():
        bpy.ops.object.mode_set(mode="OBJECT")
    previous_selection = [o for o in layer_objects(view_layer) if o.select_get()]
    before = _snapshot()
    try:
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
        try:
            with context.temp_override(scene=scene, view_layer=view_layer):
                result = op(**options)
        except RuntimeError as exc:
            raise SceneIOError(f"Blender could not import the model {path.name}: {_first_line(exc)}") from exc
        if "FINISHED" not in result:
            raise SceneIOError(f"Blender could not import the model {path.name}")
        new = [o for o in bpy.data.objects if o.as_pointer() not in before["objects"]]
        new.sort(key=lambda o: (_depth(o), o.name))
        for obj in new:
            for users in list(obj.users_collection):
                if users != collection:
                    users.objects.unlink(obj)
            if collection not in obj.users_collection:
                collection.objects.link(obj)
        # Collections the importer made (5.x "scene as collection") are left empty: drop them.
        for coll in [c for c in bpy.data.collections if c.as_pointer() not in before["collections"]]:
            if not coll.objects and not coll.children:
                bpy.data.collections.remove(coll)
        if name:
            for index, obj in enumerate(new):
                obj.name = name if index == 0 else f"{name}.{index:03d}"
                if obj.data is not None and obj.data.users == 1:
                    obj.data.name = obj.name
        for obj in layer_objects(view_layer):
            if obj.select_get():
                obj.select_set(False)
        for obj in new:
            if _in_view_layer(obj, view_layer):
                obj.select_set(True)
        if new and _in_view_layer(new[0], view_layer):
            view_layer.objects.active = new[0]
        return new
    except BaseException:
        _remove_new(before)
        for obj in previous_selection:
            try:
                obj.select_set(True)
            except (ReferenceError, RuntimeError):
                pass
        try:
            view_layer.objects.active = active
        except (ReferenceError, RuntimeError):
            pass
        raise


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def _depth(obj: bpy.types.Object) -> int:
    depth = 0
    while obj.parent is not None:
        obj = obj.parent
        depth += 1
    return depth


# --------------------------------------------------------------------------- materials


def _load_image(path: str | Path) -> bpy.types.Image:
    path = Path(path)
    if not path.is_file():
        raise SceneIOError(f"The texture file {path} does not exist")
    try:
        return bpy.data.images.load(str(path), check_existing=True)
    except RuntimeError as exc:
        raise SceneIOError(f"Blender could not read the image {path.name}: {_first_line(exc)}") from exc


def build_pbr_material(name: str, maps: Mapping[str, str | Path]) -> bpy.types.Material:
    """A Principled BSDF material wired from Meshy's PBR texture files.

    Base colour and emission are read as sRGB; metallic, roughness and normal
    as Non-Color (data), the normal map through a Normal Map node. Only the
    maps given are wired; unknown keys are refused before anything is made.
    """
    unknown = sorted(set(maps) - set(PBR_MAPS))
    if unknown:
        raise SceneIOError(f"Unknown texture map {', '.join(unknown)}; expected some of {', '.join(PBR_MAPS)}")
    images = {key: _load_image(maps[key]) for key in PBR_MAPS if key in maps}

    material = bpy.data.materials.new(name)
    if bpy.app.version < (5, 0, 0):
        material.use_nodes = True  # always on (and deprecated) from 5.0
    tree = material.node_tree
    nodes, links = tree.nodes, tree.links
    nodes.clear()
    output = nodes.new("ShaderNodeOutputMaterial")
    output.location = (400, 0)
    bsdf = nodes.new("ShaderNodeBsdfPrincipled")
    bsdf.location = (0, 0)
    links.new(bsdf.outputs["BSDF"], output.inputs["Surface"])
    for row, (key, image) in enumerate(images.items()):
        colorspace, socket = PBR_MAPS[key]
        image.colorspace_settings.name = colorspace
        tex = nodes.new("ShaderNodeTexImage")
        tex.name = tex.label = key.replace("_", " ").title()
        tex.image = image
        tex.location = (-700, 300 - row * 300)
        if key == "normal":
            normal_map = nodes.new("ShaderNodeNormalMap")
            normal_map.location = (-250, 300 - row * 300)
            links.new(tex.outputs["Color"], normal_map.inputs["Color"])
            links.new(normal_map.outputs["Normal"], bsdf.inputs["Normal"])
        else:
            links.new(tex.outputs["Color"], bsdf.inputs[socket])
        if key == "emission":
            bsdf.inputs["Emission Strength"].default_value = 1.0
    return material


def apply_material(objects: Iterable[bpy.types.Object], material: bpy.types.Material) -> None:
    """Give mesh objects exactly one material slot holding ``material`` (non-meshes are skipped)."""
    for obj in objects:
        if obj.type != "MESH":
            continue
        mesh = obj.data
        mesh.materials.clear()
        mesh.materials.append(material)
        for slot in obj.material_slots:
            slot.link = "DATA"
        _zero_material_indices(mesh)


def _zero_material_indices(mesh: bpy.types.Mesh) -> None:
    """Every face on slot 0; cheap, since a mesh with no index attribute is all zeros already."""
    attribute = mesh.attributes.get("material_index")
    if attribute is None:
        return
    if attribute.domain == "FACE" and attribute.data_type == "INT":
        mesh.attributes.remove(attribute)
    else:  # not the built-in attribute (should not happen): write zeros face by face
        mesh.polygons.foreach_set("material_index", array("i", bytes(4 * len(mesh.polygons))))
    mesh.update()


# --------------------------------------------------------------------------- placement


def _top_level(objects: Iterable[bpy.types.Object]) -> list[bpy.types.Object]:
    objects = list(objects)
    pointers = {o.as_pointer() for o in objects}
    return [o for o in objects if o.parent is None or o.parent.as_pointer() not in pointers]


def place_like(new_objects: Iterable[bpy.types.Object], source: bpy.types.Object) -> None:
    """Put a result where its source is: same world placement, collections and parent.

    The result's objects are in the source's local space (that is how it was
    uploaded), so each top-level object's own matrix is composed with the
    source's world matrix. Children keep their place under their parent.
    """
    new_objects = list(new_objects)
    bpy.context.view_layer.update()  # matrix_world of source and parent up to date
    source_world = source.matrix_world.copy()
    collections = list(source.users_collection) or [bpy.context.scene.collection]
    for obj in new_objects:
        for coll in list(obj.users_collection):
            if coll not in collections:
                coll.objects.unlink(obj)
        for coll in collections:
            if obj.name not in coll.objects:
                coll.objects.link(obj)
    for obj in _top_level(new_objects):
        world = source_world @ obj.matrix_world
        obj.parent = source.parent
        if source.parent is not None:
            obj.parent_type = source.parent_type
            if source.parent_type == "BONE":
                obj.parent_bone = source.parent_bone
            elif source.parent_type in {"VERTEX", "VERTEX_3"}:
                obj.parent_vertices = source.parent_vertices
            obj.matrix_parent_inverse = source.matrix_parent_inverse.copy()
        else:
            obj.matrix_parent_inverse = Matrix.Identity(4)
        obj.matrix_world = world
    bpy.context.view_layer.update()


def hide_original(source: bpy.types.Object) -> None:
    """Keep the source object but hide it in the viewport and in renders."""
    try:
        source.hide_set(True)
    except RuntimeError:  # not in the current view layer: hide it where it can be hidden
        source.hide_viewport = True
    source.hide_render = True


def replace_original(
    source: bpy.types.Object, new: bpy.types.Object | Iterable[bpy.types.Object],
) -> None:
    """Delete the source; its children move under the (first top-level) result, keeping their place."""
    new_objects = [new] if isinstance(new, bpy.types.Object) else list(new)
    heir = _top_level(new_objects)[0] if new_objects else None
    bpy.context.view_layer.update()
    for child in list(source.children):
        world = child.matrix_world.copy()
        child.parent = heir
        child.matrix_parent_inverse = Matrix.Identity(4)
        child.matrix_world = world
    data = source.data
    bpy.data.objects.remove(source, do_unlink=True)
    if isinstance(data, bpy.types.Mesh) and data.users == 0:
        bpy.data.meshes.remove(data)


# --------------------------------------------------------------------------- task records


def mesh_fingerprint(obj: bpy.types.Object) -> str:
    """A stable hash of the evaluated mesh in local space: counts, positions, corner indices.

    Moving the object does not change it; editing a vertex, the topology or a
    modifier does, so a later step knows whether the mesh must be uploaded again.
    """
    eval_obj = None
    if obj.modifiers or obj.data.shape_keys:
        eval_obj = obj.evaluated_get(bpy.context.evaluated_depsgraph_get())
        mesh = eval_obj.to_mesh()
    else:  # nothing evaluates differently: read the mesh itself, no depsgraph update (fast on import)
        mesh = obj.data
    try:
        n_verts, n_polys, n_loops = len(mesh.vertices), len(mesh.polygons), len(mesh.loops)
        co = array("f", bytes(4 * n_verts * 3))
        corners = array("i", bytes(4 * n_loops))
        # Attribute arrays are ~100x faster to read than the vertex/loop collections.
        position, corner_vert = mesh.attributes.get("position"), mesh.attributes.get(".corner_vert")
        if position is not None and corner_vert is not None:
            position.data.foreach_get("vector", co)
            corner_vert.data.foreach_get("value", corners)
        else:
            mesh.vertices.foreach_get("co", co)
            mesh.loops.foreach_get("vertex_index", corners)
    finally:
        if eval_obj is not None:
            eval_obj.to_mesh_clear()
    digest = hashlib.sha256()
    # Counts plus corner vertices pin the topology; face sizes add little and cost the most to read.
    digest.update(f"v2:{n_verts}:{n_polys}:{n_loops}:".encode())
    # Exact float32 bytes: the fingerprint is only ever compared within Blender, on the same data.
    digest.update(co.tobytes())
    digest.update(corners.tobytes())
    return f"{n_verts}v{n_polys}f-{digest.hexdigest()[:32]}"


def record_task(obj: bpy.types.Object, kind: str, task_id: str, settings: Mapping[str, Any] | None = None) -> None:
    """Remember on the object which Meshy task made it, with a fingerprint of the mesh as imported."""
    obj[PROP_TASK_ID] = str(task_id)
    obj[PROP_KIND] = str(kind)
    obj[PROP_SETTINGS] = json.dumps(dict(settings or {}), sort_keys=True, default=str)
    obj[PROP_FINGERPRINT] = mesh_fingerprint(obj)


def task_source(obj: bpy.types.Object) -> tuple[str, str] | None:
    """``(kind, task_id)`` of the task that made the object, if its mesh was not edited since."""
    task_id, kind, fingerprint = obj.get(PROP_TASK_ID), obj.get(PROP_KIND), obj.get(PROP_FINGERPRINT)
    if not task_id or not kind or not fingerprint or obj.type != "MESH":
        return None
    if mesh_fingerprint(obj) != fingerprint:
        return None
    return str(kind), str(task_id)


def triangle_count(objects: Iterable[bpy.types.Object]) -> int:
    """Triangles of the evaluated meshes (what an export would contain)."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    total = 0
    for obj in objects:
        if obj.type != "MESH":
            continue
        eval_obj = obj.evaluated_get(depsgraph)
        mesh = eval_obj.to_mesh()
        try:
            mesh.calc_loop_triangles()
            total += len(mesh.loop_triangles)
        finally:
            eval_obj.to_mesh_clear()
    return total


# --------------------------------------------------------------------------- images


@contextmanager
def _saved_attrs(*pairs: tuple[Any, str]) -> Iterator[None]:
    """Restore attributes (owner, name) to their current values afterwards."""
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr in pairs]
    try:
        yield
    finally:
        for owner, attr, value in reversed(saved):
            try:
                setattr(owner, attr, value)
            except (AttributeError, TypeError, ValueError, ReferenceError):
                pass


def _framing_targets(scene: bpy.types.Scene, view_layer: bpy.types.ViewLayer) -> list[bpy.types.Object]:
    visible = [o for o in scene.objects if o.type in {"MESH", "CURVE", "SURFACE", "META", "FONT"}
               and _in_view_layer(o, view_layer) and o.visible_get(view_layer=view_layer)]
    selected = [o for o in visible if o.select_get(view_layer=view_layer)]
    return selected or visible


def _frame_camera(camera: bpy.types.Object, objects: list[bpy.types.Object], depsgraph: bpy.types.Depsgraph) -> None:
    """Aim a camera from the front-right-above at the objects' bounding boxes, filling the frame."""
    corners = [obj.matrix_world @ Vector(c) for obj in objects for c in obj.bound_box]
    if not corners:
        corners = [Vector((-1, -1, -1)), Vector((1, 1, 1))]
    centre = sum(corners, Vector()) / len(corners)
    direction = Vector((1.0, -1.6, 0.9)).normalized()
    camera.rotation_euler = direction.to_track_quat("Z", "Y").to_euler()
    camera.location = centre + direction * 10.0
    depsgraph.update()
    flat = [v for c in corners for v in c]
    location, _scale = camera.camera_fit_coords(depsgraph, flat)
    # Back off a little so the silhouette does not touch the border.
    camera.location = Vector(location) + direction * 0.1 * max((c - centre).length for c in corners)


def render_scene_to_png(scene: bpy.types.Scene, path: str | Path, *, resolution: int = 512) -> Path:
    """Render the scene to a square PNG (Workbench), for Meshy's image inputs.

    Uses the scene camera; without one, a temporary camera frames the
    selection (or everything visible). Every render setting touched is put
    back afterwards and the temporary camera is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    render = scene.render
    settings = render.image_settings
    temp_camera = None
    pairs: list[tuple[Any, str]] = [
        (render, "engine"), (render, "resolution_x"), (render, "resolution_y"),
        (render, "resolution_percentage"), (render, "pixel_aspect_x"), (render, "pixel_aspect_y"),
        (render, "use_border"), (render, "film_transparent"), (scene, "camera"),
    ]
    pairs += [(settings, "file_format"), (settings, "color_mode"), (settings, "color_depth"),
              (settings, "compression")]
    if hasattr(settings, "media_type"):  # 5.0+: restored first (pairs are restored in reverse), then the format
        pairs.append((settings, "media_type"))
    with _saved_attrs(*pairs):
        try:
            view_layer = bpy.context.view_layer if bpy.context.scene == scene else scene.view_layers[0]
            if scene.camera is None:
                data = bpy.data.cameras.new("meshy_render_camera")
                temp_camera = bpy.data.objects.new("meshy_render_camera", data)
                scene.collection.objects.link(temp_camera)
                scene.camera = temp_camera
                depsgraph = bpy.context.evaluated_depsgraph_get() if bpy.context.scene == scene \
                    else scene.view_layers[0].depsgraph
                _frame_camera(temp_camera, _framing_targets(scene, view_layer), depsgraph)
            render.engine = "BLENDER_WORKBENCH"
            render.resolution_x = render.resolution_y = int(resolution)
            render.resolution_percentage = 100
            render.pixel_aspect_x = render.pixel_aspect_y = 1.0
            render.use_border = False
            render.film_transparent = False
            if hasattr(settings, "media_type"):
                settings.media_type = "IMAGE"
            settings.file_format = "PNG"
            settings.color_mode = "RGB"
            settings.color_depth = "8"
            settings.compression = 15
            result = bpy.ops.render.render(write_still=False, scene=scene.name)
            if "FINISHED" not in result:
                raise SceneIOError("Blender could not render the scene")
            bpy.data.images["Render Result"].save_render(filepath=str(path), scene=scene)
        finally:
            if temp_camera is not None:
                data = temp_camera.data
                bpy.data.objects.remove(temp_camera, do_unlink=True)
                bpy.data.cameras.remove(data)
                bpy.context.view_layer.update()  # resync: the removed camera would linger as None
    if not path.is_file():
        raise SceneIOError(f"The render could not be saved to {path}")
    return path


def image_to_png(image: bpy.types.Image, path: str | Path) -> Path:
    """Write a Blender image (file, packed, generated or painted) to a PNG file for upload.

    The image itself is not changed: a temporary copy is saved, so its file
    path, format and packed data stay as they were.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if image.type in {"RENDER_RESULT", "COMPOSITING"}:
        image.save_render(filepath=str(path), scene=bpy.context.scene)
        return path
    width, height = image.size
    if not image.has_data or width == 0 or height == 0:
        raise SceneIOError(f"The image {image.name} has no pixels (is its file missing?)")
    # A fresh image holding the pixels, never the user's own datablock.
    # Byte pixels travel as stored (8-bit PNG); float pixels are scene-linear and Blender
    # writes them as a 16-bit PNG encoded for the image's colour space.
    copy = bpy.data.images.new("meshy_upload_tmp", width, height, alpha=True, float_buffer=image.is_float)
    try:
        copy.colorspace_settings.name = image.colorspace_settings.name
        copy.pixels.foreach_set(_rgba_pixels(image, width * height))
        copy.filepath_raw = str(path)
        copy.file_format = "PNG"
        copy.save()
    finally:
        bpy.data.images.remove(copy)
    if not path.is_file():
        raise SceneIOError(f"The image {image.name} could not be saved to {path}")
    return path


def _rgba_pixels(image: bpy.types.Image, count: int) -> array:
    """The image's pixels as flat RGBA floats (Blender's buffers are RGBA for almost every image).

    Plain ``array``, not numpy: some Blender builds (Debian's) ship without numpy.
    """
    channels = image.channels
    raw = array("f", bytes(4 * count * channels))
    image.pixels.foreach_get(raw)
    if channels == 4:
        return raw
    rgba = array("f", [1.0]) * (count * 4)
    for c in range(3):  # grey (1-2 channels) repeats its first channel; RGB copies its own
        rgba[c::4] = raw[min(c, channels - 1) if channels >= 3 else 0::channels]
    return rgba


def load_images(paths: Iterable[str | Path], *, pack: bool) -> list[bpy.types.Image]:
    """Load image files as Blender images (reusing ones already loaded), packed into the .blend if asked."""
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SceneIOError(f"The image file {missing[0]} does not exist")
    images: list[bpy.types.Image] = []
    before = {i.as_pointer() for i in bpy.data.images}
    try:
        for p in paths:
            image = _load_image(p)
            if pack and image.packed_file is None:
                image.pack()
            images.append(image)
    except BaseException:
        for image in images:
            if image.as_pointer() not in before:
                bpy.data.images.remove(image)
        raise
    return images
