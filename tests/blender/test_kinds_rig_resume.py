"""A paid rig or animation survives Blender: kill it mid-task, start again, the result arrives once.

Real Blender processes (the bpy wheel) share an emulator on loopback, as in
test_resume.py. The first saves a file with a character, starts a rig and is
SIGKILLed as soon as the journal holds the task id; the second opens the file,
resumes (the rig lands on the character), starts an animation and is killed the
same way; the third resumes that: the action lands on the same armature. One
create of each kind in the emulator's log, one armature, nothing imported twice.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from test_resume import journal_records, run_blender


@pytest.fixture
def slow_emu():
    from emulator import Emulator

    server = Emulator(pending_seconds=0.5, run_seconds=3.0).start()
    yield server
    server.stop()


def kill_once_created(proc, journal, kind: str) -> None:
    deadline = time.monotonic() + 90
    while not any(r["state"] == "created" and r.get("kind") == kind for r in journal_records(journal)):
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, f"no {kind} task id was journalled"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_rig_and_animate_resume_after_a_kill_without_a_second_create(slow_emu, tmp_path):
    env = {**os.environ, "MESHY_TOOLS_DIR": str(tmp_path / "user")}
    env.pop("MESHY_API_KEY", None)
    blend, downloads = tmp_path / "scene.blend", tmp_path / "downloads"
    journal = tmp_path / "user" / "journal.jsonl"
    figure = tmp_path / "figure.glb"
    from emulator.rigging.figure import humanoid_glb

    figure.write_bytes(humanoid_glb("t", height=1.0))

    first = run_blender(f"""
        enable_addon({str(tmp_path / 'home1')!r})
        point_at({slow_emu.base_url!r}, {str(downloads)!r})
        bpy.ops.wm.read_homefile(use_empty=True)
        bpy.ops.import_scene.gltf(filepath={str(figure)!r})
        bpy.context.selected_objects[0].name = "Hero"
        bpy.ops.wm.save_as_mainfile(filepath={str(blend)!r})
        bpy.ops.meshy.rig(height_meters=1.7)
        print("FINISHED TOO EARLY")
    """, env)
    kill_once_created(first, journal, "rigging")
    assert slow_emu.create_count("rigging") == 1

    second = run_blender(f"""
        enable_addon({str(tmp_path / 'home2')!r})
        point_at({slow_emu.base_url!r}, {str(downloads)!r})
        bpy.ops.wm.open_mainfile(filepath={str(blend)!r})
        assert bpy.ops.meshy.resume() == {{"FINISHED"}}
        arms = [o for o in bpy.data.objects if o.type == "ARMATURE"]
        assert len(arms) == 1 and len(arms[0].animation_data.nla_tracks) == 2, arms
        bpy.ops.wm.save_mainfile()
        bpy.ops.object.select_all(action="DESELECT")
        arms[0].select_set(True)
        bpy.ops.meshy.animate(action="Jump_Run")
        print("FINISHED TOO EARLY")
    """, env)
    kill_once_created(second, journal, "animations")
    assert slow_emu.create_count("animations") == 1

    third = run_blender(f"""
        enable_addon({str(tmp_path / 'home3')!r})
        point_at({slow_emu.base_url!r}, {str(downloads)!r})
        bpy.ops.wm.open_mainfile(filepath={str(blend)!r})
        assert bpy.ops.meshy.resume() == {{"FINISHED"}}
        assert bpy.ops.meshy.resume() == {{"FINISHED"}}  # again: nothing left to follow or import
        arms = [o for o in bpy.data.objects if o.type == "ARMATURE"]
        print("ARMATURES", len(arms))
        print("TRACKS", sorted(t.name for t in arms[0].animation_data.nla_tracks))
        print("PLAYING", [t.name for t in arms[0].animation_data.nla_tracks if not t.mute])
    """, env)
    out, _ = third.communicate(timeout=180)
    assert third.returncode == 0, out
    assert "ARMATURES 1" in out and "TRACKS ['Jump_Run', 'Running', 'Walking']" in out, out
    assert "PLAYING ['Jump_Run']" in out, out
    assert slow_emu.create_count("rigging") == 1 and slow_emu.create_count("animations") == 1  # never twice
    imported = [r for r in journal_records(journal) if r["state"] == "imported"]
    assert sorted(r["kind"] for r in imported) == ["animations", "rigging"]
