"""Inside the real Blender 5.2 (blender-sid), in background: every new kind end to end, on the scene.

Run by tools/sid_kinds.py with the built extension installed from its zip, the
emulator's URL in MESHY_BASE_URL and the test key in MESHY_API_KEY; the assets
(the emulator's humanoid figure as GLB, a PNG) are in the folder given after
``--``. Each step prints ``KIND <step> ok <seconds>``; any failed check raises,
which ``--python-exit-code 1`` turns into a non-zero exit. The emulator's own
request log (GET /_emulator/log) shows what was sent: the chained multi-image
call carries a task id and no picture, and no bad input reaches Meshy.
"""

import json
import os
import sys
import time
import urllib.request

import bpy
import numpy as np
from mathutils import Matrix

ADDON = "bl_ext.user_default.meshy_tools"
BASE = os.environ["MESHY_BASE_URL"]
ASSETS = sys.argv[sys.argv.index("--") + 1]
assert ADDON in bpy.context.preferences.addons, "extension not enabled"
print("KIND blender", bpy.app.version_string, "python", sys.version.split()[0], "online", bpy.app.online_access)


def log() -> list[dict]:
    with urllib.request.urlopen(f"{BASE}/_emulator/log", timeout=10) as answer:
        return json.loads(answer.read())


def posts(path_end: str = "") -> list[dict]:
    return [r for r in log() if r["method"] == "POST" and not r["path"].startswith("/_emulator")
            and r["path"].endswith(path_end)]


def of_kind(kind: str) -> list[bpy.types.Object]:
    return [o for o in bpy.data.objects if o.get("meshy_kind") == kind]


def select(*objects: bpy.types.Object) -> None:
    bpy.ops.object.select_all(action="DESELECT")
    for obj in objects:
        obj.select_set(True)
    bpy.context.view_layer.objects.active = objects[0] if objects else None


def texture_links(obj: bpy.types.Object) -> list[str]:
    """The Principled BSDF inputs fed by an image texture (empty: untextured)."""
    if obj.active_material is None or obj.active_material.node_tree is None:
        return []
    return sorted(link.to_socket.name for link in obj.active_material.node_tree.links
                  if link.from_node.type == "TEX_IMAGE")


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


def movement(armature: bpy.types.Object, track_name: str) -> float:
    """Play one NLA track alone; how far the skin's vertices travel between two frames of its clip."""
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


def scene_state() -> tuple:
    objects = tuple((o.name, o.type, o.hide_get(), o.select_get(), tuple(map(tuple, o.matrix_world)))
                    for o in bpy.data.objects)
    counts = tuple(len(getattr(bpy.data, a)) for a in ("meshes", "armatures", "actions", "materials", "images"))
    scene = bpy.context.scene
    return objects, counts, scene.render.fps, scene.frame_start, scene.frame_end


def refused(name: str, call, *words: str) -> None:
    """A bad input: one sentence naming the problem, nothing sent to Meshy, the scene as it was."""
    before, sent = scene_state(), len(posts())
    try:
        call()
    except RuntimeError as exc:
        text = str(exc).removeprefix("Error: ").strip()
    else:
        raise AssertionError(f"{name}: accepted")
    assert "\n" not in text and "Traceback" not in text and text.endswith("."), (name, text)
    assert text.count(". ") <= 1, (name, text)  # one sentence (a second short clause at most)
    for word in words:
        assert word.lower() in text.lower(), (name, word, text)
    assert scene_state() == before, name
    assert len(posts()) == sent, (name, "reached Meshy")
    print(f"KIND bad-input {name}: {text}")


STEPS: list[tuple[str, float]] = []


def step(name: str, started: float) -> None:
    STEPS.append((name, time.monotonic() - started))
    print(f"KIND {name} ok {STEPS[-1][1]:.1f} s")


runtime = sys.modules[f"{ADDON}.runtime"]
bpy.ops.wm.read_homefile(use_empty=True)

