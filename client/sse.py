"""Following a task over Server-Sent Events, resilient to dropped streams.

sseclient-py parses the stream (and skips ``:`` keep-alive comments). Updates
while PENDING or IN_PROGRESS are partial (id, progress, status) and are merged
into the last full task. A stream that ends before a terminal status, or
breaks, is resumed: GET the task (it may have finished meanwhile), then open
the stream again, a bounded number of times in a row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

import requests
import sseclient

from .errors import NotFoundError, StreamError, clean_server_message, error_for_status
from .retry import RetryPolicy
from .tasks import Task

log = logging.getLogger("meshy")

#: Exceptions that mean "the stream broke", not "the task is bad".
DROP_ERRORS: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    ConnectionError,
    TimeoutError,
)


class _Source:
    """Feed sseclient the bytes as they arrive and let it close.

    ``iter_content`` cannot do this: with no chunk size it waits for the whole
    body when a server sends neither a length nor chunks (a stream closed by
    the server), and with a small one it blocks until that many bytes came.
    ``read1`` returns whatever has arrived, chunked or not.
    """

    def __init__(self, resp: requests.Response) -> None:
        self._resp = resp

    def __iter__(self) -> Iterator[bytes]:
        raw = self._resp.raw
        read1 = getattr(raw, "read1", None)  # urllib3 2: decodes chunks and content
        if read1 is None:  # urllib3 1.x: the http.client response underneath (identity encoding asked)
            read1 = getattr(getattr(raw, "_fp", None), "read1", None)
        if read1 is None:
            yield from self._resp.iter_content(chunk_size=1)
            return
        while True:
            chunk = read1(65536)
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        self._resp.close()


def parse_json(text: str) -> object:
    """json.loads that forgives the trailing commas seen in Meshy's own examples."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        import re

        return json.loads(re.sub(r",\s*([}\]])", r"\1", text))


def error_event(data: str) -> Exception:
    """The exception for an ``event: error`` (404 -> NotFoundError, else StreamError)."""
    try:
        body = parse_json(data)
    except (ValueError, TypeError):
        body = {"message": data}
    if not isinstance(body, dict):
        body = {"message": str(body)}
    status = body.get("status_code") or body.get("status")
    message = clean_server_message(body.get("message") or "")
    try:
        status = int(status) if status is not None else None
    except (TypeError, ValueError):
        status = None
    if status == 404:
        return error_for_status(404, message)
    if status is not None and status >= 400 and status != 500:
        exc = error_for_status(status, message)
        if isinstance(exc, NotFoundError):
            return exc
    detail = f": {message}" if message else ""
    return StreamError(f"Meshy's progress stream reported an error{detail}", status)


def follow(
    open_stream: Callable[[], requests.Response],
    get_task: Callable[[], Task],
    *,
    policy: RetryPolicy,
    max_reconnects: int = 5,
    max_total_reconnects: int = 200,
) -> Iterator[Task]:
    """Yield Task updates until a terminal status.

    ``open_stream`` returns an open streaming response (HTTP errors already
    raised); ``get_task`` GETs the task. ``max_reconnects`` bounds consecutive
    drops without news; ``max_total_reconnects`` bounds all of them.
    """
    last: Task | None = None
    drops = 0
    total = 0
    while True:
        got_news = False
        try:
            resp = open_stream()
            client = sseclient.SSEClient(_Source(resp))
            try:
                for event in client.events():
                    if event.event == "error":
                        raise error_event(event.data)
                    if event.event != "message":
                        continue
                    try:
                        data = parse_json(event.data)
                    except ValueError:
                        log.debug("stream sent a message that is not JSON; treating it as a drop")
                        break
                    if not isinstance(data, dict):
                        continue
                    task = last.merged(data) if last is not None else Task.from_json(data)
                    last, got_news = task, True
                    yield task
                    if task.is_terminal:
                        if not task.is_complete:
                            # a partial terminal update: fetch the whole object once
                            full = get_task()
                            if full.raw != task.raw:
                                yield full
                        return
            finally:
                client.close()
        except DROP_ERRORS as exc:
            log.info("progress stream broke (%s); resuming", type(exc).__name__)
        # The stream ended (or broke) before a terminal status: resume.
        drops = 0 if got_news else drops + 1
        total += 1
        if drops > max_reconnects or total > max_total_reconnects:
            raise StreamError("Meshy's progress stream kept dropping before the task finished")
        policy.wait(max(1, drops))
        task = get_task()
        if last is None or task.raw != last.raw:
            last = task
            yield task
        if task.is_terminal:
            return
