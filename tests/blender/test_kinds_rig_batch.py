"""``blender --command meshy rig|animate`` in real Blender against the emulator.

In-process, as a ``blender -b --python`` script calls ``batch.main(argv)``: a
rig from a GLB file and from a .blend object (an unedited Meshy result goes by
its task id), an animation by rig task id and action name, saved as .blend
files that hold a playing character; a second run creates nothing.
"""

from __future__ import annotations

import json

import bpy
import pytest
from test_batch import batch  # noqa: F401 - the fixture: the add-on's batch package, pointed at the emulator


def hero(tmp_path):
    from emulator.rigging.figure import humanoid_glb

    path = tmp_path / "hero.glb"
    path.write_bytes(humanoid_glb("t", height=1.0))
    return path


def posts(emu, kind: str) -> list[dict]:
    return [r for r in emu.log if r["method"] == "POST" and r["path"].endswith("/" + kind)]


def opened(path) -> bpy.types.Object:
    bpy.ops.wm.open_mainfile(filepath=str(path))
    (armature,) = [o for o in bpy.data.objects if o.type == "ARMATURE"]
    return armature


def test_rig_then_animate_from_the_command_line(batch, emu, tmp_path, capsys):  # noqa: F811
    out = tmp_path / "out"
    assert batch.main(["rig", str(hero(tmp_path)), "--out", str(out), "--height-meters", "1.8", "-q"]) == 0
    report = json.loads((out / "report.json").read_text())
    (entry,) = report["assets"]
    assert entry["kind"] == "rigging" and entry["status"] == "succeeded" and entry["credits"] == 5
    armature = opened(out / "hero.blend")
    assert sorted(t.name for t in armature.animation_data.nla_tracks) == ["Running", "Walking"]
    assert json.loads(armature["meshy_settings"])["height_meters"] == 1.8
    assert bpy.context.scene.render.fps == 30 and len(bpy.data.actions) == 2
    rig_task = entry["task_id"]

    argv = ["animate", "--rig-task-id", rig_task, "--action", "jump run", "--post-process", "extract_armature",
            "--out", str(out), "-q"]
    assert batch.main(argv) == 0
    report = json.loads((out / "report.json").read_text())
    (entry,) = report["assets"]
    assert entry["kind"] == "animations" and entry["credits"] == 3
    assert "processed_armature_fbx" in entry["outputs"]["files"]  # extract_armature's FBX, beside the GLB
    animated = opened(entry["outputs"]["blend"])
    assert animated["meshy_kind"] == "rigging" and animated["meshy_task_id"] == rig_task  # animate it again
    assert [t.name for t in animated.animation_data.nla_tracks if not t.mute] == ["Jump_Run"]
    sent = posts(emu, "animations")
    assert len(sent) == 1 and sent[0]["body_size"] < 1000

    bpy.ops.wm.read_homefile(use_empty=True)
    assert batch.main(argv) == 0  # done earlier: skipped, nothing created again
    assert emu.create_count("animations") == 1 and emu.create_count("rigging") == 1


def test_rig_a_blend_object_made_by_meshy_goes_by_its_task_id(batch, emu, tmp_path):  # noqa: F811
    from PIL import Image

    Image.new("RGB", (64, 96), (90, 160, 60)).save(tmp_path / "goblin.png")
    bpy.ops.meshy.image_to_3d(image_path=str(tmp_path / "goblin.png"))
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "goblin.blend"))
    out = tmp_path / "out"
    assert batch.main(["rig", str(tmp_path / "goblin.blend"), "--out", str(out), "-q"]) == 0
    (sent,) = posts(emu, "rigging")
    assert sent["body_size"] < 1000  # the unedited image-to-3d result: its task id, no model bytes
    assert len(opened(out / "goblin_goblin_3d.blend").animation_data.nla_tracks) == 2


@pytest.mark.parametrize("argv, words", [
    (["rig", "{obj}", "--out", "{out}"], "rigging takes .glb .blend"),
    (["rig", "{glb}", "--out", "{out}", "--height-meters", "0"], "--height-meters must be"),
    (["animate", "--out", "{out}", "--action", "Idle"], "--rig-task-id"),
    (["animate", "--out", "{out}", "--rig-task-id", "r1"], "--action"),
    (["animate", "--out", "{out}", "--rig-task-id", "r1", "--action", "Walking Womann"], "did you mean Walking_Woman"),
    (["animate", "{glb}", "--out", "{out}", "--rig-task-id", "r1", "--action", "Idle"], "no input files"),
])
def test_bad_rig_and_animate_command_lines(batch, emu, tmp_path, capsys, argv, words):  # noqa: F811
    (tmp_path / "hero.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    names = {"obj": str(tmp_path / "hero.obj"), "glb": str(hero(tmp_path)), "out": str(tmp_path / "out")}
    assert batch.main([a.format(**names) for a in argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err, err
    assert emu.create_count() == 0
