"""The job service in a plain Python, against the emulator on loopback.

The service has no bpy: what only Blender does is handed in. Here the
importer loads the downloaded GLB with trimesh (Blender's scene cannot exist
in tier 1), the online switch is a real flag, and the background work runs
inline, as in background Blender.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import trimesh

from conftest import TEST_KEY
from meshy_tools.client.engine import JobEvent
from meshy_tools.client.journal import Journal
from meshy_tools.client.retry import RetryPolicy
from meshy_tools.client.uploads import FileInput
from meshy_tools.core import requests, snapshot
from meshy_tools.core.errors import UserError
from meshy_tools.core.settings import Settings
from meshy_tools.core.states import JobState
from meshy_tools.service.controller import Controller
from meshy_tools.service.jobs import JobService, Submission, WaitTimeout
from meshy_tools.service.tasks import Imported, TaskList

FAST = RetryPolicy(max_retries=4, base=0.01, cap=0.05)
BLEND = "/projects/scene.blend"  # the file open in "Blender"


class Scene:
    """Stands in for Blender's scene: loads what the service hands over, like the real importer."""

    def __init__(self) -> None:
        self.imported: list[tuple[str, dict, dict]] = []
        self.fail = False

    def __call__(self, kind: str, files: dict[str, str], meta: dict, task_id: str) -> Imported:
        if self.fail:
            raise ValueError("Blender could not import the model model.glb")
        mesh = trimesh.load(files["model"], force="mesh")
        assert len(mesh.faces) > 0
        self.imported.append((kind, files, meta))
        return Imported([f"{meta.get('label')}_{kind}"])


@pytest.fixture
def glb(tmp_path) -> Path:
    path = tmp_path / "ball.glb"
    path.write_bytes(trimesh.creation.icosphere(subdivisions=2).export(file_type="glb"))
    return path


@pytest.fixture
def setup(emu, tmp_path):
    reads = []
    online = {"on": True}

    def read_settings(**kw) -> Settings:
        reads.append(1)
        return Settings(api_key=TEST_KEY, base_url=emu.base_url, max_in_flight=4, download_dir=tmp_path / "dl",
                        user_dir=tmp_path / "user", **kw)

    scene = Scene()
    service = JobService(read_settings, importer=scene, online=lambda: online["on"], current_file=lambda: BLEND,
                         client_options={"retry_policy": FAST})
    yield service, scene, reads, online
    service.shutdown()


def remesh(service: JobService, settings: Settings, path: Path, **kw) -> Submission:
    request = requests.build_request("remesh", {"model_url": FileInput.model(path), "target_polycount": 200},
                                     settings)
    return Submission("remesh", request, "Ball", **kw)


def test_a_job_goes_through_the_service_to_the_importer(setup, glb, emu):
    service, scene, reads, _ = setup
    settings = service.settings()
    reads.clear()
    upload = settings.upload_dir / "ball.glb"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(glb.read_bytes())
    (job_id,) = service.submit([remesh(service, settings, upload, source="Ball", upload=upload)], settings)
    service.wait([job_id], timeout=30)
    entry = service.tasks[job_id]
    assert entry.state is JobState.IMPORTED and entry.objects == ["Ball_remesh"] and entry.task_id
    assert not upload.exists()  # Meshy has it: the exported file is gone
    assert reads == []  # the settings were read once, by the caller, for this submit
    record = Journal(settings.journal_path).jobs()[job_id]
    assert record["state"] == "imported" and record["objects"] == ["Ball_remesh"]
    assert scene.imported[0][2]["keep_original"] is True and emu.create_count("remesh") == 1


def test_keep_original_comes_from_the_preferences_unless_the_caller_chose(setup, glb):
    service, scene, _, _ = setup
    replace = service._read_settings(keep_original=False)
    ids = service.submit([remesh(service, replace, glb), remesh(service, replace, glb, keep_original=True)], replace)
    service.wait(ids, timeout=30)
    assert [m["keep_original"] for _, _, m in sorted(scene.imported, key=lambda i: i[2]["keep_original"])] \
        == [False, True]


def test_a_failed_import_is_a_sentence_and_a_journal_line(setup, glb):
    service, scene, _, _ = setup
    scene.fail = True
    settings = service.settings()
    (job_id,) = service.submit([remesh(service, settings, glb)], settings)
    service.wait([job_id], timeout=30)
    entry = service.tasks[job_id]
    assert entry.state is JobState.FAILED and entry.message.startswith("Blender could not import")
    record = Journal(settings.journal_path).jobs()[job_id]
    assert record["state"] == "failed" and record["files"]["model"] == entry.files["model"]


