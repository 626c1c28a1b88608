"""scene/ (export, import, materials, placement, records, images) in real Blender (bpy, 4.2 LTS and 5.x).

Run with each interpreter:
    .venv/bin/python -m pytest tests/blender/test_scene_io.py -q
    .venv-bpy42/bin/python -m pytest tests/blender/test_scene_io.py -q
"""

from __future__ import annotations

import importlib
import json
import math
import struct
import sys
from pathlib import Path

import pytest

bpy = pytest.importorskip("bpy")
import bmesh  # noqa: E402
import numpy as np  # noqa: E402
from mathutils import Matrix, Vector  # noqa: E402


def _load_scene_io():
    """scene/ as Blender loads it for users: inside the enabled extension package."""
    import tempfile

    from addon_env import ADDON, enable_addon

    if ADDON not in sys.modules:
        enable_addon(tempfile.mkdtemp(prefix="meshy-scene-io-"))
    return importlib.import_module(f"{ADDON}.scene")


sio = _load_scene_io()


@pytest.fixture(autouse=True)
def fresh_scene():
    bpy.ops.wm.read_homefile(use_empty=True)  # keeps the add-on enabled
    try:
        bpy.ops.import_scene.gltf.get_rna_type()
    except KeyError:
        import addon_utils

        addon_utils.enable("io_scene_gltf2", default_set=True)
    yield


# --------------------------------------------------------------------------- helpers


def add_monkey(name="Chair", location=(0, 0, 0), rotation=(0, 0, 0), scale=(1, 1, 1)):
    bpy.ops.mesh.primitive_monkey_add(location=location, rotation=rotation)
    obj = bpy.context.active_object
    obj.name = name
    obj.scale = scale
    return obj


def add_empty_mesh(name="Empty"):
    obj = bpy.data.objects.new(name, bpy.data.meshes.new(name))
    bpy.context.scene.collection.objects.link(obj)
    return obj


def read_glb(path: Path) -> tuple[dict, bytes]:
    data = path.read_bytes()
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    assert magic == b"glTF" and version == 2 and length == len(data)
    json_len, json_type = struct.unpack_from("<I4s", data, 12)
    assert json_type == b"JSON"
    doc = json.loads(data[20:20 + json_len])
    rest = data[20 + json_len:]
    binary = b""
    if rest:
        bin_len, bin_type = struct.unpack_from("<I4s", rest, 0)
        assert bin_type == b"BIN\x00"
        binary = rest[8:8 + bin_len]
    return doc, binary


def glb_positions(path: Path) -> np.ndarray:
    """All POSITION data of the GLB's meshes, converted back from glTF Y-up to Blender Z-up."""
    doc, binary = read_glb(path)
    out = []
    for mesh in doc["meshes"]:
        for prim in mesh["primitives"]:
            acc = doc["accessors"][prim["attributes"]["POSITION"]]
            view = doc["bufferViews"][acc["bufferView"]]
            start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
            arr = np.frombuffer(binary, dtype="<f4", count=acc["count"] * 3, offset=start).reshape(-1, 3)
            out.append(arr)
    yup = np.concatenate(out)
    return np.stack([yup[:, 0], -yup[:, 2], yup[:, 1]], axis=1)


def local_positions(obj) -> np.ndarray:
    eval_obj = obj.evaluated_get(bpy.context.evaluated_depsgraph_get())
    mesh = eval_obj.to_mesh()
    co = np.empty(len(mesh.vertices) * 3, dtype=np.float32)
    mesh.vertices.foreach_get("co", co)
    eval_obj.to_mesh_clear()
    return co.reshape(-1, 3)


def unique_rows(co: np.ndarray) -> np.ndarray:
    return np.unique(np.round(co, 4) + 0.0, axis=0)


def matrices_close(a: Matrix, b: Matrix, tol=1e-5) -> bool:
    return all(abs(a[i][j] - b[i][j]) < tol for i in range(4) for j in range(4))


