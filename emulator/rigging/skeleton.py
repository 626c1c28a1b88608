"""Fit a humanoid skeleton to a mesh, and nearest-bone skin weights: numpy only, no bpy.

Axes are Blender's: +Z up, the character faces -Y, its left is +X, feet on z=0, centred on x=0.
The fit reads the front silhouette (surface samples binned on the XZ plane): the gap between
the legs gives the crotch, the run of cells around x=0 the torso, the cells beyond the torso
the arms (T-pose, A-pose or anything in between: the hand is the arm cell farthest from the
shoulder), the narrowest row above the shoulders the neck. Depth (y) of every joint is the
median of the surface near it, so bones sit inside the body. Where a landmark is missing
(legs together, arms against the body, not a humanoid at all) standard proportions stand in.

Bone names are Mixamo's without the "mixamorig:" prefix; the module is also imported by the
bpy script as a top-level module, so it has no relative imports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SPINE = ("Hips", "Spine", "Spine1", "Spine2", "Neck", "Head")
ARM = ("Shoulder", "Arm", "ForeArm", "Hand")
LEG = ("UpLeg", "Leg", "Foot", "ToeBase")
BONE_NAMES = (SPINE + tuple(s + p for s in ("Left", "Right") for p in ARM)
              + tuple(s + p for s in ("Left", "Right") for p in LEG))
GRID = 100          # silhouette rows over the height
SAMPLES = 60_000    # surface points


@dataclass(frozen=True)
class Bone:
    name: str
    head: tuple[float, float, float]
    tail: tuple[float, float, float]
    parent: str | None
    connected: bool


def sample_surface(vertices: np.ndarray, faces: np.ndarray, count: int = SAMPLES,
                   seed: int = 0) -> np.ndarray:
    """Points spread evenly over the triangles (by area), plus the vertices themselves."""
    v = np.asarray(vertices, dtype=np.float64)
    f = np.asarray(faces, dtype=np.int64)
    if len(f) == 0:
        return v
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    area = np.linalg.norm(np.cross(b - a, c - a), axis=1)
    total = area.sum()
    if total <= 0:
        return v
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(f), size=count, p=area / total)
    r1, r2 = rng.random(count), rng.random(count)
    flip = r1 + r2 > 1
    r1[flip], r2[flip] = 1 - r1[flip], 1 - r2[flip]
    pts = a[pick] + r1[:, None] * (b[pick] - a[pick]) + r2[:, None] * (c[pick] - a[pick])
    return np.vstack([pts, v])


def surface_centroid(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted centre of the surface: a small stray piece barely moves it, unlike the bounds."""
    v = np.asarray(vertices, dtype=np.float64)
    tri = v[np.asarray(faces, dtype=np.int64)]
    area = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    if area.sum() <= 0:
        return v.mean(axis=0)
    return (tri.mean(axis=1) * area[:, None]).sum(axis=0) / area.sum()


class _Silhouette:
    """Front view occupancy grid of the surface samples."""

    def __init__(self, pts: np.ndarray, height: float):
        self.pts = pts
        self.h = height
        self.cell = height / GRID
        self.x0 = pts[:, 0].min()
        cols = int(np.ceil((pts[:, 0].max() - self.x0) / self.cell)) + 1
        self.ix = np.clip(((pts[:, 0] - self.x0) / self.cell).astype(int), 0, cols - 1)
        self.iz = np.clip((pts[:, 2] / self.cell).astype(int), 0, GRID)
        self.occ = np.zeros((GRID + 1, cols), dtype=bool)
        self.occ[self.iz, self.ix] = True
        self.centre = int(np.clip(round(-self.x0 / self.cell), 0, cols - 1))

    def row(self, z: float) -> int:
        return int(np.clip(z / self.cell, 0, GRID))

    def x_of(self, col: float) -> float:
        return self.x0 + (col + 0.5) * self.cell

    def centre_run(self, row: int) -> tuple[float, float] | None:
        """(+x, -x) half-widths of the occupied run through x=0 on a row, or None if x=0 is empty."""
        line = self.occ[row]
        c = self.centre
        if not line[c]:
            return None
        hi = c
        while hi + 1 < len(line) and line[hi + 1]:
            hi += 1
        lo = c
        while lo - 1 >= 0 and line[lo - 1]:
            lo -= 1
        return self.x_of(hi) + self.cell / 2, -(self.x_of(lo) - self.cell / 2)

    def depth_at(self, x: float, z: float, radius: float) -> float:
        """Median y of the surface near (x, z): the middle of the body there, front to back."""
        near = (np.abs(self.pts[:, 0] - x) < radius) & (np.abs(self.pts[:, 2] - z) < radius)
        if near.sum() < 8:
            near = (np.abs(self.pts[:, 0] - x) < 3 * radius) & (np.abs(self.pts[:, 2] - z) < 3 * radius)
        if near.sum() < 8:
            return float(np.median(self.pts[:, 1]))
        return float(np.median(self.pts[near, 1]))   # the median shrugs off a stray piece in front


