"""Meshy's AI models and their documented prices: the one list the rest reads.

Request validation (``models``), the credit estimate (``pricing``), the
add-on's model menus (operators, sidebar, preferences) and the batch CLI's
choices are all made from these rows, so a model Meshy adds is one line here.
Prices are Meshy's documented ones; the task's ``consumed_credits`` is the truth.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AIModel:
    """One ``ai_model`` value with its label and what a task made with it costs."""

    id: str  # the API value
    label: str
    note: str
    #: image-to-image: credits per image; image-to-3d: credits with a texture
    credits: int
    #: image-to-3d without a texture (``should_texture=false``)
    credits_untextured: int = 0


#: Models of image-to-3d and retexture (``latest`` is Meshy 6 today and costs the same).
MESH_MODELS: tuple[AIModel, ...] = (
    AIModel("latest", "Latest", "Meshy's newest model (Meshy 6)", 30, 20),
    AIModel("meshy-6", "Meshy 6", "Meshy 6", 30, 20),
    AIModel("meshy-5", "Meshy 5", "Meshy 5 (cheaper)", 15, 5),
)
#: Models of image-to-image, priced per image made.
IMAGE_MODELS: tuple[AIModel, ...] = (
    AIModel("nano-banana", "Nano Banana", "3 credits per image", 3),
    AIModel("nano-banana-2", "Nano Banana 2", "6 credits per image", 6),
    AIModel("nano-banana-pro", "Nano Banana Pro", "9 credits per image", 9),
    AIModel("gpt-image-2", "GPT Image 2", "12 credits per image", 12),
)

RETEXTURE_CREDITS = 10
REMESH_CREDITS = 5
MULTI_VIEW_IMAGES = 3


def ids(models: tuple[AIModel, ...]) -> tuple[str, ...]:
    return tuple(m.id for m in models)


def find(models: tuple[AIModel, ...], model_id: str | None) -> AIModel | None:
    return next((m for m in models if m.id == model_id), None)
