"""Primitive parts for prompt-built models (glTF axes: +Y up, the front faces +Z, its left is +X).

Each helper returns a trimesh in the same units; `Kit` holds the resolution, so one builder
makes both the standard mesh and the low-poly one (`model_type: lowpoly`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh

RGB = tuple[int, int, int]
_Z_TO_Y = trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0])  # revolve/torus/cone axis Z -> Y


@dataclass(frozen=True)
class Kit:
    """How finely curved parts are cut."""

    sections: int = 32  # around a circle
    sphere: int = 3  # icosphere subdivisions
    rings: int = 8  # capsule rings per half

    @property
    def low(self) -> bool:
        return self.sections <= 10


MAX_CELLS = 24  # grid cells along a box side at most
STANDARD = Kit()
LOWPOLY = Kit(sections=8, sphere=1, rings=2)


@dataclass
class Part:
    """One piece of a model; `main` parts take the prompt's colour, the others keep theirs."""

    mesh: trimesh.Trimesh
    color: RGB
    main: bool = True


def _moved(mesh: trimesh.Trimesh, at: tuple[float, float, float]) -> trimesh.Trimesh:
    mesh.apply_translation(at)
    return mesh


def box(size: tuple[float, float, float], at: tuple[float, float, float]) -> trimesh.Trimesh:
    """A box whose sides are grids of near-square cells (a long thin leg is not two slivers per side)."""
    ext = np.asarray(size, dtype=np.float64)
    cell = max(float(ext.min()), float(ext.max()) / MAX_CELLS)
    counts = np.clip(np.ceil(ext / cell), 1, MAX_CELLS).astype(int)
    verts: list[np.ndarray] = []
    faces: list[np.ndarray] = []
    for axis in range(3):
        u, w = [a for a in range(3) if a != axis]
        nu, nw = counts[u], counts[w]
        gu, gw = np.meshgrid(np.linspace(-0.5, 0.5, nu + 1), np.linspace(-0.5, 0.5, nw + 1), indexing="ij")
        idx = np.arange((nu + 1) * (nw + 1)).reshape(nu + 1, nw + 1)
        quads = np.column_stack([idx[:-1, :-1].ravel(), idx[1:, :-1].ravel(), idx[1:, 1:].ravel(),
                                 idx[:-1, 1:].ravel()])
        for side in (-0.5, 0.5):
            pts = np.zeros(((nu + 1) * (nw + 1), 3))
            pts[:, axis], pts[:, u], pts[:, w] = side, gu.ravel(), gw.ravel()
            tris = np.vstack([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])
            outward = (side > 0) == ((w - u) % 3 == 1)  # u x w points along +axis for cyclic (u, w)
            faces.append((tris if outward else tris[:, ::-1]) + sum(len(v) for v in verts))
            verts.append(pts)
    mesh = trimesh.Trimesh(vertices=np.vstack(verts) * ext, faces=np.vstack(faces), process=True)
    return _moved(mesh, at)


def _resampled(profile: list[tuple[float, float]], step: float) -> np.ndarray:
    """The profile with points every `step` or so: faces about as tall as they are wide, not slivers
    (which neither bend when rigged nor simplify when remeshed)."""
    pts = np.asarray(profile, dtype=np.float64)
    out = [pts[0]]
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        n = max(1, int(np.ceil(np.linalg.norm(b - a) / step)))
        out += [a + (b - a) * k / n for k in range(1, n + 1)]
    return np.array(out)


def lathe(kit: Kit, profile: list[tuple[float, float]], at: tuple[float, float, float] = (0, 0, 0)) -> trimesh.Trimesh:
    """A solid of revolution around the vertical axis through `at`; profile points are (radius, y)."""
    widest = max(r for r, _ in profile) or 1.0
    points = _resampled(profile, 2 * np.pi * widest / kit.sections) if not kit.low else np.asarray(profile, float)
    mesh = trimesh.creation.revolve(points, sections=kit.sections)
    mesh.apply_transform(_Z_TO_Y)
    return _moved(mesh, at)


def cylinder(kit: Kit, radius: float, y0: float, y1: float, x: float = 0.0, z: float = 0.0,
             top: float | None = None) -> trimesh.Trimesh:
    """Upright, from y0 to y1; `top` gives a different radius at y1 (a tapered trunk, a lamp shade)."""
    r1 = radius if top is None else top
    return lathe(kit, [(0, y0), (radius, y0), (r1, y1), (0, y1)], (x, 0, z))


def cone(kit: Kit, radius: float, y0: float, y1: float, x: float = 0.0, z: float = 0.0) -> trimesh.Trimesh:
    return lathe(kit, [(0, y0), (radius, y0), (0, y1)], (x, 0, z))


