"""Rig and Animate end to end in real Blender against the emulator, asserting on the scene.

The emulator rigs with Blender itself (a child process), so every rig here is a
real skinned armature whose clips move real vertices: playback is checked by
evaluating the depsgraph at two frames of each clip and comparing the deformed
vertex positions.
"""

from __future__ import annotations

import json
import math

import bpy
import numpy as np
import pytest
from mathutils import Matrix, Vector

from conftest import ADDON

pytestmark = pytest.mark.usefixtures("meshy")


def character(tmp_path, name: str = "Hero") -> bpy.types.Object:
    """The emulator's humanoid figure (1 unit tall), a plain mesh turned, scaled and moved off the origin."""
    from emulator.rigging.figure import humanoid_glb

    path = tmp_path / f"{name}.glb"
    path.write_bytes(humanoid_glb("a", height=1.0))
    bpy.ops.import_scene.gltf(filepath=str(path))
    obj = next(o for o in bpy.context.selected_objects if o.type == "MESH")
    obj.name = name
    obj.matrix_world = Matrix.LocRotScale((1.0, 2.0, 0.5), None, (1.2, 1.2, 1.2)) @ Matrix.Rotation(0.5, 4, "Z")
    select(obj)
    return obj


def select(*objects: bpy.types.Object) -> None:
    bpy.ops.object.select_all(action="DESELECT")
    for obj in objects:
        obj.select_set(True)
    bpy.context.view_layer.objects.active = objects[0] if objects else None


def world_coords(obj: bpy.types.Object) -> np.ndarray:
    """The evaluated (deformed) vertices in world space."""
    ev = obj.evaluated_get(bpy.context.evaluated_depsgraph_get())
    mesh = ev.to_mesh()
    co = np.empty(len(mesh.vertices) * 3)
    mesh.vertices.foreach_get("co", co)
    ev.to_mesh_clear()
    m = np.array(obj.matrix_world)
    return co.reshape(-1, 3) @ m[:3, :3].T + m[:3, 3]


def armatures() -> list[bpy.types.Object]:
    return [o for o in bpy.data.objects if o.type == "ARMATURE"]


def skinned(armature: bpy.types.Object) -> bpy.types.Object:
    (mesh,) = [o for o in bpy.data.objects if o.type == "MESH"
               and any(m.type == "ARMATURE" and m.object == armature for m in o.modifiers)]
    return mesh


def playing(armature: bpy.types.Object) -> list[str]:
    return [t.name for t in armature.animation_data.nla_tracks if not t.mute]


def movement(armature: bpy.types.Object, track_name: str) -> float:
    """Play one track alone; how far the skin's vertices travel between two frames of its clip."""
    tracks = armature.animation_data.nla_tracks
    saved = {t.name: t.mute for t in tracks}
    for t in tracks:
        t.mute = t.name != track_name
    strip = tracks[track_name].strips[0]
    scene, body = bpy.context.scene, skinned(armature)
    length = strip.frame_end - strip.frame_start
    scene.frame_set(int(strip.frame_start + 0.13 * length))
    first = world_coords(body)
    scene.frame_set(int(strip.frame_start + 0.41 * length))
    moved = float(np.linalg.norm(world_coords(body) - first, axis=1).max())
    for t in tracks:
        t.mute = saved[t.name]
    return moved


def rig(tmp_path, **kwargs) -> bpy.types.Object:
    character(tmp_path)
    assert bpy.ops.meshy.rig(height_meters=1.7, **kwargs) == {"FINISHED"}
    (armature,) = armatures()
    return armature


def posts(emu, kind: str) -> list[dict]:
    return [r for r in emu.log if r["method"] == "POST" and r["path"].endswith("/" + kind)]


# -- Rig ---------------------------------------------------------------------------------------------


