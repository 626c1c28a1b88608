"""A task Meshy may have made is never given up, and only a task that provably belongs to the job is adopted.

Against the emulator (lost, unreadable and late create answers, tasks hidden
for a while, strangers' tasks, two engines on one journal, two processes) and
against a fake Meshy of the tests' own where the clock, the Date header and
the listing must be chosen exactly.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hostile import fake_meshy
from test_engine import make_engine, remesh

from client import MeshyClient, notices
from client.engine import Job, JobEngine
from client.journal import Journal
from client.models import RemeshRequest, RetextureRequest
from client.reconcile import claim, claim_marker, resolve_creating, unsettled
from client.retry import fast_policy
from client.uploads import FileInput
from conftest import ROOT, TEST_KEY, fast_doubt, fast_follow

RETEXTURE = r"/openapi/v1/retexture$"


def retex(glb: Path, prompt: str) -> Job:
    return Job("retexture", RetextureRequest(model_url=FileInput.model(glb), text_style_prompt=prompt),
               label=prompt, outputs=("glb",))


def journal_of(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.jsonl")


def states_in_file(tmp_path: Path, job_id: str) -> list[str]:
    lines = (tmp_path / "journal.jsonl").read_text().splitlines()
    return [r["state"] for r in map(json.loads, lines) if r["job_id"] == job_id]


# -- the task appears later: looked for with patience, adopted once ------------------------------


@pytest.mark.parametrize("fault", [
    dict(action="lose_response"),
    dict(action="body", work=True, body="<html><body><h1>502 Bad Gateway</h1></body></html>"),
    dict(action="body", work=True, body="{}", content_type="application/json"),
    dict(action="body", work=True, status=202, body='{"result": ""}', content_type="application/json"),
    dict(action="body", work=True, status=502, body="<html>upstream timed out</html>"),
], ids=["lost", "html-200", "empty-object", "no-id", "html-502"])
def test_doubtful_create_is_adopted_when_its_task_appears_seconds_later(emu, tmp_path, glb, fault):
    emu.faults.add(method="POST", path=RETEXTURE, **fault)
    emu.faults.add("hide", path=RETEXTURE, seconds=0.4)  # a lagging listing: not there at the first looks
    engine = make_engine(emu, tmp_path)
    events = []
    job_id = engine.submit(retex(glb, "ours"))
    result = engine.run([job_id], on_event=events.append, timeout=30)[job_id]
    assert result.type == "succeeded", result.message
    assert emu.create_count() == 1
    assert [e.reason for e in events if e.type == "waiting"][:1] == ["in_doubt"]
    assert Journal(tmp_path / "journal.jsonl").jobs()[job_id]["task_id"] == result.task_id
    assert states_in_file(tmp_path, job_id)[:3] == ["queued", "creating", "in_doubt"]  # durable before looking
    engine.close()


def test_timed_out_create_whose_task_is_made_after_the_client_gave_up_is_adopted(emu, tmp_path, glb):
    emu.faults.add("latency", method="POST", path=RETEXTURE, seconds=0.8)  # Meshy slow: made at 0.8 s
    client = MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=fast_policy(), timeout=(5, 0.3))
    engine = JobEngine(client, journal=journal_of(tmp_path), download_dir=tmp_path / "dl",
                       doubt=fast_doubt(looks=(0.1,) * 30), follow=fast_follow())
    job_id = engine.submit(retex(glb, "slow"))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "succeeded", result.message
    assert emu.create_count() == 1
    engine.close()


def test_create_that_made_nothing_stays_in_doubt_says_so_and_is_looked_for_on_resume(emu, tmp_path, glb):
    emu.faults.add("reset", method="POST", path=RETEXTURE)  # cut before Meshy made anything
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(retex(glb, "ours"))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "in_doubt" and result.is_terminal
    assert result.message == notices.IN_DOUBT and "could pay twice" in result.message
    record = journal_of(tmp_path).jobs()[job_id]
    assert record["state"] == "in_doubt" and not record.get("task_id")
    assert record["window_start"] <= record["window_end"]
    engine.close()
    again = make_engine(emu, tmp_path)
    assert again.resume() == [job_id]
    assert again.run([job_id], timeout=30)[job_id].type == "in_doubt"
    again.close()
    posts = [r for r in emu.log if r["method"] == "POST" and r["path"].endswith("/retexture")]
    assert len(posts) == 1 and emu.create_count() == 0


def test_not_created_only_once_the_window_is_long_past(emu, tmp_path, glb):
    emu.faults.add("reset", method="POST", path=RETEXTURE)
    engine = make_engine(emu, tmp_path, doubt=fast_doubt(settle_after=0.0, slack=0.3))
    job_id = engine.submit(retex(glb, "ours"))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "failed" and "nothing was charged" in result.message
    assert journal_of(tmp_path).jobs()[job_id]["state"] == "not_created"
    engine.close()


def test_task_that_appears_while_resume_looks_is_adopted(emu, tmp_path, glb):
    """The in-doubt job of an earlier session: its task shows up at last and is followed, never re-created."""
    emu.faults.add("lose_response", method="POST", path=RETEXTURE)
    emu.faults.add("hide", path=RETEXTURE, seconds=2.0)
    first = make_engine(emu, tmp_path)
    job_id = first.submit(retex(glb, "ours"))
    assert first.run([job_id], timeout=30)[job_id].type == "in_doubt"
    first.close()
    time.sleep(max(0.0, 2.1 - (time.time() - journal_of(tmp_path).jobs()[job_id]["window_start"])))
    second = make_engine(emu, tmp_path)
    assert second.resume() == [job_id]
    result = second.run([job_id], timeout=30)[job_id]
    assert result.type == "succeeded", result.message
    assert emu.create_count() == 1
    second.close()


# -- only a task that provably belongs to the job ---------------------------------------------------


def test_a_strangers_task_of_the_same_kind_made_in_the_same_minute_is_never_adopted(emu, tmp_path, glb):
    other = MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=fast_policy())
    stranger = other.create("retexture", RetextureRequest(model_url=FileInput.model(glb),
                                                          text_style_prompt="someone else's idea"))
    emu.faults.add("reset", method="POST", path=RETEXTURE)
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(retex(glb, "ours"))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "in_doubt" and result.task_id is None
    assert stranger not in journal_of(tmp_path).claims()
    engine.close()


def test_several_candidates_are_unresolved_and_named(emu, tmp_path, glb):
    """Remesh echoes no request field: two tasks in the window cannot be told apart."""
    other = MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=fast_policy())
    stranger = other.create("remesh", RemeshRequest(model_url=FileInput.model(glb), target_polycount=300))
    emu.faults.add("lose_response", method="POST", path=r"/openapi/v1/remesh$")
    engine = make_engine(emu, tmp_path)
    job_id = engine.submit(remesh(glb))
    result = engine.run([job_id], timeout=30)[job_id]
    assert result.type == "failed" and stranger in result.message
    record = journal_of(tmp_path).jobs()[job_id]
    assert record["state"] == "unresolved" and stranger in record["candidates"] and len(record["candidates"]) == 2
    assert emu.create_count() == 2  # the stranger's and ours: nothing more
    engine.close()


def fake_engine(base_url: str, tmp_path: Path) -> JobEngine:
    client = MeshyClient(TEST_KEY, base_url=base_url, retry_policy=fast_policy())
    return JobEngine(client, journal=journal_of(tmp_path), download_dir=tmp_path / "dl",
                     doubt=fast_doubt(), follow=fast_follow())


def test_window_is_placed_on_our_clock_with_the_servers_date(tmp_path, glb):
    """The server's clock is an hour ahead; a same-prompt task 30 s before the call is not ours."""
    with fake_meshy(date_shift=3600.0) as fake:
        stranger = fake.add("brass", delta=-30)

        def on_create(h, f):
            f.add("brass", task_id="ours")
            h.raw(200, b"<html>proxy error</html>", "text/html")

        fake.on_create = on_create
        engine = fake_engine(fake.base_url, tmp_path)
        job_id = engine.submit(retex(glb, "brass"))
        result = engine.run([job_id], timeout=30)[job_id]
        assert result.type == "succeeded" and result.task_id == "ours", result.message
        assert stranger["id"] not in journal_of(tmp_path).claims()
        assert fake.server.count("POST", "/retexture") == 1
        engine.close()


