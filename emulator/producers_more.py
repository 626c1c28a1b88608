"""Real results of the kinds beyond the seeds (runs in a worker thread, like producers.py).

text-to-3d preview: the prompt's noun built from parts (outputs/shapes.py), untextured, remeshed as
image-to-3d remeshes; refine: that mesh painted as retexture paints; multi-image-to-3d: the relief of
the first image with the front and back views on its two sides; text-to-image: the prompt drawn
(outputs/drawing.py); rigging and animation: Blender in a child process (emulator/rigging).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, ImageOps

from . import rigging as rig
from .errors import TaskFailure
from .outputs import drawing, meshes, paint, render, shapes, style, textures
from .outputs import model as mdl
from .outputs.polymesh import PolyMesh
from .outputs.relief import relief
from .producers import BASE_SIZE, HD_SIZE, TEX_SIZE, Result, deliver, retopologise, style_of, thumbs
from .validation import Spec

CLAY = (200, 200, 204)  # what an untextured preview's thumbnail shows
RIG_TIMEOUT = 300.0  # seconds for one Blender run (rigging takes ~3-5 s here)
THUMB_SIDE = 256


def _cardinal(model: mdl.Model, color: tuple[int, int, int], files: dict[str, bytes], fields: dict[str, Any]) -> None:
    """multi_view_thumbnails: the result seen from the front, right, back and left (`thumbnail_urls`)."""
    mesh = model.poly.to_trimesh()
    urls = {}
    for name, yaw in render.VIEWS.items():
        files[f"thumbnail_{name}.png"] = textures.png_bytes(render.thumbnail(mesh, color=color, turn=(yaw, 10.0)))
        urls[name] = f"thumbnail_{name}.png"
    fields["thumbnail_urls"] = urls


def _mean_color(maps: dict[str, Image.Image] | None) -> tuple[int, int, int]:
    if not maps:
        return CLAY
    small = np.asarray(maps["base_color"].convert("RGB").resize((16, 16)), dtype=np.float64)
    return tuple(int(c) for c in small.reshape(-1, 3).mean(axis=0))  # type: ignore[return-value]


# --- text to 3d -------------------------------------------------------------------------------

def _preview(spec: Spec) -> Result:
    p = spec.params
    low = p["model_type"] == "lowpoly"  # lowpoly ignores ai_model, topology, target_polycount, should_remesh
    pose = p["pose_mode"] or ("a-pose" if p["is_a_t_pose"] else "")
    shape = shapes.build(p["prompt"], pose=pose, lowpoly=low, auto_size=p["auto_size"],
                         origin_at=p["origin_at"] if p["auto_size"] else "bottom")
    if not low and p["should_remesh"]:
        target = meshes.target_for(shape.mesh, p["target_polycount"], p["decimation_mode"])
        poly = retopologise(shape.mesh, p["topology"], target)
        parts = paint.carried(shape.mesh, shape.colors, shape.main, poly)
    else:
        poly = PolyMesh.from_trimesh(shape.mesh)
        parts = paint.FacePaint(shape.colors, shape.main)
    model = mdl.Model(poly, paint=parts)  # untextured; the parts are for refine
    files: dict[str, bytes] = {}
    fields: dict[str, Any] = {}
    later = deliver(model, spec, files, fields)  # untextured: texture_urls []
    thumbs(model, files, fields, False, turn=render.THREE_QUARTER)
    return Result(files, fields, model, later)


def _refine_style(spec: Spec) -> style.Style:
    """texture_prompt wins over texture_image_url; with neither, the preview's own prompt."""
    if spec.params["texture_prompt"] or spec.style_image is not None:
        return style_of(spec)
    return style.from_prompt(spec.params["prompt"])