# -- Text to 3D: a preview at the cursor, untextured; refine replaces it in place -------------------------
t = time.monotonic()
bpy.context.scene.cursor.location = (1.0, -2.0, 0.5)
assert bpy.ops.meshy.text_to_3d(prompt="a small red mushroom", refine=False) == {"FINISHED"}
(preview,) = of_kind("text-to-3d")
assert preview["meshy_stage"] == "preview" and preview["meshy_task_id"], preview.keys()
assert np.allclose(tuple(preview.location), (1.0, -2.0, 0.5), atol=1e-5), tuple(preview.location)
assert len(preview.data.polygons) > 100 and not texture_links(preview)
assert [p["path"] for p in posts("text-to-3d")] == ["/openapi/v2/text-to-3d"]
step("text-to-3d preview", t)

t = time.monotonic()
preview_id = preview["meshy_task_id"]
# moved, turned and scaled by the user: the refine lands where the preview is now
preview.matrix_world = Matrix.LocRotScale((3.0, 1.0, 0.0), None, (2.0, 2.0, 2.0)) @ Matrix.Rotation(0.7, 4, "Z")
placed = preview.matrix_world.copy()
select(preview)
assert bpy.ops.meshy.refine(enable_pbr=True, texture_prompt="glossy red cap, cream stem") == {"FINISHED"}
(refined,) = of_kind("text-to-3d")  # replaced, not duplicated
assert refined["meshy_stage"] == "refine" and refined["meshy_preview_task_id"] == preview_id
assert refined["meshy_task_id"] != preview_id
assert np.allclose(np.array(refined.matrix_world), np.array(placed), atol=1e-5), (refined.matrix_world, placed)
links = texture_links(refined)
assert {"Base Color", "Metallic", "Roughness"} <= set(links), links
entries = sorted((e for e in runtime.service().tasks.values() if e.kind == "text-to-3d"), key=lambda e: e.started)
assert len(entries) == 2 and entries[1].meta["preview_task_id"] == entries[0].task_id == preview_id
assert len(posts("text-to-3d")) == 2
step("text-to-3d refine", t)

# -- Text to Image multi-view -> Blender images -> Multi-Image to 3D by task id (no upload) ---------------
t = time.monotonic()
assert bpy.ops.meshy.text_to_image(prompt="a knight in armour", generate_multi_view=True) == {"FINISHED"}
views = sorted((i for i in bpy.data.images if i.get("meshy_kind") == "text-to-image"), key=lambda i: i.name)
assert [i["meshy_view_index"] for i in views] == [0, 1, 2], [i.name for i in views]
assert {i["meshy_view_count"] for i in views} == {3} and len({i["meshy_task_id"] for i in views}) == 1
assert all(i.size[0] > 0 and i.size[1] > 0 for i in views), [tuple(i.size) for i in views]
set_id = views[0]["meshy_task_id"]
step("text-to-image multi-view", t)

t = time.monotonic()
bpy.context.scene.cursor.location = (0.0, 4.0, 0.0)
assert bpy.ops.meshy.multi_image_to_3d(input_task_id=set_id) == {"FINISHED"}
(model,) = of_kind("multi-image-to-3d")
assert model.type == "MESH" and len(model.data.polygons) > 50
assert np.allclose(tuple(model.location), (0.0, 4.0, 0.0), atol=1e-5)
assert json.loads(model["meshy_settings"])["input_task_id"] == set_id
(create,) = posts("/openapi/v1/multi-image-to-3d")
assert create["body_size"] < 500, create  # {"input_task_id": ...}: zero bytes of image went up
step(f"multi-image-to-3d by input_task_id (request body {create['body_size']} bytes)", t)

t = time.monotonic()  # a view and a file: both go up (the bundled Pillow reads the file in 5.2)
assert bpy.ops.meshy.multi_image_to_3d(image_names=[{"name": views[0].name}],
                                       image_paths=[{"name": os.path.join(ASSETS, "front.png")}]) == {"FINISHED"}
