"""From a kind, the values a user set and the preferences to a validated request.

The one way for the operators (and through them the sidebar's Run) and the
batch CLI. ``values`` maps parameter names (``params``) to API values: enum
values as the API spells them (``"quad"``), lists for formats and URLs, a
``FileInput`` where a file is sent. Only what the user set is in it; a value
that means "not set" (``""``, an empty list, ``decimation_mode=0``) is dropped,
so Meshy applies its own defaults (``should_remesh`` depends on ``ai_model``).

The add-on's own rules live here once: the AI model the preferences choose,
GLB always among the formats (results are imported from GLB), keep-original
from the preferences unless the caller chose, which earlier kinds a task can
chain on, and what a result object records of its request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..client.models import Request, request_from_dict
from ..client.uploads import FileInput
from .params import IMAGE_KINDS, PARAMS, api_value, has
from .settings import Settings

#: Which earlier task kinds each kind accepts as ``input_task_id`` (the contract's chaining rules).
CHAINS: dict[str, frozenset[str]] = {
    "remesh": frozenset({"image-to-3d", "retexture", "text-to-3d"}),
    "retexture": frozenset({"image-to-3d", "remesh", "text-to-3d"}),
    "image-to-3d": frozenset({"image-to-image", "text-to-image"}),
}
# The kinds from words and views: a multi-view set chains into multi-image-to-3d, whose models chain on.
CHAINS["multi-image-to-3d"] = frozenset({"image-to-image", "text-to-image"})
CHAINS["remesh"] |= {"multi-image-to-3d"}
CHAINS["retexture"] |= {"multi-image-to-3d"}


def api_args(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The API parameters among ``values`` that are set: what is sent as given."""
    return {p.name: values[p.name] for p in PARAMS[kind]
            if p.api and p.name in values and not p.is_unset(values[p.name])}


def default_ai_model(kind: str, settings: Settings) -> str | None:
    """The preferences' model when the user chose none; None: let Meshy pick (its "latest")."""
    if not has(kind, "ai_model"):
        return None
    if kind in IMAGE_KINDS:
        return api_value(settings.default_image_model)  # required by the API: always sent
    model = api_value(settings.default_mesh_model)
    return None if model == "latest" else model


def effective_ai_model(kind: str, given: str | None, settings: Settings) -> str | None:
    """The model a run will use, for the credit estimate: the user's, the preferences', or Meshy's."""
    if not has(kind, "ai_model"):
        return None
    return given or default_ai_model(kind, settings) or "latest"


def with_glb(formats: list[str] | tuple[str, ...]) -> list[str]:
    """GLB first if missing: the add-on imports every model result from its GLB."""
    formats = list(formats)
    return formats if "glb" in formats else ["glb", *formats]


def build_request(kind: str, values: Mapping[str, Any], settings: Settings, *, require_input: bool = True) -> Request:
    """A validated request; a broken rule raises ``ValidationError`` with one sentence.

    ``require_input=False`` checks the options before the inputs exist (an export,
    a render, an image conversion), so a bad value costs none of that work.
    """
    args = api_args(kind, values)
    if "ai_model" not in args:
        model = default_ai_model(kind, settings)
        if model:
            args["ai_model"] = model
    if args.get("target_formats"):
        args["target_formats"] = with_glb(args["target_formats"])
    request = request_from_dict(kind, {k: list(v) if isinstance(v, (tuple, set)) else v for k, v in args.items()})
    request.validate(require_input=require_input)
    return request


def check_values(kind: str, values: Mapping[str, Any], settings: Settings) -> None:
    """Refuse a bad option before any input is gathered (the request is built again later)."""
    build_request(kind, values, settings, require_input=False)


def keep_original(value: bool | None, settings: Settings) -> bool:
    """Keep the source object (hidden) unless the caller or, failing that, the preferences say replace."""
    return settings.keep_original if value is None else bool(value)


def can_chain(kind: str, source_kind: str) -> bool:
    """May a task of ``kind`` take a task of ``source_kind`` as its ``input_task_id``?"""
    return source_kind in CHAINS.get(kind, frozenset())


def recorded_settings(request: Request) -> dict[str, Any]:
    """What a result remembers of its request: the options, not the uploads or inline data."""
    return {k: v for k, v in request.to_payload().items() if not _is_upload(v)}


def _is_upload(value: Any) -> bool:
    if isinstance(value, FileInput) or (isinstance(value, str) and value.startswith("data:")):
        return True
    return isinstance(value, list) and any(_is_upload(v) for v in value)

