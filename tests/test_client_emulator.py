"""The client against the real emulator on loopback: contract, validation parity, faults."""

from __future__ import annotations

import base64
import io
import logging
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from PIL import Image

from client import (
    AuthenticationError,
    ConnectionFailedError,
    DownloadError,
    FileInput,
    ImageTo3DRequest,
    ImageToImageRequest,
    InsufficientCreditsError,
    Kind,
    MeshyClient,
    NotFoundError,
    QueueFullError,
    RemeshRequest,
    RequestTimeoutError,
    RetextureRequest,
    RetryPolicy,
    ServerError,
    TaskFailedError,
)
from client.models import RiggingRequest, TextTo3DPreviewRequest, request_type
from client.retry import fast_policy
from tests.conftest import TEST_KEY
from tests.test_client_models import RULES, broken_payload

trimesh = pytest.importorskip("trimesh")


# ----------------------------------------------------------------- helpers


def png_bytes(color=(200, 40, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (48, 48), color).save(buf, "PNG")
    return buf.getvalue()


def glb_bytes() -> bytes:
    return trimesh.creation.box().export(file_type="glb")


IMG_URI = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
GLB_URI = "data:application/octet-stream;base64," + base64.b64encode(glb_bytes()).decode()


@pytest.fixture
def client(emu) -> MeshyClient:
    c = MeshyClient(TEST_KEY, emu.base_url, timeout=(2, 5), retry_policy=fast_policy())
    yield c
    c.close()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, FileInput]:
    img = tmp_path / "ref.png"
    img.write_bytes(png_bytes())
    glb = tmp_path / "box.glb"
    glb.write_bytes(glb_bytes())
    return {"img": FileInput.image(img), "glb": FileInput.model(glb)}


def request_for(kind: Kind, files: dict[str, FileInput]):
    return {
        Kind.IMAGE_TO_IMAGE: ImageToImageRequest(
            ai_model="nano-banana", prompt="make it blue", reference_image_urls=[files["img"]]
        ),
        Kind.IMAGE_TO_3D: ImageTo3DRequest(image_url=files["img"], should_remesh=True, target_polycount=200),
        Kind.RETEXTURE: RetextureRequest(model_url=files["glb"], text_style_prompt="rusty", enable_pbr=True),
        Kind.REMESH: RemeshRequest(model_url=files["glb"], target_formats=["glb", "obj"], target_polycount=100),
    }[kind]


def posts(emu, kind: str) -> int:
    return sum(1 for r in emu.log if r["method"] == "POST" and r["path"].endswith("/" + kind))


def recording_policy(**kw) -> tuple[RetryPolicy, list[float]]:
    slept: list[float] = []
    return fast_policy(sleep=slept.append, **kw), slept


# ----------------------------------------------------------------- contract


SEED_KINDS = [Kind.IMAGE_TO_IMAGE, Kind.IMAGE_TO_3D, Kind.RETEXTURE, Kind.REMESH]  # the others: test_client_kinds*.py


@pytest.mark.parametrize("kind", SEED_KINDS)
def test_contract_every_endpoint(kind: Kind, client: MeshyClient, emu, files, tmp_path: Path) -> None:
    task_id = client.create(kind, request_for(kind, files))
    assert isinstance(task_id, str) and task_id
    assert emu.create_count(kind.value) == 1

    first = client.get(kind, task_id)
    assert first.id == task_id and first.type == kind.value
    assert first.status in ("PENDING", "IN_PROGRESS", "SUCCEEDED")

    updates = list(client.stream(kind, task_id))
    assert updates and updates[-1].status == "SUCCEEDED" and updates[-1].progress == 100
    assert [u.progress for u in updates] == sorted(u.progress for u in updates)
    final = updates[-1]
    assert final.type == kind.value and final.consumed_credits

    urls = final.image_urls if kind is Kind.IMAGE_TO_IMAGE else [final.model_urls["glb"]]
    path = client.download(urls[0], tmp_path / "out" / "result.bin")
    assert path.stat().st_size > 0
    if kind is Kind.REMESH:
        assert set(final.model_urls) >= {"glb", "obj"}
    if kind is Kind.RETEXTURE:
        assert {"base_color", "metallic", "roughness", "normal"} <= set(final.texture_urls[0])

    page = client.list_page(kind, page_num=1, page_size=10, sort_by="-created_at")
    assert [t.id for t in page] == [task_id]
    assert [t.id for t in client.list(kind)] == [task_id]

    client.delete(kind, task_id)
    with pytest.raises(NotFoundError):
        client.get(kind, task_id)
    with pytest.raises(NotFoundError):
        list(client.stream(kind, task_id))
    with pytest.raises(NotFoundError):
        client.delete(kind, task_id)


