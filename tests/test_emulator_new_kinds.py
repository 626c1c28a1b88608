"""The five kinds beyond the seeds (text-to-3d under /openapi/v2, multi-image-to-3d, text-to-image, rigging,
animations) over raw HTTP: endpoints, task types, one 400 sentence per mistake, costs, limits, every fault.

Rigging and animation outputs need Blender and live in test_emulator_new_rigging.py; here only what
is refused before any work, and what a failed rig looks like.
"""

from __future__ import annotations

import base64
import io
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import trimesh
from PIL import Image
from test_emulator_api import FAST, KEY, model_uri, png_uri, read_sse

from emulator import Emulator

# The contract's paths, written out here (not read from the emulator) so a wrong route fails.
PATHS = {"text-to-3d": "/openapi/v2/text-to-3d", "multi-image-to-3d": "/openapi/v1/multi-image-to-3d",
         "text-to-image": "/openapi/v1/text-to-image", "rigging": "/openapi/v1/rigging",
         "animations": "/openapi/v1/animations", "remesh": "/openapi/v1/remesh"}
PREVIEW = {"mode": "preview", "prompt": "a small cup", "target_formats": ["glb"]}
T2I = {"ai_model": "nano-banana", "prompt": "a red apple"}


@pytest.fixture
def emu() -> Iterator[Emulator]:
    e = Emulator(**FAST).start()
    yield e
    e.stop()


