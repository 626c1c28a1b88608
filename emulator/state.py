"""Tasks, their time-driven lifecycle, the credit balance and the limits (thread-safe)."""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .errors import HttpError, TaskFailure
from .kinds import BY_NAME
from .outputs import model as mdl
from .outputs.textures import png_bytes
from .producers import produce
from .validation import Spec

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELED")
URL_FIELDS = ("model_urls", "texture_urls", "image_urls", "thumbnail_url", "alpha_thumbnail_url", "thumbnail_urls",
              "result")
NESTED = ("rigging", "animations")  # kinds whose result URLs sit under `result` (or at the top: result_nesting)
STYLE_URL = {"image-to-3d": "texture_image_url", "multi-image-to-3d": "texture_image_url",
             "text-to-3d": "texture_image_url", "retexture": "image_style_url"}
ECHOED = ("ai_model", "prompt", "texture_prompt", "text_style_prompt", "preview_task_id")
STYLE_FILE = "style.png"
RESULT_LIFETIME_MS = 3 * 24 * 3600 * 1000


def now_ms(t: float) -> int:
    return int(t * 1000)


@dataclass
class Task:
    """One task; its status and progress are computed from the clock on every access."""

    id: str
    kind: str
    params: dict[str, Any]
    type: str  # the task object's `type`: the kind's, or text-to-3d-preview/-refine
    cost: int
    created: float
    pending_seconds: float
    run_seconds: float
    fail: dict[str, Any] | None = None  # task_error of an injected failure
    files: dict[str, bytes] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    ready_at: float | None = None  # outputs finished (or production failed)
    error: dict[str, Any] | None = None  # production failed
    refunded: bool = False
    seq: int = 0
    model: Any = None  # the result model (polygons + maps), for chaining
    later: list[str] = field(default_factory=list)  # Blender formats still to write (first download)
    files_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _end(self) -> float:
        return self.created + self.pending_seconds + self.run_seconds

    def status(self, t: float | None = None) -> str:
        t = time.time() if t is None else t
        if t < self.created + self.pending_seconds:
            return "PENDING"
        if self.fail is not None and t >= self.created + self.pending_seconds + self.run_seconds / 2:
            return "FAILED"
        if t < self._end() or self.ready_at is None:
            return "IN_PROGRESS"
        return "FAILED" if self.error is not None else "SUCCEEDED"

    def progress(self, t: float, status: str) -> int:
        if status == "SUCCEEDED":
            return 100
        if status == "PENDING":
            return 0
        run = max(self.run_seconds, 1e-6)
        share = (t - self.created - self.pending_seconds) / run
        return max(0, min(99, int(99 * share)))

    def finished_at(self, status: str) -> float:
        if self.fail is not None and status == "FAILED" and self.error is None:
            return self.created + self.pending_seconds + self.run_seconds / 2
        return max(self._end(), self.ready_at or 0.0)


