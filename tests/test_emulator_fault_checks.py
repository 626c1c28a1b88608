"""The emulator's new faults (body, stream_error, hide, output_keys) and the checks of every fault field."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests
from test_emulator_api import FAST, KEY, body_for, create, get, post, read_sse, wait

from emulator import Emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    e = Emulator(**FAST).start()
    yield e
    e.stop()


BAD = [
    (dict(action="latency", seconds=-1), "seconds"),
    (dict(action="latency", seconds="1"), "seconds"),
    (dict(action="latency", seconds=float("inf")), "seconds"),
    (dict(action="status", status=99), "status"),
    (dict(action="status", status=600), "status"),
    (dict(action="status", status=True), "status"),
    (dict(action="status", retry_after=-2), "retry_after"),
    (dict(action="output_keys", keys="../x"), "keys"),
    (dict(action="output_keys", keys=[1, 2]), "keys"),
    (dict(action="truncate", fraction=1.5), "fraction"),
    (dict(action="drop_stream", events=-1), "events"),
    (dict(action="reset", times=-5), "times"),
    (dict(action="reset", times="2"), "times"),
    (dict(action="reset", method="FETCH"), "method"),
    (dict(action="reset", path="(unclosed"), "path"),
    (dict(action="reset", path=3), "path"),
    (dict(action="body", content_type="text/html\r\nX-Evil: 1"), "content_type"),
    (dict(action="body", body=5), "body"),
    (dict(action="body", work="yes"), "work"),
    (dict(action="fail_task", message=["a"]), "message"),
    (dict(action="explode"), "action"),
    (dict(action="latency", colour="red"), "colour"),
]


@pytest.mark.parametrize("fault,field", BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD)])
def test_bad_fault_fields_are_refused_in_python_and_over_http(emu, fault, field):
    with pytest.raises(ValueError, match=field):
        emu.faults.add(**fault)
    r = requests.post(f"{emu.base_url}/_emulator/faults", data=json.dumps(fault), timeout=5,
                      headers={"Content-Type": "application/json"})  # json.dumps writes inf as Infinity
    assert r.status_code == 400 and field in r.json()["message"]
    assert r.json()["message"].count("\n") == 0
    assert emu.faults.list() == []


def test_fault_without_an_action_over_http_is_one_sentence(emu):
    r = requests.post(f"{emu.base_url}/_emulator/faults", json={"path": "/x"}, timeout=5)
    assert r.status_code == 400 and r.json()["message"] == "A fault needs an action."


def test_good_fields_still_pass_and_minus_one_means_forever(emu):
    rule = emu.faults.add("reset", times=-1)
    assert rule.times is None
    assert emu.faults.add("latency", seconds=0, times=0).seconds == 0.0
    assert emu.faults.add("output_keys", keys=[]).keys == []


def test_body_answers_raw_content_on_get_and_stream(emu):
    task_id = create(emu, "remesh")
    page = "<html><body>Bad gateway</body></html>"
    emu.faults.add("body", path=r"/remesh/[^/]+$", status=502, body=page)
    r = requests.get(f"{emu.base_url}/openapi/v1/remesh/{task_id}", headers=KEY, timeout=5)
    assert r.status_code == 502 and r.text == page and r.headers["Content-Type"].startswith("text/html")
    emu.faults.add("body", path=r"/stream$", body="not an event stream")
    r = requests.get(f"{emu.base_url}/openapi/v1/remesh/{task_id}/stream", headers=KEY, timeout=5)
    assert r.status_code == 200 and r.text == "not an event stream"
    assert get(emu, "remesh", task_id)["id"] == task_id  # times=1 each


def test_body_on_create_before_or_after_the_work(emu):
    emu.faults.add("body", method="POST", path=r"/remesh$", body="{}", content_type="application/json")
    r = post(emu, "remesh", body_for("remesh"))
    assert r.status_code == 200 and r.json() == {} and emu.create_count() == 0
    emu.faults.add("body", method="POST", path=r"/remesh$", body="<html>oops</html>", work=True)
    r = post(emu, "remesh", body_for("remesh"))
    assert r.text == "<html>oops</html>" and emu.create_count() == 1  # made, answer replaced


def test_stream_error_with_a_status(emu):
    emu.configure(pending_seconds=0.2, run_seconds=0.4)
    task_id = create(emu, "remesh")
    emu.faults.add("stream_error", path=r"/stream$", status=503, message="overloaded")
    with requests.get(f"{emu.base_url}/openapi/v1/remesh/{task_id}/stream", headers=KEY, stream=True,
                      timeout=5) as r:
        events, _ = read_sse(r)
    assert events == [("error", {"status_code": 503, "message": "overloaded"})]
    emu.faults.add("stream_error", path=r"/stream$", status=500, events=1)
    with requests.get(f"{emu.base_url}/openapi/v1/remesh/{task_id}/stream", headers=KEY, stream=True,
                      timeout=5) as r:
        events, _ = read_sse(r)
    assert [e[0] for e in events] == ["message", "error"] and events[1][1]["status_code"] == 500


def test_hide_keeps_a_new_task_out_of_listings_gets_and_streams(emu):
    emu.faults.add("hide", path=r"/remesh$", seconds=0.5)
    hidden = create(emu, "remesh")
    seen = create(emu, "remesh")
    ids = [t["id"] for t in requests.get(f"{emu.base_url}/openapi/v1/remesh", headers=KEY, timeout=5).json()]
    assert ids == [seen]
    assert requests.get(f"{emu.base_url}/openapi/v1/remesh/{hidden}", headers=KEY, timeout=5).status_code == 404
    with requests.get(f"{emu.base_url}/openapi/v1/remesh/{hidden}/stream", headers=KEY, stream=True,
                      timeout=5) as r:
        events, _ = read_sse(r)
    assert events[0][0] == "error" and events[0][1]["status_code"] == 404
    time.sleep(0.55)
    assert wait(emu, "remesh", hidden, timeout=10)["status"] == "SUCCEEDED"  # visible after 0.5 s


def test_output_keys_adds_hostile_keys_to_finished_tasks(emu):
    task = wait(emu, "retexture", create(emu, "retexture"))
    emu.faults.add("output_keys", keys=["../../evil", "/abs"], times=None)
    again = get(emu, "retexture", task["id"])
    assert {"../../evil", "/abs"} <= set(again["model_urls"]) and "../../evil" in again["texture_urls"][0]
