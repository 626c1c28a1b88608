"""Meshy's AI models and their documented prices: the one list the rest reads.

Request validation (``models``), the credit estimate (``pricing``), the
add-on's model menus (operators, sidebar, preferences) and the batch CLI's
choices are all made from these rows, so a model Meshy adds (or retires) is
one line here. Prices are Meshy's documented ones; the task's
``consumed_credits`` is the truth.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class AIModel:
    """One ``ai_model`` value with its label and what a task made with it costs."""

    id: str  # the API value
    label: str
    note: str
    #: image-to-image: credits per image; image-to-3d and multi-image-to-3d: credits with a texture
    credits: int
    #: image-to-3d and multi-image-to-3d without a texture (``should_texture=false``); a text-to-3d preview
    credits_untextured: int = 0
    #: text-to-image, per image, when it differs from image-to-image (gpt-image-2: 9 from text, 12 from images)
    credits_from_text: int | None = None


#: Models of image-to-3d, multi-image-to-3d, text-to-3d and retexture; ``latest`` (the default) is
#: Meshy 6 today and costs the same.
MESH_MODELS: tuple[AIModel, ...] = (
    AIModel("latest", "Latest", "Meshy's newest model (Meshy 6)", 30, 20),
    AIModel("meshy-6", "Meshy 6", "Meshy 6", 30, 20),
    AIModel("meshy-5", "Meshy 5", "Meshy 5 (cheaper)", 15, 5),
)
DEFAULT_MESH_MODEL = "latest"

#: Models of image-to-image and text-to-image, priced per image made.
IMAGE_MODELS: tuple[AIModel, ...] = (
    AIModel("nano-banana", "Nano Banana", "3 credits per image", 3),
    AIModel("nano-banana-2", "Nano Banana 2", "6 credits per image", 6),
    AIModel("nano-banana-pro", "Nano Banana Pro", "9 credits per image", 9),
    AIModel("gpt-image-2", "GPT Image 2", "12 credits per image", 12, credits_from_text=9),
)
#: The same models as text-to-image prices them (one list of ids: a retirement is one line above).
TEXT_IMAGE_MODELS: tuple[AIModel, ...] = tuple(
    dataclasses.replace(m, credits=m.credits_from_text, note=f"{m.credits_from_text} credits per image")
    if m.credits_from_text is not None else m
    for m in IMAGE_MODELS
)

#: Aspect ratios text-to-image takes, per model (anything else is a 400); the first is the default.
NANO_BANANA_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4")
ASPECT_RATIOS: dict[str, tuple[str, ...]] = {
    "nano-banana": NANO_BANANA_RATIOS,
    "nano-banana-2": NANO_BANANA_RATIOS,
    "nano-banana-pro": NANO_BANANA_RATIOS,
    "gpt-image-2": ("1:1", "3:2", "2:3"),
}

RETEXTURE_CREDITS = 10
REMESH_CREDITS = 5
#: a text-to-3d preview with ``model_type: lowpoly`` (which ignores ai_model)
TEXT_TO_3D_LOWPOLY_CREDITS = 20
TEXT_TO_3D_REFINE_CREDITS = 10
RIGGING_CREDITS = 5
ANIMATION_CREDITS = 3
#: images a multi-view image task makes (image-to-image and text-to-image)
MULTI_VIEW_IMAGES = 3


def ids(models: tuple[AIModel, ...]) -> tuple[str, ...]:
    return tuple(m.id for m in models)


def find(models: tuple[AIModel, ...], model_id: str | None) -> AIModel | None:
    return next((m for m in models if m.id == model_id), None)
