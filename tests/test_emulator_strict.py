"""The emulator is as strict as a real server: bad framing and bad settings get one clear answer.

Raw sockets, because a well-behaved client (requests) cannot send a negative
Content-Length or stop half-way through a body. Every case must end with a JSON
``{"message": ...}`` answer (or a clean close) within a bounded time, with no
traceback on stderr and no handler thread left waiting. Before issue 8 a bad
Content-Length was a traceback and no answer, a negative one or a short body
hung a thread forever, and the config took NaN, 2.5 tasks or a string as a
list of keys.
"""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator import Emulator
from emulator.body import MAX_BODY

ROOT = Path(__file__).resolve().parents[1]
BODY_TIMEOUT = 0.3


@pytest.fixture
def emu(capfd) -> Iterator[Emulator]:
    server = Emulator(pending_seconds=0.05, run_seconds=0.1, rate_limit=0, body_timeout=BODY_TIMEOUT).start()
    yield server
    server.stop()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception occurred" not in err, err


def handler_threads() -> int:
    return sum(1 for t in threading.enumerate() if "process_request_thread" in t.name)


def exchange(emu: Emulator, raw: bytes, *, half_close: bool = False, wait: float = 5.0) -> tuple[int, Any, float]:
    """Send ``raw`` and read until the server closes; (status, JSON body, seconds). Fails if it never does."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", emu.port), timeout=wait) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except TimeoutError:
            pytest.fail(f"no answer and no close within {wait} s (got {data[:200]!r})")
    elapsed = time.monotonic() - start
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, json.loads(body) if body else None, elapsed


def post(path: str, *headers: str, body: bytes = b"") -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


CONFIG = "/_emulator/config"

FRAMING = {
    "Content-Length not a number": (post(CONFIG, "Content-Length: abc"), 400, "Content-Length"),
    "Content-Length negative": (post(CONFIG, "Content-Length: -5"), 400, "Content-Length"),
    "Content-Length with a sign": (post(CONFIG, "Content-Length: +2", body=b"{}"), 400, "Content-Length"),
    "Content-Length in hex": (post(CONFIG, "Content-Length: 0x2", body=b"{}"), 400, "Content-Length"),
    "Content-Length a float": (post(CONFIG, "Content-Length: 2.0", body=b"{}"), 400, "Content-Length"),
    "Content-Length in exponent form": (post(CONFIG, "Content-Length: 1e3"), 400, "Content-Length"),
    "Content-Length with underscores": (post(CONFIG, "Content-Length: 1_0"), 400, "Content-Length"),
    "Content-Length empty": (post(CONFIG, "Content-Length: "), 400, "Content-Length"),
    "Content-Length a superscript digit": (post(CONFIG, "Content-Length: \u00b2"), 400, "Content-Length"),
    "Content-Length twice, different": (post(CONFIG, "Content-Length: 2", "Content-Length: 3", body=b"{}"), 400,
                                        "more than once"),
    "Content-Length huge": (post(CONFIG, "Content-Length: " + "9" * 40), 413, "too large"),
    "Content-Length just past the cap": (post(CONFIG, f"Content-Length: {MAX_BODY + 1}"), 413, "too large"),
    "Content-Length and Transfer-Encoding": (post(CONFIG, "Content-Length: 2", "Transfer-Encoding: chunked",
                                                  body=b"{}"), 400, "both"),
    "Transfer-Encoding gzip": (post(CONFIG, "Transfer-Encoding: gzip"), 501, "chunked"),
    "chunk size not hex": (post(CONFIG, "Transfer-Encoding: chunked", body=b"zz\r\n{}\r\n0\r\n\r\n"), 400,
                           "hexadecimal"),
    "chunk longer than its size": (post(CONFIG, "Transfer-Encoding: chunked", body=b"1\r\n{}\r\n0\r\n\r\n"), 400,
                                   "longer than its size"),
    "chunked body past the cap": (post(CONFIG, "Transfer-Encoding: chunked", body=f"{MAX_BODY + 1:x}\r\n".encode()),
                                  413, "too large"),
    "garbage request line": (b"GARBAGE\r\n\r\n", 400, "Bad request"),
    "unsupported method": (b"PUT /openapi/v1/remesh HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 501,
                           "Unsupported method"),
}


@pytest.mark.parametrize("raw,status,words", list(FRAMING.values()), ids=list(FRAMING))
def test_bad_framing_is_one_json_answer_then_a_close(emu, raw, status, words):
    before = emu.config()
    got, body, elapsed = exchange(emu, raw)
    assert got == status and words in body["message"] and body["message"].endswith("."), body
    assert elapsed < 3
    assert emu.config() == before


def test_a_body_shorter_than_its_length_from_a_silent_client_is_408_within_the_deadline(emu):
    got, body, elapsed = exchange(emu, post(CONFIG, "Content-Length: 100", body=b'{"balance": 1'))
    assert got == 408 and "did not arrive within 0.3 seconds (13 bytes came)" in body["message"], body
    assert BODY_TIMEOUT <= elapsed < BODY_TIMEOUT + 2.5
    assert emu.balance != 1


def test_a_body_cut_short_by_a_closing_client_is_400(emu):
    got, body, _ = exchange(emu, post(CONFIG, "Content-Length: 100", body=b'{"balance": 1'), half_close=True)
    assert got == 400 and "ended after 13 of the 100 bytes" in body["message"], body


def test_a_client_trickling_its_body_is_cut_off_at_the_deadline(emu):
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(post(CONFIG, "Content-Length: 1000"))
        answer = b""
        while time.monotonic() - start < 4 and not answer:
            try:
                sock.sendall(b" ")  # one byte every 50 ms: never silent, never done
            except OSError:
                break
            sock.settimeout(0.05)
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                continue
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert time.monotonic() - start < BODY_TIMEOUT + 2.5


def test_a_silent_chunked_body_is_408(emu):
    got, body, _ = exchange(emu, post(CONFIG, "Transfer-Encoding: chunked", body=b"10\r\n{\"bal"))
    assert got == 408, body


def test_a_chunked_body_is_read_like_any_other(emu):
    payload = json.dumps({"balance": 4321}).encode()
    chunks = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in (payload[:5], payload[5:])) + b"0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(post(CONFIG, "Transfer-Encoding: chunked", body=chunks))
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200") and emu.balance == 4321


def test_no_handler_thread_is_left_waiting(emu):
    before = handler_threads()  # idle keep-alive connections of earlier tests in this process may remain
    for raw in (post(CONFIG, "Content-Length: -1"), post(CONFIG, "Content-Length: 50", body=b"{")):
        exchange(emu, raw)
    deadline = time.monotonic() + 3
    while handler_threads() > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert handler_threads() <= before


def test_the_connection_still_works_for_good_requests(emu):
    """A keep-alive session sends many requests on one connection: the strict reading keeps them apart."""
    with requests.Session() as session:
        for n in range(5):
            r = session.post(f"{emu.base_url}{CONFIG}", json={"balance": n})
            assert r.status_code == 200 and r.json()["balance"] == n


# -- settings -------------------------------------------------------------------------------------

BAD_SETTINGS: dict[str, tuple[dict[str, Any], str]] = {
    "a string for a number": ({"balance": "5"}, "balance must be a number of credits"),
    "a bool for a number": ({"rate_limit": True}, "rate_limit must be a number"),
    "null": ({"url_ttl": None}, "url_ttl must be a number"),
    "a list": ({"run_seconds": [1]}, "run_seconds must be a number"),
    "negative seconds": ({"pending_seconds": -1}, "pending_seconds must be from 0 to 86400 seconds"),
    "negative queue limit": ({"queue_limit": -1}, "queue_limit must be from 0"),
    "half a task": ({"queue_limit": 2.5}, "queue_limit must be a whole number of tasks"),
    "a fractional balance": ({"balance": 10.5}, "balance must be a whole number"),
    "infinite seconds": ({"run_seconds": math.inf}, "run_seconds must be a finite number"),
    "NaN seconds": ({"run_seconds": math.nan}, "run_seconds must be a finite number"),
    "a day too long": ({"run_seconds": 86_401}, "run_seconds must be from 0 to 86400 seconds"),
    "a stream busy loop": ({"stream_interval": 0}, "stream_interval must be from 0.001"),
    "a keep-alive flood": ({"keepalive_seconds": 0}, "keepalive_seconds must be from 0.001"),
    "no body deadline": ({"body_timeout": 0}, "body_timeout must be from 0.01"),
    "an unknown key": ({"nope": 1}, "Unknown setting 'nope'"),
    "keys as a string": ({"keys": "abc"}, "keys must be a list of API keys, not str"),
    "keys as a number": ({"keys": 5}, "keys must be a list of API keys, not int"),
    "a key that is not text": ({"keys": [1]}, "An API key must be non-empty printable text"),
    "an empty key": ({"keys": [""]}, "An API key must be non-empty printable text"),
    "one good, one bad": ({"balance": 5, "queue_limit": -1}, "queue_limit must be from 0"),
}


@pytest.mark.parametrize("values,words", list(BAD_SETTINGS.values()), ids=list(BAD_SETTINGS))
def test_bad_settings_over_http_are_400_and_change_nothing(emu, values, words):
    before, keys = emu.config(), set(emu.keys)
    body = json.dumps(values)  # NaN and Infinity as Python's json writes them: a real client might too
    r = requests.post(f"{emu.base_url}{CONFIG}", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and words in r.json()["message"], r.text
    assert r.json()["message"].endswith(".")
    assert emu.config() == before and emu.keys == keys  # all or nothing


@pytest.mark.parametrize("values,words", list(BAD_SETTINGS.values()), ids=list(BAD_SETTINGS))
def test_bad_settings_in_python_raise_value_error(values, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        Emulator(**values)
    emu = Emulator()
    with pytest.raises(ValueError):
        emu.configure(**values)
    assert emu.config() == Emulator().config()


def test_bad_settings_as_attributes_and_constructor_arguments():
    emu = Emulator()
    with pytest.raises(ValueError, match="balance must be a number"):
        emu.balance = "5"
    with pytest.raises(ValueError, match="port must be a whole number from 0"):
        Emulator(port=70_000)
    with pytest.raises(ValueError, match="port must be"):
        Emulator(port="8080")
    with pytest.raises(ValueError, match="keys must be a list"):
        Emulator(keys="msy_single_string_key")
    emu.configure(balance=5.0, queue_limit=3, keys=["k1"])  # a whole float is a whole number
    assert emu.balance == 5 and isinstance(emu.balance, int) and "k1" in emu.keys


BAD_FLAGS = {
    "--balance abc": "balance must be a whole number of credits, not 'abc'",
    "--balance -1": "balance must be from 0",
    "--balance 2.5": "balance must be a whole number of credits, not '2.5'",
    "--queue-limit -1": "queue_limit must be from 0",
    "--pending-seconds -1": "pending_seconds must be from 0 to 86400 seconds",
    "--run-seconds nan": "run_seconds must be a finite number",
    "--rate-limit inf": "rate_limit must be a finite number",
    "--stream-interval 0": "stream_interval must be from 0.001",
    "--port 70000": "the port must be a whole number from 0",
    "--port -1": "the port must be a whole number from 0",
    "--key=": "An API key must be non-empty printable text",
    "--url-ttl 1e9": "url_ttl must be from 0 to 2592000 seconds",
}


@pytest.mark.parametrize("flags,words", list(BAD_FLAGS.items()), ids=list(BAD_FLAGS))
def test_bad_command_line_flags_are_a_usage_error(flags, words, capsys):
    from emulator.__main__ import main

    with pytest.raises(SystemExit) as exited:
        main(flags.split())
    err = capsys.readouterr()
    assert exited.value.code == 2 and words in err.err and err.out == "", err  # no base URL: nothing started


def test_python_m_emulator_with_a_bad_flag_exits_2_without_a_traceback():
    done = subprocess.run([sys.executable, "-m", "emulator", "--queue-limit", "-3"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "queue_limit must be from 0" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