def test_offline_and_no_key_are_refused_before_anything_is_sent(setup, emu):
    service, _, _, online = setup
    online["on"] = False
    with pytest.raises(UserError, match="Online access is off") as info:
        service.engine()
    assert info.value.maybe_sent is False
    online["on"] = True
    with pytest.raises(UserError, match="No Meshy API key"):
        service.client(service._read_settings().__class__(**{**service.settings().__dict__, "api_key": ""}))
    assert emu.log == []


def test_cancel_stops_waiting_at_once_and_keeps_the_task(setup, glb, emu):
    service, scene, _, _ = setup
    emu.run_seconds = 5.0
    settings = service.settings()
    (job_id,) = service.submit([remesh(service, settings, glb)], settings)
    service.wait([job_id], until=lambda e: bool(e.task_id), timeout=30)
    assert service.cancel(job_id)
    assert service.tasks[job_id].state is JobState.CANCELED  # no pump needed: modal handlers only read
    assert not service.cancel(job_id)
    service.pump(wait=0.5)
    assert service.tasks[job_id].state is JobState.CANCELED and not scene.imported


def test_resume_follows_a_task_a_closed_session_left_and_imports_it(setup, glb, emu, tmp_path):
    service, scene, _, _ = setup
    emu.run_seconds = 1.0
    settings = service.settings()
    (job_id,) = service.submit([remesh(service, settings, glb)], settings)
    service.wait([job_id], until=lambda e: bool(e.task_id), timeout=30)
    service.shutdown()  # Blender quit while the task ran
    again = JobService(lambda: settings, importer=scene, current_file=lambda: BLEND,
                       client_options={"retry_policy": FAST})
    try:
        assert again.resume() == [job_id]
        again.wait([job_id], timeout=30)
        assert again.tasks[job_id].state is JobState.IMPORTED and emu.create_count("remesh") == 1
    finally:
        again.shutdown()


def test_resume_settles_an_interrupted_create_itself(setup, glb, emu):
    """The engine's resume adopts the task a crashed create made: no second path, no second task."""
    service, scene, _, _ = setup
    settings = service.settings()
    task_id = service.client(settings).create("remesh", remesh(service, settings, glb).request)
    journal = service.journal(settings)
    journal.record("lost", "queued", kind="remesh", label="Lost", meta={"label": "Lost"}, outputs=["glb"])
    journal.record("lost", "creating", durable=True)
    assert service.resume(settings) == ["lost"]
    service.wait(["lost"], timeout=30)
    assert service.tasks["lost"].task_id == task_id and emu.create_count("remesh") == 1


def test_delete_forgets_the_task_and_journals_it(setup, glb, emu):
    service, _, _, _ = setup
    settings = service.settings()
    (job_id,) = service.submit([remesh(service, settings, glb)], settings)
    service.wait([job_id], timeout=30)
    task_id = service.tasks[job_id].task_id
    service.delete_task("remesh", task_id, settings)  # inline here, as in background Blender
    assert service.last_error == "" and job_id not in service.tasks and service.history.dirty
    assert Journal(settings.journal_path).jobs()[job_id]["state"] == "deleted"
    service.delete_task("remesh", task_id, settings)
    assert "could not find that task" in service.last_error


def test_wait_gives_up_with_a_timeout_and_the_job_goes_on(setup, glb, emu):
    service, _, _, _ = setup
    emu.run_seconds = 5.0
    settings = service.settings()
    (job_id,) = service.submit([remesh(service, settings, glb)], settings)
    with pytest.raises(WaitTimeout):
        service.wait([job_id], timeout=0.3)
    assert service.tasks[job_id].active


def test_events_this_version_does_not_know_keep_the_job_not_fail_it():
    tasks = TaskList()
    tasks.add("j", "remesh", "Chair", {}, state=JobState.CREATED)
    tasks.apply(JobEvent("j", "retrying-soon", "remesh"))
    assert tasks["j"].state is JobState.CREATED
    tasks.apply(JobEvent("j", "suspended", "remesh", message="Meshy stopped answering; resumes later."))
    assert tasks["j"].kept and not tasks["j"].active and tasks["j"].message.startswith("Meshy stopped")


def test_the_controller_refreshes_off_the_draw_path_and_panels_get_a_read_only_picture(setup, glb):
    service, _, _, _ = setup
    controller = Controller(service)
    settings = service.settings()
    (job_id,) = service.submit([remesh(service, settings, glb)], settings)
    service.wait([job_id], timeout=30)
    assert controller.refresh()  # journal read, balance checked (inline here)
    assert service.account.key_status == "works" and service.account.balance is not None
    snapshot.provide(controller.snapshot)
    try:
        picture = snapshot.current()
        assert picture.tasks[job_id].state is JobState.IMPORTED and job_id in picture.journal_jobs
        with pytest.raises(TypeError):
            picture.tasks["x"] = None  # the panels cannot change what they read
        assert picture.balance == service.account.balance
    finally:
        snapshot.provide(None)
    assert snapshot.current().tasks == {}
    time.sleep(0)  # nothing runs in the background after the test
