"""Orthographic flat-shaded thumbnails drawn with Pillow (RGB and transparent RGBA)."""

from __future__ import annotations

import numpy as np
import trimesh
from PIL import Image, ImageDraw

from .meshes import decimate

MAX_DRAWN_FACES = 6000
THREE_QUARTER = (-35.0, 20.0)  # yaw, pitch in degrees: a front-left view from a little above
VIEWS = {"front": 0.0, "right": 90.0, "back": 180.0, "left": 270.0}  # yaw that shows each side of a +Z-facing model


def _turned(v: np.ndarray, yaw: float, pitch: float) -> np.ndarray:
    """Turn the model about Y by `yaw`, then tip it towards the viewer by `pitch` (seen from above)."""
    a, b = np.radians(yaw), np.radians(pitch)
    x = v[:, 0] * np.cos(a) + v[:, 2] * np.sin(a)
    z = -v[:, 0] * np.sin(a) + v[:, 2] * np.cos(a)
    y = v[:, 1] * np.cos(b) - z * np.sin(b)
    z = v[:, 1] * np.sin(b) + z * np.cos(b)
    return np.column_stack([x, y, z])


def thumbnail(mesh: trimesh.Trimesh, size: int = 256, alpha: bool = False,
              color: tuple[int, int, int] = (190, 170, 150), turn: tuple[float, float] = (0.0, 0.0),
              face_colors: np.ndarray | None = None, lift: np.ndarray | None = None,
              background: tuple[int, int, int] = (235, 235, 240)) -> Image.Image:
    """Front view (Y up, looking down -Z) unless `turn` (yaw, pitch) says otherwise; painter's algorithm,
    lit from the upper left. `face_colors` (F, 3) paints each face (meshes that large are drawn whole);
    `lift` (F,) brings faces that much nearer in the drawing order (decals over what they sit on)."""
    if face_colors is None and len(mesh.faces) > MAX_DRAWN_FACES:
        mesh = decimate(mesh, MAX_DRAWN_FACES)
    bg = (0, 0, 0, 0) if alpha else (*background, 255)
    img = Image.new("RGBA", (size, size), bg)
    v = np.asarray(mesh.vertices, dtype=np.float64)
    if turn != (0.0, 0.0):
        v = _turned(v, *turn)
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
    depth = tri[:, :, 2].mean(axis=1)
    if lift is not None and face_colors is not None:
        depth = depth + np.asarray(lift, dtype=np.float64)
    order = np.argsort(depth)  # far (low z) first
    draw = ImageDraw.Draw(img)
    base = np.asarray(face_colors, dtype=np.float64) if face_colors is not None else \
        np.broadcast_to(np.array(color, dtype=np.float64), (len(f), 3))
    for i in order:
        a, b, c = f[i]
        col = tuple(int(x) for x in base[i] * shade[i]) + (255,)
        draw.polygon([(px[a], py[a]), (px[b], py[b]), (px[c], py[c])], fill=col)
    return img if alpha else img.convert("RGB")