def test_balance_is_charged(client: MeshyClient, files) -> None:
    before = client.balance()
    client.wait(Kind.REMESH, client.create(Kind.REMESH, request_for(Kind.REMESH, files)))
    assert client.balance() == before - 5


def test_list_pages_through_everything(client: MeshyClient, emu) -> None:
    emu.queue_limit = 0
    ids = [client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI)) for _ in range(5)]
    newest_first = [t.id for t in client.list(Kind.REMESH, page_size=2)]
    assert newest_first == ids[::-1]
    oldest_first = [t.id for t in client.list(Kind.REMESH, page_size=2, sort_by="+created_at")]
    assert oldest_first == ids
    assert len(client.list_page(Kind.REMESH, page_num=3, page_size=2)) == 1


def test_chaining_by_input_task_id(client: MeshyClient, files) -> None:
    i2i = client.wait(Kind.IMAGE_TO_IMAGE, client.create(Kind.IMAGE_TO_IMAGE, request_for(Kind.IMAGE_TO_IMAGE, files)))
    i3d = client.wait(Kind.IMAGE_TO_3D, client.create(Kind.IMAGE_TO_3D, ImageTo3DRequest(input_task_id=i2i.id)))
    rm = client.create(Kind.REMESH, RemeshRequest(input_task_id=i3d.id, target_polycount=100))
    assert client.wait(Kind.REMESH, rm).succeeded


def test_threads_share_one_client(client: MeshyClient, emu) -> None:
    emu.queue_limit = 0
    ids: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            tid = client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
            client.wait(Kind.REMESH, tid)
            ids.append(tid)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(set(ids)) == 4 and emu.create_count("remesh") == 4


# ----------------------------------------------------------------- validation parity


@pytest.fixture(scope="module")
def shared_emu():
    """One emulator for the many read-only validation cases (400s create nothing)."""
    from emulator import Emulator

    server = Emulator(pending_seconds=0.05, run_seconds=0.2, rate_limit=0).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def finished(shared_emu):
    """``finished(kind)``: ids of a finished preview and rigging task on the shared emulator, made the first
    time a case needs them, so a refine's or an animation's rule is refused for its own reason."""
    made: dict[str, str] = {}
    client = MeshyClient(TEST_KEY, shared_emu.base_url, retry_policy=fast_policy())

    def ids(kind: str) -> dict[str, str]:
        if kind in ("text-to-3d-refine", "rigging", "animations") and "preview" not in made:
            preview = TextTo3DPreviewRequest(prompt="a knight", target_formats=["glb"])
            made["preview"] = client.wait(Kind.TEXT_TO_3D, client.create(Kind.TEXT_TO_3D, preview)).id
        if kind == "animations" and "rig" not in made:
            rig = RiggingRequest(input_task_id=made["preview"])
            made["rig"] = client.wait(Kind.RIGGING, client.create(Kind.RIGGING, rig)).id
        return dict(made)

    yield ids
    client.close()


# Both style inputs: the client refuses them, Meshy (and the emulator) let the image win. Text-to-image's
# pose_mode "" (the contract lists only a-pose and t-pose) and an unknown key in post_process: the emulator
# lets them by.
EMULATOR_ACCEPTS = {"rt-both-styles", "t2i-pose-empty", "anim-post-extra-key"}
NEEDS_NETWORK = {"rig-texture-jpg-url"}  # the emulator would fetch the URL to see it is a JPEG
PARITY = [r for r in RULES if r[0] not in EMULATOR_ACCEPTS | NEEDS_NETWORK]


