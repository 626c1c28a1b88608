"""The five kinds beyond the seeds against the real emulator on loopback: every call on the kind's own path,
what each kind downloads, nested and top-level results, expired URLs, journal, resume, doubt and import by id.

Rigging and animation run Blender in the emulator's child process (about 1.5 s a task), so they are few.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from test_engine import make_engine

from client import (
    AnimationRequest,
    FileInput,
    Kind,
    MeshyClient,
    MultiImageTo3DRequest,
    NotFoundError,
    RiggingRequest,
    TextTo3DPreviewRequest,
    TextTo3DRefineRequest,
    TextToImageRequest,
    ValidationError,
    notices,
)
from client.engine import Job
from client.journal import JobState, Journal
from client.models import post_process
from client.retry import fast_policy
from conftest import TEST_KEY

pytest.importorskip("trimesh")


@pytest.fixture
def client(emu) -> MeshyClient:
    c = MeshyClient(TEST_KEY, emu.base_url, timeout=(2, 10), retry_policy=fast_policy())
    yield c
    c.close()


def png(tmp_path: Path, name: str, color: tuple[int, int, int]) -> FileInput:
    path = tmp_path / name
    Image.new("RGB", (64, 64), color).save(path)
    return FileInput.image(path)


def paths(emu, method: str | None = None) -> list[str]:
    return [r["path"] for r in emu.log if method is None or r["method"] == method]


def preview(client: MeshyClient, prompt: str = "a red mushroom") -> str:
    req = TextTo3DPreviewRequest(prompt=prompt, target_formats=["glb"])
    return client.wait(Kind.TEXT_TO_3D, client.create(Kind.TEXT_TO_3D, req)).id


# ----------------------------------------------------------------- text to 3d: v2, two stages


def test_text_to_3d_preview_and_refine_on_v2_everywhere(client: MeshyClient, emu, tmp_path: Path) -> None:
    preview_id = client.create(Kind.TEXT_TO_3D, TextTo3DPreviewRequest(prompt="a red mushroom", target_polycount=800))
    first = client.get(Kind.TEXT_TO_3D, preview_id)
    assert first.id == preview_id and first.type == "text-to-3d-preview"
    updates = list(client.stream(Kind.TEXT_TO_3D, preview_id))
    done = updates[-1]
    assert done.succeeded and done.model_urls["glb"] and done.texture_urls == [] and done.consumed_credits == 20
    refine_id = client.create(Kind.TEXT_TO_3D, TextTo3DRefineRequest(preview_task_id=preview_id, enable_pbr=True))
    refined = client.wait(Kind.TEXT_TO_3D, refine_id)
    assert refined.type == "text-to-3d-refine" and refined.get("preview_task_id") == preview_id
    assert {"base_color", "metallic", "roughness", "normal"} <= set(refined.texture_urls[0])
    assert refined.consumed_credits == 10
    assert [t.id for t in client.list_page(Kind.TEXT_TO_3D)] == [refine_id, preview_id]
    assert [t.id for t in client.list(Kind.TEXT_TO_3D, page_size=1)] == [refine_id, preview_id]
    client.delete(Kind.TEXT_TO_3D, refine_id)
    with pytest.raises(NotFoundError):
        client.get(Kind.TEXT_TO_3D, refine_id)
    with pytest.raises(NotFoundError):
        client.get(Kind.TEXT_TO_3D, "a/b?c")
    api = [p for p in paths(emu) if p.startswith("/openapi/")]
    assert api and all(p.startswith("/openapi/v2/text-to-3d") for p in api), api
    assert "/openapi/v2/text-to-3d/a%2Fb%3Fc" in api  # the id stays one encoded segment
    assert {p.rsplit("/", 1)[-1] for p in api if p.endswith("/stream")} == {"stream"}


def test_text_to_3d_engine_jobs_download_like_image_to_3d(emu, tmp_path: Path) -> None:
    engine = make_engine(emu, tmp_path)
    job = engine.submit(Job("text-to-3d", TextTo3DPreviewRequest(prompt="a wooden chair", target_formats=["glb"])))
    done = engine.run([job], timeout=60)[job]
    assert done.type == "succeeded", done.message
    assert set(done.files) == {"model", "thumbnail"}  # a preview has no textures
    refine = engine.submit(Job("text-to-3d", TextTo3DRefineRequest(preview_task_id=done.task_id, enable_pbr=True)))
    result = engine.run([refine], timeout=60)[refine]
    assert result.type == "succeeded", result.message
    assert {"model", "thumbnail", "base_color", "metallic", "roughness", "normal"} <= set(result.files)
    assert Path(result.files["model"]).name == "model.glb"
    assert Path(result.files["model"]).parent == tmp_path / "dl" / "text-to-3d" / result.task_id
    assert engine.cached_files("text-to-3d", result.task_id) == result.files
    engine.close()


# ----------------------------------------------------------------- images: text to image, multi-image to 3d


def test_text_to_image_chains_into_multi_image_to_3d_without_upload(emu, tmp_path: Path) -> None:
    engine = make_engine(emu, tmp_path)
    t2i = engine.submit(Job("text-to-image", TextToImageRequest(
        ai_model="nano-banana", prompt="a blue robot", generate_multi_view=True, alpha_thumbnail=True,
        multi_view_thumbnails=True)))
    images = engine.run([t2i], timeout=60)[t2i]
    assert images.type == "succeeded", images.message
    assert {"image_0", "image_1", "image_2", "alpha_thumbnail"} <= set(images.files)
    assert {n for n in images.files if n.startswith("thumbnail_")} == {
        "thumbnail_front", "thumbnail_right", "thumbnail_back", "thumbnail_left"}
    alpha = Image.open(images.files["alpha_thumbnail"])
    assert alpha.mode == "RGBA"
    assert engine.cached_files("text-to-image", images.task_id) == images.files
    record = json.loads((Path(images.files["image_0"]).parent / "task.json").read_text())
    assert record["task"]["id"] == images.task_id and set(record["files"]) == set(images.files)

    uploads_before = sum(r["body_size"] for r in emu.log if r["method"] == "POST")
    mi = engine.submit(Job("multi-image-to-3d", MultiImageTo3DRequest(input_task_id=images.task_id,
                                                                      target_formats=["glb"])))
    model = engine.run([mi], timeout=60)[mi]
    assert model.type == "succeeded", model.message
    assert {"model", "base_color", "thumbnail"} <= set(model.files)
    chained = [r for r in emu.log if r["method"] == "POST" and r["path"] == "/openapi/v1/multi-image-to-3d"]
    assert len(chained) == 1 and chained[0]["body_size"] < 200  # an id, not images
    assert sum(r["body_size"] for r in emu.log if r["method"] == "POST") - uploads_before < 200
    engine.close()


def test_multi_image_to_3d_from_files_and_its_contract(client: MeshyClient, emu, tmp_path: Path) -> None:
    images = [png(tmp_path, "front.png", (200, 30, 30)), png(tmp_path, "back.png", (30, 30, 200))]
    task_id = client.create(Kind.MULTI_IMAGE_TO_3D, MultiImageTo3DRequest(image_urls=images, should_texture=False,
                                                                          multi_view_thumbnails=True))
    task = client.wait(Kind.MULTI_IMAGE_TO_3D, task_id)
    assert task.type == "multi-image-to-3d" and task.consumed_credits == 20 and task.model_urls["glb"]
    assert set(task.thumbnail_urls) == {"front", "right", "back", "left"}
    assert [t.id for t in client.list_page(Kind.MULTI_IMAGE_TO_3D)] == [task_id]
    client.delete(Kind.MULTI_IMAGE_TO_3D, task_id)
    with pytest.raises(NotFoundError):
        client.get(Kind.MULTI_IMAGE_TO_3D, task_id)
    with pytest.raises(ValidationError, match="image_urls must hold 1 to 4"):
        client.create(Kind.MULTI_IMAGE_TO_3D, MultiImageTo3DRequest(image_urls=images * 3))
    assert emu.create_count() == 1


def test_an_aspect_ratio_the_model_does_not_make_is_refused_before_sending(client: MeshyClient, emu) -> None:
    with pytest.raises(ValidationError, match="aspect_ratio 16:9 is not offered by gpt-image-2"):
        client.create(Kind.TEXT_TO_IMAGE, TextToImageRequest(ai_model="gpt-image-2", prompt="x", aspect_ratio="16:9"))
    assert emu.log == []
    task = client.wait(Kind.TEXT_TO_IMAGE, client.create(Kind.TEXT_TO_IMAGE, TextToImageRequest(
        ai_model="gpt-image-2", prompt="a red apple", aspect_ratio="3:2")))
    assert task.consumed_credits == 9 and len(task.image_urls) == 1


# ----------------------------------------------------------------- rigging and animation


@pytest.mark.parametrize("nesting", ["result", "top"])
def test_rig_and_animate_download_their_files_wherever_the_urls_sit(emu, tmp_path: Path, nesting: str) -> None:
    emu.configure(result_nesting=nesting)
    engine = make_engine(emu, tmp_path)
    client = engine.client
    source = preview(client, "a knight")
    # the first download of these files finds its signed URL expired: a fresh one comes from a GET of the task
    emu.faults.add(action="expire", path=r"/rigged_character\.glb$", times=1)
    emu.faults.add(action="expire", path=r"/walking\.glb$", times=1)
    rig = engine.submit(Job("rigging", RiggingRequest(input_task_id=source, height_meters=1.8)))
    rigged = engine.run([rig], timeout=120)[rig]
    assert rigged.type == "succeeded", rigged.message
    assert {n: Path(p).name for n, p in rigged.files.items()} == {
        "character": "character.glb", "character_fbx": "character.fbx", "walking": "walking.glb",
        "running": "running.glb"}
    assert all(Path(p).read_bytes()[:4] == b"glTF" for n, p in rigged.files.items() if p.endswith(".glb"))
    assert ("result" in rigged.task.raw) == (nesting == "result")
    assert engine.cached_files("rigging", rigged.task_id) == rigged.files
    gets = [p for p in paths(emu, "GET") if p == f"/openapi/v1/rigging/{rigged.task_id}"]
    assert len(gets) >= 2  # the follow's own, and the refresh of the expired URLs

    anim = engine.submit(Job("animations", AnimationRequest(rig_task_id=rigged.task_id, action_id=1,
                                                            post_process=post_process("change_fps", 30))))
    animated = engine.run([anim], timeout=120)[anim]
    assert animated.type == "succeeded", animated.message
    assert {n: Path(p).name for n, p in animated.files.items()} == {
        "animation": "animation.glb", "animation_fbx": "animation.fbx", "processed_fps_fbx": "processed_fps.fbx"}
    assert engine.cached_files("animations", animated.task_id) == animated.files
    assert emu.create_count("rigging") == 1 and emu.create_count("animations") == 1
    assert not any(p in ("/openapi/v1/rigging", "/openapi/v1/animations") for p in paths(emu, "GET"))  # never listed
    engine.close()


def test_a_lost_rigging_create_is_never_sent_again_and_is_left_to_the_user(emu, tmp_path: Path) -> None:
    engine = make_engine(emu, tmp_path)
    source = preview(engine.client, "a robot")
    emu.faults.add(action="lose_response", method="POST", path=r"/openapi/v1/rigging$")
    job = engine.submit(Job("rigging", RiggingRequest(input_task_id=source)))
    result = engine.run([job], timeout=60)[job]
    assert result.type == "failed" and result.message == notices.unlistable("rigging")
    assert "no list of Auto-Rigging tasks" in result.message
    assert Journal(tmp_path / "journal.jsonl").jobs()[job]["state"] == JobState.UNRESOLVED
    assert emu.create_count("rigging") == 1 and paths(emu, "POST").count("/openapi/v1/rigging") == 1
    assert "/openapi/v1/rigging" not in paths(emu, "GET")  # no listing was tried
    assert engine.resume() == []  # finished: the user decides, nothing is created again
    engine.close()


# ----------------------------------------------------------------- journal, resume, doubt, import by id


def test_a_text_to_3d_job_resumes_after_a_restart_without_a_second_create(emu, tmp_path: Path) -> None:
    emu.run_seconds = 1.0
    first = make_engine(emu, tmp_path)
    job = first.submit(Job("text-to-3d", TextTo3DPreviewRequest(prompt="a tall lamp", target_formats=["glb"])))
    while not Journal(tmp_path / "journal.jsonl").unfinished():
        pass
    first.close()
    record = Journal(tmp_path / "journal.jsonl").jobs()[job]
    assert record["kind"] == "text-to-3d" and record["request"]["mode"] == "preview"
    second = make_engine(emu, tmp_path)
    assert second.resume() == [job]
    result = second.run([job], timeout=60)[job]
    assert result.type == "succeeded" and set(result.files) == {"model", "thumbnail"}
    assert emu.create_count("text-to-3d") == 1
    second.close()


def test_a_lost_refine_create_adopts_its_refine_never_a_preview_made_meanwhile(emu, tmp_path: Path) -> None:
    engine = make_engine(emu, tmp_path)
    source = preview(engine.client, "a green cactus")
    # a stranger's preview (another add-on, the web app) made a moment before, inside the window's slack, and
    # echoing nothing the refine sends: only its stage tells it apart
    stranger = engine.client.create(Kind.TEXT_TO_3D, TextTo3DPreviewRequest(prompt="a cat", target_formats=["glb"]))
    emu.faults.add(action="lose_response", method="POST", path=r"/openapi/v2/text-to-3d$", times=1)
    job = engine.submit(Job("text-to-3d", TextTo3DRefineRequest(preview_task_id=source), outputs=("glb",)))
    result = engine.run([job], timeout=60)[job]
    assert result.type == "succeeded", result.message
    adopted = engine.client.get(Kind.TEXT_TO_3D, result.task_id)
    assert result.task_id != stranger and adopted.type == "text-to-3d-refine"
    assert Journal(tmp_path / "journal.jsonl").jobs()[job]["task_id"] == result.task_id
    assert emu.create_count("text-to-3d-refine") == 1
    assert all(p.startswith("/openapi/v2/") for p in paths(emu, "GET") if "text-to-3d" in p)
    engine.close()


def test_a_lost_text_to_image_create_is_found_by_its_prompt(emu, tmp_path: Path) -> None:
    engine = make_engine(emu, tmp_path)
    other = engine.client.create(Kind.TEXT_TO_IMAGE, TextToImageRequest(ai_model="nano-banana", prompt="a red car"))
    emu.faults.add(action="lose_response", method="POST", path=r"/openapi/v1/text-to-image$", times=1)
    job = engine.submit(Job("text-to-image", TextToImageRequest(ai_model="nano-banana", prompt="a yellow duck")))
    result = engine.run([job], timeout=60)[job]
    assert result.type == "succeeded", result.message
    assert result.task_id != other and engine.client.get(Kind.TEXT_TO_IMAGE, result.task_id).get("prompt") == \
        "a yellow duck"
    assert emu.create_count("text-to-image") == 2
    engine.close()


@pytest.mark.parametrize("kind", ["text-to-3d", "text-to-image"])
def test_an_id_of_unknown_kind_is_found_under_the_new_kinds_too(emu, tmp_path: Path, kind: str) -> None:
    engine = make_engine(emu, tmp_path)
    client = engine.client
    if kind == "text-to-3d":
        task_id = preview(client)
    else:
        task_id = client.wait(Kind.TEXT_TO_IMAGE, client.create(Kind.TEXT_TO_IMAGE, TextToImageRequest(
            ai_model="nano-banana", prompt="a green tree"))).id
    job = engine.attach(None, task_id, label="pasted")
    result = engine.run([job], timeout=60)[job]
    assert result.type == "succeeded" and result.kind == kind, result.message
    assert ("model" in result.files) == (kind == "text-to-3d") and ("image_0" in result.files) == (kind != "text-to-3d")
    assert f"{Kind(kind).path}/{task_id}" in paths(emu, "GET")
    assert emu.create_count() == 1
    engine.close()

