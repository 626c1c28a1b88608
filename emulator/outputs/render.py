"""Orthographic flat-shaded thumbnails drawn with Pillow (RGB and transparent RGBA)."""

from __future__ import annotations

import numpy as np
import trimesh
from PIL import Image, ImageDraw

from .meshes import decimate

MAX_DRAWN_FACES = 6000


def thumbnail(mesh: trimesh.Trimesh, size: int = 256, alpha: bool = False,
              color: tuple[int, int, int] = (190, 170, 150)) -> Image.Image:
    """Front view (Y up, looking down -Z), painter's algorithm, lit from the upper left."""
    if len(mesh.faces) > MAX_DRAWN_FACES:
        mesh = decimate(mesh, MAX_DRAWN_FACES)
    bg = (0, 0, 0, 0) if alpha else (235, 235, 240, 255)
    img = Image.new("RGBA", (size, size), bg)
    v = np.asarray(mesh.vertices, dtype=np.float64)
    f = np.asarray(mesh.faces)
    if len(f) == 0:
        return img if alpha else img.convert("RGB")
    lo, hi = v.min(axis=0), v.max(axis=0)
    span = max(float((hi - lo)[:2].max()), 1e-9)
    scale = size * 0.85 / span
    centre = (lo + hi) / 2
    px = (v[:, 0] - centre[0]) * scale + size / 2
    py = size / 2 - (v[:, 1] - centre[1]) * scale
    tri = v[f]
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    norm = np.linalg.norm(normals, axis=1)
    norm[norm == 0] = 1
    normals /= norm[:, None]
    light = np.array([-0.4, 0.6, 0.7])
    light /= np.linalg.norm(light)
    shade = 0.3 + 0.7 * np.abs(normals @ light)
    order = np.argsort(tri[:, :, 2].mean(axis=1))  # far (low z) first
    draw = ImageDraw.Draw(img)
    base = np.array(color, dtype=np.float64)
    for i in order:
        a, b, c = f[i]
        col = tuple(int(x) for x in base * shade[i]) + (255,)
        draw.polygon([(px[a], py[a]), (px[b], py[b]), (px[c], py[c])], fill=col)
    return img if alpha else img.convert("RGB")
