"""Deterministic PBR maps (base colour, metallic, roughness, normal, emission) from a Style.

A pattern mask (spots, patches, veins, bricks...) chooses between the base and
the accent, for colour and for metallic and roughness alike, and raises the
relief the normal map is drawn from, so the maps agree with each other.
"""

from __future__ import annotations

import colorsys
import hashlib
import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .style import Style

PATTERN_RELIEF = {"patches": 0.35, "spots": 0.5, "speckle": 0.3, "bricks": 0.8, "cracks": 0.6, "scales": 0.6,
                  "grain": 0.4, "veins": 0.1, "stripes": 0.2, "checker": 0.2}


def seed_of(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


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


def palette_from_prompt(prompt: str) -> list[tuple[int, int, int]]:
    """Three related colours whose hue comes from the prompt's hash (for prompts with no colour words)."""
    h = (seed_of(prompt) % 360) / 360.0
    cols = []
    for dh, s, v in ((0.0, 0.65, 0.85), (0.08, 0.55, 0.55), (0.5, 0.35, 0.95)):
        r, g, b = colorsys.hsv_to_rgb((h + dh) % 1.0, s, v)
        cols.append((int(r * 255), int(g * 255), int(b * 255)))
    return cols


def height_noise(seed: int, size: int, cells: tuple[int, ...] = (4, 8, 16, 32)) -> np.ndarray:
    """Fractal value noise in 0..1 (octaves of upsampled random grids)."""
    rng = np.random.default_rng(seed)
    acc = np.zeros((size, size), dtype=np.float32)
    amp, total = 1.0, 0.0
    for n in cells:
        grid = (rng.random((n, n)) * 255).astype(np.uint8)
        layer = np.asarray(Image.fromarray(grid).resize((size, size), Image.BICUBIC), dtype=np.float32) / 255.0
        acc += layer * amp
        total += amp
        amp *= 0.5
    acc /= total
    return (acc - acc.min()) / max(1e-6, float(acc.max() - acc.min()))


def _smooth(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _disks(rng: np.random.Generator, size: int, count: int, r_lo: float, r_hi: float) -> np.ndarray:
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    for _ in range(count):
        x, y = rng.random(2) * size
        r = size * (r_lo + (r_hi - r_lo) * rng.random())
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(img.filter(ImageFilter.GaussianBlur(max(0.6, size / 512))), dtype=np.float32) / 255.0


def pattern_mask(pattern: str, seed: int, size: int, noise: np.ndarray) -> np.ndarray:
    """Where the accent shows (0..1) for one pattern, at `size`."""
    rng = np.random.default_rng(seed ^ 0x5EED)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    if pattern == "spots":
        return _disks(rng, size, 60, 0.02, 0.05)
    if pattern == "speckle":
        return _disks(rng, size, size * size // 90, 0.002, 0.005) * 0.8
    if pattern == "patches":
        low = height_noise(seed ^ 0x1A7C, size, (7, 14, 28, 56))
        t = float(np.quantile(low, 0.74))  # about a quarter of the surface
        return _smooth(low, t - 0.02, t + 0.02)
    if pattern == "stripes":
        return _smooth(np.sin((xx + 0.35 * yy) * 2 * np.pi * 8), 0.1, 0.4)
    if pattern == "veins":
        warp = height_noise(seed ^ 0x7E1, size, (2, 4, 8))
        v = np.abs(np.sin((xx * 0.7 + yy * 0.4 + 1.6 * warp) * 2 * np.pi * 3))
        return _smooth(1.0 - v, 0.93, 0.99)
    if pattern == "grain":
        v = (np.sin((yy + 0.06 * noise) * 2 * np.pi * 22 + 9 * noise) + 1) / 2
        return _smooth(v, 0.55, 0.95)
    if pattern == "bricks":
        rows = 12
        row = np.floor(yy * rows)
        u = xx * 6 + 0.5 * (row % 2)
        mortar = np.minimum(np.abs(yy * rows - np.round(yy * rows)), np.abs(u - np.round(u)) * rows / 6)
        return 1.0 - _smooth(mortar, 0.04, 0.08)
    if pattern == "checker":
        return ((np.floor(xx * 8) + np.floor(yy * 8)) % 2).astype(np.float32)
    if pattern == "cracks":
        return _smooth(1.0 - np.abs(noise - 0.5) * 40, 0.3, 1.0)
    if pattern == "scales":
        row = np.floor(yy * 16)
        u = xx * 16 + 0.5 * (row % 2)
        d = np.hypot(u - np.floor(u) - 0.5, yy * 16 - row)
        return _smooth(d, 0.45, 0.6)
    return np.zeros((size, size), dtype=np.float32)  # smooth, noise: the base alone


def normal_map(height: np.ndarray, strength: float = 4.0) -> Image.Image:
    """Tangent-space normal map from the height field's gradient."""
    gy, gx = np.gradient(height.astype(np.float32))
    n = np.dstack([-gx * strength * height.shape[1] / 64, gy * strength * height.shape[0] / 64,
                   np.ones_like(height)])
    n /= np.linalg.norm(n, axis=2, keepdims=True)
    return Image.fromarray(((n * 0.5 + 0.5) * 255).astype(np.uint8), "RGB")


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _gray(values: np.ndarray, size: int) -> Image.Image:
    img = Image.fromarray((np.clip(values, 0, 1) * 255).astype(np.uint8), "L")
    return img if img.size == (size, size) else img.resize((size, size), Image.BILINEAR)


def make_maps(style: Style, *, pbr: bool, emission: bool, size: int = 512, base_size: int | None = None,
              base: Image.Image | None = None) -> dict[str, Image.Image]:
    """All maps for one material; `base` (an image) replaces the generated base colour when given."""
    seed = seed_of(style.key)
    bsize = base_size or size
    work = max(bsize, size)
    noise = height_noise(seed, work)
    mask = pattern_mask(style.pattern, seed, work, noise)[..., None]
    maps: dict[str, Image.Image] = {}
    if base is not None:
        maps["base_color"] = base.convert("RGB").resize((bsize, bsize))
    else:
        grain = 1.0 + (noise[..., None] - 0.5) * (0.12 + 0.3 * style.relief)
        b = np.array(style.base, np.float32) * grain
        a = np.array(style.accent, np.float32) * (1.0 + (noise[..., None] - 0.5) * 0.1)
        img = Image.fromarray(np.clip(b * (1 - mask) + a * mask, 0, 255).astype(np.uint8), "RGB")
        maps["base_color"] = img if work == bsize else img.resize((bsize, bsize), Image.BILINEAR)
    if pbr:
        m = mask[..., 0]
        metal = style.metallic * (1 - m) + style.accent_metallic * m
        rough = style.roughness * (1 - m) + style.accent_roughness * m + (noise - 0.5) * 0.08 * (1 + style.relief)
        maps["metallic"] = _gray(metal, size)
        maps["roughness"] = _gray(rough, size)
        # Relief in one unit for every prompt: rough stone is bumpy, a glaze nearly flat; the
        # pattern is raised (spots, lichen) or sunk (mortar, cracks) in proportion.
        sink = -1.0 if style.pattern in ("cracks", "bricks") else 1.0
        step = PATTERN_RELIEF.get(style.pattern, 0.5) * max(style.relief, 0.15)
        height = style.relief * noise + step * sink * m
        small = Image.fromarray(height.astype(np.float32), "F").resize((size, size), Image.BILINEAR)
        maps["normal"] = normal_map(np.asarray(small, dtype=np.float32), strength=6.0)
        if emission:
            glow = m[..., None] * np.array(style.accent, np.float32) if style.glow else np.zeros((work, work, 3))
            img = Image.fromarray(glow.astype(np.uint8), "RGB")
            maps["emission"] = img if work == size else img.resize((size, size), Image.BILINEAR)
    return maps


def metallic_roughness(maps: dict[str, Image.Image]) -> Image.Image | None:
    """glTF packs roughness in G and metallic in B of one texture."""
    if "metallic" not in maps:
        return None
    r = maps["roughness"].convert("L")
    m = maps["metallic"].convert("L").resize(r.size)
    zero = Image.new("L", r.size, 0)
    return Image.merge("RGB", (zero, r, m))