def write_png(path: Path, rgba) -> Path:
    """A real 8x8 PNG of one colour, written by Blender itself."""
    image = bpy.data.images.new("png_writer", 8, 8, alpha=True)
    image.pixels.foreach_set(np.tile(np.asarray(rgba, dtype=np.float32), 64))
    image.filepath_raw = str(path)
    image.file_format = "PNG"
    image.save()
    bpy.data.images.remove(image)
    return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def read_png_pixels(path: Path) -> np.ndarray:
    image = bpy.data.images.load(str(path))
    px = np.empty(image.size[0] * image.size[1] * image.channels, dtype=np.float32)
    image.pixels.foreach_get(px)
    channels = image.channels
    bpy.data.images.remove(image)
    return px.reshape(-1, channels)


def state():
    vl = bpy.context.view_layer
    return ({o.name for o in vl.objects if o.select_get()}, vl.objects.active.name if vl.objects.active else None)


def datablock_counts():
    return {a: len(getattr(bpy.data, a)) for a in ("objects", "meshes", "collections", "materials", "images")}


# --------------------------------------------------------------------------- export


def test_export_is_local_space_evaluated_and_leaves_scene_alone(tmp_path):
    src = add_monkey(location=(3, -2, 1), rotation=(0.3, 0.5, 1.1), scale=(2, 2, 2))
    src.modifiers.new("Subsurf", "SUBSURF").levels = 1
    other = add_monkey("Other", location=(-4, 0, 0))
    cam = bpy.data.objects.new("Cam", bpy.data.cameras.new("Cam"))
    light = bpy.data.objects.new("Lamp", bpy.data.lights.new("Lamp", "POINT"))
    for obj in (cam, light):
        bpy.context.scene.collection.objects.link(obj)
        obj.select_set(True)
    src.select_set(True)
    other.select_set(True)
    bpy.context.view_layer.objects.active = other
    before_state, before_matrix, before_counts = state(), src.matrix_world.copy(), datablock_counts()

    path = sio.export_objects_glb([src], tmp_path / "chair.glb")

    assert path == tmp_path / "chair.glb"
    doc, _ = read_glb(path)
    assert len(doc["meshes"]) == 1 and "cameras" not in doc
    assert "KHR_lights_punctual" not in doc.get("extensionsUsed", [])
    node = doc["nodes"][doc["scenes"][0]["nodes"][0]]
    assert not any(k in node for k in ("matrix", "translation", "rotation", "scale"))  # identity: local space
    exported = glb_positions(path)
    local = local_positions(src)
    assert len(local) > 2000  # the subdivided mesh, not the 507-vertex base mesh
    np.testing.assert_allclose(exported.min(axis=0), local.min(axis=0), atol=1e-5)
    np.testing.assert_allclose(exported.max(axis=0), local.max(axis=0), atol=1e-5)
    # Nothing of the user's changed and nothing was left behind.
    assert state() == before_state
    assert matrices_close(src.matrix_world, before_matrix)
    assert datablock_counts() == before_counts
    assert [m.name for m in src.modifiers] == ["Subsurf"]

    objs = sio.import_glb(path)
    assert len(objs) == 1
    assert sio.triangle_count(objs) == sio.triangle_count([src])
    assert matrices_close(objs[0].matrix_world, Matrix.Identity(4))
    np.testing.assert_allclose(unique_rows(local_positions(objs[0])), unique_rows(local), atol=1e-5)


def test_export_keeps_object_linked_materials(tmp_path):
    src = add_monkey()
    mesh_mat, obj_mat = bpy.data.materials.new("MeshMat"), bpy.data.materials.new("Painted")
    src.data.materials.append(mesh_mat)
    src.material_slots[0].link = "OBJECT"
    src.material_slots[0].material = obj_mat

    doc, _ = read_glb(sio.export_objects_glb([src], tmp_path / "slots.glb"))

    assert [m["name"] for m in doc["materials"]] == ["Painted"]
    assert list(src.data.materials) == [mesh_mat] and src.material_slots[0].material == obj_mat
    bpy.context.view_layer.update()  # no dangling depsgraph copies left in real data


def test_export_from_edit_mode_restores_mode_and_includes_edits(tmp_path):
    src = add_monkey()
    bpy.ops.object.mode_set(mode="EDIT")
    bm = bmesh.from_edit_mesh(src.data)
    bm.verts.ensure_lookup_table()
    bm.verts[0].co = Vector((0, 0, 9))
    bmesh.update_edit_mesh(src.data)

    path = sio.export_objects_glb([src], tmp_path / "edit.glb")

    assert src.mode == "EDIT"
    assert bpy.context.view_layer.objects.active == src
    assert glb_positions(path)[:, 2].max() == pytest.approx(9.0)


