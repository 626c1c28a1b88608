"""A humanoid test figure made of trimesh primitives: something real to rig, without a Meshy model.

Units are metres, glTF axes (+Y up, facing +Z), feet on y=0: what a Meshy character GLB looks like.
Used by the tests and handy for demos; the rig itself never depends on it.
"""

from __future__ import annotations

import numpy as np
import trimesh


def _tube(p0: np.ndarray, p1: np.ndarray, radius: float, edge: float) -> trimesh.Trimesh:
    """A closed capsule from p0 to p1, subdivided so that joints in its middle can bend it."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    length = float(np.linalg.norm(p1 - p0))
    tube = trimesh.creation.capsule(height=max(length, 1e-3), radius=radius, count=[16, 8])
    # trimesh's capsule is centred on the origin along +Z; aim it from p0 to p1.
    direction = (p1 - p0) / max(length, 1e-9)
    align = trimesh.geometry.align_vectors([0, 0, 1], direction)
    tube.apply_transform(align)
    tube.apply_translation((p0 + p1) / 2)
    return _subdivided(tube, edge)


def _subdivided(mesh: trimesh.Trimesh, edge: float) -> trimesh.Trimesh:
    vertices, faces = trimesh.remesh.subdivide_to_size(mesh.vertices, mesh.faces, max_edge=edge, max_iter=8)
    return trimesh.Trimesh(vertices=vertices, faces=faces, process=True)


def humanoid(pose: str = "t", height: float = 1.0, watertight: bool = True, detail: float = 1.0) -> trimesh.Trimesh:
    """A figure with torso, head, arms (T- or A-pose), legs and feet, `height` tall.

    `watertight=False` opens the head, the soles and a sprinkle of other faces, like the
    non-manifold meshes image-to-3d often returns. `detail` scales the vertex density
    (1.0 is about 10k triangles).
    """
    if pose not in ("t", "a"):
        raise ValueError("pose must be 't' or 'a'")
    h = 1.0
    edge = 0.04 / max(detail, 0.1)
    parts = []
    for side in (1, -1):
        hip = np.array([side * 0.085, 0.50, 0.0])
        ankle = np.array([side * 0.09, 0.055, 0.0])
        parts.append(_tube(hip, ankle, 0.052, edge))
        foot = trimesh.creation.box(extents=[0.075, 0.05, 0.16])
        foot.apply_translation([side * 0.09, 0.025, 0.04])
        parts.append(_subdivided(foot, edge))
        shoulder = np.array([side * 0.15, 0.80, 0.0])
        if pose == "t":
            hand = np.array([side * 0.52, 0.80, 0.0])
        else:
            hand = shoulder + np.array([side * 0.26, -0.26, 0.0])
        parts.append(_tube(shoulder, hand, 0.036, edge))
    torso = trimesh.creation.box(extents=[0.30, 0.36, 0.18])
    torso.apply_translation([0, 0.66, 0])
    parts.append(_subdivided(torso, edge))
    pelvis = trimesh.creation.box(extents=[0.27, 0.12, 0.17])
    pelvis.apply_translation([0, 0.51, 0])
    parts.append(_subdivided(pelvis, edge))
    parts.append(_tube(np.array([0, 0.82, 0]), np.array([0, 0.87, 0]), 0.04, edge))
    head = trimesh.creation.icosphere(subdivisions=3, radius=0.075)
    head.apply_translation([0, 0.925, 0.005])
    parts.append(_subdivided(head, edge))
    mesh = trimesh.util.concatenate(parts)
    if not watertight:
        centres = mesh.triangles_center
        rng = np.random.default_rng(7)
        keep = ~((centres[:, 1] > 0.975) | (centres[:, 1] < 0.002) | (rng.random(len(centres)) < 0.02))
        mesh = trimesh.Trimesh(vertices=mesh.vertices, faces=mesh.faces[keep], process=False)
        mesh.remove_unreferenced_vertices()
    mesh.apply_scale(height / h)
    return mesh


def humanoid_glb(pose: str = "t", height: float = 1.0, watertight: bool = True, detail: float = 1.0,
                 colour: tuple[int, int, int, int] = (190, 150, 120, 255)) -> bytes:
    """The figure as GLB bytes with one PBR material, as an untextured Meshy model comes."""
    mesh = humanoid(pose, height, watertight, detail)
    mesh.visual = trimesh.visual.TextureVisuals(
        material=trimesh.visual.material.PBRMaterial(
            name="Body", baseColorFactor=list(colour), metallicFactor=0.0, roughnessFactor=0.7))
    return mesh.export(file_type="glb")
