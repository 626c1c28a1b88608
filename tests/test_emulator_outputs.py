"""The emulator's outputs are real: decimated meshes, textured GLBs, PBR maps, edited images."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import requests
import trimesh
from PIL import Image
from test_emulator_api import FAST, create, model_uri, png_uri, wait

from emulator import Emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    e = Emulator(**FAST).start()
    yield e
    e.stop()


def fetch(url: str) -> bytes:
    r = requests.get(url)
    assert r.status_code == 200
    return r.content


def glb_meshes(url: str) -> list[trimesh.Trimesh]:
    scene = trimesh.load(io.BytesIO(fetch(url)), file_type="glb", process=False)
    return list(scene.geometry.values())


def run(emu: Emulator, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    task = wait(emu, kind, create(emu, kind, body))
    assert task["status"] == "SUCCEEDED", task
    return task


def test_remesh_really_decimates(emu: Emulator) -> None:
    sphere = trimesh.creation.icosphere(subdivisions=5)  # 20,480 triangles
    task = run(emu, "remesh", {"model_url": model_uri(sphere), "target_polycount": 2000,
                               "target_formats": ["glb", "obj", "stl"], "alpha_thumbnail": True})
    (mesh,) = glb_meshes(task["model_urls"]["glb"])
    assert 1900 <= len(mesh.faces) <= 2100
    assert set(task["model_urls"]) == {"glb", "obj", "mtl", "stl"}
    obj = trimesh.load(io.BytesIO(fetch(task["model_urls"]["obj"])), file_type="obj")
    assert len(obj.faces) == len(mesh.faces)
    thumb = Image.open(io.BytesIO(fetch(task["thumbnail_url"])))
    alpha = Image.open(io.BytesIO(fetch(task["alpha_thumbnail_url"])))
    assert thumb.format == "PNG" and alpha.mode == "RGBA" and alpha.getextrema()[3][0] == 0


def test_remesh_grows_small_meshes_and_decimation_mode(emu: Emulator) -> None:
    box = trimesh.creation.box()
    task = run(emu, "remesh", {"model_url": model_uri(box), "target_polycount": 5000})
    assert abs(len(glb_meshes(task["model_urls"]["glb"])[0].faces) - 5000) <= 250  # faces added, like Meshy
    assert "alpha_thumbnail_url" not in task and set(task["model_urls"]) == {"glb"}
    sphere = trimesh.creation.icosphere(subdivisions=4)  # 5,120
    task = run(emu, "remesh", {"model_url": model_uri(sphere), "decimation_mode": 4,
                               "target_polycount": 100})
    assert 400 <= len(glb_meshes(task["model_urls"]["glb"])[0].faces) <= 600  # 10 %


@pytest.mark.parametrize("fmt", ["obj", "stl"])
def test_remesh_accepts_obj_and_stl(emu: Emulator, fmt: str) -> None:
    sphere = trimesh.creation.icosphere(subdivisions=4)
    task = run(emu, "remesh", {"model_url": model_uri(sphere, fmt), "target_polycount": 1000})
    assert len(glb_meshes(task["model_urls"]["glb"])[0].faces) <= 1000


def test_remesh_resize_height(emu: Emulator) -> None:
    task = run(emu, "remesh", {"model_url": model_uri(), "resize_height": 2.0, "origin_at": "bottom"})
    (mesh,) = glb_meshes(task["model_urls"]["glb"])
    assert mesh.bounds[1][1] - mesh.bounds[0][1] == pytest.approx(2.0, rel=1e-3)
    assert mesh.bounds[0][1] == pytest.approx(0.0, abs=1e-4)


def test_retexture_same_geometry_with_pbr_maps(emu: Emulator) -> None:
    sphere = trimesh.creation.icosphere(subdivisions=3)
    data = sphere.export(file_type="glb")
    source = trimesh.load(io.BytesIO(data), file_type="glb", process=False)
    n_verts = sum(len(g.vertices) for g in source.geometry.values())
    task = run(emu, "retexture", {"model_url": model_uri(sphere), "text_style_prompt": "mossy stone",
                                  "enable_pbr": True, "target_formats": ["glb", "obj"]})
    (mesh,) = glb_meshes(task["model_urls"]["glb"])
    assert len(mesh.faces) == len(sphere.faces)  # same surface; vertices split only at the UV wrap seam
    assert len(np.unique(np.round(mesh.vertices, 5), axis=0)) == len(np.unique(np.round(sphere.vertices, 5), axis=0))
    mat = mesh.visual.material
    assert mat.baseColorTexture is not None and mat.normalTexture is not None
    assert mat.metallicRoughnessTexture is not None and mat.emissiveTexture is not None
    assert mesh.visual.uv is not None and len(mesh.visual.uv) == len(mesh.vertices) >= n_verts
    maps = task["texture_urls"][0]
    assert set(maps) == {"base_color", "metallic", "roughness", "normal", "emission"}
    normal = np.asarray(Image.open(io.BytesIO(fetch(maps["normal"]))).convert("RGB"), dtype=float)
    assert normal[..., 2].mean() > 180 and normal[..., 0].std() > 1  # a real, bumpy normal map
    assert "mtl" in task["model_urls"] and task["text_style_prompt"] == "mossy stone"


def test_retexture_style_image_and_meshy5(emu: Emulator) -> None:
    green = png_uri(color=(20, 200, 40))
    task = run(emu, "retexture", {"model_url": model_uri(), "image_style_url": green, "enable_pbr": True,
                                  "ai_model": "meshy-5", "target_formats": ["glb"]})
    assert "emission" not in task["texture_urls"][0]  # meshy-5 has no emission map
    base = Image.open(io.BytesIO(fetch(task["texture_urls"][0]["base_color"]))).convert("RGB")
    r, g, b = np.asarray(base, dtype=float).reshape(-1, 3).mean(axis=0)
    assert g > r and g > b
    assert fetch(task["image_style_url"]).startswith(b"\x89PNG")


def test_retexture_prompt_changes_colours(emu: Emulator) -> None:
    def colour(prompt: str) -> np.ndarray:
        task = run(emu, "retexture", {"model_url": model_uri(), "text_style_prompt": prompt,
                                      "target_formats": ["glb"]})
        assert set(task["texture_urls"][0]) == {"base_color"}
        img = Image.open(io.BytesIO(fetch(task["texture_urls"][0]["base_color"]))).convert("RGB")
        return np.asarray(img, dtype=float).mean(axis=(0, 1))

    assert np.abs(colour("red dragon scales") - colour("blue ice crystals")).sum() > 10


def test_image_to_3d_textured_mesh(emu: Emulator) -> None:
    task = run(emu, "image-to-3d", {"image_url": png_uri((128, 160)), "enable_pbr": True})
    (mesh,) = glb_meshes(task["model_urls"]["glb"])
    assert 500 < len(mesh.faces) < 20000
    assert mesh.visual.material.baseColorTexture is not None
    assert set(task["model_urls"]) >= {"glb", "obj", "mtl"} and "3mf" not in task["model_urls"]
    assert set(task["texture_urls"][0]) == {"base_color", "metallic", "roughness", "normal", "emission"}
    assert task["consumed_credits"] == 30


def test_image_to_3d_untextured_remeshed(emu: Emulator) -> None:
    task = run(emu, "image-to-3d", {"image_url": png_uri((128, 160)), "should_texture": False,
                                    "should_remesh": True, "target_polycount": 300,
                                    "save_pre_remeshed_model": True, "target_formats": ["glb"]})
    (mesh,) = glb_meshes(task["model_urls"]["glb"])
    assert abs(len(mesh.faces) - 300) <= 15 and task["texture_urls"] == []
    assert set(task["model_urls"]) == {"glb", "pre_remeshed_glb"}
    (pre,) = glb_meshes(task["model_urls"]["pre_remeshed_glb"])
    assert len(pre.faces) > len(mesh.faces)
    assert task["consumed_credits"] == 20


def test_image_to_image_edits_and_chain(emu: Emulator) -> None:
    ref = png_uri((80, 80), color=(200, 200, 200))
    one = run(emu, "image-to-image", {"ai_model": "nano-banana-pro", "prompt": "neon",
                                      "reference_image_urls": [ref, png_uri()]})
    assert one["consumed_credits"] == 9 and len(one["image_urls"]) == 1
    out = Image.open(io.BytesIO(fetch(one["image_urls"][0])))
    assert out.format == "PNG" and out.size == (80, 80)
    multi = run(emu, "image-to-image", {"ai_model": "nano-banana", "prompt": "neon",
                                        "reference_image_urls": [ref], "generate_multi_view": True})
    views = [fetch(u) for u in multi["image_urls"]]
    assert len(set(views)) == 3
    i23 = run(emu, "image-to-3d", {"input_task_id": one["id"], "target_formats": ["glb"]})
    retex = run(emu, "retexture", {"input_task_id": i23["id"], "text_style_prompt": "gold",
                                   "enable_original_uv": True, "target_formats": ["glb"]})
    rem = run(emu, "remesh", {"input_task_id": retex["id"], "target_polycount": 200})
    assert len(glb_meshes(rem["model_urls"]["glb"])[0].faces) <= 200
