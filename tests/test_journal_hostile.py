"""The journal survives anything: damaged lines, torn writes, a full disk, a path that is no file.

Real files on disk throughout; the full disk is a real 64 KiB tmpfs (root only,
skipped with the reason elsewhere). Every test here fails on the journal before
issue 8: it read the file as one UTF-8 text (one bad byte lost every job), glued
a new record to a torn line, raised a bare OSError (or hung on a FIFO), and
wrote keys into the file as they came.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trimesh

from client import MeshyClient
from client.engine import JobEngine
from client.errors import JournalError, register_secret
from client.journal import Journal
from client.journal_format import encode
from client.models import RemeshRequest
from client.retry import RetryPolicy
from client.uploads import FileInput
from conftest import ROOT, TEST_KEY

MIB = 1024 * 1024


def good(job_id: str, task_id: str, state: str = "created", **extra: Any) -> bytes:
    record = {"job_id": job_id, "state": state, "time": time.time(), "kind": "remesh", "task_id": task_id,
              "label": job_id, "meta": {"blend": "/tmp/a.blend"}, "outputs": ["glb"], **extra}
    return json.dumps(record).encode() + b"\n"


def journal_with(tmp_path: Path, *middle: bytes) -> Journal:
    """Two good unfinished jobs around whatever bytes ``middle`` holds."""
    path = tmp_path / "journal.jsonl"
    path.write_bytes(good("first", "t-first") + b"".join(middle) + good("last", "t-last"))
    return Journal(path)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "meshy.journal" and r.levelno >= logging.WARNING]


def within(seconds: float, work: Callable[[], Any]) -> Any:
    """Run ``work`` on a thread; fail (instead of hanging the suite) when it takes longer."""
    box: list[Any] = []

    def target() -> None:
        try:
            box.append((work(), None))
        except BaseException as exc:  # handed back to the test
            box.append((None, exc))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    result, error = box[0]
    if error is not None:
        raise error
    return result


BAD_LINES = {
    "not UTF-8": b'{"job_id": "x1", "state": "created", "label": "\xff\xfe\xc3"}\n',
    "binary garbage": bytes(range(256)) + b"\n",
    "not JSON": b"this is not json\n",
    "an array": b'[{"job_id": "x2", "state": "created"}]\n',
    "a number": b"42\n",
    "a string": b'"created"\n',
    "null": b"null\n",
    "blank": b"\n\n   \r\n",
    "job_id a number": b'{"job_id": 7, "state": "created", "time": 1.0, "task_id": "t7"}\n',
    "job_id empty": b'{"job_id": "", "state": "created", "time": 1.0, "task_id": "t7"}\n',
    "job_id with control characters": b'{"job_id": "a\\u0000b", "state": "created", "time": 1.0}\n',
    "job_id missing": b'{"state": "created", "time": 1.0, "task_id": "t7"}\n',
    "state unknown": b'{"job_id": "x3", "state": "exploded", "time": 1.0, "task_id": "t8"}\n',
    "state a list": b'{"job_id": "x3", "state": ["created"], "time": 1.0, "task_id": "t8"}\n',
    "state missing": b'{"job_id": "x3", "time": 1.0, "task_id": "t8"}\n',
    "time text": b'{"job_id": "x4", "state": "created", "time": "yesterday", "task_id": "t9"}\n',
    "time NaN": b'{"job_id": "x4", "state": "created", "time": NaN, "task_id": "t9"}\n',
    "time infinite": b'{"job_id": "x4", "state": "created", "time": Infinity, "task_id": "t9"}\n',
    "time a bool": b'{"job_id": "x4", "state": "created", "time": true, "task_id": "t9"}\n',
    "time in the year 33658": b'{"job_id": "x4", "state": "created", "time": 1e12, "task_id": "t9"}\n',
    "time missing": b'{"job_id": "x4", "state": "created", "task_id": "t9"}\n',
    "kind unknown": b'{"job_id": "x5", "state": "created", "time": 1.0, "kind": "text-to-texture", "task_id": "t5"}\n',
    "kind a number": b'{"job_id": "x5", "state": "created", "time": 1.0, "kind": 3, "task_id": "t5"}\n',
    "task_id a number": b'{"job_id": "x6", "state": "created", "time": 1.0, "kind": "remesh", "task_id": 12}\n',
    "task_id empty": b'{"job_id": "x6", "state": "created", "time": 1.0, "kind": "remesh", "task_id": ""}\n',
    "task_id an object": b'{"job_id": "x6", "state": "created", "time": 1.0, "task_id": {"id": "t"}}\n',
    "deeply nested": b"[" * 100_000 + b"\n",
    "a huge number": b'{"job_id": "x7", "state": "created", "time": ' + b"9" * 5000 + b"}\n",
    "torn mid-file": b'{"job_id": "x8", "state": "crea\n',
    "too long": b'{"job_id": "x9", "state": "created", "label": "' + b"x" * (2 * MIB) + b'"}\n',
}


@pytest.mark.parametrize("bad", list(BAD_LINES.values()), ids=list(BAD_LINES))
def test_a_bad_line_is_skipped_with_one_warning_and_every_good_job_resumes(tmp_path, caplog, bad):
    journal = journal_with(tmp_path, bad)
    caplog.set_level(logging.WARNING, "meshy.journal")
    assert [j["job_id"] for j in journal.unfinished()] == ["first", "last"]
    assert journal.claims() == {"t-first": "first", "t-last": "last"}
    assert set(journal.jobs()) == {"first", "last"}
    said = warnings(caplog)
    assert len(said) == 1 and "Skipped" in said[0] and "every other job was read" in said[0], said
    assert journal.damage == said[0] and journal.problem is None


def test_every_kind_of_damage_at_once_is_one_warning_that_counts_them(tmp_path, caplog):
    journal = journal_with(tmp_path, *BAD_LINES.values(), *[b"\xff garbage\n"] * 20_000)
    caplog.set_level(logging.WARNING, "meshy.journal")
    assert set(journal.jobs()) == {"first", "last"}
    said = warnings(caplog)
    assert len(said) == 1, said  # one per read, never one per line
    assert "20002 not UTF-8 text" in said[0] and "not valid JSON" in said[0] and "longer than 1 MiB" in said[0]


def test_a_descriptive_field_of_the_wrong_type_is_dropped_and_the_state_change_kept(tmp_path, caplog):
    """label, meta, outputs, files... have safe defaults; the state change is what matters."""
    path = tmp_path / "journal.jsonl"
    first = good("job", "t1", state="queued", meta={"blend": "/tmp/a.blend", "estimate": 5})
    later = json.dumps({"job_id": "job", "state": "created", "time": time.time(), "kind": "remesh",
                        "task_id": "t1", "label": 5, "meta": ["not", "a", "dict"], "outputs": "glb",
                        "files": {"model": 3}, "objects": [1, 2], "reconciled": "yes"}).encode() + b"\n"
    path.write_bytes(first + later)
    caplog.set_level(logging.WARNING, "meshy.journal")
    job = Journal(path).jobs()["job"]
    assert job["state"] == "created" and job["task_id"] == "t1"
    assert job["label"] == "job" and job["meta"] == {"blend": "/tmp/a.blend", "estimate": 5}  # earlier ones stand
    assert job["outputs"] == ["glb"] and "files" not in job and "objects" not in job and "reconciled" not in job
    assert "ignored 6 fields of the wrong type" in warnings(caplog)[0].lower()


def test_meta_keys_the_add_on_reads_must_have_their_type(tmp_path):
    journal = journal_with(tmp_path, good("mid", "t-mid", meta={
        "blend": 3, "file_token": ["x"], "upload": {"p": 1}, "auto_import": "yes", "estimate": "many",
        "settings": "x", "free_form": [1, {"any": "json"}]}))
    assert journal.jobs()["mid"]["meta"] == {"free_form": [1, {"any": "json"}]}


def test_a_lone_surrogate_in_text_is_dropped_on_reading_and_cleaned_on_writing(tmp_path):
    journal = journal_with(tmp_path, b'{"job_id": "s", "state": "created", "time": 1.0, "label": "\\ud800"}\n')
    assert "label" not in journal.jobs()["s"]  # Blender cannot show a lone surrogate
    journal.record("w", "queued", kind="remesh", label="bad \ud800 name")
    assert journal.jobs()["w"]["label"] == "bad ? name"


def test_a_50_mib_line_is_skipped_without_holding_it_in_memory(tmp_path):
    line = b'{"job_id": "huge", "state": "created", "label": "' + b"A" * (50 * MIB) + b'"}\n'
    journal = journal_with(tmp_path, line)
    tracemalloc.start()
    try:
        jobs = journal.jobs()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert set(jobs) == {"first", "last"}
    assert peak < 8 * MIB, f"reading took {peak / MIB:.1f} MiB"  # the old read_text took 150+
    assert "1 longer than 1 MiB" in (journal.damage or "")


def test_a_50_mib_torn_last_line_without_newline(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_bytes(good("first", "t-first") + b'{"job_id": "cut", "label": "' + b"B" * (50 * MIB))
    assert [j["job_id"] for j in Journal(path).unfinished()] == ["first"]


def test_a_torn_last_line_is_skipped(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_bytes(good("first", "t-first") + good("last", "t-last")[:40])
    journal = Journal(path)
    assert [j["job_id"] for j in journal.unfinished()] == ["first"]
    assert "1 an incomplete last line" in (journal.damage or "")


def test_a_record_written_after_a_torn_line_starts_on_a_new_line(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_bytes(good("first", "t-first") + good("second", "t-second") + good("torn", "t-torn")[:50])
    journal = Journal(path)
    journal.record("new", "created", durable=True, kind="remesh", task_id="t-new")
    assert [j["job_id"] for j in journal.unfinished()] == ["first", "second", "new"]
    assert path.read_bytes().endswith(b"\n") and path.read_bytes().count(b"\n") == 4


def test_reading_while_another_thread_appends_never_fails(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            journal.record(f"j{n}", "created", kind="remesh", task_id=f"t{n}")
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(50):
            jobs = journal.jobs()
            assert all(job["task_id"] == "t" + job_id[1:] for job_id, job in jobs.items())
    finally:
        stop.set()
        thread.join()


# -- a journal path that is not a readable file ---------------------------------------------------


def _unreadable_cases(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    yield "a folder", folder, "is a folder, not a file"
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    yield "under a regular file", blocker / "journal.jsonl", "a part of its path is a file"
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    yield "a FIFO nobody writes", fifo, "is not a regular file"
    sock = tmp_path / "sock.jsonl"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    yield "a socket", sock, "is not a regular file"
    server.close()


def test_a_path_that_cannot_be_read_reads_as_empty_and_says_why(tmp_path):
    for name, path, why in _unreadable_cases(tmp_path):
        journal = Journal(path)
        reads = within(5, lambda j=journal: (j.jobs(), j.claims(), j.unfinished(), j.interrupted_creates(),
                                             j.find_task("t"), j.jobs(times=True)))
        assert reads == ({}, {}, [], [], None, {}), name
        assert journal.problem and why in journal.problem and str(path) in journal.problem, (name, journal.problem)
        assert journal.problem.endswith("earlier tasks cannot be listed or resumed."), journal.problem
        assert within(5, lambda j=journal: j.compact(idle_for=0)) == 0, name
        with pytest.raises(JournalError) as raised:
            within(5, lambda j=journal: j.record("a", "created", kind="remesh", task_id="t"))
        assert why in raised.value.message and not raised.value.disk_full, (name, raised.value.message)


def test_a_missing_folder_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    journal = Journal(blocker / "deeper" / "journal.jsonl")
    assert journal.jobs() == {} and "a part of its path is a file" in (journal.problem or "")
    with pytest.raises(JournalError, match=r"The folder of the Meshy task journal at .* cannot be made"):
        journal.record("a", "queued", kind="remesh")
    assert journal.compact(idle_for=0) == 0


def test_no_journal_yet_is_no_problem(tmp_path):
    journal = Journal(tmp_path / "new" / "journal.jsonl")
    assert journal.jobs() == {} and journal.problem is None and journal.compact(idle_for=0) == 0
    journal.record("a", "queued", kind="remesh")
    assert list(journal.jobs()) == ["a"] and journal.problem is None


def test_a_journal_without_read_permission_for_a_normal_user(tmp_path):
    """Root ignores file modes, so the reading runs in a child that drops to the user nobody."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to start a child as another user (as a normal user, chmod 000 is the test)")
    folder = Path(tempfile.mkdtemp(prefix="meshy-perm-"))
    try:
        folder.chmod(0o755)
        path = folder / "journal.jsonl"
        path.write_bytes(good("first", "t-first"))
        path.chmod(0o000)
        code = (f"import os, sys, json; sys.path.insert(0, {str(ROOT)!r})\n"
                "from client.journal import Journal\n"
                "os.setgid(65534); os.setuid(65534)\n"  # after the imports: /root may be closed to nobody
                f"j = Journal({str(path)!r})\n"
                "jobs = j.jobs(); read = j.problem; compacted = j.compact(idle_for=0)\n"
                "try:\n    j.record('a', 'queued', kind='remesh'); wrote = 'wrote'\n"
                "except Exception as exc:\n    wrote = type(exc).__name__ + ': ' + str(exc)\n"
                "print(json.dumps([jobs, read, compacted, wrote]))\n")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        jobs, read, compacted, wrote = json.loads(done.stdout)
        assert jobs == {} and compacted == 0
        assert read == (f"The Meshy task journal at {path} cannot be read (permission denied), "
                        "so earlier tasks cannot be listed or resumed.")
        assert wrote.startswith("JournalWriteError: The Meshy task journal at") and "permission denied" in wrote
        assert "Traceback" not in done.stderr
    finally:
        path.chmod(0o600)
        path.unlink()
        folder.rmdir()