def post(emu: Emulator, kind: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(emu.base_url + PATHS[kind], json=body, headers=KEY if headers is None else headers)


def create(emu: Emulator, kind: str, body: dict[str, Any]) -> str:
    r = post(emu, kind, body)
    assert r.status_code in (200, 202), r.text
    return r.json()["result"]


def get(emu: Emulator, kind: str, task_id: str) -> requests.Response:
    return requests.get(f"{emu.base_url}{PATHS[kind]}/{task_id}", headers=KEY)


def wait(emu: Emulator, kind: str, task_id: str, timeout: float = 60) -> dict[str, Any]:
    end = time.time() + timeout
    while time.time() < end:
        task = get(emu, kind, task_id).json()
        if task["status"] in ("SUCCEEDED", "FAILED", "CANCELED"):
            return task
        time.sleep(0.02)
    raise AssertionError(f"{kind} task did not finish")


def run(emu: Emulator, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    task = wait(emu, kind, create(emu, kind, body))
    assert task["status"] == "SUCCEEDED", task
    return task


def jpeg_uri() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 30)).save(buf, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


# --- endpoints, types, listing ----------------------------------------------------------------

def test_meshys_mcp_key_check_lists_text_to_3d_under_v2(emu: Emulator) -> None:
    r = requests.get(emu.base_url + "/openapi/v2/text-to-3d", headers=KEY)
    assert r.status_code == 200 and r.json() == []
    assert requests.get(emu.base_url + "/openapi/v2/text-to-3d").status_code == 401
    assert requests.get(emu.base_url + "/openapi/v1/text-to-3d", headers=KEY).status_code == 404  # v1 is gone


def test_preview_and_refine_are_two_linked_tasks_on_one_path(emu: Emulator) -> None:
    preview = run(emu, "text-to-3d", PREVIEW)
    assert preview["type"] == "text-to-3d-preview" and preview["prompt"] == "a small cup"
    assert preview["texture_urls"] == [] and set(preview["model_urls"]) == {"glb"} and preview["thumbnail_url"]
    assert preview["consumed_credits"] == 20 and preview["task_error"] == {"message": ""}
    refine = run(emu, "text-to-3d", {"mode": "refine", "preview_task_id": preview["id"], "target_formats": ["glb"]})
    assert refine["type"] == "text-to-3d-refine" and refine["preview_task_id"] == preview["id"]
    assert refine["prompt"] == "a small cup" and refine["consumed_credits"] == 10
    assert list(refine["texture_urls"][0]) == ["base_color"]
    listed = requests.get(emu.base_url + PATHS["text-to-3d"], headers=KEY, params={"sort_by": "+created_at"}).json()
    assert [(t["id"], t["type"]) for t in listed] == [(preview["id"], "text-to-3d-preview"),
                                                      (refine["id"], "text-to-3d-refine")]
    assert emu.create_count("text-to-3d") == 2 and emu.create_count("text-to-3d-refine") == 1
    assert get(emu, "remesh", preview["id"]).status_code == 404  # a task is found under its own path only


@pytest.mark.parametrize(("kind", "body"), [
    ("text-to-3d", PREVIEW),
    ("multi-image-to-3d", {"image_urls": [png_uri()], "target_formats": ["glb"]}),
    ("text-to-image", T2I),
])
def test_create_get_list_stream_delete(emu: Emulator, kind: str, body: dict[str, Any]) -> None:
    emu.configure(pending_seconds=1.0, run_seconds=0.3)  # PENDING outlasts a busy CI core's stream start
    task_id = create(emu, kind, body)
    with requests.get(f"{emu.base_url}{PATHS[kind]}/{task_id}/stream", headers=KEY, stream=True) as r:
        assert r.headers["Content-Type"].startswith("text/event-stream")
        events, _ = read_sse(r)
    first, last = events[0][1], events[-1][1]
    assert first["status"] == "PENDING" and first["id"] == task_id and first["task_error"] is None
    assert last["status"] == "SUCCEEDED" and last["type"] == first["type"]
    results = "image_urls" if kind == "text-to-image" else "model_urls"
    assert first[results] in ([], {"glb": ""}) and last[results]
    task = get(emu, kind, task_id).json()
    assert task["finished_at"] >= task["started_at"] >= task["created_at"] > 1_600_000_000_000
    page = requests.get(emu.base_url + PATHS[kind], headers=KEY, params={"page_size": 1}).json()
    assert [t["id"] for t in page] == [task_id]
    r = requests.delete(f"{emu.base_url}{PATHS[kind]}/{task_id}", headers=KEY)
    assert r.status_code == 200 and r.content == b""
    assert get(emu, kind, task_id).status_code == 404
    with requests.get(f"{emu.base_url}{PATHS[kind]}/{task_id}/stream", headers=KEY, stream=True) as r:
        assert read_sse(r)[0] == [("error", {"status_code": 404, "message": "Task not found"})]


def test_rigging_has_no_listing_but_animations_do(emu: Emulator) -> None:
    r = requests.get(emu.base_url + PATHS["rigging"], headers=KEY)
    assert r.status_code == 405 and r.headers["Allow"] == "POST" and "GET each task by its id" in r.json()["message"]
    assert requests.get(emu.base_url + PATHS["rigging"]).status_code == 401  # the key is checked first
    assert requests.get(emu.base_url + PATHS["animations"], headers=KEY).json() == []
    assert get(emu, "rigging", "nope").status_code == 404
    assert requests.delete(f"{emu.base_url}{PATHS['rigging']}/nope", headers=KEY).status_code == 404


# --- validation: one 400 sentence per mistake, no task ------------------------------------------

@pytest.fixture(scope="module")
def made() -> Iterator[tuple[Emulator, dict[str, str]]]:
    """One emulator holding a task of each kind the validation cases chain from."""
    e = Emulator(**FAST).start()
    ids = {"preview": run(e, "text-to-3d", PREVIEW)["id"],
           "single": run(e, "text-to-image", T2I)["id"],
           "multi": run(e, "text-to-image", {**T2I, "generate_multi_view": True})["id"],
           "remesh": run(e, "remesh", {"model_url": model_uri(), "target_polycount": 200})["id"]}
    ids["refine"] = run(e, "text-to-3d", {"mode": "refine", "preview_task_id": ids["preview"],
                                          "target_formats": ["glb"]})["id"]
    e.configure(pending_seconds=30)
    ids["pending"] = create(e, "text-to-3d", PREVIEW)
    e.configure(pending_seconds=FAST["pending_seconds"])
    yield e, ids
    e.stop()


def _p(**kw: Any) -> dict[str, Any]:
    return {**PREVIEW, **kw}


def _r(**kw: Any) -> Callable[[dict[str, str]], dict[str, Any]]:
    return lambda ids: {"mode": "refine", "preview_task_id": ids["preview"], **kw}


GIF = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
CASES: list[tuple[str, Any, str]] = [
    ("text-to-3d", {}, "mode is required"),
    ("text-to-3d", {"mode": "draft", "prompt": "a cup"}, "mode must be one of"),
    ("text-to-3d", {"mode": "preview"}, "prompt is required"),
    ("text-to-3d", _p(prompt="x" * 601), "at most 600 characters"),
    ("text-to-3d", _p(prompt="   "), "prompt must not be empty"),
    ("text-to-3d", _p(prompt=5), "prompt must be a string"),
    ("text-to-3d", _p(model_type="hd"), "model_type must be one of"),
    ("text-to-3d", _p(ai_model="meshy-4"), "'meshy-4' is retired"),
    ("text-to-3d", _p(ai_model="meshy-9"), "ai_model must be one of"),
    ("text-to-3d", _p(topology="hex"), "topology must be one of"),
    ("text-to-3d", _p(target_polycount=99), "target_polycount must be between 100 and 300000"),
    ("text-to-3d", _p(target_polycount=300_001), "target_polycount must be between 100 and 300000"),
    ("text-to-3d", _p(target_polycount="500"), "target_polycount must be an integer"),
    ("text-to-3d", _p(should_remesh="yes"), "should_remesh must be a boolean"),
    ("text-to-3d", _p(pose_mode="x-pose"), "pose_mode must be one of"),
    ("text-to-3d", _p(decimation_mode=5), "decimation_mode must be one of"),
    ("text-to-3d", _p(symmetry_mode="sometimes"), "symmetry_mode must be one of"),
    ("text-to-3d", _p(art_style="anime"), "art_style must be one of"),
    ("text-to-3d", _p(target_formats=["glb", "dwg"]), "target_formats item 'dwg'"),
    ("text-to-3d", _p(target_formats=["blend"]), "target_formats item 'blend'"),
    ("text-to-3d", _p(target_formats=[]), "at least one format"),
    ("text-to-3d", _p(origin_at="top"), "origin_at must be one of"),
    ("text-to-3d", _p(moderation="no"), "moderation must be a boolean"),
    ("text-to-3d", _p(auto_size=1), "auto_size must be a boolean"),
    ("text-to-3d", {"mode": "refine"}, "preview_task_id is required"),
    ("text-to-3d", {"mode": "refine", "preview_task_id": "nope"}, "does not refer to an existing task"),
    ("text-to-3d", lambda ids: {"mode": "refine", "preview_task_id": ids["remesh"]}, "of kind text-to-3d"),
    ("text-to-3d", lambda ids: {"mode": "refine", "preview_task_id": ids["refine"]}, "refine takes a preview task"),
    ("text-to-3d", lambda ids: {"mode": "refine", "preview_task_id": ids["pending"]}, "has not SUCCEEDED"),
    ("text-to-3d", _r(texture_prompt="y" * 601), "at most 600 characters"),
    ("text-to-3d", _r(texture_image_url=GIF), "unsupported image type"),
    ("text-to-3d", _r(enable_pbr="yes"), "enable_pbr must be a boolean"),
    ("text-to-3d", _r(hd_texture=1), "hd_texture must be a boolean"),
    ("text-to-3d", _r(remove_lighting="x"), "remove_lighting must be a boolean"),
    ("text-to-3d", _r(ai_model="meshy-4"), "retired"),
    ("multi-image-to-3d", {}, "One of input_task_id or image_urls is required"),
    ("multi-image-to-3d", {"image_urls": []}, "1 to 4 images; got 0"),
    ("multi-image-to-3d", {"image_urls": [png_uri()] * 5}, "1 to 4 images; got 5"),
    ("multi-image-to-3d", {"image_urls": png_uri()}, "image_urls must be an array"),
    ("multi-image-to-3d", {"image_urls": [png_uri(), GIF]}, "image_urls[1] has unsupported image type"),
    ("multi-image-to-3d", lambda ids: {"input_task_id": ids["single"]}, "takes a multi-view set"),
    ("multi-image-to-3d", lambda ids: {"input_task_id": ids["remesh"]}, "image-to-image or text-to-image"),
    ("multi-image-to-3d", {"image_urls": [png_uri()], "should_texture": False, "enable_pbr": True},
     "enable_pbr is only supported when should_texture is true"),
    ("multi-image-to-3d", {"image_urls": [png_uri()], "multi_view_thumbnails": "yes"},
     "multi_view_thumbnails must be a boolean"),
    ("multi-image-to-3d", {"image_urls": [png_uri()], "texture_prompt": "z" * 601}, "at most 600"),
    ("text-to-image", {"prompt": "a cup"}, "ai_model is required"),
    ("text-to-image", {"ai_model": "dall-e", "prompt": "a cup"}, "ai_model must be one of"),
    ("text-to-image", {"ai_model": "nano-banana"}, "prompt is required"),
    ("text-to-image", {**T2I, "prompt": "p" * 601}, "at most 600"),
    ("text-to-image", {**T2I, "generate_multi_view": True, "aspect_ratio": "1:1"}, "cannot be used with aspect_ratio"),
    ("text-to-image", {**T2I, "aspect_ratio": "3:2"}, "'3:2' is not available for nano-banana"),
    ("text-to-image", {**T2I, "ai_model": "gpt-image-2", "aspect_ratio": "16:9"}, "not available for gpt-image-2"),
    ("text-to-image", {**T2I, "aspect_ratio": "5:4"}, "use one of: 1:1, 16:9, 9:16, 4:3, 3:4"),
    ("text-to-image", {**T2I, "aspect_ratio": 1.5}, "aspect_ratio must be a string"),
    ("text-to-image", {**T2I, "pose_mode": "x-pose"}, "pose_mode must be one of"),
    ("text-to-image", {**T2I, "alpha_thumbnail": "y"}, "alpha_thumbnail must be a boolean"),
    ("text-to-image", {**T2I, "generate_multi_view": 1}, "generate_multi_view must be a boolean"),
    ("rigging", {}, "One of input_task_id or model_url is required"),
    ("rigging", lambda ids: {"input_task_id": ids["preview"], "model_url": model_uri()}, "only one of"),
    ("rigging", lambda ids: {"input_task_id": ids["single"]}, "must refer to a task of kind text-to-3d or"),
    ("rigging", lambda ids: {"input_task_id": ids["pending"]}, "has not SUCCEEDED"),
    ("rigging", {"model_url": model_uri(fmt="obj")}, "must be a GLB model"),
    ("rigging", {"model_url": "data:application/octet-stream;base64,!!"}, "malformed data URI"),
    ("rigging", {"model_url": "https://example.com/hero.fbx"}, "must be a GLB model (.glb)"),
    ("rigging", {"model_url": model_uri(), "height_meters": 0}, "height_meters must be a positive number"),
    ("rigging", {"model_url": model_uri(), "height_meters": -1.7}, "height_meters must be a positive number"),
    ("rigging", {"model_url": model_uri(), "height_meters": 101}, "at most 100"),
    ("rigging", {"model_url": model_uri(), "height_meters": "1.7"}, "height_meters must be a number"),
    ("rigging", {"model_url": model_uri(), "texture_image_url": jpeg_uri()}, "must be a PNG image"),
    ("animations", {}, "rig_task_id is required"),
    ("animations", {"rig_task_id": "nope", "action_id": 0}, "does not refer to an existing task"),
    ("animations", lambda ids: {"rig_task_id": ids["preview"], "action_id": 0}, "of kind rigging"),
]


@pytest.mark.parametrize(("kind", "body", "words"), CASES, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(CASES)])
def test_each_mistake_is_one_400_sentence_and_no_task(made, kind: str, body: Any, words: str) -> None:
    emu, ids = made
    before, balance = emu.create_count(), emu.balance
    r = post(emu, kind, body(ids) if callable(body) else body)
    assert r.status_code == 400, r.text
    message = r.json()["message"]
    assert words in message and message.endswith(".") and "\n" not in message, message
    assert emu.create_count() == before and emu.balance == balance