def test_rig_makes_an_armature_with_the_skinned_mesh_and_walking_and_running_that_play(meshy, emu, tmp_path):
    source = character(tmp_path)
    source_world = source.matrix_world.copy()
    source_feet = world_coords(source)[:, 2].min()
    assert bpy.ops.meshy.rig(height_meters=1.7) == {"FINISHED"}

    (armature,) = armatures()
    body = skinned(armature)
    assert body.parent == armature and armature.users_collection[0] == source.users_collection[0]
    assert source.hide_get() and source.hide_render  # kept, hidden (the preferences' default)
    assert {o.name for o in bpy.data.objects} == {"Hero", "Hero_rig", "Hero_rig_mesh"}  # no joint spheres
    tracks = armature.animation_data.nla_tracks
    assert sorted(t.name for t in tracks) == ["Running", "Walking"] and playing(armature) == ["Walking"]
    assert armature.animation_data.action is None  # the NLA plays: Space starts the walk at once
    assert len(bpy.data.actions) == 2
    for name in ("Walking", "Running"):
        assert movement(armature, name) > 0.15 * 1.7, name  # a limb travels: the clip deforms the mesh
    scene = bpy.context.scene
    assert scene.render.fps == 30 and scene.render.fps_base == 1.0
    walk = tracks["Walking"].strips[0]
    assert (scene.frame_start, scene.frame_end) == (1, 30) == (walk.frame_start, walk.frame_end - 1)  # a cycle

    # Placed like the source: its turn and spot, standing on its floor; the size is height_meters.
    bpy.context.scene.frame_set(1)
    armature.data.pose_position = "REST"
    bpy.context.view_layer.update()
    rest = world_coords(body)
    armature.data.pose_position = "POSE"
    assert rest[:, 2].max() - rest[:, 2].min() == pytest.approx(1.7, abs=0.01)
    assert rest[:, 2].min() == pytest.approx(source_feet, abs=0.01)
    loc, turn, size = armature.matrix_world.decompose()
    assert turn.angle == pytest.approx(source_world.to_quaternion().angle, abs=1e-4)
    assert tuple(size) == pytest.approx((1.0, 1.0, 1.0), abs=1e-5)
    centre = source_world @ Vector([sum(c[i] for c in source.bound_box) / 8 for i in range(3)])
    assert tuple((rest.max(0) + rest.min(0))[:2] / 2) == pytest.approx(tuple(centre[:2]), abs=0.15)

    # What the result records: the task, on the armature, its mesh and each clip.
    task_id = armature["meshy_task_id"]
    assert armature["meshy_kind"] == body["meshy_kind"] == "rigging" and body["meshy_task_id"] == task_id
    assert json.loads(armature["meshy_settings"]) == {"height_meters": 1.7}
    assert {a["meshy_clip"] for a in bpy.data.actions} == {"walking", "running"}
    assert all(a["meshy_task_id"] == task_id for a in bpy.data.actions)
    assert emu.create_count("rigging") == 1
    assert posts(emu, "rigging")[0]["body_size"] > 5000  # a plain mesh: its GLB went up


def test_rig_replaces_the_source_when_asked(tmp_path):
    rig(tmp_path, keep_original=False)
    assert "Hero" not in bpy.data.objects and {o.name for o in bpy.data.objects} == {"Hero_rig", "Hero_rig_mesh"}


def test_rig_is_one_undo_step(tmp_path):
    character(tmp_path)
    bpy.ops.ed.undo_push(message="before")
    bpy.ops.meshy.rig()
    assert len(armatures()) == 1
    bpy.ops.ed.undo()
    assert [o.name for o in bpy.data.objects] == ["Hero"] and not bpy.data.actions
    assert not bpy.data.objects["Hero"].hide_get()


