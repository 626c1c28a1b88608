"""The create parameters of each Meshy API as Blender properties.

One table per kind names every create parameter of the contract with the
API's own name and default, so the operators (``bpy.ops.meshy.remesh(...)``)
and the sidebar's per-scene settings are generated from the same source and
cannot drift apart. Enum identifiers are the API values upper-cased with ``-``
as ``_``; a value an identifier cannot carry (``pose_mode=""``) is ``NONE``.

Limits are soft (``soft_min``/``soft_max``): the operator checks them in
``execute`` and says so in a sentence, instead of Blender silently clamping
50 to 100 or cutting a 601-character prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    StringProperty,
)


@dataclass(frozen=True)
class Param:
    """One operator property; ``api`` says whether it is sent as-is to Meshy."""

    name: str
    type: str  # str, bool, int, float, enum, enumset, path, image, files
    default: Any = None
    label: str = ""
    description: str = ""
    items: tuple[tuple[str, str], ...] = ()  # (API value, label)
    soft_min: float | None = None
    soft_max: float | None = None
    advanced: bool = False
    api: bool = True


def enum_id(value: str) -> str:
    """API value -> enum identifier: ``nano-banana-pro`` -> ``NANO_BANANA_PRO``."""
    return value.upper().replace("-", "_") if value else "NONE"


def api_value(identifier: str) -> str:
    """Enum identifier -> API value: ``A_POSE`` -> ``a-pose``; ``NONE`` -> ``""``."""
    return "" if identifier == "NONE" else identifier.lower().replace("_", "-")


MESH_MODELS = (("latest", "Latest"), ("meshy-6", "Meshy 6"), ("meshy-5", "Meshy 5"))
IMAGE_MODELS = (
    ("nano-banana", "Nano Banana"),
    ("nano-banana-2", "Nano Banana 2"),
    ("nano-banana-pro", "Nano Banana Pro"),
    ("gpt-image-2", "GPT Image 2"),
)
TOPOLOGY = (("triangle", "Triangles"), ("quad", "Quads"))
ORIGIN = (("bottom", "Bottom"), ("center", "Center"))
FORMATS_3D = (("glb", "GLB"), ("obj", "OBJ"), ("fbx", "FBX"), ("stl", "STL"), ("usdz", "USDZ"), ("3mf", "3MF"))
FORMATS_REMESH = FORMATS_3D[:5] + (("blend", "Blend"), ("3mf", "3MF"))

_POLYCOUNT = dict(
    label="Target Polycount", default=30000, soft_min=100, soft_max=300000,
    description="Polygons wanted in the result, 100 to 300,000 (ignored when Decimation is set)",
)
_DECIMATION = dict(
    label="Decimation", default=0, soft_min=0, soft_max=4, advanced=True,
    description="Adaptive polycount: 1 ultra-high, 2 high, 3 medium, 4 low; 0 uses Target Polycount",
)
_REMOVE_LIGHTING = dict(
    label="Remove Lighting", default=True, advanced=True,
    description="Strip baked highlights and shadows from the texture",
)
_PBR = dict(label="PBR Maps", default=False, description="Also make metallic, roughness and normal maps")
_HD = dict(label="HD Texture", default=False, advanced=True, description="4K base colour (Meshy 6 only)")
_ALPHA_THUMB = dict(
    label="Alpha Thumbnail", default=False, advanced=True, description="Also render a transparent preview image",
)
_INPUT_TASK = dict(
    label="Input Task ID", default="", advanced=True,
    description="Use a finished Meshy task as input instead of uploading (wins over the selection)",
)
_MODEL_URL = dict(
    label="Model URL", default="", advanced=True,
    description="An http(s) URL or data URI of a .glb/.gltf/.obj/.fbx/.stl model (wins over the selection)",
)


def _p(name: str, type_: str, **kw: Any) -> Param:
    return Param(name, type_, **kw)


REMESH: tuple[Param, ...] = (
    _p("input_task_id", "str", **_INPUT_TASK),
    _p("model_url", "str", **_MODEL_URL),
    _p("topology", "enum", items=TOPOLOGY, default="triangle", label="Topology",
       description="Quad-dominant or triangle mesh"),
    _p("target_polycount", "int", **_POLYCOUNT),
    _p("decimation_mode", "int", **_DECIMATION),
    _p("target_formats", "enumset", items=FORMATS_REMESH, default=("glb",), label="Formats", advanced=True,
       description="File formats Meshy produces (GLB is always fetched for import)"),
    _p("resize_height", "float", default=0.0, soft_min=0.0, label="Resize Height", advanced=True,
       description="Deprecated: resize to this height in metres (0 keeps the size)"),
    _p("resize_longest_side", "float", default=0.0, soft_min=0.0, label="Resize Longest Side", advanced=True,
       description="Deprecated: resize so the longest side is this many metres (0 keeps the size)"),
    _p("auto_size", "bool", default=False, label="Auto Size", advanced=True,
       description="Deprecated: estimate a real-world size (not with Resize Height)"),
    _p("origin_at", "enum", items=ORIGIN, default="bottom", label="Origin", advanced=True,
       description="Deprecated: where the origin goes when resizing"),
    _p("convert_format_only", "bool", default=False, label="Convert Format Only", advanced=True,
       description="Deprecated: only change the file format, keep the mesh"),
    _p("alpha_thumbnail", "bool", **_ALPHA_THUMB),
)

RETEXTURE: tuple[Param, ...] = (
    _p("input_task_id", "str", **_INPUT_TASK),
    _p("model_url", "str", **_MODEL_URL),
    _p("text_style_prompt", "str", default="", label="Style Prompt",
       description="Describe the texture, up to 600 characters (or give a style image)"),
    _p("image_style_url", "str", default="", label="Style Image URL", advanced=True,
       description="An http(s) URL or data URI of a .jpg/.png style image"),
    _p("style_image_path", "path", default="", label="Style Image File", api=False,
       description="A .jpg/.png/.webp file whose look the texture follows"),
    _p("style_image_name", "image", default="", label="Style Image", api=False,
       description="A Blender image whose look the texture follows"),
    _p("ai_model", "enum", items=MESH_MODELS, default="latest", label="AI Model",
       description="Meshy model used for texturing"),
    _p("enable_original_uv", "bool", default=False, label="Keep UVs",
       description="Keep the model's own UVs (good for Meshy-made models or clean UVs)"),
    _p("enable_pbr", "bool", **_PBR),
    _p("hd_texture", "bool", **_HD),
    _p("remove_lighting", "bool", **_REMOVE_LIGHTING),
    _p("target_formats", "enumset", items=FORMATS_3D, default=tuple(v for v, _ in FORMATS_3D), label="Formats",
       advanced=True, description="File formats Meshy produces (GLB is always fetched for import)"),
    _p("alpha_thumbnail", "bool", **_ALPHA_THUMB),
)

IMAGE_TO_3D: tuple[Param, ...] = (
    _p("input_task_id", "str", label="Input Task ID", default="", advanced=True,
       description="A finished Image to Image task with one image (wins over the image inputs)"),
    _p("image_url", "str", default="", label="Image URL", advanced=True,
       description="An http(s) URL or data URI of a .jpg/.png image"),
    _p("image_path", "path", default="", label="Image File", api=False,
       description="A .jpg/.png/.webp file to turn into a 3D model"),
    _p("image_name", "image", default="", label="Blender Image", api=False,
       description="A Blender image to turn into a 3D model"),
    _p("use_render", "bool", default=False, label="Render Scene", api=False,
       description="Render the scene camera (or frame the selection) and use that image"),
    _p("model_type", "enum", items=(("standard", "Standard"), ("lowpoly", "Low Poly")), default="standard",
       label="Model Type", description="Standard detail, or a low-poly model"),
    _p("ai_model", "enum", items=MESH_MODELS, default="latest", label="AI Model", description="Meshy model"),
    _p("should_texture", "bool", default=True, label="Texture", description="Make a texture (off: mesh only)"),
    _p("enable_pbr", "bool", **_PBR),
    _p("hd_texture", "bool", **_HD),
    _p("texture_prompt", "str", default="", label="Texture Prompt", advanced=True,
       description="Guide the texture with text, up to 600 characters"),
    _p("texture_image_url", "str", default="", label="Texture Image URL", advanced=True,
       description="An http(s) URL or data URI of a .jpg/.png image to guide the texture"),
    _p("texture_image_path", "path", default="", label="Texture Image File", api=False, advanced=True,
       description="A .jpg/.png file to guide the texture"),
    _p("should_remesh", "bool", default=False, label="Remesh", advanced=True,
       description="Remesh to Topology and Target Polycount (Meshy's default: off on Meshy 6, on otherwise)"),
    _p("topology", "enum", items=TOPOLOGY, default="triangle", label="Topology", advanced=True,
       description="Quad-dominant or triangle mesh (with Remesh)"),
    _p("target_polycount", "int", **{**_POLYCOUNT, "advanced": True}),
    _p("decimation_mode", "int", **_DECIMATION),
    _p("save_pre_remeshed_model", "bool", default=False, label="Keep Pre-Remesh Model", advanced=True,
       description="Also keep the model from before remeshing"),
    _p("symmetry_mode", "enum", items=(("off", "Off"), ("auto", "Auto"), ("on", "On")), default="auto",
       label="Symmetry", advanced=True, description="Make the model symmetric"),
    _p("pose_mode", "enum", items=(("", "None"), ("a-pose", "A-Pose"), ("t-pose", "T-Pose")), default="",
       label="Pose", advanced=True, description="Pose a character in A-pose or T-pose"),
    _p("is_a_t_pose", "bool", default=False, label="A/T Pose (Deprecated)", advanced=True,
       description="Deprecated: use Pose"),
    _p("image_enhancement", "bool", default=True, label="Enhance Image", advanced=True,
       description="Let Meshy improve the input image first (Meshy 6 only)"),
    _p("remove_lighting", "bool", **_REMOVE_LIGHTING),
    _p("moderation", "bool", default=False, label="Moderation", advanced=True,
       description="Screen inputs for harmful content"),
    _p("target_formats", "enumset", items=FORMATS_3D, default=tuple(v for v, _ in FORMATS_3D[:5]),
       label="Formats", advanced=True, description="File formats Meshy produces (GLB is always fetched)"),
    _p("auto_size", "bool", default=False, label="Auto Size", advanced=True,
       description="Estimate the real-world height and scale to it"),
    _p("origin_at", "enum", items=ORIGIN, default="bottom", label="Origin", advanced=True,
       description="Where the origin goes with Auto Size"),
)

IMAGE_TO_IMAGE: tuple[Param, ...] = (
    _p("ai_model", "enum", items=IMAGE_MODELS, default="nano-banana", label="AI Model",
       description="Image model: Nano Banana 3, Nano Banana 2 6, Pro 9, GPT Image 2 12 credits per image"),
    _p("prompt", "str", default="", label="Prompt", description="The edit to apply, up to 600 characters"),
    _p("reference_image_urls", "urls", default=(), label="Reference Image URLs", advanced=True,
       description="http(s) URLs or data URIs of .jpg/.png images (1 to 5 images in all)"),
    _p("reference_image_paths", "files", default=(), label="Reference Images", api=False,
       description="1 to 5 .jpg/.png/.webp files"),
    _p("image_path", "path", default="", label="Image File", api=False,
       description="A reference image file"),
    _p("image_name", "image", default="", label="Blender Image", api=False,
       description="A Blender image as the reference"),
    _p("use_render", "bool", default=False, label="Render Scene", api=False,
       description="Render the scene camera (or frame the selection) as the reference"),
    _p("generate_multi_view", "bool", default=False, label="Multi-View",
       description="Make 3 views of the subject (costs 3 images)"),
)

PARAMS: dict[str, tuple[Param, ...]] = {
    "remesh": REMESH,
    "retexture": RETEXTURE,
    "image-to-3d": IMAGE_TO_3D,
    "image-to-image": IMAGE_TO_IMAGE,
}


class MESHY_PG_file_path(bpy.types.PropertyGroup):
    """A file path in ``name``, like Blender's file-browser lists."""

    name: StringProperty(name="File", subtype="FILE_PATH")  # type: ignore[valid-type]