def test_a_model_over_300000_faces_is_refused_for_rigging(emu: Emulator) -> None:
    heavy = trimesh.creation.icosphere(subdivisions=7)  # 327,680 faces
    r = post(emu, "rigging", {"model_url": model_uri(heavy)})
    assert r.status_code == 400 and r.json()["message"] == (
        "The model has 327,680 faces; rigging takes at most 300,000 (remesh it to fewer first).")
    assert emu.create_count() == 0


def test_chaining_rules_per_kind(emu: Emulator) -> None:
    single = run(emu, "text-to-image", T2I)["id"]
    multi = run(emu, "text-to-image", {**T2I, "generate_multi_view": True})["id"]
    one = requests.post(emu.base_url + "/openapi/v1/image-to-3d", json={"input_task_id": single,
                                                                        "target_formats": ["glb"]}, headers=KEY)
    assert one.status_code == 202
    r = requests.post(emu.base_url + "/openapi/v1/image-to-3d", json={"input_task_id": multi}, headers=KEY)
    assert r.status_code == 400 and "exactly one" in r.json()["message"]
    assert post(emu, "multi-image-to-3d", {"input_task_id": multi, "target_formats": ["glb"]}).status_code == 202
    preview = run(emu, "text-to-3d", PREVIEW)["id"]
    for path, body in (("/openapi/v1/remesh", {"input_task_id": preview, "target_polycount": 300}),
                       ("/openapi/v1/retexture", {"input_task_id": preview, "text_style_prompt": "gold",
                                                  "target_formats": ["glb"]})):
        assert requests.post(emu.base_url + path, json=body, headers=KEY).status_code == 202
    mi = run(emu, "multi-image-to-3d", {"image_urls": [png_uri()], "target_formats": ["glb"]})["id"]
    r = requests.post(emu.base_url + "/openapi/v1/remesh", json={"input_task_id": mi, "target_polycount": 300},
                      headers=KEY)
    assert r.status_code == 202  # the demo's chain: multi-image-to-3d, then remesh