# -- a full disk ----------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A real 64 KiB tmpfs: a full disk that is full for real."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("a full disk is tested on a 64 KiB tmpfs, and mounting one needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"a small tmpfs could not be mounted here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Take every free page of the disk."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def test_record_on_a_full_disk_says_so_in_one_sentence_and_keeps_every_durable_record(small_disk):
    journal = Journal(small_disk / "journal.jsonl")
    for n in range(5):
        journal.record(f"job{n}", "created", durable=True, kind="remesh", task_id=f"t{n}")
    before = journal.path.read_bytes()
    filler = fill(small_disk)
    with pytest.raises(JournalError) as raised:
        journal.record("lost", "created", durable=True, kind="remesh", task_id="t-lost", label="x" * 9000)
    error = raised.value
    assert error.disk_full and isinstance(error, OSError)
    assert error.message.startswith(f"The disk is full: the Meshy task journal at {journal.path} could not be "
                                    "written") and error.message.count(". ") == 0, error.message
    assert journal.problem == error.message
    assert journal.path.read_bytes().startswith(before)  # nothing durable was truncated
    assert [j["task_id"] for j in journal.unfinished()] == [f"t{n}" for n in range(5)]
    filler.unlink()
    journal.record("after", "created", durable=True, kind="remesh", task_id="t-after")
    assert [j["task_id"] for j in journal.unfinished()] == [*(f"t{n}" for n in range(5)), "t-after"]
    assert journal.problem is None


