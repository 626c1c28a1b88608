"""Each switchable fault of the emulator, from Python and over HTTP."""

from __future__ import annotations

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


def balance(emu: Emulator) -> requests.Response:
    return requests.get(f"{emu.base_url}/openapi/v1/balance", headers=KEY)


def test_latency(emu: Emulator) -> None:
    emu.faults.add(action="latency", method="GET", path=r"/balance$", seconds=0.8)
    t = time.monotonic()
    assert balance(emu).status_code == 200
    assert time.monotonic() - t >= 0.8
    t = time.monotonic()
    balance(emu)
    assert time.monotonic() - t < 0.6  # times=1: only the first request (slack for a loaded machine)


def test_reset(emu: Emulator) -> None:
    emu.faults.add(action="reset", path=r"/balance$", times=2)
    for _ in range(2):
        with pytest.raises(requests.ConnectionError):
            balance(emu)
    assert balance(emu).status_code == 200
    assert emu.log[0]["status"] == 0


def test_status_with_retry_after(emu: Emulator) -> None:
    emu.faults.add(action="status", method="GET", path="/balance", status=503, retry_after=2,
                   message="maintenance")
    r = balance(emu)
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert r.json() == {"message": "maintenance"}
    assert balance(emu).status_code == 200


def test_status_on_create_makes_no_task(emu: Emulator) -> None:
    emu.faults.add(action="status", method="POST", path="/remesh$", status=502)
    assert post(emu, "remesh", body_for("remesh")).status_code == 502
    assert emu.create_count() == 0


def test_drop_stream(emu: Emulator) -> None:
    emu.configure(pending_seconds=0.1, run_seconds=0.3)
    task_id = create(emu, "remesh")
    emu.faults.add(action="drop_stream", path="/stream$", events=2)
    url = f"{emu.base_url}/openapi/v1/remesh/{task_id}/stream"
    with requests.get(url, headers=KEY, stream=True) as r:
        events, _ = read_sse(r)
    assert len(events) == 2 and events[-1][1]["status"] in ("PENDING", "IN_PROGRESS")
    with requests.get(url, headers=KEY, stream=True) as r:  # reconnect: runs to the end
        events, _ = read_sse(r)
    assert events[-1][1]["status"] == "SUCCEEDED"


def test_truncate(emu: Emulator) -> None:
    task = wait(emu, "remesh", create(emu, "remesh"))
    emu.faults.add(action="truncate", path=r"model\.glb$", fraction=0.3)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(task["model_urls"]["glb"]).content  # noqa: B018 - reading is the test
    r = requests.get(task["model_urls"]["glb"])
    assert r.status_code == 200 and len(r.content) == int(r.headers["Content-Length"])


def test_expire(emu: Emulator) -> None:
    task = wait(emu, "remesh", create(emu, "remesh"))
    emu.faults.add(action="expire", path="/_files/")
    r = requests.get(task["model_urls"]["glb"])
    assert r.status_code == 403 and "expired" in r.json()["message"]
    assert requests.get(task["model_urls"]["glb"]).status_code == 200


def test_fail_task(emu: Emulator) -> None:
    before = emu.balance
    emu.faults.add(action="fail_task", path="/remesh$", message="too complex", type="invalid_input",
                   code="image_too_complex")
    failed = wait(emu, "remesh", create(emu, "remesh"))
    assert failed["status"] == "FAILED" and failed["consumed_credits"] == 0
    assert failed["task_error"] == {"message": "too complex", "type": "invalid_input",
                                    "code": "image_too_complex"}
    assert emu.balance == before  # refunded
    assert "model_urls" not in failed
    assert wait(emu, "remesh", create(emu, "remesh"))["status"] == "SUCCEEDED"


def test_fail_task_other_kind_untouched(emu: Emulator) -> None:
    emu.faults.add(action="fail_task", path="/retexture$")
    assert wait(emu, "remesh", create(emu, "remesh"))["status"] == "SUCCEEDED"
    assert len(emu.faults.list()) == 1


def test_faults_over_http_and_clear(emu: Emulator) -> None:
    r = requests.post(f"{emu.base_url}/_emulator/faults",
                      json={"action": "status", "path": "/balance", "status": 500, "times": 3})
    assert r.status_code == 200 and r.json()["id"]
    assert balance(emu).status_code == 500
    assert requests.get(f"{emu.base_url}/_emulator/faults").json()[0]["times"] == 2
    assert requests.delete(f"{emu.base_url}/_emulator/faults").status_code == 200
    assert balance(emu).status_code == 200
    bad = requests.post(f"{emu.base_url}/_emulator/faults", json={"action": "explode"})
    assert bad.status_code == 400
    emu.faults.add(action="status", status=500, times=None)
    assert balance(emu).status_code == 500 and balance(emu).status_code == 500
    emu.faults.clear()
    assert balance(emu).status_code == 200


def test_fault_does_not_hit_control_endpoints(emu: Emulator) -> None:
    emu.faults.add(action="reset", times=None)
    assert requests.get(f"{emu.base_url}/_emulator/stats").status_code == 200


def test_get_during_fault_free_run(emu: Emulator) -> None:
    task_id = create(emu, "image-to-image")
    assert get(emu, "image-to-image", task_id)["id"] == task_id
