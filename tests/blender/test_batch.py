"""The batch runner in real Blender (bpy wheel) against the emulator.

In-process: ``batch.main(argv)`` as a ``blender -b --python`` script calls it.
Subprocess: a run is SIGKILLed mid-way and the same command run again must
finish every asset without a second create (counted by the emulator).

    .venv/bin/python -m pytest tests/blender/test_batch.py -q
    .venv-bpy42/bin/python -m pytest tests/blender/test_batch.py -q
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

bpy = pytest.importorskip("bpy")

ROOT = Path(__file__).resolve().parents[2]
ADDON = "bl_ext.meshy_test_repo.meshy_tools"  # as tests/blender/conftest.py enables it
TEST_KEY = "msy_dummy_api_key_for_test_mode_12345678"


def _cube(path: Path, size: float = 1.0, subdivisions: int = 1) -> Path:
    """A small model file written with trimesh (what a user's asset folder holds)."""
    import trimesh

    mesh = trimesh.creation.box(extents=(size, size, size))
    for _ in range(subdivisions):
        mesh = mesh.subdivide()
    mesh.export(path)
    return path


def _image(path: Path, color: tuple[int, int, int]) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (64, 64), color)
    ImageDraw.Draw(img).ellipse((12, 12, 52, 52), fill=(240, 240, 240))
    img.save(path)
    return path


@pytest.fixture
def batch(meshy, emu, monkeypatch):
    """The add-on's batch package, pointed at the emulator through the environment."""
    monkeypatch.setenv("MESHY_API_KEY", TEST_KEY)
    monkeypatch.setenv("MESHY_BASE_URL", emu.base_url)
    import importlib

    return importlib.import_module(f"{ADDON}.batch")


def test_cli_command_is_registered(addon):
    cli = sys.modules[f"{ADDON}.cli"]
    assert cli._handle is not None


