"""The batch's assets for text-to-3d, multi-image-to-3d and text-to-image, in a plain Python (real files)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from meshy_tools.batch import args as cli
from meshy_tools.batch import checks, sources
from meshy_tools.client.errors import ValidationError
from meshy_tools.core.settings import Settings
from meshy_tools.core.stages import THEN


def opts(kind: str, inputs: list[str], **params) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, inputs=inputs, params=params)


def settings() -> Settings:
    return Settings(api_key="msy_x", base_url="http://127.0.0.1:9", max_in_flight=1, download_dir=Path("/tmp/dl"),
                    user_dir=Path("/tmp/user"))


def png(path: Path) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)  # only names and counts are read when planning
    return path


def test_prompts_from_the_flag_and_from_files_each_one_asset(tmp_path):
    (tmp_path / "a.txt").write_text("a wooden barrel\n# a comment\n\na wooden barrel\na red mushroom\n")
    items = sources.items(opts("text-to-3d", [str(tmp_path / "*.txt")], prompt="a stone lantern"))
    assert [i["name"] for i in items] == ["Stone Lantern", "Wooden Barrel", "Red Mushroom"]  # the repeat is one
    again = sources.items(opts("text-to-3d", [str(tmp_path / "a.txt")], prompt="a stone lantern"))
    assert [i["key"] for i in again] == [i["key"] for i in items]  # stable keys: a rerun finds its assets


def test_a_long_line_is_refused_with_its_file_and_line(tmp_path):
    (tmp_path / "p.txt").write_text("ok\n" + "x" * 601 + "\n")
    with pytest.raises(cli.UsageError, match="p.txt line 2 is 601 characters"):
        sources.items(opts("text-to-image", [str(tmp_path / "p.txt")]))
    with pytest.raises(cli.UsageError, match="a prompt"):
        sources.items(opts("text-to-image", []))
    with pytest.raises(cli.UsageError, match="not a prompt file"):
        sources.items(opts("text-to-3d", [str(png(tmp_path / "a.png"))]))


def test_folders_are_models_and_loose_files_one_more(tmp_path):
    for name in ("chair", "lamp"):
        (tmp_path / name).mkdir()
        png(tmp_path / name / "front.png")
        png(tmp_path / name / "back.png")
    loose = [str(png(tmp_path / f"{n}.png")) for n in ("x", "y")]
    items = sources.items(opts("multi-image-to-3d", [str(tmp_path / "chair"), str(tmp_path / "lamp"), *loose]))
    assert [(i["name"], [p.name for p in i["views"]]) for i in items] == [
        ("chair", ["back.png", "front.png"]), ("lamp", ["back.png", "front.png"]), ("x", ["x.png", "y.png"])]
    for n in range(3):
        png(tmp_path / "chair" / f"side{n}.png")
    with pytest.raises(cli.UsageError, match="holds 5 images; multi-image-to-3d takes 1 to 4"):
        sources.items(opts("multi-image-to-3d", [str(tmp_path / "chair")]))
    assert sources.items(opts("multi-image-to-3d", [], input_task_id="t1"))[0]["key"] == "task:t1"


def test_refine_options_are_checked_and_carried_by_the_preview(tmp_path):
    meta = sources.chain_meta("text-to-3d", {"refine": True, "enable_pbr": True, "prompt": "x"}, settings())
    assert meta[THEN]["enable_pbr"] is True and meta[THEN]["mode"] == "refine" and meta["auto_import"] is False
    assert sources.chain_meta("text-to-3d", {"prompt": "x"}, settings()) == {}
    with pytest.raises(ValidationError, match="texture_prompt"):
        sources.check_refine("text-to-3d", {"refine": True, "texture_prompt": "y" * 601}, settings())
    with pytest.raises(cli.UsageError, match="--texture-prompt is 601 characters"):  # in the flags' words
        checks.check_args("text-to-3d", {"prompt": "a cup", "refine": True, "texture_prompt": "y" * 601}, False,
                          settings(), given=["prompt", "refine", "texture_prompt"])
    checks.check_args("text-to-3d", {"refine": True}, False, settings())  # the prompt comes from the files
    assert sources.probe("text-to-image", {"prompt": "mine"}) == {}
    assert sources.extra_credits("text-to-3d", {"refine": True}) == 10


def test_the_subcommands_come_from_the_table():
    ns = cli.parse(["text-to-3d", "--out", "o", "--prompt", "a cup", "--refine", "--enable-pbr", "--ai-model",
                    "meshy-5"])
    assert cli.task_options(ns) == {"prompt": "a cup", "refine": True, "enable_pbr": True, "ai_model": "meshy-5"}
    ns = cli.parse(["text-to-image", "--out", "o", "--prompt", "a cat", "--aspect-ratio", "16:9"])
    assert cli.task_options(ns)["aspect_ratio"] == "16:9"
    with pytest.raises(cli.UsageError, match="choose from"):
        cli.parse(["text-to-image", "--out", "o", "--aspect-ratio", "5:4"])
