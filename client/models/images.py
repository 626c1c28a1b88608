"""Requests that make images: image-to-image (from reference images) and text-to-image (from words)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import catalog
from ..errors import ValidationError
from ..kinds import Kind
from ..uploads import FileInput
from .base import (
    IMAGE_TO_IMAGE_MODELS,
    MAX_REFERENCE_IMAGES,
    TEXT_TO_IMAGE_MODELS,
    _check_enum,
    _check_images,
    _check_prompt,
    _Request,
)

#: text-to-image poses: unlike the 3D kinds', "no pose" is not sent as "" but left out
TEXT_TO_IMAGE_POSES = ("a-pose", "t-pose")
#: every aspect ratio some model takes (which model takes which: ``catalog.ASPECT_RATIOS``)
ASPECT_RATIOS = tuple(dict.fromkeys(r for ratios in catalog.ASPECT_RATIOS.values() for r in ratios))


def _required(name: str, value: Any, kind: str) -> None:
    if value is None:
        raise ValidationError(f"{name} is required for {kind}", name)


@dataclass
class ImageToImageRequest(_Request):
    KIND: ClassVar[Kind] = Kind.IMAGE_TO_IMAGE
    BOOLS: ClassVar[tuple[str, ...]] = ("generate_multi_view",)

    ai_model: str | None = None
    prompt: str | None = None
    reference_image_urls: list[str | FileInput] | None = None
    generate_multi_view: bool | None = None

    def _validate(self, require_input: bool = True) -> None:
        _required("ai_model", self.ai_model, "image-to-image")
        _check_enum("ai_model", self.ai_model, IMAGE_TO_IMAGE_MODELS)
        _required("prompt", self.prompt, "image-to-image")
        _check_prompt("prompt", self.prompt)
        if self.reference_image_urls is None:
            if require_input:
                raise ValidationError("reference_image_urls is required for image-to-image", "reference_image_urls")
            return
        _check_images("reference_image_urls", self.reference_image_urls, MAX_REFERENCE_IMAGES)


@dataclass
class TextToImageRequest(_Request):
    """An image (or a multi-view set of one subject) from a prompt; its id chains into the 3D kinds."""

    KIND: ClassVar[Kind] = Kind.TEXT_TO_IMAGE
    BOOLS: ClassVar[tuple[str, ...]] = ("generate_multi_view", "multi_view_thumbnails", "alpha_thumbnail")

    ai_model: str | None = None
    prompt: str | None = None
    generate_multi_view: bool | None = None
    multi_view_thumbnails: bool | None = None
    alpha_thumbnail: bool | None = None
    pose_mode: str | None = None
    aspect_ratio: str | None = None

    def _validate(self, require_input: bool = True) -> None:
        _required("ai_model", self.ai_model, "text-to-image")
        _check_enum("ai_model", self.ai_model, TEXT_TO_IMAGE_MODELS)
        _required("prompt", self.prompt, "text-to-image")
        _check_prompt("prompt", self.prompt)
        if self.pose_mode is not None:
            _check_enum("pose_mode", self.pose_mode, TEXT_TO_IMAGE_POSES)
        if self.aspect_ratio is not None:
            if self.generate_multi_view:
                raise ValidationError("aspect_ratio cannot be used with generate_multi_view; leave one of them out",
                                      "aspect_ratio")
            ratios = catalog.ASPECT_RATIOS[self.ai_model]  # type: ignore[index]
            _check_enum("aspect_ratio", self.aspect_ratio, ASPECT_RATIOS)
            if self.aspect_ratio not in ratios:
                raise ValidationError(f"aspect_ratio {self.aspect_ratio} is not offered by {self.ai_model}, which "
                                      f"makes {', '.join(ratios)}", "aspect_ratio")
