"""Create-parameter validation of the kinds beyond the seeds (MESHY_API_MORE.md): one 400 sentence per mistake.

Text to 3D (preview, refine), Multi-Image to 3D, Text to Image, Auto-Rigging and Animation, checked
with the same helpers as the seed kinds (validation.py).
"""

from __future__ import annotations

import io
import math
import re
from typing import Any
from urllib.parse import urlparse

from PIL import Image

from . import inputs
from .errors import bad_request
from .kinds import INPUT_KINDS
from .outputs import meshes
from .outputs.textures import png_bytes
from .rigging.library import ACTION_MAX
from .validation import (
    DEFAULT_FORMATS_3D,
    FORMATS_3D,
    MAX_PROMPT,
    MULTI_VIEW_IMAGES,
    Lookup,
    Spec,
    _common_texture,
    _formats,
    _get,
    _input_task,
    _polycount,
    image_3d_cost,
    image_3d_options,
    mesh_model,
)

TEXT_IMAGE_MODELS = {"nano-banana": 3, "nano-banana-2": 6, "nano-banana-pro": 9, "gpt-image-2": 9}
NANO_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4")
RATIOS = {"nano-banana": NANO_RATIOS, "nano-banana-2": NANO_RATIOS, "nano-banana-pro": NANO_RATIOS,
          "gpt-image-2": ("1:1", "3:2", "2:3")}
MAX_IMAGES = 4
MAX_RIG_FACES = 300_000
MAX_HEIGHT = 100.0  # metres: Meshy says "a positive number"; a cap keeps nonsense out
FPS = (24, 25, 30, 60)
OPERATIONS = ("change_fps", "fbx2usdz", "extract_armature")
ART_STYLES = ("realistic", "sculpture")  # deprecated, ignored by meshy-6; still checked


def _prompt(body: dict[str, Any], name: str = "prompt") -> str:
    if body.get(name) is None:
        raise bad_request(f"{name} is required.")
    text = _get(body, name, "str", max_len=MAX_PROMPT)
    if not text.strip():
        raise bad_request(f"{name} must not be empty.")
    return text


def _task(task_id: Any, name: str, kinds: tuple[str, ...], lookup: Lookup) -> Any:
    """A SUCCEEDED task of one of `kinds` named by the parameter `name`, or a 400 saying which rule it breaks."""
    if not isinstance(task_id, str) or not task_id:
        raise bad_request(f"{name} must be a non-empty string.")
    task = lookup(task_id)
    if task is None:
        raise bad_request(f"{name} {task_id!r} does not refer to an existing task.")
    if task.kind not in kinds:
        raise bad_request(f"{name} must refer to a task of kind {' or '.join(kinds)}; {task_id!r} is {task.kind}.")
    if task.status() != "SUCCEEDED":
        raise bad_request(f"{name} {task_id!r} has not SUCCEEDED (status {task.status()}).")
    return task


def _origin(body: dict[str, Any]) -> str:
    return _get(body, "origin_at", "str", "bottom", choices=("bottom", "center", "")) or "bottom"


# --- text to 3d -------------------------------------------------------------------------------

def text_to_3d(body: dict[str, Any], lookup: Lookup) -> Spec:
    if body.get("mode") is None:
        raise bad_request("mode is required: preview or refine.")
    mode = _get(body, "mode", "str", choices=("preview", "refine"))
    return _preview(body) if mode == "preview" else _refine(body, lookup)


def _preview(body: dict[str, Any]) -> Spec:
    p: dict[str, Any] = {"mode": "preview", "prompt": _prompt(body),
                         "model_type": _get(body, "model_type", "str", "standard", choices=("standard", "lowpoly")),
                         "ai_model": mesh_model(body)}
    p["should_remesh"] = _get(body, "should_remesh", "bool", p["ai_model"] == "meshy-5")
    p.update(_polycount(body))
    p["pose_mode"] = _get(body, "pose_mode", "str", "", choices=("a-pose", "t-pose", ""))
    p["is_a_t_pose"] = _get(body, "is_a_t_pose", "bool", False)
    p["symmetry_mode"] = _get(body, "symmetry_mode", "str", "auto", choices=("off", "auto", "on"))
    p["art_style"] = _get(body, "art_style", "str", None, choices=ART_STYLES)
    p["moderation"] = _get(body, "moderation", "bool", False)
    p["auto_size"] = _get(body, "auto_size", "bool", False)
    p["origin_at"] = _origin(body)
    p["target_formats"] = _formats(body, FORMATS_3D, DEFAULT_FORMATS_3D)
    cost = 5 if p["ai_model"] == "meshy-5" and p["model_type"] != "lowpoly" else 20
    return Spec("text-to-3d", p, cost, task_type="text-to-3d-preview",
                formats_given=body.get("target_formats") is not None)


