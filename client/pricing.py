"""Estimated credits per request, from Meshy's documented prices (``catalog``).

An estimate to show before paying: the task's ``consumed_credits`` is the
truth. Unknown models are priced at the highest documented price, so the
estimate errs on the side of caution.
"""

from __future__ import annotations

from typing import Any

from . import catalog
from .kinds import Kind

IMAGE_TO_IMAGE_PER_IMAGE = {m.id: m.credits for m in catalog.IMAGE_MODELS}
TEXT_TO_IMAGE_PER_IMAGE = {m.id: m.credits for m in catalog.TEXT_IMAGE_MODELS}
MULTI_VIEW_IMAGES = catalog.MULTI_VIEW_IMAGES
#: (without texture, with texture) per ai_model; meshy-6 and latest cost the same.
IMAGE_TO_3D = {m.id: (m.credits_untextured, m.credits) for m in catalog.MESH_MODELS}
RETEXTURE = catalog.RETEXTURE_CREDITS
REMESH = catalog.REMESH_CREDITS
FLAT = {
    Kind.RETEXTURE: catalog.RETEXTURE_CREDITS,
    Kind.REMESH: catalog.REMESH_CREDITS,
    Kind.RIGGING: catalog.RIGGING_CREDITS,
    Kind.ANIMATION: catalog.ANIMATION_CREDITS,
}


def _get(request: Any, name: str) -> Any:
    if request is None:
        return None
    if isinstance(request, dict):
        return request.get(name)
    return getattr(request, name, None)


def _per_image(prices: dict[str, int], request: Any) -> int:
    per_image = prices.get(_get(request, "ai_model"), max(prices.values()))
    return per_image * (MULTI_VIEW_IMAGES if _get(request, "generate_multi_view") else 1)


def _mesh(request: Any) -> tuple[int, int]:
    return IMAGE_TO_3D.get(_get(request, "ai_model") or catalog.DEFAULT_MESH_MODEL, IMAGE_TO_3D["latest"])


def estimate_credits(kind: Kind | str, request: Any = None) -> int:
    """Credits the request is expected to cost (``request``: a request model or payload dict).

    A text-to-3d request is priced by its ``mode`` (a preview when none is given).
    """
    kind = Kind.parse(kind)
    if kind is Kind.IMAGE_TO_IMAGE:
        return _per_image(IMAGE_TO_IMAGE_PER_IMAGE, request)
    if kind is Kind.TEXT_TO_IMAGE:
        return _per_image(TEXT_TO_IMAGE_PER_IMAGE, request)
    if kind in (Kind.IMAGE_TO_3D, Kind.MULTI_IMAGE_TO_3D):
        plain, textured = _mesh(request)
        return plain if _get(request, "should_texture") is False else textured
    if kind is Kind.TEXT_TO_3D:
        if _get(request, "mode") == "refine":
            return catalog.TEXT_TO_3D_REFINE_CREDITS
        if _get(request, "model_type") == "lowpoly":  # lowpoly ignores ai_model
            return catalog.TEXT_TO_3D_LOWPOLY_CREDITS
        return _mesh(request)[0]  # a preview is an untextured mesh: 20 on Meshy 6, 5 on older models
    return FLAT[kind]
