"""Text to 3D with refine survives Blender: killed mid-way, started again, one preview and one refine.

Two real Blender processes (the bpy wheel) share an emulator on loopback. The
first saves a file, runs ``text_to_3d(refine=True)`` and is SIGKILLed once the
journal holds the preview's task id (or, in the second case, the refine's).
The second opens the file and resumes: the emulator saw exactly one preview
and one refine create, and the scene holds the refined model only.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

PRELUDE = f"""
import sys
sys.path[:0] = [{str(HERE.parents[1] / "tools")!r}, {str(HERE.parents[1])!r}]
import bpy
from addon_env import enable_addon, point_at
"""


def run_blender(code: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PRELUDE + textwrap.dedent(code)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def creates(emu) -> list[str]:
    return [json.dumps(r["path"]) for r in emu.log if r["method"] == "POST" and r["path"].endswith("/text-to-3d")]


@pytest.fixture
def slow_emu():
    from emulator import Emulator

    server = Emulator(pending_seconds=0.3, run_seconds=3.0).start()
    yield server
    server.stop()


@pytest.mark.parametrize("kill_after", ["preview", "refine"])
def test_killed_text_to_3d_with_refine_resumes_without_a_second_create(slow_emu, tmp_path, kill_after):
    env = {**os.environ, "MESHY_TOOLS_DIR": str(tmp_path / "user")}
    env.pop("MESHY_API_KEY", None)
    blend, downloads = tmp_path / "scene.blend", tmp_path / "downloads"
    journal = tmp_path / "user" / "journal.jsonl"
    first = run_blender(f"""
        enable_addon({str(tmp_path / 'home1')!r})
        point_at({slow_emu.base_url!r}, {str(downloads)!r})
        bpy.ops.wm.read_homefile(use_empty=True)
        bpy.ops.wm.save_as_mainfile(filepath={str(blend)!r})
        bpy.ops.meshy.text_to_3d(prompt="a wooden barrel", refine=True, enable_pbr=True)
        print("FINISHED TOO EARLY")
    """, env)

    def created(stage: str) -> bool:
        return any(r["state"] == "created" and r["job_id"].endswith("-refine") == (stage == "refine")
                   for r in records(journal))

    deadline = time.monotonic() + 90
    while not created(kill_after):
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, f"no {kill_after} task id was journalled"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert len(creates(slow_emu)) == (1 if kill_after == "preview" else 2)

    second = run_blender(f"""
        enable_addon({str(tmp_path / 'home2')!r})
        point_at({slow_emu.base_url!r}, {str(downloads)!r})
        bpy.ops.wm.open_mainfile(filepath={str(blend)!r})
        assert bpy.ops.meshy.resume() == {{"FINISHED"}}
        objects = [o for o in bpy.data.objects if o.get("meshy_kind") == "text-to-3d"]
        print("STAGES", sorted(o["meshy_stage"] for o in objects))
        print("PREVIEW", objects[0].get("meshy_preview_task_id"))
    """, env)
    out, _ = second.communicate(timeout=180)
    assert second.returncode == 0, out
    assert "STAGES ['refine']" in out, out
    preview = next(r for r in records(journal) if r["state"] == "created" and not r["job_id"].endswith("-refine"))
    assert f"PREVIEW {preview['task_id']}" in out
    assert len(creates(slow_emu)) == 2  # one preview, one refine: nothing created twice
    states = {r["job_id"]: r["state"] for r in records(journal)}
    assert sorted(states.values()) == ["imported", "imported"], states