def _refine(body: dict[str, Any], lookup: Lookup) -> Spec:
    if body.get("preview_task_id") in (None, ""):
        raise bad_request("preview_task_id is required with mode refine: the id of a SUCCEEDED preview task.")
    preview = _task(body["preview_task_id"], "preview_task_id", ("text-to-3d",), lookup)
    if preview.params.get("mode") != "preview":
        raise bad_request(f"preview_task_id {preview.id!r} is a {preview.type} task; refine takes a preview task.")
    p = _common_texture(body)
    p.update(mode="refine", preview_task_id=preview.id, prompt=preview.params["prompt"],
             texture_prompt=_get(body, "texture_prompt", "str", "", max_len=MAX_PROMPT),
             moderation=_get(body, "moderation", "bool", False), auto_size=_get(body, "auto_size", "bool", False),
             origin_at=_origin(body), target_formats=_formats(body, FORMATS_3D, DEFAULT_FORMATS_3D))
    style = None
    if body.get("texture_image_url") not in (None, ""):
        style = inputs.load_image(body["texture_image_url"], "texture_image_url")
    return Spec("text-to-3d", p, 10, task_type="text-to-3d-refine", style_image=style, source_task=preview,
                formats_given=body.get("target_formats") is not None)


# --- multi-image to 3d ------------------------------------------------------------------------

def _task_images(task: Any) -> list[Image.Image]:
    names = sorted((n for n in task.files if re.fullmatch(r"image_\d+\.png", n)), key=lambda n: int(n[6:-4]))
    return [Image.open(io.BytesIO(task.files[n])) for n in names]


def multi_image_to_3d(body: dict[str, Any], lookup: Lookup) -> Spec:
    p, style = image_3d_options(body)
    p["multi_view_thumbnails"] = _get(body, "multi_view_thumbnails", "bool", False)
    spec = Spec("multi-image-to-3d", p, image_3d_cost(p), style_image=style,
                formats_given=body.get("target_formats") is not None)
    if body.get("input_task_id") not in (None, ""):  # wins over image_urls, as for image-to-3d
        task = _input_task(body["input_task_id"], "multi-image-to-3d", lookup)
        images = _task_images(task)
        if len(images) < 2:
            raise bad_request(f"input_task_id {task.id!r} produced {len(images)} image; multi-image-to-3d takes a "
                              "multi-view set (generate_multi_view), image-to-3d takes a single image.")
        spec.images, spec.source_task = images[:MAX_IMAGES], task
        return spec
    urls = _get(body, "image_urls", "list")
    if urls is None:
        raise bad_request("One of input_task_id or image_urls is required.")
    if not 1 <= len(urls) <= MAX_IMAGES:
        raise bad_request(f"image_urls must hold 1 to {MAX_IMAGES} images; got {len(urls)}.")
    spec.images = [inputs.load_image(u, f"image_urls[{i}]") for i, u in enumerate(urls)]
    return spec


# --- text to image ----------------------------------------------------------------------------

def text_to_image(body: dict[str, Any], lookup: Lookup) -> Spec:
    if body.get("ai_model") is None:
        raise bad_request("ai_model is required.")
    model = _get(body, "ai_model", "str", choices=tuple(TEXT_IMAGE_MODELS))
    p: dict[str, Any] = {"ai_model": model, "prompt": _prompt(body),
                         "generate_multi_view": _get(body, "generate_multi_view", "bool", False),
                         "multi_view_thumbnails": _get(body, "multi_view_thumbnails", "bool", False),
                         "alpha_thumbnail": _get(body, "alpha_thumbnail", "bool", False),
                         "pose_mode": _get(body, "pose_mode", "str", "", choices=("a-pose", "t-pose", ""))}
    ratio = _get(body, "aspect_ratio", "str")
    if ratio is not None and p["generate_multi_view"]:
        raise bad_request("generate_multi_view cannot be used with aspect_ratio; send one of them.")
    if ratio is not None and ratio not in RATIOS[model]:
        raise bad_request(f"aspect_ratio {ratio!r} is not available for {model}; use one of: "
                          f"{', '.join(RATIOS[model])}.")
    p["aspect_ratio"] = ratio or "1:1"
    images = MULTI_VIEW_IMAGES if p["generate_multi_view"] else 1
    return Spec("text-to-image", p, TEXT_IMAGE_MODELS[model] * images)


# --- rigging and animation --------------------------------------------------------------------

