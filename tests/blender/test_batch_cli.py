"""The batch CLI as a user meets it: its sentences, its console, its report over reruns, its quads.

    .venv/bin/python -m pytest tests/blender/test_batch_cli.py -q
"""

from __future__ import annotations

import json

import bpy
import pytest
from test_batch import _cube, batch  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("meshy")


def test_refusals_name_the_flags_and_nothing_is_sent(batch, emu, tmp_path, capsys):  # noqa: F811
    model = _cube(tmp_path / "a.glb")
    out = str(tmp_path / "o")
    assert batch.main(["retexture", str(model), "--out", out]) == 2
    assert "meshy: Give either --text-style-prompt or --style-image-path.\n" in capsys.readouterr().err
    (tmp_path / "style.png").write_bytes(b"not an image")
    assert batch.main(["retexture", str(model), "--out", out, "--style-image-path", str(tmp_path / "style.png")]) == 2
    assert "--style-image-path: style.png is not an image" in capsys.readouterr().err
    assert batch.main(["image-to-3d", str(tmp_path / "a.glb"), "--out", out, "--target-polycount", "99"]) == 2
    assert "--target-polycount must be between 100 and 300,000, not 99." in capsys.readouterr().err
    assert emu.create_count() == 0


def test_a_rerun_keeps_the_report_truthful_and_status_agrees(batch, emu, tmp_path, capsys):  # noqa: F811
    models = tmp_path / "models"
    models.mkdir()
    _cube(models / "crate.glb", subdivisions=3)
    _cube(models / "box.glb", size=2.0, subdivisions=3)
    out = tmp_path / "out"
    argv = ["remesh", str(models / "*.glb"), "--out", str(out), "--topology", "quad", "--target-polycount", "300"]
    assert batch.main(argv) == 0
    first = json.loads((out / "report.json").read_text())
    assert "10 credits spent in this run, 10 for the batch" in capsys.readouterr().err
    assert batch.main(argv) == 0  # nothing left to do
    err = capsys.readouterr().err
    assert "2 succeeded (2 done earlier); 0 credits spent in this run, 10 for the batch" in err
    again = json.loads((out / "report.json").read_text())
    assert again["summary"]["counts"] == {"succeeded": 2} and again["summary"]["credits"] == 10
    assert again["summary"]["credits_this_run"] == 0
    for before, after in zip(first["assets"], again["assets"], strict=True):
        assert after["status"] == "succeeded" and after["this_run"] == "done earlier"
        assert (after["task_id"], after["credits"]) == (before["task_id"], before["credits"]) and after["credits"] == 5
    assert batch.main(["status", "--out", str(out), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert [(e["asset"], e["status"], e["task_id"], e["credits"]) for e in status["assets"]] == [
        (e["asset"], e["status"], e["task_id"], e["credits"]) for e in again["assets"]]
    assert emu.create_count("remesh") == 2

    bpy.ops.wm.open_mainfile(filepath=str(out / "crate.blend"))  # --topology quad: quads in the .blend
    (made,) = [o for o in bpy.data.objects if o.type == "MESH"]
    faces = [p.loop_total for p in made.data.polygons]
    assert sum(f == 4 for f in faces) / len(faces) >= 0.9 and abs(len(faces) / 300 - 1) <= 0.15


def test_the_console_shows_the_batch_and_the_importers_talk_to_a_log(batch, emu, tmp_path, capfd):  # noqa: F811
    models = tmp_path / "models"
    models.mkdir()
    for i in range(3):
        _cube(models / f"m{i}.glb", size=1 + i / 4, subdivisions=2)
    out = tmp_path / "out"
    emu.configure(run_seconds=1.0)
    assert batch.main(["remesh", str(models), "--out", str(out), "--target-polycount", "200"]) == 0
    assert batch.main(["retexture", str(models / "m0.glb"), "--out", str(tmp_path / "tex"), "--text-style-prompt",
                       "oak", "--enable-pbr"]) == 0
    captured = capfd.readouterr()
    console = (captured.out + captured.err).splitlines()
    assert not [line for line in console if "INFO" in line or "Saved copy" in line], console
    assert len(console) <= 4 * 16, console  # 4 assets: created, a line per tenth, done; plus plan and summary
    progress = [line for line in console if "IN_PROGRESS" in line]
    assert progress and len(progress) <= 4 * 11
    log = (out / "import.log").read_text()
    assert "glTF" in log or "Blender create" in log  # the glTF importer's own lines, kept
    assert "saving m0.blend" in log
