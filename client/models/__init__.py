"""The request models of every kind, with local validation; ``from client.models import ...`` reads them here.

One module per family: ``base`` (the shared base class, URL-input checks and value lists),
``images`` (image-to-image, text-to-image), ``meshes`` (image-to-3d, multi-image-to-3d),
``text3d`` (text-to-3d preview and refine), ``editing`` (retexture, remesh), ``rigging``
(auto-rigging, animation). :data:`REQUEST_TYPES` maps each kind to its class (text-to-3d to
the class both its stages are); :data:`REQUEST_NAMES` adds the stages by name
(``text-to-3d-preview``, ``text-to-3d-refine``), the names the layers above key their
parameter tables by.
"""

from __future__ import annotations

from ..errors import ValidationError
from ..kinds import Kind
from .base import (
    FORMATS_3D,
    IMAGE_TO_IMAGE_MODELS,
    MAX_PROMPT,
    MAX_REFERENCE_IMAGES,
    MESHY_MODELS,
    MODEL_TYPES,
    ORIGINS,
    POLYCOUNT_RANGE,
    POSE_MODES,
    REMESH_FORMATS,
    SYMMETRY_MODES,
    TEXT_TO_IMAGE_MODELS,
    TOPOLOGIES,
    _Request,
)
from .editing import RemeshRequest, RetextureRequest
from .images import ASPECT_RATIOS, TEXT_TO_IMAGE_POSES, ImageToImageRequest, TextToImageRequest
from .meshes import MAX_MULTI_IMAGES, ImageTo3DOptions, ImageTo3DRequest, MultiImageTo3DRequest
from .rigging import (
    DEFAULT_HEIGHT_METERS,
    FPS_CHOICES,
    POST_PROCESS_OPERATIONS,
    AnimationRequest,
    RiggingRequest,
    post_process,
)
from .text3d import MODES, STAGES, TextTo3DPreviewRequest, TextTo3DRefineRequest, TextTo3DRequest

REQUEST_TYPES: dict[Kind, type[_Request]] = {
    Kind.IMAGE_TO_IMAGE: ImageToImageRequest,
    Kind.IMAGE_TO_3D: ImageTo3DRequest,
    Kind.RETEXTURE: RetextureRequest,
    Kind.REMESH: RemeshRequest,
    Kind.TEXT_TO_3D: TextTo3DRequest,
    Kind.MULTI_IMAGE_TO_3D: MultiImageTo3DRequest,
    Kind.TEXT_TO_IMAGE: TextToImageRequest,
    Kind.RIGGING: RiggingRequest,
    Kind.ANIMATION: AnimationRequest,
}

#: Every request class by the name the layers above use: each kind, and text-to-3d's two stages.
REQUEST_NAMES: dict[str, type[_Request]] = {
    **{kind.value: cls for kind, cls in REQUEST_TYPES.items()},
    TextTo3DPreviewRequest.request_name(): TextTo3DPreviewRequest,
    TextTo3DRefineRequest.request_name(): TextTo3DRefineRequest,
}

Request = _Request


def request_type(name: Kind | str) -> type[_Request]:
    """The request class of a kind or a stage name (``text-to-3d-refine``)."""
    if isinstance(name, str) and name in REQUEST_NAMES:
        return REQUEST_NAMES[name]
    try:
        return REQUEST_TYPES[Kind.parse(name)]
    except ValidationError:
        raise ValidationError(f"{name!r} is not a Meshy request (use {', '.join(REQUEST_NAMES)})") from None


def request_from_dict(kind: Kind | str, data: dict) -> _Request:
    """Rebuild a request of ``kind`` (or of a stage name) from :meth:`to_dict` output (e.g. from the journal).

    ``text-to-3d`` picks the stage by ``mode`` (a preview when it is missing).
    """
    return request_type(kind).from_dict(data)


__all__ = [
    "ASPECT_RATIOS", "DEFAULT_HEIGHT_METERS", "FORMATS_3D", "FPS_CHOICES", "IMAGE_TO_IMAGE_MODELS", "MAX_MULTI_IMAGES",
    "MAX_PROMPT", "MAX_REFERENCE_IMAGES", "MESHY_MODELS", "MODEL_TYPES", "MODES", "ORIGINS", "POLYCOUNT_RANGE",
    "POSE_MODES", "POST_PROCESS_OPERATIONS", "REMESH_FORMATS", "REQUEST_NAMES", "REQUEST_TYPES", "SYMMETRY_MODES",
    "TEXT_TO_IMAGE_MODELS", "TEXT_TO_IMAGE_POSES", "TOPOLOGIES", "AnimationRequest", "ImageTo3DOptions",
    "ImageTo3DRequest", "ImageToImageRequest", "Kind", "MultiImageTo3DRequest", "RemeshRequest", "Request",
    "RetextureRequest", "RiggingRequest", "TextTo3DPreviewRequest", "TextTo3DRefineRequest", "TextTo3DRequest",
    "TextToImageRequest", "post_process", "request_from_dict", "request_type", "task_type_of",
]


def task_type_of(kind: Kind | str, request: dict | None) -> str | None:
    """The ``type`` the task made by this request (a journal's copy of it) carries, when documented per stage.

    Text-to-3d: ``text-to-3d-preview`` or ``text-to-3d-refine`` by the request's ``mode``; other kinds: None
    (their tasks carry the kind's own type, or one not documented).
    """
    cls = REQUEST_TYPES.get(Kind.parse(kind))
    if cls is TextTo3DRequest:
        mode = (request or {}).get("mode", "preview") if isinstance(request, dict) else "preview"
        stage = STAGES.get(mode) if isinstance(mode, str) else None
        return stage.TASK_TYPE if stage else None
    return cls.TASK_TYPE if cls else None
