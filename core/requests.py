"""From a kind, the values a user set and the preferences to a validated request.

The one way for the operators (and through them the sidebar's Run) and the
batch CLI. ``values`` maps parameter names (``params``) to API values: enum
values as the API spells them (``"quad"``), lists for formats and URLs, a
``FileInput`` where a file is sent. Only what the user set is in it; a value
that means "not set" (``""``, an empty list, ``decimation_mode=0``) is dropped,
so Meshy applies its own defaults (``should_remesh`` depends on ``ai_model``).

The add-on's own rules live here once: the AI model the preferences choose,
GLB always among the formats, a polygon format beside it when the result
holds quads (``POLYGON_FORMAT``) and which files a job downloads
(``outputs_for``), keep-original from the preferences unless the caller
chose, which earlier kinds a task can chain on, and what a result object
records of its request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..client.jobs import DEFAULT_OUTPUTS
from ..client.models import Request, request_from_dict
from ..client.uploads import FileInput
from .params import IMAGE_KINDS, PARAMS, api_value, has
from .settings import Settings

#: Which earlier task kinds each kind accepts as ``input_task_id`` (the contract's chaining rules).
CHAINS: dict[str, frozenset[str]] = {
    "remesh": frozenset({"image-to-3d", "retexture", "text-to-3d"}),
    "retexture": frozenset({"image-to-3d", "remesh", "text-to-3d"}),
    "image-to-3d": frozenset({"image-to-image", "text-to-image"}),
    "rigging": frozenset({"image-to-3d", "multi-image-to-3d", "remesh", "retexture", "text-to-3d"}),
}
# The kinds from words and views: a multi-view set chains into multi-image-to-3d, whose models chain on.
CHAINS["multi-image-to-3d"] = frozenset({"image-to-image", "text-to-image"})
CHAINS["remesh"] |= {"multi-image-to-3d"}
CHAINS["retexture"] |= {"multi-image-to-3d"}


#: The format a quad result is imported from, fetched beside the GLB (glTF holds triangles only). OBJ keeps
#: quads, n-gons, UVs and normals; Meshy offers it for every model kind (the .blend only for remesh); Blender
#: 4.2-5.2 read it with their C++ importer, several times faster than the Python FBX importer and free of FBX's
#: unit and axis guesses; a .blend opens only in a Blender at least as new as the one that wrote it.
POLYGON_FORMAT = "obj"
#: A value (not an API parameter): the source is a polygon mesh Meshy made, so its retexture keeps the polygons.
KEEP_POLYGONS = "keep_polygons"
#: AI models whose image-to-3d does not remesh unless asked (``should_remesh`` defaults to off on Meshy 6).
_NO_REMESH_BY_DEFAULT = frozenset({None, "latest", "meshy-6"})


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


def keeps_polygons(kind: str, args: Mapping[str, Any]) -> bool:
    """Will the result hold quads that its GLB would cut into triangles?

    A quad remesh, an image-to-3d that remeshes to quads (``should_remesh`` on,
    or left to Meshy on a model that remeshes by default), and a retexture of a
    polygon mesh Meshy made (``KEEP_POLYGONS``; retexture keeps the geometry).
    """
    if kind == "remesh":
        return args.get("topology") == "quad"
    if kind == "retexture":
        return bool(args.get(KEEP_POLYGONS))
    if args.get("topology") != "quad":  # the kinds that make a model and may remesh it (image-to-3d, text-to-3d)
        return False
    remeshes = args.get("should_remesh")
    if remeshes is None:
        remeshes = args.get("ai_model") not in _NO_REMESH_BY_DEFAULT
    return bool(remeshes)


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
    if keeps_polygons(kind, {**values, **args}):
        formats = list(args.get("target_formats") or ["glb"])
        args["target_formats"] = formats if POLYGON_FORMAT in formats else [*formats, POLYGON_FORMAT]
    if args.get("target_formats"):
        args["target_formats"] = with_glb(args["target_formats"])
    request = request_from_dict(kind, {k: list(v) if isinstance(v, (tuple, set)) else v for k, v in args.items()})
    request.validate(require_input=require_input)
    return request


def outputs_for(kind: str, request: Request | Mapping[str, Any]) -> tuple[str, ...]:
    """What a job downloads: the GLB, the maps and the thumbnail, and every other format it asked for.

    Remesh fetches its maps too (a textured source stays textured). The other
    formats come through the engine's ``models`` output (``model_obj.obj``...),
    which is how a quad result's OBJ arrives; the GLB stays ``model.glb``.
    """
    outputs = DEFAULT_OUTPUTS[kind]
    if "glb" not in outputs:  # images, rigs, animations: as the client says
        return outputs
    if "textures" not in outputs:
        outputs = (*outputs[:1], "textures", *outputs[1:])
    payload = request if isinstance(request, Mapping) else request.to_payload()
    if set(payload.get("target_formats") or ()) - {"glb"}:
        outputs = (*outputs, "models")
    return outputs


def polygon_file(kind: str, files: Mapping[str, str], settings: Mapping[str, Any]) -> str | None:
    """The downloaded file a result with quads is imported from (None: import the GLB, as for triangles)."""
    formats = settings.get("target_formats") or ()
    wanted = POLYGON_FORMAT in formats if kind == "retexture" else keeps_polygons(kind, settings)
    return files.get(f"model_{POLYGON_FORMAT}") if wanted else None


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

