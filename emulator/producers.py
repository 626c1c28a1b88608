"""Make each kind's real result files from a validated Spec (runs in a worker thread)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import trimesh
from PIL import Image

from .outputs import images as imgops
from .outputs import meshes, render, retopo, style, textures, transfer
from .outputs import model as mdl
from .outputs.polymesh import PolyMesh
from .outputs.relief import planar_uv, relief
from .validation import Spec

TEX_SIZE = 256  # PBR maps: small keeps tasks fast (PNG encoding dominates)
BASE_SIZE = 512
HD_SIZE = 1024
MAP_FILES = mdl.MAP_FILES
FORMAT_KEYS = {"model.glb": "glb", "model.obj": "obj", "model.stl": "stl", "model.mtl": "mtl",
               "model.fbx": "fbx", "model.usdz": "usdz", "model.blend": "blend", "model.3mf": "3mf"}


@dataclass
class Result:
    """Files (name -> bytes) and task fields where every URL is given as a file name."""

    files: dict[str, bytes]
    fields: dict[str, Any]
    model: mdl.Model | None = None  # kept for chaining (input_task_id) without a GLB round trip
    later: list[str] = field(default_factory=list)  # Blender formats made on first download


def produce(spec: Spec) -> Result:
    from . import producers_more  # the other kinds build on the helpers here

    seeds = {"image-to-image": _image_to_image, "image-to-3d": _image_to_3d, "retexture": _retexture,
             "remesh": _remesh}
    return (seeds.get(spec.kind) or producers_more.PRODUCERS[spec.kind])(spec)


def deliver(model: mdl.Model, spec: Spec, files: dict[str, bytes], fields: dict[str, Any]) -> list[str]:
    """Write every requested format and the texture maps; fill model_urls and texture_urls."""
    out, later = mdl.export(model, spec.params["target_formats"], blender_now=spec.formats_given)
    files.update(out)
    if model.textured:
        maps = model.maps or {}
        files.update(mdl.map_files(maps))
        fields["texture_urls"] = [{key: MAP_FILES[key] for key in maps}]
    else:
        fields["texture_urls"] = []
    names = [n for n in files if n in FORMAT_KEYS] + [f"model.{f}" for f in later]
    fields["model_urls"] = {FORMAT_KEYS[n]: n for n in names}
    return later


def thumbs(model: mdl.Model, files: dict[str, bytes], fields: dict[str, Any], alpha: bool,
           turn: tuple[float, float] = (0.0, 0.0)) -> None:
    mesh = model.poly.to_trimesh()
    color = (190, 170, 150)
    if model.textured and model.maps:
        small = model.maps["base_color"].convert("RGB").resize((16, 16))
        color = tuple(int(c) for c in np.asarray(small, dtype=np.float64).reshape(-1, 3).mean(axis=0))
    files["preview.png"] = textures.png_bytes(render.thumbnail(mesh, color=color, turn=turn))
    fields["thumbnail_url"] = "preview.png"
    if alpha:
        files["preview_alpha.png"] = textures.png_bytes(render.thumbnail(mesh, alpha=True, color=color, turn=turn))
        fields["alpha_thumbnail_url"] = "preview_alpha.png"


def retopologise(mesh: trimesh.Trimesh, topology: str, target: int) -> PolyMesh:
    if topology == "quad":
        return retopo.quad_remesh(mesh, target)
    return PolyMesh.from_trimesh(retopo.triangle_remesh(mesh, target))


def _remesh(spec: Spec) -> Result:
    p = spec.params
    source = spec.source_mesh()
    uv, maps = mdl.source_look(source)
    if p["convert_format_only"]:
        poly = PolyMesh.from_trimesh(source, uv)
    else:
        target = meshes.target_for(source, p["target_polycount"], p["decimation_mode"])
        poly = retopologise(source, p["topology"], target)
        if uv is not None and maps:  # the textures stay: the new surface reads the old UVs
            poly.uv = transfer.transfer_uv(source, uv, poly)
        origin = p["origin_at"] or ("bottom" if (p["auto_size"] or p["resize_height"]
                                                  or p["resize_longest_side"]) else None)
        height = 1.0 if p["auto_size"] else p["resize_height"]
        poly.vertices = meshes.resized(poly.vertices, height=height, longest=p["resize_longest_side"],
                                       origin_at=origin)
    model = mdl.Model(poly, maps if poly.uv is not None else None)
    files: dict[str, bytes] = {}
    fields: dict[str, Any] = {}
    later = deliver(model, spec, files, fields)
    thumbs(model, files, fields, p["alpha_thumbnail"])
    return Result(files, fields, model, later)


def style_of(spec: Spec) -> style.Style:
    """The prompt's words or the style image's colours (retexture: the image wins; image-to-3d: the prompt)."""
    prompt = spec.params.get("text_style_prompt") or spec.params.get("texture_prompt") or ""
    if spec.style_image is not None and (spec.kind == "retexture" or not prompt):
        pal = textures.palette_from_image(spec.style_image)
        return style.from_palette(repr(pal), pal)
    return style.from_prompt(prompt or "meshy")


def _retexture(spec: Spec) -> Result:
    p = spec.params
    source_model = getattr(spec.source_task, "model", None)
    if source_model is not None:  # a Meshy result: its own polygons (quads stay quads)
        poly = PolyMesh(source_model.poly.vertices, source_model.poly.sizes, source_model.poly.corners,
                        source_model.poly.uv)
    else:
        mesh = spec.source_mesh()
        poly = PolyMesh.from_trimesh(mesh, meshes.existing_uv(mesh))
    if not (p["enable_original_uv"] and poly.uv is not None):
        poly.uv = meshes.unwrap_seam(meshes.spherical_uv(poly.vertices)[poly.corners], poly.sizes)
    look = style_of(spec)
    emission = p["enable_pbr"] and p["ai_model"] != "meshy-5"
    maps = textures.make_maps(look, pbr=p["enable_pbr"], emission=emission, size=TEX_SIZE,
                              base_size=HD_SIZE if p["hd_texture"] else BASE_SIZE)
    model = mdl.Model(poly, maps)
    files: dict[str, bytes] = {}
    fields: dict[str, Any] = {}
    later = deliver(model, spec, files, fields)
    thumbs(model, files, fields, p["alpha_thumbnail"])
    return Result(files, fields, model, later)


def _image_to_3d(spec: Spec) -> Result:
    p = spec.params
    image = spec.images[0]
    mesh, uv = relief(image)
    files: dict[str, bytes] = {}
    poly = PolyMesh.from_trimesh(mesh, uv)
    if p["should_remesh"] or p["model_type"] == "lowpoly":
        lowpoly = p["model_type"] == "lowpoly"
        if p["save_pre_remeshed_model"] and not lowpoly:
            files["pre_remeshed_model.glb"] = mdl.Model(poly).glb_mesh().export(file_type="glb")
        target = 1000 if lowpoly else meshes.target_for(mesh, p["target_polycount"], p["decimation_mode"])
        poly = retopologise(mesh, "triangle" if lowpoly else p["topology"], target)
        poly.uv = planar_uv(poly.vertices)[poly.corners]
    if p["auto_size"]:
        poly.vertices = meshes.resized(poly.vertices, height=1.0, origin_at=p["origin_at"] or "bottom")
    maps = None
    if p["should_texture"]:
        look = style_of(spec)
        base = image.convert("RGB")
        if p["texture_prompt"] or spec.style_image is not None:
            base = Image.blend(base, Image.new("RGB", base.size, look.base), 0.3)
        size = HD_SIZE if p["hd_texture"] and p["ai_model"] != "meshy-5" else BASE_SIZE
        maps = textures.make_maps(look, pbr=p["enable_pbr"], emission=p["enable_pbr"] and p["ai_model"] != "meshy-5",
                                  size=TEX_SIZE, base_size=size, base=base)
    model = mdl.Model(poly, maps)
    fields: dict[str, Any] = {}
    later = deliver(model, spec, files, fields)
    if "pre_remeshed_model.glb" in files:
        fields["model_urls"]["pre_remeshed_glb"] = "pre_remeshed_model.glb"
    thumbs(mdl.Model(poly), files, fields, False)
    return Result(files, fields, model, later)


def _image_to_image(spec: Spec) -> Result:
    edited = imgops.edit(spec.images, spec.params["prompt"])
    outs = imgops.views(edited) if spec.params["generate_multi_view"] else [edited]
    files = {f"image_{i}.png": textures.png_bytes(img) for i, img in enumerate(outs)}
    return Result(files, {"image_urls": list(files)})
