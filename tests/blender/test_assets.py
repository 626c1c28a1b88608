"""Results in the Asset Browser, in real Blender against the emulator (issue 12 point 4).

From the sidebar's option (``scene.meshy_mark_assets``): the result is an
asset with a preview made from it, the prompt and task id in its
description, tags and its kind's catalog; with the option off nothing is
marked. From the batch (``--asset-library DIR``): the results go into
``DIR/meshy_results.blend`` with ``DIR/blender_assets.cats.txt``, read back
in a fresh Blender; a second run appends.

    .venv/bin/python -m pytest -q -p no:cacheprovider tests/blender/test_assets.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
from array import array
from pathlib import Path

import bpy
import pytest

from conftest import ADDON, TEST_KEY

NAMESPACE = uuid.UUID("6f1c5d2e-5a0b-4f43-9c7e-3b8e2d4a9f10")  # the catalogs' UUIDs, fixed forever


def catalog_uuid(kind: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"meshy_tools/{kind}"))


def write_png(path: Path, colour=(200, 80, 40)) -> str:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (64, 64), colour)
    ImageDraw.Draw(img).ellipse((12, 12, 52, 52), fill=(240, 240, 240))
    img.save(path)
    return str(path)


def preview_pixels(obj: bpy.types.ID) -> tuple[tuple[int, int], array]:
    preview = obj.preview
    assert preview is not None, f"{obj.name} has no preview"
    size = tuple(preview.image_size)
    pixels = array("f", bytes(4 * size[0] * size[1] * 4))
    preview.image_pixels_float.foreach_get(pixels)
    return size, pixels


def assert_real_preview(obj: bpy.types.ID) -> None:
    """A preview of some size whose pixels are not all one value (a picture, not an empty buffer)."""
    size, pixels = preview_pixels(obj)
    assert size[0] >= 32 and size[1] >= 32, size
    rgb = [pixels[i] for i in range(0, len(pixels), 4)]
    assert max(rgb) - min(rgb) > 0.1, (min(rgb), max(rgb))


def results(suffix: str) -> list[bpy.types.Object]:
    return [o for o in bpy.data.objects if o.name.endswith(suffix) or f"{suffix}." in o.name]


def test_image_to_3d_result_is_an_asset_with_its_prompt_tags_catalog_and_preview(meshy, emu, tmp_path):
    bpy.context.scene.meshy_mark_assets = True
    path = write_png(tmp_path / "robot.png")
    assert bpy.ops.meshy.image_to_3d(image_path=path, texture_prompt="rusty tin robot") == {"FINISHED"}
    (result,) = results("_3d")
    data = result.asset_data
    assert data is not None, "the result was not marked as an asset"
    task_id = result["meshy_task_id"]
    assert task_id in data.description and "rusty tin robot" in data.description
    tags = {t.name for t in data.tags}
    assert {"meshy", "image-to-3d"} <= tags
    assert (json.loads(result["meshy_settings"]).get("ai_model") or "latest") in tags  # Meshy's default: latest
    assert data.author == "Meshy"
    assert data.catalog_id == catalog_uuid("image-to-3d")
    assert_real_preview(result)
    # The preview is Meshy's thumbnail of this result (the emulator's render), scaled: the same picture.
    (entry,) = meshy.tasks.values()
    thumb = bpy.data.images.load(entry.files["thumbnail"])
    try:
        thumb.scale(*preview_pixels(result)[0])
        want = array("f", bytes(4 * len(thumb.pixels)))
        thumb.pixels.foreach_get(want)
    finally:
        bpy.data.images.remove(thumb)
    got = preview_pixels(result)[1]
    assert sum(abs(a - b) for a, b in zip(got, want, strict=True)) / len(got) < 0.02


def test_option_off_marks_nothing(meshy, emu, tmp_path):
    assert bpy.context.scene.meshy_mark_assets is False  # off by default
    path = write_png(tmp_path / "robot.png")
    assert bpy.ops.meshy.image_to_3d(image_path=path) == {"FINISHED"}
    assert results("_3d") and all(o.asset_data is None for o in bpy.data.objects)


def test_remesh_without_a_thumbnail_gets_a_rendered_preview(meshy, emu):
    bpy.ops.mesh.primitive_uv_sphere_add(segments=24, ring_count=12)
    bpy.context.object.name = "Ball"
    bpy.context.scene.meshy_mark_assets = True
    assert bpy.ops.meshy.remesh(target_polycount=300, topology="QUAD") == {"FINISHED"}
    (first,) = results("_remesh")
    assert {"meshy", "remesh", "quad"} <= {t.name for t in first.asset_data.tags}
    # The same task imported again from its files minus the thumbnail: the preview is rendered from the mesh.
    scene = sys.modules[f"{ADDON}.scene"]
    entry = next(e for e in meshy.tasks.values() if e.task_id == first["meshy_task_id"])
    files = dict(entry.files)
    files.pop("thumbnail", None)
    assert "model" in files
    names = scene.import_result("remesh", files, {"label": "Again", "mark_asset": True,
                                                  "settings": json.loads(first["meshy_settings"])},
                                first["meshy_task_id"])
    again = bpy.data.objects[names[0]]
    assert again.asset_data is not None and again.asset_data.catalog_id == catalog_uuid("remesh")
    assert_real_preview(again)
    assert "meshy_preview" not in bpy.data.scenes  # the render's own scene is gone again


def test_saving_writes_the_catalogs_next_to_the_file(meshy, emu, tmp_path):
    bpy.context.scene.meshy_mark_assets = True
    assert bpy.ops.meshy.image_to_3d(image_path=write_png(tmp_path / "robot.png")) == {"FINISHED"}
    cats = tmp_path / "scene" / "blender_assets.cats.txt"
    cats.parent.mkdir()
    cats.write_text("VERSION 1\n\n1b4d6f0e-0000-4000-8000-000000000001:Props/Mine:Props-Mine\ngarbage here\n")
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "scene" / "props.blend"))
    text = cats.read_text()
    assert text.count(catalog_uuid("image-to-3d")) == 1 and ":Meshy/Image to 3D:" in text
    assert "Props/Mine" in text and "garbage" not in text
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "scene" / "props.blend"))
    assert cats.read_text() == text  # saved again: nothing added twice


# --------------------------------------------------------------------------- the batch's library


@pytest.fixture
def batch(meshy, emu, monkeypatch):
    monkeypatch.setenv("MESHY_API_KEY", TEST_KEY)
    monkeypatch.setenv("MESHY_BASE_URL", emu.base_url)
    import importlib

    return importlib.import_module(f"{ADDON}.batch")


READ_LIBRARY = textwrap.dedent("""
    import bpy, json, sys
    from array import array
    bpy.ops.wm.open_mainfile(filepath=sys.argv[-1])
    out = []
    for o in bpy.data.objects:
        d = o.asset_data
        size, px = (0, 0), []
        if o.preview is not None:
            size = tuple(o.preview.image_size)
            px = array("f", bytes(16 * size[0] * size[1]))
            o.preview.image_pixels_float.foreach_get(px)
        out.append({"name": o.name, "asset": d is not None, "catalog": d.catalog_id if d else "",
                    "description": d.description if d else "", "tags": [t.name for t in d.tags] if d else [],
                    "size": list(size), "spread": (max(px[0::4]) - min(px[0::4])) if len(px) else 0.0,
                    "images_packed": all(i.packed_file is not None for i in bpy.data.images if i.source == "FILE")})
    print("LIBRARY " + json.dumps(out))
