"""Requests that change a model: retexture (a new look) and remesh (new topology, formats, size)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..errors import ValidationError
from ..kinds import Kind
from ..uploads import FileInput
from .base import (
    FORMATS_3D,
    MESHY_MODELS,
    REMESH_FORMATS,
    _check_enum,
    _check_formats,
    _check_prompt,
    _check_range,
    _check_source,
    _check_task_id,
    _RemeshOptions,
    _Request,
    _require_one,
)


@dataclass
class RetextureRequest(_Request):
    KIND: ClassVar[Kind] = Kind.RETEXTURE
    BOOLS: ClassVar[tuple[str, ...]] = (
        "enable_original_uv",
        "enable_pbr",
        "hd_texture",
        "remove_lighting",
        "alpha_thumbnail",
    )

    input_task_id: str | None = None
    model_url: str | FileInput | None = None
    text_style_prompt: str | None = None
    image_style_url: str | FileInput | None = None
    ai_model: str | None = None
    enable_original_uv: bool | None = None
    enable_pbr: bool | None = None
    hd_texture: bool | None = None
    remove_lighting: bool | None = None
    target_formats: list | None = None
    alpha_thumbnail: bool | None = None

    def _validate(self, require_input: bool = True) -> None:
        _require_one("input_task_id", self.input_task_id, "model_url", self.model_url, both_ok=False,
                     required=require_input)
        if self.input_task_id is not None:
            _check_task_id("input_task_id", self.input_task_id)
        if self.model_url is not None:
            _check_source("model_url", self.model_url, "model")
        _require_one(
            "text_style_prompt", self.text_style_prompt, "image_style_url", self.image_style_url, both_ok=False,
            required=require_input,
        )
        if self.text_style_prompt is not None:
            _check_prompt("text_style_prompt", self.text_style_prompt)
        if self.image_style_url is not None:
            _check_source("image_style_url", self.image_style_url, "image")
        if self.ai_model is not None:
            _check_enum("ai_model", self.ai_model, MESHY_MODELS)
        if self.target_formats is not None:
            _check_formats("target_formats", self.target_formats, FORMATS_3D)


@dataclass
class RemeshRequest(_Request, _RemeshOptions):
    KIND: ClassVar[Kind] = Kind.REMESH
    BOOLS: ClassVar[tuple[str, ...]] = ("auto_size", "convert_format_only", "alpha_thumbnail")

    input_task_id: str | None = None
    model_url: str | FileInput | None = None
    target_formats: list | None = None
    topology: str | None = None
    target_polycount: int | None = None
    decimation_mode: int | None = None
    resize_height: float | None = None
    resize_longest_side: float | None = None
    auto_size: bool | None = None
    origin_at: str | None = None
    convert_format_only: bool | None = None
    alpha_thumbnail: bool | None = None

    def _validate(self, require_input: bool = True) -> None:
        _require_one("input_task_id", self.input_task_id, "model_url", self.model_url, both_ok=False,
                     required=require_input)
        if self.input_task_id is not None:
            _check_task_id("input_task_id", self.input_task_id)
        if self.model_url is not None:
            _check_source("model_url", self.model_url, "model")
        if self.target_formats is not None:
            _check_formats("target_formats", self.target_formats, REMESH_FORMATS)
        self._check_remesh_fields()
        for name in ("resize_height", "resize_longest_side"):
            value = getattr(self, name)
            if value is not None:
                _check_range(name, value, 0, None, (int, float))
        if self.auto_size and self.resize_height:
            raise ValidationError("auto_size and resize_height cannot be used together", "auto_size")
