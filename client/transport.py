"""Bounds on every request: an overall deadline enforced by a watchdog, and capped answer sizes.

A per-read timeout cannot bound a request: a server that sends one byte every few seconds never
lets a read time out, in the headers or in the body. So every request runs inside a
:class:`Deadline`. The session's adapter uses connection classes that register each request's
socket with the deadline of the thread that runs it (new connections as soon as TCP connects, so
a proxy's CONNECT and the TLS handshake are covered; reused ones when the request starts). One
daemon thread, the :class:`Watchdog`, shuts those sockets down when their deadline passes; the
blocked read then fails at once and the client reports a timeout. Code that reads in steps can
also check :meth:`Deadline.expired` itself, so a deadline holds even for a socket the adapter did
not see (a SOCKS proxy).

Streams (SSE) are not bounded here: ``MeshyClient`` gives them a deadline for their headers only.
"""

from __future__ import annotations

import heapq
import itertools
import math
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import ValidationError

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


@dataclass(frozen=True)
class Limits:
    """How long a request may take and how large an answer may be.

    ``call_seconds``: the whole of one API call (connect, send, headers, body); ``None`` means the
    connect plus the read timeout (70 s with the defaults), so a slow but steady answer that each
    read allows is never cut. A create that uploads files gets ``upload_rate`` on top: its body
    length at that many bytes per second (64 KiB/s, half a megabit: slower than any working
    uplink). Downloads must keep an average of ``download_rate`` after their first
    ``call_seconds``, so a 200 MB model on a slow line is fine and a trickling server is not.
    ``max_json_bytes`` caps an API answer (8 MiB: a page of 50 tasks is about 100 KiB);
    ``max_error_bytes`` an error answer (only its message is kept); ``max_download_bytes`` a
    result file (2 GiB: ten times the largest textured model Meshy makes).
    """

    call_seconds: float | None = None
    upload_rate: float = 64 * KIB
    download_rate: float = 64 * KIB
    max_json_bytes: int = 8 * MIB
    max_error_bytes: int = 64 * KIB
    max_download_bytes: int = 2 * GIB

    def __post_init__(self) -> None:
        for name in ("call_seconds", "upload_rate", "download_rate"):
            value = getattr(self, name)
            if value is None and name == "call_seconds":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise ValidationError(f"Limits.{name} must be a number above 0, not {value!r}", name)
        for name in ("max_json_bytes", "max_error_bytes", "max_download_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValidationError(f"Limits.{name} must be a whole number of bytes above 0, not {value!r}", name)


# --------------------------------------------------------------------------- deadlines


def _raw_socket(sock: Any) -> socket.socket | None:
    """The OS socket under a plain, TLS or TLS-in-TLS socket."""
    for _ in range(3):
        if isinstance(sock, socket.socket):
            return sock
        sock = getattr(sock, "socket", None)
    return None


class Deadline:
    """The deadline of one request: ``with deadline:`` makes it the running thread's."""

    def __init__(self, watchdog: Watchdog | None, seconds: float | None) -> None:
        self.watchdog = watchdog
        self.seconds = seconds
        self.start = time.monotonic()
        self.at = math.inf if seconds is None else self.start + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._open = False
        self._outer: Deadline | None = None

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def check(self) -> bool:
        """True (and the sockets shut) when the deadline has passed."""
        if not self.expired and time.monotonic() >= self.at:
            self._expire()
        return self.expired

    def extend_to(self, at: float) -> None:
        """Move the deadline later (a download that keeps its pace earns more time).

        Cheap enough for every chunk: the watchdog finds the new time when the old one comes.
        """
        with self._lock:
            if at > self.at and not self.expired:
                self.at = at

    def register(self, sock: Any) -> None:
        raw = _raw_socket(sock)
        if raw is None:
            return
        with self._lock:
            if raw not in self._sockets:
                self._sockets.append(raw)
            late = self.expired
        if late:
            _shut(raw)

    def _expire(self) -> None:
        with self._lock:
            if not self._open:
                return
            self.expired = True
            sockets = list(self._sockets)
        for raw in sockets:
            _shut(raw)

    def __enter__(self) -> Deadline:
        self._outer = getattr(_current, "deadline", None)
        _current.deadline = self
        self._open = True
        if self.watchdog is not None and self.seconds is not None:
            self.watchdog.schedule(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._open = False
            self._sockets.clear()
        _current.deadline = self._outer


def _shut(raw: socket.socket) -> None:
    # socket.socket.shutdown on the descriptor itself: for a TLS socket, SSLSocket.shutdown would
    # first drop its SSL object under the reading thread's feet.
    try:
        socket.socket.shutdown(raw, socket.SHUT_RDWR)
    except OSError:
        pass


_current = threading.local()


def register_socket(sock: Any) -> None:
    """Put ``sock`` under the running thread's deadline, if it has one."""
    deadline = getattr(_current, "deadline", None)
    if deadline is not None and deadline._open:
        deadline.register(sock)


class Watchdog:
    """One daemon thread that expires deadlines (it sleeps while none is pending)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._cond = threading.Condition()
        self._counter = itertools.count()
        self._thread: threading.Thread | None = None

    def deadline(self, seconds: float | None) -> Deadline:
        return Deadline(self if seconds is not None else None, seconds)

    def schedule(self, deadline: Deadline) -> None:
        with self._cond:
            heapq.heappush(self._heap, (deadline.at, next(self._counter), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="meshy-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                at, _, deadline = self._heap[0]
                now = time.monotonic()
                if at > now:
                    self._cond.wait(at - now)
                    continue
                heapq.heappop(self._heap)
                if deadline._open and not deadline.expired and deadline.at > time.monotonic():
                    # extended meanwhile: look again at its new time
                    heapq.heappush(self._heap, (deadline.at, next(self._counter), deadline))
                    continue
            if deadline._open and not deadline.expired:
                deadline._expire()
            # a closed deadline is simply dropped


WATCHDOG = Watchdog()


# --------------------------------------------------------------------------- adapter


class _Watched:
    """Mix-in for urllib3 connections: register the socket with the request's deadline."""

    def _new_conn(self) -> Any:
        sock = super()._new_conn()  # type: ignore[misc]
        register_socket(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "sock", None) is not None:
            register_socket(self.sock)  # type: ignore[attr-defined]
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def request_chunked(self, *args: Any, **kwargs: Any) -> Any:  # urllib3 1.26 sends chunked bodies here
        if getattr(self, "sock", None) is not None:
            register_socket(self.sock)  # type: ignore[attr-defined]
        return super().request_chunked(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


def _watch_pools(manager: Any) -> Any:
    classes = getattr(manager, "pool_classes_by_scheme", None)
    if isinstance(classes, dict) and classes.get("http") in (HTTPConnectionPool, WatchedHTTPConnectionPool):
        # standard pools only: a SOCKS manager has its own classes and keeps them
        manager.pool_classes_by_scheme = {"http": WatchedHTTPConnectionPool, "https": WatchedHTTPSConnectionPool}
    return manager


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter with connections the watchdog can cut (direct, http and https proxies)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watch_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        return _watch_pools(super().proxy_manager_for(proxy, **kwargs))


def mount(session: requests.Session) -> requests.Session:
    adapter = DeadlineAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


# --------------------------------------------------------------------------- answers


class TooLarge(Exception):
    """An answer passed its size cap; ``size`` is what it declared or what had arrived."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def declared_length(resp: requests.Response) -> int | None:
    """Content-Length as a number of body bytes, or None (absent, invalid or content-encoded)."""
    if resp.headers.get("Content-Encoding", "identity").lower() not in ("", "identity"):
        return None
    value = resp.headers.get("Content-Length")
    try:
        n = int(value) if value is not None else None
    except ValueError:
        return None
    return n if n is not None and n >= 0 else None


def read_capped(resp: requests.Response, cap: int, *, truncate: bool = False, step: int = 64 * KIB) -> bytes:
    """The body, read as it streams, never more than ``cap`` bytes (decoded).

    Past the cap, raise :class:`TooLarge` (or, with ``truncate``, return the first ``cap`` bytes).
    A declared length over the cap is refused before reading anything.
    """
    declared = declared_length(resp)
    if declared is not None and declared > cap and not truncate:
        raise TooLarge(declared)
    buf = bytearray()
    for chunk in resp.iter_content(step):
        buf += chunk
        if len(buf) > cap:
            if truncate:
                del buf[cap:]
                break
            raise TooLarge(len(buf))
    return bytes(buf)


def scrub(obj: Any) -> None:
    """Drop the Authorization header from the requests objects a response or error carries.

    A Response keeps its PreparedRequest (``resp.request``, and one per redirect in
    ``resp.history``), and a requests exception keeps both: once sent, the header is not needed.
    """
    for item in (obj, getattr(obj, "response", None)):
        if item is None:
            continue
        for r in (item, *(getattr(item, "history", None) or ())):
            prepared = getattr(r, "request", None)
            headers = getattr(prepared, "headers", None)
            if headers is not None:
                try:
                    headers.pop("Authorization", None)
                except (AttributeError, TypeError):
                    pass
