"""The emulator itself, checked with plain `requests`: endpoints, auth, limits, lifecycle, SSE."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import trimesh
from PIL import Image, ImageDraw

from emulator import TEST_MODE_KEY, Emulator

ROOT = Path(__file__).resolve().parents[1]
KEY = {"Authorization": f"Bearer {TEST_MODE_KEY}"}
KINDS = ("image-to-image", "image-to-3d", "retexture", "remesh")
FAST = {"pending_seconds": 0.05, "run_seconds": 0.1, "rate_limit": 0, "queue_limit": 0,
        "balance": 100_000, "url_ttl": 3600, "keepalive_seconds": 0.03}


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A fresh emulator per test (starting one takes milliseconds), tuned to be fast."""
    e = Emulator(**FAST).start()
    yield e
    e.stop()


def png_uri(size: tuple[int, int] = (64, 96), color: tuple[int, int, int] = (200, 40, 40)) -> str:
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((4, 4, size[0] - 4, size[1] - 4), fill=color + (255,))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def model_uri(mesh: trimesh.Trimesh | None = None, fmt: str = "glb") -> str:
    mesh = mesh or trimesh.creation.icosphere(subdivisions=2)
    data = mesh.export(file_type=fmt)
    data = data.encode() if isinstance(data, str) else data
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def body_for(kind: str) -> dict[str, Any]:
    return {
        "image-to-image": {"ai_model": "nano-banana", "prompt": "make it blue",
                           "reference_image_urls": [png_uri()]},
        "image-to-3d": {"image_url": png_uri(), "target_formats": ["glb"]},
        "retexture": {"model_url": model_uri(), "text_style_prompt": "rusty metal",
                      "target_formats": ["glb"]},
        "remesh": {"model_url": model_uri(), "target_polycount": 200},
    }[kind]


def create(emu: Emulator, kind: str, body: dict[str, Any] | None = None) -> str:
    r = requests.post(f"{emu.base_url}/openapi/v1/{kind}", json=body or body_for(kind), headers=KEY)
    assert r.status_code in (200, 202), r.text
    return r.json()["result"]


def get(emu: Emulator, kind: str, task_id: str) -> dict[str, Any]:
    r = requests.get(f"{emu.base_url}/openapi/v1/{kind}/{task_id}", headers=KEY)
    assert r.status_code == 200, r.text
    return r.json()


def wait(emu: Emulator, kind: str, task_id: str, timeout: float = 10) -> dict[str, Any]:
    end = time.time() + timeout
    while time.time() < end:
        task = get(emu, kind, task_id)
        if task["status"] in ("SUCCEEDED", "FAILED", "CANCELED"):
            return task
        time.sleep(0.02)
    raise AssertionError("task did not finish")


def post(emu: Emulator, kind: str, body: Any) -> requests.Response:
    return requests.post(f"{emu.base_url}/openapi/v1/{kind}", json=body, headers=KEY)


@pytest.mark.parametrize("kind", KINDS)
def test_create_get_list_delete_each_kind(emu: Emulator, kind: str) -> None:
    task_id = create(emu, kind)
    task = wait(emu, kind, task_id)
    assert task["status"] == "SUCCEEDED" and task["progress"] == 100 and task["type"] == kind
    assert task["task_error"] == {"message": ""} and task["consumed_credits"] > 0
    assert task["finished_at"] >= task["started_at"] >= task["created_at"] > 1_600_000_000_000
    assert task["expires_at"] > task["finished_at"]
    listed = requests.get(f"{emu.base_url}/openapi/v1/{kind}", headers=KEY).json()
    assert task_id in [t["id"] for t in listed]
    r = requests.delete(f"{emu.base_url}/openapi/v1/{kind}/{task_id}", headers=KEY)
    assert r.status_code == 200 and r.content == b""
    r = requests.get(f"{emu.base_url}/openapi/v1/{kind}/{task_id}", headers=KEY)
    assert r.status_code == 404 and r.json()["message"]
    assert requests.delete(f"{emu.base_url}/openapi/v1/{kind}/{task_id}", headers=KEY).status_code == 404


