"""Refine's texturing of a prompt-built preview: the prompt's material on the main parts, each other part its colour.

The atlas is the style's maps (textures.make_maps, as retexture draws them) in its upper 7/8,
read through spherical UVs, and a strip of flat colour cells below for the other parts (a
mushroom's stem and spots, a knight's tabard, a robot's eyes). A prompt that names no colour
or material keeps every part's own colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from PIL import Image

from . import meshes
from .polymesh import PolyMesh
from .transfer import closest_points

STRIP = 0.125  # share of the atlas height holding the flat colour cells
FLAT = {"metallic": 0, "roughness": 178, "normal": (128, 128, 255), "emission": (0, 0, 0)}


@dataclass
class FacePaint:
    """Per polygon of a model: its part's colour and whether it takes the prompt's look."""

    colors: np.ndarray  # (F, 3) uint8
    main: np.ndarray  # (F,) bool


def carried(source: trimesh.Trimesh, colors: np.ndarray, main: np.ndarray, target: PolyMesh) -> FacePaint:
    """The part of each face of a remeshed `target`: that of the closest source triangle to its centre."""
    faces = np.asarray(source.faces)
    ids, _ = closest_points(np.asarray(source.vertices)[faces], target.centroids())
    return FacePaint(colors[ids], main[ids])


def atlas(poly: PolyMesh, paint: FacePaint, maps: dict[str, Image.Image], understood: bool) -> \
        tuple[np.ndarray, dict[str, Image.Image]]:
    """Per-corner UVs and the maps laid out as above; `understood`: the prompt gave a colour or a material."""
    styled = paint.main if understood else np.zeros(len(paint.main), dtype=bool)
    flat_colors = paint.colors[~styled]
    cells, cell_of = np.unique(flat_colors.reshape(-1, 3), axis=0, return_inverse=True) if len(flat_colors) else \
        (np.zeros((0, 3), dtype=np.uint8), np.zeros(0, dtype=np.int64))
    sphere = meshes.unwrap_seam(meshes.spherical_uv(poly.vertices)[poly.corners], poly.sizes)
    uv = np.column_stack([sphere[:, 0], STRIP + (1.0 - STRIP) * sphere[:, 1]])
    corner_styled = np.repeat(styled, poly.sizes)
    n = max(1, len(cells))
    face_cell = np.zeros(len(styled), dtype=np.int64)
    face_cell[~styled] = cell_of.ravel()
    centre = np.column_stack([(face_cell + 0.5) / n, np.full(len(styled), STRIP / 2)])
    uv[~corner_styled] = np.repeat(centre, poly.sizes, axis=0)[~corner_styled]
    return uv, {key: _laid_out(key, img, cells) for key, img in maps.items()}


def _laid_out(key: str, img: Image.Image, cells: np.ndarray) -> Image.Image:
    w, h = img.size
    strip = max(8, int(round(h * STRIP)))
    out = Image.new(img.mode, (w, h))
    out.paste(img.resize((w, h - strip)), (0, 0))
    n = max(1, len(cells))
    for i in range(n):
        if key == "base_color":
            fill = tuple(int(c) for c in cells[i]) if len(cells) else (200, 200, 200)
        else:
            fill = FLAT.get(key, 0)
        box = (int(i * w / n), h - strip, int((i + 1) * w / n), h)
        out.paste(Image.new(img.mode, (box[2] - box[0], strip), fill), box[:2])
    return out


def face_colors(poly: PolyMesh, paint: FacePaint, base: tuple[int, int, int], understood: bool) -> np.ndarray:
    """Each triangle's colour for a thumbnail of the painted model (polygons fanned in order)."""
    per_face = paint.colors.astype(np.float64).copy()
    if understood:
        per_face[paint.main] = base
    return np.repeat(per_face, poly.sizes - 2, axis=0)