def _refine(spec: Spec) -> Result:
    """The preview's polygons painted: the prompt's material on its main parts, the other parts their colour."""
    p = spec.params
    source = spec.source_task.model
    poly = PolyMesh(source.poly.vertices.copy(), source.poly.sizes, source.poly.corners)
    if p["auto_size"]:
        plan = shapes.read(p["prompt"])
        poly.vertices = meshes.resized(poly.vertices, height=plan.real_height, origin_at=p["origin_at"])
    modern = p["ai_model"] != "meshy-5"
    look = _refine_style(spec)
    maps = textures.make_maps(look, pbr=p["enable_pbr"], emission=p["enable_pbr"] and modern,
                              size=TEX_SIZE, base_size=HD_SIZE if p["hd_texture"] and modern else BASE_SIZE)
    parts = source.paint or paint.FacePaint(np.full((poly.face_count, 3), 200, np.uint8),
                                            np.ones(poly.face_count, dtype=bool))
    poly.uv, maps = paint.atlas(poly, parts, maps, look.understood)
    model = mdl.Model(poly, maps)
    files: dict[str, bytes] = {}
    fields: dict[str, Any] = {}
    later = deliver(model, spec, files, fields)
    colors = paint.face_colors(poly, parts, look.base, look.understood)
    mesh = poly.to_trimesh()
    lift = shapes.lift_of(mesh, np.repeat(parts.main, poly.sizes - 2))
    shot = render.thumbnail(mesh, turn=render.THREE_QUARTER, face_colors=colors, lift=lift)
    files["preview.png"] = textures.png_bytes(shot)
    fields["thumbnail_url"] = "preview.png"
    return Result(files, fields, model, later)


def text_to_3d(spec: Spec) -> Result:
    return _preview(spec) if spec.params["mode"] == "preview" else _refine(spec)


# --- multi-image to 3d ------------------------------------------------------------------------

def two_view_uv(poly: PolyMesh, aspect: float) -> np.ndarray:
    """Per-corner UVs on a two-view atlas: faces facing +Z read the front (left half), the others the back
    (right half, mirrored: seen from behind, the model's left is on the picture's right). The relief spans
    x in [-aspect/2, aspect/2] and y in [0, 1] for the whole picture, whatever part of it the mesh covers."""
    v = poly.vertices[poly.corners]
    uv = np.column_stack([v[:, 0] / aspect + 0.5, v[:, 1]])
    tri = poly.vertices[poly.corners[poly.triangle_corners()]]
    normal_z = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])[:, 2]
    tris_per_face = poly.sizes - 2
    face_z = np.add.reduceat(normal_z, np.concatenate([[0], np.cumsum(tris_per_face)[:-1]]))
    front = np.repeat(face_z >= 0, poly.sizes)
    return np.where(front[:, None], np.column_stack([uv[:, 0] * 0.5, uv[:, 1]]),
                    np.column_stack([0.5 + (1.0 - uv[:, 0]) * 0.5, uv[:, 1]]))


def _atlas(front: Image.Image, back: Image.Image, side: int = 512) -> Image.Image:
    atlas = Image.new("RGB", (2 * side, side))
    atlas.paste(front.convert("RGB").resize((side, side)), (0, 0))
    atlas.paste(back.convert("RGB").resize((side, side)), (side, 0))
    return atlas


def multi_image_to_3d(spec: Spec) -> Result:
    """The relief of the first image; its front shows the first image, its back the second (multi-view sets
    here run front, back, side), or the first mirrored when there is one."""
    p = spec.params
    front = spec.images[0]
    back = spec.images[1] if len(spec.images) > 1 else ImageOps.mirror(front)
    mesh, _ = relief(front)
    files: dict[str, bytes] = {}
    poly = PolyMesh.from_trimesh(mesh)
    if p["should_remesh"] or p["model_type"] == "lowpoly":
        lowpoly = p["model_type"] == "lowpoly"
        if p["save_pre_remeshed_model"] and not lowpoly:
            files["pre_remeshed_model.glb"] = mdl.Model(poly).glb_mesh().export(file_type="glb")
        target = 1000 if lowpoly else meshes.target_for(mesh, p["target_polycount"], p["decimation_mode"])
        poly = retopologise(mesh, "triangle" if lowpoly else p["topology"], target)
    poly.uv = two_view_uv(poly, front.width / max(1, front.height))
    if p["auto_size"]:
        poly.vertices = meshes.resized(poly.vertices, height=1.0, origin_at=p["origin_at"] or "bottom")
    maps = None
    if p["should_texture"]:
        look = style_of(spec)
        base = _atlas(front, back)
        if p["texture_prompt"] or spec.style_image is not None:
            base = Image.blend(base, Image.new("RGB", base.size, look.base), 0.3)
        modern = p["ai_model"] != "meshy-5"
        maps = textures.make_maps(look, pbr=p["enable_pbr"], emission=p["enable_pbr"] and modern, size=TEX_SIZE,
                                  base_size=HD_SIZE if p["hd_texture"] and modern else BASE_SIZE, base=base)
    model = mdl.Model(poly, maps)
    fields: dict[str, Any] = {}
    later = deliver(model, spec, files, fields)
    if "pre_remeshed_model.glb" in files:
        fields["model_urls"]["pre_remeshed_glb"] = "pre_remeshed_model.glb"
    thumbs(mdl.Model(poly), files, fields, False)
    if p["multi_view_thumbnails"]:
        _cardinal(model, _mean_color(maps), files, fields)
    return Result(files, fields, model, later)


