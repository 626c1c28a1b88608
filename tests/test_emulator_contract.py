"""The emulator answers like Meshy: one test per mismatch found by running third-party clients against it."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Iterator

import numpy as np
import pytest
import requests
import trimesh
from PIL import Image
from test_emulator_api import FAST, KEY, create, model_uri, png_uri, post, read_sse, wait

from emulator import Emulator, convert

NEEDS_BPY = pytest.mark.skipif(not convert.available(), reason="bpy is not importable in this Python")


@pytest.fixture
def emu() -> Iterator[Emulator]:
    e = Emulator(**FAST).start()
    yield e
    e.stop()


def run(emu: Emulator, kind: str, body: dict, timeout: float = 60) -> dict:
    task = wait(emu, kind, create(emu, kind, body), timeout)
    assert task["status"] == "SUCCEEDED", task
    return task


def fetch(url: str) -> bytes:
    r = requests.get(url, timeout=120)
    assert r.status_code == 200, r.text
    return r.content


def data_uri(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def glb_mesh(url: str) -> trimesh.Trimesh:
    scene = trimesh.load(io.BytesIO(fetch(url)), file_type="glb", process=False)
    (mesh,) = scene.geometry.values()
    return mesh


def halves_sphere() -> trimesh.Trimesh:
    """A sphere whose texture is red where x < 0 and blue where x > 0 (UVs from the position)."""
    sphere = trimesh.creation.icosphere(subdivisions=4)
    x = sphere.vertices[:, 0]
    uv = np.column_stack([(x + 1) / 2, (sphere.vertices[:, 1] + 1) / 2])
    tex = np.zeros((64, 64, 3), dtype=np.uint8)
    tex[:, :32] = (220, 20, 20)
    tex[:, 32:] = (20, 20, 220)
    normal = Image.new("RGB", (32, 32), (128, 128, 255))
    packed = Image.new("RGB", (32, 32), (0, 200, 30))  # roughness 200, metallic 30
    sphere.visual = trimesh.visual.TextureVisuals(uv=uv, material=trimesh.visual.material.PBRMaterial(
        baseColorTexture=Image.fromarray(tex), normalTexture=normal, metallicRoughnessTexture=packed))
    return sphere


def test_remesh_keeps_textures_on_the_new_surface(emu: Emulator) -> None:
    task = run(emu, "remesh", {"model_url": model_uri(halves_sphere()), "topology": "quad",
                               "target_polycount": 800})
    maps = task["texture_urls"][0]
    assert {"base_color", "metallic", "roughness", "normal"} <= set(maps)
    out = glb_mesh(task["model_urls"]["glb"])
    tex = np.asarray(out.visual.material.baseColorTexture.convert("RGB"), dtype=float)
    uv = np.clip(out.visual.uv, 0, 0.999)
    colour = tex[((1 - uv[:, 1]) * tex.shape[0]).astype(int), (uv[:, 0] * tex.shape[1]).astype(int)]
    x = out.vertices[:, 0]
    left, right = x < -0.1, x > 0.1
    assert (colour[left, 0] > colour[left, 2]).mean() > 0.97  # red where the source was red
    assert (colour[right, 2] > colour[right, 0]).mean() > 0.97
    rough = np.asarray(Image.open(io.BytesIO(fetch(maps["roughness"]))).convert("L"), dtype=float)
    assert abs(rough.mean() - 200) < 3


def test_remesh_of_a_textured_task_keeps_its_maps(emu: Emulator) -> None:
    rt = run(emu, "retexture", {"model_url": model_uri(trimesh.creation.icosphere(subdivisions=3)),
                                "text_style_prompt": "gold", "enable_pbr": True, "target_formats": ["glb"]})
    rm = run(emu, "remesh", {"input_task_id": rt["id"], "target_polycount": 300})
    assert set(rm["texture_urls"][0]) == set(rt["texture_urls"][0])
    base = Image.open(io.BytesIO(fetch(rm["texture_urls"][0]["base_color"]))).convert("RGB")
    r, g, b = np.asarray(base, dtype=float).reshape(-1, 3).mean(axis=0)
    assert r > b + 80 and g > b + 50  # still gold
    assert glb_mesh(rm["model_urls"]["glb"]).visual.material.baseColorTexture is not None


def test_untextured_result_has_empty_texture_urls(emu: Emulator) -> None:
    task = run(emu, "remesh", {"model_url": model_uri(), "target_polycount": 200})
    assert task["texture_urls"] == []
    i23 = run(emu, "image-to-3d", {"image_url": png_uri(), "should_texture": False, "target_formats": ["glb"]})
    assert i23["texture_urls"] == []


def test_every_requested_format_is_a_real_file(emu: Emulator) -> None:
    formats = ["glb", "obj", "fbx", "stl", "usdz", "blend", "3mf"]
    if not convert.available():
        formats = ["glb", "obj", "stl", "3mf"]
    task = run(emu, "remesh", {"model_url": model_uri(trimesh.creation.torus(1.0, 0.35)), "topology": "quad",
                               "target_polycount": 600, "target_formats": formats})
    urls = task["model_urls"]
    assert set(urls) == set(formats) | {"mtl"}
    files = {fmt: fetch(urls[fmt]) for fmt in urls}
    assert files["glb"][:4] == b"glTF" and files["obj"].startswith(b"# Meshy") and b"newmtl" in files["mtl"]
    assert len(trimesh.load(io.BytesIO(files["stl"]), file_type="stl").faces) > 1000
    with zipfile.ZipFile(io.BytesIO(files["3mf"])) as z:
        assert "3D/3dmodel.model" in z.namelist()
    if "fbx" not in files:
        return
    assert files["fbx"].startswith(b"Kaydara FBX Binary") and files["blend"][:7] == b"BLENDER"
    with zipfile.ZipFile(io.BytesIO(files["usdz"])) as z:
        assert any(n.endswith((".usdc", ".usda")) for n in z.namelist())
    # That FBX and .blend keep the quads is checked in real Blender: tests/blender/test_emulator_formats.py


@NEEDS_BPY
def test_default_answer_carries_fbx_usdz_and_fbx_uploads_are_read(emu: Emulator) -> None:
    rt = run(emu, "retexture", {"model_url": model_uri(trimesh.creation.icosphere(subdivisions=2)),
                                "text_style_prompt": "red"})
    assert set(rt["model_urls"]) == {"glb", "fbx", "obj", "mtl", "usdz"}  # what real answers carry
    fbx = fetch(rt["model_urls"]["fbx"])  # written by Blender on this first download
    assert fbx.startswith(b"Kaydara FBX Binary")
    remesh = run(emu, "remesh", {"model_url": data_uri(fbx), "target_polycount": 150})
    assert abs(len(glb_mesh(remesh["model_urls"]["glb"]).faces) - 150) <= 10
    again = run(emu, "retexture", {"model_url": rt["model_urls"]["fbx"], "text_style_prompt": "blue",
                                   "target_formats": ["glb"]})  # a URL ending in .fbx
    assert len(glb_mesh(again["model_urls"]["glb"]).faces) == 320
    fake = b"Kaydara FBX Binary  \x00\x1a\x00" + b"\x00" * 64  # an FBX that is not one
    broken = wait(emu, "remesh", create(emu, "remesh", {"model_url": data_uri(fake)}), 60)
    assert broken["status"] == "FAILED" and broken["task_error"]["code"] == "format_conversion_failed"
    assert "FBX" in broken["task_error"]["message"] and broken["consumed_credits"] == 0


def test_input_task_id_wins_over_model_url(emu: Emulator) -> None:
    source = run(emu, "remesh", {"model_url": model_uri(trimesh.creation.box()), "target_polycount": 400})
    body = {"input_task_id": source["id"], "model_url": model_uri(trimesh.creation.icosphere(subdivisions=4)),
            "text_style_prompt": "wood", "target_formats": ["glb"]}
    task = run(emu, "retexture", body)
    assert len(glb_mesh(task["model_urls"]["glb"]).faces) == len(glb_mesh(source["model_urls"]["glb"]).faces)
    rm = run(emu, "remesh", {"input_task_id": task["id"], "model_url": "data:,not even a model",
                             "target_polycount": 200})
    assert rm["status"] == "SUCCEEDED"


def test_style_image_wins_over_text_prompt(emu: Emulator) -> None:
    task = run(emu, "retexture", {"model_url": model_uri(), "text_style_prompt": "bright red",
                                  "image_style_url": png_uri(color=(20, 200, 40)), "target_formats": ["glb"]})
    base = Image.open(io.BytesIO(fetch(task["texture_urls"][0]["base_color"]))).convert("RGB")
    r, g, b = np.asarray(base, dtype=float).reshape(-1, 3).mean(axis=0)
    assert g > r + 40 and g > b + 40


def test_stream_messages_carry_the_whole_object(emu: Emulator) -> None:
    emu.configure(pending_seconds=0.15, run_seconds=0.3)
    task_id = create(emu, "remesh", {"model_url": model_uri(), "target_polycount": 200,
                                     "target_formats": ["glb", "obj"]})
    with requests.get(f"{emu.base_url}/openapi/v1/remesh/{task_id}/stream", headers=KEY, stream=True) as r:
        events, _ = read_sse(r)
    running = [e for _, e in events if e["status"] in ("PENDING", "IN_PROGRESS")]
    assert {"PENDING", "IN_PROGRESS"} <= {e["status"] for e in running}
    for e in running:
        assert e["type"] == "remesh" and e["created_at"] > 0 and "preceding_tasks" in e
        assert e["task_error"] is None and e["model_urls"] == {"glb": "", "obj": "", "mtl": ""}
        assert e["finished_at"] == 0 and e["consumed_credits"] == 5
    pending = next(e for e in running if e["status"] == "PENDING")
    assert pending["started_at"] == 0 and pending["progress"] == 0
    final = events[-1][1]
    assert final["status"] == "SUCCEEDED" and final["model_urls"]["glb"].startswith("http")


@pytest.mark.parametrize("kind", ["remesh", "image-to-3d"])
def test_empty_origin_at_is_accepted(emu: Emulator, kind: str) -> None:
    body = {"remesh": {"model_url": model_uri(), "origin_at": "", "target_polycount": 200},
            "image-to-3d": {"image_url": png_uri(), "origin_at": "", "auto_size": True,
                            "target_formats": ["glb"]}}[kind]
    assert post(emu, kind, body).status_code in (200, 202)