def test_export_refuses_empty_and_non_mesh_objects(tmp_path):
    empty = add_empty_mesh()
    cam = bpy.data.objects.new("Cam", bpy.data.cameras.new("Cam"))
    bpy.context.scene.collection.objects.link(cam)
    counts = datablock_counts()
    with pytest.raises(ValueError, match="Empty has no faces"):
        sio.export_objects_glb([empty], tmp_path / "a.glb")
    with pytest.raises(ValueError, match="Cam is a Camera object, not a mesh"):
        sio.export_objects_glb([cam], tmp_path / "b.glb")
    with pytest.raises(ValueError, match="at least one mesh"):
        sio.export_objects_glb([], tmp_path / "c.glb")
    assert not list(tmp_path.iterdir())
    assert datablock_counts() == counts


# --------------------------------------------------------------------------- import and placement


def test_import_place_like_hide_and_replace(tmp_path):
    parent = bpy.data.objects.new("Rig", None)
    props = bpy.data.collections.new("Props")
    bpy.context.scene.collection.children.link(props)
    props.objects.link(parent)
    src = add_monkey(location=(1, 2, 3), rotation=(0.2, 0.0, 0.7), scale=(1.5, 1.5, 1.5))
    for coll in list(src.users_collection):
        coll.objects.unlink(src)
    props.objects.link(src)
    parent.location = (5, 0, 0)
    parent.rotation_euler = (0, 0, math.pi / 2)
    bpy.context.view_layer.update()
    world = src.matrix_world.copy()
    src.parent = parent
    src.matrix_world = world  # keep its place under the parent
    child = bpy.data.objects.new("Tag", None)
    props.objects.link(child)
    child.parent = src
    child.location = (0, 0, 2)
    bpy.context.view_layer.update()
    child_world = child.matrix_world.copy()
    world = src.matrix_world.copy()

    path = sio.export_objects_glb([src], tmp_path / "chair.glb")
    objs = sio.import_glb(path, name="Chair_remesh", collection=props)
    assert [o.name for o in objs] == ["Chair_remesh"]
    assert list(objs[0].users_collection) == [props]

    sio.place_like(objs, src)
    new = objs[0]
    assert new.parent == parent
    assert matrices_close(new.matrix_world, world)
    assert list(new.users_collection) == list(src.users_collection)
    # Same vertices in world space as the source.
    src_world = unique_rows(np.array([world @ Vector(v) for v in local_positions(src)]))
    new_world = unique_rows(np.array([new.matrix_world @ Vector(v) for v in local_positions(new)]))
    np.testing.assert_allclose(new_world, src_world, atol=1e-3)

    sio.hide_original(src)
    assert src.hide_get() and src.hide_render

    sio.replace_original(src, objs)
    assert "Chair" not in bpy.data.objects
    bpy.context.view_layer.update()
    assert child.parent == new
    assert matrices_close(child.matrix_world, child_world)


def test_import_failure_removes_everything_and_says_why(tmp_path):
    bad = tmp_path / "broken.glb"
    bad.write_bytes(b"glTF\x02\x00\x00\x00garbage")
    add_monkey()
    counts, before_state = datablock_counts(), state()
    with pytest.raises(Exception, match="broken.glb"):
        sio.import_glb(bad, name="X")
    assert datablock_counts() == counts
    assert state() == before_state
    with pytest.raises(ValueError, match="does not exist"):
        sio.import_glb(tmp_path / "missing.glb")


def test_a_result_that_fails_half_way_is_rolled_back_whole(tmp_path):
    """The model came in, its texture did not: one rollback removes the model, its mesh and material too."""
    src = add_monkey()
    path = sio.export_objects_glb([src], tmp_path / "model.glb")
    src.select_set(True)
    counts, before_state = datablock_counts(), state()
    files = {"model": str(path), "base_color": str(tmp_path / "gone.png")}
    with pytest.raises(ValueError, match="gone.png"):
        sio.import_result("retexture", files, {"label": "Chair", "source": src.name}, "t1")
    assert datablock_counts() == counts and state() == before_state
    assert not src.hide_get()
    assert "meshes" in sio.DATABLOCKS and "shape_keys" not in sio.DATABLOCKS  # one list, also for clear_scene
    sio.clear_scene()
    assert not bpy.data.objects and not bpy.data.meshes


