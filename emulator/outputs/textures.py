"""Deterministic PBR maps (base colour, metallic, roughness, normal, emission) from a style."""

from __future__ import annotations

import colorsys
import hashlib
import io

import numpy as np
from PIL import Image, ImageFilter


def seed_of(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def palette_from_prompt(prompt: str) -> list[tuple[int, int, int]]:
    """Three related colours whose hue comes from the prompt's hash."""
    h = (seed_of(prompt) % 360) / 360.0
    cols = []
    for dh, s, v in ((0.0, 0.65, 0.85), (0.08, 0.55, 0.55), (0.5, 0.35, 0.95)):
        r, g, b = colorsys.hsv_to_rgb((h + dh) % 1.0, s, v)
        cols.append((int(r * 255), int(g * 255), int(b * 255)))
    return cols


def palette_from_image(img: Image.Image) -> list[tuple[int, int, int]]:
    """The style image's three dominant colours."""
    small = img.convert("RGB").resize((64, 64))
    quant = small.quantize(colors=3, method=Image.Quantize.MEDIANCUT)
    pal = quant.getpalette() or [128] * 9
    counts = sorted(quant.getcolors() or [(1, 0)], reverse=True)
    cols = [tuple(pal[i * 3:i * 3 + 3]) for _, i in counts]
    while len(cols) < 3:
        cols.append(cols[-1] if cols else (128, 128, 128))
    return [(int(c[0]), int(c[1]), int(c[2])) for c in cols[:3]]


def height_noise(seed: int, size: int) -> np.ndarray:
    """Fractal value noise in 0..1 (octaves of upsampled random grids)."""
    rng = np.random.default_rng(seed)
    acc = np.zeros((size, size), dtype=np.float32)
    amp, total = 1.0, 0.0
    for cells in (4, 8, 16, 32):
        grid = (rng.random((cells, cells)) * 255).astype(np.uint8)
        layer = np.asarray(Image.fromarray(grid).resize((size, size), Image.BICUBIC),
                           dtype=np.float32) / 255.0
        acc += layer * amp
        total += amp
        amp *= 0.5
    acc /= total
    return (acc - acc.min()) / max(1e-6, float(acc.max() - acc.min()))


def base_color(palette: list[tuple[int, int, int]], height: np.ndarray, seed: int,
               size: int) -> Image.Image:
    """Palette blended by the height field, plus stripes so the texture is visibly patterned."""
    h = np.asarray(Image.fromarray((height * 255).astype(np.uint8)).resize((size, size)),
                   dtype=np.float32)[..., None] / 255.0
    c0, c1, c2 = (np.array(c, dtype=np.float32) for c in palette)
    img = c1 * (1 - h) + c0 * h
    yy, xx = np.mgrid[0:size, 0:size]
    period = 16 + seed % 48
    stripes = ((xx + yy) // period) % 2 == 0
    img[stripes] = img[stripes] * 0.85 + c2 * 0.15
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def normal_map(height: np.ndarray, strength: float = 4.0) -> Image.Image:
    """Tangent-space normal map from the height field's gradient."""
    gy, gx = np.gradient(height.astype(np.float32))
    n = np.dstack([-gx * strength * height.shape[1] / 64, -gy * strength * height.shape[0] / 64,
                   np.ones_like(height)])
    n /= np.linalg.norm(n, axis=2, keepdims=True)
    return Image.fromarray(((n * 0.5 + 0.5) * 255).astype(np.uint8), "RGB")


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def make_maps(style_key: str, palette: list[tuple[int, int, int]], *, pbr: bool, emission: bool,
              size: int = 512, base_size: int | None = None,
              base: Image.Image | None = None) -> dict[str, Image.Image]:
    """All maps for one material; `base` replaces the generated base colour when given."""
    seed = seed_of(style_key)
    height = height_noise(seed, size)
    maps: dict[str, Image.Image] = {}
    bsize = base_size or size
    maps["base_color"] = base.convert("RGB").resize((bsize, bsize)) if base is not None else \
        base_color(palette, height, seed, bsize)
    if pbr:
        metal = (height > 0.7).astype(np.float32) * 0.9
        maps["metallic"] = Image.fromarray((metal * 255).astype(np.uint8), "L")
        maps["roughness"] = Image.fromarray(((0.35 + 0.6 * (1 - height)) * 255).astype(np.uint8), "L")
        maps["normal"] = normal_map(height)
        if emission:
            glow = (height > 0.92).astype(np.float32)[..., None] * np.array(palette[2], np.float32)
            maps["emission"] = Image.fromarray(glow.astype(np.uint8), "RGB")
    return maps


def metallic_roughness(maps: dict[str, Image.Image]) -> Image.Image | None:
    """glTF packs roughness in G and metallic in B of one texture."""
    if "metallic" not in maps:
        return None
    r = maps["roughness"].convert("L")
    m = maps["metallic"].convert("L").resize(r.size)
    zero = Image.new("L", r.size, 0)
    return Image.merge("RGB", (zero, r, m))


def soften(img: Image.Image) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(1))
