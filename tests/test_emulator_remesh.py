"""The emulator's remesh is real retopology: quads from Instant Meshes, triangles up or down to the target."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests
import trimesh
from PIL import Image
from test_emulator_api import FAST, create, model_uri, wait

from emulator import Emulator

ROOT = Path(__file__).resolve().parents[1]
MUSHROOM = ROOT / "tools" / "demo_assets" / "mushroom.png"


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
    r = requests.get(url, timeout=60)
    assert r.status_code == 200, r.text
    return r.content


def obj_face_sizes(text: str) -> np.ndarray:
    return np.array([len(line.split()) - 1 for line in text.splitlines() if line.startswith("f ")])


def glb_triangles(url: str) -> int:
    scene = trimesh.load(io.BytesIO(fetch(url)), file_type="glb", process=False)
    return sum(len(g.faces) for g in scene.geometry.values())


def lumpy_blob() -> trimesh.Trimesh:
    """Bunny-like: an organic closed surface with bumps of several sizes."""
    blob = trimesh.creation.icosphere(subdivisions=4)
    v = blob.vertices
    bumps = 0.18 * np.sin(3 * v[:, 0]) * np.cos(2 * v[:, 1]) + 0.08 * np.sin(7 * v[:, 2] + 1.0)
    blob.vertices = v * (1.0 + bumps)[:, None] * np.array([1.0, 0.8, 0.7])
    return blob


def mushroom_task(emu: Emulator) -> str:
    uri = "data:image/png;base64," + base64.b64encode(MUSHROOM.read_bytes()).decode()
    return run(emu, "image-to-3d", {"image_url": uri, "target_formats": ["glb"]})["id"]


@pytest.mark.parametrize(("name", "target"), [("torus", 1000), ("blob", 2000), ("mushroom", 1500)])
def test_quad_remesh_is_quad_dominant_near_the_target(emu: Emulator, name: str, target: int) -> None:
    blob = lumpy_blob()
    source = {"torus": lambda: {"model_url": model_uri(trimesh.creation.torus(1.0, 0.35))},
              "blob": lambda: {"model_url": model_uri(blob)},
              "mushroom": lambda: {"input_task_id": mushroom_task(emu)}}[name]()
    task = run(emu, "remesh", {**source, "topology": "quad", "target_polycount": target,
                               "target_formats": ["glb", "obj"]})
    sizes = obj_face_sizes(fetch(task["model_urls"]["obj"]).decode())
    assert abs(len(sizes) / target - 1) <= 0.10, (name, len(sizes))  # within 10 % of the target
    assert np.mean(sizes == 4) >= 0.9 and sizes.max() <= 4, np.bincount(sizes)
    scene = trimesh.load(io.BytesIO(fetch(task["model_urls"]["glb"])), file_type="glb")
    out = next(iter(scene.geometry.values()))
    assert len(out.faces) == int((sizes - 2).sum())  # the GLB: the same faces, fanned into triangles
    if name == "blob":  # the same shape, not just the same count
        assert np.allclose(out.bounds, blob.bounds, atol=0.03 * float(np.ptp(blob.bounds)))
        assert abs(out.volume / blob.volume - 1) < 0.05


def test_triangle_remesh_reaches_the_target_from_below_and_above(emu: Emulator) -> None:
    sphere = trimesh.creation.icosphere(subdivisions=4)
    keep = sphere.faces[:1153]  # a 2,306-triangle soup: every triangle its own corners, twice
    tri = sphere.vertices[np.vstack([keep, keep[:, ::-1]])]
    soup = trimesh.Trimesh(vertices=tri.reshape(-1, 3), faces=np.arange(len(tri) * 3).reshape(-1, 3), process=False)
    assert len(soup.faces) == 2306
    down = run(emu, "remesh", {"model_url": model_uri(soup, "stl"), "target_polycount": 1000})
    assert abs(glb_triangles(down["model_urls"]["glb"]) - 1000) <= 50
    small = trimesh.creation.icosphere(subdivisions=3)  # 1,280 triangles
    small = trimesh.Trimesh(*trimesh.remesh.subdivide(small.vertices, small.faces))
    few = trimesh.Trimesh(small.vertices, small.faces[:500])  # a 500-face patch
    up = run(emu, "remesh", {"model_url": model_uri(few), "target_polycount": 5000})
    assert abs(glb_triangles(up["model_urls"]["glb"]) - 5000) <= 250  # faces added to reach it
    cube = run(emu, "remesh", {"model_url": model_uri(trimesh.creation.box()), "target_polycount": 600,
                               "target_formats": ["obj"]})
    sizes = obj_face_sizes(fetch(cube["model_urls"]["obj"]).decode())
    assert set(sizes.tolist()) == {3} and abs(len(sizes) - 600) <= 30


def test_image_to_3d_with_quad_remesh(emu: Emulator) -> None:
    uri = "data:image/png;base64," + base64.b64encode(MUSHROOM.read_bytes()).decode()
    task = run(emu, "image-to-3d", {"image_url": uri, "should_remesh": True, "topology": "quad",
                                    "target_polycount": 800, "target_formats": ["glb", "obj"]})
    sizes = obj_face_sizes(fetch(task["model_urls"]["obj"]).decode())
    assert abs(len(sizes) / 800 - 1) <= 0.10 and np.mean(sizes == 4) >= 0.9
    assert task["texture_urls"][0]["base_color"] and "vt " in fetch(task["model_urls"]["obj"]).decode()


def test_textures_of_a_many_part_upload_survive_remesh(emu: Emulator) -> None:
    parts = []
    for i, colour in enumerate([(230, 30, 30), (30, 30, 230)]):
        part = trimesh.creation.icosphere(subdivisions=3)
        part.apply_translation([3.0 * i, 0, 0])
        tex = trimesh.visual.material.PBRMaterial(baseColorTexture=Image.new("RGB", (16, 16), colour))
        part.visual = trimesh.visual.TextureVisuals(uv=np.full((len(part.vertices), 2), 0.5), material=tex)
        parts.append(part)
    glb = trimesh.Scene(parts).export(file_type="glb")
    task = run(emu, "remesh", {"model_url": "data:application/octet-stream;base64," + base64.b64encode(glb).decode(),
                               "target_polycount": 1000})
    out = next(iter(trimesh.load(io.BytesIO(fetch(task["model_urls"]["glb"])), file_type="glb").geometry.values()))
    tex = np.asarray(out.visual.material.baseColorTexture.convert("RGB"), dtype=float)
    uv = np.clip(out.visual.uv, 0, 0.999)
    colour = tex[((1 - uv[:, 1]) * tex.shape[0]).astype(int), (uv[:, 0] * tex.shape[1]).astype(int)]
    left = out.vertices[:, 0] < 1.5
    assert (colour[left, 0] > colour[left, 2]).all() and (colour[~left, 2] > colour[~left, 0]).all()
