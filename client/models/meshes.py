"""Requests that make a model from pictures: image-to-3d (one image) and multi-image-to-3d (1 to 4 views).

Both take the same options (Meshy documents multi-image's as "same as image-to-3d"), so
they live once in :class:`ImageTo3DOptions`; each kind adds its own inputs.
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
    POSE_MODES,
    SYMMETRY_MODES,
    _check_enum,
    _check_formats,
    _check_images,
    _check_prompt,
    _check_source,
    _check_task_id,
    _RemeshOptions,
    _Request,
    _require_one,
)

MAX_MULTI_IMAGES = 4

_OPTION_BOOLS = ("should_texture", "enable_pbr", "hd_texture", "should_remesh", "save_pre_remeshed_model",
                 "is_a_t_pose", "image_enhancement", "remove_lighting", "moderation", "auto_size")


@dataclass
class ImageTo3DOptions(_Request, _RemeshOptions):
    """The options of image-to-3d and multi-image-to-3d (not a request of its own)."""

    BOOLS: ClassVar[tuple[str, ...]] = _OPTION_BOOLS

    model_type: str | None = None
    ai_model: str | None = None
    should_texture: bool | None = None
    enable_pbr: bool | None = None
    hd_texture: bool | None = None
    texture_prompt: str | None = None
    texture_image_url: str | FileInput | None = None
    should_remesh: bool | None = None
    topology: str | None = None
    target_polycount: int | None = None
    decimation_mode: int | None = None
    save_pre_remeshed_model: bool | None = None
    symmetry_mode: str | None = None
    pose_mode: str | None = None
    is_a_t_pose: bool | None = None
    image_enhancement: bool | None = None
    remove_lighting: bool | None = None
    moderation: bool | None = None
    target_formats: list[str] | None = None
    auto_size: bool | None = None
    origin_at: str | None = None

    def _validate_options(self) -> None:
        if self.model_type is not None:
            _check_enum("model_type", self.model_type, MODEL_TYPES)
        if self.ai_model is not None:
            _check_enum("ai_model", self.ai_model, MESHY_MODELS)
        if self.enable_pbr and self.should_texture is False:
            raise ValidationError("enable_pbr needs should_texture, which is turned off", "enable_pbr")
        if self.texture_prompt is not None:
            _check_prompt("texture_prompt", self.texture_prompt)
        if self.texture_image_url is not None:
            _check_source("texture_image_url", self.texture_image_url, "image")
        self._check_remesh_fields()
        if self.symmetry_mode is not None:
            _check_enum("symmetry_mode", self.symmetry_mode, SYMMETRY_MODES)
        if self.pose_mode is not None:
            _check_enum("pose_mode", self.pose_mode, POSE_MODES)
        if self.target_formats is not None:
            _check_formats("target_formats", self.target_formats, FORMATS_3D)


@dataclass
class ImageTo3DRequest(ImageTo3DOptions):
    KIND: ClassVar[Kind] = Kind.IMAGE_TO_3D

    input_task_id: str | None = None
    image_url: str | FileInput | None = None

    def _validate(self, require_input: bool = True) -> None:
        # If both inputs are given the service uses input_task_id, so both is fine.
        _require_one("input_task_id", self.input_task_id, "image_url", self.image_url, both_ok=True,
                     required=require_input)
        if self.input_task_id is not None:
            _check_task_id("input_task_id", self.input_task_id)
        if self.image_url is not None:
            _check_source("image_url", self.image_url, "image")
        self._validate_options()


@dataclass
class MultiImageTo3DRequest(ImageTo3DOptions):
    """1 to 4 views of one object, or ``input_task_id`` of a multi-view text- or image-to-image set."""

    KIND: ClassVar[Kind] = Kind.MULTI_IMAGE_TO_3D
    BOOLS: ClassVar[tuple[str, ...]] = (*_OPTION_BOOLS, "multi_view_thumbnails")

    input_task_id: str | None = None
    image_urls: list[str | FileInput] | None = None
    multi_view_thumbnails: bool | None = None

    def _validate(self, require_input: bool = True) -> None:
        # As for image-to-3d, input_task_id wins when both are given.
        _require_one("input_task_id", self.input_task_id, "image_urls", self.image_urls, both_ok=True,
                     required=require_input)
        if self.input_task_id is not None:
            _check_task_id("input_task_id", self.input_task_id)
        if self.image_urls is not None:
            _check_images("image_urls", self.image_urls, MAX_MULTI_IMAGES)
        self._validate_options()
