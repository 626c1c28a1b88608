"""The HTTP side: routing, auth, limits, faults, SSE and signed file downloads."""

from __future__ import annotations

import json
import re
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from .body import BodyError, read_body
from .errors import HttpError
from .faults import Fault
from .kinds import BY_NAME, TABLE, path_of
from .validation import validate

if TYPE_CHECKING:
    from .app import Emulator

API = "/openapi/v1"
_KIND_OF_PATH = {k.path: k.name for k in TABLE}
_TASK_PATH = re.compile(rf"^({'|'.join(re.escape(k.path) for k in TABLE)})(?:/([^/]+))?(/stream)?$")
_FILE_PATH = re.compile(r"^/_files/([^/]+)/([^/]+)$")
CONTENT_TYPES = {"png": "image/png", "glb": "model/gltf-binary", "obj": "text/plain",
                 "mtl": "text/plain", "stl": "model/stl", "jpg": "image/jpeg", "fbx": "application/octet-stream",
                 "usdz": "model/vnd.usdz+zip", "blend": "application/x-blender", "3mf": "model/3mf"}


class _Reset(Exception):
    """Close the connection without answering (a `reset` fault)."""


class _Answered(Exception):
    """A fault has answered the request already (a `body` fault): stop routing."""


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

    def handle(self) -> None:
        """A client that resets or goes silent between requests is its own business: no traceback."""
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Requests the standard library refuses (request line, headers) get JSON like every other answer."""
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.1"  # an unparsable request line still gets a status line
        text = (message or self.responses.get(code, ("Bad request",))[0]).rstrip(".")
        body = json.dumps({"message": f"{text}."}).encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if getattr(self, "command", "") != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body)
        except OSError:
            pass

    def _handle(self, method: str) -> None:
        emu = self.server.emulator
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        self.query = parse_qs(split.query)
        self.body = b""
        self.status_sent = 0
        self.sent_bytes = 0
        control = path.startswith("/_emulator")
        counted = not control and not path.endswith("/stream")
        if counted:
            emu.begin()
        self.lose_response = False
        self.replace_answer: Fault | None = None
        try:
            self.body = read_body(self, emu.settings.body_timeout)  # BodyError: 400/408/413, then close
            if not control:
                for rule in emu.faults.take("any", method, path):
                    self._apply_any(rule)
            self._route(method, path)
        except _Answered:
            pass
        except _Reset:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except HttpError as err:
            self.close_connection = self.close_connection or isinstance(err, BodyError)
            self._answer(err.status, err.message, err.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a bug must answer 500, not hang the client
            self._answer(500, f"Internal emulator error: {exc}")
        finally:
            if not control:
                emu.record(method, path, self.status_sent, len(self.body), self.sent_bytes, counted=counted)

    def _answer(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        """An error answer; a client that has gone already cannot be told (and is no traceback)."""
        try:
            self._json(status, {"message": message}, headers)
        except (OSError, _Reset):
            self.close_connection = True

    def _apply_any(self, rule: Fault) -> None:
        if rule.action == "latency":
            time.sleep(rule.seconds)
        elif rule.action == "reset":
            raise _Reset()
        elif rule.action == "lose_response":
            self.lose_response = True
        elif rule.action == "body":
            if rule.work:  # do the work, then answer this instead
                self.replace_answer = rule
            else:
                self._raw(rule)
                raise _Answered()
        elif rule.action == "status":
            headers = {}
            if rule.retry_after is not None:
                headers["Retry-After"] = f"{rule.retry_after:g}"
            raise HttpError(rule.status, rule.message or f"Emulated error {rule.status}.", headers)

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None, declared: int | None = None) -> None:
        if self.lose_response:  # the work is done; the answer is lost on the way back
            raise _Reset()
        if self.replace_answer is not None:  # the work is done; a proxy's page comes back instead
            rule, self.replace_answer = self.replace_answer, None
            return self._raw(rule)
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

    def _raw(self, rule: Fault) -> None:
        """A `body` fault's answer: its status, content type and bytes as they are."""
        data = rule.body.encode("utf-8", "surrogatepass")
        self.send_response(rule.status)
        self.send_header("Content-Type", rule.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.status_sent = rule.status
        if self.command != "HEAD":
            self.wfile.write(data)
            self.sent_bytes = len(data)

    def _view(self, task: Any, path: str, brief: bool = False, streaming: bool = False) -> dict[str, Any]:
        """The task as the API shows it, with the keys of any `output_keys` fault added."""
        emu = self.server.emulator
        obj = emu.store.view(task, emu.sign, brief=brief, streaming=streaming)
        if brief or obj.get("status") != "SUCCEEDED":
            return obj
        for rule in emu.faults.take("view", "GET", path):
            if task.kind in ("rigging", "animations"):  # their URLs: under `result`, or at the top
                nest = obj["result"] if isinstance(obj.get("result"), dict) else obj
                url = next((v for v in nest.values() if isinstance(v, str) and v.startswith("http")), "")
                nest.update({key: url for key in rule.keys})
                continue
            models = obj.setdefault("model_urls", {})
            textures = obj.setdefault("texture_urls", [])
            if not textures:
                textures.append({})
            url = models.get("glb") or next(iter(models.values()), "")
            image = textures[0].get("base_color") or obj.get("thumbnail_url") or url
            for key in rule.keys:
                models[key] = url
                textures[0][key] = image
        return obj

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
        kind, task_id, stream = _KIND_OF_PATH[match.group(1)], match.group(2), match.group(3)
        if task_id is None:
            if method == "POST":
                return self._create(kind)
            if method == "GET" and not BY_NAME[kind].listed:
                raise HttpError(405, f"Listing is not part of Meshy's {kind} API: GET each task by its id.",
                                {"Allow": "POST"})
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
        if task is None or emu.faults.hidden(task_id):
            raise HttpError(404, f"Task not found: {task_id}.")
        return self._view(task, self.path, brief=brief)

    def _create(self, kind: str) -> None:
        emu = self.server.emulator
        try:
            body = json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise HttpError(400, "The request body is not valid JSON.") from None
        spec = validate(kind, body, emu.store.lookup)
        fail = None
        rules = emu.faults.take("create", "POST", path_of(kind))
        failing = [r for r in rules if r.action == "fail_task"]
        if failing:
            rule = failing[0]
            fail = {"message": rule.message or "The task failed (emulated fault).",
                    "type": rule.error_type, "code": rule.code}
        task = emu.store.create(spec, fail)
        for rule in rules:
            if rule.action == "hide":
                emu.faults.hide(task.id, rule.seconds)
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
        everything = emu.store.listing(kind, 1, 1 << 30, sort_by == "-created_at")
        visible = [t for t in everything if not emu.faults.hidden(t.id)]
        tasks = visible[(page_num - 1) * page_size:page_num * page_size]
        self._json(200, [self._view(t, path_of(kind)) for t in tasks])

    def _stream(self, kind: str, task_id: str, path: str) -> None:
        emu = self.server.emulator
        rules = emu.faults.take("stream", "GET", path)
        drop = [r for r in rules if r.action == "drop_stream"]
        failing = next((r for r in rules if r.action == "stream_error"), None)
        limit = drop[0].events if drop else None
        if failing is not None:
            limit = failing.events
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

        if emu.store.get(kind, task_id) is None or emu.faults.hidden(task_id):
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
            brief = self._view(task, path, brief=True)
            state = (brief["status"], brief["progress"])
            terminal = brief["status"] in ("SUCCEEDED", "FAILED", "CANCELED")
            if state != last:
                if limit is not None and sent >= limit:
                    if failing is not None:  # stream_error: Meshy's side reports a failure mid-stream
                        event("error", {"status_code": failing.status,
                                        "message": failing.message or f"Emulated stream error {failing.status}"})
                    return  # drop_stream: close before the terminal event
                event("message", self._view(task, path, streaming=True))  # whole, like Meshy
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
            if "action" not in body:
                raise HttpError(400, "A fault needs an action.")
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