def test_help_and_bad_usage(batch, tmp_path, capsys):
    assert batch.main(["--help"]) == 0
    assert "remesh" in capsys.readouterr().out
    assert batch.main(["remesh", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--target-polycount" in text and "--topology" in text and "--api-key" not in text
    assert batch.main([]) == 2
    assert batch.main(["remesh", "--out", str(tmp_path), str(tmp_path / "missing.glb")]) == 2
    assert "does not exist" in capsys.readouterr().err
    model = _cube(tmp_path / "a.glb")
    assert batch.main(["remesh", str(model), "--out", str(tmp_path / "o"), "--target-polycount", "50"]) == 2
    assert "--target-polycount must be between 100 and 300,000, not 50." in capsys.readouterr().err
    assert batch.main(["remesh", str(model), "--out", str(tmp_path / "o"), "--topology", "hex"]) == 2
    assert batch.main(["image-to-image", str(model), "--out", str(tmp_path / "o")]) == 2


def test_offline_is_refused(batch, tmp_path, capsys):
    model = _cube(tmp_path / "a.glb")
    bpy.context.preferences.system.use_online_access = False
    try:
        if bpy.app.online_access:
            pytest.skip("this bpy build keeps online access on")
        assert batch.main(["remesh", str(model), "--out", str(tmp_path / "o")]) == 2
        assert "--online-mode" in capsys.readouterr().err
    finally:
        bpy.context.preferences.system.use_online_access = True


def test_remesh_batch_saves_blends_and_report(batch, emu, tmp_path, capsys):
    models = tmp_path / "models"
    models.mkdir()
    _cube(models / "crate.glb")
    _cube(models / "box.obj", size=2.0)
    out = tmp_path / "out"
    argv = ["remesh", str(models / "*"), "--out", str(out), "--topology", "quad", "--target-polycount", "200",
            "-j", "2"]
    assert batch.main(argv) == 0
    err = capsys.readouterr().err
    assert "created task" in err and "finished" in err
    data = json.loads((out / "report.json").read_text())
    assert data["summary"]["counts"] == {"succeeded": 2}
    assert data["summary"]["credits"] == 10
    for entry in data["assets"]:
        assert entry["task_id"] and entry["credits"] == 5 and entry["error"] is None
        assert Path(entry["outputs"]["blend"]).is_file()
        assert Path(entry["outputs"]["files"]["model"]).is_file()
        assert entry["timings"]["total_s"] is not None
    assert emu.create_count("remesh") == 2
    body = [r for r in emu.log if r["method"] == "POST" and r["path"].endswith("/remesh")]
    assert len(body) == 2

    # The saved .blend holds the result (and only it), tagged with its task.
    bpy.ops.wm.open_mainfile(filepath=str(out / "crate.blend"))
    meshes = [o for o in bpy.data.objects if o.type == "MESH"]
    assert [o.name for o in meshes] == ["crate_remesh"]
    assert meshes[0]["meshy_task_id"] == data["assets"][0]["task_id"] or meshes[0]["meshy_task_id"] in {
        e["task_id"] for e in data["assets"]}

    # Run again: everything is skipped, nothing is created.
    bpy.ops.wm.read_homefile(use_empty=True)
    assert batch.main(argv) == 0
    assert emu.create_count("remesh") == 2
    assert batch.main(["status", "--out", str(out)]) == 0
    assert "2 succeeded" in capsys.readouterr().out


def test_image_batch_single_blend_and_failure(batch, emu, tmp_path, capsys):
    images = tmp_path / "img"
    images.mkdir()
    _image(images / "red.png", (200, 30, 30))
    _image(images / "blue.png", (30, 30, 200))
    (images / "broken.png").write_bytes(b"not an image")
    out = tmp_path / "out"
    code = batch.main(["image-to-image", str(images / "*.png"), "--out", str(out), "--prompt", "make it gold",
                       "--ai-model", "nano-banana", "--single-blend", "--pack"])
    assert code == 1  # broken.png failed, the other two went on
    data = json.loads((out / "report.json").read_text())
    by_name = {Path(e["source"]).name: e for e in data["assets"]}
    assert by_name["broken.png"]["status"] == "failed" and by_name["broken.png"]["error"]
    assert by_name["red.png"]["status"] == "succeeded" and by_name["red.png"]["credits"] == 3
    assert emu.create_count("image-to-image") == 2
    bpy.ops.wm.open_mainfile(filepath=str(out / "batch.blend"))
    names = {i.name for i in bpy.data.images}
    assert {"red_edit", "blue_edit"} <= names
    assert all(bpy.data.images[n].packed_file is not None for n in ("red_edit", "blue_edit"))


def test_blend_objects_as_assets(batch, emu, tmp_path):
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.mesh.primitive_cube_add(location=(3, 0, 0))
    bpy.context.active_object.name = "Crate"
    bpy.ops.mesh.primitive_uv_sphere_add(location=(0, 4, 1))
    bpy.context.active_object.name = "Ball"
    bpy.ops.object.empty_add()
    src = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(src))
    out = tmp_path / "out"
    assert batch.main(["retexture", str(src), "--out", str(out), "--text-style-prompt", "rusty metal",
                       "--enable-pbr"]) == 0
    assert emu.create_count("retexture") == 2
    assert {p.name for p in out.glob("*.blend")} == {"scene_Ball.blend", "scene_Crate.blend"}
    bpy.ops.wm.open_mainfile(filepath=str(out / "scene_Ball.blend"))
    ball = bpy.data.objects["scene_Ball_retexture"]
    assert tuple(round(v, 3) for v in ball.matrix_world.translation) == (0.0, 4.0, 1.0)
    assert ball.active_material and ball.active_material.node_tree


def test_a_create_cut_off_by_a_crash_is_adopted_by_the_engines_resume(batch, emu, tmp_path, capsys):
    """The journal holds a create that never got its id; the task exists: the rerun follows it, creates none."""
    from client import MeshyClient, RemeshRequest
    from client.journal import Journal
    from client.uploads import FileInput

    model = _cube(tmp_path / "crate.glb")
    out = tmp_path / "out"
    MeshyClient(TEST_KEY, base_url=emu.base_url).create("remesh", RemeshRequest(model_url=FileInput.model(model)))
    meta = {"asset": str(model.resolve()), "label": "crate", "source_path": str(model.resolve()), "out_name": "crate"}
    journal = Journal(out / "journal.jsonl")
    journal.record("cut", "queued", kind="remesh", label="crate", meta=meta, outputs=["glb", "thumbnail"])
    journal.record("cut", "creating", durable=True, kind="remesh", label="crate", meta=meta)
    assert batch.main(["remesh", str(model), "--out", str(out)]) == 0
    assert "1 to follow" in capsys.readouterr().err
    assert emu.create_count("remesh") == 1 and (out / "crate.blend").is_file()
    assert journal.jobs()["cut"]["state"] == "imported"


KILL_SCRIPT = textwrap.dedent("""
    import sys, tempfile, bpy
    sys.path.insert(0, sys.argv[1] + "/tools")
    from addon_env import enable_addon
    bpy.context.preferences.system.use_online_access = True
    addon = enable_addon(tempfile.mkdtemp(prefix="meshy-batch-"), repo="meshy_batch_repo")
    batch = __import__(addon.__name__ + ".batch", fromlist=["main"])
    sys.exit(batch.main(sys.argv[2:]))
""")


def _run_batch(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(ROOT), *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigkill_mid_run_then_rerun_creates_nothing_twice(tmp_path):
    """SIGKILL while tasks run; the same command again finishes with one create per asset."""
    emulator = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--pending-seconds", "0.2",
                                 "--run-seconds", "2.5"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        base_url = emulator.stdout.readline().strip()
        models = tmp_path / "models"
        models.mkdir()
        for i in range(5):
            _cube(models / f"m{i}.stl", size=1 + i / 10)
        out = tmp_path / "out"
        env = {**os.environ, "MESHY_API_KEY": TEST_KEY, "MESHY_BASE_URL": base_url, "PYTHONPATH": str(ROOT)}
        argv = ["remesh", str(models / "*.stl"), "--out", str(out), "-j", "2", "--target-polycount", "100"]
        first = _run_batch(argv, env)
        # Kill once two tasks are journalled as created and still running on the server
        # (two workers follow streams for seconds: no create call is in flight then).
        deadline = time.monotonic() + 60
        created = 0
        while created < 2 and time.monotonic() < deadline and first.poll() is None:
            line = first.stderr.readline()
            created += "created task" in line
        assert created == 2, "the first run never created two tasks"
        time.sleep(0.3)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        import requests

        stats = requests.get(base_url + "/_emulator/stats", timeout=5).json()
        assert stats["create_count"].get("remesh") == 2
        assert not (out / "m4.blend").exists()

        second = _run_batch(argv, env)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        assert "2 to follow" in err
        log = requests.get(base_url + "/_emulator/log", timeout=5).json()
        creates = [r for r in (log if isinstance(log, list) else log["log"])
                   if r["method"] == "POST" and r["path"].endswith("/remesh") and r["status"] < 300]
        assert len(creates) == 5  # one create per asset, over both runs
        data = json.loads((out / "report.json").read_text())
        assert data["summary"]["counts"] == {"succeeded": 5}
        assert len({e["task_id"] for e in data["assets"]}) == 5
        assert sorted(p.name for p in out.glob("*.blend")) == [f"m{i}.blend" for i in range(5)]
    finally:
        emulator.send_signal(signal.SIGTERM)
        emulator.wait(10)
