"""Kinds of task and the request models, with local validation.

Every field defaults to ``None``: not set, not sent, so the service applies
its own defaults (some depend on other fields, e.g. ``should_remesh``).
``validate()`` raises :class:`ValidationError` with one sentence naming the
parameter; ``to_payload()`` returns only the set fields (FileInputs stay
FileInputs and are streamed as data URIs by ``MeshyClient.create``);
``to_dict()``/``from_dict()`` round-trip through JSON for the journal.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar
from urllib.parse import urlparse

from . import catalog, checks
from .errors import ValidationError
from .uploads import IMAGE_EXTENSIONS, MODEL_EXTENSIONS, FileInput


class Kind(StrEnum):
    """The four APIs; the value is the URL path segment."""

    IMAGE_TO_IMAGE = "image-to-image"
    IMAGE_TO_3D = "image-to-3d"
    RETEXTURE = "retexture"
    REMESH = "remesh"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: Kind | str) -> Kind:
        try:
            return cls(value)
        except ValueError:
            raise ValidationError(
                f"{value!r} is not a Meshy task kind (use {', '.join(k.value for k in cls)})"
            ) from None


IMAGE_TO_IMAGE_MODELS = catalog.ids(catalog.IMAGE_MODELS)
MESHY_MODELS = catalog.ids(catalog.MESH_MODELS)
TOPOLOGIES = ("quad", "triangle")
SYMMETRY_MODES = ("off", "auto", "on")
POSE_MODES = ("a-pose", "t-pose", "")
ORIGINS = ("bottom", "center")
MODEL_TYPES = ("standard", "lowpoly")
FORMATS_3D = ("glb", "obj", "fbx", "stl", "usdz", "3mf")
REMESH_FORMATS = ("glb", "fbx", "obj", "usdz", "blend", "stl", "3mf")
MAX_PROMPT = 600
POLYCOUNT_RANGE = (100, 300_000)
MAX_REFERENCE_IMAGES = 5


# --------------------------------------------------------------------------- checks


_check_type = checks.check_type
_check_enum = checks.check_enum
_check_range = checks.check_range


def _check_prompt(name: str, value: Any, limit: int | None = MAX_PROMPT) -> None:
    checks.check_prompt(name, value, limit)


def _check_task_id(name: str, value: Any) -> None:
    checks.check_task_id(name, value)


def _url_ext(url: str) -> str:
    path = urlparse(url).path
    last = path.rsplit("/", 1)[-1]
    return "." + last.rsplit(".", 1)[-1].lower() if "." in last else ""


def _check_source(name: str, value: Any, what: str) -> None:
    """A URL parameter: http(s) URL, data URI or FileInput, of an image or a model."""
    exts = IMAGE_EXTENSIONS if what == "image" else MODEL_EXTENSIONS
    if isinstance(value, FileInput):
        if what == "image" and not value.is_image:
            raise ValidationError(f"{name} must be an image (use FileInput.image)", name)
        if what == "model" and value.is_image:
            raise ValidationError(f"{name} must be a 3D model file (use FileInput.model)", name)
        value.check(name)
        return
    _check_type(name, value, (str, FileInput))
    if value.startswith("data:"):
        head, sep, data = value.partition(",")
        if not sep or not head.endswith(";base64") or not data:
            raise ValidationError(f"{name} is a malformed data URI; expected data:<mime>;base64,<data>", name)
        mime = head[5:].split(";", 1)[0].lower()
        if what == "image" and mime not in ("image/png", "image/jpeg", "image/jpg"):
            raise ValidationError(f"{name} must be a PNG or JPEG image, not {mime or 'untyped data'}", name)
        return
    if checks.has_space_or_control(value):
        raise ValidationError(f"{name} must not contain spaces or control characters (encode a space as %20)", name)
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError(f"{name} must be an http(s) URL, a data URI or a local file", name)
    ext = _url_ext(value)
    # Images: a URL without an extension may still serve a PNG; the service checks.
    # Models: Meshy decides the format by the extension, so it must be there.
    if (ext or what == "model") and ext not in exts:
        raise ValidationError(f"{name} must point to a {' '.join(exts)} file", name)


def _check_formats(name: str, value: Any, allowed: tuple) -> None:
    _check_type(name, value, (list, tuple))
    if not value:
        raise ValidationError(f"{name} must list at least one format", name)
    for fmt in value:
        if fmt not in allowed:
            raise ValidationError(f"{name} may only contain {', '.join(allowed)}, not {fmt!r}", name)


# --------------------------------------------------------------------------- base


def _dump(value: Any) -> Any:
    if isinstance(value, FileInput):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_dump(v) for v in value]
    return value


def _load(value: Any) -> Any:
    if isinstance(value, dict) and "file" in value:
        return FileInput.from_dict(value)
    if isinstance(value, list):
        return [_load(v) for v in value]
    return value


@dataclass
class _Request:
    KIND: ClassVar[Kind]
    BOOLS: ClassVar[tuple[str, ...]] = ()

    def validate(self, *, require_input: bool = True) -> None:
        """Raise ValidationError for the first broken rule; ``require_input=False`` lets the inputs a caller
        gathers later (model, images, style image) be missing, so a bad option costs no export."""
        for name in self.BOOLS:
            value = getattr(self, name)
            if value is not None:
                _check_type(name, value, bool)
        self._validate(require_input)

    def _validate(self, require_input: bool) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def is_valid(self) -> bool:
        try:
            self.validate()
        except ValidationError:
            return False
        return True

    def to_payload(self) -> dict:
        """The JSON body of the create call: only the fields that were set."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def to_dict(self) -> dict:
        """JSON-serialisable form for the journal (FileInput -> {"file", "mime"})."""
        return {k: _dump(v) for k, v in self.to_payload().items()}

    @classmethod
    def from_dict(cls, data: dict) -> _Request:
        """Inverse of :meth:`to_dict`; an unknown parameter is an error, not silently dropped."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValidationError(
                f"{', '.join(unknown)} is not a parameter of {cls.KIND.value} requests", unknown[0]
            )
        return cls(**{k: _load(v) for k, v in data.items()})


def _require_one(a_name: str, a: Any, b_name: str, b: Any, *, both_ok: bool, required: bool = True) -> None:
    if a is None and b is None:
        if not required:
            return
        raise ValidationError(f"Give either {a_name} or {b_name}", a_name)
    if not both_ok and a is not None and b is not None:
        raise ValidationError(f"Give only one of {a_name} and {b_name}, not both", b_name)


# --------------------------------------------------------------------------- kinds


@dataclass
class ImageToImageRequest(_Request):
    KIND: ClassVar[Kind] = Kind.IMAGE_TO_IMAGE
    BOOLS: ClassVar[tuple[str, ...]] = ("generate_multi_view",)

    ai_model: str | None = None
    prompt: str | None = None
    reference_image_urls: list | None = None
    generate_multi_view: bool | None = None

    def _validate(self, require_input: bool = True) -> None:
        if self.ai_model is None:
            raise ValidationError("ai_model is required for image-to-image", "ai_model")
        _check_enum("ai_model", self.ai_model, IMAGE_TO_IMAGE_MODELS)
        if self.prompt is None:
            raise ValidationError("prompt is required for image-to-image", "prompt")
        _check_prompt("prompt", self.prompt)
        refs = self.reference_image_urls
        if refs is None:
            if require_input:
                raise ValidationError("reference_image_urls is required for image-to-image", "reference_image_urls")
            return
        _check_type("reference_image_urls", refs, (list, tuple))
        if not 1 <= len(refs) <= MAX_REFERENCE_IMAGES:
            raise ValidationError(
                f"reference_image_urls must hold 1 to {MAX_REFERENCE_IMAGES} images, not {len(refs)}",
                "reference_image_urls",
            )
        for i, ref in enumerate(refs):
            _check_source(f"reference_image_urls[{i}]", ref, "image")


class _RemeshOptions:
    """Mixin of the remesh-stage checks shared by image-to-3d and remesh."""

    def _check_remesh_fields(self) -> None:
        if self.topology is not None:  # type: ignore[attr-defined]
            _check_enum("topology", self.topology, TOPOLOGIES)  # type: ignore[attr-defined]
        if self.target_polycount is not None:  # type: ignore[attr-defined]
            _check_range("target_polycount", self.target_polycount, *POLYCOUNT_RANGE)  # type: ignore[attr-defined]
        if self.decimation_mode is not None:  # type: ignore[attr-defined]
            _check_range("decimation_mode", self.decimation_mode, 1, 4)  # type: ignore[attr-defined]
        if self.origin_at is not None:  # type: ignore[attr-defined]
            _check_enum("origin_at", self.origin_at, ORIGINS)  # type: ignore[attr-defined]


@dataclass
class ImageTo3DRequest(_Request, _RemeshOptions):
    KIND: ClassVar[Kind] = Kind.IMAGE_TO_3D
    BOOLS: ClassVar[tuple[str, ...]] = (
        "should_texture",
        "enable_pbr",
        "hd_texture",
        "should_remesh",
        "save_pre_remeshed_model",
        "is_a_t_pose",
        "image_enhancement",
        "remove_lighting",
        "moderation",
        "auto_size",
    )

    input_task_id: str | None = None
    image_url: str | FileInput | None = None
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
    target_formats: list | None = None
    auto_size: bool | None = None
    origin_at: str | None = None

    def _validate(self, require_input: bool = True) -> None:
        # If both inputs are given the service uses input_task_id, so both is fine.
        _require_one("input_task_id", self.input_task_id, "image_url", self.image_url, both_ok=True,
                     required=require_input)
        if self.input_task_id is not None:
            _check_task_id("input_task_id", self.input_task_id)
        if self.image_url is not None:
            _check_source("image_url", self.image_url, "image")
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


REQUEST_TYPES: dict[Kind, type[_Request]] = {
    Kind.IMAGE_TO_IMAGE: ImageToImageRequest,
    Kind.IMAGE_TO_3D: ImageTo3DRequest,
    Kind.RETEXTURE: RetextureRequest,
    Kind.REMESH: RemeshRequest,
}

Request = _Request


def request_from_dict(kind: Kind | str, data: dict) -> _Request:
    """Rebuild a request of ``kind`` from :meth:`to_dict` output (e.g. from the journal)."""
    return REQUEST_TYPES[Kind.parse(kind)].from_dict(data)
