"""Make each kind's real result files from a validated Spec (runs in a worker thread)."""

from __future__ import annotations

from typing import Any

import numpy as np
import trimesh
from PIL import Image, ImageDraw, ImageFilter

from .outputs import images as imgops
from .outputs import meshes, render, textures
from .validation import Spec

TEX_SIZE = 256  # PBR maps: small keeps tasks fast (PNG encoding dominates)
BASE_SIZE = 512
HD_SIZE = 1024
MAP_FILES = {"base_color": "texture_0.png", "metallic": "texture_0_metallic.png",
             "roughness": "texture_0_roughness.png", "normal": "texture_0_normal.png",
             "emission": "texture_0_emission.png"}
FORMAT_KEYS = {"model.glb": "glb", "model.obj": "obj", "model.stl": "stl", "model.mtl": "mtl",
               "model.fbx": "fbx", "model.usdz": "usdz", "model.blend": "blend", "model.3mf": "3mf"}

# A result: (files name -> bytes, task fields where every URL is given as a file name).
Result = tuple[dict[str, bytes], dict[str, Any]]


def produce(spec: Spec) -> Result:
    return {"image-to-image": _image_to_image, "image-to-3d": _image_to_3d,
            "retexture": _retexture, "remesh": _remesh}[spec.kind](spec)


def _png(img: Image.Image) -> bytes:
    return textures.png_bytes(img)


def _model_fields(files: dict[str, bytes]) -> dict[str, str]:
    return {FORMAT_KEYS[n]: n for n in files if n in FORMAT_KEYS}


def _thumbs(mesh: trimesh.Trimesh, files: dict[str, bytes], fields: dict[str, Any],
            alpha: bool, color: tuple[int, int, int] = (190, 170, 150)) -> None:
    files["preview.png"] = _png(render.thumbnail(mesh, color=color))
    fields["thumbnail_url"] = "preview.png"
    if alpha:
        files["preview_alpha.png"] = _png(render.thumbnail(mesh, alpha=True, color=color))
        fields["alpha_thumbnail_url"] = "preview_alpha.png"


def _textured(mesh: trimesh.Trimesh, uv: np.ndarray, maps: dict[str, Image.Image]) -> trimesh.Trimesh:
    """The mesh with a glTF PBR material embedding the maps."""
    emissive = maps.get("emission")
    mat = trimesh.visual.material.PBRMaterial(
        name="Material", baseColorTexture=maps["base_color"],
        metallicRoughnessTexture=textures.metallic_roughness(maps),
        normalTexture=maps.get("normal"), emissiveTexture=emissive,
        emissiveFactor=[1.0, 1.0, 1.0] if emissive is not None else None,
        metallicFactor=1.0 if "metallic" in maps else 0.0,
        roughnessFactor=1.0 if "roughness" in maps else 0.8)
    out = trimesh.Trimesh(vertices=mesh.vertices, faces=mesh.faces, process=False)
    out.visual = trimesh.visual.TextureVisuals(uv=uv, material=mat)
    return out


def _map_files(maps: dict[str, Image.Image], files: dict[str, bytes]) -> list[dict[str, str]]:
    entry = {}
    for key, img in maps.items():
        files[MAP_FILES[key]] = _png(img)
        entry[key] = MAP_FILES[key]
    return [entry]


def _remesh(spec: Spec) -> Result:
    p = spec.params
    mesh = spec.mesh
    assert mesh is not None
    if not p["convert_format_only"]:
        mesh = meshes.decimate(mesh, meshes.target_for(mesh, p["target_polycount"],
                                                       p["decimation_mode"]))
        origin = p["origin_at"] or ("bottom" if (p["auto_size"] or p["resize_height"]
                                                  or p["resize_longest_side"]) else None)
        height = 1.0 if p["auto_size"] else p["resize_height"]
        meshes.resize(mesh, height=height, longest=p["resize_longest_side"], origin_at=origin)
    out = meshes.plain(mesh)
    files = meshes.export(out, p["target_formats"])
    fields: dict[str, Any] = {"model_urls": _model_fields(files), "topology": p["topology"],
                              "face_count": int(len(out.faces))}
    _thumbs(out, files, fields, p["alpha_thumbnail"])
    return files, fields