def test_a_scene_with_animation_of_its_own_keeps_its_frame_rate(tmp_path):
    bpy.ops.object.empty_add()
    bpy.context.object.keyframe_insert("location", frame=1)
    bpy.context.scene.render.fps = 25
    armature = rig(tmp_path)
    assert bpy.context.scene.render.fps == 25  # the clips are timed in seconds: they play at their speed
    walk = armature.animation_data.nla_tracks["Walking"].strips[0]
    assert walk.frame_end - walk.frame_start == pytest.approx(25, abs=0.01)  # one second at 25 fps


def image_to_3d(tmp_path) -> bpy.types.Object:
    from PIL import Image

    Image.new("RGB", (64, 96), (180, 120, 60)).save(tmp_path / "hero.png")
    bpy.ops.meshy.image_to_3d(image_path=str(tmp_path / "hero.png"))
    (model,) = [o for o in bpy.data.objects if o.name.endswith("_3d")]
    return model


def test_rigging_chains_unedited_meshy_results_without_uploading(meshy, emu, tmp_path):
    model = image_to_3d(tmp_path)
    select(model)
    bpy.ops.meshy.remesh(target_polycount=800)
    (remeshed,) = [o for o in bpy.data.objects if o.name.endswith("_remesh")]
    select(remeshed)
    assert bpy.ops.meshy.rig() == {"FINISHED"}
    model.hide_set(False)  # kept, hidden, by the remesh
    select(model)
    assert bpy.ops.meshy.rig() == {"FINISHED"}
    rigging = posts(emu, "rigging")
    assert len(rigging) == 2 and all(p["body_size"] < 1000 for p in rigging), rigging  # task ids, no model bytes
    sent = [json.loads(a["meshy_settings"]) for a in armatures()]
    assert sorted(s["input_task_id"] for s in sent) == sorted([model["meshy_task_id"], remeshed["meshy_task_id"]])
    assert len(armatures()) == 2 and all(len(a.animation_data.nla_tracks) == 2 for a in armatures())


def test_an_edited_meshy_result_is_uploaded(meshy, emu, tmp_path):
    model = image_to_3d(tmp_path)
    model.data.vertices[0].co.x += 0.3
    model.data.update()
    select(model)
    assert bpy.ops.meshy.rig() == {"FINISHED"}
    assert posts(emu, "rigging")[-1]["body_size"] > 5000


def test_a_failed_import_leaves_the_scene_as_it_was(meshy, tmp_path):
    rig(tmp_path)
    entry = next(iter(meshy.tasks.values()))
    files = dict(entry.files)
    broken = tmp_path / "running.glb"
    broken.write_bytes(b"glTF not really")
    files["running"] = str(broken)
    bpy.ops.wm.read_homefile(use_empty=True)
    scene_module = __import__(f"{ADDON}.scene", fromlist=["import_result"])
    scene = bpy.context.scene
    scene.render.fps, scene.frame_end = 24, 99
    with pytest.raises(Exception, match="running.glb"):
        scene_module.import_result("rigging", files, {**entry.meta, "source": ""}, entry.task_id)
    assert {attr: len(getattr(bpy.data, attr)) for attr in scene_module.DATABLOCKS} == dict.fromkeys(
        scene_module.DATABLOCKS, 0)  # the character and the walking clip were removed again
    assert (scene.render.fps, scene.frame_end) == (24, 99)


def test_reimport_from_the_cache_offline(meshy, emu, tmp_path):
    armature = rig(tmp_path)
    task_id = armature["meshy_task_id"]
    emu.stop()
    bpy.context.preferences.system.use_online_access = False
    try:
        assert bpy.ops.meshy.import_task(task_id=task_id, kind="RIGGING") == {"FINISHED"}
    finally:
        bpy.context.preferences.system.use_online_access = True
    assert len(armatures()) == 2
    again = next(a for a in armatures() if a != armature)
    assert sorted(t.name for t in again.animation_data.nla_tracks) == ["Running", "Walking"]
    assert movement(again, "Running") > 0.15 * 1.7


# -- Animate -----------------------------------------------------------------------------------------


