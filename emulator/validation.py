"""Create-parameter validation: the shared checks and the four seed kinds (validation_more.py: the others)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import trimesh
from PIL import Image

from . import convert, inputs
from .errors import bad_request
from .kinds import INPUT_KINDS, NAMES
from .outputs import meshes

KINDS = NAMES
MAX_PROMPT = 600
#: pictures a multi-view image task makes (image-to-image and text-to-image, priced per image)
MULTI_VIEW_IMAGES = 3
IMAGE_MODELS = {"nano-banana": 3, "nano-banana-2": 6, "nano-banana-pro": 9, "gpt-image-2": 12}
# Model ids in one place: `latest` is the default; a retired id moves from MESH_MODELS to RETIRED_MODELS.
MESH_MODELS = ("meshy-5", "meshy-6", "latest")
RETIRED_MODELS = ("meshy-3", "meshy-4")
FORMATS_3D = ("glb", "obj", "fbx", "stl", "usdz", "3mf")
FORMATS_REMESH = ("glb", "fbx", "obj", "usdz", "blend", "stl", "3mf")
# What a real image-to-3d or retexture answer carries when target_formats is not given.
DEFAULT_FORMATS_3D = ["glb", "fbx", "obj", "usdz"]


@dataclass
class Spec:
    """A validated create request: normalised params, decoded inputs and the credit cost."""

    kind: str
    params: dict[str, Any]
    cost: int
    images: list[Image.Image] = field(default_factory=list)
    style_image: Image.Image | None = None
    mesh: trimesh.Trimesh | None = None
    source_task: Any = None
    fbx: bytes | None = None  # an FBX upload, read through Blender in the worker
    formats_given: bool = False  # target_formats was sent (else the kind's default list)
    task_type: str = ""  # the task object's `type` when it is not the kind's (text-to-3d-preview, rig...)
    glb: bytes | None = None  # rigging: the model; animation: the rigged character
    texture_png: bytes | None = None  # rigging: texture_image_url

    def source_mesh(self) -> trimesh.Trimesh:
        """The model to work on; an FBX upload is read here (seconds), not in the request."""
        if self.mesh is None and self.fbx is not None:
            self.mesh = meshes.load_mesh(convert.fbx_to_glb(self.fbx), ".glb", "model_url")
        assert self.mesh is not None
        return self.mesh


Lookup = Callable[[str], Any]


def _get(body: dict[str, Any], name: str, typ: str, default: Any = None, *,
         choices: tuple[Any, ...] | None = None, lo: float | None = None,
         hi: float | None = None, max_len: int | None = None) -> Any:
    """Read one optional parameter, checking its JSON type, enum, range and length."""
    if name not in body or body[name] is None:
        return default
    value = body[name]
    ok = {
        "str": isinstance(value, str),
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "num": isinstance(value, (int, float)) and not isinstance(value, bool),
        "list": isinstance(value, list),
        "dict": isinstance(value, dict),
    }[typ]
    if not ok:
        names = {"str": "a string", "bool": "a boolean", "int": "an integer", "num": "a number",
                 "list": "an array", "dict": "an object"}
        raise bad_request(f"{name} must be {names[typ]}.")
    if choices is not None and value not in choices:
        shown = ", ".join(repr(c) if c == "" else str(c) for c in choices)
        raise bad_request(f"{name} must be one of: {shown}; got {value!r}.")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise bad_request(f"{name} must be between {lo:g} and {hi:g}; got {value}.")
    if max_len is not None and len(value) > max_len:
        raise bad_request(f"{name} must be at most {max_len} characters; got {len(value)}.")
    return value


def _formats(body: dict[str, Any], allowed: tuple[str, ...], default: list[str]) -> list[str]:
    value = _get(body, "target_formats", "list")
    if value is None:
        return list(default)
    if not value:
        raise bad_request("target_formats must list at least one format.")
    for item in value:
        if item not in allowed:
            raise bad_request(f"target_formats item {item!r} is not supported; "
                              f"use a subset of: {', '.join(allowed)}.")
    return list(dict.fromkeys(value))


def _input_task(task_id: Any, kind: str, lookup: Lookup) -> Any:
    if not isinstance(task_id, str) or not task_id:
        raise bad_request("input_task_id must be a non-empty string.")
    task = lookup(task_id)
    if task is None:
        raise bad_request(f"input_task_id {task_id!r} does not refer to an existing task.")
    if task.kind not in INPUT_KINDS[kind]:
        raise bad_request(f"input_task_id must refer to a task of kind "
                          f"{' or '.join(INPUT_KINDS[kind])}; {task_id!r} is {task.kind}.")
    if task.status() != "SUCCEEDED":
        raise bad_request(f"input_task_id {task_id!r} has not SUCCEEDED (status {task.status()}).")
    return task


def _source_mesh(task: Any, name: str = "input_task_id") -> trimesh.Trimesh:
    glb = task.files.get("model.glb")
    if glb is None:
        raise bad_request(f"{name} {task.id!r} has no GLB model to work on.")
    return meshes.load_mesh(glb, ".glb", name)


def _first_of(body: dict[str, Any], winner: str, other: str) -> str:
    """Which of two alternatives counts: `winner` when both are given (documented), 400 when neither."""
    if body.get(winner) not in (None, ""):
        return winner
    if body.get(other) not in (None, ""):
        return other
    raise bad_request(f"One of {winner} or {other} is required.")


def validate(kind: str, body: Any, lookup: Lookup) -> Spec:
    """Check a create body for `kind`; returns a Spec or raises HttpError(400)."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    from . import validation_more  # the other kinds build on the checks here

    seeds = {"image-to-image": _image_to_image, "image-to-3d": _image_to_3d, "retexture": _retexture,
             "remesh": _remesh}
    return (seeds.get(kind) or validation_more.VALIDATORS[kind])(body, lookup)


