"""Image-to-image results: deterministic edits of the reference images keyed on the prompt."""

from __future__ import annotations

import hashlib

from PIL import Image, ImageEnhance, ImageOps

from . import style

MAX_SIDE = 512


def _key(prompt: str) -> int:
    return int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:4], "little")


def edit(references: list[Image.Image], prompt: str) -> Image.Image:
    """First reference, tinted towards the prompt's colour or material (else a prompt-keyed tint), other refs inset."""
    key = _key(prompt)
    img = references[0].convert("RGB")
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    look = style.from_prompt(prompt)
    if look.named_color:  # "make it blue": a blue cast, strong enough to see, keeping the picture
        duotone = ImageOps.colorize(ImageOps.grayscale(img), (0, 0, 0), (255, 255, 255), mid=look.base)
        img = Image.blend(duotone, img, 0.35)
    elif look.understood:  # a material ("glossy ceramic"): its colours kept, its finish added
        img = Image.blend(img, Image.new("RGB", img.size, look.base), 0.12)
        img = ImageEnhance.Contrast(img).enhance(1.0 + 0.4 * (1.0 - look.roughness))
        img = ImageEnhance.Color(img).enhance(1.0 + 0.3 * (1.0 - look.roughness))
    else:
        tint = ((key & 0xFF), (key >> 8) & 0xFF, (key >> 16) & 0xFF)
        img = Image.blend(img, Image.new("RGB", img.size, tint), 0.25 + (key % 20) / 100)
        img = ImageEnhance.Contrast(img).enhance(1.1 + (key >> 24) % 5 / 10)
        if (key >> 3) % 2:
            img = ImageOps.posterize(img, 4)
    inset = max(16, img.width // 5)
    for n, ref in enumerate(references[1:]):
        small = ref.convert("RGB")
        small.thumbnail((inset, inset))
        img.paste(small, (img.width - (n + 1) * (inset + 4), 4))
    return img


def views(image: Image.Image) -> list[Image.Image]:
    """Three 'views' for generate_multi_view: front, mirrored, and a turned side view."""
    side = image.transform(image.size, Image.AFFINE, (1.0, 0.3, -0.15 * image.height, 0, 1, 0),
                           resample=Image.BILINEAR, fillcolor=(255, 255, 255))
    return [image, ImageOps.mirror(image), side]
