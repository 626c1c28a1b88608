"""Images made ready for upload: any format Pillow reads becomes an 8-bit RGB(A) PNG or JPEG.

8-bit RGB/RGBA JPEG and PNG files within the size limit are sent as they are; everything else is
converted (and downscaled) into a temporary file removed at exit. An image whose header claims
more than :data:`MAX_IMAGE_PIXELS` is refused before a single pixel is decoded (a decompression
bomb: a few KB on disk that would take gigabytes in memory).
"""

from __future__ import annotations

import atexit
import os
import tempfile
import threading
from pathlib import Path

from .errors import ValidationError

DEFAULT_MAX_IMAGE_SIDE = 4096
#: Images larger than this (in pixels, as their header claims) are refused before decoding. 80 MP
#: holds every camera up to 61 MP and an 8K x 8K texture, and stays under Pillow's own
#: decompression-bomb warning (89 MP); decoding it takes up to 320 MB as RGBA. 20000 x 20000
#: (400 MP, 1.6 GB) is refused.
MAX_IMAGE_PIXELS = 80_000_000

_TEMP_FILES: list[str] = []
_TEMP_LOCK = threading.Lock()


def _cleanup_temp_files() -> None:
    with _TEMP_LOCK:
        for path in _TEMP_FILES:
            try:
                os.unlink(path)
            except OSError:
                pass
        _TEMP_FILES.clear()


atexit.register(_cleanup_temp_files)


def size_of(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _temp_png(suffix: str = ".png") -> str:
    fd, path = tempfile.mkstemp(prefix="meshy-upload-", suffix=suffix)
    os.close(fd)
    with _TEMP_LOCK:
        _TEMP_FILES.append(path)
    return path


def _to_8bit_rgb(im):  # type: ignore[no-untyped-def]
    """Convert any Pillow mode to 8-bit RGB or RGBA, keeping transparency."""
    from PIL import Image

    mode = im.mode
    if mode in ("RGB", "RGBA"):
        return im
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        im = im.convert("I") if mode != "I" else im
        # 16-bit ranges 0..65535: scale to 0..255 before dropping to 8 bits.
        maximum = im.getextrema()[1]
        scale = 1 / 256 if maximum > 255 else 1
        return im.point(lambda v: v * scale).convert("L").convert("RGB")
    if mode == "F":
        return im.point(lambda v: v * 255 if v <= 1.0 else v).convert("L").convert("RGB")
    if mode in ("P", "PA"):
        has_alpha = "transparency" in im.info or mode == "PA"
        return im.convert("RGBA" if has_alpha else "RGB")
    if mode in ("LA", "La", "RGBa"):
        return im.convert("RGBA")
    if mode == "CMYK":
        return im.convert("RGB")
    try:
        return im.convert("RGBA" if "A" in mode else "RGB")
    except (ValueError, OSError):
        return Image.new("RGB", im.size)


def normalize_image(path: str, *, max_side: int = DEFAULT_MAX_IMAGE_SIDE, png: bool = False) -> tuple[str, str]:
    """Return ``(path, mime)`` of an upload-ready version of the image at ``path``.

    8-bit RGB/RGBA JPEG and PNG files within the size limit are returned as they
    are; everything else is converted (and downscaled) into a temporary PNG, or
    JPEG when the source was a JPEG, so the service gets a format it accepts.
    ``png=True`` makes a JPEG a PNG too (rigging's texture must be one).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if isinstance(max_side, bool) or not isinstance(max_side, int) or max_side < 1:
        raise ValidationError(f"max_side must be a whole number of pixels from 1 up, not {max_side!r}", "max_side")
    p = Path(path)
    if not p.is_file():
        raise ValidationError(f"The image file {path} does not exist", "image")
    if size_of(p) == 0:
        raise ValidationError(f"The image file {p.name} is empty (0 bytes)", "image")
    try:
        with Image.open(p) as im:
            _check_pixels(p.name, *im.size)  # the header's claim, before a pixel is decoded
            fmt = (im.format or "").upper()
            too_big = max(im.size) > max_side
            if fmt == "JPEG" and too_big:
                im.draft(im.mode, (max_side, max_side))  # decode at 1/2, 1/4 or 1/8 scale: less memory
            im.load()
            if fmt in (("PNG",) if png else ("JPEG", "PNG")) and im.mode in ("RGB", "RGBA") and not too_big:
                return str(p), "image/jpeg" if fmt == "JPEG" else "image/png"
            if getattr(im, "is_animated", False):
                im.seek(0)
            out = ImageOps.exif_transpose(im) if fmt == "JPEG" else im
            out = _to_8bit_rgb(out)
            if too_big:
                out = out.copy()
                out.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            if fmt == "JPEG" and out.mode == "RGB" and not png:
                target, mime = _temp_png(".jpg"), "image/jpeg"
                out.save(target, "JPEG", quality=95)
            else:
                target, mime = _temp_png(".png"), "image/png"
                out.save(target, "PNG")
            return target, mime
    except UnidentifiedImageError:
        raise ValidationError(f"{p.name} is not an image that can be read", "image") from None
    except Image.DecompressionBombError:  # Pillow's own check, past twice its 89 MP limit
        raise ValidationError(_too_many_pixels(p.name, None), "image") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError(f"{p.name} could not be read as an image ({exc})", "image") from None


def _too_many_pixels(name: str, size: tuple[int, int] | None) -> str:
    claim = f"claims {size[0]:,} x {size[1]:,} pixels" if size else "claims far too many pixels"
    return (f"{name} {claim}, more than the {MAX_IMAGE_PIXELS // 1_000_000} megapixels an upload may have; "
            "scale it down first")


def _check_pixels(name: str, width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise ValidationError(f"{name} has no pixels", "image")
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(_too_many_pixels(name, (width, height)), "image")
