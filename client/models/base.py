"""What every request model shares: the base class, the checks of URL inputs, and the value lists.

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
from pathlib import PurePath
from typing import Any, ClassVar
from urllib.parse import urlparse

from .. import catalog, checks
from ..errors import ValidationError
from ..kinds import Kind
from ..uploads import IMAGE_EXTENSIONS, MODEL_EXTENSIONS, FileInput

IMAGE_TO_IMAGE_MODELS = catalog.ids(catalog.IMAGE_MODELS)
TEXT_TO_IMAGE_MODELS = catalog.ids(catalog.TEXT_IMAGE_MODELS)
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
#: the base64 of the four bytes every GLB starts with (``glTF``)
GLB_BASE64_MAGIC = "Z2xURg"


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


def _check_source(name: str, value: Any, what: str, exts: tuple[str, ...] | None = None) -> None:
    """A URL parameter: http(s) URL, data URI or FileInput, of an image or a model.

    ``exts`` narrows the file types (rigging takes GLB only, its texture PNG only).
    """
    exts = exts or (IMAGE_EXTENSIONS if what == "image" else MODEL_EXTENSIONS)
    if isinstance(value, FileInput):
        if what == "image" and not value.is_image:
            raise ValidationError(f"{name} must be an image (use FileInput.image)", name)
        if what == "model" and value.is_image:
            raise ValidationError(f"{name} must be a 3D model file (use FileInput.model)", name)
        value.check(name)
        _check_file_type(name, value, what, exts)
        return
    _check_type(name, value, (str, FileInput))
    if value.startswith("data:"):
        head, sep, data = value.partition(",")
        if not sep or not head.endswith(";base64") or not data:
            raise ValidationError(f"{name} is a malformed data URI; expected data:<mime>;base64,<data>", name)
        mime = head[5:].split(";", 1)[0].lower()
        if what == "image":
            allowed = [m for e, m in ((".png", "image/png"), (".jpg", "image/jpeg"), (".jpg", "image/jpg"))
                       if e in exts]
            if mime not in allowed:
                kinds = "a PNG" if allowed == ["image/png"] else "a PNG or JPEG"
                raise ValidationError(f"{name} must be {kinds} image, not {mime or 'untyped data'}", name)
        elif exts == (".glb",) and not data.startswith(GLB_BASE64_MAGIC):
            raise ValidationError(f"{name} must be a GLB model (binary glTF); this data is not one", name)
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


def _check_file_type(name: str, value: FileInput, what: str, exts: tuple[str, ...]) -> None:
    """A local file of the narrower types a kind takes (rigging: a .glb model, a PNG texture)."""
    if what == "image":
        if exts == (".png",) and value.mime != "image/png":
            raise ValidationError(f"{name} must be a PNG image (use FileInput.image(path, png=True))", name)
        return
    suffix = PurePath(value.path).suffix.lower()
    if suffix not in exts:
        raise ValidationError(f"{name} must be a {' '.join(exts)} file, not {PurePath(value.path).name}", name)
    if exts == (".glb",):
        try:
            with open(value.path, "rb") as fh:
                magic = fh.read(4)
        except OSError:
            raise ValidationError(f"{name}: the file {value.path} cannot be read", name) from None
        if magic != b"glTF":
            raise ValidationError(f"{name}: {value.path} is not a GLB model (binary glTF)", name)


def _check_formats(name: str, value: Any, allowed: tuple) -> None:
    _check_type(name, value, (list, tuple))
    if not value:
        raise ValidationError(f"{name} must list at least one format", name)
    for fmt in value:
        if fmt not in allowed:
            raise ValidationError(f"{name} may only contain {', '.join(allowed)}, not {fmt!r}", name)


def _check_images(name: str, value: Any, most: int) -> None:
    """A list of 1 to ``most`` image inputs (URLs, data URIs, FileInputs)."""
    _check_type(name, value, (list, tuple))
    if not 1 <= len(value) <= most:
        raise ValidationError(f"{name} must hold 1 to {most} images, not {len(value)}", name)
    for i, item in enumerate(value):
        _check_source(f"{name}[{i}]", item, "image")


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
    #: the ``type`` of the task object this request makes (None: the kind's own, or not documented)
    TASK_TYPE: ClassVar[str | None] = None

    def validate(self, *, require_input: bool = True) -> None:
        """Raise ValidationError for the first broken rule; ``require_input=False`` lets the inputs a caller
        gathers later (model, images, style image, the task to chain on) be missing, so a bad option costs
        no export."""
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

    @classmethod
    def request_name(cls) -> str:
        """The name the layers above know this request by: the kind, or ``text-to-3d-refine``."""
        return cls.TASK_TYPE or cls.KIND.value

    def to_payload(self) -> dict:
        """The JSON body of the create call: only the fields that were set."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[f.name] = value
        return out

    def to_dict(self) -> dict:
        """JSON-serialisable form for the journal (FileInput -> {"file", "mime"})."""
        return {k: _dump(v) for k, v in self.to_payload().items()}

    @classmethod
    def from_dict(cls, data: dict) -> _Request:
        """Inverse of :meth:`to_dict`; an unknown parameter is an error, not silently dropped."""
        if not isinstance(data, dict):
            raise ValidationError(f"The parameters of a {cls.request_name()} request must be a JSON object")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValidationError(
                f"{', '.join(unknown)} is not a parameter of {cls.request_name()} requests", unknown[0]
            )
        return cls(**{k: _load(v) for k, v in data.items()})


def _require_one(a_name: str, a: Any, b_name: str, b: Any, *, both_ok: bool, required: bool = True) -> None:
    if a is None and b is None:
        if not required:
            return
        raise ValidationError(f"Give either {a_name} or {b_name}", a_name)
    if not both_ok and a is not None and b is not None:
        raise ValidationError(f"Give only one of {a_name} and {b_name}, not both", b_name)


class _RemeshOptions:
    """Mixin of the remesh-stage checks shared by image-to-3d, multi-image-to-3d, a text-to-3d preview and remesh."""

    def _check_remesh_fields(self) -> None:
        if self.topology is not None:  # type: ignore[attr-defined]
            _check_enum("topology", self.topology, TOPOLOGIES)  # type: ignore[attr-defined]
        if self.target_polycount is not None:  # type: ignore[attr-defined]
            _check_range("target_polycount", self.target_polycount, *POLYCOUNT_RANGE)  # type: ignore[attr-defined]
        if self.decimation_mode is not None:  # type: ignore[attr-defined]
            _check_range("decimation_mode", self.decimation_mode, 1, 4)  # type: ignore[attr-defined]
        if self.origin_at is not None:  # type: ignore[attr-defined]
            _check_enum("origin_at", self.origin_at, ORIGINS)  # type: ignore[attr-defined]
