"""Sending one logical API request: the client's settings, its sessions, retries, deadlines, caps.

Retry rules (see DESIGN.md): GETs, lists, streams and downloads retry
connection errors, timeouts, 429 and 5xx with jittered exponential backoff,
honouring ``Retry-After``. A create POST is retried only when it provably
never reached the server (connection refused or connect timeout, before any
byte was sent) or on 429; never after a 5xx, a reset or a read timeout,
because the task may exist and a second POST would pay twice. An attempt whose
overall deadline passed is not retried either: the caller decides when to try again.

Nothing reachable from a raised error holds the API key: errors are raised
outside ``except`` blocks (no ``__context__``), they keep no requests object,
and the Authorization header is dropped from every PreparedRequest once sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import requests

from . import checks, sse, transport
from .errors import (
    APIError,
    BadResponseError,
    ConnectionFailedError,
    MeshyError,
    QueueFullError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ValidationError,
    error_for_status,
    register_secret,
)
from .logs import get_logger
from .retry import RetryPolicy, parse_retry_after
from .transport import Limits

log = get_logger("meshy")

DEFAULT_BASE_URL = "https://api.meshy.ai"
API_PREFIX = "/openapi/v1"
USER_AGENT = "meshy-tools-blender/0.1"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


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


def _server_message(content: bytes) -> tuple[str, Any]:
    """The message and parsed body of an error answer (already capped)."""
    text = content.decode("utf-8", "replace")
    try:
        body = sse.parse_json(text)
    except (ValueError, TypeError, RecursionError):
        return text[:300], None
    if isinstance(body, dict):
        msg = body.get("message") or body.get("error") or body.get("detail") or ""
        return str(msg), body
    return str(body)[:300], body


class _Outcome(NamedTuple):
    """One attempt: the response, or the error to raise or retry (``final``: never retry it)."""

    resp: requests.Response | None = None
    failure: MeshyError | None = None
    final: bool = False
    retry_after: float | None = None


#: ``_request(deadline=AUTO)``: the call's own bound (see :class:`client.transport.Limits`)
AUTO: Any = object()


class Connection:
    """One Meshy account's settings and sessions; :class:`client.http.MeshyClient` adds the API.

    Safe to share between threads (a requests.Session per thread).

    Every setting is checked here, so a bad one is one sentence before any request: a base URL
    that is not an http(s) URL, plain http to anything but this machine (the key would travel
    in clear), a timeout that is not a positive number, a negative retry count.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str | None = DEFAULT_BASE_URL,
        *,
        timeout: float | tuple[float, float] = (10, 60),
        max_retries: int = 5,
        proxies: dict | None = None,
        verify: bool | str = True,
        user_agent: str | None = None,
        retry_policy: RetryPolicy | None = None,
        stream_reconnects: int = 5,
        limits: Limits | None = None,
    ) -> None:
        self._api_key = checks.check_api_key(api_key)
        register_secret(api_key)
        self.base_url = checks.check_base_url(base_url or DEFAULT_BASE_URL)
        self.timeout = checks.check_timeout(timeout)
        checks.check_count("max_retries", max_retries)
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise ValidationError("retry_policy must be a RetryPolicy", "retry_policy")
        if limits is not None and not isinstance(limits, Limits):
            raise ValidationError("limits must be a client.transport.Limits", "limits")
        self.policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self.limits = limits or Limits()
        self.proxies = checks.check_proxies(proxies)
        self.verify = checks.check_verify(verify)
        self.user_agent = checks.check_header_text("user_agent", user_agent or USER_AGENT)
        self.stream_reconnects = checks.check_count("stream_reconnects", stream_reconnects)
        # this machine is reached directly: a proxy could not reach it, and would read the key in clear
        self._direct = checks.is_loopback(urlsplit(self.base_url).hostname)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        #: server clock minus ours in seconds, from the last answer's Date header (0 until one came)
        self.clock_offset = 0.0
        #: True once an answer carried a usable Date header (the offset is then measured, not assumed)
        self.clock_known = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key='***')"

    # ------------------------------------------------------------------ plumbing

    @property
    def session(self) -> requests.Session:
        """This thread's session (connection pooling without sharing across threads)."""
        s = getattr(self._local, "session", None)
        if s is None:
            s = transport.mount(requests.Session())
            s.headers["User-Agent"] = self.user_agent
            if self._direct:
                s.trust_env = False  # no proxy from the environment either
            elif self.proxies:
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

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _url(self, *parts: str) -> str:
        """The URL of a v1 API path of our own (``balance``); a kind's calls use its own ``Kind.path``."""
        return self.base_url + API_PREFIX + "".join("/" + p for p in parts)

    def _headers(self, extra: dict | None = None) -> dict:
        h = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"}
        if extra:
            h.update(extra)
        return h

    def _read_timeout(self) -> float:
        return self.timeout[1] if isinstance(self.timeout, tuple) else float(self.timeout)

    def _call_seconds(self) -> float:
        """The overall bound of one API call (see Limits.call_seconds)."""
        if self.limits.call_seconds is not None:
            return float(self.limits.call_seconds)
        t = self.timeout
        return float(t[0] + t[1]) if isinstance(t, tuple) else 2 * float(t)

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
        deadline: float | None = AUTO,
    ) -> requests.Response:
        """Send one logical request, retrying as the rules allow; raise a MeshyError.

        ``deadline`` bounds each attempt in seconds: ``AUTO`` is the call's own bound (a fixed one,
        plus the upload time of a create's body), ``None`` none at all. With ``stream=False`` the
        body is read inside the deadline, capped at ``Limits.max_json_bytes``, and kept in
        ``resp.content``; with ``stream=True`` the deadline covers the headers only and the caller
        bounds the body (SSE). Errors are raised outside any ``except`` block and carry no chain
        to a requests object, so nothing reachable from them holds the Authorization header.
        """
        path = urlsplit(url).path
        attempt = 0
        queue_full_tries = 0
        while True:
            outcome = self._attempt(method, url, params, headers, stream, body_factory, create, deadline)
            failure, final = outcome.failure, outcome.final
            if failure is None and outcome.resp is not None:
                return outcome.resp
            assert failure is not None
            if not final and isinstance(failure, APIError):
                if isinstance(failure, QueueFullError) and create:
                    final = not retry_queue_full or queue_full_tries >= self.policy.queue_full_retries
                    queue_full_tries += 1
                elif isinstance(failure, RateLimitError):
                    pass
                elif create or failure.status not in RETRY_STATUSES:
                    # a create that got a 5xx may have made the task: never resend
                    if create and isinstance(failure, ServerError):
                        failure.maybe_sent = True
                    final = True
            attempt += 1
            if final or attempt > self.policy.max_retries:
                raise failure
            waited = self.policy.delay(attempt, outcome.retry_after)
            log.info("%s %s failed (%s); retry %d in %.2fs", method, path, failure.message, attempt, waited)
            if waited > 0:
                self.policy.sleep(waited)

    def _attempt(
        self,
        method: str,
        url: str,
        params: dict | None,
        headers: dict | None,
        stream: bool,
        body_factory: Callable[[], tuple[Any, int]] | None,
        create: bool,
        deadline: float | None,
    ) -> _Outcome:
        extra = dict(headers or {})
        data, length = None, 0
        if body_factory is not None:
            data, length = body_factory()
            extra["Content-Type"] = "application/json"
            extra["Content-Length"] = str(length)
        if deadline is AUTO:
            deadline = self._call_seconds() + length / self.limits.upload_rate
        started = time.monotonic()
        with transport.WATCHDOG.deadline(deadline) as limit:
            try:
                # verify per request: requests lets REQUESTS_CA_BUNDLE override the session's own
                resp = self.session.request(
                    method, url, params=params, headers=self._headers(extra), data=data, stream=True,
                    timeout=self.timeout, verify=self.verify,
                )
            except requests.RequestException as exc:
                transport.scrub(exc)
                return self._failed(exc, create, limit)
            transport.scrub(resp)
            self._note_clock(resp)
            status = resp.status_code
            log.debug("%s %s -> %s in %.3fs", method, urlsplit(url).path, status, time.monotonic() - started)
            if status < 400 and stream:
                return _Outcome(resp)
            cap = self.limits.max_json_bytes if status < 400 else self.limits.max_error_bytes
            try:
                content = transport.read_capped(resp, cap, truncate=status >= 400)
            except transport.TooLarge as big:
                resp.close()
                return _Outcome(failure=self._too_large(big.size, create), final=True)
            except requests.RequestException as exc:
                resp.close()
                transport.scrub(exc)
                return self._failed(exc, create, limit)
            resp.close()
            declared = transport.declared_length(resp)
            if limit.expired and (declared is None or declared != len(content)):
                return _Outcome(failure=self._deadline_error(limit, create), final=True)
        if status < 400:
            resp._content, resp._content_consumed = content, True  # what requests itself does after reading
            return _Outcome(resp)
        message, body = _server_message(content)
        retry_after = parse_retry_after(resp.headers.get("Retry-After"))
        failure = error_for_status(status, message, retry_after=retry_after, body=body)
        return _Outcome(failure=failure, retry_after=retry_after)

    def _failed(self, exc: requests.RequestException, create: bool, limit: transport.Deadline) -> _Outcome:
        if limit.expired:
            return _Outcome(failure=self._deadline_error(limit, create), final=True)
        safe = not create or never_sent(exc)
        return _Outcome(failure=self._network_error(exc, create=create, safe=safe), final=not safe)

    def _deadline_error(self, limit: transport.Deadline, create: bool) -> RequestTimeoutError:
        seconds = f"{limit.seconds:g}" if limit.seconds is not None else "the allowed"
        if create:
            return RequestTimeoutError(
                f"Meshy did not finish answering within {seconds} seconds after the request was sent, "
                "so the task may or may not have been created",
                maybe_sent=True,
            )
        return RequestTimeoutError(f"Meshy did not finish answering within {seconds} seconds")

    def _too_large(self, size: int, create: bool) -> BadResponseError:
        cap = self.limits.max_json_bytes
        return BadResponseError(
            f"Meshy's answer was {size:,} bytes or more, past the limit of {cap:,} bytes for an API answer, "
            "so it was not read",
            maybe_sent=create,
        )

    def _network_error(self, exc: requests.RequestException, *, create: bool, safe: bool) -> MeshyError:
        host = urlsplit(self.base_url).netloc
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
        """The parsed answer (already read and capped by ``_request``)."""
        try:
            return sse.parse_json(resp.content.decode("utf-8-sig"))
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            pass
        finally:
            resp.close()
        raise BadResponseError(
            f"Meshy sent an answer that is not valid JSON (HTTP {resp.status_code})", maybe_sent=create
        )

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
        self.clock_known = True
