"""Following a task over Server-Sent Events, bounded and resilient to dropped streams.

The stream is parsed here (the WHATWG event-stream rules: ``event``/``data``
fields, ``:`` comments, CR, LF or CRLF line ends) so that every limit is ours:
an event larger than ``max_event_bytes``, bytes that trickle in without ever
completing a line for ``max_stall`` seconds, or nothing but keep-alive
comments for ``max_quiet`` seconds is a drop, never a hang or unbounded
memory. (Overall request deadlines exempt streams; these bounds are theirs.)

Updates while PENDING or IN_PROGRESS are partial (id, progress, status) and
are merged into the last full task. A stream that ends before a terminal
status, breaks, hits a limit or sends an ``event: error`` that is not a 404 or
a refused key is resumed: GET the task (it may have finished meanwhile), then
open the stream again, a bounded number of times in a row.
"""

from __future__ import annotations

import codecs
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import requests
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


def _lines(chunks: Iterable[bytes], limits: StreamLimits, clock: Callable[[], float]) -> Iterator[str]:
    """Decoded lines (CR, LF or CRLF), bounded in length and in time between lines."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    last_line = clock()
    skip_lf = False  # a CR ended the previous chunk: a LF starting this one belongs to it
    first = True
    for chunk in chunks:
        text = decoder.decode(chunk)
        if first and text:
            text, first = text.removeprefix("\ufeff"), False
        if not text:  # half a character: nothing to split yet, but the clock runs
            if clock() - last_line > limits.max_stall:
                raise StreamDropped(f"no complete line for {limits.max_stall:g} s (bytes trickling in)")
            continue
        if skip_lf and text.startswith("\n"):
            text = text[1:]
        skip_lf = False
        pending += text
        start = 0
        cr = lf = -2  # where the next CR / LF is at or after `start` (-1: none left, -2: not looked yet)
        while True:
            if cr != -1 and cr < start:
                cr = pending.find("\r", start)
            if lf != -1 and lf < start:
                lf = pending.find("\n", start)
            cut = lf if cr < 0 else cr if lf < 0 else min(cr, lf)
            if cut < 0:
                break
            line, start = pending[start:cut], cut + 1
            if pending[cut] == "\r":
                if pending.startswith("\n", start):
                    start += 1
                elif start == len(pending):
                    skip_lf = True
            last_line = clock()
            yield line
        pending = pending[start:]
        if len(pending) > limits.max_event_bytes:
            raise StreamDropped(f"a stream line grew past {limits.max_event_bytes} bytes")
        if clock() - last_line > limits.max_stall:
            raise StreamDropped(f"no complete line for {limits.max_stall:g} s (bytes trickling in)")


def events(chunks: Iterable[bytes], limits: StreamLimits | None = None,
           clock: Callable[[], float] = time.monotonic) -> Iterator[Event]:
    """Parse an event stream into events, within ``limits``; a broken limit raises StreamDropped."""
    limits = limits or DEFAULT_LIMITS
    kind, data, size = "", [], 0
    last_event = clock()
    for line in _lines(chunks, limits, clock):
        if line == "":
            if data:
                yield Event(kind or "message", "\n".join(data))
                if (kind or "message") in ("message", "error"):
                    last_event = clock()
            kind, data, size = "", [], 0
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                kind = value
            elif name == "data":
                data.append(value)
                size += len(value) + 1
                if size > limits.max_event_bytes:
                    raise StreamDropped(f"an event grew past {limits.max_event_bytes} bytes")
        if clock() - last_event > limits.max_quiet:
            raise StreamDropped(f"nothing but keep-alives for {limits.max_quiet:g} s")


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
