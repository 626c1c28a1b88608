"""Following a task over Server-Sent Events, bounded and resilient to dropped streams.

sseclient-py parses the stream (``event``/``data`` fields, ``:`` comments,
CR, LF or CRLF line ends); :class:`BoundedSource` feeds it whole events only,
so that every limit is ours: an event larger than ``max_event_bytes``, bytes
that trickle in without ever completing a line for ``max_stall`` seconds, or
nothing but keep-alive comments for ``max_quiet`` seconds is a drop, never a
hang or unbounded memory. (Overall request deadlines exempt streams; these
bounds are theirs.)

Updates while PENDING or IN_PROGRESS may be partial (id, progress, status)
or whole task objects; both are merged into the last full task. A stream that
ends before a terminal status, breaks, hits a limit or sends an ``event:
error`` that is not a 404 or a refused key is resumed: GET the task (it may
have finished meanwhile), then open the stream again, a bounded number of
times in a row.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import requests
import sseclient
import urllib3

from .errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    StreamError,
    clean_server_message,
    error_for_status,
)
from .retry import RetryPolicy
from .tasks import Task

log = logging.getLogger("meshy")


@dataclass(frozen=True)
class StreamLimits:
    """Bounds on one stream connection; past any of them the stream counts as dropped.

    A whole task object is a few kilobytes, so 1 MiB is far above any real
    event. Meshy sends progress every few seconds while a task runs and a
    keep-alive comment in quiet spells; five minutes of comments only, or a
    minute in which bytes arrive but no line completes, means the connection
    is no longer doing its job: a GET and a fresh stream are cheaper than waiting.
    """

    max_event_bytes: int = 1 << 20
    max_quiet: float = 300.0
    max_stall: float = 60.0


#: Used when ``follow`` is given no limits (tests may replace it).
DEFAULT_LIMITS = StreamLimits()


class StreamDropped(Exception):
    """The stream broke one of the limits, or reported a passing server-side error."""


#: Exceptions that mean "the stream broke", not "the task is bad". The body is read from
#: urllib3 directly (``read1``), so its own errors (a read timeout, a cut chunk) come unwrapped.
DROP_ERRORS: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    urllib3.exceptions.HTTPError,
    OSError,  # ConnectionError, TimeoutError, socket errors
    StreamDropped,
)


@dataclass(frozen=True)
class Event:
    """One dispatched event: its type (``message`` by default) and its data."""

    event: str
    data: str


def chunks_of(resp: requests.Response) -> Iterator[bytes]:
    """The body's bytes as they arrive.

    ``iter_content`` cannot do this: with no chunk size it waits for the whole
    body when a server sends neither a length nor chunks (a stream closed by
    the server), and with a small one it blocks until that many bytes came.
    ``read1`` returns whatever has arrived, chunked or not.
    """
    raw = resp.raw
    read1 = getattr(raw, "read1", None)  # urllib3 2: decodes chunks and content
    if read1 is None:  # urllib3 1.x: the http.client response underneath (identity encoding asked)
        read1 = getattr(getattr(raw, "_fp", None), "read1", None)
    if read1 is None:
        yield from resp.iter_content(chunk_size=1)
        return
    while True:
        chunk = read1(65536)
        if not chunk:
            return
        yield chunk


#: What ends an event (a blank line), as sseclient-py recognises it.
_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")
_BOM = b"\xef\xbb\xbf"


class BoundedSource:
    """The bytes of a stream handed to sseclient-py one whole event at a time, within ``limits``.

    sseclient-py parses events but keeps whatever arrives until a blank line,
    without bound and without a clock. Here bytes wait until their event is
    complete, so an event over ``max_event_bytes``, a trickle that completes no
    line for ``max_stall`` seconds, or ``max_quiet`` seconds without an event
    that counts (``mark_event``) raises :class:`StreamDropped` instead. An
    event cut off by the end of the stream is never handed on.
    """

    def __init__(self, chunks: Iterable[bytes], limits: StreamLimits,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._chunks = chunks
        self._limits = limits
        self._clock = clock
        self._last_event = clock()

    def mark_event(self) -> None:
        """An event that shows the task is alive arrived (not a keep-alive or a ping)."""
        self._last_event = self._clock()

    def __iter__(self) -> Iterator[bytes]:
        limits, clock = self._limits, self._clock
        pending = b""
        last_line = clock()
        first = True
        for chunk in self._chunks:
            if first and chunk:
                chunk, first = chunk.removeprefix(_BOM), False
            now = clock()
            if b"\n" in chunk or b"\r" in chunk:
                last_line = now
            pending += chunk
            done = 0
            for match in _EVENT_END.finditer(pending):
                if match.start() - done > limits.max_event_bytes:
                    raise StreamDropped(f"an event grew past {limits.max_event_bytes} bytes")
                done = match.end()
            if len(pending) - done > limits.max_event_bytes:
                raise StreamDropped(f"an event grew past {limits.max_event_bytes} bytes")
            if done:
                yield pending[:done]
                pending = pending[done:]
            if now - last_line > limits.max_stall:
                raise StreamDropped(f"no complete line for {limits.max_stall:g} s (bytes trickling in)")
            if now - self._last_event > limits.max_quiet:
                raise StreamDropped(f"nothing but keep-alives for {limits.max_quiet:g} s")

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def events(chunks: Iterable[bytes], limits: StreamLimits | None = None,
           clock: Callable[[], float] = time.monotonic) -> Iterator[Event]:
    """Parse an event stream with sseclient-py, within ``limits``; a broken limit raises StreamDropped."""
    source = BoundedSource(chunks, limits or DEFAULT_LIMITS, clock)
    for event in sseclient.SSEClient(source).events():
        if event.event in ("message", "error"):
            source.mark_event()
        yield Event(event.event, event.data)


def parse_json(text: str) -> object:
    """json.loads that forgives the trailing commas seen in Meshy's own examples."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        import re

        return json.loads(re.sub(r",\s*([}\]])", r"\1", text))


