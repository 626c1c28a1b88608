"""One parameter of a kind, the pieces the tables share, and the spellings between the API and Blender.

``core/params.py`` holds the tables of these rows per kind (and says what the
roles mean; ``core/params_words.py`` holds the tables of the kinds made from
words and views); this module is the row itself and what several tables build
rows from (model lists, formats, polycount, PBR...), so the tables can grow by
kind without one module holding everything. ``core/params.py`` re-exports it all.

A ``stage`` names a later task the same call starts: Text to 3D's
``refine=True`` chains a refine on its preview, and the rows with
``stage="refine"`` are that refine's options (sent with it, never with the
preview; the sidebar draws them in their own section).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..client import catalog


@dataclass(frozen=True)
class Param:
    """One parameter of a kind (see the module's docstring for ``role``)."""

    name: str
    type: str  # str, bool, int, float, enum, enumset, path, image, files, urls
    default: Any = None
    label: str = ""
    description: str = ""
    items: tuple[tuple[str, str], ...] = ()  # (API value, label)
    soft_min: float | None = None
    soft_max: float | None = None
    advanced: bool = False
    role: str = "api"
    fills: str = ""  # role "input": the API field this input becomes
    cli: bool = True  # offered by the batch CLI as ``flag``
    sidebar: bool = True  # kept per scene and drawn in the sidebar
    unset: tuple[Any, ...] = ()  # values that mean "not set" (besides "" for text)
    stage: str = ""  # a later task's option (text-to-3d's "refine"): not sent with this kind's own request
    suggest: Callable[[str], list[tuple[str, str]]] | None = None  # text: (value, description) while typing

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def api(self) -> bool:
        return self.role == "api" and not self.stage

    def is_unset(self, value: Any) -> bool:
        """True for a value that says "not set": None, empty text or file list, or one of ``unset``."""
        if value is None:
            return True
        if self.type in {"str", "path", "image", "files", "urls"} and isinstance(value, (str, list, tuple)):
            return len(value) == 0
        return not isinstance(value, (list, tuple, set)) and value in self.unset


def enum_id(value: str) -> str:
    """API value -> enum identifier: ``nano-banana-pro`` -> ``NANO_BANANA_PRO``."""
    return value.upper().replace("-", "_") if value else "NONE"


def api_value(identifier: str) -> str:
    """Enum identifier -> API value: ``A_POSE`` -> ``a-pose``; ``NONE`` -> ``""``."""
    return "" if identifier == "NONE" else identifier.lower().replace("_", "-")


def kind_id(kind: str) -> str:
    """A kind as an enum identifier: ``image-to-3d`` -> ``IMAGE_TO_3D``."""
    return kind.upper().replace("-", "_")


def kind_from_id(identifier: str) -> str:
    return identifier.lower().replace("_", "-")


# --------------------------------------------------------------------------- what several tables share


def _models(models: tuple[catalog.AIModel, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((m.id, m.label) for m in models)


MESH_MODELS = _models(catalog.MESH_MODELS)
IMAGE_MODELS = _models(catalog.IMAGE_MODELS)
TOPOLOGY = (("triangle", "Triangles"), ("quad", "Quads"))
ORIGIN = (("bottom", "Bottom"), ("center", "Center"))
FORMATS_3D = (("glb", "GLB"), ("obj", "OBJ"), ("fbx", "FBX"), ("stl", "STL"), ("usdz", "USDZ"), ("3mf", "3MF"))
FORMATS_REMESH = FORMATS_3D[:5] + (("blend", "Blend"), ("3mf", "3MF"))

_POLYCOUNT = dict(
    label="Target Polycount", default=30000, soft_min=100, soft_max=300000,
    description="Polygons wanted in the result, 100 to 300,000 (ignored when Decimation is set)",
)
_DECIMATION = dict(
    label="Decimation", default=0, soft_min=0, soft_max=4, advanced=True, unset=(0,),
    description="Adaptive polycount: 1 ultra-high, 2 high, 3 medium, 4 low; 0 uses Target Polycount",
)
_REMOVE_LIGHTING = dict(
    label="Remove Lighting", default=True, advanced=True,
    description="Strip baked highlights and shadows from the texture",
)
_PBR = dict(label="PBR Maps", default=False, description="Also make metallic, roughness and normal maps")
_HD = dict(label="HD Texture", default=False, advanced=True, description="4K base colour (Meshy 6 only)")
_ALPHA_THUMB = dict(
    label="Alpha Thumbnail", default=False, advanced=True, description="Also render a transparent preview image",
)
_INPUT_TASK = dict(
    label="Input Task ID", default="", advanced=True,
    description="Use a finished Meshy task as input instead of uploading (wins over the selection)",
)
_KEEP_ORIGINAL = dict(
    label="Keep Original", default=True, role="option", cli=False, sidebar=False,
    description="Keep the source object, hidden, next to the result (off: replace it); "
                "not given: the add-on preferences decide",
)
_MODEL_URL = dict(
    label="Model URL", default="", advanced=True,
    description="An http(s) URL or data URI of a .glb/.gltf/.obj/.fbx/.stl model (wins over the selection)",
)


def _p(name: str, type_: str, **kw: Any) -> Param:
    return Param(name, type_, **kw)