# --- credits, refunds, limits -----------------------------------------------------------------

@pytest.mark.parametrize(("kind", "body", "cost"), [
    ("text-to-3d", PREVIEW, 20),
    ("text-to-3d", {**PREVIEW, "ai_model": "meshy-6"}, 20),
    ("text-to-3d", {**PREVIEW, "ai_model": "meshy-5", "target_polycount": 300}, 5),  # meshy-5 remeshes
    ("text-to-3d", {**PREVIEW, "ai_model": "meshy-5", "model_type": "lowpoly"}, 20),
    ("multi-image-to-3d", {"image_urls": [png_uri()], "target_formats": ["glb"]}, 30),
    ("multi-image-to-3d", {"image_urls": [png_uri()], "target_formats": ["glb"], "should_texture": False}, 20),
    ("multi-image-to-3d", {"image_urls": [png_uri()], "target_formats": ["glb"], "ai_model": "meshy-5"}, 15),
    ("multi-image-to-3d", {"image_urls": [png_uri()], "target_formats": ["glb"], "ai_model": "meshy-5",
                           "should_texture": False}, 5),
    ("text-to-image", T2I, 3),
    ("text-to-image", {**T2I, "ai_model": "nano-banana-2"}, 6),
    ("text-to-image", {**T2I, "ai_model": "nano-banana-pro"}, 9),
    ("text-to-image", {**T2I, "ai_model": "gpt-image-2", "aspect_ratio": "2:3"}, 9),
    ("text-to-image", {**T2I, "generate_multi_view": True}, 9),  # "3 credits per image", three views
])
def test_documented_costs_are_charged_at_create(emu: Emulator, kind: str, body: dict[str, Any], cost: int) -> None:
    before = emu.balance
    task_id = create(emu, kind, body)
    assert emu.balance == before - cost
    assert wait(emu, kind, task_id)["consumed_credits"] == cost


