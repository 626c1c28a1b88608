"""SSE limits: a huge event, a trickle that never completes a line, or keep-alives only are drops, not hangs.

Against a hostile server of the tests' own: its first stream misbehaves for up
to three seconds (so a client without limits would sit through all of it),
then the task is finished for the GET that a dropped stream triggers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from hostile import Handler, serve

from client import MeshyClient, sse
from client.retry import fast_policy
from client.sse import Event, StreamDropped, StreamLimits, events
from conftest import TEST_KEY

LIMITS = StreamLimits(max_event_bytes=256 * 1024, max_quiet=0.3, max_stall=0.3)
DONE = {"id": "T", "type": "remesh", "status": "SUCCEEDED", "progress": 100, "created_at": 1,
        "model_urls": {"glb": "http://127.0.0.1:9/model.glb"}}
RUNNING = {"id": "T", "type": "remesh", "status": "IN_PROGRESS", "progress": 10, "created_at": 1}
MISBEHAVE_FOR = 3.0


def misbehaving(first_stream: Callable[[Handler], int]):
    """A route whose first stream runs ``first_stream`` (returns bytes sent); the task is done after it."""
    state = {"streams": 0, "sent": 0}

    def route(h: Handler, method: str, path: str) -> bool:
        if path == "/openapi/v1/remesh/T/stream":
            state["streams"] += 1
            h.start_stream()
            if state["streams"] == 1:
                try:
                    state["sent"] = first_stream(h)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            else:
                h.send(f"event: message\ndata: {json.dumps(DONE)}\n\n".encode())
            return True
        if path == "/openapi/v1/remesh/T":
            h.json(200, DONE if state["streams"] else RUNNING)
            return True
        return False

    return route, state


def run_for(h: Handler, chunk: bytes, every: float, first: bytes = b"") -> int:
    sent = 0
    if first:
        h.send(first)
        sent += len(first)
    end = time.monotonic() + MISBEHAVE_FOR
    while time.monotonic() < end:
        h.send(chunk)
        sent += len(chunk)
        h.sent_so_far = sent  # type: ignore[attr-defined]
        time.sleep(every)
    return sent


def follow_against(route, monkeypatch) -> tuple[list, float]:
    monkeypatch.setattr(sse, "DEFAULT_LIMITS", LIMITS)
    with serve(route) as server:
        client = MeshyClient(TEST_KEY, base_url=server.base_url, retry_policy=fast_policy())
        started = time.monotonic()
        updates = list(client.stream("remesh", "T"))
        return updates, time.monotonic() - started


def test_an_event_larger_than_the_cap_is_a_drop_not_unbounded_memory(monkeypatch):
    sent: list[int] = []

    def huge(h: Handler) -> int:
        n = run_for(h, b"x" * 65536, 0.0, first=b"event: message\ndata: ")
        sent.append(n)
        return n

    route, state = misbehaving(huge)
    updates, elapsed = follow_against(route, monkeypatch)
    assert updates[-1].status == "SUCCEEDED"
    assert elapsed < 2.0 and state["streams"] >= 1  # dropped early, then a GET found it done


def test_a_trickle_that_never_completes_a_line_is_a_drop(monkeypatch):
    route, state = misbehaving(lambda h: run_for(h, b" ", 0.02, first=b'data: {"id": "T",'))
    updates, elapsed = follow_against(route, monkeypatch)
    assert updates[-1].status == "SUCCEEDED"
    assert elapsed < 2.0 and state["streams"] >= 1  # dropped early, then a GET found it done


def test_keep_alives_only_for_too_long_is_a_drop(monkeypatch):
    route, state = misbehaving(lambda h: run_for(h, b": keep-alive\n\n", 0.02))
    updates, elapsed = follow_against(route, monkeypatch)
    assert updates[-1].status == "SUCCEEDED"
    assert elapsed < 2.0 and state["streams"] >= 1  # dropped early, then a GET found it done


def test_pings_of_another_event_type_do_not_keep_a_silent_stream_alive(monkeypatch):
    route, state = misbehaving(lambda h: run_for(h, b"event: ping\ndata: {}\n\n", 0.02))
    updates, elapsed = follow_against(route, monkeypatch)
    assert updates[-1].status == "SUCCEEDED" and elapsed < 2.0


# -- the parser ------------------------------------------------------------------------------------


def parse(chunks: list[bytes], **limits) -> list[tuple[str, str]]:
    return [(e.event, e.data) for e in events(chunks, StreamLimits(**limits) if limits else None)]


def test_parser_line_ends_comments_fields_and_chunk_boundaries():
    assert parse([b"data: a\r", b"\ndata: b\r\n\r\n", b": comment\n\nevent: error\ndata: {}\n\n"]) == [
        ("message", "a\nb"), ("error", "{}")]
    assert parse([b"\xef\xbb\xbfdata:1\n\ndata:2\rdata:3\r\r"]) == [("message", "1"), ("message", "2\n3")]
    assert parse([b"data: \xe2", b"\x82", b"\xac\n\n"]) == [("message", "\u20ac")]  # a character split in two
    assert parse([b"event: x\n\ndata: y\n\n"]) == [("message", "y")]  # the type is reset by a blank line
    assert parse([b"data\n\nid: 7\nretry: 10\nfoo: bar\ndata:  two spaces\n\n"]) == [
        ("message", ""), ("message", " two spaces")]
    assert parse([b"data: never finished"]) == []  # an incomplete event at the end is dropped
    assert Event("message", "x") == Event("message", "x")


@pytest.mark.parametrize("chunks", [
    [b"data: " + b"x" * 200 + b"\n"],  # one long line
    [b"data: " + b"x" * 60 + b"\n"] * 3,  # many lines of one event
    [b"x" * 300],  # a line that never ends
])
def test_parser_refuses_oversized_events(chunks):
    with pytest.raises(StreamDropped):
        parse(chunks, max_event_bytes=100)


def test_parser_time_limits_with_an_injected_clock():
    now = [0.0]

    def clock() -> float:
        return now[0]

    def ticking(chunks, step):
        for chunk in chunks:
            now[0] += step
            yield chunk

    with pytest.raises(StreamDropped, match="keep-alive"):
        list(events(ticking([b": ka\n"] * 10, 1.0), StreamLimits(max_quiet=5), clock))
    with pytest.raises(StreamDropped, match="trickling"):
        list(events(ticking([b"d", b"a", b"t", b"a"], 2.0), StreamLimits(max_stall=3), clock))
    now[0] = 0.0
    got = list(events(ticking([b"data: 1\n\n"] * 10, 1.0), StreamLimits(max_quiet=1.5, max_stall=1.5), clock))
    assert len(got) == 10  # steady events keep it alive


def test_a_stream_read_timeout_is_a_drop_not_an_unexpected_error():
    """The body is read from urllib3 directly: its ReadTimeoutError must count as a drop too."""
    route, state = misbehaving(lambda h: (time.sleep(1.0), 0)[1])
    with serve(route) as server:
        client = MeshyClient(TEST_KEY, base_url=server.base_url, retry_policy=fast_policy(), timeout=(5, 0.2))
        assert list(client.stream("remesh", "T"))[-1].status == "SUCCEEDED"
