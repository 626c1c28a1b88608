"""Text to 3D's refine chained on its preview by the job service, in a plain Python against the emulator.

One job for the user, two tasks on Meshy: the refine is submitted once the
preview has succeeded, with ``preview_task_id`` and a job id of its own that a
crash cannot make twice. The crashes are real journal states: the engine (the
client layer, on its own) ran the preview to its end and the process died
before its main thread chained the refine; or the refine's ``queued`` line is
the last thing it wrote; or its create was under way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import trimesh

from conftest import TEST_KEY
from meshy_tools.client import MeshyClient
from meshy_tools.client.engine import Job, JobEngine
from meshy_tools.client.journal import Journal
from meshy_tools.client.retry import RetryPolicy
from meshy_tools.core import requests
from meshy_tools.core.settings import Settings
from meshy_tools.core.states import JobState
from meshy_tools.service.chains import followup_id, root_id, then_meta
from meshy_tools.service.jobs import JobService, Submission
from meshy_tools.service.tasks import Imported

FAST = RetryPolicy(max_retries=4, base=0.01, cap=0.05)


class Scene:
    """Stands in for Blender's scene: loads each model the service hands over."""

    def __init__(self) -> None:
        self.imported: list[tuple[str, dict]] = []

    def __call__(self, kind: str, files: dict[str, str], meta: dict, task_id: str) -> Imported:
        assert len(trimesh.load(files["model"], force="mesh").faces) > 0
        self.imported.append((task_id, dict(files)))
        return Imported([f"{meta.get('label')}_{len(self.imported)}"])


@pytest.fixture
def make(emu, tmp_path):
    services: list[JobService] = []

    def settings() -> Settings:
        return Settings(api_key=TEST_KEY, base_url=emu.base_url, max_in_flight=4, download_dir=tmp_path / "dl",
                        user_dir=tmp_path / "user")

    def new() -> tuple[JobService, Scene]:
        scene = Scene()
        service = JobService(settings, importer=scene, client_options={"retry_policy": FAST},
                             current_file=lambda: "/projects/scene.blend")  # one file open in both sessions
        services.append(service)
        return service, scene

    yield new, settings
    for service in services:
        service.shutdown()


def preview_and_then(settings: Settings, **refine) -> tuple:
    preview = requests.build_request("text-to-3d", {"prompt": "a wooden barrel", "target_polycount": 800}, settings)
    then = requests.build_request("text-to-3d-refine", {"enable_pbr": True, **refine}, settings, require_input=False)
    return preview, then_meta(then)


def refines(emu) -> int:
    return sum(1 for r in emu.log if r["method"] == "POST" and r["path"] == "/openapi/v2/text-to-3d") - 1


def test_the_refine_follows_its_preview_as_one_wait(make, emu):
    new, settings = make
    service, scene = new()
    s = settings()
    preview, meta = preview_and_then(s, texture_prompt="oak staves, iron hoops")
    (job_id,) = service.submit([Submission("text-to-3d", preview, "Barrel", meta=meta)], s)
    service.wait([job_id], timeout=60)  # returns once the refine is in too
    first, second = service.tasks[job_id], service.tasks[followup_id(job_id)]
    assert first.state is JobState.IMPORTED and second.state is JobState.IMPORTED
    assert second.meta["preview_task_id"] == first.task_id and second.meta["preview_job"] == job_id
    assert second.meta["settings"] == {"mode": "refine", "preview_task_id": first.task_id, "enable_pbr": True,
                                       "texture_prompt": "oak staves, iron hoops"}
    assert [t for t, _ in scene.imported] == [first.task_id, second.task_id]
    assert "base_color" in scene.imported[1][1] and "base_color" not in scene.imported[0][1]
    assert root_id(second.job_id) == job_id and service.chains.latest(job_id) == second.job_id
    assert refines(emu) == 1
    service.resume(s)  # nothing left to chain: no second refine
    assert refines(emu) == 1


def test_a_crash_between_the_preview_and_its_refine_is_chained_once_on_resume(make, emu, tmp_path):
    new, settings = make
    s = settings()
    preview, meta = preview_and_then(s)
    engine = JobEngine(MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=FAST),
                       journal=Journal(s.journal_path), download_dir=s.download_dir)
    try:  # the engine alone: the preview succeeds, the main thread that would chain the refine never runs
        job = Job(kind="text-to-3d", request=preview, label="Barrel", meta={"label": "Barrel", **meta})
        job_id = engine.submit(job)
        (event,) = engine.run([job_id], timeout=60).values()
        assert event.type == "succeeded"
    finally:
        engine.close()
    assert refines(emu) == 0

    service, scene = new()
    resumed = service.resume(s)
    assert followup_id(job_id) in resumed
    service.wait(resumed, timeout=60)
    assert service.tasks[followup_id(job_id)].state is JobState.IMPORTED
    assert refines(emu) == 1
    again, _ = new()
    assert followup_id(job_id) not in again.resume(s)
    assert refines(emu) == 1  # a second start: the refine exists, nothing is created again


@pytest.mark.parametrize("last_state, created", [(JobState.QUEUED, 1), (JobState.CREATING, 0)])
def test_a_refine_cut_off_before_or_during_its_create(make, emu, last_state, created):
    new, settings = make
    s = settings()
    service, _ = new()
    preview, meta = preview_and_then(s)
    (job_id,) = service.submit([Submission("text-to-3d", preview, "Barrel", meta={})], s)
    service.wait([job_id], timeout=60)
    journal = Journal(s.journal_path)
    record = journal.jobs()[job_id]
    journal.record(job_id, JobState.IMPORTED, kind="text-to-3d", task_id=record["task_id"], meta={**record["meta"],
                                                                                                   **meta})
    journal.record(followup_id(job_id), last_state, kind="text-to-3d", label="Barrel",
                   **({"window_start": 0.0} if last_state == JobState.CREATING else {}))
    service.shutdown()

    again, _ = new()
    resumed = again.resume(s)
    chained = [j for j in resumed if j == followup_id(job_id)]
    if created:  # queued: never sent, so sent now, under the same job id
        again.wait(chained, timeout=60)
        assert again.tasks[followup_id(job_id)].state is JobState.IMPORTED
    else:  # its create may have reached Meshy: the engine looks for it, the chain creates nothing
        assert refines(emu) == 0
    assert refines(emu) == created


def test_a_preview_that_failed_on_meshy_chains_nothing(make, emu, tmp_path: Path):
    new, settings = make
    s = settings()
    service, _ = new()
    emu.faults.add(action="fail_task", method="POST", path=r"/text-to-3d$", times=1)
    preview, meta = preview_and_then(s)
    (job_id,) = service.submit([Submission("text-to-3d", preview, "Barrel", meta=meta)], s)
    service.wait([job_id], timeout=60)
    assert service.tasks[job_id].state is JobState.FAILED
    assert followup_id(job_id) not in service.tasks and refines(emu) <= 0
