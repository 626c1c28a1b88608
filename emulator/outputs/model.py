"""A result model (polygons + PBR maps) and every format it is delivered in.

GLB, STL and 3MF hold triangles (glTF has no quads), OBJ keeps the polygons and
an MTL naming the same texture files as `texture_urls`; FBX, .blend and USDZ
are written by Blender in a child process (`emulator.convert`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import trimesh
from PIL import Image

from .. import convert
from .polymesh import PolyMesh
from .textures import metallic_roughness, png_bytes

MAP_FILES = {"base_color": "texture_0.png", "metallic": "texture_0_metallic.png",
             "roughness": "texture_0_roughness.png", "normal": "texture_0_normal.png",
             "emission": "texture_0_emission.png"}
TRIANGLE_FORMATS = ("glb", "stl", "3mf")


@dataclass
class Model:
    poly: PolyMesh
    maps: dict[str, Image.Image] | None = None  # None: untextured
    paint: Any = None  # text-to-3d previews: each face's part colour (outputs/paint.FacePaint), for refine

    @property
    def textured(self) -> bool:
        return bool(self.maps) and self.poly.uv is not None

    def glb_mesh(self) -> trimesh.Trimesh:
        """Triangles with a glTF PBR material embedding the maps (or a neutral one)."""
        mesh = self.poly.to_trimesh()
        if not self.textured:
            mesh.visual = trimesh.visual.TextureVisuals(material=plain_material())
            return mesh
        maps = self.maps or {}
        emissive = maps.get("emission")
        mat = trimesh.visual.material.PBRMaterial(
            name="Material", baseColorTexture=maps["base_color"],
            metallicRoughnessTexture=metallic_roughness(maps),
            normalTexture=maps.get("normal"), emissiveTexture=emissive,
            emissiveFactor=[1.0, 1.0, 1.0] if emissive is not None else None,
            metallicFactor=1.0 if "metallic" in maps else 0.0,
            roughnessFactor=1.0 if "roughness" in maps else 0.8)
        mesh.visual = trimesh.visual.TextureVisuals(uv=mesh.visual.uv, material=mat)
        return mesh


def plain_material() -> trimesh.visual.material.PBRMaterial:
    """What an untextured Meshy model carries: a neutral grey."""
    return trimesh.visual.material.PBRMaterial(name="Material", baseColorFactor=[200, 200, 200, 255],
                                               metallicFactor=0.0, roughnessFactor=0.8)


def map_files(maps: dict[str, Image.Image]) -> dict[str, bytes]:
    return {MAP_FILES[key]: png_bytes(img) for key, img in maps.items()}


def _mtl(maps: dict[str, Image.Image] | None) -> str:
    lines = ["# Meshy emulator", "newmtl Material"]
    if not maps:
        return "\n".join(lines + ["Kd 0.78 0.78 0.78", "Pr 0.8", "Pm 0.0"]) + "\n"
    lines += ["Kd 1.0 1.0 1.0", f"map_Kd {MAP_FILES['base_color']}"]
    if "metallic" in maps:
        lines += [f"map_Pm {MAP_FILES['metallic']}", f"map_Pr {MAP_FILES['roughness']}",
                  f"map_Bump -bm 1.0 {MAP_FILES['normal']}"]
    if "emission" in maps:
        lines += ["Ke 1.0 1.0 1.0", f"map_Ke {MAP_FILES['emission']}"]
    return "\n".join(lines) + "\n"


def _three_mf(mesh: trimesh.Trimesh) -> bytes | None:
    try:
        return mesh.export(file_type="3mf")
    except (ImportError, ModuleNotFoundError):  # trimesh's 3MF writer needs networkx and lxml
        return None


def export(model: Model, formats: list[str], blender_now: bool = True) -> tuple[dict[str, bytes], list[str]]:
    """Files for `formats` (model.<ext>, + model.mtl with OBJ) and the Blender formats left for later.

    With `blender_now` False, FBX/.blend/USDZ are not written yet but named for a
    later `convert.export` (the emulator makes them on first download). Without
    bpy in the emulator's Python they are not produced at all.
    """
    files: dict[str, bytes] = {}
    flat = model.glb_mesh() if any(f in TRIANGLE_FORMATS for f in formats) else None
    for fmt in formats:
        if fmt == "glb":
            files["model.glb"] = flat.export(file_type="glb")
        elif fmt == "stl":
            files["model.stl"] = flat.export(file_type="stl")
        elif fmt == "3mf":
            data = _three_mf(trimesh.Trimesh(vertices=flat.vertices, faces=flat.faces, process=False))
            if data is not None:
                files["model.3mf"] = data
        elif fmt == "obj":
            files["model.obj"] = model.poly.obj_text("model.mtl").encode()
            files["model.mtl"] = _mtl(model.maps if model.textured else None).encode()
    later = [f for f in formats if f in convert.BLENDER_FORMATS]
    if later and not convert.available():
        later = []
    if later and blender_now:
        files.update(blender_files(model, later))
        later = []
    return files, later


def blender_files(model: Model, formats: list[str]) -> dict[str, bytes]:
    return convert.export(model.poly, model.maps if model.textured else None, formats, MAP_FILES)


def source_look(mesh: trimesh.Trimesh) -> tuple[np.ndarray | None, dict[str, Image.Image] | None]:
    """A loaded model's per-vertex UVs and PBR maps (split from glTF's packed metallic-roughness)."""
    visual = getattr(mesh, "visual", None)
    uv = getattr(visual, "uv", None)
    mat = getattr(visual, "material", None)
    if uv is None or len(uv) != len(mesh.vertices) or mat is None:
        return None, None
    base = getattr(mat, "baseColorTexture", None)
    if base is None:
        base = getattr(mat, "image", None)  # SimpleMaterial (OBJ + MTL)
    if base is None:
        return None, None
    factor = getattr(mat, "baseColorFactor", None)
    maps: dict[str, Image.Image] = {"base_color": _with_factor(base.convert("RGB"), factor)}
    packed = getattr(mat, "metallicRoughnessTexture", None)
    if packed is not None:
        rgb = packed.convert("RGB")
        _, g, b = rgb.split()
        maps["metallic"], maps["roughness"] = b, g
    normal = getattr(mat, "normalTexture", None)
    if normal is not None:
        maps["normal"] = normal.convert("RGB")
    emissive = getattr(mat, "emissiveTexture", None)
    if emissive is not None:
        maps["emission"] = emissive.convert("RGB")
    if "metallic" in maps and "normal" not in maps:
        maps["normal"] = Image.new("RGB", maps["metallic"].size, (128, 128, 255))
    return np.asarray(uv, dtype=np.float64), maps


def _with_factor(img: Image.Image, factor: object) -> Image.Image:
    if factor is None:
        return img
    f = np.asarray(factor, dtype=np.float64)[:3]
    f = f / 255.0 if f.max() > 1.0 else f
    if np.allclose(f, 1.0):
        return img
    arr = np.asarray(img, dtype=np.float64) * f
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