def test_animate_puts_the_action_on_the_same_armature_and_it_plays(meshy, emu, tmp_path):
    armature = rig(tmp_path)
    objects, actions = len(bpy.data.objects), len(bpy.data.actions)
    select(skinned(armature))  # its mesh will do
    assert bpy.ops.meshy.animate(action="walking woman", post_process="CHANGE_FPS", fps=24) == {"FINISHED"}

    assert armatures() == [armature] and len(bpy.data.objects) == objects  # no second character
    assert len(bpy.data.actions) == actions + 1
    assert playing(armature) == ["Walking_Woman"]  # the new clip plays; walking and running are muted
    action = armature.animation_data.nla_tracks["Walking_Woman"].strips[0].action
    assert action.name == "Hero_rig_Walking_Woman" and action["meshy_action_id"] == 1
    assert action["meshy_kind"] == "animations"
    settings = json.loads(action["meshy_settings"])
    assert settings == {"rig_task_id": armature["meshy_task_id"], "action_id": 1,
                        "post_process": {"operation_type": "change_fps", "fps": 24}}
    assert movement(armature, "Walking_Woman") > 0.15 * 1.7
    strip = armature.animation_data.nla_tracks["Walking_Woman"].strips[0]
    assert bpy.context.scene.frame_end in (int(strip.frame_end), int(strip.frame_end) - 1)
    entry = next(e for e in meshy.tasks.values() if e.kind == "animations")
    assert entry.label == "Hero_rig Walking_Woman" and "processed_fps_fbx" in entry.files  # change_fps's FBX
    (sent,) = posts(emu, "animations")
    assert sent["body_size"] < 1000


def test_animate_from_the_sidebar_with_an_action_picked_by_name(meshy, emu, tmp_path):
    armature = rig(tmp_path)
    options = bpy.context.scene.meshy_animations
    options.action = "Jump_Run"
    assert bpy.ops.meshy.run(kind="ANIMATIONS") == {"FINISHED"}
    assert playing(armature) == ["Jump_Run"] and len(armature.animation_data.nla_tracks) == 3
    assert movement(armature, "Jump_Run") > 0.15 * 1.7
    suggestions = dict(sidebar_search(options, "jump"))
    assert "Jump_Run" in suggestions and "id 13" in suggestions["Jump_Run"]


def sidebar_search(group, text: str) -> list[tuple[str, str]]:
    """What the Action field lists while typing: the property's own search callback."""
    params = __import__(f"{ADDON}.core.params", fromlist=["param"])
    return params.param("animations", "action").suggest(text)


def test_animate_by_rig_task_id_with_no_rig_in_the_file_brings_the_character(meshy, emu, tmp_path):
    armature = rig(tmp_path)
    rig_task = armature["meshy_task_id"]
    bpy.ops.wm.read_homefile(use_empty=True)
    assert bpy.ops.meshy.animate(rig_task_id=rig_task, action_id=8) == {"FINISHED"}
    (alone,) = armatures()
    assert alone["meshy_kind"] == "rigging" and alone["meshy_task_id"] == rig_task  # animatable again
    assert playing(alone) == ["Dead"] and movement(alone, "Dead") > 0.5


def test_an_animation_reimported_offline_lands_on_the_rig_again(meshy, emu, tmp_path):
    armature = rig(tmp_path)
    select(armature)
    bpy.ops.meshy.animate(action_id=0)
    task_id = next(e.task_id for e in meshy.tasks.values() if e.kind == "animations")
    emu.stop()
    bpy.context.preferences.system.use_online_access = False
    try:
        assert bpy.ops.meshy.import_task(task_id=task_id, kind="ANIMATIONS") == {"FINISHED"}
    finally:
        bpy.context.preferences.system.use_online_access = True
    assert armatures() == [armature] and len(armature.animation_data.nla_tracks) == 4


# -- bad inputs: one sentence, nothing sent, the scene unchanged ----------------------------------------


