"""Estimated credits per request, from Meshy's documented prices (``catalog``).

An estimate to show before paying: the task's ``consumed_credits`` is the
truth. Unknown models are priced at the highest documented price, so the
estimate errs on the side of caution.
"""

from __future__ import annotations

from typing import Any

from . import catalog
from .models import Kind

IMAGE_TO_IMAGE_PER_IMAGE = {m.id: m.credits for m in catalog.IMAGE_MODELS}
MULTI_VIEW_IMAGES = catalog.MULTI_VIEW_IMAGES
#: (without texture, with texture) per ai_model; meshy-6 and latest cost the same.
IMAGE_TO_3D = {m.id: (m.credits_untextured, m.credits) for m in catalog.MESH_MODELS}
RETEXTURE = catalog.RETEXTURE_CREDITS
REMESH = catalog.REMESH_CREDITS


def _get(request: Any, name: str) -> Any:
    if request is None:
        return None
    if isinstance(request, dict):
        return request.get(name)
    return getattr(request, name, None)


def estimate_credits(kind: Kind | str, request: Any = None) -> int:
    """Credits the request is expected to cost (``request``: a request model or payload dict)."""
    kind = Kind.parse(kind)
    if kind is Kind.IMAGE_TO_IMAGE:
        model = _get(request, "ai_model")
        per_image = IMAGE_TO_IMAGE_PER_IMAGE.get(model, max(IMAGE_TO_IMAGE_PER_IMAGE.values()))
        images = MULTI_VIEW_IMAGES if _get(request, "generate_multi_view") else 1
        return per_image * images
    if kind is Kind.IMAGE_TO_3D:
        model = _get(request, "ai_model") or "latest"
        plain, textured = IMAGE_TO_3D.get(model, IMAGE_TO_3D["latest"])
        return plain if _get(request, "should_texture") is False else textured
    if kind is Kind.RETEXTURE:
        return RETEXTURE
    return REMESH
