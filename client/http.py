"""MeshyClient: the four Meshy APIs over requests, with careful retries.

Retry rules (see DESIGN.md): GETs, lists, streams and downloads retry
connection errors, timeouts, 429 and 5xx with jittered exponential backoff,
honouring ``Retry-After``. A create POST is retried only when it provably
never reached the server (connection refused or connect timeout, before any
byte was sent) or on 429; never after a 5xx, a reset or a read timeout,
because the task may exist and a second POST would pay twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

from . import downloads, sse
from .errors import (
    BadResponseError,
    ConnectionFailedError,
    MeshyError,
    QueueFullError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ValidationError,
    error_for_status,
    redact,
    register_secret,
)
from .models import REQUEST_TYPES, Kind, Request
from .retry import RetryPolicy, parse_retry_after
from .tasks import Task
from .uploads import build_upload_body

log = logging.getLogger("meshy")

DEFAULT_BASE_URL = "https://api.meshy.ai"
API_PREFIX = "/openapi/v1"
USER_AGENT = "meshy-tools-blender/0.1"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_PAGE_SIZE = 50


def never_sent(exc: BaseException) -> bool:
    """True when a requests error proves the request never reached the server.

    That is a failure to open the connection (refused, unreachable, DNS, or a
    connect timeout); a reset, a read error or a read timeout may have come
    after the server received the request.
    """
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return False
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen or not isinstance(e, BaseException):
            continue
        seen.add(id(e))
        name = type(e).__name__
        if name in ("NewConnectionError", "NameResolutionError") or isinstance(e, ConnectionRefusedError):
            return True
        if name in ("ProtocolError", "ReadTimeoutError", "RemoteDisconnected") or isinstance(
            e, (ConnectionResetError, BrokenPipeError)
        ):
            return False
        stack.extend([getattr(e, "reason", None), e.__cause__, e.__context__])
        stack.extend(a for a in e.args if isinstance(a, BaseException))
    return False


def _server_message(resp: requests.Response) -> tuple[str, Any]:
    try:
        body = sse.parse_json(resp.text)
    except (ValueError, TypeError):
        return resp.text[:300], None
    if isinstance(body, dict):
        msg = body.get("message") or body.get("error") or body.get("detail") or ""
        return str(msg), body
    return str(body)[:300], body


class MeshyClient:
    """One Meshy account. Safe to share between threads (a requests.Session per thread)."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float | tuple[float, float] = (10, 60),
        max_retries: int = 5,
        proxies: dict | None = None,
        verify: bool | str = True,
        user_agent: str | None = None,
        retry_policy: RetryPolicy | None = None,
        stream_reconnects: int = 5,
    ) -> None:
        if not api_key or not isinstance(api_key, str):
            raise ValidationError("An API key is needed to talk to Meshy", "api_key")
        register_secret(api_key)
        self._api_key = api_key
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self.proxies = proxies
        self.verify = verify
        self.user_agent = user_agent or USER_AGENT
        self.stream_reconnects = stream_reconnects
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        #: server clock minus ours in seconds, from the last answer's Date header (0 until one came)
        self.clock_offset = 0.0

    def __repr__(self) -> str:
        return f"MeshyClient(base_url={self.base_url!r}, api_key='***')"

    # ------------------------------------------------------------------ plumbing

    @property
    def session(self) -> requests.Session:
        """This thread's session (connection pooling without sharing across threads)."""
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.headers["User-Agent"] = self.user_agent
            if self.proxies:
                s.proxies.update(self.proxies)
            s.verify = self.verify
            self._local.session = s
            with self._lock:
                self._sessions.append(s)
        return s

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for s in sessions:
            s.close()
        self._local = threading.local()

    def __enter__(self) -> MeshyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _url(self, *parts: str) -> str:
        return self.base_url + API_PREFIX + "".join("/" + str(p).strip("/") for p in parts)

    def _headers(self, extra: dict | None = None) -> dict:
        h = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"}
        if extra:
            h.update(extra)
        return h

    def _read_timeout(self) -> float:
        return self.timeout[1] if isinstance(self.timeout, tuple) else float(self.timeout)

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        headers: dict | None = None,
        stream: bool = False,
        body_factory: Callable[[], tuple[Any, int]] | None = None,
        create: bool = False,
        retry_queue_full: bool = True,
    ) -> requests.Response:
        """Send one logical request, retrying as the rules allow; raise a MeshyError."""
        path = urlparse(url).path
        attempt = 0
        queue_full_tries = 0
        while True:
            hdrs = self._headers(headers)
            data = None
            if body_factory is not None:
                data, length = body_factory()
                hdrs["Content-Type"] = "application/json"
                hdrs["Content-Length"] = str(length)
            started = time.monotonic()
            retry_after: float | None = None
            try:
                resp = self.session.request(
                    method, url, params=params, headers=hdrs, data=data, stream=stream, timeout=self.timeout
                )
            except requests.RequestException as exc:
                safe = not create or never_sent(exc)
                err = self._network_error(exc, create=create, safe=safe)
                if not safe:
                    raise err from None
                failure: MeshyError = err
            else:
                elapsed = time.monotonic() - started
                self._note_clock(resp)
                log.debug("%s %s -> %s in %.3fs", method, path, resp.status_code, elapsed)
                if resp.status_code < 400:
                    return resp
                try:
                    message, body = _server_message(resp)
                finally:
                    resp.close()
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                failure = error_for_status(resp.status_code, message, retry_after=retry_after, body=body)
                if isinstance(failure, QueueFullError) and create:
                    if not retry_queue_full or queue_full_tries >= self.policy.queue_full_retries:
                        raise failure from None
                    queue_full_tries += 1
                elif isinstance(failure, RateLimitError):
                    pass
                elif create or resp.status_code not in RETRY_STATUSES:
                    # a create that got a 5xx may have made the task: never resend
                    if create and isinstance(failure, ServerError):
                        failure.maybe_sent = True
                    raise failure from None
            attempt += 1
            if attempt > self.policy.max_retries:
                raise failure from None
            waited = self.policy.delay(attempt, retry_after)
            log.info("%s %s failed (%s); retry %d in %.2fs", method, path, failure.message, attempt, waited)
            if waited > 0:
                self.policy.sleep(waited)

    def _network_error(self, exc: requests.RequestException, *, create: bool, safe: bool) -> MeshyError:
        host = urlparse(self.base_url).netloc
        if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.exceptions.ConnectTimeout):
            if create:
                return RequestTimeoutError(
                    f"Meshy did not answer within {self._read_timeout():g} seconds after the request was sent, "
                    "so the task may or may not have been created",
                    maybe_sent=True,
                )
            return RequestTimeoutError(f"Meshy did not answer within {self._read_timeout():g} seconds")
        if safe and never_sent(exc):
            return ConnectionFailedError(f"Could not connect to Meshy at {host}, so check the network connection")
        if create:
            return ConnectionFailedError(
                "The connection to Meshy broke after the request was sent, "
                "so the task may or may not have been created",
                maybe_sent=True,
            )
        return ConnectionFailedError(f"The connection to Meshy at {host} broke ({type(exc).__name__})")

    def _json(self, resp: requests.Response, *, create: bool = False) -> Any:
        try:
            return sse.parse_json(resp.text)
        except ValueError:
            raise BadResponseError(
                f"Meshy sent an answer that is not valid JSON (HTTP {resp.status_code})", maybe_sent=create
            ) from None
        finally:
            resp.close()

    def _note_clock(self, resp: requests.Response) -> None:
        """Keep the server's clock offset (its ``Date`` header), to place its timestamps on ours."""
        value = resp.headers.get("Date")
        if not value:
            return
        try:
            server = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return
        self.clock_offset = server - time.time()

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
                raise ValidationError(
                    f"A {type(request).__name__} cannot be sent to {kind.value}; "
                    f"use {REQUEST_TYPES[kind].__name__}"
                )
            if validate:
                request.validate()
            payload = request.to_payload()
        build_upload_body(payload)  # fail early (missing file) before any network call
        resp = self._request(
            "POST",
            self._url(kind.value),
            body_factory=lambda: build_upload_body(payload),
            create=True,
            retry_queue_full=retry_queue_full,
        )
        data = self._json(resp, create=True)
        task_id = data.get("result") if isinstance(data, dict) else None
        if not isinstance(task_id, str) or not task_id:
            raise BadResponseError("Meshy accepted the create call but sent back no task id", maybe_sent=True)
        log.info("created %s task %s", kind.value, task_id)
        return task_id

    def get(self, kind: Kind | str, task_id: str) -> Task:
        """The task as it is now."""
        kind = Kind.parse(kind)
        data = self._json(self._request("GET", self._url(kind.value, task_id)))
        if not isinstance(data, dict):
            raise BadResponseError("Meshy sent something other than a task object")
        return Task.from_json(data)

    def delete(self, kind: Kind | str, task_id: str) -> None:
        """Delete the task and its results on Meshy (irreversible)."""
        kind = Kind.parse(kind)
        self._request("DELETE", self._url(kind.value, task_id)).close()

    def list_page(
        self, kind: Kind | str, page_num: int = 1, page_size: int = 10, sort_by: str = "-created_at"
    ) -> list[Task]:
        """One page of tasks (``page_num`` from 1, ``page_size`` up to 50)."""
        kind = Kind.parse(kind)
        if not isinstance(page_num, int) or isinstance(page_num, bool) or page_num < 1:
            raise ValidationError("page_num must be a whole number from 1 up", "page_num")
        if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValidationError(f"page_size must be between 1 and {MAX_PAGE_SIZE}", "page_size")
        if sort_by not in ("+created_at", "-created_at"):
            raise ValidationError("sort_by must be '+created_at' or '-created_at'", "sort_by")
        params = {"page_num": page_num, "page_size": page_size, "sort_by": sort_by}
        data = self._json(self._request("GET", self._url(kind.value), params=params))
        if isinstance(data, dict):  # tolerate a wrapped list
            data = data.get("result") or data.get("data") or data.get("tasks") or []
        if not isinstance(data, list):
            raise BadResponseError("Meshy sent something other than a list of tasks")
        return [Task.from_json(t) for t in data if isinstance(t, dict)]

    def list(
        self, kind: Kind | str, page_size: int = MAX_PAGE_SIZE, sort_by: str = "-created_at", max_pages: int = 1000
    ) -> Iterator[Task]:
        """Every task of ``kind``, page after page (newest first by default)."""
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
        url = self._url(kind.value, task_id, "stream")

        def open_stream() -> requests.Response:
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
        from .errors import TaskFailedError

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
        try:
            return int(data["balance"])
        except (TypeError, KeyError, ValueError):
            raise BadResponseError("Meshy's balance answer did not contain a number") from None

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
        )


__all__ = ["MeshyClient", "never_sent", "redact"]
