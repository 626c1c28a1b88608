"""The parameter tables of the kinds made from words and views: Text to 3D, Multi-Image to 3D, Text to Image.

Rows as in ``core/params.py`` (which adds these kinds to KINDS, TITLES,
OPERATORS and PARAMS, and builds Multi-Image to 3D from Image to 3D's options).
Text to 3D has two tables: ``TEXT_TO_3D`` for ``bpy.ops.meshy.text_to_3d`` and
its panel (the preview's options, the ``refine`` switch and, with
``stage="refine"``, the refine's own options, which the preview never sends),
and ``TEXT_TO_3D_REFINE`` for ``bpy.ops.meshy.refine``.
"""

from __future__ import annotations

from dataclasses import replace

from ..client import catalog
from .param import (
    _DECIMATION,
    _HD,
    _PBR,
    _POLYCOUNT,
    _REMOVE_LIGHTING,
    FORMATS_3D,
    MESH_MODELS,
    ORIGIN,
    TOPOLOGY,
    Param,
    _models,
    _p,
)

_TEXT_MODELS = _models(catalog.TEXT_IMAGE_MODELS)
_FORMATS_3D_DEFAULT = tuple(v for v, _ in FORMATS_3D[:5])  # 3MF only when asked
_REFINE_OPTIONS: tuple[Param, ...] = (
    _p("enable_pbr", "bool", **_PBR),
    _p("texture_prompt", "str", default="", label="Texture Prompt",
       description="Describe the texture, up to 600 characters (wins over a texture image)"),
    _p("texture_image_url", "str", default="", label="Texture Image URL", advanced=True,
       description="An http(s) URL or data URI of a .jpg/.png image to guide the texture"),
    _p("texture_image_path", "path", default="", label="Texture Image File", role="input", fills="texture_image_url",
       description="A .jpg/.png/.webp file to guide the texture"),
    _p("hd_texture", "bool", **_HD),
    _p("remove_lighting", "bool", **_REMOVE_LIGHTING),
)
#: Options both stages take: with refine=True the text_to_3d operator sends them to both.
_TEXT_3D_SHARED: tuple[Param, ...] = (
    _p("moderation", "bool", default=False, label="Moderation", advanced=True,
       description="Screen the prompt for harmful content"),
    _p("target_formats", "enumset", items=FORMATS_3D, default=_FORMATS_3D_DEFAULT, label="Formats", advanced=True,
       description="File formats Meshy produces (GLB is always fetched for import)"),
    _p("auto_size", "bool", default=False, label="Auto Size", advanced=True,
       description="Estimate the real-world height and scale to it"),
    _p("origin_at", "enum", items=ORIGIN, default="bottom", label="Origin", advanced=True,
       description="Where the origin goes with Auto Size"),
)

TEXT_TO_3D: tuple[Param, ...] = (
    _p("prompt", "str", default="", label="Prompt", description="Describe the model, up to 600 characters"),
    _p("model_type", "enum", items=(("standard", "Standard"), ("lowpoly", "Low Poly")), default="standard",
       label="Model Type", description="Standard detail, or a low-poly model (ignores AI model and remeshing)"),
    _p("ai_model", "enum", items=MESH_MODELS, default="latest", label="AI Model",
       description="Meshy model (Meshy 5 previews cost 5 credits instead of 20)"),
    _p("refine", "bool", default=False, label="Refine", role="option", stage="refine",
       description="Then texture the preview: a refine task chained on it (10 credits more); "
                   "the preview shows meanwhile and the textured model replaces it"),
    _p("should_remesh", "bool", default=False, label="Remesh", advanced=True,
       description="Remesh to Topology and Target Polycount (Meshy's default: off on Meshy 6, on otherwise)"),
    _p("topology", "enum", items=TOPOLOGY, default="triangle", label="Topology", advanced=True,
       description="Quad-dominant or triangle mesh (with Remesh)"),
    _p("target_polycount", "int", **{**_POLYCOUNT, "advanced": True}),
    _p("decimation_mode", "int", **_DECIMATION),
    _p("pose_mode", "enum", items=(("", "None"), ("a-pose", "A-Pose"), ("t-pose", "T-Pose")), default="",
       label="Pose", advanced=True, description="Pose a character in A-pose or T-pose"),
    *_TEXT_3D_SHARED,
    *(replace(p, stage="refine") for p in _REFINE_OPTIONS),
)