def mesh_model(body: dict[str, Any]) -> str:
    """ai_model of the 3D kinds: `latest` by default, a retired id is a 400 of its own."""
    if body.get("ai_model") in RETIRED_MODELS:
        raise bad_request(f"ai_model {body['ai_model']!r} is retired; use one of: {', '.join(MESH_MODELS)}.")
    return _get(body, "ai_model", "str", "latest", choices=MESH_MODELS)


def _image_to_image(body: dict[str, Any], lookup: Lookup) -> Spec:
    if body.get("ai_model") is None:
        raise bad_request("ai_model is required.")
    model = _get(body, "ai_model", "str", choices=tuple(IMAGE_MODELS))
    if body.get("prompt") is None:
        raise bad_request("prompt is required.")
    prompt = _get(body, "prompt", "str", max_len=MAX_PROMPT)
    if not prompt.strip():
        raise bad_request("prompt must not be empty.")
    refs = _get(body, "reference_image_urls", "list")
    if refs is None:
        raise bad_request("reference_image_urls is required.")
    if not 1 <= len(refs) <= 5:
        raise bad_request(f"reference_image_urls must hold 1 to 5 images; got {len(refs)}.")
    images = [inputs.load_image(u, f"reference_image_urls[{i}]") for i, u in enumerate(refs)]
    multi = _get(body, "generate_multi_view", "bool", False)
    n_out = MULTI_VIEW_IMAGES if multi else 1
    return Spec("image-to-image", {"ai_model": model, "prompt": prompt,
                                   "generate_multi_view": multi},
                IMAGE_MODELS[model] * n_out, images=images)


def _common_texture(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "ai_model": mesh_model(body),
        "enable_pbr": _get(body, "enable_pbr", "bool", False),
        "hd_texture": _get(body, "hd_texture", "bool", False),
        "remove_lighting": _get(body, "remove_lighting", "bool", True),
    }


def _polycount(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "topology": _get(body, "topology", "str", "triangle", choices=("quad", "triangle")),
        "target_polycount": _get(body, "target_polycount", "int", 30000, lo=100, hi=300000),
        "decimation_mode": _get(body, "decimation_mode", "int", None, choices=(1, 2, 3, 4)),
    }


def image_3d_options(body: dict[str, Any]) -> tuple[dict[str, Any], Image.Image | None]:
    """Every option image-to-3d and multi-image-to-3d share, and the texture image if one was sent."""
    p: dict[str, Any] = {"model_type": _get(body, "model_type", "str", "standard",
                                            choices=("standard", "lowpoly"))}
    p.update(_common_texture(body))
    p["should_texture"] = _get(body, "should_texture", "bool", True)
    p["should_remesh"] = _get(body, "should_remesh", "bool", p["ai_model"] == "meshy-5")
    p.update(_polycount(body))
    p["save_pre_remeshed_model"] = _get(body, "save_pre_remeshed_model", "bool", False)
    p["symmetry_mode"] = _get(body, "symmetry_mode", "str", "auto", choices=("off", "auto", "on"))
    p["pose_mode"] = _get(body, "pose_mode", "str", "", choices=("a-pose", "t-pose", ""))
    p["is_a_t_pose"] = _get(body, "is_a_t_pose", "bool", False)
    p["image_enhancement"] = _get(body, "image_enhancement", "bool", True)
    p["moderation"] = _get(body, "moderation", "bool", False)
    p["auto_size"] = _get(body, "auto_size", "bool", False)
    p["origin_at"] = _get(body, "origin_at", "str", "bottom", choices=("bottom", "center", "")) or "bottom"
    p["texture_prompt"] = _get(body, "texture_prompt", "str", "", max_len=MAX_PROMPT)
    p["target_formats"] = _formats(body, FORMATS_3D, DEFAULT_FORMATS_3D)
    if p["enable_pbr"] and not p["should_texture"]:
        raise bad_request("enable_pbr is only supported when should_texture is true.")
    style = None
    if body.get("texture_image_url") not in (None, ""):
        style = inputs.load_image(body["texture_image_url"], "texture_image_url")
    return p, style


