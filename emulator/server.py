"""The HTTP side: routing, auth, limits, faults, SSE and signed file downloads."""

from __future__ import annotations

import json
import re
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import HttpError
from .faults import Fault
from .validation import KINDS, validate

if TYPE_CHECKING:
    from .app import Emulator

API = "/openapi/v1"
_TASK_PATH = re.compile(rf"^{API}/({'|'.join(KINDS)})(?:/([^/]+))?(/stream)?$")
_FILE_PATH = re.compile(r"^/_files/([^/]+)/([^/]+)$")
CONTENT_TYPES = {"png": "image/png", "glb": "model/gltf-binary", "obj": "text/plain",
                 "mtl": "text/plain", "stl": "model/stl", "jpg": "image/jpeg"}


class _Reset(Exception):
    """Close the connection without answering (a `reset` fault)."""


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, emulator: "Emulator", port: int) -> None:
        self.emulator = emulator
        super().__init__(("127.0.0.1", port), Handler)


class Handler(BaseHTTPRequestHandler):
    """One request; every reply is JSON `{"message": ...}` on error, with Content-Length."""

    protocol_version = "HTTP/1.1"
    server: EmulatorServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: requests are recorded in `Emulator.log` instead of stderr."""

    # --- plumbing -----------------------------------------------------------
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def _handle(self, method: str) -> None:
        emu = self.server.emulator
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        self.query = parse_qs(split.query)
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        self.status_sent = 0
        self.sent_bytes = 0
        control = path.startswith("/_emulator")
        counted = not control and not path.endswith("/stream")
        if counted:
            emu.begin()
        self.lose_response = False
        try:
            if not control:
                for rule in emu.faults.take("any", method, path):
                    self._apply_any(rule)
            self._route(method, path)
        except _Reset:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except HttpError as err:
            self._json(err.status, {"message": err.message}, err.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a bug must answer 500, not hang the client
            self._json(500, {"message": f"Internal emulator error: {exc}"})
        finally:
            if not control:
                emu.record(method, path, self.status_sent, len(self.body), self.sent_bytes, counted=counted)

    def _apply_any(self, rule: Fault) -> None:
        if rule.action == "latency":
            time.sleep(rule.seconds)
        elif rule.action == "reset":
            raise _Reset()
        elif rule.action == "lose_response":
            self.lose_response = True
        elif rule.action == "status":
            headers = {}
            if rule.retry_after is not None:
                headers["Retry-After"] = f"{rule.retry_after:g}"
            raise HttpError(rule.status, rule.message or f"Emulated error {rule.status}.", headers)

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None, declared: int | None = None) -> None:
        if self.lose_response:  # the work is done; the answer is lost on the way back
            raise _Reset()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if declared is None else declared))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.status_sent = status
        if self.command != "HEAD":
            self.wfile.write(body)
            self.sent_bytes = len(body)

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json", headers)

    def _auth(self) -> None:
        header = self.headers.get("Authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if key not in self.server.emulator.keys:
            raise HttpError(401, "Invalid API key. Check the Authorization: Bearer <key> header.")
        self.server.emulator.store.check_rate()

    # --- routing ------------------------------------------------------------
    def _route(self, method: str, path: str) -> None:
        emu = self.server.emulator
        if path.startswith("/_emulator/"):
            return self._control(method, path[len("/_emulator/"):])
        match = _FILE_PATH.match(path)
        if match:
            if method not in ("GET", "HEAD"):
                raise HttpError(405, "Files can only be downloaded with GET.")
            return self._file(unquote(match.group(1)), unquote(match.group(2)), method, path)
        if path == f"{API}/balance":
            self._auth()
            if method != "GET":
                raise HttpError(405, "Use GET for the balance.")
            emu.store.settle()
            return self._json(200, {"balance": emu.settings.balance})
        match = _TASK_PATH.match(path)
        if not match:
            raise HttpError(404, f"No such endpoint: {method} {path}.")
        self._auth()
        kind, task_id, stream = match.group(1), match.group(2), match.group(3)
        if task_id is None:
            if method == "POST":
                return self._create(kind)
            if method == "GET":
                return self._list(kind)
        elif stream:
            if method == "GET":
                return self._stream(kind, unquote(task_id), path)
        elif method == "GET":
            return self._json(200, self._task_view(kind, unquote(task_id)))
        elif method == "DELETE":
            if not emu.store.delete(kind, unquote(task_id)):
                raise HttpError(404, f"Task not found: {task_id}.")
            return self._send(200, b"", "text/plain")
        raise HttpError(405, f"Method {method} is not allowed on {path}.")

    def _task_view(self, kind: str, task_id: str, brief: bool = False) -> dict[str, Any]:
        emu = self.server.emulator
        task = emu.store.get(kind, task_id)
        if task is None:
            raise HttpError(404, f"Task not found: {task_id}.")
        return emu.store.view(task, emu.sign, brief=brief)

    def _create(self, kind: str) -> None:
        emu = self.server.emulator
        try:
            body = json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise HttpError(400, "The request body is not valid JSON.") from None
        spec = validate(kind, body, emu.store.lookup)
        fail = None
        rules = emu.faults.take("create", "POST", f"{API}/{kind}")
        if rules:
            rule = rules[0]
            fail = {"message": rule.message or "The task failed (emulated fault).",
                    "type": rule.error_type, "code": rule.code}
        task = emu.store.create(spec, fail)
        self._json(202, {"result": task.id})

    def _list(self, kind: str) -> None:
        def number(name: str, default: int) -> int:
            raw = self.query.get(name, [str(default)])[-1]
            try:
                return int(raw)
            except ValueError:
                raise HttpError(400, f"{name} must be an integer; got {raw!r}.") from None

        page_num = number("page_num", 1)
        page_size = number("page_size", 10)
        sort_by = self.query.get("sort_by", ["-created_at"])[-1].replace(" ", "+")
        if page_num < 1:
            raise HttpError(400, "page_num must be 1 or more.")
        if not 1 <= page_size <= 50:
            raise HttpError(400, "page_size must be between 1 and 50.")
        if sort_by not in ("+created_at", "-created_at", "created_at"):
            raise HttpError(400, "sort_by must be +created_at or -created_at.")
        emu = self.server.emulator
        tasks = emu.store.listing(kind, page_num, page_size, sort_by == "-created_at")
        self._json(200, [emu.store.view(t, emu.sign) for t in tasks])

    def _stream(self, kind: str, task_id: str, path: str) -> None:
        emu = self.server.emulator
        drop = emu.faults.take("stream", "GET", path)
        limit = drop[0].events if drop else None
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.status_sent = 200
        self.close_connection = True

        def event(name: str, data: dict[str, Any]) -> None:
            chunk = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
            self.wfile.write(chunk)
            self.wfile.flush()
            self.sent_bytes += len(chunk)

        if emu.store.get(kind, task_id) is None:
            event("error", {"status_code": 404, "message": "Task not found"})
            return
        sent = 0
        last: tuple[str, int] | None = None
        last_write = time.monotonic()
        while True:
            task = emu.store.get(kind, task_id)
            if task is None:  # deleted while streaming
                event("error", {"status_code": 404, "message": "Task not found"})
                return
            brief = emu.store.view(task, emu.sign, brief=True)
            state = (brief["status"], brief["progress"])
            terminal = brief["status"] in ("SUCCEEDED", "FAILED", "CANCELED")
            if state != last:
                if limit is not None and sent >= limit:
                    return  # drop_stream: close before the terminal event
                event("message", emu.store.view(task, emu.sign, streaming=True))  # whole, like Meshy
                sent += 1
                last = state
                last_write = time.monotonic()
                if terminal:
                    return
            elif time.monotonic() - last_write >= emu.settings.keepalive_seconds:
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                last_write = time.monotonic()
            time.sleep(emu.settings.stream_interval)

    def _file(self, task_id: str, name: str, method: str, path: str) -> None:
        emu = self.server.emulator
        rules = emu.faults.take("file", method, path)
        expire = any(r.action == "expire" for r in rules)
        truncate = next((r for r in rules if r.action == "truncate"), None)
        reason = "expired" if expire else emu.signer.check(
            path,
            self.query.get("Expires", [None])[-1], self.query.get("Signature", [None])[-1])
        if reason == "expired":
            raise HttpError(403, "Request has expired: this URL is no longer valid; "
                                 "GET the task again for fresh URLs.")
        if reason:
            raise HttpError(403, "Access denied: bad or missing signature.")
        task = emu.store.lookup(task_id)
        data = emu.store.file(task, name) if task is not None else None
        if data is None:
            raise HttpError(404, "File not found (the task was deleted or never made it).")
        ctype = CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
        if truncate is not None and method == "GET":
            part = data[: int(len(data) * max(0.0, min(truncate.fraction, 0.99)))]
            self._send(200, part, ctype, declared=len(data))
            self.wfile.flush()
            raise _Reset()
        self._send(200, data, ctype)

    # --- control ------------------------------------------------------------
    def _control(self, method: str, what: str) -> None:
        emu = self.server.emulator
        try:
            body = json.loads(self.body) if self.body else {}
        except ValueError:
            raise HttpError(400, "The request body is not valid JSON.") from None
        if what == "config" and method == "POST":
            if not isinstance(body, dict):
                raise HttpError(400, "config must be a JSON object.")
            try:
                emu.configure(**body)
            except (TypeError, ValueError) as exc:
                raise HttpError(400, str(exc)) from None
            return self._json(200, emu.config())
        if what == "config" and method == "GET":
            return self._json(200, emu.config())
        if what == "faults" and method == "POST":
            if not isinstance(body, dict):
                raise HttpError(400, "A fault must be a JSON object.")
            try:
                rule = emu.faults.add(**body)
            except (TypeError, ValueError, re.error) as exc:
                raise HttpError(400, str(exc)) from None
            return self._json(200, rule.to_json())
        if what == "faults" and method == "GET":
            return self._json(200, emu.faults.list())
        if what == "faults" and method == "DELETE":
            emu.faults.clear()
            return self._json(200, [])
        if what == "log" and method == "GET":
            return self._json(200, emu.log)
        if what == "log" and method == "DELETE":
            emu.clear_log()
            return self._json(200, [])
        if what == "stats" and method == "GET":
            return self._json(200, emu.stats())
        raise HttpError(404, f"No such control endpoint: {method} /_emulator/{what}.")
