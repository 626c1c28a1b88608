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

Roles (rows: ``core/param.py``): ``api`` is sent as it is (only when the user set it); ``input`` is a
Blender-side input that becomes an API field (a file, a Blender image, a
render: ``fills`` names the field); ``option`` changes what the add-on does
with the result (keep the source object, pack images), never sent;
``derived`` is a plain value the add-on turns into an API field before
sending (an action's name into ``action_id``, a frame rate into the
``post_process`` object: ``core/characters.py``).
"""

from __future__ import annotations

from ..client import catalog
from . import params_characters as _characters
from . import params_words as _words
from .param import (  # the row and the pieces tables share: spelled in param.py, read from here
    _ALPHA_THUMB,
    _DECIMATION,
    _HD,
    _INPUT_TASK,
    _KEEP_ORIGINAL,
    _MODEL_URL,
    _PBR,
    _POLYCOUNT,
    _REMOVE_LIGHTING,
    FORMATS_3D,
    FORMATS_REMESH,
    IMAGE_MODELS,
    MESH_MODELS,
    ORIGIN,
    TOPOLOGY,
    Param,
    _p,
    api_value,
    enum_id,
    kind_from_id,
    kind_id,
)

__all__ = ["FORMATS_3D", "FORMATS_REMESH", "IMAGE_MODELS", "MESH_MODELS", "ORIGIN", "TOPOLOGY", "Param", "api_value",
           "enum_id", "kind_from_id", "kind_id"]

KINDS = ("remesh", "retexture", "image-to-3d", "image-to-image")
TITLES = {"remesh": "Remesh", "retexture": "Retexture", "image-to-3d": "Image to 3D",
          "image-to-image": "Image to Image"}
#: The operator of each kind: ``bpy.ops.meshy.<name>``.
OPERATORS = {kind: kind.replace("-", "_") for kind in KINDS}
#: Kinds that take a model (one task per selected mesh).
MODEL_KINDS = ("remesh", "retexture")


#: The kinds as Blender enum items (identifier, title, description).
KIND_ITEMS = [(kind_id(k), TITLES[k], f"Meshy {TITLES[k]}") for k in KINDS]


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


# --------------------------------------------------------------------------- the kinds from words and views
# Text to 3D (preview, and the refine chained on it), Multi-Image to 3D and Text to Image
# (MESHY_API_MORE.md): their tables are in core/params_words.py; here, their places in the tables above.

_MORE = ("text-to-3d", "multi-image-to-3d", "text-to-image")
KINDS += _MORE
TITLES.update({"text-to-3d": "Text to 3D", "multi-image-to-3d": "Multi-Image to 3D", "text-to-image": "Text to Image",
               "text-to-3d-refine": "Refine"})
OPERATORS.update({kind: kind.replace("-", "_") for kind in _MORE})
OPERATORS["text-to-3d-refine"] = "refine"
KIND_ITEMS.extend((kind_id(k), TITLES[k], f"Meshy {TITLES[k]}") for k in _MORE)
#: Multi-Image to 3D: its inputs, every option of Image to 3D (documented as the same), its thumbnails.
MULTI_IMAGE_TO_3D = (*_words.MULTI_IMAGE_INPUTS, *(p for p in IMAGE_TO_3D if p.name not in _words.VIEW_INPUTS),
                     _words.MULTI_IMAGE_THUMBNAILS)
PARAMS.update({"text-to-3d": _words.TEXT_TO_3D, "text-to-3d-refine": _words.TEXT_TO_3D_REFINE,
               "multi-image-to-3d": MULTI_IMAGE_TO_3D, "text-to-image": _words.TEXT_TO_IMAGE})
#: A table that is not a kind of its own: the Meshy kind its tasks are (the refine operator's: text-to-3d).
KIND_OF = {"text-to-3d-refine": "text-to-3d"}
#: The request class each table builds, by ``client.models.request_type`` name (the others: their kind's).
REQUEST_OF = {"text-to-3d": "text-to-3d-preview", "text-to-3d-refine": "text-to-3d-refine"}
#: The table of a stage a kind chains on its own task (``Param.stage``).
STAGE_TABLES = {("text-to-3d", "refine"): "text-to-3d-refine"}
#: Kinds whose results are Blender images, not objects.
IMAGE_KINDS = ("image-to-image", "text-to-image")
#: Kinds that need no selection and no image: a prompt is all (the Add menu offers them).
PROMPT_KINDS = ("text-to-3d", "text-to-image")


def kind_of(name: str) -> str:
    """The Meshy kind a table's tasks are: ``text-to-3d-refine`` -> ``text-to-3d``; a kind is its own."""
    return KIND_OF.get(name, name)


def stage_params(kind: str, stage: str) -> tuple[Param, ...]:
    """The rows of ``kind`` that belong to a stage it chains (Text to 3D's refine options)."""
    return tuple(p for p in PARAMS[kind] if p.stage == stage)


# --------------------------------------------------------------------------- Rig and Animate (characters)
# The two character kinds (tables: core/params_characters.py). Their operators are ``meshy.rig`` and
# ``meshy.animate``; the batch's subcommands ``rig`` and ``animate`` (``batch/args.py``).

KINDS += ("rigging", "animations")
MODEL_KINDS += ("rigging",)  # one task per selected mesh, placed on it
TITLES.update({"rigging": "Rig", "animations": "Animate"})
OPERATORS.update({"rigging": "rig", "animations": "animate"})
KIND_ITEMS.extend((kind_id(k), TITLES[k], f"Meshy {TITLES[k]}") for k in ("rigging", "animations"))
PARAMS.update({"rigging": _characters.RIGGING, "animations": _characters.ANIMATION})