def image_3d_cost(p: dict[str, Any]) -> int:
    if p["ai_model"] == "meshy-5":
        return 15 if p["should_texture"] else 5
    return 30 if p["should_texture"] else 20


def _image_to_3d(body: dict[str, Any], lookup: Lookup) -> Spec:
    p, style = image_3d_options(body)
    spec = Spec("image-to-3d", p, image_3d_cost(p), style_image=style,
                formats_given=body.get("target_formats") is not None)
    if body.get("input_task_id") not in (None, ""):  # wins over image_url (documented)
        task = _input_task(body["input_task_id"], "image-to-3d", lookup)
        pngs = [n for n in task.files if n.startswith("image_")]
        if len(pngs) != 1:
            raise bad_request(f"input_task_id {task.id!r} produced {len(pngs)} images; "
                              "it must have produced exactly one.")
        spec.images = [Image.open(io.BytesIO(task.files[pngs[0]]))]
        spec.source_task = task
    elif body.get("image_url") not in (None, ""):
        spec.images = [inputs.load_image(body["image_url"], "image_url")]
    else:
        raise bad_request("One of input_task_id or image_url is required.")
    return spec


def _model_input(body: dict[str, Any], kind: str, lookup: Lookup, spec: Spec) -> None:
    which = _first_of(body, "input_task_id", "model_url")  # input_task_id wins (documented)
    if which == "input_task_id":
        spec.source_task = _input_task(body["input_task_id"], kind, lookup)
        spec.mesh = _source_mesh(spec.source_task)
        return
    data, hint = inputs.load_model_bytes(body["model_url"], "model_url")
    if meshes.sniff_format(data, hint) == "fbx":
        if not convert.available():
            raise bad_request("model_url is an FBX model, and this emulator reads FBX only where Python "
                              "has Blender's bpy module; send GLB, glTF, OBJ or STL.")
        spec.fbx = data
        return
    spec.mesh = meshes.load_mesh(data, hint, "model_url")


def _retexture(body: dict[str, Any], lookup: Lookup) -> Spec:
    p = _common_texture(body)
    p["enable_original_uv"] = _get(body, "enable_original_uv", "bool", False)
    p["alpha_thumbnail"] = _get(body, "alpha_thumbnail", "bool", False)
    p["target_formats"] = _formats(body, FORMATS_3D, DEFAULT_FORMATS_3D)
    spec = Spec("retexture", p, 10, formats_given=body.get("target_formats") is not None)
    style = _first_of(body, "image_style_url", "text_style_prompt")  # the image wins (documented)
    if body.get("text_style_prompt") not in (None, ""):
        p["text_style_prompt"] = _get(body, "text_style_prompt", "str", max_len=MAX_PROMPT)
    if style == "image_style_url":
        spec.style_image = inputs.load_image(body["image_style_url"], "image_style_url")
    _model_input(body, "retexture", lookup, spec)
    return spec


def _remesh(body: dict[str, Any], lookup: Lookup) -> Spec:
    p = _polycount(body)
    p["target_formats"] = _formats(body, FORMATS_REMESH, ["glb"])
    p["resize_height"] = _get(body, "resize_height", "num", 0, lo=0, hi=1e6)
    p["resize_longest_side"] = _get(body, "resize_longest_side", "num", 0, lo=0, hi=1e6)
    p["auto_size"] = _get(body, "auto_size", "bool", False)
    p["origin_at"] = _get(body, "origin_at", "str", None, choices=("bottom", "center", "")) or None
    p["convert_format_only"] = _get(body, "convert_format_only", "bool", False)
    p["alpha_thumbnail"] = _get(body, "alpha_thumbnail", "bool", False)
    if p["auto_size"] and p["resize_height"]:
        raise bad_request("auto_size and resize_height cannot both be set.")
    spec = Spec("remesh", p, 5, formats_given=True)  # the default, GLB alone, is asked for too
    _model_input(body, "remesh", lookup, spec)
    return spec
