"""A tiny misbehaving HTTP server for tests: every request is answered by a handler of the test's own.

The emulator behaves like Meshy; this server behaves however a test needs: any status line, any
headers, raw bytes, bytes trickled with delays, silence, a connection closed mid-answer. It listens
on 127.0.0.1 on a free port, reads one request per connection (request line, headers and, when it
has a Content-Length, the body), records it, calls the handler, then closes the connection.
With ``raw=True`` it reads nothing and calls the handler at once; with ``tls=(certfile, keyfile)``
it speaks https (every ``send`` is then one TLS record, so ``trickle`` sends one record per byte).

    from tests.hostile_server import HostileServer

    def handler(conn):
        conn.send_status(200, {"Content-Type": "application/json", "Content-Length": "40"})
        conn.trickle(b'{"id": "t", "status": "PENDING"}', delay=0.5)   # a byte every 0.5 s

    with HostileServer(handler) as server:
        client = MeshyClient(KEY, server.base_url)
        ...
        assert server.requests[0].target == "/openapi/v1/remesh/t"

``Conn``: ``request`` (what came in), ``send(raw)``, ``send_status(code, headers, reason)``,
``respond(code, body, headers)`` (a whole answer: Content-Length and ``Connection: close`` added),
``respond_json(obj, code)``, ``trickle(data, delay, step)``, ``send_repeated(chunk, times)``,
``hang(seconds)`` (silent until the client leaves, the server stops or ``seconds`` pass),
``close()``. Writes to a client that went away return False instead of raising. An exception in a
handler is kept in ``server.errors`` (the test can assert it is empty).
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_HEAD = 256 * 1024


@dataclass
class Request:
    """One request as it arrived: ``line`` and ``target`` are the raw bytes' text, not normalised."""

    line: str
    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


class Conn:
    """One client connection, handed to the handler."""

    def __init__(self, sock: socket.socket, request: Request, stopping: threading.Event) -> None:
        self.sock = sock
        self.request = request
        self._stopping = stopping
        self.closed = False

    def send(self, data: bytes | str) -> bool:
        """Send raw bytes; False when the client has gone."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def send_status(self, status: int, headers: dict[str, Any] | None = None, reason: str = "") -> bool:
        """The status line and headers (and the blank line ending them), nothing else."""
        head = f"HTTP/1.1 {status} {reason or _REASONS.get(status, 'Whatever')}\r\n"
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        return self.send(head + "\r\n")

    def respond(self, status: int = 200, body: bytes | str = b"", headers: dict[str, Any] | None = None) -> bool:
        """A whole answer with a correct Content-Length, then the connection is closed."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        hdrs.setdefault("Content-Length", str(len(body)))
        hdrs.setdefault("Connection", "close")
        return self.send_status(status, hdrs) and self.send(body)

    def respond_json(self, obj: Any, status: int = 200, headers: dict[str, Any] | None = None) -> bool:
        import json

        return self.respond(status, json.dumps(obj), headers)

    def trickle(self, data: bytes | str, delay: float = 0.5, step: int = 1) -> bool:
        """Send ``data`` ``step`` bytes at a time, ``delay`` seconds apart (stops when the server stops)."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        for i in range(0, len(data), step):
            if not self.send(data[i : i + step]):
                return False
            if self._stopping.wait(delay):
                return False
        return True

    def send_repeated(self, chunk: bytes, times: int) -> bool:
        """The same chunk ``times`` times (a huge body without holding it in memory)."""
        for _ in range(times):
            if not self.send(chunk):
                return False
        return True

    def hang(self, seconds: float | None = None) -> None:
        """Say nothing until the client disconnects, the server stops or ``seconds`` pass."""
        end = None if seconds is None else time.monotonic() + seconds
        while not self._stopping.is_set() and (end is None or time.monotonic() < end):
            try:
                ready, _, _ = select.select([self.sock], [], [], 0.05)
                if ready and not self.sock.recv(65536):
                    return  # the client closed its side
            except OSError:
                return

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()


class HostileServer:
    """``HostileServer(handler).start()`` (or ``with``): ``base_url``, ``requests``, ``errors``, ``stop()``."""

    def __init__(
        self,
        handler: Callable[[Conn], None],
        *,
        read_body: bool = True,
        raw: bool = False,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.handler = handler
        self.read_body = read_body
        self.raw = raw  # call the handler at once, reading nothing (a silent client, a bad handshake)
        self._tls = None
        if tls is not None:  # (certfile, keyfile): speak https
            import ssl

            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(*tls)
        self.requests: list[Request] = []
        self.errors: list[BaseException] = []
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.base_url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> HostileServer:
        t = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            socks = list(self._open)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self._threads:
            t.join(timeout=5)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                ready, _, _ = select.select([self._listener], [], [], 0.05)
                if not ready:
                    continue
                sock, _ = self._listener.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(sock,), name="hostile-conn", daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)
        conn = None
        try:
            if self._tls is not None:
                sock.settimeout(10)
                sock = self._tls.wrap_socket(sock, server_side=True)
                with self._lock:
                    self._open.add(sock)
            request = Request("", "", "") if self.raw else self._read_request(sock)
            if request is None:
                return
            self.requests.append(request)
            conn = Conn(sock, request, self._stopping)
            self.handler(conn)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # kept for the test to see
            self.errors.append(exc)
        finally:
            with self._lock:
                self._open.discard(sock)
            if conn is not None:
                conn.close()
            else:
                sock.close()

    def _read_request(self, sock: socket.socket) -> Request | None:
        sock.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return None
            if not chunk or len(data) > MAX_HEAD:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, _, target = lines[0].partition(" ")
        target = target.rsplit(" ", 1)[0]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = rest
        length = int(headers.get("content-length", "0") or 0)
        while self.read_body and len(body) < length:
            try:
                chunk = sock.recv(1024 * 1024)
            except OSError:
                break
            if not chunk:
                break
            body += chunk
        sock.settimeout(None)
        return Request(lines[0], method, target, headers, body)


_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway"}