def test_without_a_date_header_the_window_is_wide_and_two_candidates_stay_unresolved(tmp_path, glb):
    with fake_meshy(date_shift=None) as fake:
        stranger = fake.add("brass", delta=-30)
        fake.on_create = lambda h, f: (f.add("brass", task_id="ours"), h.raw(200, b"<html/>", "text/html"))
        engine = fake_engine(fake.base_url, tmp_path)
        job_id = engine.submit(retex(glb, "brass"))
        result = engine.run([job_id], timeout=30)[job_id]
        assert result.type == "failed" and "ours" in result.message and stranger["id"] in result.message
        assert journal_of(tmp_path).jobs()[job_id]["state"] == "unresolved"
        engine.close()


def test_listing_is_paged_back_past_newer_tasks(tmp_path, glb):
    """120 newer tasks of other people push ours to page 3 of 50."""
    with fake_meshy() as fake:
        def on_create(h, f):
            f.add("ours", task_id="ours")
            for i in range(120):
                f.add(f"theirs {i}", delta=0.001 * (i + 1))
            h.reset()

        fake.on_create = on_create
        engine = fake_engine(fake.base_url, tmp_path)
        job_id = engine.submit(retex(glb, "ours"))
        result = engine.run([job_id], timeout=30)[job_id]
        assert result.type == "succeeded" and result.task_id == "ours", result.message
        assert fake.server.count("GET", "/openapi/v1/retexture") >= 3
        engine.close()