def test_a_write_cut_short_by_a_full_disk_is_a_torn_line_the_next_record_starts_after(small_disk):
    journal = Journal(small_disk / "journal.jsonl")
    journal.record("job0", "created", durable=True, kind="remesh", task_id="t0")
    overhead = len(encode({"job_id": "pad", "state": "queued", "time": time.time(), "kind": "remesh", "label": ""})[0])
    room = 4096 - 60 - journal.path.stat().st_size - overhead  # leave 60 bytes before the page boundary
    journal.record("pad", "queued", kind="remesh", label="p" * room)
    assert 50 < 4096 - journal.path.stat().st_size < 70
    filler = fill(small_disk)
    with pytest.raises(JournalError):
        journal.record("cut", "created", durable=True, kind="remesh", task_id="t-cut", label="c" * 500)
    assert journal.path.stat().st_size == 4096  # the part that fitted went in: a torn line
    filler.unlink()
    journal.record("after", "created", durable=True, kind="remesh", task_id="t-after")
    assert [j["task_id"] for j in journal.unfinished()] == ["t0", "t-after"]
    assert "pad" in journal.jobs()


def test_compact_on_a_full_disk_leaves_the_journal_intact_and_no_temp_file(small_disk, caplog):
    journal = Journal(small_disk / "journal.jsonl")
    for n in range(60):
        journal.record("same", "created", kind="remesh", task_id="t-same", label=f"version {n}")
    os.utime(journal.path, (time.time() - 3600, time.time() - 3600))
    before = journal.path.read_bytes()
    fill(small_disk)
    caplog.set_level(logging.WARNING, "meshy.journal")
    assert journal.compact() == 0
    assert journal.path.read_bytes() == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "journal.jsonl"]
    assert journal.problem and journal.problem.startswith("The disk is full: the Meshy task journal at")
    assert any("compacted" in m for m in warnings(caplog))


