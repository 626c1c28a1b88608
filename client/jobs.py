"""What the engine works on and what it reports: ``Job``, ``JobEvent`` and a job's run state.

Event types (``JobEvent.type``): ``queued``, ``created``, ``progress``,
``waiting`` (held up; ``reason`` is ``queue_full``, ``in_doubt`` while the task
of a lost create is looked for, or ``reconnecting`` while a troubled task is
polled), and the terminal ``succeeded``, ``failed``, ``canceled``,
``suspended`` (following stopped without the task's end: resumable) and
``in_doubt`` (the create may have made a task that has not appeared yet: looked
for again on resume, never created again).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from .errors import MeshyError
from .kinds import Kind
from .tasks import Task

#: how a data URI stands in the journal's copy of a request
INLINE = "<inline data>"

#: What each kind downloads unless the job says otherwise (``results.plan_outputs`` names the outputs;
#: one a task does not have is left out, so a preview's "textures" or an animation's "processed" cost nothing).
DEFAULT_OUTPUTS: dict[str, tuple[str, ...]] = {
    Kind.IMAGE_TO_IMAGE.value: ("images",),
    Kind.IMAGE_TO_3D.value: ("glb", "textures", "thumbnail"),
    Kind.RETEXTURE.value: ("glb", "textures", "thumbnail"),
    Kind.REMESH.value: ("glb", "thumbnail"),
    Kind.TEXT_TO_3D.value: ("glb", "textures", "thumbnail"),
    Kind.MULTI_IMAGE_TO_3D.value: ("glb", "textures", "thumbnail", "thumbnails"),
    Kind.TEXT_TO_IMAGE.value: ("images", "thumbnail", "alpha_thumbnail", "thumbnails"),
    Kind.RIGGING.value: ("rig", "rig_fbx", "clips"),
    Kind.ANIMATION.value: ("animation", "animation_fbx", "processed"),
}

TERMINAL_EVENTS = frozenset({"succeeded", "failed", "canceled", "suspended", "in_doubt"})


@dataclass
class Job:
    """One unit of work: a request to create, or an existing task to follow."""

    kind: Kind | str | None
    request: Any = None
    label: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    outputs: tuple[str, ...] | None = None
    task_id: str | None = None
    job_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    #: set when a create call was interrupted at this time: find its task, never create again
    interrupted_at: float | None = None
    #: (start, end) of a create call whose answer was lost: find its task, never create again
    doubt_window: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.kind is not None:  # None: an id of unknown kind, looked up by the worker
            self.kind = Kind(self.kind)
            if self.outputs is None:
                self.outputs = DEFAULT_OUTPUTS[self.kind.value]

    @property
    def kind_name(self) -> str:
        return self.kind.value if isinstance(self.kind, Kind) else ""


@dataclass
class JobEvent:
    """What happened to a job; drained by the main thread."""

    job_id: str
    type: str
    kind: str
    label: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    task_id: str | None = None
    status: str | None = None
    progress: int = 0
    preceding_tasks: int | None = None
    message: str = ""
    files: dict[str, str] = field(default_factory=dict)
    task: Task | None = None
    error: MeshyError | None = None  # on failed: the cause, for a richer explanation
    timings: dict[str, float] = field(default_factory=dict)  # wall-clock marks, for reports and benches
    reason: str = ""  # on waiting: queue_full, in_doubt or reconnecting

    @property
    def is_terminal(self) -> bool:
        return self.type in TERMINAL_EVENTS


@dataclass
class JobRun:
    """A job as the engine runs it: stop signal, end, timings, and whether its create is in doubt."""

    job: Job
    canceled: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    timings: dict[str, float] = field(default_factory=lambda: {"queued": time.time()})
    in_doubt: bool = False


def request_record(request: Any) -> dict[str, Any] | None:
    """A JSON-safe copy of a request for the journal (no inline data URIs)."""
    if request is None:
        return None
    data = request.to_dict() if hasattr(request, "to_dict") else dict(request)
    return {k: _no_inline(v) for k, v in data.items()}


def _no_inline(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("data:"):
        return INLINE
    if isinstance(value, list):
        return [_no_inline(v) for v in value]
    if isinstance(value, dict):
        return {k: _no_inline(v) for k, v in value.items()}
    return value
