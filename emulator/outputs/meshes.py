"""Reading uploaded models, decimation for previews, sizing and UV projections (trimesh)."""

from __future__ import annotations

import io
from typing import Any

import fast_simplification
import numpy as np
import trimesh

from ..errors import bad_request

# Share of the input's triangles kept by the adaptive decimation modes 1..4.
DECIMATION_RATIOS = {1: 0.8, 2: 0.5, 3: 0.25, 4: 0.1}
MIN_FACES = 100


def sniff_format(data: bytes, hint: str | None) -> str:
    """Guess the file type from the bytes (data URIs carry no extension)."""
    head = data[:512]
    if head.startswith(b"glTF"):
        return "glb"
    if head.startswith(b"Kaydara FBX Binary") or b"FBXHeaderExtension" in head:
        return "fbx"
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        return "gltf"
    if stripped[:5].lower() == b"solid" and b"facet" in data[:4096]:
        return "stl"
    if hint in (".glb", ".gltf", ".obj", ".stl", ".fbx"):
        return hint[1:]
    text = data[:65536]
    if b"\nv " in b"\n" + text or text.startswith(b"v ") or b"\nf " in text:
        return "obj"
    if len(data) >= 84:
        count = int.from_bytes(data[80:84], "little")
        if 84 + count * 50 == len(data):
            return "stl"
    return "unknown"


def load_mesh(data: bytes, hint: str | None, name: str) -> trimesh.Trimesh:
    """Parse model bytes into one triangle mesh, or raise a clear 400."""
    fmt = sniff_format(data, hint)
    if fmt == "fbx":  # read through Blender by the caller (emulator.convert)
        raise bad_request(f"{name}: FBX is read through Blender, not here.")
    if fmt == "unknown":
        raise bad_request(f"{name} is not a supported 3D model (.glb, .gltf, .obj, .fbx, .stl).")
    try:
        loaded = trimesh.load(io.BytesIO(data), file_type=fmt, process=False, force=None)
        mesh = to_single_mesh(loaded)
    except Exception as exc:  # noqa: BLE001 - trimesh raises many types on bad files
        raise bad_request(f"{name} could not be parsed as {fmt.upper()}: {exc}".rstrip(".") + ".") from None
    if mesh is None or len(mesh.faces) == 0:
        raise bad_request(f"{name} contains no triangles.")
    return mesh


def to_single_mesh(loaded: Any) -> trimesh.Trimesh | None:
    """Flatten a Scene (with node transforms) into one Trimesh."""
    if isinstance(loaded, trimesh.Trimesh):
        return loaded
    if isinstance(loaded, trimesh.Scene):
        meshes = []
        for node in loaded.graph.nodes_geometry:
            transform, geom_name = loaded.graph[node]
            geom = loaded.geometry.get(geom_name)
            if isinstance(geom, trimesh.Trimesh) and len(geom.faces):
                copy = geom.copy()
                copy.apply_transform(transform)
                meshes.append(copy)
        if not meshes:
            return None
        if len(meshes) == 1:
            return meshes[0]
        return trimesh.util.concatenate(meshes)
    return None


def decimate(mesh: trimesh.Trimesh, target_faces: int) -> trimesh.Trimesh:
    """Really reduce the triangle count to about `target_faces`; never increase it.

    The mesh is welded first (vertices split at UV seams merged by position):
    decimating a split mesh shrinks each island on its own and tears holes.
    """
    mesh = trimesh.Trimesh(vertices=mesh.vertices, faces=mesh.faces, process=True)
    faces = len(mesh.faces)
    target_faces = max(MIN_FACES, int(target_faces))
    if faces <= target_faces:
        return mesh
    points, tris = fast_simplification.simplify(
        np.asarray(mesh.vertices, dtype=np.float32), np.asarray(mesh.faces, dtype=np.int32),
        target_reduction=1.0 - target_faces / faces)
    out = trimesh.Trimesh(vertices=points, faces=tris, process=False)
    out.remove_unreferenced_vertices()
    return out


def target_for(mesh: trimesh.Trimesh, target_polycount: int | None,
               decimation_mode: int | None) -> int:
    """Triangle target: decimation_mode wins over target_polycount (default 30,000)."""
    if decimation_mode:
        return max(MIN_FACES, int(len(mesh.faces) * DECIMATION_RATIOS[decimation_mode]))
    return target_polycount or 30000


def resized(vertices: np.ndarray, height: float = 0.0, longest: float = 0.0,
            origin_at: str | None = None) -> np.ndarray:
    """Scaled (Y up, metres) and moved so the origin is at the bottom centre or the centre."""
    v = np.asarray(vertices, dtype=np.float64)
    extent = v.max(axis=0) - v.min(axis=0)
    if height and extent[1] > 0:
        v = v * (height / extent[1])
    elif longest and extent.max() > 0:
        v = v * (longest / extent.max())
    if origin_at:
        lo, hi = v.min(axis=0), v.max(axis=0)
        centre = (lo + hi) / 2
        if origin_at == "bottom":
            centre[1] = lo[1]
        v = v - centre
    return v


def spherical_uv(vertices: np.ndarray) -> np.ndarray:
    """Per-vertex spherical projection: new UVs without changing the vertex count."""
    v = np.asarray(vertices, dtype=np.float64)
    centred = v - (v.max(axis=0) + v.min(axis=0)) / 2
    r = np.linalg.norm(centred, axis=1)
    r[r == 0] = 1.0
    u = np.arctan2(centred[:, 2], centred[:, 0]) / (2 * np.pi) + 0.5
    w = np.arcsin(np.clip(centred[:, 1] / r, -1, 1)) / np.pi + 0.5
    return np.column_stack([u, w])


def unwrap_seam(uv: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per-corner spherical UVs without faces smeared across the wrap seam (u 0.99 -> 0.01).

    Corners of a face that spans more than half the texture are moved by one
    turn; glTF's default repeat wrap then reads the same texels.
    """
    uv = np.array(uv, dtype=np.float64)
    face_of = np.repeat(np.arange(len(sizes)), sizes)
    lo = np.full(len(sizes), np.inf)
    hi = np.full(len(sizes), -np.inf)
    np.minimum.at(lo, face_of, uv[:, 0])
    np.maximum.at(hi, face_of, uv[:, 0])
    wraps = (hi - lo)[face_of] > 0.5
    uv[wraps & (uv[:, 0] < 0.5), 0] += 1.0
    return uv


def existing_uv(mesh: trimesh.Trimesh) -> np.ndarray | None:
    uv = getattr(mesh.visual, "uv", None)
    if uv is not None and len(uv) == len(mesh.vertices):
        return np.asarray(uv)
    return None