class Store:
    """All tasks of the one emulated account, with accounting and limits."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        self.tasks: dict[str, Task] = {}
        self._seq = 0
        self._hits: deque[float] = deque()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="emulator-work")
        self.created_by_kind: dict[str, int] = {}
        self.created_by_type: dict[str, int] = {}  # text-to-3d-preview, text-to-3d-refine, ...

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # --- limits -------------------------------------------------------------
    def check_rate(self) -> None:
        """Sliding one-second window over all authenticated API requests."""
        limit = self.settings.rate_limit
        t = time.monotonic()
        with self.lock:
            while self._hits and t - self._hits[0] >= 1.0:
                self._hits.popleft()
            if limit and len(self._hits) >= limit:
                wait = max(1, math.ceil(1.0 - (t - self._hits[0])))
                raise HttpError(429, f"RateLimitExceeded: more than {limit:g} requests per "
                                     "second; slow down.", {"Retry-After": str(wait)})
            self._hits.append(t)

    def unfinished(self, t: float) -> list[Task]:
        return [k for k in self.tasks.values() if k.status(t) in ("PENDING", "IN_PROGRESS")]

    # --- tasks --------------------------------------------------------------
    def lookup(self, task_id: str) -> Task | None:
        with self.lock:
            return self.tasks.get(task_id)

    def get(self, kind: str, task_id: str) -> Task | None:
        with self.lock:
            task = self.tasks.get(task_id)
            return task if task is not None and task.kind == kind else None

    def create(self, spec: Spec, fail: dict[str, Any] | None) -> Task:
        """402 / 429 checks, charge the credits, then start producing outputs."""
        s = self.settings
        t = time.time()
        with self.lock:
            self.settle(t)
            if s.balance < spec.cost:
                raise HttpError(402, f"Insufficient credits: this task costs {spec.cost} "
                                     f"credits and the balance is {s.balance}.")
            busy = self.unfinished(t)
            if s.queue_limit and len(busy) >= s.queue_limit:
                first_end = min(k.finished_at("SUCCEEDED") for k in busy)
                wait = max(1, math.ceil(first_end - t))
                raise HttpError(429, f"NoMoreConcurrentTasks: {len(busy)} unfinished tasks "
                                     f"reach the limit of {s.queue_limit}; wait for one to "
                                     "finish.", {"Retry-After": str(wait)})
            s.balance -= spec.cost
            self._seq += 1
            task = Task(id=str(uuid.uuid4()), kind=spec.kind, params=spec.params,
                        type=spec.task_type or BY_NAME[spec.kind].task_type, cost=spec.cost,
                        created=t, pending_seconds=s.pending_seconds, run_seconds=s.run_seconds,
                        fail=fail, seq=self._seq)
            if spec.style_image is not None:
                task.files[STYLE_FILE] = png_bytes(spec.style_image)
            self.tasks[task.id] = task
            self.created_by_kind[spec.kind] = self.created_by_kind.get(spec.kind, 0) + 1
            self.created_by_type[task.type] = self.created_by_type.get(task.type, 0) + 1
        if fail is None:
            self._pool.submit(self._work, task, spec)
        return task

    def _work(self, task: Task, spec: Spec) -> None:
        model, later = None, []
        try:
            result = produce(spec)
            files, fields, model, later = result.files, result.fields, result.model, result.later
            error = None
        except TaskFailure as exc:  # the work cannot be done (no Blender for rigging...): its own sentence
            files, fields = {}, {}
            error = {"message": exc.message, "type": exc.error_type, "code": exc.code}
        except Exception as exc:  # noqa: BLE001 - any production bug becomes a FAILED task
            files, fields = {}, {}
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            error = {"message": f"Processing failed: {message}".rstrip(".") + ".", "type": "server_error",
                     "code": "format_conversion_failed" if spec.fbx is not None else "processing_failed"}
        with self.lock:
            task.files.update(files)
            task.fields, task.error = fields, error
            task.model, task.later = model, list(later)
            task.ready_at = time.time()

    def file(self, task: Task, name: str) -> bytes | None:
        """A result file; FBX/.blend/USDZ of a default answer are written on first download, then kept."""
        data = task.files.get(name)
        if data is not None or task.model is None or name not in {f"model.{f}" for f in task.later}:
            return data
        with task.files_lock:
            if name not in task.files and task.later:
                try:
                    task.files.update(mdl.blender_files(task.model, task.later))
                except Exception as exc:  # noqa: BLE001 - the download answers 500 with the reason
                    raise HttpError(500, f"Format conversion failed: {exc}") from None
                task.later = []
        return task.files.get(name)

    def delete(self, kind: str, task_id: str) -> bool:
        with self.lock:
            task = self.get(kind, task_id)
            if task is None:
                return False
            del self.tasks[task_id]
            task.files = {}
            return True

    def settle(self, t: float | None = None) -> None:
        """Refund the credits of tasks that have reached FAILED."""
        t = time.time() if t is None else t
        with self.lock:
            for task in self.tasks.values():
                if not task.refunded and task.status(t) == "FAILED":
                    task.refunded = True
                    self.settings.balance += task.cost

    def listing(self, kind: str, page_num: int, page_size: int, newest_first: bool) -> list[Task]:
        with self.lock:
            tasks = sorted((k for k in self.tasks.values() if k.kind == kind),
                           key=lambda k: k.seq, reverse=newest_first)
        start = (page_num - 1) * page_size
        return tasks[start:start + page_size]

    def preceding(self, task: Task, t: float) -> int:
        with self.lock:
            return sum(1 for k in self.tasks.values()
                       if k.seq < task.seq and k.status(t) in ("PENDING", "IN_PROGRESS"))

    # --- views --------------------------------------------------------------
    def view(self, task: Task, sign: Callable[[Task, str], str], brief: bool = False,
             streaming: bool = False) -> dict[str, Any]:
        """The task object as the API shows it; file names become fresh signed URLs.

        `streaming`: as a real SSE message, whole even while unfinished, with
        `task_error: null` and the result fields present but empty.
        """
        t = time.time()
        self.settle(t)
        status = task.status(t)
        progress = task.progress(t, status)
        if brief:
            return {"id": task.id, "progress": progress, "status": status}
        started = task.created + task.pending_seconds if status != "PENDING" else 0
        finished = task.finished_at(status) if status in TERMINAL else 0
        obj: dict[str, Any] = {
            "id": task.id, "type": task.type, "status": status, "progress": progress,
            "created_at": now_ms(task.created), "started_at": now_ms(started) if started else 0,
            "finished_at": now_ms(finished) if finished else 0,
            "expires_at": now_ms(task.created) + RESULT_LIFETIME_MS,
            "preceding_tasks": self.preceding(task, t) if status == "PENDING" else 0,
            "task_error": {"message": ""},
            "consumed_credits": 0 if status == "FAILED" else task.cost,
        }
        for key in ECHOED:
            if key in task.params and task.params[key] is not None:
                obj[key] = task.params[key]
        if task.kind in STYLE_URL and STYLE_FILE in task.files:
            obj[STYLE_URL[task.kind]] = sign(task, STYLE_FILE)
        if status == "FAILED":
            obj["task_error"] = dict(task.error or task.fail or {"message": "Task failed."})
        if status == "SUCCEEDED":
            for key, value in task.fields.items():
                obj[key] = _signed(value, lambda name: sign(task, name)) if key in URL_FIELDS \
                    else value
            if task.kind in NESTED and self.settings.result_nesting == "top" and isinstance(obj.get("result"), dict):
                obj.update(obj.pop("result"))
        elif streaming and status in ("PENDING", "IN_PROGRESS"):
            obj["task_error"] = None
            obj.update(_empty_results(task))
        return obj


def _empty_results(task: Task) -> dict[str, Any]:
    """The result fields of an unfinished task, as a real stream shows them: present, empty."""
    if task.kind in ("image-to-image", "text-to-image"):
        return {"image_urls": []}
    if task.kind in NESTED:
        return {}
    formats = list(task.params.get("target_formats") or [])
    urls = {f: "" for f in formats}
    if "obj" in urls:
        urls["mtl"] = ""
    return {"model_urls": urls, "texture_urls": [], "thumbnail_url": ""}


def _signed(value: Any, sign: Callable[[str], str]) -> Any:
    """Replace file names (strings) inside result fields by signed URLs."""
    if isinstance(value, str):
        return sign(value)
    if isinstance(value, dict):
        return {k: _signed(v, sign) for k, v in value.items()}
    if isinstance(value, list):
        return [_signed(v, sign) for v in value]
    return value