def test_refine_costs_10_and_a_failed_task_is_refunded(emu: Emulator) -> None:
    preview = run(emu, "text-to-3d", PREVIEW)["id"]
    before = emu.balance
    emu.faults.add(action="fail_task", path=r"/openapi/v2/text-to-3d$", message="busy", code="busy")
    failed = wait(emu, "text-to-3d", create(emu, "text-to-3d", {"mode": "refine", "preview_task_id": preview}))
    assert failed["status"] == "FAILED" and failed["type"] == "text-to-3d-refine"
    assert failed["consumed_credits"] == 0 and failed["task_error"]["message"] == "busy"
    assert emu.balance == before
    create(emu, "text-to-3d", {"mode": "refine", "preview_task_id": preview, "target_formats": ["glb"]})
    assert emu.balance == before - 10


def test_401_402_and_both_429s_on_the_new_paths(emu: Emulator) -> None:
    assert post(emu, "text-to-3d", PREVIEW, headers={"Authorization": "Bearer wrong"}).status_code == 401
    emu.balance = 19
    r = post(emu, "text-to-3d", PREVIEW)
    assert r.status_code == 402 and "costs 20 credits" in r.json()["message"] and emu.create_count() == 0
    emu.configure(balance=1000, queue_limit=1, pending_seconds=0.5)
    create(emu, "text-to-image", T2I)
    r = post(emu, "rigging", {"model_url": model_uri()})
    assert r.status_code == 429 and "NoMoreConcurrentTasks" in r.json()["message"] and "Retry-After" in r.headers
    emu.configure(queue_limit=0, rate_limit=2)
    codes = [requests.get(emu.base_url + PATHS["text-to-3d"], headers=KEY).status_code for _ in range(4)]
    assert 429 in codes


