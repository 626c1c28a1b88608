"""The four operators end to end in real Blender against the emulator.

Each test runs the operator the way a script does (``bpy.ops.meshy.*``; in
background Blender the call blocks until the result is in the scene) and then
asserts on the scene: objects, triangles, materials, placement, properties.
"""

from __future__ import annotations

import json

import bpy
import pytest
from mathutils import Matrix

from conftest import ADDON

pytestmark = pytest.mark.usefixtures("meshy")


def make_source(name: str = "Chair", segments: int = 48) -> bpy.types.Object:
    bpy.ops.mesh.primitive_uv_sphere_add(segments=segments, ring_count=segments // 2)
    obj = bpy.context.object
    obj.name = name
    obj.matrix_world = Matrix.LocRotScale((1.0, 2.0, 3.0), None, (1.5, 1.5, 1.5)) @ Matrix.Rotation(0.5, 4, "Z")
    return obj


def write_png(path, size=(64, 48), colour=(200, 80, 40)) -> str:
    from PIL import Image

    Image.new("RGB", size, colour).save(path)
    return str(path)


def triangles(obj: bpy.types.Object) -> int:
    return sum(len(p.vertices) - 2 for p in obj.data.polygons)


def result_objects(kind_suffix: str) -> list[bpy.types.Object]:
    return [o for o in bpy.data.objects if o.name.endswith(kind_suffix) or f"{kind_suffix}." in o.name]


def create_posts(emu) -> list[dict]:
    return [r for r in emu.log if r["method"] == "POST" and r["path"].startswith("/openapi/")]


def test_remesh_places_result_on_source_and_records_task(meshy, emu):
    source = make_source()
    before_world = source.matrix_world.copy()

    assert bpy.ops.meshy.remesh(target_polycount=400) == {"FINISHED"}

    results = result_objects("_remesh")
    assert len(results) == 1 and len(bpy.data.objects) == 2
    result = results[0]
    assert abs(triangles(result) - 400) <= 80, triangles(result)
    for a, b in zip(result.matrix_world, before_world, strict=True):
        assert tuple(a) == pytest.approx(tuple(b), abs=1e-5)
    assert result.users_collection[0] == source.users_collection[0]
    assert source.hide_get() and source.hide_render  # kept, hidden
    assert result["meshy_kind"] == "remesh" and result["meshy_task_id"]
    assert json.loads(result["meshy_settings"])["target_polycount"] == 400
    assert emu.create_count("remesh") == 1


def test_remesh_sends_only_what_was_set(meshy, emu):
    make_source()
    bpy.ops.meshy.remesh(topology="QUAD")
    entry = next(iter(meshy.tasks.values()))
    # model_url is the upload, not a setting; a quad remesh also asks for the OBJ it is imported from
    assert entry.meta["settings"] == {"topology": "quad", "target_formats": ["glb", "obj"]}


def test_remesh_replace_original(meshy):
    source = make_source()
    name = source.name
    bpy.ops.meshy.remesh(target_polycount=300, keep_original=False)
    assert name not in bpy.data.objects and len(result_objects("_remesh")) == 1


def test_replace_original_by_preference(meshy):
    make_source()
    bpy.context.preferences.addons[ADDON].preferences.keep_original = False
    bpy.ops.meshy.remesh(target_polycount=300)
    assert "Chair" not in bpy.data.objects and len(result_objects("_remesh")) == 1


def test_one_task_per_selected_object(meshy, emu):
    a = make_source("A", 16)
    b = make_source("B", 16)
    a.select_set(True)
    b.select_set(True)
    bpy.ops.meshy.remesh(target_polycount=200)
    assert emu.create_count("remesh") == 2
    assert {o.name for o in result_objects("_remesh")} == {"A_remesh", "B_remesh"}


def test_retexture_builds_pbr_material(meshy, emu):
    source = make_source()
    source_tris = triangles(source)
    assert bpy.ops.meshy.retexture(text_style_prompt="rusty painted metal", enable_pbr=True) == {"FINISHED"}
    result = result_objects("_retexture")[0]
    assert triangles(result) == pytest.approx(source_tris, rel=0.02)
    material = result.active_material
    nodes = material.node_tree.nodes
    bsdf = next(n for n in nodes if n.type == "BSDF_PRINCIPLED")

    def image_into(socket_name: str) -> bpy.types.Image:
        link = bsdf.inputs[socket_name].links[0]
        node = link.from_node
        if node.type == "NORMAL_MAP":
            node = node.inputs["Color"].links[0].from_node
        return node.image

    assert image_into("Base Color").colorspace_settings.name == "sRGB"
    assert image_into("Metallic").colorspace_settings.name == "Non-Color"
    assert image_into("Roughness").colorspace_settings.name == "Non-Color"
    assert bsdf.inputs["Normal"].links[0].from_node.type == "NORMAL_MAP"
    assert image_into("Normal").colorspace_settings.name == "Non-Color"
    assert image_into("Emission Color").colorspace_settings.name == "sRGB"
    assert len(result.material_slots) == 1


def test_image_to_3d_from_file(meshy, emu, tmp_path):
    path = write_png(tmp_path / "robot.png")
    cursor = bpy.context.scene.cursor
    cursor.location = (0.0, 0.0, 1.0)
    assert bpy.ops.meshy.image_to_3d(image_path=path, enable_pbr=True) == {"FINISHED"}
    results = result_objects("_3d")
    assert len(results) == 1 and results[0].name.startswith("robot")
    assert tuple(results[0].location) == pytest.approx((0.0, 0.0, 1.0))
    assert results[0].active_material is not None
    assert triangles(results[0]) > 100


def test_image_to_image_makes_blender_images(meshy, emu, tmp_path):
    path = write_png(tmp_path / "ref.png")
    assert bpy.ops.meshy.image_to_image(prompt="make it blue", reference_image_paths=[{"name": path}],
                                        generate_multi_view=True) == {"FINISHED"}
    images = [i for i in bpy.data.images if i.get("meshy_kind") == "image-to-image"]
    assert len(images) == 3
    assert len({i["meshy_task_id"] for i in images}) == 1
    assert sorted(i["meshy_view_index"] for i in images) == [0, 1, 2]
    assert all(i.size[0] > 0 and not i.packed_file for i in images)


def test_chain_image_to_image_to_3d_to_remesh_to_retexture_uploads_once(meshy, emu, tmp_path):
    path = write_png(tmp_path / "ref.png")
    bpy.ops.meshy.image_to_image(prompt="a toy robot", reference_image_paths=[{"name": path}])
    image = next(i for i in bpy.data.images if i.get("meshy_kind") == "image-to-image")
    bpy.ops.meshy.image_to_3d(image_name=image.name)
    model = result_objects("_3d")[0]
    bpy.ops.object.select_all(action="DESELECT")
    model.select_set(True)
    bpy.ops.meshy.remesh(topology="QUAD", target_polycount=500)
    remeshed = result_objects("_remesh")[0]
    bpy.ops.object.select_all(action="DESELECT")
    remeshed.select_set(True)
    bpy.ops.meshy.retexture(text_style_prompt="painted wood", enable_pbr=True)
    assert result_objects("_retexture")

    posts = create_posts(emu)
    assert [p["path"].rsplit("/", 1)[1] for p in posts] == ["image-to-image", "image-to-3d", "remesh", "retexture"]
    assert all(p["body_size"] < 1000 for p in posts[1:]), [p["body_size"] for p in posts]  # ids, no uploads


def test_edited_mesh_is_uploaded_again(meshy, emu):
    make_source()
    bpy.ops.meshy.remesh(target_polycount=300)
    result = result_objects("_remesh")[0]
    result.data.vertices[0].co.x += 0.5
    result.data.update()
    bpy.ops.object.select_all(action="DESELECT")
    result.select_set(True)
    bpy.ops.meshy.retexture(text_style_prompt="stone")
    assert create_posts(emu)[-1]["body_size"] > 5000  # the mesh itself went up


def test_undo_removes_the_import_in_one_step(meshy):
    make_source()
    bpy.ops.ed.undo_push(message="before")
    bpy.ops.meshy.remesh(target_polycount=300)
    assert len(bpy.data.objects) == 2
    bpy.ops.ed.undo()
    assert [o.name for o in bpy.data.objects] == ["Chair"]
    assert not bpy.data.objects["Chair"].hide_get()


def test_import_task_reimports_from_cache_offline(meshy, emu):
    make_source()
    bpy.ops.meshy.remesh(target_polycount=300)
    task_id = result_objects("_remesh")[0]["meshy_task_id"]
    emu.stop()
    bpy.context.preferences.system.use_online_access = False
    try:
        assert bpy.ops.meshy.import_task(task_id=task_id, kind="REMESH") == {"FINISHED"}
    finally:
        bpy.context.preferences.system.use_online_access = True
    assert len(result_objects("_remesh")) == 2


def test_delete_task_on_the_server(meshy, emu):
    make_source()
    bpy.ops.meshy.remesh(target_polycount=300)
    task_id = result_objects("_remesh")[0]["meshy_task_id"]
    assert bpy.ops.meshy.delete_task(task_id=task_id, kind="REMESH") == {"FINISHED"}
    assert not [e for e in meshy.tasks.values() if e.task_id == task_id]
    with pytest.raises(RuntimeError, match="could not find that task"):
        bpy.ops.meshy.delete_task(task_id=task_id, kind="REMESH")


def test_import_task_by_id_of_unknown_kind(meshy, emu):
    make_source()
    bpy.ops.meshy.remesh(target_polycount=300)
    task_id = result_objects("_remesh")[0]["meshy_task_id"]
    downloads = bpy.context.preferences.addons[ADDON].preferences.download_dir
    import shutil

    shutil.rmtree(downloads)  # not cached: fetched again by id, kind looked up
    assert bpy.ops.meshy.import_task(task_id=task_id) == {"FINISHED"}
    assert len(result_objects("_remesh")) == 2
    assert emu.create_count() == 1


def test_results_follow_their_file_not_whatever_is_open(meshy, tmp_path):
    meta = {"file_token": meshy.file_token, "blend": bpy.data.filepath}
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "renamed.blend"))
    assert meshy.belongs_here(meta)  # saving (under a new name) keeps the job's file
    bpy.ops.wm.read_homefile(use_empty=True)
    assert not meshy.belongs_here(meta)  # another file was opened: no result lands in it
    bpy.ops.wm.open_mainfile(filepath=str(tmp_path / "renamed.blend"))
    assert meshy.belongs_here({"blend": str(tmp_path / "renamed.blend"), "file_token": "old session"})


