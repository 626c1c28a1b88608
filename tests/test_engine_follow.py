"""Following a paid task heals or stays resumable: only FAILED/CANCELED on Meshy, or a 404, ends it.

Each fault of the network or the service on the follow path, end to end
against the emulator: the job falls back to polling and succeeds, or stops
``suspended`` (journalled, resumable) and succeeds on resume, with one create.
"""

from __future__ import annotations

import time

import pytest
from test_engine import make_engine, remesh

from client import MeshyClient
from client.follow import LOST_CONTACT
from client.journal import Journal
from client.retry import fast_policy
from conftest import TEST_KEY, fast_follow

TASK = r"/openapi/v1/remesh/[^/]+$"
STREAM = r"/openapi/v1/remesh/[^/]+/stream$"
HTML = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def journal_state(tmp_path, job_id: str) -> str:
    return Journal(tmp_path / "journal.jsonl").jobs()[job_id]["state"]


@pytest.mark.parametrize("faults", [
    [dict(action="stream_error", path=STREAM, status=500, times=None)],
    [dict(action="stream_error", path=STREAM, status=503, events=1, times=3)],
    [dict(action="body", path=STREAM, body=HTML, times=None), dict(action="body", path=TASK, body=HTML, times=3)],
    [dict(action="body", path=STREAM, body='{"id": "x", "sta', content_type="application/json", times=None),
     dict(action="body", path=TASK, body='{"id": "x", "sta', content_type="application/json", times=3)],
    [dict(action="status", path=STREAM, status=503, times=None), dict(action="status", path=TASK, status=502,
                                                                       times=12)],
    [dict(action="reset", method="GET", path=STREAM, times=None), dict(action="reset", method="GET", path=TASK,
                                                                        times=12)],
    [dict(action="drop_stream", path=STREAM, events=0, times=None)],
], ids=["stream-error-500", "stream-error-after-a-message", "html", "invalid-json", "5xx-past-retries",
        "connection-failures", "stream-keeps-dropping"])
def test_follow_trouble_heals_by_polling(emu, tmp_path, glb, faults):
    emu.configure(pending_seconds=0.1, run_seconds=0.4)
    for fault in faults:
        emu.faults.add(**fault)
    engine = make_engine(emu, tmp_path)
    events = []
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], on_event=events.append, timeout=30)[job_id]
    assert result.type == "succeeded", result.message
    assert emu.create_count() == 1
    assert journal_state(tmp_path, job_id) == "succeeded"
    engine.close()


def test_reconnecting_is_shown_once_per_bad_spell(emu, tmp_path, glb):
    emu.configure(pending_seconds=0.1, run_seconds=1.0)  # longer than the stream's own reconnects
    emu.faults.add("stream_error", path=STREAM, status=500, times=None)
    engine = make_engine(emu, tmp_path)
    events = []
    job_id = engine.submit(remesh(glb))
    engine.run([job_id], on_event=events.append, timeout=30)
    notes = [e for e in events if e.type == "waiting" and e.reason == "reconnecting"]
    assert len(notes) == 1 and notes[0].message.endswith(".") and notes[0].task_id
    engine.close()


def test_long_outage_stops_suspended_and_resume_finishes_it(emu, tmp_path, glb):
    emu.configure(pending_seconds=0.1, run_seconds=0.3)
    rules = [emu.faults.add("status", path=p, status=503, times=None) for p in (STREAM, TASK)]
    engine = make_engine(emu, tmp_path, follow=fast_follow(lost_after=0.5))
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "suspended" and result.message == LOST_CONTACT + "."
    assert result.task_id and journal_state(tmp_path, job_id) == "suspended"
    engine.close()
    for rule in rules:
        emu.faults.remove(rule.id)
    again = make_engine(emu, tmp_path)
    assert again.resume() == [job_id]
    assert again.run([job_id], timeout=30)[job_id].type == "succeeded"
    assert emu.create_count() == 1
    again.close()


def test_a_refused_key_while_following_suspends_at_once(emu, tmp_path, glb):
    emu.configure(pending_seconds=0.2, run_seconds=0.3)
    engine = make_engine(emu, tmp_path, follow=fast_follow(lost_after=60))
    emu.faults.add("status", method="GET", path=r"/openapi/v1/remesh/", status=401, times=None)
    started = time.monotonic()
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "suspended" and "API key" in result.message and time.monotonic() - started < 10
    assert journal_state(tmp_path, job_id) == "suspended"
    engine.close()


def test_only_a_404_ends_a_followed_task(emu, tmp_path, glb):
    emu.configure(pending_seconds=0.2, run_seconds=5)
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    while not Journal(tmp_path / "journal.jsonl").unfinished():
        time.sleep(0.01)
    task_id = Journal(tmp_path / "journal.jsonl").unfinished()[0]["task_id"]
    MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=fast_policy()).delete("remesh", task_id)
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "failed" and "could not find" in result.message
    assert journal_state(tmp_path, job_id) == "failed"
    engine.close()


def test_closing_the_engine_leaves_followed_tasks_suspended_for_resume(emu, tmp_path, glb):
    emu.configure(pending_seconds=0.1, run_seconds=1.0)
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    while not Journal(tmp_path / "journal.jsonl").unfinished():
        time.sleep(0.01)
    engine.close(wait=True)
    assert journal_state(tmp_path, job_id) == "suspended"
    again = make_engine(emu, tmp_path)
    assert again.resume() == [job_id]
    assert again.run([job_id], timeout=30)[job_id].type == "succeeded"
    assert emu.create_count() == 1
    again.close()


def test_a_download_that_fails_on_the_network_stays_resumable(emu, tmp_path, glb):
    rule = emu.faults.add("status", path=r"/_files/.*model\.glb", status=503, times=None)
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "suspended" and "could not be downloaded" in result.message
    assert journal_state(tmp_path, job_id) == "suspended"
    engine.close()
    emu.faults.remove(rule.id)
    again = make_engine(emu, tmp_path)
    assert again.run(again.resume(), timeout=30)[job_id].type == "succeeded"
    assert emu.create_count() == 1
    again.close()