@pytest.mark.parametrize(("case", "kind", "changes"), PARITY, ids=[r[0] for r in PARITY])
def test_emulator_rejects_what_the_client_rejects(case: str, kind: str, changes: dict, shared_emu, finished) -> None:
    emu = shared_emu
    payload = broken_payload(kind, changes, img=IMG_URI, glb=GLB_URI, **finished(kind))
    before = emu.create_count()
    resp = requests.post(
        f"{emu.base_url}{request_type(kind).KIND.path}",
        json=payload,
        headers={"Authorization": f"Bearer {TEST_KEY}"},
        timeout=10,
    )
    assert resp.status_code == 400, (resp.status_code, resp.text)
    assert any(name.split(".")[0] in resp.json()["message"] for name in changes), resp.text  # for the same reason
    assert emu.create_count() == before


@pytest.mark.parametrize("kind", ["image-to-image", "image-to-3d", "retexture", "remesh"])
def test_emulator_accepts_the_base_payloads(kind: str, client: MeshyClient, emu) -> None:
    payload = broken_payload(kind, {}, img=IMG_URI, glb=GLB_URI)
    assert client.create(kind, payload)
    assert emu.create_count(kind) == 1


def test_invalid_request_makes_no_network_call(client: MeshyClient, emu) -> None:
    with pytest.raises(Exception, match="target_polycount"):
        client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI, target_polycount=5))
    assert emu.log == []


# ----------------------------------------------------------------- errors


def test_bad_key_is_401_and_never_leaks(emu, caplog: pytest.LogCaptureFixture) -> None:
    secret = "msy_wrong_key_0123456789abcdef"
    c = MeshyClient(secret, emu.base_url, retry_policy=fast_policy())
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(AuthenticationError) as info:
            c.get(Kind.REMESH, "nope")
        with pytest.raises(AuthenticationError):
            c.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    exc = info.value
    for text in (str(exc), repr(exc), repr(c), caplog.text, str(exc.body), exc.server_message):
        assert secret not in text
    assert exc.status == 401 and str(exc).endswith(".")


def test_out_of_credits_is_402(client: MeshyClient, emu) -> None:
    emu.balance = 2
    with pytest.raises(InsufficientCreditsError):
        client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    assert emu.create_count() == 0


def test_queue_full_raises_at_once_when_asked(client: MeshyClient, emu) -> None:
    emu.configure(queue_limit=1, pending_seconds=5)
    client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    with pytest.raises(QueueFullError) as info:
        client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI), retry_queue_full=False)
    assert info.value.retry_after is not None and info.value.status == 429
    assert posts(emu, "remesh") == 2 and emu.create_count() == 1


def test_queue_full_is_retried_a_limited_number_of_times(emu) -> None:
    policy, slept = recording_policy(queue_full_retries=2)
    c = MeshyClient(TEST_KEY, emu.base_url, retry_policy=policy)
    emu.faults.add(action="status", method="POST", path=r"/remesh$", times=5, status=429,
                   message="NoMoreConcurrentTasks: full.", retry_after=7)
    with pytest.raises(QueueFullError):
        c.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    assert posts(emu, "remesh") == 3 and len(slept) == 2


def test_rate_limit_on_create_is_retried_honouring_retry_after(emu) -> None:
    policy, slept = recording_policy(max_retry_after=100)
    c = MeshyClient(TEST_KEY, emu.base_url, retry_policy=policy)
    policy.sleep = slept.append  # record only: no real waiting
    emu.faults.add(action="status", method="POST", path=r"/remesh$", times=2, status=429,
                   message="RateLimitExceeded", retry_after=3)
    assert c.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    assert slept == [3, 3] and emu.create_count("remesh") == 1 and posts(emu, "remesh") == 3


def test_real_rate_limit_on_gets_is_survived(client: MeshyClient, emu) -> None:
    emu.rate_limit = 5
    client.policy.max_retries = 50
    client.policy.max_retry_after = 0.2
    for _ in range(8):
        assert client.balance() >= 0


# ----------------------------------------------------------------- faults


def test_latency_past_the_read_timeout_on_get_is_retried(emu, client: MeshyClient) -> None:
    tid = client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    c = MeshyClient(TEST_KEY, emu.base_url, timeout=(2, 0.2), retry_policy=fast_policy())
    emu.faults.add(action="latency", method="GET", path=r"/remesh/[^/]+$", times=1, seconds=0.5)
    assert c.get(Kind.REMESH, tid).id == tid