""")


def read_library(path: Path) -> list[dict]:
    """The library .blend opened in a fresh Blender (the same bpy, another process)."""
    done = subprocess.run([sys.executable, "-c", READ_LIBRARY, str(path)], capture_output=True, text=True,
                          timeout=120, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("LIBRARY "))
    return json.loads(line[len("LIBRARY "):])


def test_batch_asset_library_is_written_read_back_and_appended(batch, emu, tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    write_png(images / "crate.png", (180, 90, 30))
    write_png(images / "lamp.png", (40, 120, 200))
    library = tmp_path / "library"
    argv = ["image-to-3d", str(images / "*.png"), "--out", str(tmp_path / "out"), "--asset-library", str(library),
            "--texture-prompt", "weathered wood"]
    assert batch.main(argv) == 0
    blend = library / "meshy_results.blend"
    assert blend.is_file() and not list(library.glob(".*tmp"))
    first = read_library(blend)
    assets = [a for a in first if a["asset"]]
    assert sorted(a["name"].split("_")[0] for a in assets) == ["crate", "lamp"]
    for a in assets:
        assert a["catalog"] == catalog_uuid("image-to-3d")
        assert "weathered wood" in a["description"] and "task " in a["description"]
        assert {"meshy", "image-to-3d"} <= set(a["tags"])
        assert a["size"][0] >= 32 and a["spread"] > 0.1, a
        assert a["images_packed"]
    # The result's own .blend holds the asset too.
    assert all(o.asset_data is None for o in bpy.data.objects)  # the batch's scene is empty again
    # A second batch, another kind, into the same library: appended, one catalog per kind.
    models = tmp_path / "models"
    models.mkdir()
    import trimesh

    trimesh.creation.box(extents=(1, 1, 1)).export(models / "block.glb")
    argv2 = ["remesh", str(models / "block.glb"), "--out", str(tmp_path / "out2"), "--asset-library", str(library),
             "--target-polycount", "200"]
    assert batch.main(argv2) == 0
    second = [a for a in read_library(blend) if a["asset"]]
    assert len(second) == 3
    assert sorted(a["catalog"] for a in second) == sorted([catalog_uuid("image-to-3d")] * 2 + [catalog_uuid("remesh")])
    cats = (library / "blender_assets.cats.txt").read_text().splitlines()
    assert cats.count("VERSION 1") == 1
    lines = [c for c in cats if c and not c.startswith("#") and c != "VERSION 1"]
    assert sorted(line.split(":")[1] for line in lines) == ["Meshy", "Meshy/Image to 3D", "Meshy/Remesh"]
    # The same command again: everything was done, nothing is added twice.
    assert batch.main(argv) == 0
    assert len([a for a in read_library(blend) if a["asset"]]) == 3
    assert not list((tmp_path / "out" / "asset_staging").glob("*.blend"))


def test_batch_asset_library_refusals(batch, tmp_path, capsys):
    image = write_png(tmp_path / "a.png")
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    out = str(tmp_path / "o")
    assert batch.main(["image-to-3d", image, "--out", out, "--asset-library", str(not_a_folder)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert batch.main(["image-to-3d", image, "--out", out, "--asset-library", str(tmp_path / "l"),
                       "--no-mark-assets"]) == 2
    assert "drop --no-mark-assets" in capsys.readouterr().err
