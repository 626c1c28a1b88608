"""Every bad input: one clear sentence, no task created, the scene unchanged."""

from __future__ import annotations

import bpy
import pytest
from mathutils import Matrix

from conftest import ADDON

pytestmark = pytest.mark.usefixtures("meshy")


def scene_state() -> tuple:
    objects = tuple(
        (o.name, o.type, o.hide_get(), o.hide_render, o.select_get(), tuple(map(tuple, o.matrix_world)))
        for o in bpy.data.objects
    )
    return objects, len(bpy.data.meshes), len(bpy.data.materials), len(bpy.data.images), len(bpy.data.collections)


def chair() -> bpy.types.Object:
    bpy.ops.mesh.primitive_cube_add()
    obj = bpy.context.object
    obj.name = "Chair"
    obj.matrix_world = Matrix.Translation((1, 2, 3))
    return obj


def png(tmp_path, name="ref.png") -> str:
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", (32, 32), (10, 200, 30)).save(path)
    return str(path)


def refuse(emu, call, *words: str) -> str:
    """Run a refused call; check the sentence, that nothing was created and nothing changed."""
    before = scene_state()
    with pytest.raises(RuntimeError) as info:
        call()
    text = str(info.value).removeprefix("Error: ").strip()
    assert "\n" not in text and "Traceback" not in text, text
    assert text.endswith("."), text
    for word in words:
        assert word.lower() in text.lower(), text
    assert scene_state() == before
    assert emu.create_count() == 0
    return text


def test_no_selection(emu):
    chair().select_set(False)
    refuse(emu, lambda: bpy.ops.meshy.remesh(), "select a mesh")


def test_camera_selected(emu):
    bpy.ops.object.camera_add()
    refuse(emu, lambda: bpy.ops.meshy.remesh(), "no mesh", "camera")


def test_empty_mesh(emu):
    mesh = bpy.data.meshes.new("Empty")
    obj = bpy.data.objects.new("Empty", mesh)
    bpy.context.scene.collection.objects.link(obj)
    obj.select_set(True)
    refuse(emu, lambda: bpy.ops.meshy.retexture(text_style_prompt="wood"), "no faces")


def test_missing_image_file(emu, tmp_path):
    refuse(emu, lambda: bpy.ops.meshy.image_to_3d(image_path=str(tmp_path / "nope.png")), "does not exist")


def test_text_file_as_image(emu, tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image at all")
    refuse(emu, lambda: bpy.ops.meshy.image_to_3d(image_path=str(path)), "not an image")


def test_six_reference_images(emu, tmp_path):
    paths = [{"name": png(tmp_path, f"r{i}.png")} for i in range(6)]
    refuse(emu, lambda: bpy.ops.meshy.image_to_image(prompt="x", reference_image_paths=paths), "1 to 5")


def test_prompt_of_601_characters(emu):
    chair()
    refuse(emu, lambda: bpy.ops.meshy.retexture(text_style_prompt="a" * 601), "600")


def test_image_prompt_of_601_characters(emu, tmp_path):
    refuse(emu, lambda: bpy.ops.meshy.image_to_image(prompt="a" * 601, image_path=png(tmp_path)), "600")


def test_polycount_50(emu):
    chair()
    refuse(emu, lambda: bpy.ops.meshy.remesh(target_polycount=50), "target_polycount", "100")


def test_decimation_mode_7(emu):
    chair()
    refuse(emu, lambda: bpy.ops.meshy.remesh(decimation_mode=7), "decimation_mode")


def test_pbr_without_texture(emu, tmp_path):
    refuse(emu, lambda: bpy.ops.meshy.image_to_3d(image_path=png(tmp_path), should_texture=False,
                                                   enable_pbr=True), "enable_pbr")


def test_auto_size_with_resize_height(emu):
    chair()
    refuse(emu, lambda: bpy.ops.meshy.remesh(auto_size=True, resize_height=2.0), "auto_size")


def test_retexture_without_prompt_or_image(emu):
    chair()
    refuse(emu, lambda: bpy.ops.meshy.retexture(), "style prompt")


def test_image_to_image_without_prompt(emu, tmp_path):
    refuse(emu, lambda: bpy.ops.meshy.image_to_image(image_path=png(tmp_path)), "prompt")


def test_image_to_3d_without_image(emu):
    refuse(emu, lambda: bpy.ops.meshy.image_to_3d(), "choose an image")


def test_unknown_blender_image(emu):
    refuse(emu, lambda: bpy.ops.meshy.image_to_3d(image_name="Nope"), "no blender image")


def test_no_key(emu):
    chair()
    bpy.context.preferences.addons[ADDON].preferences.api_key = ""
    refuse(emu, lambda: bpy.ops.meshy.remesh(), "api key", "preferences")


def test_offline(emu):
    chair()
    bpy.context.preferences.system.use_online_access = False
    try:
        refuse(emu, lambda: bpy.ops.meshy.remesh(), "online access")
    finally:
        bpy.context.preferences.system.use_online_access = True
    assert emu.log == []  # not a single request left the machine


def test_wrong_key(emu):
    chair()
    bpy.context.preferences.addons[ADDON].preferences.api_key = "msy_wrong_key_000000000000"
    text = refuse(emu, lambda: bpy.ops.meshy.remesh(), "key", "preferences")
    assert "msy_wrong" not in text


def test_not_enough_credits(emu):
    chair()
    emu.balance = 0
    refuse(emu, lambda: bpy.ops.meshy.remesh(), "credits", "top up")


def test_unknown_input_task(emu):
    refuse(emu, lambda: bpy.ops.meshy.remesh(input_task_id="does-not-exist"), "remesh")


def test_key_never_in_saved_blend(emu, tmp_path):
    from conftest import TEST_KEY

    chair()
    bpy.ops.meshy.remesh(target_polycount=200)
    path = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path), compress=False)
    data = path.read_bytes()
    assert b"Chair_remesh" in data  # the file is readable as bytes: the check means something
    assert TEST_KEY.encode() not in data