def test_a_rig_without_blender_fails_with_one_sentence_and_is_refunded(emu: Emulator, monkeypatch,
                                                                      tmp_path) -> None:
    no_bpy = tmp_path / "python-without-bpy"
    no_bpy.write_text(f"#!/bin/sh\nexec {sys.executable} -S -I \"$@\"\n")  # no site-packages: no bpy
    no_bpy.chmod(0o755)
    monkeypatch.setenv("MESHY_EMULATOR_BPY_PYTHON", str(no_bpy))
    monkeypatch.delenv("MESHY_EMULATOR_BLENDER", raising=False)
    before = emu.balance
    task = wait(emu, "rigging", create(emu, "rigging", {"model_url": model_uri()}))
    assert task["status"] == "FAILED" and task["type"] == "rig" and task["consumed_credits"] == 0
    assert task["task_error"]["message"].startswith("Rigging failed: Blender's bpy module is not importable")
    assert task["task_error"]["code"] == "rigging_failed" and "result" not in task
    assert emu.balance == before


# --- every fault on the new paths -------------------------------------------------------------

V2 = r"/openapi/v2/text-to-3d"


def test_status_reset_latency_and_body_faults_hit_v2_paths(emu: Emulator) -> None:
    url = emu.base_url + V2
    emu.faults.add(action="status", method="POST", path=V2 + "$", status=503, retry_after=1)
    r = post(emu, "text-to-3d", PREVIEW)
    assert r.status_code == 503 and r.headers["Retry-After"] == "1" and emu.create_count() == 0
    emu.faults.add(action="reset", method="GET", path=V2 + "$")
    with pytest.raises(requests.ConnectionError):
        requests.get(url, headers=KEY)
    emu.faults.add(action="latency", method="GET", path=V2 + "$", seconds=0.3)
    start = time.monotonic()
    assert requests.get(url, headers=KEY).status_code == 200 and time.monotonic() - start >= 0.3
    emu.faults.add(action="body", method="GET", path=V2 + "$", status=502, body="<html>bad gateway</html>")
    r = requests.get(url, headers=KEY)
    assert r.status_code == 502 and r.text == "<html>bad gateway</html>"


