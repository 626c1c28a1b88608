"""Local files sent as data URIs, without holding the body in memory.

A JSON body whose file fields are ``data:<mime>;base64,...`` is produced by
:func:`build_upload_body` as a file-like object: the JSON around the files is
small and kept as bytes; each file is read and base64-encoded in chunks whose
size is a multiple of 3 (so the pieces join into one valid base64 string) only
when requests asks for the next block. The Content-Length is known up front
because base64 of n bytes is exactly 4*ceil(n/3) characters.

Images are normalised with Pillow first: anything that is not an 8-bit RGB or
RGBA JPEG/PNG becomes a PNG in a temporary file, and oversize images are
downscaled.
"""

from __future__ import annotations

import atexit
import binascii
import ctypes
import ctypes.util
import functools
import glob
import json
import os
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ValidationError

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
MODEL_EXTENSIONS = (".glb", ".gltf", ".obj", ".fbx", ".stl")
MODEL_MIME = "application/octet-stream"
DEFAULT_MAX_IMAGE_SIDE = 4096
#: raw bytes read per step; a multiple of 3 so base64 pieces concatenate cleanly
DEFAULT_CHUNK = 3 * 256 * 1024

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


def b64_length(n: int) -> int:
    """Length of the base64 text of ``n`` bytes (with padding)."""
    return 4 * ((n + 2) // 3)


@dataclass(frozen=True)
class FileInput:
    """A local file to be sent as a data URI (``mime`` is the data URI's type)."""

    path: str
    mime: str

    @classmethod
    def model(cls, path: str | os.PathLike) -> FileInput:
        """A 3D model file (.glb .gltf .obj .fbx .stl) sent as application/octet-stream."""
        fi = cls(os.fspath(path), MODEL_MIME)
        fi.check("model_url")
        return fi

    @classmethod
    def image(cls, path: str | os.PathLike, *, max_side: int = DEFAULT_MAX_IMAGE_SIDE) -> FileInput:
        """An image, normalised to an 8-bit JPEG or PNG no larger than ``max_side``."""
        out_path, mime = normalize_image(os.fspath(path), max_side=max_side)
        return cls(out_path, mime)

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    @property
    def prefix(self) -> bytes:
        return f"data:{self.mime};base64,".encode("ascii")

    def size(self) -> int:
        return os.path.getsize(self.path)

    def encoded_length(self) -> int:
        """Length of the whole data URI in bytes."""
        return len(self.prefix) + b64_length(self.size())

    def check(self, param: str) -> None:
        """Raise ValidationError unless the file exists and suits ``param``."""
        p = Path(self.path)
        if not p.is_file():
            raise ValidationError(f"{param}: the file {self.path} does not exist", param)
        ext = p.suffix.lower()
        if self.is_image:
            if self.mime not in ("image/png", "image/jpeg"):
                raise ValidationError(f"{param}: images must be sent as PNG or JPEG", param)
        elif ext not in MODEL_EXTENSIONS:
            raise ValidationError(
                f"{param}: {p.name} is not a supported model file "
                f"(use {', '.join(MODEL_EXTENSIONS)})",
                param,
            )

    def to_dict(self) -> dict:
        return {"file": self.path, "mime": self.mime}

    @classmethod
    def from_dict(cls, data: dict) -> FileInput:
        return cls(str(data["file"]), str(data.get("mime") or MODEL_MIME))

    def data_uri(self) -> str:
        """The whole data URI in memory; only for small files and tests."""
        with open(self.path, "rb") as fh:
            return self.prefix.decode() + binascii.b2a_base64(fh.read(), newline=False).decode()


# --------------------------------------------------------------------------- images


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


def normalize_image(path: str, *, max_side: int = DEFAULT_MAX_IMAGE_SIDE) -> tuple[str, str]:
    """Return ``(path, mime)`` of an upload-ready version of the image at ``path``.

    8-bit RGB/RGBA JPEG and PNG files within the size limit are returned as they
    are; everything else is converted (and downscaled) into a temporary PNG, or
    JPEG when the source was a JPEG, so the service gets a format it accepts.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    p = Path(path)
    if not p.is_file():
        raise ValidationError(f"The image file {path} does not exist", "image")
    try:
        with Image.open(p) as im:
            im.load()
            fmt = (im.format or "").upper()
            too_big = max(im.size) > max_side
            if fmt in ("JPEG", "PNG") and im.mode in ("RGB", "RGBA") and not too_big:
                return str(p), "image/jpeg" if fmt == "JPEG" else "image/png"
            if getattr(im, "is_animated", False):
                im.seek(0)
            out = ImageOps.exif_transpose(im) if fmt == "JPEG" else im
            out = _to_8bit_rgb(out)
            if too_big:
                out = out.copy()
                out.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            if fmt == "JPEG" and out.mode == "RGB":
                target, mime = _temp_png(".jpg"), "image/jpeg"
                out.save(target, "JPEG", quality=95)
            else:
                target, mime = _temp_png(".png"), "image/png"
                out.save(target, "PNG")
            return target, mime
    except UnidentifiedImageError:
        raise ValidationError(f"{p.name} is not an image that can be read", "image") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ValidationError(f"{p.name} could not be read as an image ({exc})", "image") from None


# --------------------------------------------------------------------------- body


def _crypto_candidates() -> list[str]:
    """Paths of an OpenSSL libcrypto that ships with this Python (or the system's on Linux)."""
    dirs: list[str] = []
    try:
        import _ssl

        dirs.append(os.path.dirname(_ssl.__file__))
    except (ImportError, AttributeError, TypeError):
        pass
    for base in dict.fromkeys((sys.prefix, sys.base_prefix, sys.exec_prefix)):
        dirs += [os.path.join(base, "lib"), os.path.join(base, "DLLs"), base, os.path.join(base, "bin")]
    found: list[str] = []
    for d in dirs:
        for pattern in ("libcrypto*.so*", "libcrypto*.dylib", "libcrypto*.dll"):
            found += sorted(glob.glob(os.path.join(d, pattern)))
    if sys.platform.startswith("linux"):
        name = ctypes.util.find_library("crypto")
        if name:
            found.append(name)
    # macOS aborts a process that loads the system's unversioned libcrypto.
    return [f for f in dict.fromkeys(found) if not (sys.platform == "darwin" and f.startswith("/usr/lib"))]


@functools.lru_cache(maxsize=1)
def _evp_encode_block() -> Any:
    """OpenSSL's EVP_EncodeBlock through ctypes, or None.

    CPython's binascii encodes base64 at roughly 250 MiB/s; OpenSSL's encoder
    is about four times faster and runs without the GIL. It is used only after
    a self-test against binascii; anything odd falls back to binascii.
    """
    if os.environ.get("MESHY_PURE_BASE64"):
        return None
    for path in _crypto_candidates():
        try:
            fn = ctypes.CDLL(path).EVP_EncodeBlock
        except (OSError, AttributeError):
            continue
        fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
        fn.restype = ctypes.c_int
        sample = bytes(range(256)) * 3 + b"xy"
        src = ctypes.create_string_buffer(sample, len(sample))
        out = ctypes.create_string_buffer(b64_length(len(sample)) + 1)
        try:
            n = fn(out, src, len(sample))
        except (OSError, ValueError):
            continue
        if ctypes.string_at(out, n) == binascii.b2a_base64(sample, newline=False):
            return fn
    return None


class _FilePart:
    """One data URI inside the body, encoded lazily chunk by chunk."""

    def __init__(self, fi: FileInput, chunk: int) -> None:
        self.fi = fi
        self.size = fi.size()
        self.length = len(fi.prefix) + b64_length(self.size)
        self.chunk = chunk

    def iter_chunks(self) -> Iterator[bytes | memoryview]:
        """Pieces of the data URI; a memoryview piece is only valid until the next one."""
        yield self.fi.prefix
        remaining = self.size
        evp = _evp_encode_block() if self.size >= 64 * 1024 else None
        with open(self.fi.path, "rb", buffering=0) as fh:
            if evp is not None:
                # Reused buffers: one raw chunk in, one encoded chunk out.
                raw = bytearray(min(self.chunk, remaining))
                raw_c = (ctypes.c_char * len(raw)).from_buffer(raw)
                out = ctypes.create_string_buffer(b64_length(len(raw)) + 1)
                view = memoryview(raw)
                try:
                    while remaining > 0:
                        n = _read_full(fh, view[: min(len(raw), remaining)])
                        if not n:
                            break
                        remaining -= n
                        # a view of the reused buffer: valid until the next step
                        yield memoryview(out)[: evp(out, raw_c, n)]
                finally:
                    view.release()
                    del raw_c
            else:
                while remaining > 0:
                    data = fh.read(min(self.chunk, remaining))
                    if not data:
                        break
                    remaining -= len(data)
                    encoded = binascii.b2a_base64(data, newline=False)
                    del data  # keep at most one raw and one encoded chunk alive
                    yield encoded
                    del encoded
        if remaining:
            raise OSError(f"{self.fi.path} became shorter while it was being uploaded")


def _read_full(fh: Any, view: memoryview) -> int:
    """readinto until ``view`` is full or the file ends (a multiple of 3 matters)."""
    got = 0
    while got < len(view):
        n = fh.readinto(view[got:])
        if not n:
            break
        got += n
    return got


class StreamingBody:
    """A read-once file-like JSON body; ``len()`` is its exact byte length."""

    def __init__(self, parts: list[bytes | _FilePart]) -> None:
        self._parts = parts
        self._length = sum(len(p) if isinstance(p, bytes) else p.length for p in parts)
        self._gen = self._chunks()
        self._buf = memoryview(b"")
        self._pos = 0

    def __len__(self) -> int:
        return self._length

    def _chunks(self) -> Iterator[bytes | memoryview]:
        for part in self._parts:
            if isinstance(part, bytes):
                if part:
                    yield part
            else:
                yield from part.iter_chunks()

    def __iter__(self) -> Iterator[bytes]:
        """Iterate what remains of the body in large chunks."""
        if self._pos < len(self._buf):
            rest = bytes(self._buf[self._pos :])
            self._buf, self._pos = memoryview(b""), 0
            yield rest
        for chunk in self._gen:
            yield bytes(chunk)

    def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes (all of the rest if ``n`` < 0)."""
        if n is None or n < 0:
            return b"".join(list(self))
        while self._pos >= len(self._buf):
            self._buf = memoryview(b"")  # drop the spent chunk before encoding the next
            nxt = next(self._gen, None)
            if nxt is None:
                return b""
            self._buf, self._pos = memoryview(nxt), 0
        end = self._pos + n
        out = bytes(self._buf[self._pos : end])
        self._pos = min(end, len(self._buf))
        return out

    def close(self) -> None:
        self._buf = memoryview(b"")
        self._gen.close()


def _collect_files(value: Any, found: dict[str, FileInput]) -> Any:
    if isinstance(value, FileInput):
        token = f"@@meshy-file-{uuid.uuid4().hex}@@"
        found[token] = value
        return token
    if isinstance(value, dict):
        return {k: _collect_files(v, found) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_collect_files(v, found) for v in value]
    return value


def build_upload_body(payload: dict, *, chunk_size: int = DEFAULT_CHUNK) -> tuple[Any, int]:
    """Serialise ``payload`` to a JSON body with every FileInput as a streamed data URI.

    Returns ``(body, content_length)``: plain bytes when there is no file,
    otherwise a :class:`StreamingBody` (file-like ``read(n)`` plus iteration)
    that reads and encodes the files only as it is consumed.
    """
    if chunk_size <= 0 or chunk_size % 3:
        raise ValueError("chunk_size must be a positive multiple of 3")
    files: dict[str, FileInput] = {}
    skeleton = _collect_files(payload, files)
    text = json.dumps(skeleton, ensure_ascii=True, separators=(",", ":"))
    if not files:
        data = text.encode("utf-8")
        return data, len(data)
    parts: list[bytes | _FilePart] = []
    rest = text
    # Tokens appear in the JSON text in payload order; split around each one.
    order = sorted(files, key=text.index)
    for token in order:
        before, rest = rest.split(token, 1)
        parts.append(before.encode("utf-8"))
        fi = files[token]
        if not Path(fi.path).is_file():
            raise ValidationError(f"The file {fi.path} does not exist")
        parts.append(_FilePart(fi, chunk_size))
    parts.append(rest.encode("utf-8"))
    body = StreamingBody(parts)
    return body, len(body)


def naive_body(payload: dict) -> bytes:
    """The obvious in-memory body (json.dumps + b64encode); the benchmark's baseline."""
    import base64

    def conv(v: Any) -> Any:
        if isinstance(v, FileInput):
            with open(v.path, "rb") as fh:
                return v.prefix.decode() + base64.b64encode(fh.read()).decode()
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        return v

    return json.dumps(conv(payload), separators=(",", ":")).encode()
