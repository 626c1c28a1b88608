"""Every create parameter of each Meshy kind, as plain data.

One table per kind names each parameter of the contract with the API's own
name, type, default, soft limits, label, description, whether it is folded
under "Advanced", and whether the batch CLI offers it (``--target-polycount``).
The operators' properties and the sidebar's per-scene options
(``properties.py``) and the batch's argparse options (``batch/args.py``) are
all generated from these rows, so they cannot drift apart, and a new kind is
one more table. Enum identifiers in Blender are the API values upper-cased
with ``-`` as ``_``; a value an identifier cannot carry (``pose_mode=""``) is
``NONE``.

Limits are soft: the request models (``client/models.py``) check the real ones
with a sentence, instead of Blender silently clamping 50 to 100 or cutting a
601-character prompt.

Roles: ``api`` is sent as it is (only when the user set it); ``input`` is a
Blender-side input that becomes an API field (a file, a Blender image, a
render: ``fills`` names the field); ``option`` changes what the add-on does
with the result (keep the source object, pack images), never sent;
``derived`` is a plain value the add-on turns into an API field before
sending (an action's name into ``action_id``, a frame rate into the
``post_process`` object: ``core/characters.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..client import catalog
from . import characters as _characters

KINDS = ("remesh", "retexture", "image-to-3d", "image-to-image")
TITLES = {"remesh": "Remesh", "retexture": "Retexture", "image-to-3d": "Image to 3D",
          "image-to-image": "Image to Image"}
#: The operator of each kind: ``bpy.ops.meshy.<name>``.
OPERATORS = {kind: kind.replace("-", "_") for kind in KINDS}
#: Kinds that take a model (one task per selected mesh).
MODEL_KINDS = ("remesh", "retexture")


@dataclass(frozen=True)
class Param:
    """One parameter of a kind (see the module's docstring for ``role``)."""

    name: str
    type: str  # str, bool, int, float, enum, enumset, path, image, files, urls
    default: Any = None
    label: str = ""
    description: str = ""
    items: tuple[tuple[str, str], ...] = ()  # (API value, label)
    soft_min: float | None = None
    soft_max: float | None = None
    advanced: bool = False
    role: str = "api"
    fills: str = ""  # role "input": the API field this input becomes
    cli: bool = True  # offered by the batch CLI as ``flag``
    sidebar: bool = True  # kept per scene and drawn in the sidebar
    unset: tuple[Any, ...] = ()  # values that mean "not set" (besides "" for text)
    suggest: Callable[[str], list[tuple[str, str]]] | None = None  # text: (value, description) while typing

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def api(self) -> bool:
        return self.role == "api"

    def is_unset(self, value: Any) -> bool:
        """True for a value that says "not set": None, empty text or file list, or one of ``unset``."""
        if value is None:
            return True
        if self.type in {"str", "path", "image", "files", "urls"} and isinstance(value, (str, list, tuple)):
            return len(value) == 0
        return not isinstance(value, (list, tuple, set)) and value in self.unset


def enum_id(value: str) -> str:
    """API value -> enum identifier: ``nano-banana-pro`` -> ``NANO_BANANA_PRO``."""
    return value.upper().replace("-", "_") if value else "NONE"


def api_value(identifier: str) -> str:
    """Enum identifier -> API value: ``A_POSE`` -> ``a-pose``; ``NONE`` -> ``""``."""
    return "" if identifier == "NONE" else identifier.lower().replace("_", "-")


def kind_id(kind: str) -> str:
    """A kind as an enum identifier: ``image-to-3d`` -> ``IMAGE_TO_3D``."""
    return kind.upper().replace("-", "_")


def kind_from_id(identifier: str) -> str:
    return identifier.lower().replace("_", "-")


#: The kinds as Blender enum items (identifier, title, description).
KIND_ITEMS = [(kind_id(k), TITLES[k], f"Meshy {TITLES[k]}") for k in KINDS]


def _models(models: tuple[catalog.AIModel, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((m.id, m.label) for m in models)


MESH_MODELS = _models(catalog.MESH_MODELS)
IMAGE_MODELS = _models(catalog.IMAGE_MODELS)
TOPOLOGY = (("triangle", "Triangles"), ("quad", "Quads"))
ORIGIN = (("bottom", "Bottom"), ("center", "Center"))
FORMATS_3D = (("glb", "GLB"), ("obj", "OBJ"), ("fbx", "FBX"), ("stl", "STL"), ("usdz", "USDZ"), ("3mf", "3MF"))
FORMATS_REMESH = FORMATS_3D[:5] + (("blend", "Blend"), ("3mf", "3MF"))

_POLYCOUNT = dict(
    label="Target Polycount", default=30000, soft_min=100, soft_max=300000,
    description="Polygons wanted in the result, 100 to 300,000 (ignored when Decimation is set)",
)
_DECIMATION = dict(
    label="Decimation", default=0, soft_min=0, soft_max=4, advanced=True, unset=(0,),
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
_KEEP_ORIGINAL = dict(
    label="Keep Original", default=True, role="option", cli=False, sidebar=False,
    description="Keep the source object, hidden, next to the result (off: replace it); "
                "not given: the add-on preferences decide",
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
    _p("keep_original", "bool", **_KEEP_ORIGINAL),
)

RETEXTURE: tuple[Param, ...] = (
    _p("input_task_id", "str", **_INPUT_TASK),
    _p("model_url", "str", **_MODEL_URL),
    _p("text_style_prompt", "str", default="", label="Style Prompt",
       description="Describe the texture, up to 600 characters (or give a style image)"),
    _p("image_style_url", "str", default="", label="Style Image URL", advanced=True,
       description="An http(s) URL or data URI of a .jpg/.png style image"),
    _p("style_image_path", "path", default="", label="Style Image File", role="input", fills="image_style_url",
       description="A .jpg/.png/.webp file whose look the texture follows"),
    _p("style_image_name", "image", default="", label="Style Image", role="input", cli=False,
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
    _p("keep_original", "bool", **_KEEP_ORIGINAL),
)

IMAGE_TO_3D: tuple[Param, ...] = (
    _p("input_task_id", "str", label="Input Task ID", default="", advanced=True,
       description="A finished Image to Image task with one image (wins over the image inputs)"),
    _p("image_url", "str", default="", label="Image URL", advanced=True,
       description="An http(s) URL or data URI of a .jpg/.png image"),
    _p("image_path", "path", default="", label="Image File", role="input", fills="image_url", cli=False,
       description="A .jpg/.png/.webp file to turn into a 3D model"),
    _p("image_name", "image", default="", label="Blender Image", role="input", cli=False,
       description="A Blender image to turn into a 3D model"),
    _p("use_render", "bool", default=False, label="Render Scene", role="input", cli=False,
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
    _p("texture_image_path", "path", default="", label="Texture Image File", role="input",
       fills="texture_image_url", advanced=True,
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
       description="Image model: " + ", ".join(f"{m.label} {m.credits}" for m in catalog.IMAGE_MODELS)
                   + " credits per image"),
    _p("prompt", "str", default="", label="Prompt", description="The edit to apply, up to 600 characters"),
    _p("reference_image_urls", "urls", default=(), label="Reference Image URLs", advanced=True,
       description="http(s) URLs or data URIs of .jpg/.png images (1 to 5 images in all)"),
    _p("reference_image_paths", "files", default=(), label="Reference Images", role="input",
       fills="reference_image_urls", description="1 to 5 .jpg/.png/.webp files"),
    _p("image_path", "path", default="", label="Image File", role="input", fills="reference_image_urls", cli=False,
       description="A reference image file"),
    _p("image_name", "image", default="", label="Blender Image", role="input", cli=False,
       description="A Blender image as the reference"),
    _p("use_render", "bool", default=False, label="Render Scene", role="input", cli=False,
       description="Render the scene camera (or frame the selection) as the reference"),
    _p("generate_multi_view", "bool", default=False, label="Multi-View",
       description="Make 3 views of the subject (costs 3 images)"),
    _p("pack_images", "bool", default=False, label="Pack Images", role="option", cli=False,
       description="Pack the results into the .blend (off: link the files in the download folder)"),
)

PARAMS: dict[str, tuple[Param, ...]] = {
    "remesh": REMESH,
    "retexture": RETEXTURE,
    "image-to-3d": IMAGE_TO_3D,
    "image-to-image": IMAGE_TO_IMAGE,
}


def param(kind: str, name: str) -> Param:
    return next(p for p in PARAMS[kind] if p.name == name)


def has(kind: str, name: str) -> bool:
    return any(p.name == name for p in PARAMS[kind])


# --------------------------------------------------------------------------- Rig and Animate (characters)
# The two character kinds, added to the tables above in one block. Their operators are ``meshy.rig`` and
# ``meshy.animate``; the batch's subcommands ``rig`` and ``animate`` (``batch/args.py``).

RIGGING: tuple[Param, ...] = (
    _p("input_task_id", "str", label="Input Task ID", default="", advanced=True,
       description="A finished Meshy model task to rig instead of uploading (wins over the selection)"),
    _p("model_url", "str", label="Model URL", default="", advanced=True,
       description="An http(s) URL or data URI of a .glb model (wins over the selection)"),
    _p("height_meters", "float", default=1.7, soft_min=0.1, soft_max=10.0, label="Height",
       description="The character's height in metres, above 0 (Meshy's default: 1.7)"),
    _p("texture_image_url", "str", default="", label="Texture Image URL", advanced=True,
       description="An http(s) URL or data URI of a PNG: the UV-unwrapped base colour"),
    _p("texture_image_path", "path", default="", label="Texture Image File", role="input",
       fills="texture_image_url", advanced=True,
       description="A PNG (a JPEG is converted) of the UV-unwrapped base colour"),
    _p("keep_original", "bool", **_KEEP_ORIGINAL),
)

ANIMATION: tuple[Param, ...] = (
    _p("rig_task_id", "str", label="Rig Task ID", default="", advanced=True,
       description="A finished rigging task to animate (wins over the selected rig)"),
    _p("action", "str", default="", label="Action", role="derived", fills="action_id",
       suggest=_characters.suggest_actions,
       description="An action of Meshy's Animation Library, by name (Walking_Woman) or id"),
    _p("action_id", "int", default=0, soft_min=0, soft_max=1000, label="Action ID", cli=False, sidebar=False,
       description="An action id of Meshy's Animation Library (wins over Action), for scripts"),
    # Sent as Meshy's object {"operation_type", "fps"}, made with FPS below (core/characters.py).
    _p("post_process", "enum", default="", label="Post-Process",
       items=(("", "None"), ("change_fps", "Change FPS"), ("fbx2usdz", "USDZ"),
              ("extract_armature", "Armature Only")),
       description="Also make a file with Meshy's post-processing: a frame rate (FBX), USDZ, "
                   "or the armature alone (FBX)"),
    _p("fps", "int", default=_characters.CLIP_FPS, soft_min=24, soft_max=60, label="FPS", role="derived",
       fills="post_process", description="Frame rate for Change FPS: 24, 25, 30 or 60 (given alone, "
                                         "it asks for Change FPS)"),
)

KINDS += ("rigging", "animations")
MODEL_KINDS += ("rigging",)  # one task per selected mesh, placed on it
TITLES.update({"rigging": "Rig", "animations": "Animate"})
OPERATORS.update({"rigging": "rig", "animations": "animate"})
KIND_ITEMS += [(kind_id(k), TITLES[k], f"Meshy {TITLES[k]}") for k in ("rigging", "animations")]
PARAMS.update({"rigging": RIGGING, "animations": ANIMATION})