def test_task_of_other_kind_is_404(emu: Emulator) -> None:
    task_id = create(emu, "remesh")
    assert requests.get(f"{emu.base_url}/openapi/v1/retexture/{task_id}", headers=KEY).status_code == 404


def test_auth(emu: Emulator) -> None:
    url = f"{emu.base_url}/openapi/v1/balance"
    assert requests.get(url).status_code == 401
    r = requests.get(url, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and "message" in r.json()
    assert requests.get(url, headers=KEY).status_code == 200
    emu.configure(keys=["msy_extra"])
    assert requests.get(url, headers={"Authorization": "Bearer msy_extra"}).status_code == 200


def test_balance_and_402(emu: Emulator) -> None:
    emu.balance = 35
    assert requests.get(f"{emu.base_url}/openapi/v1/balance", headers=KEY).json() == {"balance": 35}
    task_id = create(emu, "image-to-3d", {"image_url": png_uri(), "target_formats": ["glb"]})
    assert get(emu, "image-to-3d", task_id)["consumed_credits"] == 30
    assert emu.balance == 5
    before = emu.create_count()
    r = post(emu, "retexture", body_for("retexture"))
    assert r.status_code == 402 and r.json()["message"]
    assert emu.create_count() == before
    assert post(emu, "remesh", body_for("remesh")).status_code in (200, 202)  # 5 credits: fits


@pytest.mark.parametrize(("kind", "body", "word"), [
    ("remesh", [], "JSON object"),
    ("remesh", {}, "input_task_id"),
    ("remesh", {"model_url": "data:application/octet-stream;base64,!!!"}, "malformed"),
    ("remesh", {"model_url": "data:application/octet-stream;base64," + base64.b64encode(b"junk data").decode()},
     "model"),
    ("remesh", {"model_url": model_uri(), "target_polycount": 99}, "target_polycount"),
    ("remesh", {"model_url": model_uri(), "target_polycount": 300001}, "target_polycount"),
    ("remesh", {"model_url": model_uri(), "target_polycount": "500"}, "integer"),
    ("remesh", {"model_url": model_uri(), "decimation_mode": 5}, "decimation_mode"),
    ("remesh", {"model_url": model_uri(), "topology": "hex"}, "topology"),
    ("remesh", {"model_url": model_uri(), "target_formats": ["glb", "dwg"]}, "target_formats"),
    ("remesh", {"model_url": model_uri(), "auto_size": True, "resize_height": 1.5}, "auto_size"),
    ("remesh", {"input_task_id": "nope"}, "input_task_id"),
    ("retexture", {"model_url": model_uri()}, "text_style_prompt"),
    ("retexture", {"model_url": model_uri(), "text_style_prompt": "x" * 601}, "600"),
    ("retexture", {"model_url": model_uri(), "image_style_url": "data:image/gif;base64,R0lGODlh"}, "image"),
    ("retexture", {"model_url": model_uri(), "text_style_prompt": "a", "ai_model": "meshy-9"}, "ai_model"),
    ("retexture", {"model_url": model_uri(), "text_style_prompt": "a", "target_formats": ["blend"]},
     "target_formats"),
    ("image-to-3d", {}, "image_url"),
    ("image-to-3d", {"image_url": png_uri(), "should_texture": False, "enable_pbr": True}, "enable_pbr"),
    ("image-to-3d", {"image_url": png_uri(), "texture_prompt": "y" * 601}, "600"),
    ("image-to-3d", {"image_url": png_uri(), "pose_mode": "x-pose"}, "pose_mode"),
    ("image-to-3d", {"image_url": png_uri(), "should_remesh": "yes"}, "boolean"),
    ("image-to-3d", {"image_url": "data:image/png;base64," + base64.b64encode(b"GIF89a....").decode()}, "PNG"),
    ("image-to-image", {"prompt": "p", "reference_image_urls": [png_uri()]}, "ai_model"),
    ("image-to-image", {"ai_model": "nano-banana", "reference_image_urls": [png_uri()]}, "prompt"),
    ("image-to-image", {"ai_model": "nano-banana", "prompt": "p"}, "reference_image_urls"),
    ("image-to-image", {"ai_model": "nano-banana", "prompt": "p", "reference_image_urls": []}, "1 to 5"),
    ("image-to-image", {"ai_model": "nano-banana", "prompt": "p", "reference_image_urls": [png_uri()] * 6},
     "1 to 5"),
    ("image-to-image", {"ai_model": "dall-e", "prompt": "p", "reference_image_urls": [png_uri()]}, "ai_model"),
])
def test_validation_400(emu: Emulator, kind: str, body: Any, word: str) -> None:
    before = emu.create_count()
    r = post(emu, kind, body)
    assert r.status_code == 400, r.text
    assert word.lower() in r.json()["message"].lower()
    assert emu.create_count() == before


def test_input_task_rules(emu: Emulator) -> None:
    multi = create(emu, "image-to-image", {**body_for("image-to-image"), "generate_multi_view": True})
    task = wait(emu, "image-to-image", multi)
    assert len(task["image_urls"]) == 3 and task["consumed_credits"] == 9
    r = post(emu, "image-to-3d", {"input_task_id": multi})
    assert r.status_code == 400 and "exactly one" in r.json()["message"]
    remesh = create(emu, "remesh")
    r = post(emu, "remesh", {"input_task_id": remesh})  # remesh of a remesh: not an allowed kind
    assert r.status_code == 400
    emu.pending_seconds = 5
    pending = create(emu, "remesh")
    r = post(emu, "retexture", {"input_task_id": pending, "text_style_prompt": "a"})
    assert r.status_code == 400 and "SUCCEEDED" in r.json()["message"]
    wait(emu, "remesh", remesh)
    assert post(emu, "retexture", {"input_task_id": remesh, "text_style_prompt": "a",
                                   "target_formats": ["glb"]}).status_code in (200, 202)


def test_rate_limit_429(emu: Emulator) -> None:
    emu.rate_limit = 3
    codes = [requests.get(f"{emu.base_url}/openapi/v1/balance", headers=KEY) for _ in range(5)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited and "RateLimitExceeded" in limited[0].json()["message"]
    assert int(limited[0].headers["Retry-After"]) >= 1
    time.sleep(1.05)
    assert requests.get(f"{emu.base_url}/openapi/v1/balance", headers=KEY).status_code == 200


def test_queue_limit_429(emu: Emulator) -> None:
    emu.configure(queue_limit=2, pending_seconds=0.3)
    create(emu, "remesh")
    create(emu, "remesh")
    before = emu.create_count()
    r = post(emu, "remesh", body_for("remesh"))
    assert r.status_code == 429 and "NoMoreConcurrentTasks" in r.json()["message"]
    assert "Retry-After" in r.headers and emu.create_count() == before
    time.sleep(0.5)
    assert post(emu, "remesh", body_for("remesh")).status_code in (200, 202)


def test_lifecycle_pending_progress_succeeded(emu: Emulator) -> None:
    emu.configure(pending_seconds=0.3, run_seconds=1.0)
    first = create(emu, "remesh")
    second = create(emu, "remesh")
    t = get(emu, "remesh", second)
    assert t["status"] == "PENDING" and t["progress"] == 0 and t["started_at"] == 0
    assert t["finished_at"] == 0 and t["preceding_tasks"] == 1 and "model_urls" not in t
    time.sleep(0.45)
    t = get(emu, "remesh", first)
    assert t["status"] == "IN_PROGRESS" and 0 < t["progress"] < 100 and t["started_at"] > 0
    assert wait(emu, "remesh", first)["status"] == "SUCCEEDED"


def test_list_paging_and_sorting(emu: Emulator) -> None:
    ids = [create(emu, "image-to-image") for _ in range(3)]
    url = f"{emu.base_url}/openapi/v1/image-to-image"
    newest = requests.get(url, params={"page_size": 2, "sort_by": "-created_at"}, headers=KEY).json()
    assert [t["id"] for t in newest] == ids[::-1][:2]
    page2 = requests.get(url, params={"page_size": 2, "page_num": 2}, headers=KEY).json()
    assert page2[0]["id"] == ids[0]
    oldest = requests.get(url, params={"page_size": 50, "sort_by": "+created_at"}, headers=KEY).json()
    assert [t["id"] for t in oldest][-3:] == ids
    for bad in ({"page_size": 51}, {"page_size": 0}, {"page_num": 0}, {"sort_by": "name"}):
        assert requests.get(url, params=bad, headers=KEY).status_code == 400


def read_sse(resp: requests.Response) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    import json

    events, comments, name = [], 0, "message"
    for line in resp.iter_lines(decode_unicode=True):
        if line.startswith(":"):
            comments += 1
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line[5:])))
            name = "message"
    return events, comments


