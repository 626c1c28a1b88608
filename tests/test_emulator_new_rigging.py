"""Auto-rigging and animation through the emulator's API: real skinned files made by Blender in a child process.

One module-scoped emulator rigs a text-to-3d knight once and animates it once (about 5 s of Blender
in all); the tests read those tasks and their files. The clips playing in Blender are checked in
tests/blender/test_rig_outputs_play.py.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import requests
from test_emulator_api import FAST, KEY, read_sse
from test_emulator_new_kinds import PATHS, create, get, post, run, wait
from test_emulator_rigging import HAVE_BPY, accessor, clip_seconds, read_glb

from emulator import Emulator
from emulator.rigging.figure import humanoid_glb

pytestmark = pytest.mark.skipif(not HAVE_BPY, reason="bpy is not installed in this interpreter")
BASIC = {"walking_glb_url", "walking_fbx_url", "walking_armature_glb_url", "running_glb_url", "running_fbx_url",
         "running_armature_glb_url"}


@pytest.fixture(scope="module")
def rigged() -> Iterator[tuple[Emulator, dict[str, Any]]]:
    emu = Emulator(**FAST).start()
    knight = run(emu, "text-to-3d", {"mode": "preview", "prompt": "a knight", "pose_mode": "t-pose",
                                     "target_formats": ["glb"]})
    rig_id = create(emu, "rigging", {"input_task_id": knight["id"], "height_meters": 1.8})
    dance_id = None
    rig = wait(emu, "rigging", rig_id, timeout=240)
    if rig["status"] == "SUCCEEDED":
        dance_id = create(emu, "animations", {"rig_task_id": rig_id, "action_id": 22,
                                              "post_process": {"operation_type": "change_fps", "fps": 24}})
    tasks = {"knight": knight, "rig": rig,
             "dance": wait(emu, "animations", dance_id, timeout=240) if dance_id else None}
    yield emu, tasks
    emu.stop()


def fetch(url: str) -> bytes:
    r = requests.get(url, timeout=60)
    assert r.status_code == 200, r.text
    return r.content


def test_rigging_a_knight_gives_a_skinned_character_and_two_clips(rigged) -> None:
    emu, tasks = rigged
    rig = tasks["rig"]
    assert rig["status"] == "SUCCEEDED", rig["task_error"]
    assert rig["type"] == "rig" and rig["consumed_credits"] == 5 and rig["progress"] == 100
    result = rig["result"]
    assert set(result) == {"rigged_character_glb_url", "rigged_character_fbx_url", "basic_animations"}
    assert set(result["basic_animations"]) == BASIC
    doc, binary = read_glb(fetch(result["rigged_character_glb_url"]))
    (skin,) = doc["skins"]
    joints = {doc["nodes"][j]["name"] for j in skin["joints"]}
    assert {"Hips", "Spine", "Head", "LeftArm", "RightForeArm", "LeftUpLeg", "RightFoot"} <= joints
    attributes = doc["meshes"][0]["primitives"][0]["attributes"]
    weights = accessor(doc, binary, attributes["WEIGHTS_0"]).astype(float)
    assert np.allclose(weights.sum(axis=1), 1, atol=0.01)
    heights = accessor(doc, binary, attributes["POSITION"])[:, 1]
    assert heights.max() - heights.min() == pytest.approx(1.8, abs=0.01)  # height_meters
    assert fetch(result["rigged_character_fbx_url"]).startswith(b"Kaydara FBX Binary")
    for clip, seconds in (("walking", 1.0), ("running", 0.7)):
        doc, binary = read_glb(fetch(result["basic_animations"][f"{clip}_glb_url"]))
        (anim,) = doc["animations"]
        assert anim["name"] == clip.capitalize() and clip_seconds(doc, binary, anim) == pytest.approx(seconds, abs=0.02)
        legs = [c for c in anim["channels"] if doc["nodes"][c["target"]["node"]]["name"] == "LeftUpLeg"
                and c["target"]["path"] == "rotation"]
        turns = accessor(doc, binary, anim["samplers"][legs[0]["sampler"]]["output"])
        assert np.ptp(turns, axis=0).max() > 0.1  # the leg swings
        bones, _ = read_glb(fetch(result["basic_animations"][f"{clip}_armature_glb_url"]))
        assert "meshes" not in bones and len(bones["animations"]) == 1
        assert fetch(result["basic_animations"][f"{clip}_fbx_url"]).startswith(b"Kaydara FBX Binary")


def test_animation_plays_the_action_and_post_processes(rigged) -> None:
    emu, tasks = rigged
    dance = tasks["dance"]
    assert dance is not None and dance["status"] == "SUCCEEDED", dance and dance["task_error"]
    assert dance["type"] == "animate" and dance["consumed_credits"] == 3
    assert set(dance["result"]) == {"animation_glb_url", "animation_fbx_url", "processed_animation_fps_fbx_url"}
    doc, binary = read_glb(fetch(dance["result"]["animation_glb_url"]))
    assert [a["name"] for a in doc["animations"]] == ["FunnyDancing_01"] and len(doc["meshes"]) == 1
    assert clip_seconds(doc, binary, doc["animations"][0]) == pytest.approx(2.0, abs=0.02)
    fps24 = fetch(dance["result"]["processed_animation_fps_fbx_url"])
    assert fps24.startswith(b"Kaydara FBX Binary") and fps24 != fetch(dance["result"]["animation_fbx_url"])
    listed = requests.get(emu.base_url + PATHS["animations"], headers=KEY).json()
    assert dance["id"] in [t["id"] for t in listed]


def test_result_urls_at_the_top_level_when_switched(rigged) -> None:
    emu, tasks = rigged
    try:
        emu.configure(result_nesting="top")
        rig = get(emu, "rigging", tasks["rig"]["id"]).json()
        dance = get(emu, "animations", tasks["dance"]["id"]).json()
    finally:
        emu.configure(result_nesting="result")
    assert "result" not in rig and set(rig["basic_animations"]) == BASIC
    assert rig["rigged_character_glb_url"].split("?")[0] == tasks["rig"]["result"]["rigged_character_glb_url"].split(
        "?")[0]
    assert "result" not in dance and dance["animation_glb_url"]
    fetch(rig["rigged_character_glb_url"])


def test_stream_output_keys_and_delete_on_rigging(rigged) -> None:
    emu, tasks = rigged
    rig_id = tasks["rig"]["id"]
    with requests.get(f"{emu.base_url}{PATHS['rigging']}/{rig_id}/stream", headers=KEY, stream=True) as r:
        events, _ = read_sse(r)
    assert events[-1][1]["status"] == "SUCCEEDED" and set(events[-1][1]["result"]["basic_animations"]) == BASIC
    emu.faults.add(action="output_keys", path="rigging", keys=["../evil"])
    assert "../evil" in get(emu, "rigging", rig_id).json()["result"]
    assert "../evil" not in get(emu, "rigging", rig_id).json()["result"]


def test_animation_parameters_each_have_their_sentence(rigged) -> None:
    emu, tasks = rigged
    rig = tasks["rig"]["id"]
    cases = [
        ({"rig_task_id": rig}, "action_id is required"),
        ({"rig_task_id": rig, "action_id": -1}, "action_id must be an integer from 0 to 696"),
        ({"rig_task_id": rig, "action_id": 697}, "from 0 to 696"),
        ({"rig_task_id": rig, "action_id": 1.5}, "from 0 to 696"),
        ({"rig_task_id": rig, "action_id": "3"}, "from 0 to 696"),
        ({"rig_task_id": rig, "action_id": True}, "from 0 to 696"),
        ({"rig_task_id": rig, "action_id": 0, "post_process": "fast"}, "post_process must be an object"),
        ({"rig_task_id": rig, "action_id": 0, "post_process": {}}, "post_process.operation_type is required"),
        ({"rig_task_id": rig, "action_id": 0, "post_process": {"operation_type": "speedup"}},
         "operation_type must be one of: change_fps, fbx2usdz, extract_armature"),
        ({"rig_task_id": rig, "action_id": 0, "post_process": {"operation_type": "change_fps"}},
         "post_process.fps is required with change_fps"),
        ({"rig_task_id": rig, "action_id": 0, "post_process": {"operation_type": "change_fps", "fps": 23}},
         "fps must be 24, 25, 30 or 60"),
        ({"rig_task_id": rig, "action_id": 0, "post_process": {"operation_type": "change_fps", "fps": 30.0}},
         "fps must be 24, 25, 30 or 60"),
        ({"rig_task_id": rig, "action_id": 0, "post_process": {"operation_type": "fbx2usdz", "fps": 30}},
         "only for operation_type change_fps"),
        ({"rig_task_id": tasks["knight"]["id"], "action_id": 0}, "of kind rigging"),
    ]
    before = emu.create_count()
    for body, words in cases:
        r = post(emu, "animations", body)
        assert r.status_code == 400 and words in r.json()["message"], (body, r.text)
    assert emu.create_count() == before


def test_rigging_a_model_url_with_a_texture(rigged) -> None:
    emu, _ = rigged
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(buf, "PNG")
    body = {"model_url": "data:application/octet-stream;base64," + base64.b64encode(humanoid_glb("a")).decode(),
            "texture_image_url": "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()}
    task = wait(emu, "rigging", create(emu, "rigging", body), timeout=240)
    assert task["status"] == "SUCCEEDED", task["task_error"]
    doc, _ = read_glb(fetch(task["result"]["rigged_character_glb_url"]))
    assert doc.get("images") and doc["skins"]  # the texture went into the character