# -- two engines on one journal -----------------------------------------------------------------------


def test_two_engines_on_one_journal_each_adopt_their_own_task(emu, tmp_path, glb):
    emu.faults.add("lose_response", method="POST", path=RETEXTURE, times=2)
    emu.faults.add("hide", path=RETEXTURE, seconds=0.3, times=2)
    a, b = make_engine(emu, tmp_path), make_engine(emu, tmp_path)
    ja, jb = a.submit(retex(glb, "red")), b.submit(retex(glb, "blue"))
    results = {}
    threads = [threading.Thread(target=lambda e, j: results.update(e.run([j], timeout=30)), args=(e, j))
               for e, j in ((a, ja), (b, jb))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[ja].type == results[jb].type == "succeeded", (results[ja].message, results[jb].message)
    assert results[ja].task_id != results[jb].task_id
    claims = journal_of(tmp_path).claims()
    assert claims[results[ja].task_id] == claim_marker(ja) and claims[results[jb].task_id] == claim_marker(jb)
    assert emu.create_count() == 2
    a.close()
    b.close()


def _seed_in_doubt(journal: Journal, job_id: str, request: dict, start: float) -> None:
    journal.record(job_id, "queued", kind="retexture", label=job_id, meta={}, outputs=["glb"], request=request)
    journal.record(job_id, "in_doubt", durable=True, kind="retexture", window_start=start, window_end=start + 5)


@pytest.fixture
def one_task(emu, glb):
    """A finished remesh R, and a retexture T of it (the same request two jobs sent) hidden for a moment."""
    client = MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=fast_policy())
    source = client.wait("remesh", client.create("remesh", RemeshRequest(model_url=FileInput.model(glb))))
    request = RetextureRequest(input_task_id=source.id, text_style_prompt="same for both")
    start = time.time()
    emu.faults.add("hide", path=RETEXTURE, seconds=0.6)
    task_id = client.create("retexture", request)
    return request.to_dict(), start, task_id