def rod(kit: Kit, p0: tuple[float, float, float], p1: tuple[float, float, float], radius: float) -> trimesh.Trimesh:
    """A cylinder between two points, any direction."""
    a, b = np.asarray(p0, float), np.asarray(p1, float)
    length = float(np.linalg.norm(b - a))
    thin = Kit(max(6, kit.sections // 2), kit.sphere, kit.rings)
    mesh = lathe(thin, [(0, 0), (radius, 0), (radius, length), (0, length)])
    mesh.apply_transform(trimesh.geometry.align_vectors([0, 1, 0], (b - a) / max(length, 1e-9)))
    return _moved(mesh, tuple(a))


def capsule(kit: Kit, p0: tuple[float, float, float], p1: tuple[float, float, float], radius: float) -> trimesh.Trimesh:
    """A rounded limb from p0 to p1."""
    a, b = np.asarray(p0, float), np.asarray(p1, float)
    length = float(np.linalg.norm(b - a))
    mesh = trimesh.creation.capsule(height=max(length, 1e-4), radius=radius,
                                    count=[max(6, kit.sections // 2), kit.rings])
    mesh.apply_transform(trimesh.geometry.align_vectors([0, 0, 1], (b - a) / max(length, 1e-9)))
    return _moved(mesh, tuple((a + b) / 2))


def ellipsoid(kit: Kit, at: tuple[float, float, float], radii: tuple[float, float, float]) -> trimesh.Trimesh:
    mesh = trimesh.creation.icosphere(subdivisions=kit.sphere, radius=1.0)
    mesh.apply_scale(radii)
    return _moved(mesh, at)


def sphere(kit: Kit, at: tuple[float, float, float], radius: float) -> trimesh.Trimesh:
    return ellipsoid(kit, at, (radius, radius, radius))


def torus(kit: Kit, major: float, minor: float, at: tuple[float, float, float],
          upright: bool = False) -> trimesh.Trimesh:
    """A ring lying flat (axis Y), or standing in the XY plane (`upright`: a mug handle)."""
    mesh = trimesh.creation.torus(major, minor, major_sections=kit.sections, minor_sections=max(6, kit.sections // 3))
    if not upright:
        mesh.apply_transform(_Z_TO_Y)
    return _moved(mesh, at)


def wheel(kit: Kit, radius: float, width: float, at: tuple[float, float, float]) -> trimesh.Trimesh:
    """A disc turning about the X axis (car wheels)."""
    x, y, z = at
    return rod(kit, (x - width / 2, y, z), (x + width / 2, y, z), radius)


def hull(points: list[tuple[float, float, float]]) -> trimesh.Trimesh:
    """The convex hull of a few points (roofs, blade tips, fins, pyramids), without scipy.

    Every plane through three points with all points on one side is a face; the points on it
    are fanned in order around their centre, facing out. Cubic in the points: meant for a dozen.
    """
    p = np.asarray(points, dtype=np.float64)
    eps = 1e-9 * max(1.0, float(np.abs(p).max()))
    seen: set[tuple[float, ...]] = set()
    faces: list[tuple[int, int, int]] = []
    n = len(p)
    for i in range(n):
        for j in range(i + 1, n):
            for k in range(j + 1, n):
                normal = np.cross(p[j] - p[i], p[k] - p[i])
                length = float(np.linalg.norm(normal))
                if length < eps:
                    continue
                normal /= length
                side = p @ normal - float(normal @ p[i])
                if (side > 1e-7).any():
                    if (side < -1e-7).any():
                        continue
                    normal, side = -normal, -side
                key = tuple(np.round(np.append(normal, normal @ p[i]), 6))
                if key in seen:
                    continue
                seen.add(key)
                on = np.flatnonzero(np.abs(side) <= 1e-7)
                centre = p[on].mean(axis=0)
                u = p[on[0]] - centre
                u /= np.linalg.norm(u)
                v = np.cross(normal, u)
                ring = on[np.argsort(np.arctan2((p[on] - centre) @ v, (p[on] - centre) @ u))]
                faces += [(int(ring[0]), int(ring[m]), int(ring[m + 1])) for m in range(1, len(ring) - 1)]
    mesh = trimesh.Trimesh(vertices=p, faces=np.array(faces, dtype=np.int64), process=True)
    mesh.remove_unreferenced_vertices()
    return mesh


def rotated_y(mesh: trimesh.Trimesh, degrees: float, about: tuple[float, float, float] = (0, 0, 0)) -> trimesh.Trimesh:
    mesh.apply_transform(trimesh.transformations.rotation_matrix(np.radians(degrees), [0, 1, 0], about))
    return mesh


def rotated(mesh: trimesh.Trimesh, degrees: float, axis: tuple[float, float, float],
            about: tuple[float, float, float] = (0, 0, 0)) -> trimesh.Trimesh:
    mesh.apply_transform(trimesh.transformations.rotation_matrix(np.radians(degrees), axis, about))
    return mesh


def blob(kit: Kit, seed: int, radius: float = 0.5, roughness: float = 0.25, lumps: int = 5) -> trimesh.Trimesh:
    """An icosphere pushed in and out by smooth random lumps: rocks and the shape of an unknown noun."""
    mesh = trimesh.creation.icosphere(subdivisions=max(kit.sphere, 2), radius=1.0)
    rng = np.random.default_rng(seed)
    v = np.asarray(mesh.vertices)
    bump = np.zeros(len(v))
    for _ in range(lumps):
        d = rng.normal(size=3)
        d /= np.linalg.norm(d)
        bump += rng.uniform(0.4, 1.0) * np.cos(rng.uniform(1.5, 3.5) * (v @ d) + rng.uniform(0, np.pi))
    bump /= max(1e-9, float(np.abs(bump).max()))
    mesh.vertices = v * (radius * (1.0 + roughness * bump))[:, None]
    return mesh
