"""Image-to-3d's mesh: a two-sided relief of the image's silhouette, with front-projection UVs."""

from __future__ import annotations

import numpy as np
import trimesh
from PIL import Image, ImageDraw, ImageFilter


def relief(image: Image.Image, grid: int = 64) -> tuple[trimesh.Trimesh, np.ndarray]:
    """A two-sided relief from the image: height from its silhouette and luminance.

    The height falls smoothly to zero at the silhouette (a blurred mask, rounded
    like a pillow), so front and back meet in a clean edge instead of spikes.
    """
    rgba = image.convert("RGBA")
    aspect = rgba.width / max(1, rgba.height)
    small = rgba.resize((grid, grid), Image.BILINEAR)
    arr = np.asarray(small, dtype=np.float32) / 255.0
    alpha = arr[..., 3]
    if alpha.min() > 0.99:  # opaque: treat colours near the corner colour as background
        corner = arr[0, 0, :3]
        alpha = (np.abs(arr[..., :3] - corner).sum(axis=2) > 0.15).astype(np.float32)
        if alpha.mean() < 0.05:
            alpha[:] = 1.0
    # Holes in the silhouette (spots the colour of the background) are inside too:
    # flood the background from the border and keep everything it does not reach.
    mask = Image.fromarray(np.pad((alpha > 0.5).astype(np.uint8) * 255, 1)).copy()  # writable
    ImageDraw.floodfill(mask, (0, 0), 128)
    inside = np.asarray(mask)[1:-1, 1:-1] != 128
    alpha = np.where(inside, 1.0, alpha)
    mask_img = Image.fromarray((inside * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(grid / 16))
    puff = np.clip(np.asarray(mask_img, dtype=np.float32) / 255.0 * 2.0 - 1.0, 0.0, 1.0)
    lum = arr[..., :3].mean(axis=2)
    height = (0.16 * np.sqrt(puff) + 0.02 * lum * puff) * inside
    ys, xs = np.mgrid[0:grid, 0:grid]
    x = (xs / (grid - 1) - 0.5) * aspect
    y = 1.0 - ys / (grid - 1)
    uv = np.column_stack([(xs / (grid - 1)).ravel(), (1.0 - ys / (grid - 1)).ravel()])
    front = np.column_stack([x.ravel(), y.ravel(), height.ravel()])
    back = np.column_stack([x.ravel(), y.ravel(), -0.5 * height.ravel()])
    idx = np.arange(grid * grid).reshape(grid, grid)
    a, b = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel()
    c, d = idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
    keep = (alpha[:-1, :-1] > 0.5).ravel() | (alpha[1:, 1:] > 0.5).ravel()
    quads = np.column_stack([a, b, c, d])[keep]
    f_front = np.vstack([quads[:, [0, 2, 1]], quads[:, [1, 2, 3]]])
    n = grid * grid
    f_back = np.vstack([quads[:, [0, 1, 2]], quads[:, [1, 3, 2]]]) + n
    mesh = trimesh.Trimesh(vertices=np.vstack([front, back]), faces=np.vstack([f_front, f_back]),
                           process=False)
    used = np.unique(mesh.faces)
    remap = np.full(len(mesh.vertices), -1)
    remap[used] = np.arange(len(used))
    all_uv = np.vstack([uv, uv])[used]
    mesh = trimesh.Trimesh(vertices=mesh.vertices[used], faces=remap[mesh.faces], process=False)
    return mesh, all_uv


def planar_uv(vertices: np.ndarray) -> np.ndarray:
    """Front projection UVs (x, y over the bounds) matching the relief's image mapping."""
    v = np.asarray(vertices)
    lo, hi = v.min(axis=0), v.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    return np.column_stack([(v[:, 0] - lo[0]) / span[0], (v[:, 1] - lo[1]) / span[1]])