def _style(spec: Spec) -> tuple[str, list[tuple[int, int, int]]]:
    prompt = spec.params.get("text_style_prompt") or spec.params.get("texture_prompt") or ""
    if prompt:
        return prompt, textures.palette_from_prompt(prompt)
    if spec.style_image is not None:
        pal = textures.palette_from_image(spec.style_image)
        return repr(pal), pal
    return "meshy", textures.palette_from_prompt("meshy")


def _retexture(spec: Spec) -> Result:
    p = spec.params
    mesh = spec.mesh
    assert mesh is not None
    uv = meshes.existing_uv(mesh) if p["enable_original_uv"] else None
    if uv is None:
        uv = meshes.spherical_uv(mesh.vertices)
    key, palette = _style(spec)
    emission = p["enable_pbr"] and p["ai_model"] != "meshy-5"
    maps = textures.make_maps(key, palette, pbr=p["enable_pbr"], emission=emission,
                              size=TEX_SIZE, base_size=HD_SIZE if p["hd_texture"] else BASE_SIZE)
    out = _textured(mesh, uv, maps)
    files = meshes.export(out, p["target_formats"])
    fields: dict[str, Any] = {"model_urls": _model_fields(files),
                              "texture_urls": _map_files(maps, files)}
    _thumbs(mesh, files, fields, p["alpha_thumbnail"], color=palette[0])
    return files, fields