def scene_state() -> tuple:
    objects = tuple((o.name, o.type, o.hide_get(), o.select_get(), tuple(map(tuple, o.matrix_world)))
                    for o in bpy.data.objects)
    scene = bpy.context.scene
    counts = tuple(len(getattr(bpy.data, a)) for a in ("meshes", "armatures", "actions", "materials", "images"))
    return objects, counts, scene.render.fps, scene.frame_start, scene.frame_end


def refuse(emu, call, *words: str) -> str:
    before = scene_state()
    with pytest.raises(RuntimeError) as info:
        call()
    text = str(info.value).removeprefix("Error: ").strip()
    assert "\n" not in text and "Traceback" not in text and text.endswith("."), text
    for word in words:
        assert word.lower() in text.lower(), text
    assert scene_state() == before
    assert emu.create_count() == 0 and not posts(emu, "rigging") and not posts(emu, "animations")
    return text


@pytest.mark.parametrize("make", ["empty", "curve", "camera", "nothing"])
def test_rigging_needs_a_mesh(emu, make):
    if make == "empty":
        bpy.ops.object.empty_add()
    elif make == "curve":
        bpy.ops.curve.primitive_bezier_curve_add()
    elif make == "camera":
        bpy.ops.object.camera_add()
    words = ("select a mesh",) if make == "nothing" else ("no mesh", make)
    refuse(emu, lambda: bpy.ops.meshy.rig(), *words)


def test_rigging_refuses_a_mesh_over_300000_faces(emu):
    bpy.ops.mesh.primitive_grid_add(x_subdivisions=400, y_subdivisions=400)  # 159,201 quads: 318,402 triangles
    refuse(emu, lambda: bpy.ops.meshy.rig(), "faces", "at most 300,000")


@pytest.mark.parametrize("height", [0.0, -1.7, math.nan])
def test_rigging_refuses_a_height_that_is_not_above_zero(emu, tmp_path, height):
    character(tmp_path)
    refuse(emu, lambda: bpy.ops.meshy.rig(height_meters=height), "height_meters", "above 0")


def test_animating_needs_a_meshy_rig(emu, tmp_path):
    refuse(emu, lambda: bpy.ops.meshy.animate(action_id=1), "select a meshy rig")
    character(tmp_path)
    refuse(emu, lambda: bpy.ops.meshy.animate(action_id=1), "Hero is not a Meshy rig")


def test_an_unknown_action_name_suggests_close_ones(meshy, emu, tmp_path):
    armature = rig(tmp_path)
    select(armature)
    before = emu.create_count()
    text = refuse_after(emu, before, lambda: bpy.ops.meshy.animate(action="Walking Womann"))
    assert "no action named 'Walking Womann'" in text and "Walking_Woman" in text, text


def refuse_after(emu, creates: int, call) -> str:
    """``refuse`` for a scene that already holds a rig (its task was created before)."""
    before = scene_state()
    with pytest.raises(RuntimeError) as info:
        call()
    text = str(info.value).removeprefix("Error: ").strip()
    assert "\n" not in text and text.endswith("."), text
    assert scene_state() == before and emu.create_count() == creates and not posts(emu, "animations")
    return text


def test_history_says_meshy_lists_no_rigs_and_fetches_nothing(meshy, emu):
    assert bpy.ops.meshy.history_page(kind="RIGGING") == {"FINISHED"}
    assert not [r for r in emu.log if r["method"] == "GET" and "rigging" in r["path"]]
    views = __import__(f"{ADDON}.core.views.history", fromlist=["history_lines"])
    ((text, _icon),) = views.history_lines("rigging", meshy.history)
    assert "no list" in text and "Import Task by ID" in text


def test_downloads_hold_the_rig_and_its_clips(meshy, tmp_path):
    rig(tmp_path)
    entry = next(iter(meshy.tasks.values()))
    assert {"character", "character_fbx", "walking", "running"} <= set(entry.files)


