"""One parameter of a kind, and the spellings between the API and Blender (enum identifiers).

``core/params.py`` holds the tables of these rows per kind (and says what the
roles mean); this module is the row itself, so the tables can grow by kind
without one module holding everything.

A ``stage`` names a later task the same call starts: Text to 3D's
``refine=True`` chains a refine on its preview, and the rows with
``stage="refine"`` are that refine's options (sent with it, never with the
preview; the sidebar draws them in their own section).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