def _relief(image: Image.Image, grid: int = 64) -> tuple[trimesh.Trimesh, np.ndarray]:
    """A two-sided relief from the image: height from its silhouette and luminance.

    The height falls smoothly to zero at the silhouette (a blurred mask, rounded
    like a pillow), so front and back meet in a clean edge instead of spikes.
    """
    rgba = image.convert("RGBA")
    aspect = rgba.width / max(1, rgba.height)
    small = rgba.resize((grid, grid), Image.BILINEAR)
    arr = np.asarray(small, dtype=np.float32) / 255.0
    alpha = arr[..., 3]
    if alpha.min() > 0.99:  # opaque: treat colours near the corner colour as background
        corner = arr[0, 0, :3]
        alpha = (np.abs(arr[..., :3] - corner).sum(axis=2) > 0.15).astype(np.float32)
        if alpha.mean() < 0.05:
            alpha[:] = 1.0
    # Holes in the silhouette (spots the colour of the background) are inside too:
    # flood the background from the border and keep everything it does not reach.
    mask = Image.fromarray(np.pad((alpha > 0.5).astype(np.uint8) * 255, 1)).copy()  # writable
    ImageDraw.floodfill(mask, (0, 0), 128)
    inside = np.asarray(mask)[1:-1, 1:-1] != 128
    alpha = np.where(inside, 1.0, alpha)
    mask_img = Image.fromarray((inside * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(grid / 16))
    puff = np.clip(np.asarray(mask_img, dtype=np.float32) / 255.0 * 2.0 - 1.0, 0.0, 1.0)
    lum = arr[..., :3].mean(axis=2)
    height = (0.16 * np.sqrt(puff) + 0.02 * lum * puff) * inside
    ys, xs = np.mgrid[0:grid, 0:grid]
    x = (xs / (grid - 1) - 0.5) * aspect
    y = 1.0 - ys / (grid - 1)
    uv = np.column_stack([(xs / (grid - 1)).ravel(), (1.0 - ys / (grid - 1)).ravel()])
    front = np.column_stack([x.ravel(), y.ravel(), height.ravel()])
    back = np.column_stack([x.ravel(), y.ravel(), -0.5 * height.ravel()])
    idx = np.arange(grid * grid).reshape(grid, grid)
    a, b = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel()
    c, d = idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
    keep = (alpha[:-1, :-1] > 0.5).ravel() | (alpha[1:, 1:] > 0.5).ravel()
    quads = np.column_stack([a, b, c, d])[keep]
    f_front = np.vstack([quads[:, [0, 2, 1]], quads[:, [1, 2, 3]]])
    n = grid * grid
    f_back = np.vstack([quads[:, [0, 1, 2]], quads[:, [1, 3, 2]]]) + n
    mesh = trimesh.Trimesh(vertices=np.vstack([front, back]), faces=np.vstack([f_front, f_back]),
                           process=False)
    used = np.unique(mesh.faces)
    remap = np.full(len(mesh.vertices), -1)
    remap[used] = np.arange(len(used))
    all_uv = np.vstack([uv, uv])[used]
    mesh = trimesh.Trimesh(vertices=mesh.vertices[used], faces=remap[mesh.faces], process=False)
    return mesh, all_uv


def _image_to_3d(spec: Spec) -> Result:
    p = spec.params
    image = spec.images[0]
    mesh, uv = _relief(image)
    files: dict[str, bytes] = {}
    fields: dict[str, Any] = {}
    remesh = p["should_remesh"] or p["model_type"] == "lowpoly"
    if remesh:
        if p["save_pre_remeshed_model"] and p["model_type"] != "lowpoly":
            files["pre_remeshed_model.glb"] = meshes.plain(mesh).export(file_type="glb")
        target = 1000 if p["model_type"] == "lowpoly" else \
            meshes.target_for(mesh, p["target_polycount"], p["decimation_mode"])
        if target < len(mesh.faces):
            mesh = meshes.decimate(mesh, target)
            uv = _planar_uv(mesh)
    if p["auto_size"]:
        meshes.resize(mesh, height=1.0, origin_at=p["origin_at"])
    if p["should_texture"]:
        key, palette = _style(spec) if (p["texture_prompt"] or spec.style_image) else \
            ("image", textures.palette_from_image(image))
        base = image.convert("RGB")
        if p["texture_prompt"] or spec.style_image is not None:
            tint = Image.new("RGB", base.size, palette[0])
            base = Image.blend(base, tint, 0.3)
        size = HD_SIZE if p["hd_texture"] and p["ai_model"] != "meshy-5" else BASE_SIZE
        maps = textures.make_maps(key, palette, pbr=p["enable_pbr"],
                                  emission=p["enable_pbr"] and p["ai_model"] != "meshy-5",
                                  size=TEX_SIZE, base_size=size, base=base)
        out = _textured(mesh, uv, maps)
        fields["texture_urls"] = _map_files(maps, files)
    else:
        out = meshes.plain(mesh)
    files.update(meshes.export(out, p["target_formats"]))
    fields["model_urls"] = _model_fields(files)
    if "pre_remeshed_model.glb" in files:
        fields["model_urls"]["pre_remeshed_glb"] = "pre_remeshed_model.glb"
    _thumbs(mesh, files, fields, False)
    return files, fields


def _planar_uv(mesh: trimesh.Trimesh) -> np.ndarray:
    """Front projection UVs (x, y over the bounds) matching the relief's image mapping."""
    v = np.asarray(mesh.vertices)
    lo, hi = v.min(axis=0), v.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    return np.column_stack([(v[:, 0] - lo[0]) / span[0], (v[:, 1] - lo[1]) / span[1]])


def _image_to_image(spec: Spec) -> Result:
    edited = imgops.edit(spec.images, spec.params["prompt"])
    outs = imgops.views(edited) if spec.params["generate_multi_view"] else [edited]
    files = {f"image_{i}.png": _png(img) for i, img in enumerate(outs)}
    return files, {"image_urls": list(files)}