def _crotch(sil: _Silhouette) -> float | None:
    """Height where the legs meet, if the centre column is empty between them."""
    h = sil.h
    low, high = sil.row(0.12 * h), sil.row(0.62 * h)
    column = sil.occ[:, sil.centre]
    empty_low = ~column[low:sil.row(0.30 * h) + 1]
    if empty_low.mean() < 0.8:
        return None
    for r in range(sil.row(0.30 * h), high + 1):
        if column[r] and column[min(r + 1, GRID)]:
            return r * sil.cell
    return None


def _side_cells(sil: _Silhouette, rows: slice, side: int, beyond: float = 0.0) -> np.ndarray:
    """(x, z) centres of occupied cells on one side (+1 left/+x, -1 right/-x) beyond |x| > beyond."""
    zs, cols = np.nonzero(sil.occ[rows])
    zs = zs + (rows.start or 0)
    xs = sil.x0 + (cols + 0.5) * sil.cell
    keep = (side * xs) > beyond
    return np.column_stack([xs[keep], (zs[keep] + 0.5) * sil.cell])


def fit_skeleton(vertices: np.ndarray, faces: np.ndarray) -> list[Bone]:
    """Bones (head, tail, parent) for a standing character; never fails on odd shapes."""
    v = np.asarray(vertices, dtype=np.float64)
    h = float(v[:, 2].max() - v[:, 2].min())
    if h <= 0:
        raise ValueError("the model is flat: it has no height to rig")
    pts = sample_surface(v, faces)
    pts[:, 2] -= v[:, 2].min()
    sil = _Silhouette(pts, h)
    cell = sil.cell

    crotch = _crotch(sil)
    legs_apart = crotch is not None
    if crotch is None:
        crotch = 0.46 * h
    crotch = float(np.clip(crotch, 0.30 * h, 0.60 * h))

    def torso_width(z0: float, z1: float) -> tuple[float, float]:
        runs = [sil.centre_run(r) for r in range(sil.row(z0), sil.row(z1) + 1)]
        runs = [r for r in runs if r is not None]
        if not runs:
            return 0.1 * h, 0.1 * h
        arr = np.array(runs)
        return float(np.median(arr[:, 0])), float(np.median(arr[:, 1]))

    waist = torso_width(crotch + 0.06 * h, 0.68 * h)
    joints: dict[str, np.ndarray] = {}

    # Legs: the middle of each leg's cells on a row, or a standard stance without a gap.
    def leg_x(z: float, side: int) -> float:
        if legs_apart:
            r = sil.row(z)
            cells = _side_cells(sil, slice(max(r - 1, 0), r + 2), side)
            if len(cells):
                return float((cells[:, 0].min() + cells[:, 0].max()) / 2)
        return side * 0.55 * (waist[0] if side > 0 else waist[1])

    hip_z = crotch + 0.03 * h
    ankle_z = 0.045 * h
    knee_z = (hip_z + ankle_z) / 2
    for side, name in ((1, "Left"), (-1, "Right")):
        hx = leg_x(max(crotch - 0.04 * h, ankle_z), side)
        kx = leg_x(knee_z, side)
        ax = leg_x(ankle_z + 0.03 * h, side)
        joints[name + "UpLeg"] = np.array([hx, 0, hip_z])
        joints[name + "Leg"] = np.array([kx, 0, knee_z])
        joints[name + "Foot"] = np.array([ax, 0, ankle_z])
        for key in ("UpLeg", "Leg", "Foot"):
            j = joints[name + key]
            j[1] = sil.depth_at(j[0], j[2], 0.04 * h)
        foot = pts[(pts[:, 2] < 0.07 * h) & (side * pts[:, 0] > 0) & (np.abs(pts[:, 0] - ax) < 0.08 * h)]
        ankle = joints[name + "Foot"]
        toe_y = float(foot[:, 1].min()) if len(foot) else ankle[1] - 0.08 * h
        toe_y = min(toe_y, ankle[1] - 0.06 * h)
        joints[name + "ToeBase"] = np.array([ax, ankle[1] + 0.65 * (toe_y - ankle[1]), 0.02 * h])
        joints[name + "ToeEnd"] = np.array([ax, toe_y, 0.02 * h])

    # Arms: cells beyond the torso's sides, above the crotch.
    chest = torso_width(0.58 * h, 0.68 * h)
    upper = slice(sil.row(crotch + 0.02 * h), sil.row(0.97 * h) + 1)
    shoulder_z = []
    arm_tips = {}
    for side, name, half in ((1, "Left", chest[0]), (-1, "Right", chest[1])):
        cells = _side_cells(sil, upper, side, beyond=half + 2 * cell)
        near = cells[np.abs(cells[:, 0]) < half + 0.08 * h] if len(cells) else cells
        if len(near) >= 3:
            shoulder_z.append(float(near[:, 1].max() - 0.03 * h))
        arm_tips[name] = (cells, half)
    sh_z = float(np.clip(np.mean(shoulder_z) if shoulder_z else 0.81 * h, 0.68 * h, 0.87 * h))

    for side, name in ((1, "Left"), (-1, "Right")):
        cells, half = arm_tips[name]
        sh = np.array([side * 0.85 * half, sh_z])
        if len(cells) >= 3:
            tip = cells[np.argmax(np.linalg.norm(cells - sh, axis=1))]
        else:  # arms against the body: hang them down the sides at 60 degrees
            tip = sh + 0.40 * h * np.array([side * np.cos(np.radians(60)), -np.sin(np.radians(60))])
        if np.linalg.norm(tip - sh) < 0.15 * h:
            tip = sh + 0.40 * h * (tip - sh) / max(np.linalg.norm(tip - sh), 1e-9)
        for key, frac in (("Arm", 0.0), ("ForeArm", 0.42), ("Hand", 0.76), ("HandEnd", 0.97)):
            x, z = sh + frac * (tip - sh)
            joints[name + key] = np.array([x, sil.depth_at(x, z, 0.035 * h), z])

    # Spine, neck and head up the middle.
    neck_rows = [(sil.centre_run(r), r) for r in range(sil.row(sh_z + 0.02 * h), sil.row(0.93 * h) + 1)]
    neck_rows = [(sum(w), r) for w, r in neck_rows if w is not None]
    head_z = min(neck_rows)[1] * cell if neck_rows else 0.87 * h
    head_z = float(np.clip(head_z, sh_z + 0.03 * h, 0.93 * h))
    neck_z = min(sh_z + 0.01 * h, head_z - 0.02 * h)
    hips_z = crotch + 0.06 * h
    spine = {"Hips": hips_z}
    for i, key in enumerate(("Spine", "Spine1", "Spine2")):
        spine[key] = hips_z + (i + 1) / 4 * (neck_z - hips_z)
    spine.update(Neck=neck_z, Head=head_z, HeadEnd=h)
    for key, z in spine.items():
        joints[key] = np.array([0.0, sil.depth_at(0.0, min(z, 0.97 * h), 0.05 * h), z])
    for side, name in ((1, "Left"), (-1, "Right")):
        arm = joints[name + "Arm"]
        joints[name + "Shoulder"] = np.array([side * 0.2 * abs(arm[0]), joints["Spine2"][1],
                                              (joints["Spine2"][2] + neck_z) / 2 + 0.02 * h])
    return _bones(joints, h)