# -- compaction -----------------------------------------------------------------------------------


def test_compaction_drops_damaged_lines_and_keeps_every_good_job(tmp_path):
    journal = journal_with(tmp_path, *BAD_LINES.values())
    os.utime(journal.path, (time.time() - 3600, time.time() - 3600))
    assert journal.compact() == 0
    assert [j["job_id"] for j in journal.unfinished()] == ["first", "last"]
    assert journal.path.stat().st_size < 1000 and journal.damage is None


def test_an_append_waiting_on_a_compaction_lands_in_the_new_file(tmp_path):
    """A compaction holds the journal (as ``compact()`` does) and swaps a new file in; a record another
    process appends meanwhile waits, then lands in the new file instead of the replaced one."""
    from client import journal_files

    pytest.importorskip("fcntl")
    locks = Path("/proc/locks")
    if not locks.exists():
        pytest.skip("needs /proc/locks to see that the other process waits for the lock")
    path = tmp_path / "journal.jsonl"
    path.write_bytes(good("old", "t-old"))
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from client.journal import Journal\n"
            f"Journal({str(path)!r}).record('waiting', 'created', durable=True, kind='remesh', task_id='t-wait')\n")
    with journal_files.held(path):
        other = subprocess.Popen([sys.executable, "-c", code])
        deadline = time.monotonic() + 20
        while "->" not in locks.read_text() and other.poll() is None:  # "->": a lock request waiting
            assert time.monotonic() < deadline, "the other process never waited for the lock"
            time.sleep(0.01)
        journal_files.replace(path, good("old", "t-old"))
    assert other.wait(timeout=30) == 0
    assert [j["task_id"] for j in Journal(path).unfinished()] == ["t-old", "t-wait"]


