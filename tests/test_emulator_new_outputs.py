"""What the new kinds make, read back from the files: a preview shaped by the prompt's nouns and adjectives,
a refine painted as the prompt says, a multi-image relief with a front and a back, pictures of the prompt.

Over raw HTTP, like a client. Previews stay small (raw parts, or remeshed to a few hundred faces).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import requests
import trimesh
from PIL import Image, ImageDraw
from test_emulator_api import FAST, KEY
from test_emulator_new_kinds import create, run

from emulator import Emulator, convert

NEEDS_BPY = pytest.mark.skipif(not convert.available(), reason="bpy is not importable in this Python")


@pytest.fixture
def emu() -> Iterator[Emulator]:
    e = Emulator(**FAST).start()
    yield e
    e.stop()


def fetch(url: str) -> bytes:
    r = requests.get(url, timeout=120)
    assert r.status_code == 200, r.text
    return r.content


def glb(url: str) -> trimesh.Trimesh:
    return trimesh.load(io.BytesIO(fetch(url)), file_type="glb", force="mesh", process=False)


def picture(url: str) -> Image.Image:
    return Image.open(io.BytesIO(fetch(url)))


def preview(emu: Emulator, prompt: str, **kw: Any) -> dict[str, Any]:
    return run(emu, "text-to-3d", {"mode": "preview", "prompt": prompt, "target_formats": ["glb"], **kw})


def refine(emu: Emulator, preview_id: str, **kw: Any) -> dict[str, Any]:
    return run(emu, "text-to-3d", {"mode": "refine", "preview_task_id": preview_id, "target_formats": ["glb"], **kw})


def face_texels(mesh: trimesh.Trimesh) -> np.ndarray:
    """The base colour under each face's UV centre (glTF: v up from the image's bottom, repeat wrap)."""
    tex = np.asarray(mesh.visual.material.baseColorTexture.convert("RGB"), dtype=np.int64)
    uv = np.asarray(mesh.visual.uv)[mesh.faces].mean(axis=1)
    h, w = tex.shape[:2]
    x = (np.mod(uv[:, 0], 1.0) * (w - 1)).astype(int)
    y = ((1.0 - np.clip(uv[:, 1], 0, 1)) * (h - 1)).astype(int)
    return tex[y, x]


def radial(v: np.ndarray) -> np.ndarray:
    return np.hypot(v[:, 0], v[:, 2])


# --- preview: nouns pick the shape ------------------------------------------------------------

def test_a_tall_red_mushroom_is_a_wide_cap_on_a_narrow_stem(emu: Emulator) -> None:
    task = preview(emu, "a tall red mushroom")
    assert task["texture_urls"] == []
    mesh = glb(task["model_urls"]["glb"])
    assert getattr(mesh.visual.material, "baseColorTexture", None) is None  # untextured
    v = mesh.vertices
    assert v[:, 1].min() == pytest.approx(0, abs=1e-6) and np.ptp(v[:, 1]) == pytest.approx(1.0, abs=1e-3)
    stem, cap = radial(v[v[:, 1] < 0.3]).max(), radial(v[(v[:, 1] > 0.6) & (v[:, 1] < 0.8)]).max()
    assert cap > 2.5 * stem and np.ptp(v[:, 0]) < 0.7  # "tall": narrower than it is high


def test_a_wooden_chair_has_four_legs_a_seat_and_a_back(emu: Emulator) -> None:
    v = glb(preview(emu, "a wooden chair")["model_urls"]["glb"]).vertices
    legs = v[(v[:, 1] > 0.1) & (v[:, 1] < 0.4)]
    assert (np.abs(legs[:, 0]) > 0.15).all() and (np.abs(legs[:, 2]) > 0.13).all()  # nothing under the middle
    assert {(bool(x > 0), bool(z > 0)) for x, _, z in legs} == {(True, True), (True, False), (False, True),
                                                               (False, False)}
    seat = v[(v[:, 1] > 0.44) & (v[:, 1] < 0.48)]
    assert np.ptp(seat[:, 0]) > 0.4 and np.ptp(seat[:, 2]) > 0.4
    above = v[v[:, 1] > 0.6]
    assert (above[:, 2] < -0.15).all()  # only the back rises above the seat, behind it


def test_a_knight_is_a_figure_with_legs_apart_and_arms_by_pose(emu: Emulator) -> None:
    relaxed = glb(preview(emu, "a knight")["model_urls"]["glb"]).vertices
    t_pose = glb(preview(emu, "a knight", pose_mode="t-pose")["model_urls"]["glb"]).vertices
    for v in (relaxed, t_pose):
        assert np.ptp(v, axis=0).max() == pytest.approx(1.0, abs=1e-3) and np.ptp(v[:, 1]) > 0.9
        shins = v[(v[:, 1] > 0.15) & (v[:, 1] < 0.35)]
        assert (np.abs(shins[:, 0]) > 0.02).all() and shins[:, 0].min() < 0 < shins[:, 0].max()  # two legs
        head = v[v[:, 1] > 0.9]
        assert np.ptp(head[:, 0]) < 0.25  # a head (in its helmet) on top, not a block
    assert np.ptp(t_pose[:, 0]) > 0.95 > 0.7 > np.ptp(relaxed[:, 0])  # T-pose: arms straight out


def test_size_and_proportion_words(emu: Emulator) -> None:
    def extents(prompt: str, **kw: Any) -> np.ndarray:
        return np.ptp(glb(preview(emu, prompt, **kw)["model_urls"]["glb"]).vertices, axis=0)

    plain, small, huge = extents("a vase"), extents("a small vase"), extents("a huge vase")
    assert small.max() == pytest.approx(0.6, abs=0.01) and huge.max() == pytest.approx(2.5, abs=0.01)
    assert plain.max() == pytest.approx(1.0, abs=0.01)
    wide, thin = extents("a wide vase"), extents("a thin vase")
    assert wide[0] / wide[1] > 2 * thin[0] / thin[1]
    real = extents("a wooden chair", auto_size=True)
    assert real[1] == pytest.approx(0.95, abs=0.01)  # a chair's real height in metres
    assert extents("a knight", auto_size=True)[1] == pytest.approx(1.85, abs=0.01)
    centred = glb(preview(emu, "a knight", auto_size=True, origin_at="center")["model_urls"]["glb"]).vertices
    assert centred[:, 1].min() == pytest.approx(-centred[:, 1].max(), abs=1e-3)


def test_unknown_words_give_their_own_shape_and_the_same_prompt_the_same_mesh(emu: Emulator) -> None:
    one = glb(preview(emu, "a zorblax quintessence")["model_urls"]["glb"])
    again = glb(preview(emu, "a zorblax quintessence")["model_urls"]["glb"])
    other = glb(preview(emu, "a flumphy wibble")["model_urls"]["glb"])
    assert len(one.faces) > 1000 and np.array_equal(one.vertices, again.vertices)
    assert not np.allclose(np.sort(one.vertices, axis=0), np.sort(other.vertices, axis=0)[:len(one.vertices)])


def test_lowpoly_is_a_few_hundred_flat_faces(emu: Emulator) -> None:
    standard = glb(preview(emu, "a knight")["model_urls"]["glb"])
    low = glb(preview(emu, "a knight", model_type="lowpoly", target_polycount=30000, should_remesh=True)[
        "model_urls"]["glb"])
    assert len(low.faces) < 1500 < 4 * 1500 < len(standard.faces)  # lowpoly ignores should_remesh
    assert len(low.vertices) == 3 * len(low.faces)  # flat shaded: no vertex shared between faces


def test_should_remesh_honours_topology_and_target(emu: Emulator) -> None:
    quads = preview(emu, "a wooden chair", should_remesh=True, topology="quad", target_polycount=600,
                    target_formats=["obj"])
    sizes = [len(line.split()) - 1 for line in fetch(quads["model_urls"]["obj"]).decode().splitlines()
             if line.startswith("f ")]
    assert np.mean(np.array(sizes) == 4) >= 0.9 and 0.8 * 600 <= len(sizes) <= 1.2 * 600
    tris = preview(emu, "a tall red mushroom", should_remesh=True, target_polycount=1500)
    assert abs(len(glb(tris["model_urls"]["glb"]).faces) - 1500) <= 150


def test_thumbnail_shows_the_model(emu: Emulator) -> None:
    shot = np.asarray(picture(preview(emu, "a wooden chair")["thumbnail_url"]).convert("RGB"))
    assert shot.shape == (256, 256, 3)
    subject = (np.abs(shot.astype(int) - shot[0, 0]).sum(axis=2) > 30)
    assert 0.05 < subject.mean() < 0.6 and len(np.unique(shot.reshape(-1, 3), axis=0)) >= 4  # shaded sides


@NEEDS_BPY
def test_default_formats_like_image_to_3d_with_blender_ones_on_first_download(emu: Emulator) -> None:
    task = run(emu, "text-to-3d", {"mode": "preview", "prompt": "a cup", "model_type": "lowpoly"})
    assert set(task["model_urls"]) == {"glb", "fbx", "obj", "mtl", "usdz"}
    assert fetch(task["model_urls"]["fbx"]).startswith(b"Kaydara FBX Binary")


# --- refine: the preview painted --------------------------------------------------------------

def test_refine_paints_the_preview_as_its_prompt_says(emu: Emulator) -> None:
    pv = preview(emu, "a tall red mushroom")
    rf = refine(emu, pv["id"])
    before, after = glb(pv["model_urls"]["glb"]), glb(rf["model_urls"]["glb"])
    assert len(after.faces) == len(before.faces) and np.allclose(after.bounds, before.bounds)
    colours, centres, area = face_texels(after), after.triangles_center, after.area_faces
    cap, stem = centres[:, 1] > 0.75, centres[:, 1] < 0.3
    red = (colours[:, 0] > 150) & (colours[:, 1] < 90)
    assert area[cap & red].sum() > 0.7 * area[cap].sum()  # a red cap (with pale spots)
    assert area[stem & (colours.min(axis=1) > 170)].sum() > 0.9 * area[stem].sum()  # a pale stem
    assert list(rf["texture_urls"][0]) == ["base_color"]


def test_refine_texture_prompt_image_and_their_precedence(emu: Emulator) -> None:
    pv = preview(emu, "a wooden chair")["id"]

    def mean_colour(task: dict[str, Any]) -> np.ndarray:
        return face_texels(glb(task["model_urls"]["glb"])).mean(axis=0)

    buf = io.BytesIO()
    blue = Image.new("RGB", (64, 64), (30, 60, 220))
    ImageDraw.Draw(blue).rectangle((0, 0, 20, 20), fill=(20, 40, 160))
    blue.save(buf, "PNG")
    image = "data:image/png;base64," + __import__("base64").b64encode(buf.getvalue()).decode()
    wood = mean_colour(refine(emu, pv))
    moss = mean_colour(refine(emu, pv, texture_prompt="mossy stone"))
    pictured = refine(emu, pv, texture_image_url=image)
    both = mean_colour(refine(emu, pv, texture_prompt="bright red paint", texture_image_url=image))
    assert wood[0] > wood[2] + 30 and moss[1] > moss[2] + 10 and both[0] > both[2] + 60  # the prompt wins
    assert mean_colour(pictured)[2] > mean_colour(pictured)[0] + 60 and pictured["texture_image_url"]


def test_refine_pbr_hd_and_real_size(emu: Emulator) -> None:
    pv = preview(emu, "a knight")["id"]
    pbr = refine(emu, pv, enable_pbr=True, hd_texture=True, auto_size=True)
    assert set(pbr["texture_urls"][0]) == {"base_color", "metallic", "roughness", "normal", "emission"}
    assert picture(pbr["texture_urls"][0]["base_color"]).size == (1024, 1024)
    assert np.ptp(glb(pbr["model_urls"]["glb"]).vertices[:, 1]) == pytest.approx(1.85, abs=0.01)
    old = refine(emu, pv, enable_pbr=True, ai_model="meshy-5", hd_texture=True)
    assert "emission" not in old["texture_urls"][0] and picture(old["texture_urls"][0]["base_color"]).size == (512, 512)


# --- multi-image to 3d ------------------------------------------------------------------------

def _disc(colour: tuple[int, int, int]) -> str:
    img = Image.new("RGBA", (96, 128), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((6, 6, 90, 122), fill=colour + (255,))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + __import__("base64").b64encode(buf.getvalue()).decode()


def test_multi_image_puts_the_front_view_in_front_and_the_back_view_behind(emu: Emulator) -> None:
    task = run(emu, "multi-image-to-3d", {"image_urls": [_disc((220, 30, 30)), _disc((30, 30, 220))],
                                          "target_formats": ["glb"]})
    mesh = glb(task["model_urls"]["glb"])
    colours, facing = face_texels(mesh), mesh.face_normals[:, 2]
    front, back = colours[facing > 0.5], colours[facing < -0.5]
    assert np.mean(front[:, 0] > front[:, 2] + 100) > 0.85 and np.mean(back[:, 2] > back[:, 0] + 100) > 0.8
    assert task["consumed_credits"] == 30 and "thumbnail_urls" not in task


def test_a_multi_view_picture_set_chains_in_without_an_upload(emu: Emulator) -> None:
    views = run(emu, "text-to-image", {"ai_model": "nano-banana", "prompt": "a blue robot",
                                       "generate_multi_view": True})
    emu.clear_log()
    task = run(emu, "multi-image-to-3d", {"input_task_id": views["id"], "target_formats": ["glb"],
                                          "multi_view_thumbnails": True})
    (sent,) = [r for r in emu.log if r["method"] == "POST"]
    assert sent["body_size"] < 200
    shots = {name: np.asarray(picture(url).convert("RGB")) for name, url in task["thumbnail_urls"].items()}
    assert list(shots) == ["front", "right", "back", "left"]
    assert not np.array_equal(shots["front"], shots["right"])
    mesh = glb(task["model_urls"]["glb"])
    front = face_texels(mesh)[mesh.face_normals[:, 2] > 0.5]
    assert np.mean(front[:, 2] > front[:, 0] + 60) > 0.5  # the robot's blue, from the first view


# --- text to image ----------------------------------------------------------------------------

def _subject(img: Image.Image) -> np.ndarray:
    rgb = np.asarray(img.convert("RGB")).astype(int)
    return rgb[np.abs(rgb - rgb[0, 0]).sum(axis=2) > 40]


def t2i(emu: Emulator, prompt: str, **kw: Any) -> dict[str, Any]:
    return run(emu, "text-to-image", {"ai_model": "nano-banana", "prompt": prompt, **kw})


def test_text_to_image_draws_the_prompt_in_its_colours(emu: Emulator) -> None:
    robot = picture(t2i(emu, "a blue robot")["image_urls"][0])
    assert robot.size == (512, 512) and robot.getpixel((0, 0)) == (246, 246, 244)
    pixels = _subject(robot)
    blue = (pixels[:, 2] > pixels[:, 0] + 80) & (pixels[:, 2] > pixels[:, 1] + 80)
    assert 0.05 < len(pixels) / 512 ** 2 < 0.6 and blue.mean() > 0.6
    mushroom = _subject(picture(t2i(emu, "a red mushroom")["image_urls"][0]))
    assert np.mean((mushroom[:, 0] > 150) & (mushroom[:, 1] < 80)) > 0.3


@pytest.mark.parametrize(("model", "ratio", "size"), [("nano-banana", "16:9", (512, 288)),
                                                      ("nano-banana-pro", "3:4", (384, 512)),
                                                      ("gpt-image-2", "2:3", (341, 512))])
def test_aspect_ratio_sets_the_size(emu: Emulator, model: str, ratio: str, size: tuple[int, int]) -> None:
    task = run(emu, "text-to-image", {"ai_model": model, "prompt": "a cat", "aspect_ratio": ratio})
    assert picture(task["image_urls"][0]).size == size


def test_multi_view_alpha_thumbnail_and_pose(emu: Emulator) -> None:
    task = t2i(emu, "a blue robot", generate_multi_view=True, alpha_thumbnail=True, multi_view_thumbnails=True)
    front, back, side = (picture(u) for u in task["image_urls"])

    def width(img: Image.Image) -> int:
        rgb = np.asarray(img.convert("RGB")).astype(int)
        cols = np.flatnonzero((np.abs(rgb - rgb[0, 0]).sum(axis=2) > 40).any(axis=0))
        return int(cols.max() - cols.min())

    assert not np.array_equal(np.asarray(front), np.asarray(back)) and width(side) < 0.6 * width(front)
    alpha = np.asarray(picture(task["alpha_thumbnail_url"]))
    assert alpha.shape[2] == 4 and alpha[0, 0, 3] == 0 and alpha[128, 128, 3] == 255
    assert set(task["thumbnail_urls"]) == {"front", "right", "back", "left"}
    t_pose = picture(t2i(emu, "a knight", pose_mode="t-pose")["image_urls"][0])
    relaxed = picture(t2i(emu, "a knight")["image_urls"][0])
    assert width(t_pose) > 1.2 * width(relaxed)


def test_a_single_picture_chains_into_image_to_3d(emu: Emulator) -> None:
    picture_task = t2i(emu, "a red apple")
    r = requests.post(emu.base_url + "/openapi/v1/image-to-3d", headers=KEY,
                      json={"input_task_id": picture_task["id"], "target_formats": ["glb"]})
    assert r.status_code == 202
    task_id = r.json()["result"]
    for _ in range(500):
        task = requests.get(f"{emu.base_url}/openapi/v1/image-to-3d/{task_id}", headers=KEY).json()
        if task["status"] == "SUCCEEDED":
            break
    assert task["status"] == "SUCCEEDED"
    assert create(emu, "text-to-image", {"ai_model": "gpt-image-2", "prompt": "a cup", "aspect_ratio": "3:2"})
