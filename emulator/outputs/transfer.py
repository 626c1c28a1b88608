"""Nearest-surface transfer: give a new surface (a remesh) the UVs of the surface it came from.

The source keeps its texture images; each corner of the new mesh gets the UV of
the closest point on the source. A face that straddles a UV seam would smear
across the atlas, so every face uses one source triangle (the one closest to its
centre) for the corners whose own UV jumps away from it: the UV is extended from
that triangle's affine map, which with repeat-wrapped textures reads the same
texels on the far side of a wrap seam.
"""

from __future__ import annotations

import numpy as np
import trimesh

from .polymesh import PolyMesh

MAX_REGISTRATIONS = 4_000_000  # triangle-in-cell entries of one grid
PAIR_CHUNK = 400_000  # point-triangle pairs measured at once


def _keys(cells: np.ndarray) -> np.ndarray:
    c = cells.astype(np.int64) + (1 << 20)
    return (c[:, 0] << 42) | (c[:, 1] << 21) | c[:, 2]


def _grid(tri: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Sorted cell keys and the triangle registered in each (its bounding box's cells)."""
    lo = np.floor(tri.min(axis=1) / h).astype(np.int64)
    ext = np.floor(tri.max(axis=1) / h).astype(np.int64) - lo + 1
    count = ext.prod(axis=1)
    total = int(count.sum())
    if total > MAX_REGISTRATIONS:
        return None
    tid = np.repeat(np.arange(len(tri)), count)
    local = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    e = ext[tid]
    offs = np.column_stack([local % e[:, 0], (local // e[:, 0]) % e[:, 1], local // (e[:, 0] * e[:, 1])])
    keys = _keys(lo[tid] + offs)
    order = np.argsort(keys, kind="stable")
    return keys[order], tid[order]


def _best(tri: np.ndarray, points: np.ndarray, pq: np.ndarray, pt: np.ndarray,
          n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each of n queries, the closest of its candidate triangles (pairs pq -> pt)."""
    best_d = np.full(n, np.inf)
    best_t = np.full(n, -1, dtype=np.int64)
    best_p = np.zeros((n, 3))
    for s in range(0, len(pq), PAIR_CHUNK):
        q, t = pq[s:s + PAIR_CHUNK], pt[s:s + PAIR_CHUNK]
        cp = trimesh.triangles.closest_point(tri[t], points[q])
        d = np.einsum("ij,ij->i", cp - points[q], cp - points[q])
        order = np.lexsort((d, q))
        q_sorted = q[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = q_sorted[1:] != q_sorted[:-1]
        sel = order[first]
        better = d[sel] < best_d[q[sel]]
        sel = sel[better]
        best_d[q[sel]] = d[sel]
        best_t[q[sel]] = t[sel]
        best_p[q[sel]] = cp[sel]
    return best_t, best_p, np.sqrt(best_d)


def _prune(centre: np.ndarray, radius: np.ndarray, points: np.ndarray, pq: np.ndarray,
           pt: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop candidate pairs that cannot win: their bounding sphere is farther than another's centre."""
    d = np.linalg.norm(points[pq] - centre[pt], axis=1)
    upper = np.full(n, np.inf)
    np.minimum.at(upper, pq, d)
    keep = d - radius[pt] <= upper[pq]
    return pq[keep], pt[keep]


def closest_points(tri: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closest triangle and point on a triangle soup for each point (exact, grid-accelerated).

    A 2x2x2 block of cells of size h around a point holds every triangle within
    h/2 of it; points whose best candidate is farther are looked up again on a
    coarser grid until that holds.
    """
    tri = np.asarray(tri, dtype=np.float64)
    points = np.asarray(points, dtype=np.float64)
    edges = np.linalg.norm(tri - np.roll(tri, 1, axis=1), axis=2)
    diag = float(np.linalg.norm(tri.reshape(-1, 3).max(axis=0) - tri.reshape(-1, 3).min(axis=0))) or 1.0
    h = max(float(np.mean(edges)) * 1.0, diag * 1e-4)
    centre = tri.mean(axis=1)
    radius = np.linalg.norm(tri - centre[:, None, :], axis=2).max(axis=1)
    ids = np.full(len(points), -1, dtype=np.int64)
    found = np.zeros((len(points), 3))
    todo = np.arange(len(points))
    while len(todo):
        grid = _grid(tri, h)
        if grid is None:  # cells too small for some big triangles: coarser
            h *= 2
            continue
        keys, tids = grid
        base = np.floor(points[todo] / h - 0.5).astype(np.int64)
        offsets = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)])
        k = _keys((base[:, None, :] + offsets[None]).reshape(-1, 3))
        lo = np.searchsorted(keys, k, "left")
        cnt = np.searchsorted(keys, k, "right") - lo
        pq = np.repeat(np.repeat(np.arange(len(todo)), 8), cnt)
        pt = tids[np.repeat(lo, cnt) + np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)]
        pq, pt = _prune(centre, radius, points[todo], pq, pt, len(todo))
        t, p, d = _best(tri, points[todo], pq, pt, len(todo))
        last = h > 4 * diag
        ok = (t >= 0) & ((d <= h / 2) | last)
        ids[todo[ok]], found[todo[ok]] = t[ok], p[ok]
        todo = todo[~ok]
        if last:  # far outside everything: the first triangle will do
            ids[todo], found[todo] = 0, tri[0, 0]
            break
        h *= 4
    return ids, found


def transfer_uv(source: trimesh.Trimesh, source_uv: np.ndarray, target: PolyMesh) -> np.ndarray:
    """Per-corner UVs for `target` read off the closest points of the textured `source`."""
    faces = np.asarray(source.faces)
    tri = np.asarray(source.vertices, dtype=np.float64)[faces]
    tri_uv = np.asarray(source_uv, dtype=np.float64)[faces]
    vid, vpt = closest_points(tri, target.vertices)
    bary = trimesh.triangles.points_to_barycentric(tri[vid], vpt)
    direct = np.einsum("ij,ijk->ik", bary, tri_uv[vid])[target.corners]
    fid, _ = closest_points(tri, target.centroids())
    home = np.repeat(fid, target.sizes)
    corner_pos = target.vertices[target.corners]
    home_bary = trimesh.triangles.points_to_barycentric(tri[home], corner_pos)
    extended = np.einsum("ij,ijk->ik", home_bary, tri_uv[home])
    # How far a corner may drift from its face's own map before it counts as across a seam.
    face_of = np.repeat(np.arange(target.face_count), target.sizes)
    lo = np.full((target.face_count, 2), np.inf)
    hi = np.full((target.face_count, 2), -np.inf)
    np.minimum.at(lo, face_of, extended)
    np.maximum.at(hi, face_of, extended)
    span = np.linalg.norm(hi - lo, axis=1)[face_of]
    jump = np.linalg.norm(direct - extended, axis=1) > 0.5 * span + 1e-4
    out = np.where(jump[:, None], extended, direct)
    return np.where(np.isfinite(out), out, 0.0)
