"""The exception hierarchy of the Meshy client.

Every exception carries ``.message``: one sentence a person understands, which
is also ``str(exc)``.  No message, repr or attribute ever holds the API key:
server text is passed through :func:`redact` before it is stored.
"""

from __future__ import annotations

import re
import threading
from typing import Any

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s,;\"']+")
_MSY_KEY = re.compile(r"msy_[A-Za-z0-9_\-]{6,}")


def register_secret(secret: str | None) -> None:
    """Remember a secret (the API key) so that :func:`redact` hides it everywhere."""
    if secret and len(secret) >= 4:
        with _SECRETS_LOCK:
            _SECRETS.add(secret)


def redact(text: Any) -> str:
    """Return ``text`` as a string with API keys and bearer tokens replaced by ``***``."""
    s = "" if text is None else str(text)
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        if secret in s:
            s = s.replace(secret, "***")
    s = _BEARER.sub(r"\1***", s)
    return _MSY_KEY.sub("msy_***", s)


def redact_data(value: Any, depth: int = 0) -> Any:
    """A copy of parsed JSON (dicts, lists, strings) with every key and string redacted."""
    if isinstance(value, str):
        return redact(value)
    if depth > 50:
        return None
    if isinstance(value, dict):
        return {redact(k) if isinstance(k, str) else k: redact_data(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v, depth + 1) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact(value)


def sentence(*parts: str) -> str:
    """Join parts into one sentence that ends with exactly one full stop."""
    text = " ".join(p.strip() for p in parts if p and p.strip())
    text = text.rstrip(" .")
    return text + "." if text else ""


def clean_server_message(message: Any, limit: int = 300) -> str:
    """Make a server message safe and short enough to embed in one sentence."""
    s = redact(message).strip().replace("\n", " ")
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s.rstrip(" .")


class MeshyError(Exception):
    """Base class of every error raised by the client.

    ``maybe_sent`` is false unless the error came after a create request may have reached Meshy
    (so the task may exist): every error raised before sending says "nothing was sent".
    """

    maybe_sent: bool = False

    def __init__(self, message: str) -> None:
        self.message = sentence(redact(message))
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ValidationError(MeshyError, ValueError):
    """A request broke a rule of the API; found locally, before any network call."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class APIError(MeshyError):
    """Meshy answered with an HTTP error status."""

    status: int = 0

    def __init__(
        self,
        message: str,
        status: int | None = None,
        *,
        server_message: str = "",
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        self.server_message = clean_server_message(server_message)
        self.retry_after = retry_after
        # the server's own body: it may echo the request (headers included), so it is redacted too
        self.body = redact_data(body) if isinstance(body, (dict, list, str)) else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, message={self.message!r})"


class BadRequestError(APIError):
    status = 400


class AuthenticationError(APIError):
    status = 401


class InsufficientCreditsError(APIError):
    status = 402


class PermissionDeniedError(APIError):
    status = 403


class NotFoundError(APIError):
    status = 404


class UnprocessableError(APIError):
    status = 422


class RateLimitError(APIError):
    """429 ``RateLimitExceeded``: too many requests per second."""

    status = 429


class QueueFullError(RateLimitError):
    """429 ``NoMoreConcurrentTasks``: the account's queue of unfinished tasks is full."""


class ServerError(APIError):
    """A 5xx answer: Meshy's side failed."""

    status = 500


class ConnectionFailedError(MeshyError):
    """The connection could not be made or broke.

    ``maybe_sent`` is true when a create request may have reached Meshy, so the
    task may exist even though no id came back.
    """

    def __init__(self, message: str, *, maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


class RequestTimeoutError(MeshyError):
    """Meshy did not answer in time (``maybe_sent`` when a create may have reached it)."""

    def __init__(self, message: str, *, maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


TimeoutError_ = RequestTimeoutError


class StreamError(MeshyError):
    """The progress stream sent an ``event: error`` or kept dropping."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class DownloadError(MeshyError):
    """A result file could not be downloaded completely."""


class BadResponseError(MeshyError):
    """Meshy's answer could not be read: HTML, invalid JSON, the wrong shape, cut short or too large.

    For a GET this is transient (a proxy's error page, a deploy): follow again later.
    For a create it means the task may exist (``maybe_sent``): look for it, never resend.
    """

    def __init__(self, message: str, *, maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


class JournalError(MeshyError):
    """The task journal could not be read or written (``disk_full`` when the disk is full)."""

    def __init__(self, message: str, *, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full


class TaskFailedError(MeshyError):
    """A task ended FAILED or CANCELED; ``task_error`` holds Meshy's explanation."""

    def __init__(self, message: str, task_error: Any = None, task: Any = None) -> None:
        super().__init__(message)
        self.task_error = task_error
        self.task = task


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableError,
    429: RateLimitError,
}


def _describe(status: int, server: str, queue_full: bool) -> str:
    detail = f": {server}" if server else ""
    if status == 400:
        return f"Meshy rejected the request as invalid{detail}"
    if status == 401:
        return "Meshy did not accept the API key, so check the key in the add-on preferences"
    if status == 402:
        return "Your Meshy account does not have enough credits for this task"
    if status == 403:
        return f"Meshy refused access to this resource{detail}"
    if status == 404:
        return "Meshy could not find that task; it may have been deleted or may have expired"
    if status == 422:
        return f"Meshy could not process the request{detail}"
    if status == 429 and queue_full:
        return "Your Meshy account already has as many unfinished tasks as it allows, so wait for some to finish"
    if status == 429:
        return "Too many requests were sent to Meshy in a short time, so slow down and try again"
    if status >= 500:
        return f"Meshy had a server error (HTTP {status}), so try again later"
    return f"Meshy answered with HTTP {status}{detail}"


def error_for_status(
    status: int, server_message: Any = "", *, retry_after: float | None = None, body: Any = None
) -> APIError:
    """Build the exception for an HTTP error answer; 429 flavours are told apart by the message."""
    server = clean_server_message(server_message)
    queue_full = status == 429 and "nomoreconcurrenttasks" in server.lower().replace(" ", "")
    if queue_full:
        cls: type[APIError] = QueueFullError
    elif status >= 500:
        cls = ServerError
    else:
        cls = _BY_STATUS.get(status, APIError)
    return cls(
        _describe(status, server, queue_full),
        status,
        server_message=server,
        retry_after=retry_after,
        body=body,
    )