# --- text to image ----------------------------------------------------------------------------

def text_to_image(spec: Spec) -> Result:
    """image_urls: one picture, or the multi-view set (front, back, right); optional RGBA and cardinal thumbnails."""
    p = spec.params
    size = drawing.canvas_size(p["aspect_ratio"])
    pictures = drawing.views(p["prompt"], size, p["pose_mode"]) if p["generate_multi_view"] else \
        [drawing.draw(p["prompt"], size, p["pose_mode"])]
    files = {f"image_{i}.png": textures.png_bytes(img) for i, img in enumerate(pictures)}
    fields: dict[str, Any] = {"image_urls": list(files)}
    if p["alpha_thumbnail"]:
        files["alpha_thumbnail.png"] = textures.png_bytes(
            drawing.draw(p["prompt"], (THUMB_SIDE, THUMB_SIDE), p["pose_mode"], alpha=True))
        fields["alpha_thumbnail_url"] = "alpha_thumbnail.png"
    if p["multi_view_thumbnails"]:
        urls = {}
        for name, img in drawing.cardinal(p["prompt"], p["pose_mode"], THUMB_SIDE).items():
            files[f"thumbnail_{name}.png"] = textures.png_bytes(img)
            urls[name] = f"thumbnail_{name}.png"
        fields["thumbnail_urls"] = urls
    return Result(files, fields)


# --- rigging and animation --------------------------------------------------------------------

def rigging(spec: Spec) -> Result:
    """A skinned character with walking and running clips; URLs in `result` (state.py may lift them to the top)."""
    try:
        files = rig.rig_character(spec.glb or b"", spec.params["height_meters"], spec.texture_png,
                                  timeout=RIG_TIMEOUT)
    except rig.BlenderJobError as exc:
        raise TaskFailure(str(exc), "rigging_failed") from None
    missing = [n for n in rig.RIG_FILES if n not in files]
    if missing:
        raise TaskFailure(f"Rigging failed: Blender wrote no {', '.join(missing)}.", "rigging_failed")
    result = {"rigged_character_glb_url": "rigged_character.glb", "rigged_character_fbx_url": "rigged_character.fbx",
              "basic_animations": {f"{clip}_{what}_url": f"{clip}{suffix}" for clip in ("walking", "running")
                                   for what, suffix in (("glb", ".glb"), ("fbx", ".fbx"),
                                                        ("armature_glb", "_armature.glb"))}}
    return Result(files, {"result": result})


PROCESSED = {"change_fps": ("processed_animation_fps_fbx_url", "processed_animation_fps.fbx"),
             "extract_armature": ("processed_armature_fbx_url", "processed_armature.fbx"),
             "fbx2usdz": ("processed_usdz_url", "processed.usdz")}


def animations(spec: Spec) -> Result:
    """The rigged character playing the action's clip, and the post-processed file when one was asked for."""
    post = spec.params["post_process"] or {}
    operation = post.get("operation_type")
    try:
        files = rig.animate(spec.glb or b"", spec.params["action_id"], fps=post.get("fps"), operation=operation,
                            timeout=RIG_TIMEOUT)
    except rig.BlenderJobError as exc:
        raise TaskFailure(str(exc), "animation_failed") from None
    result = {"animation_glb_url": "animation.glb", "animation_fbx_url": "animation.fbx"}
    if operation:
        key, name = PROCESSED[operation]
        result[key] = name
    missing = [n for n in result.values() if n not in files]
    if missing:
        raise TaskFailure(f"Animation failed: Blender wrote no {', '.join(missing)}"
                          f"{' (this Blender has no USD exporter)' if 'processed.usdz' in missing else ''}.",
                          "animation_failed")
    return Result(files, {"result": result})


PRODUCERS = {"text-to-3d": text_to_3d, "multi-image-to-3d": multi_image_to_3d, "text-to-image": text_to_image,
             "rigging": rigging, "animations": animations}
