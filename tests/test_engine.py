"""The job engine against the emulator: events, limits, faults, journal, resume."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest
import trimesh

from client import MeshyClient
from client.engine import Job, JobEngine
from client.journal import Journal
from client.models import ImageToImageRequest, RemeshRequest, RetextureRequest
from client.retry import RetryPolicy
from client.uploads import FileInput
from conftest import TEST_KEY, fast_doubt, fast_follow

FAST = RetryPolicy(max_retries=4, base=0.01, cap=0.05)


@pytest.fixture
def glb(tmp_path) -> Path:
    path = tmp_path / "sphere.glb"
    path.write_bytes(trimesh.creation.icosphere(subdivisions=3).export(file_type="glb"))
    return path


@pytest.fixture
def png(tmp_path) -> Path:
    from PIL import Image

    path = tmp_path / "ref.png"
    Image.new("RGB", (32, 32), (200, 30, 30)).save(path)
    return path


def make_engine(emu, tmp_path, **kwargs) -> JobEngine:
    client = MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=FAST)
    kwargs.setdefault("queue_full_wait", (0.02, 0.1))
    kwargs.setdefault("doubt", fast_doubt())
    kwargs.setdefault("follow", fast_follow())
    return JobEngine(client, journal=Journal(tmp_path / "journal.jsonl"), download_dir=tmp_path / "dl", **kwargs)


def remesh(glb: Path, **kw) -> Job:
    return Job("remesh", RemeshRequest(model_url=FileInput.model(glb), target_polycount=200, **kw), label="ball")


def types(events) -> list[str]:
    return [e.type for e in events]


def test_remesh_job_events_and_files(emu, tmp_path, glb):
    engine = make_engine(emu, tmp_path)
    events = []
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], on_event=events.append, timeout=30)[job_id]
    assert result.type == "succeeded", result.message
    assert types(events)[:2] == ["queued", "created"] and "progress" in types(events)
    model = Path(result.files["model"])
    assert model.suffix == ".glb" and model.stat().st_size > 0
    assert engine.cached_files("remesh", result.task_id) == result.files
    assert 150 <= len(trimesh.load(model, force="mesh").faces) <= 260
    engine.close()


def test_progress_arrives_while_the_task_runs(emu, tmp_path, glb):
    """Stream updates come as Meshy sends them, not all at the end of the stream."""
    emu.configure(pending_seconds=0.1, run_seconds=1.5)
    engine = make_engine(emu, tmp_path)
    seen: list[tuple[float, int]] = []
    start = time.monotonic()
    job_id = engine.submit(remesh(glb))
    engine.run([job_id], on_event=lambda e: e.type == "progress" and seen.append(
        (time.monotonic() - start, e.progress)), timeout=30)
    early = [progress for at, progress in seen if at < 1.0]
    assert len(early) >= 3 and 0 < max(early) < 100, seen[:5]
    engine.close()


def test_retexture_downloads_pbr_maps(emu, tmp_path, glb):
    engine = make_engine(emu, tmp_path)
    job = Job("retexture", RetextureRequest(model_url=FileInput.model(glb), text_style_prompt="rust",
                                            enable_pbr=True))
    result = engine.run([engine.submit(job)], timeout=30)[job.job_id]
    assert {"model", "base_color", "metallic", "roughness", "normal", "emission"} <= set(result.files)
    engine.close()


def test_image_to_image_multi_view_downloads_three_images(emu, tmp_path, png):
    engine = make_engine(emu, tmp_path)
    job = Job("image-to-image", ImageToImageRequest(ai_model="nano-banana", prompt="blue",
                                                    reference_image_urls=[FileInput.image(png)],
                                                    generate_multi_view=True))
    result = engine.run([engine.submit(job)], timeout=30)[job.job_id]
    assert sorted(result.files) == ["image_0", "image_1", "image_2"]
    engine.close()


def test_task_id_is_journalled_durably_at_create(emu, tmp_path, glb):
    engine = make_engine(emu, tmp_path)
    seen: list[dict] = []

    def on_event(event):
        if event.type == "created":  # at this moment the journal must already hold the id
            seen.extend(Journal(tmp_path / "journal.jsonl").unfinished())

    job_id = engine.submit(remesh(glb))
    engine.run([job_id], on_event=on_event, timeout=30)
    assert seen and seen[0]["task_id"] and seen[0]["kind"] == "remesh"
    assert Journal(tmp_path / "journal.jsonl").jobs()[job_id]["state"] == "succeeded"
    engine.close()


def test_resume_reattaches_without_second_create(emu, tmp_path, glb):
    emu.run_seconds = 1.0
    first = make_engine(emu, tmp_path)
    job_id = first.submit(remesh(glb))
    while not Journal(tmp_path / "journal.jsonl").unfinished():
        time.sleep(0.01)
    first.close()  # Blender quit while the task runs
    second = make_engine(emu, tmp_path)
    resumed = second.resume()
    assert resumed == [job_id]
    result = second.run(resumed, timeout=30)[job_id]
    assert result.type == "succeeded"
    assert emu.create_count("remesh") == 1
    assert second.resume() == []  # finished: nothing to resume
    second.close()


def test_resume_leaves_jobs_this_engine_runs_alone(emu, tmp_path, glb):
    emu.run_seconds = 1.0
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    while not Journal(tmp_path / "journal.jsonl").unfinished():
        time.sleep(0.01)
    assert engine.resume() == []  # e.g. a file loaded while the task runs: no second follower
    assert engine.run([job_id], timeout=30)[job_id].type == "succeeded"
    assert emu.create_count("remesh") == 1
    engine.close()


def test_in_flight_limit_and_queue_full_waits_instead_of_failing(emu, tmp_path, glb):
    emu.queue_limit = 2
    emu.run_seconds = 0.3
    engine = make_engine(emu, tmp_path, max_in_flight=4)  # more than the account allows
    ids = [engine.submit(remesh(glb)) for _ in range(6)]
    events = []
    results = engine.run(ids, on_event=events.append, timeout=60)
    assert all(r.type == "succeeded" for r in results.values()), [r.message for r in results.values()]
    assert "waiting" in types(events)
    assert emu.create_count("remesh") == 6
    engine.close()


def test_local_limit_keeps_server_queue_within_bounds(emu, tmp_path, glb):
    emu.queue_limit = 3
    engine = make_engine(emu, tmp_path, max_in_flight=3)
    ids = [engine.submit(remesh(glb)) for _ in range(6)]
    results = engine.run(ids, timeout=60)
    assert all(r.type == "succeeded" for r in results.values())
    assert not [r for r in emu.log if r["status"] == 429]  # never over the limit
    engine.close()


def test_failed_task_reports_meshys_message(emu, tmp_path, glb):
    emu.faults.add("fail_task", message="The model has no UVs", code="model_missing_uv")
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "failed" and "no UVs" in result.message
    assert Journal(tmp_path / "journal.jsonl").jobs()[job_id]["state"] == "failed"
    engine.close()


@pytest.mark.parametrize("fault", [
    dict(action="drop_stream", path=r"/stream$", events=1),
    dict(action="reset", method="GET", path=r"/stream$"),
    dict(action="status", method="GET", path=r"/stream$", status=503, retry_after=0.01),
    dict(action="truncate", path=r"/_files/"),
    dict(action="expire", path=r"/_files/"),
    dict(action="latency", path=r"/openapi/", seconds=0.3),
])
def test_faults_heal_with_one_create(emu, tmp_path, glb, fault):
    emu.faults.add(**fault)
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "succeeded", result.message
    assert emu.create_count("remesh") == 1
    engine.close()


def test_reset_on_create_fails_clearly_and_never_creates_twice(emu, tmp_path, glb):
    emu.faults.add("reset", method="POST", path=r"/openapi/v1/remesh$")
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], timeout=30)[job_id]
    assert emu.create_count("remesh") <= 1
    if result.type == "failed":  # the request may have reached Meshy: not retried blindly
        assert result.message.endswith(".") and "Traceback" not in result.message
    engine.close()


def test_lost_create_answer_adopts_the_task_instead_of_creating_again(emu, tmp_path, glb):
    emu.faults.add("lose_response", method="POST", path=r"/openapi/v1/remesh$")
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "succeeded", result.message
    assert emu.create_count("remesh") == 1
    assert Journal(tmp_path / "journal.jsonl").jobs()[job_id].get("task_id") == result.task_id
    engine.close()


def test_crash_during_create_is_resolved_on_resume(emu, tmp_path, glb):
    """The process died after Meshy made the task but before its id was journalled."""
    first = make_engine(emu, tmp_path)
    task_id = first.client.create("remesh", RemeshRequest(model_url=FileInput.model(glb), target_polycount=200))
    journal = Journal(tmp_path / "journal.jsonl")
    journal.record("lost", "queued", kind="remesh", label="ball", meta={}, outputs=["glb"])
    journal.record("lost", "creating", durable=True)
    first.close()
    second = make_engine(emu, tmp_path)
    assert second.resume() == ["lost"]
    result = second.run(["lost"], timeout=30)["lost"]
    assert result.type == "succeeded" and result.task_id == task_id
    assert emu.create_count("remesh") == 1
    second.close()


def test_crash_before_create_reached_meshy_says_nothing_was_charged(emu, tmp_path):
    """Only once the create's window is long past (15 minutes) and no task appeared is it 'not created'."""
    journal = Journal(tmp_path / "journal.jsonl")
    journal.record("early", "queued", kind="remesh", label="ball", meta={}, outputs=["glb"])
    journal.record("early", "creating", durable=True, time=time.time() - 1200)
    engine = make_engine(emu, tmp_path)
    result = engine.run(engine.resume(), timeout=30)["early"]
    assert result.type == "failed" and "nothing was charged" in result.message
    assert journal.jobs()["early"]["state"] == "not_created"
    engine.close()