def test_latency_past_the_read_timeout_on_create_is_not_retried(emu) -> None:
    c = MeshyClient(TEST_KEY, emu.base_url, timeout=(2, 0.2), retry_policy=fast_policy())
    emu.faults.add(action="latency", method="POST", path=r"/remesh$", times=1, seconds=0.6)
    with pytest.raises(RequestTimeoutError) as info:
        c.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    assert info.value.maybe_sent and "may or may not" in str(info.value)
    time.sleep(0.7)
    assert posts(emu, "remesh") == 1 and emu.create_count("remesh") == 1  # the server did create it, once


def test_small_latency_just_works(emu, client: MeshyClient) -> None:
    emu.faults.add(action="latency", path=r"/openapi/", times=3, seconds=0.1)
    tid = client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    assert client.wait(Kind.REMESH, tid).succeeded


def test_reset_on_create_is_not_retried(emu, client: MeshyClient) -> None:
    emu.faults.add(action="reset", method="POST", path=r"/remesh$", times=1)
    with pytest.raises(ConnectionFailedError) as info:
        client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    assert info.value.maybe_sent
    assert posts(emu, "remesh") == 1 and emu.create_count("remesh") == 0


def test_reset_on_get_and_list_is_retried(emu, client: MeshyClient) -> None:
    tid = client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    emu.faults.add(action="reset", method="GET", path=r"/remesh", times=2)
    assert client.get(Kind.REMESH, tid).id == tid
    emu.faults.add(action="reset", method="GET", path=r"/remesh$", times=1)
    assert [t.id for t in client.list(Kind.REMESH)] == [tid]


def test_server_error_on_create_is_not_retried(emu, client: MeshyClient) -> None:
    emu.faults.add(action="status", method="POST", path=r"/remesh$", times=1, status=500)
    with pytest.raises(ServerError) as info:
        client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    assert info.value.maybe_sent and info.value.status == 500
    assert posts(emu, "remesh") == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_on_get_are_retried_with_retry_after(emu, status: int) -> None:
    policy, slept = recording_policy(max_retry_after=100)
    c = MeshyClient(TEST_KEY, emu.base_url, retry_policy=policy)
    tid = c.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    emu.faults.add(action="status", method="GET", path=r"/remesh/", times=2, status=status, retry_after=4)
    assert c.get(Kind.REMESH, tid).id == tid
    assert slept == [4, 4]


def test_persistent_server_error_gives_up_with_a_sentence(emu) -> None:
    c = MeshyClient(TEST_KEY, emu.base_url, retry_policy=fast_policy(max_retries=2))
    emu.faults.add(action="status", method="GET", path=r"/balance$", times=None, status=503)
    with pytest.raises(ServerError, match="server error"):
        c.balance()
    assert sum(1 for r in emu.log if r["path"].endswith("/balance")) == 3


def test_connection_refused_create_is_retried(tmp_path: Path) -> None:
    from emulator import Emulator

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started: list = []

    def sleep(_seconds: float) -> None:
        if not started:  # the server comes up while the client backs off
            started.append(Emulator(port=port, pending_seconds=0.05, run_seconds=0.1).start())

    c = MeshyClient(TEST_KEY, f"http://127.0.0.1:{port}", retry_policy=fast_policy(sleep=sleep))
    try:
        tid = c.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
        assert tid and started and started[0].create_count("remesh") == 1
    finally:
        for e in started:
            e.stop()


def test_connection_refused_everywhere_is_a_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = MeshyClient(TEST_KEY, f"http://127.0.0.1:{port}", retry_policy=fast_policy(max_retries=2))
    with pytest.raises(ConnectionFailedError, match="Could not connect") as info:
        c.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    assert not info.value.maybe_sent


def test_dropped_stream_is_resumed(emu, client: MeshyClient) -> None:
    tid = client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    emu.faults.add(action="drop_stream", path=r"/stream$", times=3, events=1)
    updates = list(client.stream(Kind.REMESH, tid))
    assert updates[-1].status == "SUCCEEDED" and updates[-1].model_urls.get("glb")
    assert sum(1 for r in emu.log if r["path"].endswith("/stream")) >= 2


def test_stream_that_always_drops_gives_up(emu) -> None:
    from client import StreamError

    emu.configure(pending_seconds=30)
    c = MeshyClient(TEST_KEY, emu.base_url, retry_policy=fast_policy(), stream_reconnects=2)
    tid = c.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    emu.faults.add(action="drop_stream", path=r"/stream$", times=None, events=0)
    with pytest.raises(StreamError, match="kept dropping"):
        list(c.stream(Kind.REMESH, tid))