# -- no secret in the journal ---------------------------------------------------------------------


def test_no_secret_reaches_the_file_however_deep_it_hides(tmp_path):
    key = "sk-live-Zq81mXpLw04Tt7uV"
    register_secret(key)
    journal = Journal(tmp_path / "journal.jsonl")
    journal.record("job", "failed", kind="remesh", label=f"Chair {key}",
                   message=f"Meshy said: invalid key {key} (Authorization: Bearer abc.def-ghi)",
                   meta={"settings": {"prompt": f"uses {key}"}, "list": [key, {"deeper": f"x{key}y"}], key: "as key",
                         "other_key": "msy_AbCdEf123456789"},
                   files={"model": f"/tmp/{key}/model.glb"})
    text = journal.path.read_bytes()
    for secret in (key.encode(), b"abc.def-ghi", b"msy_AbCdEf123456789"):
        assert secret not in text
    job = journal.jobs()["job"]
    assert job["label"] == "Chair ***" and "Bearer ***" in job["message"] and job["meta"]["other_key"] == "msy_***"


def test_compaction_scrubs_a_secret_written_by_an_older_version(tmp_path):
    key = "sk-live-Older0Journal7Key"
    register_secret(key)
    path = tmp_path / "journal.jsonl"
    path.write_bytes(good("job", "t1", message=f"bad key {key}") * 2)
    os.utime(path, (time.time() - 3600, time.time() - 3600))
    Journal(path).compact()
    assert key.encode() not in path.read_bytes() and Journal(path).jobs()["job"]["message"] == "bad key ***"


