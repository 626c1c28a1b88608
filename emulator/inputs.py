"""Turn `*_url` parameters (data URIs or http URLs) into checked bytes, like Meshy's 400s."""

from __future__ import annotations

import base64
import binascii
import io
import re
import urllib.error
import urllib.request
from urllib.parse import urlparse

from PIL import Image

from .errors import bad_request

_DATA_URI = re.compile(r"^data:([\w.+/-]*)((?:;[\w=.+-]+)*?);base64,(.*)$", re.S)
IMAGE_MIME = {"image/png", "image/jpeg", "image/jpg"}
MODEL_EXTS = (".glb", ".gltf", ".obj", ".fbx", ".stl")
FETCH_TIMEOUT = 10.0
MAX_FETCH = 200 * 1024 * 1024


def decode_data_uri(value: str, name: str) -> tuple[str, bytes]:
    """Return (mime type, bytes) of a base64 data URI or raise a 400."""
    match = _DATA_URI.match(value)
    if not match:
        raise bad_request(f"{name} is a malformed data URI; expected data:<mime>;base64,<data>.")
    payload = re.sub(r"\s+", "", match.group(3))
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"{name} is a malformed data URI: the base64 data is invalid.") from None
    if not data:
        raise bad_request(f"{name} is a data URI with no data.")
    return match.group(1).lower(), data


def fetch_url(value: str, name: str) -> bytes:
    """Download an http(s) URL; any failure is the documented 'unreachable URL' 400."""
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise bad_request(f"{name} must be an http(s) URL or a data URI.")
    try:
        with urllib.request.urlopen(value, timeout=FETCH_TIMEOUT) as resp:  # noqa: S310
            data = resp.read(MAX_FETCH + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise bad_request(f"{name} could not be downloaded: {exc}.") from None
    if len(data) > MAX_FETCH:
        raise bad_request(f"{name} is too large.")
    return data


def image_kind(data: bytes) -> str | None:
    """'png' or 'jpeg' by magic number, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def load_image(value: object, name: str) -> Image.Image:
    """Read an image parameter: PNG or JPEG only, from a data URI or URL."""
    if not isinstance(value, str) or not value:
        raise bad_request(f"{name} must be a non-empty string (URL or data URI).")
    if value.startswith("data:"):
        mime, data = decode_data_uri(value, name)
        if mime not in IMAGE_MIME:
            raise bad_request(f"{name} has unsupported image type {mime or 'none'!r}; "
                              "use image/png or image/jpeg (.jpg, .jpeg, .png).")
    else:
        data = fetch_url(value, name)
    if image_kind(data) is None:
        raise bad_request(f"{name} is not a PNG or JPEG image (.jpg, .jpeg, .png).")
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception:  # noqa: BLE001 - Pillow raises many types for bad data
        raise bad_request(f"{name} could not be decoded as an image.") from None
    return img


def load_model_bytes(value: object, name: str) -> tuple[bytes, str | None]:
    """Read a model parameter; returns (bytes, extension hint from a URL path or None)."""
    if not isinstance(value, str) or not value:
        raise bad_request(f"{name} must be a non-empty string (URL or data URI).")
    if value.startswith("data:"):
        _mime, data = decode_data_uri(value, name)
        return data, None
    ext = "." + urlparse(value).path.rsplit(".", 1)[-1].lower() if "." in urlparse(value).path else ""
    if ext not in MODEL_EXTS:
        raise bad_request(f"{name} points to an unsupported model format; "
                          f"use one of {', '.join(MODEL_EXTS)}.")
    return fetch_url(value, name), ext