# --------------------------------------------------------------------------- materials


def _links(material):
    return {(link.from_node.bl_idname, link.from_node.name, link.from_socket.name, link.to_node.bl_idname,
             link.to_socket.name) for link in material.node_tree.links}


def test_pbr_material_wiring_colour_spaces_and_export(tmp_path):
    maps = {
        "base_color": write_png(tmp_path / "base.png", (0.8, 0.2, 0.1, 1.0)),
        "metallic": write_png(tmp_path / "metal.png", (1, 1, 1, 1)),
        "roughness": write_png(tmp_path / "rough.png", (0.5, 0.5, 0.5, 1)),
        "normal": write_png(tmp_path / "normal.png", (0.5, 0.5, 1.0, 1)),
        "emission": write_png(tmp_path / "emit.png", (0, 0, 0, 1)),
    }
    mat = sio.build_pbr_material("Chair_retexture", maps)
    links = _links(mat)
    tex = "ShaderNodeTexImage"
    bsdf = "ShaderNodeBsdfPrincipled"
    assert (tex, "Base Color", "Color", bsdf, "Base Color") in links
    assert (tex, "Metallic", "Color", bsdf, "Metallic") in links
    assert (tex, "Roughness", "Color", bsdf, "Roughness") in links
    assert (tex, "Emission", "Color", bsdf, "Emission Color") in links
    assert (tex, "Normal", "Color", "ShaderNodeNormalMap", "Color") in links
    assert ("ShaderNodeNormalMap", "Normal Map", "Normal", bsdf, "Normal") in links
    assert (bsdf, "Principled BSDF", "BSDF", "ShaderNodeOutputMaterial", "Surface") in links
    nodes = mat.node_tree.nodes
    spaces = {n.name: n.image.colorspace_settings.name for n in nodes if n.bl_idname == tex}
    assert spaces == {"Base Color": "sRGB", "Metallic": "Non-Color", "Roughness": "Non-Color",
                      "Normal": "Non-Color", "Emission": "sRGB"}
    assert nodes["Principled BSDF"].inputs["Emission Strength"].default_value == 1.0

    # check_existing: a second material reuses the loaded images.
    n_images = len(bpy.data.images)
    only = sio.build_pbr_material("Only", {"base_color": maps["base_color"], "roughness": maps["roughness"]})
    assert len(bpy.data.images) == n_images
    assert len([n for n in only.node_tree.nodes if n.bl_idname == tex]) == 2
    assert not only.node_tree.nodes["Principled BSDF"].inputs["Metallic"].is_linked

    src = add_monkey()
    src.data.materials.append(bpy.data.materials.new("A"))
    src.data.materials.append(bpy.data.materials.new("B"))
    src.data.polygons[0].material_index = 1
    sio.apply_material([src], mat)
    assert [s.material for s in src.material_slots] == [mat]
    assert max(p.material_index for p in src.data.polygons) == 0

    doc, _ = read_glb(sio.export_objects_glb([src], tmp_path / "textured.glb"))
    assert len(doc["images"]) >= 4 and doc["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"]


def test_pbr_material_refuses_unknown_maps_and_missing_files(tmp_path):
    n = len(bpy.data.materials)
    with pytest.raises(ValueError, match="Unknown texture map albedo"):
        sio.build_pbr_material("X", {"albedo": tmp_path / "a.png"})
    with pytest.raises(ValueError, match="does not exist"):
        sio.build_pbr_material("X", {"base_color": tmp_path / "missing.png"})
    assert len(bpy.data.materials) == n


# --------------------------------------------------------------------------- task records


