"""Local files sent as data URIs, without holding the body in memory.

A JSON body whose file fields are ``data:<mime>;base64,...`` is produced by
:func:`build_upload_body` as a file-like object: the JSON around the files is
small and kept as bytes; each file is read and base64-encoded in chunks whose
size is a multiple of 3 (so the pieces join into one valid base64 string) only
when requests asks for the next block. The Content-Length is known up front
because base64 of n bytes is exactly 4*ceil(n/3) characters.

Images are normalised first (see :mod:`client.images`). Every string of the
payload is checked (no NUL or other control character, no lone surrogate) and a
NaN or infinite number is refused: each would make a body no server can read.
"""

from __future__ import annotations

import binascii
import functools
import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import checks
from .errors import ValidationError
from .images import DEFAULT_MAX_IMAGE_SIDE, MAX_IMAGE_PIXELS, normalize_image, size_of  # noqa: F401 (re-exported)

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
MODEL_EXTENSIONS = (".glb", ".gltf", ".obj", ".fbx", ".stl")
MODEL_MIME = "application/octet-stream"
DEFAULT_CHUNK = 3 * 256 * 1024


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
        fi = cls(_fspath(path, "model_url"), MODEL_MIME)
        fi.check("model_url")
        return fi

    @classmethod
    def image(cls, path: str | os.PathLike, *, max_side: int = DEFAULT_MAX_IMAGE_SIDE, png: bool = False) -> FileInput:
        """An image, normalised to an 8-bit JPEG or PNG (``png``: always PNG) no larger than ``max_side``."""
        out_path, mime = normalize_image(_fspath(path, "image"), max_side=max_side, png=png)
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
        if size_of(p) == 0:
            raise ValidationError(f"{param}: the file {p.name} is empty (0 bytes)", param)
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


def _fspath(path: Any, param: str) -> str:
    try:
        text = os.fspath(path)
    except TypeError:
        raise ValidationError(f"{param} must be a file path, not {type(path).__name__}", param) from None
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if "\x00" in text:
        raise ValidationError(f"{param}: a file path cannot hold a NUL character", param)
    checks.check_text(param, text)
    return text


# --------------------------------------------------------------------------- body


def _encoder() -> Callable[[Any], bytes]:
    """pybase64's SIMD encoder (several GiB/s, the GIL released), else binascii (~250 MiB/s).

    ``MESHY_PURE_BASE64=1`` forces binascii, e.g. to compare the two.
    """
    if not os.environ.get("MESHY_PURE_BASE64"):
        try:
            import pybase64
        except ImportError:
            pass
        else:
            return pybase64.b64encode
    return functools.partial(binascii.b2a_base64, newline=False)


def encoder_name() -> str:
    """``"pybase64"`` or ``"binascii"``: the encoder uploads use here."""
    return "binascii" if isinstance(_encoder(), functools.partial) else "pybase64"


class _FilePart:
    """One data URI inside the body, encoded lazily chunk by chunk."""

    def __init__(self, fi: FileInput, chunk: int) -> None:
        self.fi = fi
        self.size = fi.size()
        self.length = len(fi.prefix) + b64_length(self.size)
        self.chunk = chunk

    def iter_chunks(self) -> Iterator[bytes]:
        """Pieces of the data URI: the prefix, then one encoded chunk at a time."""
        yield self.fi.prefix
        remaining = self.size
        encode = _encoder()
        # one reused raw buffer; each encoded piece is a new bytes the caller drops before the next
        raw = bytearray(min(self.chunk, remaining) or 3)
        view = memoryview(raw)
        try:
            with open(self.fi.path, "rb", buffering=0) as fh:
                while remaining > 0:
                    n = _read_full(fh, view[: min(len(raw), remaining)])
                    if not n:
                        break
                    remaining -= n
                    yield encode(view[:n])
        finally:
            view.release()
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


def _collect_files(value: Any, found: dict[str, FileInput], name: str = "request") -> Any:
    """The payload with each FileInput replaced by a token; text that no server can read is refused."""
    if isinstance(value, str):
        checks.check_text(name, value)
        return value
    if isinstance(value, FileInput):
        token = f"@@meshy-file-{uuid.uuid4().hex}@@"
        found[token] = value
        return token
    if isinstance(value, dict):
        return {_collect_files(k, found, name): _collect_files(v, found, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_collect_files(v, found, f"{name}[{i}]") for i, v in enumerate(value)]
    return value


def check_files(payload: dict) -> None:
    """Refuse a payload whose files are missing or empty (0 bytes), before anything is sent."""
    files: dict[str, FileInput] = {}
    _collect_files(payload, files)
    for fi in files.values():
        p = Path(fi.path)
        if not p.is_file():
            raise ValidationError(f"The file {fi.path} does not exist")
        if size_of(p) == 0:
            raise ValidationError(f"The file {p.name} is empty (0 bytes), so there is nothing to send")


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
    try:
        text = json.dumps(skeleton, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = ""
    except TypeError as exc:
        raise ValidationError(f"The request holds a value that cannot be sent as JSON ({exc})") from None
    if not text:
        raise ValidationError("The request holds a number that is not finite (NaN or infinity)")
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
