"""The kinds of Meshy task, and what each one's API looks like: the one table every call reads.

A kind's value is its URL path segment (``image-to-3d``, ``animations``). Its API version
(text-to-3d is under ``/openapi/v2/``, everything else under ``/openapi/v1/``), whether Meshy
documents a list of its tasks (rigging and animation have none), and the ``type`` its task
objects carry are rows of :data:`SPECS`, so create, get, delete, list and stream all reach
the same path, and a kind Meshy moves to v2 is a one-word change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import ValidationError


class Kind(StrEnum):
    """Every Meshy API the client speaks; the value is the URL path segment."""

    IMAGE_TO_IMAGE = "image-to-image"
    IMAGE_TO_3D = "image-to-3d"
    RETEXTURE = "retexture"
    REMESH = "remesh"
    TEXT_TO_3D = "text-to-3d"
    MULTI_IMAGE_TO_3D = "multi-image-to-3d"
    TEXT_TO_IMAGE = "text-to-image"
    RIGGING = "rigging"
    ANIMATION = "animations"

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

    @property
    def spec(self) -> KindSpec:
        return SPECS[self]

    @property
    def path(self) -> str:
        """The collection's path: POST creates, GET lists, ``/<id>`` gets and deletes, ``/<id>/stream``."""
        return f"/openapi/{self.spec.version}/{self.value}"

    @property
    def listable(self) -> bool:
        """Does Meshy document ``GET <path>`` (a page of tasks) for this kind?"""
        return self.spec.listable

    @property
    def title(self) -> str:
        return self.spec.title


@dataclass(frozen=True)
class KindSpec:
    """What differs between kinds on the wire."""

    version: str  # "v1" or "v2"
    title: str  # for sentences: "Text to 3D"
    listable: bool = True
    #: the task objects' ``type`` values that are documented (empty: not documented, any is accepted)
    task_types: tuple[str, ...] = ()


SPECS: dict[Kind, KindSpec] = {
    Kind.IMAGE_TO_IMAGE: KindSpec("v1", "Image to Image", task_types=("image-to-image",)),
    Kind.IMAGE_TO_3D: KindSpec("v1", "Image to 3D", task_types=("image-to-3d",)),
    Kind.RETEXTURE: KindSpec("v1", "Retexture", task_types=("retexture",)),
    Kind.REMESH: KindSpec("v1", "Remesh", task_types=("remesh",)),
    Kind.TEXT_TO_3D: KindSpec("v2", "Text to 3D", task_types=("text-to-3d-preview", "text-to-3d-refine")),
    Kind.MULTI_IMAGE_TO_3D: KindSpec("v1", "Multi-Image to 3D", task_types=("multi-image-to-3d",)),
    Kind.TEXT_TO_IMAGE: KindSpec("v1", "Text to Image", task_types=("text-to-image",)),
    # Meshy documents get, delete and stream for these two, no list, and not their task `type`.
    Kind.RIGGING: KindSpec("v1", "Auto-Rigging", listable=False),
    Kind.ANIMATION: KindSpec("v1", "Animation", listable=False),
}


def kind_of_type(task_type: object) -> Kind | None:
    """The kind of a task object's ``type`` (``text-to-3d-refine`` -> TEXT_TO_3D), or None if unknown."""
    if not isinstance(task_type, str):
        return None
    for kind, spec in SPECS.items():
        if task_type == kind.value or task_type in spec.task_types:
            return kind
    return None


def type_fits(kind: Kind | str, task_type: object, expected: str | None = None) -> bool:
    """Could a task object of ``kind`` whose ``type`` is ``task_type`` be the one a request made?

    ``expected`` is the type the request makes (a refine makes ``text-to-3d-refine``). No type,
    or a kind whose types are not documented, proves nothing either way; a type documented for
    another kind or another stage of this one rules the task out.
    """
    kind = Kind.parse(kind)
    if task_type in (None, ""):
        return True
    known = SPECS[kind].task_types
    if not known:
        return True
    if expected is not None:
        return task_type in (expected, kind.value)
    return task_type == kind.value or task_type in known


def not_listable_message(kind: Kind) -> str:
    return (f"Meshy offers no list of {kind.title} tasks, so they cannot be listed or browsed; "
            "open one by its task id instead")
