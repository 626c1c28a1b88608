"""Safe file names: pure string work, usable by layers that must not reach the network code."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
MAX_NAME = 120


def safe_filename(name: str | None, default: str = "download") -> str:
    """A file name safe on Windows, macOS and Linux: no folders, no odd characters."""
    name = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip("._ ")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    if len(ext) > 16:
        stem, ext = f"{stem}_{ext}", ""
    ext = f".{ext}" if ext else ""
    stem = stem[: MAX_NAME - len(ext)].rstrip("._ ")
    if not stem:
        return safe_filename(default, "download") if default != name else "download"
    return stem + ext