def test_reset_stream_is_resumed(emu, client: MeshyClient) -> None:
    tid = client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    emu.faults.add(action="reset", method="GET", path=r"/stream$", times=2)
    assert list(client.stream(Kind.REMESH, tid))[-1].succeeded


def test_failed_task(emu, client: MeshyClient) -> None:
    emu.faults.add(action="fail_task", path=r"/retexture$", times=1, message="Model has no UVs.",
                   type="invalid_input", code="model_missing_uv")
    tid = client.create(Kind.RETEXTURE, RetextureRequest(model_url=GLB_URI, text_style_prompt="x"))
    with pytest.raises(TaskFailedError) as info:
        client.wait(Kind.RETEXTURE, tid)
    exc = info.value
    assert exc.task.status == "FAILED" and exc.task.consumed_credits == 0
    assert exc.task_error.code == "model_missing_uv" and str(exc) == "Model has no UVs."
    assert emu.create_count("retexture") == 1


def _finished_remesh(client: MeshyClient):
    tid = client.create(Kind.REMESH, RemeshRequest(model_url=GLB_URI))
    return client.wait(Kind.REMESH, tid)


def test_truncated_download_is_retried(emu, client: MeshyClient, tmp_path: Path) -> None:
    task = _finished_remesh(client)
    emu.faults.add(action="truncate", path=r"model\.glb", times=2, fraction=0.5)
    out = client.download(task.model_urls["glb"], tmp_path / "model.glb")
    assert out.read_bytes()[:4] == b"glTF"
    assert len(out.read_bytes()) == len(requests.get(task.model_urls["glb"], timeout=5).content)
    assert [p.name for p in tmp_path.iterdir()] == ["model.glb"]  # no temp files left


def test_truncated_download_that_never_completes_fails_cleanly(emu, tmp_path: Path) -> None:
    c = MeshyClient(TEST_KEY, emu.base_url, retry_policy=fast_policy(max_retries=1))
    task = _finished_remesh(c)
    emu.faults.add(action="truncate", path=r"model\.glb", times=None)
    with pytest.raises(DownloadError, match="model.glb"):
        c.download(task.model_urls["glb"], tmp_path / "model.glb")
    assert list(tmp_path.iterdir()) == []


def test_expired_url_is_refreshed(emu, client: MeshyClient, tmp_path: Path) -> None:
    task = _finished_remesh(client)
    emu.faults.add(action="expire", path=r"model\.glb", times=1)
    calls: list[int] = []

    def refresh() -> str:
        calls.append(1)
        return client.get(Kind.REMESH, task.id).model_urls["glb"]

    out = client.download(task.model_urls["glb"], tmp_path, refresh=refresh)
    assert out.name == "model.glb" and calls == [1]


def test_really_expired_url_is_refreshed(emu, client: MeshyClient, tmp_path: Path) -> None:
    emu.url_ttl = 0  # every URL handed out from now on is already expired
    task = _finished_remesh(client)
    emu.url_ttl = 3600  # the refresh GET hands out good ones
    out = client.download(
        task.model_urls["glb"],
        tmp_path / "m.glb",
        refresh=lambda: client.get(Kind.REMESH, task.id).model_urls["glb"],
    )
    assert out.stat().st_size > 0


def test_expired_url_without_refresh_is_a_clear_error(emu, client: MeshyClient, tmp_path: Path) -> None:
    task = _finished_remesh(client)
    emu.faults.add(action="expire", path=r"model\.glb", times=1)
    with pytest.raises(DownloadError, match="expired"):
        client.download(task.model_urls["glb"], tmp_path / "m.glb")


def test_large_upload_is_streamed(emu, client: MeshyClient, tmp_path: Path) -> None:
    mesh = trimesh.creation.icosphere(subdivisions=5)
    glb = tmp_path / "sphere.glb"
    glb.write_bytes(mesh.export(file_type="glb"))
    tid = client.create(Kind.REMESH, RemeshRequest(model_url=FileInput.model(glb), target_polycount=500))
    assert client.wait(Kind.REMESH, tid).succeeded
    sent = [r for r in emu.log if r["method"] == "POST"][0]["body_size"]
    assert sent > glb.stat().st_size * 4 / 3
