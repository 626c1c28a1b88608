"""Polygon meshes (quads kept) with per-corner UVs: what remesh makes and OBJ/FBX/blend keep.

trimesh holds triangles only, so results live here and are triangulated only
for the formats that need it (GLB, STL, 3MF, thumbnails).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh


@dataclass
class PolyMesh:
    """Faces one after another: `sizes[f]` corners each, `corners` their vertex indices (glTF axes, Y up)."""

    vertices: np.ndarray  # (V, 3) float64
    sizes: np.ndarray  # (F,) int, each >= 3
    corners: np.ndarray  # (sum(sizes),) int
    uv: np.ndarray | None = None  # (sum(sizes), 2) per corner

    @classmethod
    def from_triangles(cls, vertices: np.ndarray, faces: np.ndarray,
                       vertex_uv: np.ndarray | None = None) -> "PolyMesh":
        faces = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
        corners = faces.ravel()
        uv = None if vertex_uv is None else np.asarray(vertex_uv, dtype=np.float64)[corners]
        return cls(np.asarray(vertices, dtype=np.float64), np.full(len(faces), 3, dtype=np.int64), corners, uv)

    @classmethod
    def from_trimesh(cls, mesh: trimesh.Trimesh, vertex_uv: np.ndarray | None = None) -> "PolyMesh":
        return cls.from_triangles(mesh.vertices, mesh.faces, vertex_uv)

    @classmethod
    def from_polygons(cls, vertices: np.ndarray, polygons: list[list[int]]) -> "PolyMesh":
        sizes = np.array([len(p) for p in polygons], dtype=np.int64)
        corners = np.array([i for p in polygons for i in p], dtype=np.int64)
        return cls(np.asarray(vertices, dtype=np.float64), sizes, corners)

    @property
    def face_count(self) -> int:
        return int(len(self.sizes))

    @property
    def starts(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)

    def quad_share(self) -> float:
        return float(np.mean(self.sizes == 4)) if len(self.sizes) else 0.0

    def centroids(self) -> np.ndarray:
        face_of = np.repeat(np.arange(len(self.sizes)), self.sizes)
        sums = np.zeros((len(self.sizes), 3))
        np.add.at(sums, face_of, self.vertices[self.corners])
        return sums / self.sizes[:, None]

    def triangle_corners(self) -> np.ndarray:
        """(T, 3) corner indices: each face fanned from its first corner."""
        starts, sizes = self.starts, self.sizes
        n_tri = sizes - 2
        face = np.repeat(np.arange(len(sizes)), n_tri)
        k = np.arange(int(n_tri.sum())) - np.repeat(np.cumsum(n_tri) - n_tri, n_tri)
        s = starts[face]
        return np.column_stack([s, s + k + 1, s + k + 2])

    def to_trimesh(self) -> trimesh.Trimesh:
        """Triangles; with UVs, vertices are split where a vertex has several UVs (seams)."""
        tri = self.triangle_corners()
        if self.uv is None:
            return trimesh.Trimesh(vertices=self.vertices, faces=self.corners[tri], process=False)
        keys = np.column_stack([self.corners.astype(np.float64), np.round(self.uv, 6)])
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        mesh = trimesh.Trimesh(vertices=self.vertices[self.corners[first]], faces=inverse[tri], process=False)
        mesh.visual = trimesh.visual.TextureVisuals(uv=self.uv[first])
        return mesh

    def vertex_normals(self) -> np.ndarray:
        """Area-weighted smooth normals (so OBJ readers shade the surface smooth, like the GLB)."""
        tri = self.vertices[self.corners[self.triangle_corners()]]
        face_n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        normals = np.zeros_like(self.vertices)
        for k in range(3):
            np.add.at(normals, self.corners[self.triangle_corners()[:, k]], face_n)
        length = np.linalg.norm(normals, axis=1, keepdims=True)
        return normals / np.where(length > 0, length, 1.0)

    def obj_text(self, mtl_name: str | None = None, material: str = "Material") -> str:
        """Wavefront OBJ with the polygons as they are (quads stay quads), per-corner UVs, normals."""
        lines = ["# Meshy emulator"]
        if mtl_name:
            lines += [f"mtllib {mtl_name}", f"o {material}"]
        lines += [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in self.vertices]
        lines += [f"vn {x:.4f} {y:.4f} {z:.4f}" for x, y, z in self.vertex_normals()]
        vi = (self.corners + 1).tolist()
        if self.uv is not None:
            uniq, inverse = np.unique(np.round(self.uv, 6), axis=0, return_inverse=True)
            lines += [f"vt {u:.6f} {v:.6f}" for u, v in uniq]
            ti = (inverse.ravel() + 1).tolist()
            refs = [f"{a}/{b}/{a}" for a, b in zip(vi, ti, strict=True)]
        else:
            refs = [f"{a}//{a}" for a in vi]
        if mtl_name:
            lines.append(f"usemtl {material}")
        start = 0
        for size in self.sizes.tolist():
            lines.append("f " + " ".join(refs[start:start + size]))
            start += size
        return "\n".join(lines) + "\n"


def split_large_faces(polygons: list[list[int]]) -> list[list[int]]:
    """Cut faces of 5+ corners into quads and at most one triangle (every format reads those)."""
    out: list[list[int]] = []
    for poly in polygons:
        while len(poly) > 4:
            out.append(poly[:4])
            poly = [poly[0], *poly[3:]]
        if len(poly) >= 3:
            out.append(poly)
    return out