def test_two_engines_racing_for_one_task_never_both_adopt_it(emu, tmp_path, one_task):
    request, start, task_id = one_task
    journal = journal_of(tmp_path)
    _seed_in_doubt(journal, "x", request, start)
    _seed_in_doubt(journal, "y", request, start)
    a, b = make_engine(emu, tmp_path), make_engine(emu, tmp_path)  # both resume both jobs, as two Blenders would
    results: dict[str, list] = {"x": [], "y": []}

    def go(engine):
        for job_id, event in engine.run(engine.resume(), timeout=30).items():
            results[job_id].append((event.type, event.task_id))

    threads = [threading.Thread(target=go, args=(e,)) for e in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = Journal(tmp_path / "journal.jsonl").jobs()
    owners = [j for j in ("x", "y") if final[j].get("task_id") == task_id]
    assert len(owners) == 1, final
    loser = ({"x", "y"} - set(owners)).pop()
    assert journal.claims()[task_id] == claim_marker(owners[0])
    assert all(kind == "in_doubt" and not tid for kind, tid in results[loser]), results
    assert emu.create_count("retexture") == 1
    a.close()
    b.close()


def test_a_claim_made_second_loses_and_never_becomes_the_jobs_task(tmp_path):
    journal = journal_of(tmp_path)
    journal.record("first", "in_doubt", kind="retexture", window_start=1.0, window_end=2.0)
    journal.record("second", "in_doubt", kind="retexture", window_start=1.0, window_end=2.0)
    assert claim(journal, "first", "T")
    assert not claim(journal, "second", "T")
    assert claim(journal, "first", "T")  # asking again: still the first
    assert journal.claims()["T"] == "first~claim"
    jobs = journal.jobs()
    assert not jobs["first"].get("task_id") and not jobs["second"].get("task_id")  # `created` comes after
    assert journal.unfinished() == [] and journal.find_task("T")["job_id"] == "first~claim"
    assert jobs["second~claim"]["state"] == "dismissed"  # a marker: finished and hidden, never resumed


PROCESS = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from client import MeshyClient
from client.engine import JobEngine
from client.follow import FollowPolicy
from client.journal import Journal
from client.reconcile import DoubtPolicy
from client.retry import fast_policy
engine = JobEngine(MeshyClient(sys.argv[2], base_url=sys.argv[3], retry_policy=fast_policy()),
                   journal=Journal(sys.argv[4]), download_dir=sys.argv[5],
                   doubt=DoubtPolicy(looks=(0.05,) * 40), follow=FollowPolicy(poll_interval=0.02, lost_after=5))
results = engine.run(engine.resume(), timeout=60)
print(json.dumps({job: [e.type, e.task_id] for job, e in results.items()}))
engine.close()
"""


def test_two_processes_on_one_journal_never_both_adopt_one_task(emu, tmp_path, one_task):
    request, start, task_id = one_task
    journal = journal_of(tmp_path)
    _seed_in_doubt(journal, "x", request, start)
    _seed_in_doubt(journal, "y", request, start)
    procs = [subprocess.Popen([sys.executable, "-c", PROCESS, str(ROOT), TEST_KEY, emu.base_url,
                               str(tmp_path / "journal.jsonl"), str(tmp_path / f"dl{i}")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    outputs = [p.communicate(timeout=90) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in outputs]
    final = Journal(tmp_path / "journal.jsonl").jobs()
    owners = [j for j in ("x", "y") if final[j].get("task_id") == task_id]
    assert len(owners) == 1, final
    assert journal.claims()[task_id] == claim_marker(owners[0])
    seen = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    loser = ({"x", "y"} - set(owners)).pop()
    assert any(s.get(owners[0]) == ["succeeded", task_id] for s in seen), seen
    assert all(s.get(owners[0], ["succeeded", task_id]) == ["succeeded", task_id] for s in seen), seen
    assert all(s[loser] == ["in_doubt", None] for s in seen), seen  # the loser looks on, in both processes
    assert emu.create_count("retexture") == 1


def test_resolve_creating_is_the_same_look_in_one_shot(emu, tmp_path, glb):
    """The batch's call: found -> created, recent and nothing -> in_doubt (never 'run again'), old -> not_created."""
    client = MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=fast_policy())
    journal = journal_of(tmp_path)
    request = {"model_url": "<inline data>", "text_style_prompt": "found"}
    journal.record("found", "queued", kind="retexture", request=request)
    journal.record("found", "creating", durable=True, kind="retexture")
    task_id = client.create("retexture", RetextureRequest(model_url=FileInput.model(glb), text_style_prompt="found"))
    journal.record("recent", "queued", kind="remesh")
    journal.record("recent", "creating", durable=True, kind="remesh")
    journal.record("old", "queued", kind="image-to-3d")
    journal.record("old", "creating", durable=True, kind="image-to-3d", time=time.time() - 3600)
    outcome = resolve_creating(client, journal)
    assert outcome == {"found": "created", "recent": "in_doubt", "old": "not_created"}
    jobs = journal.jobs()
    assert jobs["found"]["task_id"] == task_id and jobs["recent"]["state"] == "in_doubt"
    assert [j["job_id"] for j in unsettled(journal)] == ["recent"]  # looked for again next time
    assert resolve_creating(client, journal) == {"recent": "in_doubt"}


def test_a_claim_cut_short_by_a_crash_is_settled_by_resume(emu, tmp_path, glb):
    client = MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=fast_policy())
    task_id = client.create("remesh", RemeshRequest(model_url=FileInput.model(glb), target_polycount=200))
    journal = journal_of(tmp_path)
    journal.record("x", "queued", kind="remesh", label="x", meta={}, outputs=["glb"])
    journal.record("x", "in_doubt", durable=True, kind="remesh", window_start=time.time(), window_end=time.time())
    assert claim(journal, "x", task_id)  # then Blender died before `created`
    engine = make_engine(emu, tmp_path)
    assert engine.resume() == ["x"]
    result = engine.run(["x"], timeout=30)["x"]
    assert result.type == "succeeded" and result.task_id == task_id
    assert emu.create_count() == 1
    engine.close()


def test_stopping_a_job_in_doubt_keeps_it_in_doubt_for_resume(emu, tmp_path, glb):
    emu.faults.add("reset", method="POST", path=RETEXTURE)
    engine = make_engine(emu, tmp_path, doubt=fast_doubt(looks=(0.2,) * 50))
    events = []
    job_id = engine.submit(retex(glb, "ours"))
    while not any(e.reason == "in_doubt" for e in events):
        events.extend(engine.drain(wait=0.1))
    assert engine.cancel(job_id)
    assert journal_of(tmp_path).jobs()[job_id]["state"] == "in_doubt"
    engine.close()


def test_an_engine_without_a_journal_adopts_too(emu, tmp_path, glb):
    emu.faults.add("lose_response", method="POST", path=RETEXTURE)
    client = MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=fast_policy())
    engine = JobEngine(client, journal=None, download_dir=tmp_path / "dl", doubt=fast_doubt(), follow=fast_follow())
    job_id = engine.submit(retex(glb, "ours"))
    assert engine.run([job_id], timeout=30)[job_id].type == "succeeded"
    assert emu.create_count() == 1
    engine.close()