def _bones(j: dict[str, np.ndarray], h: float) -> list[Bone]:
    """The hierarchy: tails at the child's head, leaves at their end points."""
    chain = [("Hips", "Spine", None), ("Spine", "Spine1", "Hips"), ("Spine1", "Spine2", "Spine"),
             ("Spine2", "Neck", "Spine1"), ("Neck", "Head", "Spine2"), ("Head", "HeadEnd", "Neck")]
    for s in ("Left", "Right"):
        chain += [(s + "Shoulder", s + "Arm", "Spine2"), (s + "Arm", s + "ForeArm", s + "Shoulder"),
                  (s + "ForeArm", s + "Hand", s + "Arm"), (s + "Hand", s + "HandEnd", s + "ForeArm"),
                  (s + "UpLeg", s + "Leg", "Hips"), (s + "Leg", s + "Foot", s + "UpLeg"),
                  (s + "Foot", s + "ToeBase", s + "Leg"), (s + "ToeBase", s + "ToeEnd", s + "Foot")]
    tails = {}
    for name, end, _ in chain:
        tail = j[end].copy()
        if np.linalg.norm(tail - j[name]) < 0.01 * h:
            tail = j[name] + np.array([0, 0, 0.02 * h])
        tails[name] = tail
    return [Bone(name, tuple(map(float, j[name])), tuple(map(float, tails[name])), parent,
                 bool(parent is not None and np.allclose(tails[parent], j[name])))
            for name, _, parent in chain]


def segment_distances(points: np.ndarray, heads: np.ndarray, tails: np.ndarray) -> np.ndarray:
    """Distance of every point to every bone segment: (points, bones)."""
    p = np.asarray(points, dtype=np.float64)[:, None, :]
    a, b = np.asarray(heads, dtype=np.float64)[None], np.asarray(tails, dtype=np.float64)[None]
    ab = b - a
    t = np.clip(((p - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[..., None] * ab), axis=-1)


def nearest_bone_weights(points: np.ndarray, heads: np.ndarray, tails: np.ndarray,
                         keep: int = 3, chunk: int = 20_000) -> np.ndarray:
    """Smooth weights from the distance to each bone (the heat-weighting fallback).

    Each point gets its `keep` nearest bones, weighted by 1/d^4, normalised to sum 1.
    """
    points = np.asarray(points, dtype=np.float64)
    out = np.zeros((len(points), len(heads)))
    for start in range(0, len(points), chunk):
        d = segment_distances(points[start:start + chunk], heads, tails)
        w = 1.0 / np.maximum(d, 1e-4) ** 4
        if keep < w.shape[1]:
            cut = np.partition(w, -keep, axis=1)[:, -keep][:, None]
            w[w < cut] = 0.0
        w /= w.sum(axis=1, keepdims=True)
        w[w < 0.02] = 0.0
        out[start:start + chunk] = w / w.sum(axis=1, keepdims=True)
    return out