def test_records_no_reader_would_trust_are_refused_when_written(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    for job_id, state, fields in [("", "created", {}), (5, "created", {}), ("a\nb", "created", {}),
                                  ("ok", "exploded", {}), ("ok", "created", {"kind": "text-to-texture"}),
                                  ("ok", "created", {"task_id": ""})]:
        with pytest.raises(ValueError):
            journal.record(job_id, state, **fields)
    assert not journal.path.exists()


def test_a_record_too_long_for_a_line_keeps_its_state_change(tmp_path, caplog):
    journal = Journal(tmp_path / "journal.jsonl")
    caplog.set_level(logging.WARNING, "meshy.journal")
    journal.record("big", "imported", kind="remesh", task_id="t1", objects=[f"Object.{n:06d}" for n in range(200_000)],
                   meta={"blend": "/tmp/a.blend"})
    job = journal.jobs()["big"]
    assert job["state"] == "imported" and job["meta"] == {"blend": "/tmp/a.blend"} and "objects" not in job
    assert warnings(caplog) == ["journal record of job big was too long; left out: objects"]


# -- end to end: a damaged journal still resumes its good jobs --------------------------------------


def test_engine_resume_follows_every_good_job_of_a_damaged_journal(emu, tmp_path):
    glb = tmp_path / "ball.glb"
    glb.write_bytes(trimesh.creation.icosphere(subdivisions=2).export(file_type="glb"))
    client = MeshyClient(TEST_KEY, base_url=emu.base_url, retry_policy=RetryPolicy(max_retries=2, base=0.01, cap=0.02))
    first = client.create("remesh", RemeshRequest(model_url=FileInput.model(glb), target_polycount=100))
    last = client.create("remesh", RemeshRequest(model_url=FileInput.model(glb), target_polycount=100))
    journal = journal_with(tmp_path, good("first", first)[:30] + b"\n", *BAD_LINES.values())
    journal.path.write_bytes(journal.path.read_bytes().replace(b"t-first", first.encode())
                             .replace(b"t-last", last.encode()))
    engine = JobEngine(client, journal=journal, download_dir=tmp_path / "dl")
    try:
        resumed = engine.resume()
        assert resumed == ["first", "last"]
        results = engine.run(resumed, timeout=30)
        assert {r.type for r in results.values()} == {"succeeded"}
        assert emu.create_count() == 2  # followed, never created again
    finally:
        engine.close()


def test_an_interrupted_create_that_names_no_kind_is_left_to_the_user_not_a_crash(emu, tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_bytes(json.dumps({"job_id": "nokind", "state": "creating", "time": time.time()}).encode() + b"\n")
    journal = Journal(path)
    job = journal.jobs()["nokind"]
    assert job["state"] == "unresolved" and "check the Meshy history" in job["message"] and job["kind"] == ""
    engine = JobEngine(MeshyClient(TEST_KEY, base_url=emu.base_url), journal=journal, download_dir=tmp_path / "dl")
    try:
        assert engine.resume() == []  # nothing to look for blindly, and no exception
    finally:
        engine.close()