def make_property(param: Param, *, for_scene: bool = False) -> Any:
    """The bpy property for one parameter (soft limits only, see module doc)."""
    common = {"name": param.label or param.name, "description": param.description}
    if param.type in {"str", "path", "image"}:
        subtype = "FILE_PATH" if param.type == "path" else "NONE"
        return StringProperty(default=param.default or "", subtype=subtype, **common)
    if param.type == "bool":
        return BoolProperty(default=bool(param.default), **common)
    if param.type == "int":
        return IntProperty(default=int(param.default), soft_min=int(param.soft_min or 0),
                           soft_max=int(param.soft_max or 1_000_000), **common)
    if param.type == "float":
        return FloatProperty(default=float(param.default), soft_min=param.soft_min or 0.0, unit="LENGTH", **common)
    if param.type == "enum":
        items = [(enum_id(v), label, f"{param.description}: {label}") for v, label in param.items]
        return EnumProperty(items=items, default=enum_id(param.default), **common)
    if param.type == "enumset":
        items = [(enum_id(v), label, f"Produce {label}") for v, label in param.items]
        return EnumProperty(items=items, default={enum_id(v) for v in param.default}, options={"ENUM_FLAG"},
                            **common)
    if param.type in {"files", "urls"}:
        return CollectionProperty(type=MESHY_PG_file_path, **common)
    raise ValueError(f"unknown parameter type {param.type}")


def annotations(kind: str, *, for_scene: bool = False) -> dict[str, Any]:
    return {p.name: make_property(p, for_scene=for_scene) for p in PARAMS[kind]}


def to_api(param: Param, value: Any) -> Any:
    """A property value as the API wants it."""
    if param.type == "enum":
        return api_value(value)
    if param.type == "enumset":
        order = [v for v, _ in param.items]
        return sorted((api_value(v) for v in value), key=order.index)
    if param.type in {"files", "urls"}:
        return [item.name for item in value if item.name]
    return value


def is_default(param: Param, value: Any) -> bool:
    """True when a value equals the contract's default (the panel sends only changes)."""
    if param.type == "enumset":
        return {api_value(v) for v in value} == set(param.default)
    if param.type in {"files", "urls"}:
        return len(value) == 0
    if param.type == "enum":
        return api_value(value) == param.default
    return value == param.default


classes = (MESHY_PG_file_path,)
