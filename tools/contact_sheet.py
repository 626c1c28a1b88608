"""One picture of a run: a row of tiles, each an image with its step and what it cost, laid out with Pillow.

``tools/demo.py`` renders the tiles (Cycles, in the bpy module) and calls
``contact_sheet``; it needs nothing but Pillow, so it can lay out any images::

    from contact_sheet import Tile, contact_sheet
    contact_sheet([Tile("ref.png", "1  Reference", "the input"), ...], "sheet.png", title="...")
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PAPER = (246, 245, 241)
INK = (28, 30, 36)
MUTED = (96, 100, 110)
ACCENT = (196, 62, 48)
GUTTER = 18


@dataclass(frozen=True)
class Tile:
    """One image (or several, laid out in a grid) and its caption: the step (``2  Image to Image``), a detail
    line (credits), a note (the prompt)."""

    image: str | Path | Sequence[str | Path]
    step: str
    detail: str = ""
    note: str = ""


def _font(size: int, bold: bool = False) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    names = ("DejaVuSans-Bold.ttf", "Arial Bold.ttf") if bold else ("DejaVuSans.ttf", "Arial.ttf")
    for name in names:
        for folder in ("/usr/share/fonts/truetype/dejavu", "/Library/Fonts", "C:/Windows/Fonts", ""):
            try:
                return ImageFont.truetype(str(Path(folder) / name) if folder else name, size)
            except OSError:
                continue
    try:
        return ImageFont.load_default(size=size)  # Pillow's own (FreeType) font
    except TypeError:  # an old Pillow: the bitmap font, one size
        return ImageFont.load_default()


def _px(font: object) -> int:
    return int(getattr(font, "size", 11))


def _grid(paths: Sequence[str | Path], size: int, background: tuple[int, int, int]) -> Image.Image:
    """Several images in a square tile: two across (a strip of views or frames reads left to right, top down)."""
    cells = 2 if len(paths) > 1 else 1
    cell = (size - (cells - 1) * 4) // cells
    tile = Image.new("RGB", (size, size), background)
    rows = -(-len(paths) // cells)
    top = (size - rows * cell - (rows - 1) * 4) // 2
    for index, path in enumerate(paths):
        row, column = divmod(index, cells)
        left = column * (cell + 4) if len(paths) - row * cells >= cells else (size - cell) // 2
        tile.paste(_fit(path, cell, background), (left, top + row * (cell + 4)))
    return tile


def _fit(path: str | Path | Sequence[str | Path], size: int, background: tuple[int, int, int]) -> Image.Image:
    """The image scaled to fit a square tile, centred on ``background`` (transparency flattened onto it)."""
    if not isinstance(path, (str, Path)):
        return _grid(path, size, background)
    image = Image.open(path).convert("RGBA")
    image.thumbnail((size, size), Image.LANCZOS)
    tile = Image.new("RGBA", (size, size), (*background, 255))
    tile.alpha_composite(image, ((size - image.width) // 2, (size - image.height) // 2))
    return tile.convert("RGB")


def contact_sheet(tiles: list[Tile], out: str | Path, *, title: str, subtitle: str = "", tile: int = 320) -> Path:
    """Write the sheet: a title, then the tiles in one row, each captioned below; returns ``out``."""
    title_font, sub_font = _font(max(14, tile // 11), bold=True), _font(max(11, tile // 21))
    step_font, detail_font, note_font = _font(max(12, tile // 17), bold=True), _font(max(11, tile // 21)), \
        _font(max(10, tile // 24))
    head = GUTTER + _px(title_font) + (8 + _px(sub_font) if subtitle else 0) + GUTTER
    caption = _px(step_font) + _px(detail_font) + 3 * (_px(note_font) + 3) + 20
    width = GUTTER + len(tiles) * (tile + GUTTER)
    sheet = Image.new("RGB", (width, head + tile + caption + GUTTER), PAPER)
    draw = ImageDraw.Draw(sheet)
    draw.text((GUTTER, GUTTER), title, font=title_font, fill=INK)
    if subtitle:
        draw.text((GUTTER, GUTTER + _px(title_font) + 8), subtitle, font=sub_font, fill=MUTED)
    chars = max(12, int(tile / (_px(note_font) * 0.52)))
    for index, item in enumerate(tiles):
        x = GUTTER + index * (tile + GUTTER)
        sheet.paste(_fit(item.image, tile, (255, 255, 255)), (x, head))
        draw.rectangle((x - 1, head - 1, x + tile, head + tile), outline=(214, 212, 206))
        y = head + tile + 10
        draw.text((x, y), item.step, font=step_font, fill=INK)
        y += _px(step_font) + 5
        if item.detail:
            draw.text((x, y), item.detail, font=detail_font, fill=ACCENT)
            y += _px(detail_font) + 5
        for line in textwrap.wrap(item.note, chars)[:3]:
            draw.text((x, y), line, font=note_font, fill=MUTED)
            y += _px(note_font) + 3
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    return out