def error_event(data: str) -> Exception:
    """The exception for an ``event: error``: 404 NotFoundError, 401/403 the key's error, else StreamError."""
    try:
        body = parse_json(data)
    except (ValueError, TypeError, RecursionError):
        body = {"message": data}
    if not isinstance(body, dict):
        body = {"message": str(body)}
    status = body.get("status_code") or body.get("status")
    message = clean_server_message(body.get("message") or "")
    try:
        status = int(status) if status is not None else None
    except (TypeError, ValueError, OverflowError):
        status = None
    if status in (401, 403, 404):
        exc = error_for_status(status, message)
        if isinstance(exc, (NotFoundError, AuthenticationError, PermissionDeniedError)):
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
    limits: StreamLimits | None = None,
) -> Iterator[Task]:
    """Yield Task updates until a terminal status.

    ``open_stream`` returns an open streaming response (HTTP errors already
    raised); ``get_task`` GETs the task. ``max_reconnects`` bounds consecutive
    drops without news; ``max_total_reconnects`` bounds all of them. A 404 or
    a refused key raises at once; other trouble is a drop.
    """
    last: Task | None = None
    drops = 0
    total = 0
    while True:
        got_news = False
        try:
            resp = open_stream()
            try:
                for event in events(chunks_of(resp), limits or DEFAULT_LIMITS):
                    if event.event == "error":
                        exc = error_event(event.data)
                        if isinstance(exc, StreamError):
                            raise StreamDropped(exc.message)
                        raise exc
                    if event.event != "message":
                        continue
                    try:
                        data = parse_json(event.data)
                    except (ValueError, RecursionError):
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
                resp.close()
        except DROP_ERRORS as exc:
            log.info("progress stream broke (%s: %s); resuming", type(exc).__name__, clean_server_message(exc, 120))
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
