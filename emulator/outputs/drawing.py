"""Text to Image's pictures: the prompt's noun built from parts (outputs/shapes.py), in its colours, drawn flat-shaded.

"a blue robot" is a blue robot figure on a plain background; a multi-view set is the same
subject from the front, the back and the right (the order image-to-image's views have here:
front, back, side), so it chains into multi-image-to-3d as front and back.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from . import render, shapes, style

BACKGROUND = (246, 246, 244)
PICTURE = (-30.0, 12.0)  # a three-quarter view from a little above: how one pictures a thing
MULTI_VIEW = (("front", (0.0, 6.0)), ("back", (180.0, 6.0)), ("right", (90.0, 6.0)))
LONG_SIDE = 512
RATIOS = {"1:1": (1, 1), "16:9": (16, 9), "9:16": (9, 16), "4:3": (4, 3), "3:4": (3, 4), "3:2": (3, 2), "2:3": (2, 3)}


def canvas_size(aspect_ratio: str) -> tuple[int, int]:
    """Width and height for an aspect ratio, the long side LONG_SIDE pixels."""
    w, h = RATIOS[aspect_ratio]
    scale = LONG_SIDE / max(w, h)
    return round(w * scale), round(h * scale)


def colours(prompt: str, shape: shapes.Shape) -> np.ndarray:
    """Each face's colour: the prompt's (a named colour or a material's) on the main parts, the parts' own elsewhere."""
    look = style.from_prompt(prompt)
    out = shape.colors.astype(np.float64).copy()
    if look.understood:
        out[shape.main] = look.base
    return out


def draw(prompt: str, size: tuple[int, int] = (LONG_SIDE, LONG_SIDE), pose: str = "",
         turn: tuple[float, float] = PICTURE, alpha: bool = False) -> Image.Image:
    """The prompt's subject, centred, filling most of the picture; RGBA with a clear background when `alpha`."""
    shape = shapes.build(prompt, pose=pose, faces=None)
    side = min(size)
    subject = render.thumbnail(shape.mesh, size=side, alpha=True, turn=turn, face_colors=colours(prompt, shape),
                               lift=shape.lift())
    picture = Image.new("RGBA", size, (0, 0, 0, 0) if alpha else (*BACKGROUND, 255))
    picture.alpha_composite(subject, ((size[0] - side) // 2, (size[1] - side) // 2))
    return picture if alpha else picture.convert("RGB")


def views(prompt: str, size: tuple[int, int], pose: str = "") -> list[Image.Image]:
    """A multi-view set: front, back, right side."""
    return [draw(prompt, size, pose, turn) for _, turn in MULTI_VIEW]


def cardinal(prompt: str, pose: str = "", side: int = 256) -> dict[str, Image.Image]:
    """multi_view_thumbnails: the subject from the front, right, back and left."""
    return {name: draw(prompt, (side, side), pose, (yaw, 6.0)) for name, yaw in render.VIEWS.items()}