# -- everywhere: panels, F3, menus, Run's reasons ---------------------------------------------------------


def test_panels_f3_labels_menu_entries_and_run_reasons(tmp_path):
    import sys

    for name in ("rigging", "animations"):
        panel = getattr(bpy.types, f"VIEW3D_PT_meshy_{name}")
        assert panel.bl_category == "Meshy" and panel.bl_label in ("Rig", "Animate")
    assert bpy.ops.meshy.rig.get_rna_type().name == "Rig with Meshy"
    assert bpy.ops.meshy.animate.get_rna_type().name == "Animate with Meshy"
    params = sys.modules[f"{ADDON}.core.params"]
    assert ("RIGGING", "Rig") in [i[:2] for i in params.KIND_ITEMS]  # Object > Meshy lists every kind item
    assert ("ANIMATIONS", "Animate") in [i[:2] for i in params.KIND_ITEMS]

    ops, props = sys.modules[f"{ADDON}.panels.operations"], sys.modules[f"{ADDON}.properties"]
    ctx = bpy.context

    def reason(kind: str) -> str:
        return ops.run_view(kind, ctx, props.options(ctx, kind), None).blocker

    assert reason("rigging") == "Select a mesh character" and reason("animations") == "Select a Meshy rig"
    run = bpy.types.MESHY_OT_run
    tip = run.description(ctx, type("P", (), {"kind": "RIGGING"})())
    assert tip.endswith("Select a mesh character")
    character(tmp_path)
    assert reason("rigging") == "" and reason("animations") == "Select a Meshy rig"
    assert ops.run_view("rigging", ctx, props.options(ctx, "rigging"), 100).credits == 5
    bpy.ops.meshy.rig()
    select(armatures()[0])
    assert reason("animations") == "Choose an action from the Animation Library"
    ctx.scene.meshy_animations.action = "Idle"
    assert reason("animations") == "" and ops.run_view("animations", ctx, props.options(ctx, "animations"),
                                                       100).credits == 3


def test_an_action_moves_to_an_armature_by_bone_names_and_a_foreign_one_is_refused():
    import sys

    actions = sys.modules[f"{ADDON}.scene.actions"]
    common = sys.modules[f"{ADDON}.scene.common"]

    def armature(name: str, bones: list[str]) -> bpy.types.Object:
        data = bpy.data.armatures.new(name)
        obj = bpy.data.objects.new(name, data)
        bpy.context.scene.collection.objects.link(obj)
        select(obj)
        bpy.ops.object.mode_set(mode="EDIT")
        for i, bone in enumerate(bones):
            edit = data.edit_bones.new(bone)
            edit.head, edit.tail = (i, 0, 0), (i, 0, 1)
        bpy.ops.object.mode_set(mode="OBJECT")
        return obj

    source = armature("Source", ["Hips", 'Tail "end"'])
    for frame in (1, 10):
        for bone in source.pose.bones:
            bone.location.z = frame / 10
            bone.keyframe_insert("location", frame=frame)
    clip = source.animation_data.action
    assert {actions.bone_of(fc.data_path) for fc in actions.fcurves(clip)} == {"Hips", 'Tail "end"'}
    target = armature("Target", ["Hips", "Spine"])
    assert actions.retarget(clip, target) == 1  # Hips matches; the tail's curves are dropped
    assert {actions.bone_of(fc.data_path) for fc in actions.fcurves(clip)} == {"Hips"}
    track = actions.add_track(target, clip, "Clip")
    actions.play(target, track, cycle=actions.is_cycle(clip))
    bpy.context.scene.frame_set(10)
    assert target.pose.bones["Hips"].location.z == pytest.approx(1.0)
    assert not actions.is_cycle(clip) and bpy.context.scene.frame_end == 10
    with pytest.raises(common.SceneIOError, match="moves no bone of Other"):
        actions.retarget(clip, armature("Other", ["Head"]))