def test_stream_format(emu: Emulator) -> None:
    emu.configure(pending_seconds=1.0, run_seconds=0.3)  # PENDING is seen even on a busy core
    task_id = create(emu, "remesh")
    with requests.get(f"{emu.base_url}/openapi/v1/remesh/{task_id}/stream", headers=KEY,
                      stream=True) as r:
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/event-stream")
        events, comments = read_sse(r)
    assert all(name == "message" for name, _ in events)
    assert comments >= 1
    first = events[0][1]  # the whole object, as a captured real stream sends it
    assert first["status"] == "PENDING" and first["id"] == task_id and first["type"] == "remesh"
    assert first["created_at"] > 0 and first["started_at"] == 0 and first["task_error"] is None
    assert any(e["status"] == "IN_PROGRESS" for _, e in events)
    final = events[-1][1]
    assert final["status"] == "SUCCEEDED" and final["model_urls"]["glb"] and final["type"] == "remesh"


def test_stream_unknown_task(emu: Emulator) -> None:
    with requests.get(f"{emu.base_url}/openapi/v1/remesh/nope/stream", headers=KEY, stream=True) as r:
        assert r.status_code == 200
        events, _ = read_sse(r)
    assert events == [("error", {"status_code": 404, "message": "Task not found"})]


def test_signed_urls_expire_and_refresh(emu: Emulator) -> None:
    task = wait(emu, "remesh", create(emu, "remesh"))
    url = task["model_urls"]["glb"]
    r = requests.get(url)
    assert r.status_code == 200 and int(r.headers["Content-Length"]) == len(r.content) > 0
    assert requests.get(url.replace("Signature=", "Signature=0")).status_code == 403
    assert requests.get(url.split("?")[0]).status_code == 403
    emu.url_ttl = 0
    stale = get(emu, "remesh", task["id"])["model_urls"]["glb"]
    time.sleep(0.01)
    r = requests.get(stale)
    assert r.status_code == 403 and "expired" in r.json()["message"].lower()
    emu.url_ttl = 60
    fresh = get(emu, "remesh", task["id"])["model_urls"]["glb"]
    assert requests.get(fresh).status_code == 200


def test_request_log_and_stats(emu: Emulator) -> None:
    n = len(emu.log)
    requests.get(f"{emu.base_url}/openapi/v1/balance", headers=KEY)
    rec = emu.log[n]
    assert (rec["method"], rec["path"], rec["status"]) == ("GET", "/openapi/v1/balance", 200)
    assert "body_size" in rec
    stats = requests.get(f"{emu.base_url}/_emulator/stats").json()
    assert stats["created_total"] == emu.create_count()
    log = requests.get(f"{emu.base_url}/_emulator/log").json()
    assert log[-1]["path"] == "/openapi/v1/balance"


def test_http_control_config(emu: Emulator) -> None:
    r = requests.post(f"{emu.base_url}/_emulator/config", json={"balance": 7, "rate_limit": 0})
    assert r.status_code == 200 and r.json()["balance"] == 7 and emu.balance == 7
    assert requests.post(f"{emu.base_url}/_emulator/config", json={"nope": 1}).status_code == 400


def test_cli_prints_base_url() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--key", "k1",
                             "--balance", "12"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        r = requests.get(f"{base}/openapi/v1/balance", headers={"Authorization": "Bearer k1"})
        assert r.json() == {"balance": 12}
    finally:
        proc.terminate()
        proc.wait(5)