assert len(of_kind("multi-image-to-3d")) == 2
upload = posts("/openapi/v1/multi-image-to-3d")[-1]
assert upload["body_size"] > 2000, upload
step(f"multi-image-to-3d from a view and a file (request body {upload['body_size']} bytes)", t)

# -- Rig the humanoid figure; its clips move the mesh; animate adds a clip to the same armature -----------
t = time.monotonic()
bpy.ops.import_scene.gltf(filepath=os.path.join(ASSETS, "hero.glb"))
hero = next(o for o in bpy.context.selected_objects if o.type == "MESH")
hero.name = "Hero"
hero.location = (-3.0, 0.0, 0.0)
select(hero)
feet = world_coords(hero)[:, 2].min()
assert bpy.ops.meshy.rig(height_meters=1.7) == {"FINISHED"}
(armature,) = armatures()
body = skinned(armature)
assert body.parent == armature and armature["meshy_kind"] == "rigging"
tracks = armature.animation_data.nla_tracks
assert len(tracks) >= 2 and len(bpy.data.actions) >= 2, [t.name for t in tracks]
assert sorted(t.name for t in tracks) == ["Running", "Walking"], [t.name for t in tracks]
moves = {name: movement(armature, name) for name in ("Walking", "Running")}
assert all(m > 0.15 * 1.7 for m in moves.values()), moves
assert posts("/rigging")[0]["body_size"] > 5000  # a plain mesh: its GLB went up
bpy.context.scene.frame_set(1)
armature.data.pose_position = "REST"
bpy.context.view_layer.update()
rest = world_coords(body)
armature.data.pose_position = "POSE"
height = rest[:, 2].max() - rest[:, 2].min()
assert abs(height - 1.7) < 0.01 and abs(rest[:, 2].min() - feet) < 0.01, (height, rest[:, 2].min(), feet)
assert hero.hide_get() and len(armatures()) == 1  # the source kept, hidden
step("rig ({})".format(", ".join(f"{k} moves {v:.2f} m" for k, v in moves.items())), t)

t = time.monotonic()
objects, actions = len(bpy.data.objects), len(bpy.data.actions)
select(body)  # its mesh will do
assert bpy.ops.meshy.animate(action="Walking_Woman") == {"FINISHED"}
assert armatures() == [armature] and len(bpy.data.objects) == objects  # no second character
assert len(bpy.data.actions) == actions + 1
assert "Walking_Woman" in armature.animation_data.nla_tracks
moved = movement(armature, "Walking_Woman")
assert moved > 0.15 * 1.7, moved
step(f"animate Walking_Woman (moves {moved:.2f} m)", t)

# -- Bad inputs: one sentence each, before anything is sent, the scene unchanged -----------------------
t = time.monotonic()
png = os.path.join(ASSETS, "front.png")
refused("601-character prompt", lambda: bpy.ops.meshy.text_to_3d(prompt="x" * 601), "601 characters")
refused("5 images", lambda: bpy.ops.meshy.multi_image_to_3d(image_paths=[{"name": png}] * 5),
        "1 to 4 images", "5")
refused("aspect ratio", lambda: bpy.ops.meshy.text_to_image(prompt="a cat", ai_model="NANO_BANANA",
                                                            aspect_ratio="3:2"), "aspect_ratio 3:2")
bpy.ops.object.camera_add(location=(0, -6, 2))
refused("rig a camera", lambda: bpy.ops.meshy.rig(), "no mesh", "camera")
hero.hide_set(False)  # kept, hidden, by the rig
select(hero)
refused("animate a plain mesh", lambda: bpy.ops.meshy.animate(action="Walking_Woman"), "Hero is not a Meshy rig")
step("bad inputs", t)

print(f"KIND total {sum(s for _, s in STEPS):.1f} s")
print("KIND-OK")
