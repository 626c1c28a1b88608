"""The Task model: tolerant of missing, null and unknown fields.

Meshy adds fields over time and the stream sends partial objects, so a Task
keeps everything it was given in ``raw`` and only interprets what it knows.

Rigging and animation results are documented under ``result`` (``result.
rigged_character_glb_url``, ``result.basic_animations.walking_glb_url``);
whether they sit there or at the top level of the task object is
unconfirmed, so both are read, ``result`` first.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .errors import redact


class TaskStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "CANCELED"})


def _int(value: Any, default: int = 0) -> int:
    """A whole number from whatever the server sent; NaN, infinities and garbage give ``default``."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return default
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else default
    return default


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _url(value: Any) -> str | None:
    """A result URL: a non-empty string, else None (Meshy sends "" for a file it did not make)."""
    return value if isinstance(value, str) and value else None


def _urls(value: Any) -> dict[str, str]:
    """A dict of name -> URL, keeping only string names with non-empty string URLs."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str) and v}


def _thumbnails(value: Any) -> dict[str, str]:
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value) if isinstance(v, str) and v}
    return _urls(value)


#: rigging's and animation's result URLs (under ``result`` or at the top level)
RIG_FIELDS = ("rigged_character_glb_url", "rigged_character_fbx_url")
ANIMATION_FIELDS = ("animation_glb_url", "animation_fbx_url", "processed_usdz_url", "processed_armature_fbx_url",
                    "processed_animation_fps_fbx_url")


def result_value(data: dict, name: str) -> Any:
    """``data["result"][name]`` when the task has a ``result`` object holding it, else ``data[name]``."""
    nested = data.get("result")
    if isinstance(nested, dict) and nested.get(name) not in (None, ""):
        return nested[name]
    return data.get(name)


def _basic_animations(data: dict) -> dict[str, str]:
    """``basic_animations`` from under ``result`` and the top level (``result`` wins per entry)."""
    nested = data.get("result")
    inner = _urls(nested.get("basic_animations")) if isinstance(nested, dict) else {}
    return {**_urls(data.get("basic_animations")), **inner}


@dataclass
class TaskError:
    """Meshy's explanation of a failure; ``message`` is empty when all is well."""

    message: str = ""
    type: str | None = None
    code: str | None = None
    doc_url: str | None = None
    raw: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> TaskError | None:
        if data is None:
            return None
        # the message reaches the UI and the journal: a server echoing the key gets it redacted
        if isinstance(data, str):
            return cls(message=redact(data), raw={"message": redact(data)})
        if not isinstance(data, dict):
            return cls(message=redact(data), raw={"message": redact(data)})
        return cls(
            message=redact(_str_or_none(data.get("message")) or ""),
            type=_str_or_none(data.get("type")),
            code=_str_or_none(data.get("code")),
            doc_url=_str_or_none(data.get("doc_url")),
            raw=dict(data),
        )

    def __bool__(self) -> bool:
        return bool(self.message or self.code or self.type)


@dataclass
class Task:
    """One Meshy task as last seen; ``raw`` holds the full JSON object."""

    id: str
    type: str | None = None
    status: str = "PENDING"
    progress: int = 0
    created_at: int = 0
    started_at: int = 0
    finished_at: int = 0
    expires_at: int = 0
    preceding_tasks: int = 0
    task_error: TaskError | None = None
    consumed_credits: int | None = None
    model_urls: dict = field(default_factory=dict)
    texture_urls: list = field(default_factory=list)
    image_urls: list = field(default_factory=list)
    thumbnail_url: str | None = None
    alpha_thumbnail_url: str | None = None
    #: multi_view_thumbnails: view name (``front``...) -> URL; a list from the server is keyed by position
    thumbnail_urls: dict = field(default_factory=dict)
    #: rigging (read under ``result`` or at the top level)
    rigged_character_glb_url: str | None = None
    rigged_character_fbx_url: str | None = None
    #: rigging: ``walking_glb_url``, ``walking_fbx_url``, ``walking_armature_glb_url``, the same for running
    basic_animations: dict = field(default_factory=dict)
    #: animation (read under ``result`` or at the top level)
    animation_glb_url: str | None = None
    animation_fbx_url: str | None = None
    processed_usdz_url: str | None = None
    processed_armature_fbx_url: str | None = None
    processed_animation_fps_fbx_url: str | None = None
    raw: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: dict) -> Task:
        """Build a Task from a (possibly partial) task object."""
        if not isinstance(data, dict):
            raise TypeError("a task object must be a JSON object")
        model_urls = data.get("model_urls")
        texture_urls = data.get("texture_urls")
        image_urls = data.get("image_urls")
        credits = data.get("consumed_credits")
        status = data.get("status")
        return cls(
            id=_str_or_none(data.get("id")) or "",
            type=_str_or_none(data.get("type")),
            status=str(status).upper() if status is not None else "PENDING",
            progress=max(0, min(100, _int(data.get("progress")))),
            created_at=_int(data.get("created_at")),
            started_at=_int(data.get("started_at")),
            finished_at=_int(data.get("finished_at")),
            expires_at=_int(data.get("expires_at")),
            preceding_tasks=_int(data.get("preceding_tasks")),
            task_error=TaskError.from_json(data.get("task_error")),
            consumed_credits=None if credits is None else _int(credits),
            model_urls={k: v for k, v in model_urls.items() if isinstance(v, str) and v}
            if isinstance(model_urls, dict)
            else {},
            texture_urls=[t for t in texture_urls if isinstance(t, dict)]
            if isinstance(texture_urls, list)
            else [],
            image_urls=[u for u in image_urls if isinstance(u, str) and u]
            if isinstance(image_urls, list)
            else [],
            thumbnail_url=_str_or_none(data.get("thumbnail_url")) or None,
            alpha_thumbnail_url=_str_or_none(data.get("alpha_thumbnail_url")) or None,
            thumbnail_urls=_thumbnails(data.get("thumbnail_urls")),
            basic_animations=_basic_animations(data),
            **{name: _url(result_value(data, name)) for name in RIG_FIELDS + ANIMATION_FIELDS},
            raw=copy.deepcopy(data),
        )

    def result_url(self, name: str) -> str | None:
        """A rigging or animation result URL by its API name (``walking_glb_url`` too), wherever it sits."""
        if name in self.basic_animations:
            return self.basic_animations[name]
        return _url(result_value(self.raw, name))

    def to_json(self) -> dict:
        """The task object as Meshy sent it (a copy), for ``task.json`` and journals."""
        return copy.deepcopy(self.raw)

    def merged(self, update: dict) -> Task:
        """A new Task: this one with the fields of a (partial) update laid over it."""
        data = copy.deepcopy(self.raw)
        data.update(update)
        return Task.from_json(data)

    def get(self, name: str, default: Any = None) -> Any:
        """Any field of the raw object, including ones this model does not know."""
        return self.raw.get(name, default)

    @property
    def status_enum(self) -> TaskStatus | None:
        try:
            return TaskStatus(self.status)
        except ValueError:
            return None

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    @property
    def is_complete(self) -> bool:
        """True when this looks like a full object rather than a stream's partial update."""
        return "type" in self.raw or "created_at" in self.raw

    @property
    def error_message(self) -> str:
        """One sentence saying why the task failed, or ``""`` if it did not."""
        message = self.task_error.message.strip() if self.task_error else ""
        if self.status == "FAILED":
            return (message or "Meshy reported that the task failed without saying why").rstrip(
                "."
            ) + "."
        if self.status == "CANCELED":
            return (message or "The task was canceled on Meshy").rstrip(".") + "."
        return ""