TEXT_TO_3D_REFINE: tuple[Param, ...] = (
    _p("task_id", "str", default="", label="Preview Task ID", role="input", fills="preview_task_id", cli=False,
       sidebar=False, description="The finished Text to 3D preview to texture (empty: the selected preview objects)"),
    *_REFINE_OPTIONS,
    _p("ai_model", "enum", items=MESH_MODELS, default="latest", label="AI Model",
       description="Meshy model used for texturing"),
    *_TEXT_3D_SHARED,
)

#: Multi-Image to 3D's own rows: its inputs, then (in ``core/params.py``) every option of Image to 3D, then
#: its thumbnails. The seed table's inputs (one image, a render) are not among them.
VIEW_INPUTS = ("input_task_id", "image_url", "image_path", "image_name", "use_render")
MULTI_IMAGE_INPUTS: tuple[Param, ...] = (
    _p("input_task_id", "str", default="", label="Input Task ID", advanced=True,
       description="A finished multi-view Text to Image or Image to Image task (wins over the images)"),
    _p("image_urls", "urls", default=(), label="Image URLs", advanced=True,
       description="http(s) URLs or data URIs of .jpg/.png views (1 to 4 images in all)"),
    _p("image_paths", "files", default=(), label="Image Files", role="input", fills="image_urls", cli=False,
       description="1 to 4 .jpg/.png/.webp files: views of one object from different angles"),
    _p("image_names", "files", default=(), label="Blender Images", role="input", fills="image_urls", cli=False,
       description="1 to 4 Blender images of one object (a multi-view set Meshy made is chained, not uploaded)"),
)
MULTI_IMAGE_THUMBNAILS = _p("multi_view_thumbnails", "bool", default=False, label="View Thumbnails", advanced=True,
                            description="Also render the result from the front, right, back and left")

TEXT_TO_IMAGE: tuple[Param, ...] = (
    _p("ai_model", "enum", items=_TEXT_MODELS, default="nano-banana", label="AI Model",
       description="Image model: " + ", ".join(f"{m.label} {m.credits}" for m in catalog.TEXT_IMAGE_MODELS)
                   + " credits per image"),
    _p("prompt", "str", default="", label="Prompt", description="Describe the picture, up to 600 characters"),
    _p("generate_multi_view", "bool", default=False, label="Multi-View",
       description="Make 3 views of the subject for Multi-Image to 3D (costs 3 images; not with Aspect Ratio)"),
    _p("aspect_ratio", "enum", items=(("", "Default (1:1)"), *((r, r) for r in dict.fromkeys(
        r for ratios in catalog.ASPECT_RATIOS.values() for r in ratios))), default="", unset=("",),
       label="Aspect Ratio", description="Picture shape: " + "; ".join(
           f"{m} {' '.join(r)}" for m, r in catalog.ASPECT_RATIOS.items()) + " (not with Multi-View)"),
    _p("pose_mode", "enum", items=(("", "None"), ("a-pose", "A-Pose"), ("t-pose", "T-Pose")), default="",
       unset=("",), label="Pose", advanced=True, description="Draw a character in A-pose or T-pose"),
    _p("alpha_thumbnail", "bool", default=False, label="Alpha Thumbnail", advanced=True,
       description="Also make a transparent (RGBA) preview, imported as a Blender image"),
    _p("multi_view_thumbnails", "bool", default=False, label="View Thumbnails", advanced=True,
       description="Also make front, right, back and left thumbnails of a multi-view set"),
    _p("pack_images", "bool", default=False, label="Pack Images", role="option", cli=False,
       description="Pack the results into the .blend (off: link the files in the download folder)"),
)