def _faces_of(task: Any) -> int:
    model = getattr(task, "model", None)
    if model is not None:
        return int((model.poly.sizes - 2).sum())  # triangles, as the GLB carries them
    return len(meshes.load_mesh(task.files["model.glb"], ".glb", "input_task_id").faces)


def rigging(body: dict[str, Any], lookup: Lookup) -> Spec:
    given = [n for n in ("input_task_id", "model_url") if body.get(n) not in (None, "")]
    if not given:
        raise bad_request("One of input_task_id or model_url is required.")
    if len(given) == 2:
        raise bad_request("Give only one of input_task_id or model_url.")
    height = _get(body, "height_meters", "num", 1.7)
    if not (math.isfinite(height) and 0 < height <= MAX_HEIGHT):
        raise bad_request(f"height_meters must be a positive number of metres, at most {MAX_HEIGHT:g}; got {height}.")
    spec = Spec("rigging", {"height_meters": float(height)}, 5, task_type="rig")
    if body.get("texture_image_url") not in (None, ""):
        image = inputs.load_image(body["texture_image_url"], "texture_image_url")
        if image.format != "PNG":
            raise bad_request("texture_image_url must be a PNG image (.png).")
        spec.texture_png = png_bytes(image)
    if given[0] == "input_task_id":
        task = _task(body["input_task_id"], "input_task_id", INPUT_KINDS["rigging"], lookup)
        model = getattr(task, "model", None)
        spec.glb = task.files.get("model.glb") or (model.glb_mesh().export(file_type="glb") if model else None)
        if spec.glb is None:
            raise bad_request(f"input_task_id {task.id!r} has no model to rig.")
        faces, spec.source_task = _faces_of(task), task
    else:
        url = body["model_url"]
        if isinstance(url, str) and not url.startswith("data:") and not urlparse(url).path.lower().endswith(".glb"):
            raise bad_request("model_url must be a GLB model (.glb): rigging takes GLB only.")
        data, _ = inputs.load_model_bytes(url, "model_url")
        if not data.startswith(b"glTF"):
            raise bad_request("model_url must be a GLB model (.glb): rigging takes GLB only.")
        faces = len(meshes.load_mesh(data, ".glb", "model_url").faces)
        spec.glb = data
    if faces > MAX_RIG_FACES:
        raise bad_request(f"The model has {faces:,} faces; rigging takes at most {MAX_RIG_FACES:,} "
                          "(remesh it to fewer first).")
    return spec


def animations(body: dict[str, Any], lookup: Lookup) -> Spec:
    if body.get("rig_task_id") in (None, ""):
        raise bad_request("rig_task_id is required: the id of a SUCCEEDED rigging task.")
    rig = _task(body["rig_task_id"], "rig_task_id", ("rigging",), lookup)
    if body.get("action_id") is None:
        raise bad_request("action_id is required: an id from Meshy's Animation Library.")
    action = body["action_id"]
    if isinstance(action, bool) or not isinstance(action, int) or not 0 <= action <= ACTION_MAX:
        raise bad_request(f"action_id must be an integer from 0 to {ACTION_MAX} (an id of Meshy's Animation "
                          f"Library); got {action!r}.")
    post = _get(body, "post_process", "dict")
    if post is not None:
        if post.get("operation_type") is None:
            raise bad_request("post_process.operation_type is required: change_fps, fbx2usdz or extract_armature.")
        op = post["operation_type"]
        if op not in OPERATIONS:
            raise bad_request(f"post_process.operation_type must be one of: {', '.join(OPERATIONS)}; got {op!r}.")
        fps = post.get("fps")
        if op == "change_fps" and fps is None:
            raise bad_request("post_process.fps is required with change_fps: 24, 25, 30 or 60.")
        if fps is not None and op != "change_fps":
            raise bad_request("post_process.fps is only for operation_type change_fps.")
        if fps is not None and (isinstance(fps, bool) or not isinstance(fps, int) or fps not in FPS):
            raise bad_request(f"post_process.fps must be 24, 25, 30 or 60; got {fps!r}.")
        post = {"operation_type": op, "fps": fps}
    glb = rig.files.get("rigged_character.glb")
    if glb is None:
        raise bad_request(f"rig_task_id {rig.id!r} has no rigged character.")
    return Spec("animations", {"action_id": action, "post_process": post}, 3, task_type="animate",
                source_task=rig, glb=glb)


VALIDATORS = {"text-to-3d": text_to_3d, "multi-image-to-3d": multi_image_to_3d, "text-to-image": text_to_image,
              "rigging": rigging, "animations": animations}