def test_crash_mid_create_stays_in_doubt_while_its_task_could_still_appear(emu, tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    journal.record("early", "queued", kind="remesh", label="ball", meta={}, outputs=["glb"])
    journal.record("early", "creating", durable=True)
    engine = make_engine(emu, tmp_path)
    result = engine.run(engine.resume(), timeout=30)["early"]
    assert result.type == "in_doubt" and "could pay twice" in result.message
    assert journal.jobs()["early"]["state"] == "in_doubt"
    assert engine.resume() == ["early"]  # looked for again, never created
    engine.close()
    assert emu.create_count() == 0


def test_server_error_on_create_is_not_retried(emu, tmp_path, glb):
    """A 5xx answer may come after Meshy made the task: never resent, the job stays in doubt."""
    emu.faults.add("status", method="POST", path=r"/openapi/v1/remesh$", status=500, times=None)
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "in_doubt" and "server error" in result.error.message.lower()
    posts = [r for r in emu.log if r["method"] == "POST" and r["path"] == "/openapi/v1/remesh"]
    assert len(posts) == 1
    engine.close()


def test_cancel_stops_following_and_keeps_task(emu, tmp_path, glb):
    emu.run_seconds = 5
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    while not Journal(tmp_path / "journal.jsonl").unfinished():
        time.sleep(0.01)
    assert engine.cancel(job_id)
    result = engine.run([job_id], timeout=5)[job_id]
    assert result.type == "canceled"
    record = Journal(tmp_path / "journal.jsonl").jobs()[job_id]
    assert record["state"] == "canceled" and record["task_id"]  # importable later
    engine.close()


def test_attach_with_unknown_kind_looks_it_up(emu, tmp_path, glb):
    engine = make_engine(emu, tmp_path)
    done = engine.run([engine.submit(remesh(glb))], timeout=30)
    task_id = next(iter(done.values())).task_id
    job_id = engine.attach(None, task_id, label="pasted")
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "succeeded" and result.kind == "remesh"
    assert emu.create_count() == 1
    engine.close()


def test_drain_never_blocks_and_events_are_thread_safe(emu, tmp_path, glb):
    engine = make_engine(emu, tmp_path, max_in_flight=8)
    ids = [engine.submit(remesh(glb)) for _ in range(8)]
    seen: list = []
    stop = threading.Event()
    longest = 0.0
    while len([e for e in seen if e.is_terminal]) < len(ids) and not stop.is_set():
        start = time.perf_counter()
        seen.extend(engine.drain())
        longest = max(longest, time.perf_counter() - start)
        time.sleep(0.005)
    assert longest < 0.25  # a drain is a few queue pops, never a network wait (seconds); slack for load
    assert {e.job_id for e in seen if e.type == "succeeded"} == set(ids)
    engine.close()


def test_journal_skips_a_torn_last_line(tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    journal.record("a", "created", kind="remesh", task_id="t1")
    with open(tmp_path / "j.jsonl", "a") as handle:
        handle.write('{"job_id": "b", "state": "cre')  # crash mid-write
    assert [j["task_id"] for j in journal.unfinished()] == ["t1"]


def test_journal_never_holds_the_key_or_inline_data(emu, tmp_path, glb):
    engine = make_engine(emu, tmp_path)
    job = Job("remesh", RemeshRequest(model_url=FileInput.model(glb).data_uri(), target_polycount=200))
    engine.run([engine.submit(job)], timeout=30)
    text = (tmp_path / "journal.jsonl").read_text()
    assert TEST_KEY not in text and "base64" not in text
    json.load(io.StringIO(text.splitlines()[0]))
    engine.close()


def test_journal_compaction_keeps_unfinished_and_recent_jobs(tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    journal.record("old", "created", kind="remesh", task_id="t-old")
    journal.record("old", "imported", task_id="t-old")
    journal.record("running", "created", kind="remesh", task_id="t-run")
    journal.record("recent", "created", kind="remesh", task_id="t-new")
    journal.record("recent", "succeeded", task_id="t-new")
    records = [json.loads(line) for line in (tmp_path / "j.jsonl").read_text().splitlines()]
    for record in records:
        if record["job_id"] == "old":
            record["time"] = 1000.0  # finished long ago
    (tmp_path / "j.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert journal.compact() == 0  # just written: another Blender may be using it
    assert journal.compact(idle_for=0) == 1
    assert set(journal.jobs()) == {"running", "recent"}
    assert [j["task_id"] for j in journal.unfinished()] == ["t-run"]
    assert len((tmp_path / "j.jsonl").read_text().splitlines()) == 2
    assert journal.compact(idle_for=0) == 0