def test_import_task_of_any_kind_brings_images_back_as_images(meshy, emu, tmp_path):
    import shutil

    bpy.ops.meshy.image_to_image(prompt="blue", image_path=write_png(tmp_path / "ref.png"))
    image = next(i for i in bpy.data.images if i.get("meshy_kind") == "image-to-image")
    task_id = image["meshy_task_id"]
    shutil.rmtree(bpy.context.preferences.addons[ADDON].preferences.download_dir)
    assert bpy.ops.meshy.import_task(task_id=task_id) == {"FINISHED"}
    again = [i for i in bpy.data.images if i.get("meshy_task_id") == task_id]
    assert len(again) == 1 and again[0].size[0] > 0  # the same file: reused, not duplicated
    assert any(f"/image-to-image/{task_id}" in r["path"] for r in emu.log)  # fetched again from Meshy
    assert emu.create_count() == 1


def test_image_to_3d_from_a_render_of_the_selection(meshy, emu):
    make_source("Statue", 24)  # no camera in the scene: the selection is framed
    assert bpy.ops.meshy.image_to_3d(use_render=True) == {"FINISHED"}
    assert len(result_objects("_3d")) == 1
    assert create_posts(emu)[-1]["body_size"] > 1000  # a real rendered image went up
    assert bpy.context.scene.camera is None  # the temporary camera is gone


def test_retexture_from_a_style_image(meshy, emu, tmp_path):
    make_source()
    from PIL import Image

    style = tmp_path / "style.webp"  # converted to PNG before upload
    Image.new("RGB", (64, 64), (20, 90, 200)).save(style)
    assert bpy.ops.meshy.retexture(style_image_path=str(style)) == {"FINISHED"}
    task_id = result_objects("_retexture")[0]["meshy_task_id"]
    assert meshy.current_engine.client.get("retexture", task_id).raw.get("image_style_url")
