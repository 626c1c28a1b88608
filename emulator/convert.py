"""FBX, .blend and USDZ through Blender in a child process (`blender_convert.py`), never in ours.

The emulator may run inside the very Blender process a test drives, so `bpy` is
never imported here: a child `sys.executable` imports it, with a timeout. When
that interpreter has no `bpy`, these formats are simply not produced.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
from PIL import Image

from .outputs.polymesh import PolyMesh

SCRIPT = Path(__file__).with_name("blender_convert.py")
BLENDER_FORMATS = ("fbx", "blend", "usdz")
TIMEOUT = 120.0  # seconds for one child run (about 1-2 s on this machine)
_probe_lock = threading.Lock()
_available: bool | None = None
_read_cache: dict[str, bytes] = {}  # FBX upload digest -> GLB: the same upload is read once
READ_CACHE_SIZE = 8


class ConversionError(Exception):
    """A Blender child failed; the message is one sentence."""


def available() -> bool:
    """Whether a child `sys.executable` can import bpy (decided once, without importing it here).

    Inside a Blender binary (bpy loaded, `bpy.app.binary_path` set) the
    interpreter is Blender's own Python, which has no bpy module: not available.
    """
    global _available
    with _probe_lock:
        if _available is None:
            loaded = sys.modules.get("bpy")
            if loaded is not None:
                _available = not getattr(getattr(loaded, "app", None), "binary_path", "")
            else:
                _available = importlib.util.find_spec("bpy") is not None
        return _available


def _run(args: list[str], what: str) -> None:
    try:
        proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ConversionError(f"{what} took longer than {TIMEOUT:g} s and was stopped.") from None
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.decode(errors="replace").splitlines() if ln.strip()]
        raise ConversionError(f"{what} failed: {lines[-1] if lines else 'Blender gave no reason'}")


def export(poly: PolyMesh, maps: dict[str, Image.Image] | None, formats: list[str],
           map_names: dict[str, str]) -> dict[str, bytes]:
    """model.<fmt> for each of `formats` (fbx, blend, usdz), written by Blender in one child run."""
    wanted = [f for f in formats if f in BLENDER_FORMATS]
    if not wanted:
        return {}
    with tempfile.TemporaryDirectory(prefix="meshy-emu-bpy-") as tmp:
        job_dir = Path(tmp)
        arrays = {"vertices": poly.vertices, "sizes": poly.sizes, "corners": poly.corners}
        if poly.uv is not None:
            arrays["uv"] = poly.uv
        np.savez(job_dir / "mesh.npz", **arrays)
        names = {}
        for key, img in (maps or {}).items():
            names[key] = map_names[key]
            img.save(job_dir / map_names[key], format="PNG", compress_level=1)
        outputs = {f: f"model.{f}" for f in wanted}
        job = {"mesh": "mesh.npz", "maps": names, "outputs": outputs, "name": "Model"}
        (job_dir / "job.json").write_text(json.dumps(job))
        _run(["export", str(job_dir)], "Writing " + ", ".join(f.upper() for f in wanted))
        files = {}
        for fmt, name in outputs.items():
            path = job_dir / name
            if not path.exists():
                raise ConversionError(f"Blender wrote no {fmt.upper()} file.")
            files[name] = path.read_bytes()
        return files


def fbx_to_glb(data: bytes) -> bytes:
    """Read an FBX with Blender's importer and hand it back as GLB (textures embedded)."""
    digest = hashlib.sha256(data).hexdigest()
    with _probe_lock:
        cached = _read_cache.get(digest)
    if cached is not None:
        return cached
    glb = _fbx_to_glb(data)
    with _probe_lock:
        if len(_read_cache) >= READ_CACHE_SIZE:
            _read_cache.pop(next(iter(_read_cache)))
        _read_cache[digest] = glb
    return glb


def _fbx_to_glb(data: bytes) -> bytes:
    with tempfile.TemporaryDirectory(prefix="meshy-emu-bpy-") as tmp:
        src, dst = Path(tmp) / "in.fbx", Path(tmp) / "out.glb"
        src.write_bytes(data)
        _run(["import", str(src), str(dst)], "Reading the FBX model")
        if not dst.exists():
            raise ConversionError("Blender could not turn the FBX model into a mesh.")
        return dst.read_bytes()
