"""Text to 3D: two stages on one path (``POST /openapi/v2/text-to-3d``), one request class each.

A preview makes an untextured mesh from a prompt; a refine textures a SUCCEEDED preview.
They share the kind (and so the path, the listing and the task ids) but almost no options,
so each is a class of its own with its own parameter table above; ``mode`` is a field with a
fixed value, always sent. :class:`TextTo3DRequest` is what both are, and its ``from_dict``
picks the stage by ``mode`` (a journal line names the kind, not the class).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..errors import ValidationError
from ..kinds import Kind
from ..uploads import FileInput
from .base import (
    FORMATS_3D,
    MESHY_MODELS,
    MODEL_TYPES,
    ORIGINS,
    POSE_MODES,
    _check_enum,
    _check_formats,
    _check_prompt,
    _check_source,
    _check_task_id,
    _RemeshOptions,
    _Request,
)

MODES = ("preview", "refine")


@dataclass
class TextTo3DRequest(_Request):
    """Either stage of text-to-3d; build :class:`TextTo3DPreviewRequest` or :class:`TextTo3DRefineRequest`."""

    KIND: ClassVar[Kind] = Kind.TEXT_TO_3D
    MODE: ClassVar[str] = ""

    @classmethod
    def from_dict(cls, data: dict) -> _Request:
        if cls is not TextTo3DRequest:
            return super().from_dict(data)
        if not isinstance(data, dict):
            raise ValidationError("The parameters of a text-to-3d request must be a JSON object")
        mode = data.get("mode", "preview")
        stage = STAGES.get(mode) if isinstance(mode, str) else None
        if stage is None:
            raise ValidationError(f"mode must be 'preview' or 'refine', not {mode!r}", "mode")
        return stage.from_dict(data)

    def _check_mode(self) -> None:
        mode = getattr(self, "mode", None)
        if mode != self.MODE:
            raise ValidationError(f"mode must be {self.MODE!r} in a {type(self).__name__}, not {mode!r}", "mode")

    def _check_common(self) -> None:
        """The options both stages take."""
        if self.ai_model is not None:  # type: ignore[attr-defined]
            _check_enum("ai_model", self.ai_model, MESHY_MODELS)  # type: ignore[attr-defined]
        if self.origin_at is not None:  # type: ignore[attr-defined]
            _check_enum("origin_at", self.origin_at, ORIGINS)  # type: ignore[attr-defined]
        if self.target_formats is not None:  # type: ignore[attr-defined]
            _check_formats("target_formats", self.target_formats, FORMATS_3D)  # type: ignore[attr-defined]

    def _validate(self, require_input: bool = True) -> None:
        if type(self) is TextTo3DRequest:
            raise ValidationError("A text-to-3d request is a TextTo3DPreviewRequest or a TextTo3DRefineRequest")
        raise NotImplementedError  # pragma: no cover - the stages override it


@dataclass
class TextTo3DPreviewRequest(TextTo3DRequest, _RemeshOptions):
    """An untextured mesh from ``prompt`` (20 credits on Meshy 6 or lowpoly, 5 on older models)."""

    MODE: ClassVar[str] = "preview"
    TASK_TYPE: ClassVar[str | None] = "text-to-3d-preview"
    BOOLS: ClassVar[tuple[str, ...]] = ("should_remesh", "moderation", "auto_size")

    mode: str = "preview"
    prompt: str | None = None
    model_type: str | None = None
    ai_model: str | None = None
    topology: str | None = None
    target_polycount: int | None = None
    should_remesh: bool | None = None
    pose_mode: str | None = None
    decimation_mode: int | None = None
    moderation: bool | None = None
    target_formats: list[str] | None = None
    auto_size: bool | None = None
    origin_at: str | None = None

    def _validate(self, require_input: bool = True) -> None:
        self._check_mode()
        if self.prompt is None:
            raise ValidationError("prompt is required for a text-to-3d preview: describe the model", "prompt")
        _check_prompt("prompt", self.prompt)
        if self.model_type is not None:
            _check_enum("model_type", self.model_type, MODEL_TYPES)
        self._check_common()
        self._check_remesh_fields()
        if self.pose_mode is not None:
            _check_enum("pose_mode", self.pose_mode, POSE_MODES)


@dataclass
class TextTo3DRefineRequest(TextTo3DRequest):
    """Textures for the SUCCEEDED preview ``preview_task_id`` (10 credits); the prompt wins over the image."""

    MODE: ClassVar[str] = "refine"
    TASK_TYPE: ClassVar[str | None] = "text-to-3d-refine"
    BOOLS: ClassVar[tuple[str, ...]] = ("enable_pbr", "hd_texture", "remove_lighting", "moderation", "auto_size")

    mode: str = "refine"
    preview_task_id: str | None = None
    enable_pbr: bool | None = None
    texture_prompt: str | None = None
    texture_image_url: str | FileInput | None = None
    ai_model: str | None = None
    hd_texture: bool | None = None
    remove_lighting: bool | None = None
    moderation: bool | None = None
    target_formats: list[str] | None = None
    auto_size: bool | None = None
    origin_at: str | None = None

    def _validate(self, require_input: bool = True) -> None:
        self._check_mode()
        if self.preview_task_id is not None:
            _check_task_id("preview_task_id", self.preview_task_id)
        elif require_input:
            raise ValidationError("preview_task_id is required for a refine: the id of a finished text-to-3d "
                                  "preview", "preview_task_id")
        if self.texture_prompt is not None:
            _check_prompt("texture_prompt", self.texture_prompt)
        if self.texture_image_url is not None:
            _check_source("texture_image_url", self.texture_image_url, "image")
        self._check_common()


STAGES: dict[str, type[TextTo3DRequest]] = {"preview": TextTo3DPreviewRequest, "refine": TextTo3DRefineRequest}
