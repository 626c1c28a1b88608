"""Files land only in their task's folder, whatever names the server sends.

Hostile keys of ``model_urls`` and ``texture_urls`` come from the emulator's
``output_keys`` fault; hostile URLs, suffixes and task ids from a fake Meshy of
the tests' own. Every file written must sit directly in ``<kind>/<task id>/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile import fake_meshy
from test_engine import make_engine

from client import MeshyClient
from client.engine import Job, JobEngine, cached_files, result_dir
from client.journal import Journal
from client.models import RetextureRequest
from client.results import Output, plan_outputs, task_folder_name
from client.retry import fast_policy
from client.tasks import Task
from client.uploads import FileInput
from conftest import TEST_KEY, fast_doubt, fast_follow


def hostile_keys(tmp_path: Path) -> list[str]:
    return ["../../startup/evil", "..", str(tmp_path / "abs" / "evil"), "C:\\Windows\\evil", "a\0b",
            "x" * 300, "model", "thumbnail", "image_0", "sub/dir", ".hidden", "ok_key"]


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_hostile_output_keys_never_choose_where_files_go(emu, tmp_path, glb):
    emu.faults.add("output_keys", keys=hostile_keys(tmp_path), times=None)
    before = files_under(tmp_path)
    engine = make_engine(emu, tmp_path)
    job = Job("retexture", RetextureRequest(model_url=FileInput.model(glb), text_style_prompt="x"),
              outputs=("glb", "models", "textures", "thumbnail"))
    result = engine.run([engine.submit(job)], timeout=30)[job.job_id]
    assert result.type == "succeeded", result.message
    folder = engine.result_dir("retexture", result.task_id)
    written = files_under(tmp_path) - before - {tmp_path / "journal.jsonl"}
    assert written and all(p.parent == folder for p in written), sorted(map(str, written))
    assert not (tmp_path / "startup").exists() and not (tmp_path / "abs").exists()
    assert {Path(p).parent for p in result.files.values()} == {folder}
    assert result.files["model"].endswith("model.glb")  # the key "model" did not replace the real model
    assert "ok_key" in result.files and "model_ok_key" in result.files  # plain new keys are kept
    assert not any(k in result.files for k in ("..", "a\0b", "x" * 300, "sub/dir", "model_.."))
    assert engine.cached_files("retexture", result.task_id) == result.files
    engine.close()


def test_hostile_urls_and_task_ids_from_a_fake_meshy(tmp_path, glb):
    with fake_meshy() as fake:
        fake.files["evil"] = b"evil bytes"
        fake.on_create = lambda h, f: h.json(200, {"result": "C:\\startup\\..\\evil"})
        engine = JobEngine(MeshyClient(TEST_KEY, base_url=fake.base_url, retry_policy=fast_policy()),
                           journal=Journal(tmp_path / "journal.jsonl"), download_dir=tmp_path / "dl",
                           doubt=fast_doubt(), follow=fast_follow())
        fake.add("x", task_id="C:\\startup\\..\\evil", model_urls={"glb": f"{fake.base_url}/files/model.glb"},
                 texture_urls=[{"base_color": f"{fake.base_url}/files/evil?name=../../x.png",
                                "normal": f"{fake.base_url}/files/evil%2F..%2F..%2Fx.exe"}])
        job = Job("retexture", RetextureRequest(model_url=FileInput.model(glb), text_style_prompt="x"))
        result = engine.run([engine.submit(job)], timeout=30)[job.job_id]
        assert result.type == "succeeded", result.message
        folder = tmp_path / "dl" / "retexture" / task_folder_name("C:\\startup\\..\\evil")
        assert all(Path(p).parent == folder for p in result.files.values())
        assert Path(result.files["normal"]).name == "normal.png"  # an odd suffix becomes .png
        assert not (tmp_path / "startup").exists() and not any(tmp_path.parent.glob("startup"))
        engine.close()


@pytest.mark.parametrize("task_id", ["..", ".", "../../x", "a/b", "C:\\x", "x" * 300, "", "nul", "a\0b", "CON"])
def test_task_folders_stay_inside_and_never_collide(tmp_path, task_id):
    folder = result_dir(tmp_path, "remesh", task_id)
    assert folder.parent == tmp_path / "remesh" and folder.name not in ("", ".", "..")
    assert len(folder.name) <= 100
    other = result_dir(tmp_path, "remesh", task_id + "y")
    assert other != folder


def test_plain_ids_keep_their_folder_name(tmp_path):
    assert result_dir(tmp_path, "remesh", "0190-abc_DEF").name == "0190-abc_DEF"


def test_a_tampered_task_json_never_points_outside(tmp_path):
    folder = result_dir(tmp_path, "remesh", "t1")
    folder.mkdir(parents=True)
    (folder / "model.glb").write_bytes(b"glTF")
    (tmp_path / "secret").write_text("x")
    for files in ({"model": "../../secret"}, {"model": str(tmp_path / "secret")}, {"model": ".."}, {"model": 3},
                  ["model.glb"]):
        (folder / "task.json").write_text(json.dumps({"task": {}, "files": files}))
        assert cached_files(tmp_path, "remesh", "t1") is None
    (folder / "task.json").write_text(json.dumps({"task": {}, "files": {"model": "model.glb"}}))
    assert cached_files(tmp_path, "remesh", "t1") == {"model": str(folder / "model.glb")}


def test_plan_outputs_names_are_ours():
    task = Task.from_json({"id": "t", "model_urls": {"glb": "http://h/a.glb", "../x": "http://h/b", "fbx": "http://h/c"},
                           "texture_urls": [{"base_color": "http://h/t.jpg", "model": "http://h/m.png"}],
                           "image_urls": ["http://h/i.webp?sig=1"], "thumbnail_url": "http://h/p.exe"})
    planned = {o.name: o.filename for o in plan_outputs(task, ("glb", "models", "textures", "images", "thumbnail"))}
    assert planned == {"model": "model.glb", "model_glb": "model_glb.glb", "model_fbx": "model_fbx.fbx",
                       "base_color": "base_color.jpg", "image_0": "image_0.webp", "thumbnail": "thumbnail.png"}
    assert Output("a", "a.png", "u", lambda t: None).name == "a"
