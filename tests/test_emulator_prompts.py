"""Results look like their prompt: colour words and materials drive base colour, pattern and PBR maps."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest
import requests
from PIL import Image
from test_emulator_api import FAST, create, model_uri, png_uri, wait

from emulator import Emulator

DEMO = "painted ceramic, red glaze with cream spots"
GUI = "mossy stone with red lichen"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    e = Emulator(**FAST).start()
    yield e
    e.stop()


def maps_for(emu: Emulator, prompt: str) -> dict[str, np.ndarray]:
    task = wait(emu, "retexture", create(emu, "retexture", {"model_url": model_uri(), "text_style_prompt": prompt,
                                                          "enable_pbr": True, "target_formats": ["glb"]}))
    assert task["status"] == "SUCCEEDED", task
    out = {}
    for key, url in task["texture_urls"][0].items():
        img = Image.open(io.BytesIO(requests.get(url, timeout=10).content))
        out[key] = np.asarray(img.convert("RGB" if key in ("base_color", "normal", "emission") else "L"),
                              dtype=float)
    return out



def test_demo_prompt_is_red_glaze_with_cream_spots(emu: Emulator) -> None:
    m = maps_for(emu, DEMO)
    rgb = m["base_color"].reshape(-1, 3)
    r, g, b = rgb.T
    red = (r > 170) & (g < 80) & (b < 80)
    cream = (r > 225) & (g > 215) & (b > 170) & (b < g)
    assert red.mean() > 0.6 and 0.08 < cream.mean() < 0.4, (red.mean(), cream.mean())
    assert ((g > r) & (g > b)).mean() < 0.01  # no green anywhere
    assert m["roughness"].mean() < 0.3 * 255 and m["metallic"].mean() < 10  # glaze: smooth, not metal


def test_gui_prompt_is_grey_green_stone_with_red_lichen(emu: Emulator) -> None:
    m = maps_for(emu, GUI)
    rgb = m["base_color"].reshape(-1, 3)
    r, g, b = rgb.T
    red = (r > 180) & (g < 90) & (b < 90)
    stone = (g >= r) & (g >= b) & (rgb.max(axis=1) - rgb.min(axis=1) < 60)  # grey with a green cast
    pink = (r > 180) & (b > 110) & (g > 90) & (r > g + 40)
    assert stone.mean() > 0.55 and 0.1 < red.mean() < 0.4, (stone.mean(), red.mean())
    assert pink.mean() < 0.01
    assert m["roughness"].mean() > 0.8 * 255  # rough stone
    glaze = maps_for(emu, DEMO)
    assert m["normal"][..., 0].std() > 1.5 * glaze["normal"][..., 0].std()  # the stone has more relief


@pytest.mark.parametrize(("prompt", "metal", "rough_max"), [("polished bronze statue", True, 0.25),
                                                            ("gold", True, 0.4), ("rusty iron", True, 1.0),
                                                            ("dark red leather", False, 0.8)])
def test_materials_set_metallic_and_roughness(emu: Emulator, prompt: str, metal: bool, rough_max: float) -> None:
    m = maps_for(emu, prompt)
    assert (m["metallic"].mean() > 0.6 * 255) == metal, m["metallic"].mean()
    assert m["roughness"].mean() <= rough_max * 255


def test_colour_names_and_shades(emu: Emulator) -> None:
    sky = maps_for(emu, "sky blue plastic")["base_color"].reshape(-1, 3).mean(axis=0)
    assert np.allclose(sky, (135, 206, 235), atol=20)  # CSS skyblue
    dark = maps_for(emu, "dark red plastic")["base_color"].reshape(-1, 3).mean(axis=0)
    assert dark[0] < 160 and dark[0] > 3 * dark[1]


def test_same_prompt_same_maps(emu: Emulator) -> None:
    a, b = maps_for(emu, GUI), maps_for(emu, GUI)
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_image_to_image_prompt_colour(emu: Emulator) -> None:
    body = {"ai_model": "nano-banana", "prompt": "make it blue",
            "reference_image_urls": [png_uri((96, 96), color=(200, 200, 200))]}
    task = wait(emu, "image-to-image", create(emu, "image-to-image", body))
    img = Image.open(io.BytesIO(requests.get(task["image_urls"][0], timeout=10).content)).convert("RGB")
    r, g, b = np.asarray(img, dtype=float).reshape(-1, 3).mean(axis=0)
    assert b > r + 30 and b > g + 30
