"""Text to 3D end to end in real Blender against the emulator: preview, refine, both as one job.

Each call runs as a script runs it (``bpy.ops.meshy.*`` blocks in background
Blender until the result is in the scene); the asserts are on the scene: the
untextured preview at the 3D cursor, the refine replacing it in place with PBR
maps wired, the ids on the objects, the two linked tasks in the task list, and
what the emulator was sent.
"""

from __future__ import annotations

import json
import sys

import bpy
import pytest
from mathutils import Matrix

from conftest import ADDON

pytestmark = pytest.mark.usefixtures("meshy")

PROMPT = "a small red mushroom"


def posts(emu, path_end: str = "text-to-3d") -> list[dict]:
    return [r for r in emu.log if r["method"] == "POST" and r["path"].endswith(path_end)]


def kind_objects() -> list[bpy.types.Object]:
    return [o for o in bpy.data.objects if o.get("meshy_kind") == "text-to-3d"]


def material_images(obj: bpy.types.Object) -> dict[str, bpy.types.Image]:
    bsdf = next(n for n in obj.active_material.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    out = {}
    for socket in ("Base Color", "Metallic", "Roughness"):
        if bsdf.inputs[socket].links:
            out[socket] = bsdf.inputs[socket].links[0].from_node.image
    return out


def test_preview_lands_untextured_at_the_cursor(meshy, emu):
    bpy.context.scene.cursor.location = (1.0, -2.0, 0.5)
    assert bpy.ops.meshy.text_to_3d(prompt=PROMPT, target_polycount=3000) == {"FINISHED"}
    (obj,) = kind_objects()
    assert obj.name.startswith("Small Red Mushroom_preview")
    assert tuple(obj.location) == pytest.approx((1.0, -2.0, 0.5))
    assert obj["meshy_stage"] == "preview" and obj["meshy_task_id"]
    assert json.loads(obj["meshy_settings"])["mode"] == "preview"
    assert len(obj.data.polygons) > 100
    nodes = obj.active_material.node_tree.nodes if obj.active_material else []
    assert not [n for n in nodes if n.type == "TEX_IMAGE"]  # untextured
    (post,) = posts(emu)
    assert post["path"] == "/openapi/v2/text-to-3d"


def test_refine_the_selected_preview_replaces_it_in_place(meshy, emu, tmp_path):
    bpy.ops.meshy.text_to_3d(prompt=PROMPT)
    (preview,) = kind_objects()
    preview_id = preview["meshy_task_id"]
    preview.matrix_world = Matrix.LocRotScale((3.0, 1.0, 0.0), None, (2.0, 2.0, 2.0)) @ Matrix.Rotation(0.7, 4, "Z")
    placed = preview.matrix_world.copy()
    faces = len(preview.data.polygons)
    bpy.ops.object.select_all(action="DESELECT")
    preview.select_set(True)

    assert bpy.ops.meshy.refine(enable_pbr=True, texture_prompt="glossy red cap, cream stem",
                                remove_lighting=False) == {"FINISHED"}

    (refined,) = kind_objects()  # the preview is gone: replaced, not duplicated
    assert refined["meshy_stage"] == "refine" and refined["meshy_preview_task_id"] == preview_id
    assert refined["meshy_task_id"] != preview_id
    for a, b in zip(refined.matrix_world, placed, strict=True):
        assert tuple(a) == pytest.approx(tuple(b), abs=1e-5)
    assert len(refined.data.polygons) == pytest.approx(faces, rel=0.05)
    images = material_images(refined)
    assert set(images) == {"Base Color", "Metallic", "Roughness"}
    assert images["Base Color"].colorspace_settings.name == "sRGB"
    assert images["Roughness"].colorspace_settings.name == "Non-Color"
    sent = json.loads(refined["meshy_settings"])
    assert sent["mode"] == "refine" and sent["preview_task_id"] == preview_id and sent["enable_pbr"] is True
    assert sent["remove_lighting"] is False and sent["texture_prompt"].startswith("glossy")


def test_refine_true_runs_both_stages_as_one_job_with_two_linked_tasks(meshy, emu, tmp_path):
    texture = tmp_path / "style.png"
    from PIL import Image

    Image.new("RGB", (32, 32), (30, 160, 40)).save(texture)
    assert bpy.ops.meshy.text_to_3d(prompt=PROMPT, refine=True, enable_pbr=True, hd_texture=True,
                                    texture_image_path=str(texture)) == {"FINISHED"}
    (obj,) = kind_objects()
    assert obj["meshy_stage"] == "refine"
    assert set(material_images(obj)) == {"Base Color", "Metallic", "Roughness"}
    preview_post, refine_post = posts(emu)
    assert refine_post["body_size"] > 200  # the texture image went with the refine, not the preview
    assert preview_post["body_size"] < 1000
    entries = sorted(meshy.tasks.values(), key=lambda e: e.started)
    assert [e.kind for e in entries] == ["text-to-3d", "text-to-3d"]
    preview, refine = entries
    assert refine.job_id == preview.job_id + "-refine"
    assert refine.meta["preview_task_id"] == preview.task_id == obj["meshy_preview_task_id"]
    assert refine.meta["settings"]["hd_texture"] is True and "enable_pbr" not in preview.meta["settings"]
    rows = sys.modules[f"{ADDON}.core.views.tasks"].task_rows(meshy.tasks, {}, meshy.settings().download_dir)
    by_id = {r.task_id: r for r in rows}
    assert by_id[refine.task_id].link == f"Refines preview {preview.task_id[:8]}"
    assert by_id[refine.task_id].kind_title == "Text to 3D · Refine"
    assert by_id[preview.task_id].kind_title == "Text to 3D · Preview"
    assert not by_id[preview.task_id].can_refine  # refined already by its own job


def test_refine_by_task_id_and_reimport_offline_replaces_instead_of_duplicating(meshy, emu):
    bpy.ops.meshy.text_to_3d(prompt="a wooden chair")
    (preview,) = kind_objects()
    preview_id = preview["meshy_task_id"]
    bpy.ops.object.select_all(action="DESELECT")
    assert bpy.ops.meshy.refine(task_id=preview_id) == {"FINISHED"}
    (refined,) = kind_objects()
    refine_id = refined["meshy_task_id"]
    emu.stop()
    bpy.context.preferences.system.use_online_access = False
    try:  # from the local cache: the refine replaces its earlier copy, the preview comes back beside it
        assert bpy.ops.meshy.import_task(task_id=refine_id, kind="TEXT_TO_3D") == {"FINISHED"}
        assert bpy.ops.meshy.import_task(task_id=preview_id, kind="TEXT_TO_3D") == {"FINISHED"}
    finally:
        bpy.context.preferences.system.use_online_access = True
    stages = sorted(o["meshy_stage"] for o in kind_objects())
    assert stages == ["preview", "refine"]


@pytest.mark.parametrize("call, words", [
    (lambda: bpy.ops.meshy.text_to_3d(prompt="x" * 601), "601 characters"),
    (lambda: bpy.ops.meshy.text_to_3d(prompt="a cup", refine=True, texture_prompt="y" * 601), "texture_prompt"),
    (lambda: bpy.ops.meshy.text_to_3d(prompt="a cup", target_polycount=50), "target_polycount"),
    (lambda: bpy.ops.meshy.refine(), "Select a Text to 3D preview"),
])
def test_bad_inputs_are_one_sentence_before_anything_is_sent(meshy, emu, call, words):
    before = sorted(bpy.data.objects.keys())
    with pytest.raises(RuntimeError) as info:
        call()
    message = str(info.value)
    assert words in message and message.count(".") <= 2, message
    assert sorted(bpy.data.objects.keys()) == before
    assert not [r for r in emu.log if r["method"] == "POST"]


def test_refine_of_something_that_is_not_a_preview_is_refused(meshy, emu):
    bpy.ops.mesh.primitive_cube_add()
    with pytest.raises(RuntimeError, match="Cube is not a Text to 3D preview"):
        bpy.ops.meshy.refine()
    bpy.ops.meshy.text_to_3d(prompt="a lamp", refine=True)
    (refined,) = kind_objects()
    bpy.ops.object.select_all(action="DESELECT")
    refined.select_set(True)
    with pytest.raises(RuntimeError, match="refined already"):
        bpy.ops.meshy.refine()
    with pytest.raises(RuntimeError, match="is a refine already"):
        bpy.ops.meshy.refine(task_id=refined["meshy_task_id"])
    preview = next(e for e in meshy.tasks.values() if e.task_id == refined["meshy_preview_task_id"])
    assert preview.state == "imported"
    created = len(posts(emu))
    bpy.ops.mesh.primitive_uv_sphere_add()
    bpy.context.object.name = "Ball"
    bpy.ops.meshy.remesh(target_polycount=300)
    remesh_id = next(o for o in bpy.data.objects if o.get("meshy_kind") == "remesh")["meshy_task_id"]
    with pytest.raises(RuntimeError, match="is a Remesh task, not a Text to 3D preview"):
        bpy.ops.meshy.refine(task_id=remesh_id)
    assert len(posts(emu)) == created  # none of the refusals reached Meshy


def test_a_refine_meshy_refuses_is_one_sentence_and_the_preview_stays(meshy, emu):
    emu.balance = 25  # the preview's 20 credits, not the refine's 10 more
    with pytest.raises(RuntimeError, match="Not enough Meshy credits") as info:
        bpy.ops.meshy.text_to_3d(prompt="a wooden barrel", refine=True)
    assert "text-to-3d" in str(info.value)
    (obj,) = kind_objects()
    assert obj["meshy_stage"] == "preview"  # shown meanwhile, and kept: refine it once topped up
    assert [p["status"] for p in posts(emu)] == [202, 402]
