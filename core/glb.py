"""A binary glTF without its materials: pure Python, safe on worker threads.

When the add-on builds the material itself from Meshy's separate PBR maps,
letting Blender's importer build one too (and unpack every embedded image)
is wasted work, about a quarter of the import. The download thread writes a
copy without materials, textures and images next to the model, so the main
thread's import skips that work. Geometry and buffers are untouched.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

_JSON_CHUNK = 0x4E4F534A


def without_materials(data: bytes) -> bytes | None:
    """The same GLB with no materials, textures, images or samplers; None if it is not a GLB 2."""
    if len(data) < 20 or data[:4] != b"glTF":
        return None
    version, _length, json_length, json_type = struct.unpack_from("<IIII", data, 4)
    if version != 2 or json_type != _JSON_CHUNK:
        return None
    try:
        document = json.loads(data[20:20 + json_length])
        for mesh in document.get("meshes", []):
            for primitive in mesh.get("primitives", []):
                primitive.pop("material", None)
    except (ValueError, AttributeError, TypeError):
        return None
    for key in ("materials", "textures", "images", "samplers"):
        document.pop(key, None)
    chunk = json.dumps(document, separators=(",", ":")).encode()
    chunk += b" " * (-len(chunk) % 4)  # chunks are 4-byte aligned, JSON padded with spaces
    rest = data[20 + json_length:]
    return struct.pack("<4sIIII", b"glTF", 2, 20 + len(chunk) + len(rest), len(chunk), _JSON_CHUNK) + chunk + rest


def bare_copy_path(model: str | os.PathLike[str]) -> Path:
    model = Path(model)
    return model.with_name(f"{model.stem}.nomaterials{model.suffix}")


def write_bare_copy(model: str | os.PathLike[str]) -> bool:
    """Write the material-less copy beside ``model`` (atomically); False if it is not a GLB."""
    stripped = without_materials(Path(model).read_bytes())
    if stripped is None:
        return False
    target = bare_copy_path(model)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(stripped)
    os.replace(tmp, target)
    return True


def prepare_for_import(kind: str, files: dict[str, str]) -> None:
    """Engine hook, on the download thread: a model that comes with PBR maps gets its bare copy."""
    if "model" in files and any(key in files for key in ("base_color", "metallic", "roughness", "normal")):
        write_bare_copy(files["model"])
