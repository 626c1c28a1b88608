"""The client against a server that misbehaves on purpose (tests/hostile_server.py).

Ids never change the path, nothing reachable from an error holds the key, answers are capped,
every request has an overall deadline (streams excepted), downloads are bounded and a full disk
is one sentence.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from client import (
    BadResponseError,
    DownloadError,
    FileInput,
    Kind,
    Limits,
    MeshyClient,
    MeshyError,
    RemeshRequest,
    RequestTimeoutError,
    ValidationError,
)
from client.retry import fast_policy
from tests.hostile_server import Conn, HostileServer

ROOT = Path(__file__).resolve().parent.parent
KEY = "msy_hostile_test_key_0123456789abcdef"
TASK = {"id": "t1", "type": "remesh", "status": "PENDING", "progress": 0, "created_at": 1}


def client_for(server: HostileServer, **kw: Any) -> MeshyClient:
    kw.setdefault("retry_policy", fast_policy(max_retries=2))
    kw.setdefault("timeout", (2, 2))
    return MeshyClient(KEY, server.base_url, **kw)


def answer_task(conn: Conn) -> None:
    conn.respond_json(TASK)


# ----------------------------------------------------------------- task ids


BAD_IDS = ["", "   ", None, 5, b"t1", ".", "..", "a\x00b", "a\nb", "a\tb", "a b", "t\ud800", "x" * 201]


@pytest.mark.parametrize("task_id", BAD_IDS, ids=[repr(i)[:20] for i in BAD_IDS])
@pytest.mark.parametrize("call", ["get", "delete", "stream", "wait"])
def test_bad_task_id_is_one_sentence_before_any_request(task_id: Any, call: str) -> None:
    with HostileServer(lambda conn: conn.respond_json([TASK])) as server:
        client = client_for(server)
        with pytest.raises(ValidationError) as info:
            result = getattr(client, call)("remesh", task_id)
            if call == "stream":
                next(iter(result))
        assert server.requests == []  # never a list call, never anything
    msg = str(info.value)
    assert msg.endswith(".") and "\n" not in msg and "task_id" in msg
    assert not info.value.maybe_sent


@pytest.mark.parametrize("task_id", ["../balance", "a/../../balance", "x?page_size=1", "a#b", "%2e%2e", "é/ü"])
def test_task_id_is_one_percent_encoded_path_segment(task_id: str) -> None:
    with HostileServer(answer_task) as server:
        client = client_for(server)
        client.get("remesh", task_id)
        client.delete(Kind.RETEXTURE, task_id)
        targets = [r.target for r in server.requests]
    encoded = quote(task_id, safe="")
    assert targets == [f"/openapi/v1/remesh/{encoded}", f"/openapi/v1/retexture/{encoded}"]
    assert all("/balance" not in t for t in targets)


def test_stream_path_is_encoded_too() -> None:
    done = {**TASK, "status": "SUCCEEDED", "progress": 100}

    def handler(conn: Conn) -> None:
        if conn.request.target.endswith("/stream"):
            conn.respond(200, f"data: {json.dumps(done)}\n\n", {"Content-Type": "text/event-stream"})
        else:
            conn.respond_json(done)

    with HostileServer(handler) as server:
        tasks = list(client_for(server).stream("remesh", "../balance"))
        assert server.requests[0].target == "/openapi/v1/remesh/..%2Fbalance/stream"
    assert tasks[-1].status == "SUCCEEDED"


@pytest.mark.parametrize("task_id", ["a b", "x\r\nSet-Cookie: y", "..", "z" * 5000, 42])
def test_create_answer_with_a_hostile_id_is_not_accepted(task_id: Any) -> None:
    with HostileServer(lambda conn: conn.respond_json({"result": task_id}, 202)) as server:
        with pytest.raises(BadResponseError) as info:
            client_for(server).create("remesh", RemeshRequest(input_task_id="abc"))
        assert len(server.requests) == 1
    assert info.value.maybe_sent  # the task may exist: look for it, never send again


# ----------------------------------------------------------------- secrets


def _echo(conn: Conn, status: int, html: bool) -> None:
    auth = conn.request.header("Authorization")
    if html:
        page = f"<html><body><h1>Bad gateway</h1><pre>Authorization: {auth}\n{KEY}</pre></body></html>"
        conn.respond(status, page, {"Content-Type": "text/html"})
    else:
        conn.respond_json(
            {"message": f"invalid header {auth}", "echo": {"headers": {"Authorization": auth}, KEY: [auth, KEY]}},
            status,
        )


def _walk(obj: Any, key: str, seen: set[int], path: str, depth: int = 0) -> list[str]:
    """Every path from ``obj`` to a string holding ``key`` or to a requests object, through attributes,
    containers, exception chains and the locals of traceback frames (as a crash reporter shows them)."""
    found: list[str] = []
    if id(obj) in seen or depth > 12:
        return found
    seen.add(id(obj))
    if isinstance(obj, (requests.PreparedRequest, requests.Request, requests.Response, requests.RequestException)):
        return [f"{path}: a {type(obj).__name__}"]
    if isinstance(obj, (str, bytes)):
        text = obj if isinstance(obj, str) else obj.decode("latin-1")
        return [path] if key in text else []
    if isinstance(obj, (int, float, bool, type(None), type)) or callable(obj) and not isinstance(obj, BaseException):
        return found
    if isinstance(obj, dict):
        for k, v in obj.items():
            found += _walk(k, key, seen, f"{path}.key", depth + 1)
            found += _walk(v, key, seen, f"{path}[{k!r}]", depth + 1)
        return found
    if isinstance(obj, (list, tuple, set, frozenset)):
        for i, v in enumerate(obj):
            found += _walk(v, key, seen, f"{path}[{i}]", depth + 1)
        return found
    if isinstance(obj, BaseException):
        found += _walk(obj.__context__, key, seen, f"{path}.__context__", depth + 1)
        found += _walk(obj.__cause__, key, seen, f"{path}.__cause__", depth + 1)
        found += _walk(list(obj.args), key, seen, f"{path}.args", depth + 1)
        if key in str(obj) or key in repr(obj):
            found.append(f"{path} (str/repr)")
        tb = obj.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            if "site-packages" not in frame.f_code.co_filename and frame.f_code.co_name != "_walk":
                for name, value in frame.f_locals.items():
                    if name not in ("info", "exc", "excinfo") and key in repr(value):
                        found.append(f"{path} frame {frame.f_code.co_name} local {name}")
            tb = tb.tb_next
    if isinstance(obj, MeshyClient):
        return found  # holds the key by design; its repr does not
    attrs = getattr(obj, "__dict__", None)
    if isinstance(attrs, dict):
        for k, v in attrs.items():
            found += _walk(v, key, seen, f"{path}.{k}", depth + 1)
    return found


def assert_sealed(exc: BaseException) -> None:
    leaks = _walk(exc, KEY, set(), type(exc).__name__)
    assert leaks == [], leaks


@pytest.mark.parametrize("status", [400, 401, 403, 422, 502])
@pytest.mark.parametrize("html", [False, True], ids=["json", "html"])
def test_server_echoing_the_key_never_puts_it_in_an_error(status: int, html: bool) -> None:
    with HostileServer(lambda conn: _echo(conn, status, html)) as server:
        with pytest.raises(MeshyError) as info:
            client_for(server, retry_policy=fast_policy(max_retries=0)).get("remesh", "t1")
        assert server.requests[0].header("Authorization") == f"Bearer {KEY}"  # it was really echoed
    exc = info.value
    assert_sealed(exc)
    if not html:
        assert exc.body["echo"]["headers"]["Authorization"] == "Bearer ***"  # kept, redacted
        assert "***" in exc.server_message


def test_html_answer_echoing_the_key_on_create(tmp_path: Path) -> None:
    with HostileServer(lambda conn: _echo(conn, 200, True)) as server:
        with pytest.raises(BadResponseError) as info:
            client_for(server).create("remesh", RemeshRequest(input_task_id="abc"))
    assert info.value.maybe_sent
    assert_sealed(info.value)


def _closed_port() -> int:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


SCENARIOS: dict[str, Callable[[Conn], object]] = {
    "reset": lambda conn: conn.close(),
    "half-answer": lambda conn: conn.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"id\":"),
    "silence": lambda conn: conn.hang(5),
    "garbage": lambda conn: conn.send("NOT HTTP AT ALL\r\n\r\n"),
    "invalid-json": lambda conn: conn.respond(200, "{'id': nope"),
    "too-large": lambda conn: conn.respond(200, b"[" + b"0," * 600_000 + b"0]"),
    "server-error": lambda conn: conn.respond_json({"message": "boom"}, 500),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("call", ["get", "create"])
def test_no_error_keeps_a_chain_to_the_request_or_the_key(scenario: str, call: str) -> None:
    limits = Limits(max_json_bytes=1_000_000)
    with HostileServer(SCENARIOS[scenario]) as server:
        client = client_for(server, timeout=(1, 0.5), limits=limits, retry_policy=fast_policy(max_retries=1))
        with pytest.raises(MeshyError) as info:
            if call == "get":
                client.get("remesh", "t1")
            else:
                client.create("remesh", RemeshRequest(input_task_id="abc"))
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert_sealed(info.value)


def test_refused_connection_keeps_no_chain_either() -> None:
    client = MeshyClient(KEY, f"http://127.0.0.1:{_closed_port()}", retry_policy=fast_policy(max_retries=1))
    for call in (lambda: client.get("remesh", "t1"), lambda: client.create("remesh", RemeshRequest(input_task_id="a"))):
        with pytest.raises(MeshyError) as info:
            call()
        assert not info.value.maybe_sent
        assert_sealed(info.value)


def test_responses_handed_out_carry_no_authorization_header() -> None:
    done = {**TASK, "status": "SUCCEEDED"}
    with HostileServer(lambda conn: conn.respond(200, f"data: {json.dumps(done)}\n\n",
                                                 {"Content-Type": "text/event-stream"})) as server:
        client = client_for(server)
        resp = client._request("GET", client._task_url(Kind.REMESH, "t1", "stream"), stream=True)
        try:
            assert "Authorization" not in resp.request.headers
        finally:
            resp.close()
        assert server.requests[0].header("Authorization") == f"Bearer {KEY}"


def test_loopback_is_reached_directly_never_through_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy could not reach this machine and would read the key in clear on the way."""
    with HostileServer(lambda conn: conn.respond_json({"message": "proxy"}, 502)) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
        monkeypatch.setenv("http_proxy", proxy.base_url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with HostileServer(answer_task) as server:
            assert client_for(server).get("remesh", "t1").id == "t1"
            assert len(server.requests) == 1
        assert proxy.requests == []


# ----------------------------------------------------------------- size caps


def test_answer_declaring_a_huge_length_is_refused_unread() -> None:
    def handler(conn: Conn) -> None:
        conn.send_status(200, {"Content-Type": "application/json", "Content-Length": str(200 * 2**20)})
        conn.send_repeated(b" " * 65536, 3200)

    with HostileServer(handler) as server:
        started = time.monotonic()
        with pytest.raises(BadResponseError) as info:
            client_for(server).get("remesh", "t1")
    assert time.monotonic() - started < 5
    assert "past the limit" in str(info.value) and not info.value.maybe_sent


def test_json_nesting_bomb_is_a_bad_response_not_a_recursion_error() -> None:
    with HostileServer(lambda conn: conn.respond(200, "[" * 200_000)) as server:
        with pytest.raises(BadResponseError):
            client_for(server).get("remesh", "t1")


RSS_PROBE = textwrap.dedent(
    """
    import resource, sys
    sys.path.insert(0, sys.argv[2])
    from client import BadResponseError, MeshyClient
    from client.retry import fast_policy
    c = MeshyClient("msy_probe_key_0000000000", sys.argv[1], timeout=(5, 30), retry_policy=fast_policy(0))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        c.list_page("remesh")
        outcome = "read"
    except BadResponseError:
        outcome = "refused"
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(outcome, (after - before) // 1024)
    """
)


@pytest.mark.parametrize("framing", ["close-delimited", "chunked"])
def test_200_mb_json_answer_is_stopped_at_the_cap_with_little_memory(framing: str) -> None:
    """The answer has no length; the client must stop at its cap, not hold 200 MB (or 600)."""
    piece = b"[" + b"0," * 32767 + b"0],"

    def handler(conn: Conn) -> None:
        if framing == "chunked":
            conn.send_status(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
            chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
            conn.send_repeated(chunk, 200 * 2**20 // len(piece))
        else:
            conn.send_status(200, {"Content-Type": "application/json", "Connection": "close"})
            conn.send(b"[")
            conn.send_repeated(piece, 200 * 2**20 // len(piece))

    with HostileServer(handler) as server:
        out = subprocess.run([sys.executable, "-c", RSS_PROBE, server.base_url, str(ROOT)],
                             capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    outcome, grew_mib = out.stdout.split()
    assert outcome == "refused"
    assert int(grew_mib) < 64, f"peak RSS grew by {grew_mib} MiB reading a capped answer"


# ----------------------------------------------------------------- deadlines


def _trickle_headers(conn: Conn) -> None:
    conn.send("HTTP/1.1 200 OK\r\n")
    conn.trickle("X-Slow: " + "y" * 200 + "\r\n", delay=0.1)  # 20 s of headers, a byte each 0.1 s


def _trickle_body(conn: Conn) -> None:
    body = json.dumps({**TASK, "pad": "z" * 300}).encode()
    conn.send_status(200, {"Content-Type": "application/json", "Content-Length": len(body)})
    conn.trickle(body, delay=0.1)


@pytest.mark.parametrize("trickle", [_trickle_headers, _trickle_body], ids=["headers", "body"])
def test_trickling_get_ends_at_its_deadline(trickle: Callable[[Conn], None]) -> None:
    """timeout=(0.5, 0.5): each byte comes well within the read timeout, so only a deadline can stop it."""
    with HostileServer(trickle) as server:
        client = client_for(server, timeout=(0.5, 0.5))  # call deadline: connect + read = 1 s
        started = time.monotonic()
        with pytest.raises(RequestTimeoutError) as info:
            client.get("remesh", "t1")
        elapsed = time.monotonic() - started
        assert len(server.requests) == 1  # a deadline that ran out is not retried
    assert 0.9 < elapsed < 4, elapsed
    assert "within 1 seconds" in str(info.value) and not info.value.maybe_sent


def test_trickling_create_ends_at_its_deadline_and_is_never_resent() -> None:
    with HostileServer(_trickle_headers) as server:
        client = client_for(server, timeout=(0.5, 0.5))
        started = time.monotonic()
        with pytest.raises(RequestTimeoutError) as info:
            client.create("remesh", RemeshRequest(input_task_id="abc"))
        assert time.monotonic() - started < 4
        assert [r.method for r in server.requests] == ["POST"]
    assert info.value.maybe_sent and "may or may not" in str(info.value)


@pytest.fixture(scope="module")
def loopback_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    try:
        out = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
            capture_output=True, text=True, timeout=60,
        )
    except FileNotFoundError:
        pytest.skip("the openssl command is needed to make a test certificate")
    if out.returncode != 0:
        pytest.skip(f"openssl could not make a test certificate: {out.stderr.strip()[:200]}")
    return cert, key


def test_https_answer_trickled_in_tiny_tls_records_ends_at_the_deadline(loopback_cert: tuple[str, str]) -> None:
    """Each byte is its own TLS record, so every read returns at once: only the watchdog can end it
    (it shuts the descriptor under the TLS socket while another thread is reading from it)."""
    with HostileServer(_trickle_headers, tls=loopback_cert) as server:
        client = MeshyClient(KEY, server.base_url, timeout=(0.5, 0.5), verify=loopback_cert[0],
                             retry_policy=fast_policy(max_retries=2))
        started = time.monotonic()
        with pytest.raises(RequestTimeoutError):
            client.get("remesh", "t1")
        elapsed = time.monotonic() - started
        assert len(server.requests) == 1
    assert 0.9 < elapsed < 4, elapsed


def test_the_clients_ca_bundle_wins_over_requests_ca_bundle(
    loopback_cert: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests lets REQUESTS_CA_BUNDLE override a session's verify; the user's CA bundle must win."""
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())  # a bundle that does not know our certificate
    body = b"glTF" + os.urandom(1000)
    with HostileServer(lambda conn: conn.respond(200, body, {"Content-Type": "model/gltf-binary"}),
                       tls=loopback_cert) as server:
        client = MeshyClient(KEY, "https://api.meshy.ai", verify=loopback_cert[0], retry_policy=fast_policy(0))
        path = client.download(server.base_url + "/model.glb", tmp_path / "model.glb")
    assert path.read_bytes() == body


def test_a_proxy_trickling_headers_is_cut_too(tmp_path: Path) -> None:
    """Through an http proxy (the proxy manager's pools are watched as well), here for a download."""
    with HostileServer(_trickle_headers) as proxy:
        client = MeshyClient(KEY, "https://api.meshy.ai", proxies={"http": proxy.base_url},
                             limits=Limits(call_seconds=1), retry_policy=fast_policy(max_retries=1))
        started = time.monotonic()
        with pytest.raises(DownloadError, match="too slowly"):
            client.download("http://files.example/results/model.glb", tmp_path / "model.glb")
        elapsed = time.monotonic() - started
        assert proxy.requests[0].target == "http://files.example/results/model.glb"  # it went through the proxy
    assert elapsed < 5, elapsed
    assert list(tmp_path.iterdir()) == []


def test_create_deadline_grows_with_the_upload(tmp_path: Path) -> None:
    """A server that never answers: the deadline is the call's 0.5 s plus the body at upload_rate."""
    model = tmp_path / "m.glb"
    model.write_bytes(os.urandom(3 * 2**18))  # 0.75 MiB: a 1 MiB body in base64
    limits = Limits(call_seconds=0.5, upload_rate=2**20)  # 1 MiB at 1 MiB/s: one more second
    with HostileServer(lambda conn: conn.hang(20)) as server:
        client = client_for(server, timeout=(5, 30), limits=limits)
        started = time.monotonic()
        with pytest.raises(RequestTimeoutError) as info:
            client.create("remesh", RemeshRequest(model_url=FileInput.model(model)))
        elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 4.5, elapsed
    assert info.value.maybe_sent


def test_a_long_stream_is_not_cut_by_the_call_deadline() -> None:
    """Events for 1.5 s, past a 0.5 s call deadline: streams are bounded by sse.py, not by the watchdog."""
    updates = [{**TASK, "status": "IN_PROGRESS", "progress": p} for p in (10, 30, 50, 70, 90)]
    done = {**TASK, "status": "SUCCEEDED", "progress": 100}

    def handler(conn: Conn) -> None:
        if not conn.request.target.endswith("/stream"):
            return conn.respond_json(done)
        conn.send_status(200, {"Content-Type": "text/event-stream", "Connection": "close"})
        for update in updates:
            conn.send(f"data: {json.dumps(update)}\n\n")
            conn.hang(0.3)
        conn.send(f"data: {json.dumps(done)}\n\n")

    with HostileServer(handler) as server:
        client = client_for(server, limits=Limits(call_seconds=0.5))
        started = time.monotonic()
        seen = [t.progress for t in client.stream("remesh", "t1")]
        assert time.monotonic() - started > 1.2
        assert [r.target.endswith("/stream") for r in server.requests] == [True]
    assert seen == [10, 30, 50, 70, 90, 100]


# ----------------------------------------------------------------- downloads


def _download(server: HostileServer, dest: Path, **kw: Any) -> Path:
    limits = kw.pop("limits", Limits(call_seconds=1))
    client = client_for(server, limits=limits, retry_policy=fast_policy(max_retries=1))
    return client.download(server.base_url + "/files/model.glb", dest, **kw)


def test_trickling_download_is_stopped_and_leaves_no_partial_file(tmp_path: Path) -> None:
    def handler(conn: Conn) -> None:
        conn.send_status(200, {"Content-Length": 10_000_000, "Content-Type": "model/gltf-binary"})
        conn.trickle(b"x" * 2000, delay=0.05, step=100)  # 2 KB/s

    with HostileServer(handler) as server:
        started = time.monotonic()
        with pytest.raises(DownloadError) as info:
            _download(server, tmp_path / "model.glb")
        elapsed = time.monotonic() - started
        assert len(server.requests) == 1  # not retried
    assert elapsed < 5, elapsed
    assert "too slowly" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_slow_but_steady_download_earns_its_time(tmp_path: Path) -> None:
    """1.5 s at 100 KB/s against a 1 s floor and a 50 KB/s minimum: the deadline moves with the bytes."""
    body = os.urandom(150_000)

    def handler(conn: Conn) -> None:
        conn.send_status(200, {"Content-Length": len(body)})
        conn.trickle(body, delay=0.1, step=10_000)

    with HostileServer(handler) as server:
        path = _download(server, tmp_path / "model.glb", limits=Limits(call_seconds=1, download_rate=50_000))
    assert path.read_bytes() == body


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "streamed"])
def test_download_past_the_size_cap_is_refused(tmp_path: Path, declared: bool) -> None:
    def handler(conn: Conn) -> None:
        conn.send_status(200, {"Content-Length": 5_000_000} if declared else {"Connection": "close"})
        conn.send_repeated(b"y" * 65536, 80)

    with HostileServer(handler) as server:
        with pytest.raises(DownloadError) as info:
            _download(server, tmp_path / "model.glb", limits=Limits(call_seconds=5, max_download_bytes=1_000_000))
        assert len(server.requests) == 1
    assert "limit" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_download_longer_than_expected_is_stopped(tmp_path: Path) -> None:
    with HostileServer(lambda conn: (conn.send_status(200, {"Connection": "close"}),
                                     conn.send_repeated(b"z" * 65536, 40))) as server:
        with pytest.raises(DownloadError) as info:
            _download(server, tmp_path / "model.glb", expected_size=1000)
    assert "1,000 bytes expected" in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://x/a b.glb", "http://x/a\r\nX-Evil: 1", "ftp://x/a.glb",
                                 "https://", "http://x:port/a.glb", None])
def test_a_download_link_that_is_not_an_http_url_is_one_sentence(tmp_path: Path, url: Any) -> None:
    client = MeshyClient(KEY, "https://api.meshy.ai", retry_policy=fast_policy(max_retries=3))
    with pytest.raises(DownloadError, match="not a valid http"):
        client.download(url, tmp_path / "model.glb")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A real 1 MiB tmpfs (root only: a full disk cannot be faked without mocking the file system)."""
    if os.geteuid() != 0:
        pytest.skip("a full disk needs a 1 MiB tmpfs, and mounting one needs root")
    mount = tmp_path / "tiny"
    mount.mkdir()
    out = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {out.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("declared", [False, True], ids=["while-writing", "known-in-advance"])
def test_full_disk_during_a_download_is_one_sentence_and_no_partial_file(tiny_disk: Path, declared: bool) -> None:
    size = 3 * 2**20

    def handler(conn: Conn) -> None:
        conn.send_status(200, {"Content-Length": size} if declared else {"Connection": "close"})
        conn.send_repeated(b"m" * 65536, size // 65536)

    with HostileServer(handler) as server:
        with pytest.raises(DownloadError) as info:
            _download(server, tiny_disk / "task" / "model.glb", limits=Limits(call_seconds=10))
        assert len(server.requests) == 1  # a full disk is not retried
    msg = str(info.value)
    assert msg.startswith("The disk is full") and msg.endswith(".") and "\n" not in msg
    assert list((tiny_disk / "task").iterdir()) == []


def test_watchdog_thread_cuts_a_socket_in_another_thread() -> None:
    """The machinery itself: a blocked recv in one thread ends when the deadline passes."""
    from client.transport import WATCHDOG

    with HostileServer(lambda conn: conn.hang(20)) as server:
        import socket

        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        result: list[bytes] = []
        with WATCHDOG.deadline(0.5) as deadline:
            deadline.register(sock)
            worker = threading.Thread(target=lambda: result.append(sock.recv(10)))
            started = time.monotonic()
            worker.start()
            worker.join(5)
        sock.close()
    assert not worker.is_alive() and result == [b""] and time.monotonic() - started < 3
    assert deadline.expired