def test_lose_response_and_hide_make_the_task_all_the_same(emu: Emulator) -> None:
    emu.faults.add(action="lose_response", method="POST", path=r"/text-to-image$")
    with pytest.raises(requests.ConnectionError):
        post(emu, "text-to-image", T2I)
    assert emu.create_count("text-to-image") == 1
    (lost,) = requests.get(emu.base_url + PATHS["text-to-image"], headers=KEY).json()
    emu.faults.add(action="hide", path=V2, seconds=0.4)
    hidden = create(emu, "text-to-3d", PREVIEW)
    assert get(emu, "text-to-3d", hidden).status_code == 404
    assert requests.get(emu.base_url + V2, headers=KEY).json() == []
    time.sleep(0.45)
    assert get(emu, "text-to-3d", hidden).status_code == 200 and lost["type"] == "text-to-image"


def test_stream_faults_on_v2(emu: Emulator) -> None:
    emu.configure(pending_seconds=1.0, run_seconds=0.3)  # the first event is PENDING, even on a busy core
    task_id = create(emu, "text-to-3d", PREVIEW)
    url = f"{emu.base_url}{V2}/{task_id}/stream"
    emu.faults.add(action="drop_stream", path=V2 + r"/[^/]+/stream$", events=1)
    with requests.get(url, headers=KEY, stream=True) as r:
        events, _ = read_sse(r)
    assert len(events) == 1 and events[0][1]["status"] == "PENDING"
    emu.faults.add(action="stream_error", path="text-to-3d", status=500, message="Internal", events=1)
    with requests.get(url, headers=KEY, stream=True) as r:
        events, _ = read_sse(r)
    assert [name for name, _ in events] == ["message", "error"] and events[1][1]["status_code"] == 500
    with requests.get(url, headers=KEY, stream=True) as r:
        assert read_sse(r)[0][-1][1]["status"] == "SUCCEEDED"


def test_file_faults_and_fail_task_on_the_v1_kinds(emu: Emulator) -> None:
    image = run(emu, "text-to-image", T2I)["image_urls"][0]
    emu.faults.add(action="truncate", path=r"image_0\.png$", fraction=0.5)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(image).content  # noqa: B018 - reading is the test
    emu.faults.add(action="expire", path="/_files/")
    assert requests.get(image).status_code == 403
    assert requests.get(image).status_code == 200
    emu.faults.add(action="fail_task", path=r"/multi-image-to-3d$", message="too complex", code="image_too_complex")
    failed = wait(emu, "multi-image-to-3d", create(emu, "multi-image-to-3d", {"image_urls": [png_uri()]}))
    assert failed["status"] == "FAILED" and failed["task_error"]["code"] == "image_too_complex"


def test_output_keys_reach_the_new_kinds_in_get_list_and_stream(emu: Emulator) -> None:
    preview = run(emu, "text-to-3d", PREVIEW)
    emu.faults.add(action="output_keys", path="text-to-3d", keys=["../../evil"], times=None)
    assert "../../evil" in get(emu, "text-to-3d", preview["id"]).json()["model_urls"]
    (listed,) = requests.get(emu.base_url + V2, headers=KEY).json()
    assert "../../evil" in listed["model_urls"]
    with requests.get(f"{emu.base_url}{V2}/{preview['id']}/stream", headers=KEY, stream=True) as r:
        assert "../../evil" in read_sse(r)[0][-1][1]["model_urls"]


def test_result_nesting_is_a_checked_setting(emu: Emulator) -> None:
    assert emu.config()["result_nesting"] == "result"
    r = requests.post(emu.base_url + "/_emulator/config", json={"result_nesting": "flat"})
    assert r.status_code == 400 and r.json()["message"] == "result_nesting must be one of result, top; got 'flat'."
    assert requests.post(emu.base_url + "/_emulator/config", json={"result_nesting": "top"}).json()[
        "result_nesting"] == "top"
    with pytest.raises(ValueError, match="result_nesting must be one of"):
        Emulator(result_nesting=1)
