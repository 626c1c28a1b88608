"""Remesh to a face count: quads by Instant Meshes, triangles by quadric decimation (up or down).

Instant Meshes (pyinstantmeshes) runs in a child process: its C++ core prints
its progress on the process's stdout (which would corrupt `python -m emulator`'s
pipe and a test's output), and a child can be stopped at a timeout.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import fast_simplification
import numpy as np
import trimesh

from .polymesh import PolyMesh, split_large_faces
from .transfer import closest_points

QUAD_TIMEOUT = 120.0  # seconds for one Instant Meshes run (about 5 s for 30,000 quads here)
CREASE_ANGLE = 30.0  # degrees: sharper edges stay edges
TOLERANCE = 0.08  # a run further than this from the target is run once more, corrected
OVERSHOOT = 1.04  # Instant Meshes makes about this many faces per face asked (smooth shapes)
MIN_FACES = 100
SPLIT_ABOVE = 8000  # larger quad targets: Instant Meshes at a quarter, then every face split in quads
_IM_SCRIPT = (
    "import sys, pyinstantmeshes as p\n"
    "p.remesh_file(sys.argv[1], sys.argv[2], target_face_count=int(sys.argv[3]),"
    " crease_angle=float(sys.argv[4]), deterministic=True)\n"
)


class RemeshError(Exception):
    """The remesher failed; the message is one sentence for task_error."""


def weld(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """Geometry only, vertices merged by position (UV seams and soups become one surface)."""
    out = trimesh.Trimesh(vertices=np.asarray(mesh.vertices), faces=np.asarray(mesh.faces), process=True)
    out.update_faces(out.nondegenerate_faces())
    out.remove_unreferenced_vertices()
    return out


def _write_obj(mesh: trimesh.Trimesh, path: Path) -> None:
    with path.open("w") as fh:
        np.savetxt(fh, mesh.vertices, fmt="v %.7g %.7g %.7g")
        np.savetxt(fh, np.asarray(mesh.faces) + 1, fmt="f %d %d %d")


def read_obj_polygons(text: str) -> tuple[np.ndarray, list[list[int]]]:
    """Vertices and polygons (0-based) of a plain OBJ; `f a/b/c` references keep `a`."""
    verts: list[list[float]] = []
    polys: list[list[int]] = []
    for line in text.splitlines():
        if line.startswith("v "):
            verts.append([float(x) for x in line.split()[1:4]])
        elif line.startswith("f "):
            idx = [int(tok.split("/")[0]) for tok in line.split()[1:]]
            polys.append([i - 1 if i > 0 else len(verts) + i for i in idx])
    return np.array(verts, dtype=np.float64).reshape(-1, 3), polys


def _instant_meshes(mesh: trimesh.Trimesh, target: int, workdir: Path) -> tuple[PolyMesh, int]:
    src, dst = workdir / "in.obj", workdir / "out.obj"
    _write_obj(mesh, src)
    dst.unlink(missing_ok=True)
    try:
        proc = subprocess.run([sys.executable, "-c", _IM_SCRIPT, str(src), str(dst), str(target), str(CREASE_ANGLE)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=QUAD_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise RemeshError(f"Quad remeshing took longer than {QUAD_TIMEOUT:g} s and was stopped.") from None
    if proc.returncode != 0 or not dst.exists():
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        raise RemeshError(f"Quad remeshing failed: {last}")
    vertices, polys = read_obj_polygons(dst.read_text())
    polys = split_large_faces(polys)
    if not polys:
        raise RemeshError("Quad remeshing produced no faces.")
    return _finite(PolyMesh.from_polygons(vertices, polys))


def _finite(poly: PolyMesh) -> tuple[PolyMesh, int]:
    """Without the faces on vertices Instant Meshes left undefined (NaN: it does on some open meshes)."""
    bad_vertex = ~np.isfinite(poly.vertices).all(axis=1)
    if not bad_vertex.any():
        return poly, 0
    face_of = np.repeat(np.arange(poly.face_count), poly.sizes)
    bad_face = np.zeros(poly.face_count, dtype=bool)
    bad_face[face_of[bad_vertex[poly.corners]]] = True
    keep_corner = ~bad_face[face_of]
    used = np.unique(poly.corners[keep_corner])
    remap = np.full(len(poly.vertices), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    kept = PolyMesh(poly.vertices[used], poly.sizes[~bad_face], remap[poly.corners[keep_corner]])
    return kept, int(bad_face.sum())


def _run(mesh: trimesh.Trimesh, ask: int, workdir: Path) -> PolyMesh:
    """One Instant Meshes result, tried again at a nearby count while it leaves undefined vertices."""
    best: tuple[PolyMesh, int] | None = None
    for n in (ask, ask + 7, ask - 5):
        out, lost = _instant_meshes(mesh, max(MIN_FACES // 2, n), workdir)
        if best is None or lost < best[1]:
            best = (out, lost)
        if lost == 0:
            break
    assert best is not None
    return best[0]


def split_in_quads(poly: PolyMesh, surface: trimesh.Trimesh) -> PolyMesh:
    """Each n-gon becomes n quads (corner, edge midpoint, centre, edge midpoint), snapped onto `surface`.

    Instant Meshes' own pure-quad mode does the same split; here it lets a
    30,000-face result cost a 7,500-face run.
    """
    starts, sizes, corners = poly.starts, poly.sizes, poly.corners
    face_of = np.repeat(np.arange(poly.face_count), sizes)
    nxt = np.arange(len(corners)) + 1
    last = starts + sizes - 1
    nxt[last] = starts
    edges = np.sort(np.column_stack([corners, corners[nxt]]), axis=1)
    uniq, edge_of = np.unique(edges, axis=0, return_inverse=True)
    edge_of = edge_of.ravel()
    n_v = len(poly.vertices)
    mids = poly.vertices[uniq].mean(axis=1)
    centres = poly.centroids()
    new_pts = np.vstack([mids, centres])
    _, snapped = closest_points(surface.vertices[surface.faces], new_pts)
    vertices = np.vstack([poly.vertices, snapped])
    mid_index = n_v + edge_of  # midpoint of the edge from each corner to the next
    prev = np.arange(len(corners)) - 1
    prev[starts] = last
    centre_index = n_v + len(uniq) + face_of
    quads = np.column_stack([corners, mid_index, centre_index, mid_index[prev]])
    return PolyMesh(vertices, np.full(len(quads), 4, dtype=np.int64), quads.ravel())


def quad_remesh(mesh: trimesh.Trimesh, target: int) -> PolyMesh:
    """A quad-dominant retopology with about `target` faces (one corrected rerun when far off)."""
    welded = weld(mesh)
    target = max(MIN_FACES, int(target))
    split = target > SPLIT_ABOVE

    def count(p: PolyMesh) -> int:
        return int(p.sizes.sum()) if split else p.face_count  # a split n-gon makes n quads

    with tempfile.TemporaryDirectory(prefix="meshy-emu-") as tmp:
        ask = round(target / OVERSHOOT / (4 if split else 1))
        out = _run(welded, ask, Path(tmp))
        ratio = count(out) / target
        if abs(ratio - 1) > TOLERANCE:
            again = _run(welded, max(MIN_FACES // 2, round(ask / ratio)), Path(tmp))
            if abs(count(again) / target - 1) < abs(ratio - 1):
                out = again
    return split_in_quads(out, welded) if split else out


def _simplify(mesh: trimesh.Trimesh, count: int) -> trimesh.Trimesh:
    points, tris = fast_simplification.simplify(
        np.asarray(mesh.vertices, dtype=np.float32), np.asarray(mesh.faces, dtype=np.int32), target_count=count)
    out = trimesh.Trimesh(vertices=points, faces=tris, process=False)
    out.remove_unreferenced_vertices()
    return out


def triangle_remesh(mesh: trimesh.Trimesh, target: int) -> trimesh.Trimesh:
    """About `target` triangles: decimated, or subdivided first when the mesh has fewer.

    Quadric decimation can land well below the count it was asked for (soups,
    thin parts), so the request is corrected a few times towards the target.
    """
    target = max(MIN_FACES, int(target))
    work = weld(mesh)
    while len(work.faces) < target:  # midpoint subdivision keeps the surface exactly
        v, f = trimesh.remesh.subdivide(work.vertices, work.faces)
        work = trimesh.Trimesh(vertices=v, faces=f, process=True)
    if len(work.faces) == target:
        return work
    best, ask = None, target
    for _ in range(5):
        out = _simplify(work, min(ask, len(work.faces)))
        if best is None or abs(len(out.faces) - target) < abs(len(best.faces) - target):
            best = out
        ratio = len(out.faces) / target
        if abs(ratio - 1) <= 0.03 or ask >= len(work.faces):
            break
        ask = int(round(ask / max(ratio, 0.05)))
    assert best is not None
    return best
