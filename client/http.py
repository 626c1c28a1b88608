"""MeshyClient: every Meshy kind's API (create, get, delete, list, stream, wait), balance, downloads.

How one request is sent (retries, deadlines, size caps, the rules about creates) is
:mod:`client.connection`; every task id is checked and percent-encoded before it goes into a path,
and every path is the kind's own (``Kind.path``: text-to-3d is under ``/openapi/v2/``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

from . import checks, downloads, sse
from .connection import AUTO, DEFAULT_BASE_URL, Connection, never_sent
from .errors import BadResponseError, TaskFailedError, ValidationError, redact
from .kinds import Kind, not_listable_message
from .logs import get_logger
from .models import REQUEST_NAMES, REQUEST_TYPES, Request
from .tasks import Task
from .uploads import build_upload_body, check_files

log = get_logger("meshy")

MAX_PAGE_SIZE = 50


class MeshyClient(Connection):
    """One Meshy account. Safe to share between threads (a requests.Session per thread)."""

    def _kind_url(self, kind: Kind, *more: str) -> str:
        """The URL of a kind's collection (``more``: fixed segments of our own, or an encoded id)."""
        return self.base_url + kind.path + "".join("/" + p for p in more)

    def _task_url(self, kind: Kind, task_id: Any, *more: str) -> str:
        """The URL of one task: its id checked and percent-encoded as one path segment."""
        return self._kind_url(kind, checks.path_segment(task_id), *more)

    # ------------------------------------------------------------------ API

    def create(
        self,
        kind: Kind | str,
        request: Request | dict,
        *,
        validate: bool = True,
        retry_queue_full: bool = True,
    ) -> str:
        """Create a task and return its id.

        ``request`` is a request model (validated first unless ``validate`` is
        false) or a payload dict sent as it is. With ``retry_queue_full=False`` a
        full queue raises QueueFullError at once so the caller can wait.
        """
        kind = Kind.parse(kind)
        if isinstance(request, dict):
            payload = dict(request)
        else:
            if not isinstance(request, REQUEST_TYPES[kind]):
                fits = [c.__name__ for c in REQUEST_NAMES.values() if c.KIND is kind and c.TASK_TYPE] \
                    or [REQUEST_TYPES[kind].__name__]
                raise ValidationError(f"A {type(request).__name__} cannot be sent to {kind.value}; "
                                      f"use {' or '.join(fits)}")
            if validate:
                request.validate()
            payload = request.to_payload()
        check_files(payload)  # fail early (missing or empty file) before any network call
        build_upload_body(payload)  # and on text or numbers that cannot be sent (NUL, NaN)
        resp = self._request(
            "POST",
            self._kind_url(kind),
            body_factory=lambda: build_upload_body(payload),
            create=True,
            retry_queue_full=retry_queue_full,
        )
        data = self._json(resp, create=True)
        task_id = data.get("result") if isinstance(data, dict) else None
        if not isinstance(task_id, str) or not task_id:
            raise BadResponseError("Meshy accepted the create call but sent back no task id", maybe_sent=True)
        if not _is_task_id(task_id):
            raise BadResponseError("Meshy accepted the create call but sent back a task id that is not valid",
                                   maybe_sent=True)
        log.info("created %s task %s", kind.value, task_id)
        return task_id

    def get(self, kind: Kind | str, task_id: str) -> Task:
        """The task as it is now."""
        kind = Kind.parse(kind)
        data = self._json(self._request("GET", self._task_url(kind, task_id)))
        if not isinstance(data, dict):
            raise BadResponseError("Meshy sent something other than a task object")
        return Task.from_json(data)

    def delete(self, kind: Kind | str, task_id: str) -> None:
        """Delete the task and its results on Meshy (irreversible)."""
        kind = Kind.parse(kind)
        self._request("DELETE", self._task_url(kind, task_id)).close()

    def list_page(
        self, kind: Kind | str, page_num: int = 1, page_size: int = 10, sort_by: str = "-created_at"
    ) -> list[Task]:
        """One page of tasks (``page_num`` from 1, ``page_size`` up to 50).

        Kinds Meshy documents no list for (rigging, animation) are refused here, before any call.
        """
        kind = Kind.parse(kind)
        if not kind.listable:
            raise ValidationError(not_listable_message(kind), "kind")
        if not isinstance(page_num, int) or isinstance(page_num, bool) or page_num < 1:
            raise ValidationError("page_num must be a whole number from 1 up", "page_num")
        if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValidationError(f"page_size must be between 1 and {MAX_PAGE_SIZE}", "page_size")
        if sort_by not in ("+created_at", "-created_at"):
            raise ValidationError("sort_by must be '+created_at' or '-created_at'", "sort_by")
        params = {"page_num": page_num, "page_size": page_size, "sort_by": sort_by}
        data = self._json(self._request("GET", self._kind_url(kind), params=params))
        if isinstance(data, dict):  # tolerate a wrapped list
            data = data.get("result") or data.get("data") or data.get("tasks") or []
        if not isinstance(data, list):
            raise BadResponseError("Meshy sent something other than a list of tasks")
        return [Task.from_json(t) for t in data if isinstance(t, dict)]

    def list(
        self, kind: Kind | str, page_size: int = MAX_PAGE_SIZE, sort_by: str = "-created_at", max_pages: int = 1000
    ) -> Iterator[Task]:
        """Every task of ``kind``, page after page (newest first by default)."""
        if not Kind.parse(kind).listable:  # at the call, not at the first next()
            raise ValidationError(not_listable_message(Kind.parse(kind)), "kind")
        return self._pages(kind, page_size, sort_by, max_pages)

    def _pages(self, kind: Kind | str, page_size: int, sort_by: str, max_pages: int) -> Iterator[Task]:
        seen: set[str] = set()
        for page_num in range(1, max_pages + 1):
            page = self.list_page(kind, page_num=page_num, page_size=page_size, sort_by=sort_by)
            for task in page:
                if task.id in seen:  # a task created meanwhile shifts the pages
                    continue
                seen.add(task.id)
                yield task
            if len(page) < page_size:
                return

    def stream(self, kind: Kind | str, task_id: str) -> Iterator[Task]:
        """Yield Task updates until the task ends; a dropped stream is resumed."""
        kind = Kind.parse(kind)
        url = self._task_url(kind, task_id, "stream")

        def open_stream() -> requests.Response:
            # the deadline covers connecting and the headers; sse.follow bounds the stream itself
            return self._request("GET", url, headers={"Accept": "text/event-stream", "Accept-Encoding": "identity"},
                                 stream=True)

        return sse.follow(
            open_stream,
            lambda: self.get(kind, task_id),
            policy=self.policy,
            max_reconnects=self.stream_reconnects,
        )

    def wait(self, kind: Kind | str, task_id: str, *, on_update: Callable[[Task], None] | None = None) -> Task:
        """Follow the task to its end; return it if it SUCCEEDED, else raise TaskFailedError."""
        last: Task | None = None
        for last in self.stream(kind, task_id):
            if on_update:
                on_update(last)
        if last is None:
            last = self.get(kind, task_id)
        if not last.succeeded:
            raise TaskFailedError(last.error_message or f"The task ended as {last.status}", last.task_error, last)
        return last

    def balance(self) -> int:
        """The account's credit balance."""
        data = self._json(self._request("GET", self._url("balance")))
        value = data.get("balance") if isinstance(data, dict) else None
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                value = None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise BadResponseError("Meshy's balance answer did not contain a number")
        return int(value)

    def download(
        self,
        url: str,
        dest: str | Path,
        *,
        expected_size: int | None = None,
        refresh: Callable[[], str | None] | None = None,
    ) -> Path:
        """Download a result file atomically; see :func:`client.downloads.download`.

        The API key is not sent: result URLs are signed and may live on another host.
        """
        return downloads.download(
            self.session,
            url,
            dest,
            expected_size=expected_size,
            refresh=refresh,
            policy=self.policy,
            timeout=self.timeout,
            limits=self.limits,
            floor_seconds=self._call_seconds(),
        )


def _is_task_id(value: str) -> bool:
    try:
        checks.check_task_id("task_id", value)
    except ValidationError:
        return False
    return True


__all__ = ["AUTO", "DEFAULT_BASE_URL", "MeshyClient", "never_sent", "redact"]
