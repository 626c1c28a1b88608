"""``blender --command meshy text-to-3d | multi-image-to-3d | text-to-image`` in real Blender, against the emulator.

In-process (``batch.main(argv)``, as ``blender -b --python`` calls it): prompts
from ``--prompt`` and prompt files, ``--refine`` saving only the textured model,
folders of views, reruns that create nothing twice, and the refusals that come
before anything is sent.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

bpy = pytest.importorskip("bpy")

ADDON = "bl_ext.meshy_test_repo.meshy_tools"
TEST_KEY = "msy_dummy_api_key_for_test_mode_12345678"


@pytest.fixture
def batch(meshy, emu, monkeypatch):
    monkeypatch.setenv("MESHY_API_KEY", TEST_KEY)
    monkeypatch.setenv("MESHY_BASE_URL", emu.base_url)
    return importlib.import_module(f"{ADDON}.batch")


def _image(path: Path, color: tuple[int, int, int]) -> Path:
    from PIL import Image

    Image.new("RGB", (48, 64), color).save(path)
    return path


def creates(emu) -> list[str]:
    return [r["path"].rsplit("/", 1)[1] for r in emu.log if r["method"] == "POST" and "/openapi/" in r["path"]]


def test_text_to_3d_prompts_with_refine_save_the_textured_models(batch, emu, tmp_path, capsys):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("# props for the market scene\na wooden barrel\n\na small red mushroom\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = ["text-to-3d", str(prompts), "--prompt", "a stone lantern", "--out", str(out), "--refine",
            "--enable-pbr", "--target-polycount", "2000"]
    assert batch.main(argv) == 0, capsys.readouterr().err
    assert sorted(creates(emu)) == ["text-to-3d"] * 6  # three previews, three refines
    data = json.loads((out / "report.json").read_text())
    assert data["summary"]["counts"] == {"succeeded": 3}
    names = sorted(Path(e["outputs"]["blend"]).name for e in data["assets"])
    assert names == ["Small_Red_Mushroom.blend", "Stone_Lantern.blend", "Wooden_Barrel.blend"]
    bpy.ops.wm.open_mainfile(filepath=str(out / "Wooden_Barrel.blend"))
    (model,) = [o for o in bpy.data.objects if o.type == "MESH"]
    assert model["meshy_stage"] == "refine" and model["meshy_preview_task_id"]
    assert model.active_material.node_tree.nodes.get("Metallic") is not None  # --enable-pbr went to the refine

    bpy.ops.wm.read_homefile(use_empty=True)
    assert batch.main(argv) == 0  # a rerun: all done, nothing created
    assert len(creates(emu)) == 6


def test_text_to_image_and_multi_image_folders(batch, emu, tmp_path, capsys):
    out = tmp_path / "img"
    assert batch.main(["text-to-image", "--prompt", "a knight", "--generate-multi-view", "--out", str(out),
                       "--ai-model", "nano-banana-pro"]) == 0
    data = json.loads((out / "report.json").read_text())
    (entry,) = data["assets"]
    assert entry["status"] == "succeeded" and entry["estimated_credits"] == 27  # 3 images of Pro
    bpy.ops.wm.open_mainfile(filepath=entry["outputs"]["blend"])
    assert sorted(i.name for i in bpy.data.images if i.get("meshy_kind") == "text-to-image") == [
        "Knight_image_view1", "Knight_image_view2", "Knight_image_view3"]

    views = tmp_path / "views"
    for name, colour in (("chair", (200, 30, 30)), ("lamp", (30, 30, 200))):
        (views / name).mkdir(parents=True)
        for side in ("front", "back"):
            _image(views / name / f"{side}.png", colour)
    bpy.ops.wm.read_homefile(use_empty=True)
    out3d = tmp_path / "models"
    assert batch.main(["multi-image-to-3d", str(views / "chair"), str(views / "lamp"), "--out", str(out3d),
                       "--should-texture"]) == 0
    data = json.loads((out3d / "report.json").read_text())
    assert sorted(Path(e["outputs"]["blend"]).name for e in data["assets"]) == ["chair.blend", "lamp.blend"]
    assert creates(emu).count("multi-image-to-3d") == 2


@pytest.mark.parametrize("argv, words", [
    (["text-to-3d"], "Give text-to-3d a prompt"),
    (["text-to-3d", "--prompt", "x" * 601], "601 characters"),
    (["text-to-3d", "--prompt", "a cup", "--refine", "--texture-prompt", "y" * 601],
     "--texture-prompt is 601 characters"),
    (["text-to-image", "--prompt", "a cat", "--ai-model", "nano-banana", "--aspect-ratio", "3:2"], "3:2"),
    (["multi-image-to-3d", "FIVE"], "holds 5 images"),
])
def test_bad_usage_is_refused_before_anything_is_sent(batch, emu, tmp_path, capsys, argv, words):
    five = tmp_path / "five"
    five.mkdir()
    for n in range(5):
        _image(five / f"{n}.png", (n * 40, 80, 80))
    argv = [str(five) if a == "FIVE" else a for a in argv]
    assert batch.main([*argv, "--out", str(tmp_path / "o")]) == 2
    assert words in capsys.readouterr().err
    assert not creates(emu)