def test_fingerprint_and_task_source():
    obj = add_monkey()
    sio.record_task(obj, "remesh", "task-123", {"target_polycount": 3000, "topology": "quad"})
    assert obj["meshy_task_id"] == "task-123" and obj["meshy_kind"] == "remesh"
    assert json.loads(obj["meshy_settings"]) == {"target_polycount": 3000, "topology": "quad"}
    assert sio.task_source(obj) == ("remesh", "task-123")
    first = sio.mesh_fingerprint(obj)
    assert first == sio.mesh_fingerprint(obj)  # stable

    obj.location = (4, 5, 6)
    obj.rotation_euler = (1, 2, 3)
    bpy.context.view_layer.update()
    assert sio.mesh_fingerprint(obj) == first
    assert sio.task_source(obj) == ("remesh", "task-123")

    obj.data.vertices[0].co.x += 0.01
    obj.data.update()
    assert sio.mesh_fingerprint(obj) != first
    assert sio.task_source(obj) is None

    plain = add_monkey("Plain")
    assert sio.task_source(plain) is None
    assert sio.triangle_count([plain]) == 968  # Suzanne: 500 faces, 468 of them quads
    plain.modifiers.new("Subsurf", "SUBSURF").levels = 1
    assert sio.mesh_fingerprint(plain) != first  # modifiers count: it is what an export would send


# --------------------------------------------------------------------------- images


def test_render_without_camera_frames_the_selection(tmp_path):
    add_monkey()
    scene = bpy.context.scene
    engine, counts = scene.render.engine, datablock_counts()
    out = sio.render_scene_to_png(scene, tmp_path / "render.png", resolution=64)
    assert png_size(out) == (64, 64)
    px = read_png_pixels(out)
    assert px[:, :3].std() > 0.05  # the monkey is in the picture, not a flat colour
    assert scene.camera is None and scene.render.engine == engine
    assert "meshy_render_camera" not in bpy.data.objects
    assert {k: v for k, v in datablock_counts().items() if k != "images"} == {
        k: v for k, v in counts.items() if k != "images"}  # only "Render Result" may be new


def test_image_to_png_and_load_images(tmp_path):
    generated = bpy.data.images.new("Painted", 16, 8, alpha=True)
    generated.pixels.foreach_set(np.tile(np.array([1.0, 0.5, 0.0, 1.0], dtype=np.float32), 16 * 8))
    out = sio.image_to_png(generated, tmp_path / "painted.png")
    assert png_size(out) == (16, 8)
    np.testing.assert_allclose(read_png_pixels(out)[0, :3], [1.0, 0.5, 0.0], atol=1 / 255)
    assert generated.filepath_raw == "" and generated.is_dirty  # the user's image is untouched

    floaty = bpy.data.images.new("HDR", 4, 4, alpha=True, float_buffer=True)
    floaty.pixels.foreach_set(np.tile(np.array([0.214, 0.214, 0.214, 1.0], dtype=np.float32), 16))
    hdr = sio.image_to_png(floaty, tmp_path / "hdr.png")
    assert hdr.read_bytes()[24] == 16  # a 16-bit PNG, sRGB-encoded: linear 0.214 is stored as 0.5
    np.testing.assert_allclose(read_png_pixels(hdr)[0, :3], [0.214] * 3, atol=2 / 255)  # read back to linear

    files = [write_png(tmp_path / f"view{i}.png", (i / 3, 0.2, 0.3, 1)) for i in range(3)]
    images = sio.load_images(files, pack=True)
    assert len(images) == 3 and all(i.packed_file is not None for i in images)
    assert sio.load_images(files[:1], pack=False)[0] == images[0]  # check_existing
    for f in files:
        f.unlink()
    again = read_png_pixels(sio.image_to_png(images[2], tmp_path / "from_packed.png"))
    np.testing.assert_allclose(again[0, :3], [2 / 3, 0.2, 0.3], atol=1 / 255)
    with pytest.raises(ValueError, match="does not exist"):
        sio.load_images([tmp_path / "nope.png"], pack=False)


def test_import_without_the_files_own_materials(tmp_path):
    """With PBR maps the add-on builds the material: the file's own is never made."""
    src = add_monkey()
    material = bpy.data.materials.new("Painted")
    src.data.materials.append(material)
    path = sio.export_objects_glb([src], tmp_path / "painted.glb")
    glb = importlib.import_module(sio.__name__.rsplit(".", 1)[0] + ".core.glb")
    assert glb.write_bare_copy(path) and glb.bare_copy_path(path).is_file()  # a Blender-made GLB too
    materials_before = set(bpy.data.materials)
    objects = sio.import_glb(path, name="Bare", materials=False)
    assert sio.triangle_count(objects) == sio.triangle_count([src])
    assert set(bpy.data.materials) == materials_before
    assert all(not o.material_slots or o.material_slots[0].material is None for o in objects)
    with_material = sio.import_glb(path, name="Full")
    assert with_material[0].active_material is not None
