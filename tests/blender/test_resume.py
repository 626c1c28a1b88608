"""A paid task survives Blender: kill it mid-task, start again, the result arrives.

Two real Blender processes (the bpy wheel) share an emulator on loopback. The
first saves a file, starts a remesh and is SIGKILLed as soon as the journal
holds the task id. The second opens the same file and resumes: one create in
the emulator's log, and the result in the scene.
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


def run_blender(code: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    script = PRELUDE + textwrap.dedent(code)
    return subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **kwargs)


def journal_records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def slow_emu():
    from emulator import Emulator

    server = Emulator(pending_seconds=0.5, run_seconds=4.0).start()
    yield server
    server.stop()


def test_resume_after_kill_imports_without_second_create(slow_emu, tmp_path):
    env = {**os.environ, "MESHY_TOOLS_DIR": str(tmp_path / "user")}
    env.pop("MESHY_API_KEY", None)
    blend = tmp_path / "scene.blend"
    downloads = tmp_path / "downloads"
    journal = tmp_path / "user" / "journal.jsonl"

    first = run_blender(f"""
        enable_addon({str(tmp_path / 'home1')!r})
        point_at({slow_emu.base_url!r}, {str(downloads)!r})
        bpy.ops.wm.read_homefile(use_empty=True)
        bpy.ops.mesh.primitive_uv_sphere_add()
        bpy.context.object.name = "Chair"
        bpy.ops.wm.save_as_mainfile(filepath={str(blend)!r})
        bpy.ops.meshy.remesh(target_polycount=300)
        print("FINISHED TOO EARLY")
    """, env)
    deadline = time.monotonic() + 60
    while not any(r["state"] == "created" for r in journal_records(journal)):
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, "no task id was journalled"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert slow_emu.create_count("remesh") == 1

    second = run_blender(f"""
        enable_addon({str(tmp_path / 'home2')!r})
        point_at({slow_emu.base_url!r}, {str(downloads)!r})
        bpy.ops.wm.open_mainfile(filepath={str(blend)!r})
        assert bpy.ops.meshy.resume() == {{"FINISHED"}}
        print("OBJECTS", sorted(o.name for o in bpy.data.objects))
        print("TASK", bpy.data.objects["Chair_remesh"]["meshy_task_id"])
    """, env)
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0, out
    assert "OBJECTS ['Chair', 'Chair_remesh']" in out, out
    created = next(r for r in journal_records(journal) if r["state"] == "created")
    assert f"TASK {created['task_id']}" in out
    assert slow_emu.create_count("remesh") == 1  # never created twice
    assert journal_records(journal)[-1]["state"] == "imported"
