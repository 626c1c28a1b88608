"""A tiny misbehaving HTTP server on loopback, for what the emulator cannot do.

Each test gives it a function ``route(handler, method, path) -> bool`` that
answers (or misbehaves) with the handler's own ``wfile``; True means handled.
The helpers write a JSON answer, a raw answer, or a stream chunk by chunk.
``date`` controls the Date header: a number of seconds to shift the server's
clock by, or None to send no Date header at all.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Route = Callable[["Handler", str, str], bool]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        """Like the stdlib, but with the Date header the test asked for (shifted, or none)."""
        self.send_response_only(code, message)
        self.send_header("Server", "hostile")
        if self.server.date_shift is not None:
            self.send_header("Date", formatdate(time.time() + self.server.date_shift, usegmt=True))

    def _any(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.requests.append((method, path))
        try:
            if not self.server.route(self, method, path):
                self.json(404, {"message": "no such thing"})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._any("GET")

    def do_POST(self) -> None:
        self._any("POST")

    # -- answers ------------------------------------------------------------
    def raw(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def json(self, status: int, obj: Any) -> None:
        self.raw(status, json.dumps(obj).encode())

    def start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def send(self, chunk: bytes) -> None:
        self.wfile.write(chunk)
        self.wfile.flush()

    def reset(self) -> None:
        import socket

        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, route: Route, date_shift: float | None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.route = route
        self.date_shift = date_shift
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a connection this server broke on purpose is no error."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count(self, method: str, suffix: str) -> int:
        with self.lock:
            return sum(1 for m, p in self.requests if m == method and p.endswith(suffix))


@contextmanager
def serve(route: Route, date_shift: float | None = 0.0) -> Iterator[Server]:
    server = Server(route, date_shift)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class FakeMeshy:
    """A minimal Meshy of one kind whose tasks, clock and create answer each test chooses.

    ``tasks`` are task objects (``created_at`` in ms on the server's clock,
    ``time.time() + date_shift``); ``on_create(handler, fake)`` answers a create
    however the test likes (after maybe adding a task with :meth:`add`).
    Listing pages newest first; GET, the stream and ``/files/<name>`` serve them.
    """

    def __init__(self, kind: str = "retexture", date_shift: float | None = 0.0) -> None:
        self.kind = kind
        self.shift = date_shift or 0.0
        self.tasks: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {"model.glb": b"glTF fake model", "tex.png": b"\x89PNG fake"}
        self.on_create: Callable[[Handler, FakeMeshy], None] = lambda h, f: h.raw(200, b"<html>oops</html>",
                                                                                   "text/html")
        self.base_url = ""
        self.lock = threading.Lock()

    def now_ms(self, delta: float = 0.0) -> int:
        return int((time.time() + self.shift + delta) * 1000)

    def add(self, prompt: str, *, delta: float = 0.0, task_id: str | None = None, **extra: Any) -> dict[str, Any]:
        """A finished task made ``delta`` seconds from now (server clock), echoing ``prompt``."""
        import uuid

        task = {"id": task_id or str(uuid.uuid4()), "type": self.kind, "status": "SUCCEEDED", "progress": 100,
                "created_at": self.now_ms(delta), "text_style_prompt": prompt, "task_error": {"message": ""},
                "model_urls": {"glb": f"{self.base_url}/files/model.glb"},
                "texture_urls": [{"base_color": f"{self.base_url}/files/tex.png"}], **extra}
        with self.lock:
            self.tasks.append(task)
        return task

    def route(self, h: Handler, method: str, path: str) -> bool:
        prefix = f"/openapi/v1/{self.kind}"
        if method == "POST" and path == prefix:
            self.on_create(h, self)
            return True
        if method == "GET" and path == prefix:
            from urllib.parse import parse_qs

            query = parse_qs(urlsplit(h.path).query)
            num, size = int(query.get("page_num", ["1"])[0]), int(query.get("page_size", ["10"])[0])
            with self.lock:
                ordered = sorted(self.tasks, key=lambda t: -t["created_at"])
            h.json(200, ordered[(num - 1) * size:num * size])
            return True
        if method == "GET" and path.startswith(prefix + "/"):
            from urllib.parse import unquote

            rest = path[len(prefix) + 1:]
            task_id, _, stream = rest.partition("/")
            task_id = unquote(task_id)
            with self.lock:
                task = next((t for t in self.tasks if t["id"] == task_id), None)
            if task is None:
                h.json(404, {"message": "Task not found"})
            elif stream:
                h.start_stream()
                h.send(f"event: message\ndata: {json.dumps(task)}\n\n".encode())
            else:
                h.json(200, task)
            return True
        if method == "GET" and path.startswith("/files/"):
            from urllib.parse import unquote

            name = unquote(path[len("/files/"):])
            data = self.files.get(name, self.files.get(name.split("/")[0]))
            if data is None:
                return False
            h.raw(200, data, "application/octet-stream")
            return True
        return False


@contextmanager
def fake_meshy(kind: str = "retexture", date_shift: float | None = 0.0) -> Iterator[FakeMeshy]:
    fake = FakeMeshy(kind, date_shift)
    with serve(fake.route, date_shift) as server:
        fake.base_url = server.base_url
        fake.server = server  # type: ignore[attr-defined]
        yield fake
