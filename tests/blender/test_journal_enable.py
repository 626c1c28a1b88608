"""Enabling the add-on never fails because of the journal, and every good job in it still resumes.

Real Blender (the bpy wheel) and a real emulator: a journal of garbage, a folder,
a torn file or a 50 MB line sits where the add-on keeps its journal
(``MESHY_TOOLS_DIR``/journal.jsonl); the add-on is disabled and enabled (which
compacts the journal and, in background Blender, resumes), its Resume operator
runs, and the task list is built. Before issue 8 a single non-UTF-8 byte or a
folder there made enabling raise.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import addon_utils
import bpy
import pytest
import trimesh

from conftest import ADDON, TEST_KEY

MIB = 1024 * 1024


def line(job_id: str, task_id: str, state: str = "created") -> bytes:
    record = {"job_id": job_id, "state": state, "time": time.time(), "kind": "remesh", "task_id": task_id,
              "label": job_id, "meta": {"label": job_id}, "outputs": ["glb"]}
    return json.dumps(record).encode() + b"\n"


GARBAGE = bytes(range(256)) * 64 + b"\n" + b"\xff\xfe not text \x00\n" * 100
HOSTILE = {
    "garbage": lambda path: path.write_bytes(GARBAGE),
    "a folder": lambda path: path.mkdir(),
    "a torn file": lambda path: path.write_bytes(line("done", "t-done", "succeeded") + b'{"job_id": "torn", "sta'),
    "a 50 MB line": lambda path: path.write_bytes(b'{"job_id": "big", "label": "' + b"x" * (50 * MIB) + b'"}\n'),
}


def _raise(exc: BaseException) -> None:
    raise exc


@pytest.fixture
def user_dir(addon, emu, tmp_path, monkeypatch) -> Iterator[Path]:
    """The add-on disabled, its user folder moved to ``tmp_path/user``; enabled again (clean) afterwards."""
    folder = tmp_path / "user"
    folder.mkdir()
    monkeypatch.setenv("MESHY_TOOLS_DIR", str(folder))
    monkeypatch.setenv("MESHY_API_KEY", TEST_KEY)  # preferences go with a disable: the environment stays
    monkeypatch.setenv("MESHY_BASE_URL", emu.base_url)
    monkeypatch.setenv("MESHY_DOWNLOAD_DIR", str(tmp_path / "downloads"))
    bpy.context.preferences.system.use_online_access = True
    runtime().service().shutdown()
    runtime().service().tasks.clear()
    addon_utils.disable(ADDON, default_set=True, handle_error=_raise)
    yield folder
    runtime().service().shutdown()
    runtime().service().tasks.clear()
    addon_utils.disable(ADDON, default_set=True, handle_error=_raise)
    for name in ("MESHY_TOOLS_DIR", "MESHY_API_KEY", "MESHY_BASE_URL", "MESHY_DOWNLOAD_DIR"):
        monkeypatch.delenv(name, raising=False)
    addon_utils.enable(ADDON, default_set=True, handle_error=_raise)


def runtime():
    return sys.modules[f"{ADDON}.runtime"]


def enable_and_use() -> list:
    """Everything start-up does with the journal, then what the user does next: any exception fails."""
    addon_utils.enable(ADDON, default_set=True, handle_error=_raise)  # compacts; resumes (background)
    assert ADDON in bpy.context.preferences.addons
    service = runtime().service()
    service.resume()
    assert bpy.ops.meshy.resume() in ({"FINISHED"}, {"CANCELLED"})
    tasks = sys.modules[f"{ADDON}.core.views.tasks"]
    runtime().controller().refresh()  # what the timer does once a second: the panels' picture of the journal
    return tasks.task_rows(service.tasks, service.journal().jobs(), Path("."))


@pytest.mark.parametrize("make", list(HOSTILE.values()), ids=list(HOSTILE))
def test_enabling_never_fails_because_of_the_journal(user_dir, make):
    make(user_dir / "journal.jsonl")
    enable_and_use()
    addon_utils.disable(ADDON, default_set=True, handle_error=_raise)
    enable_and_use()  # and again, after a disable


def test_a_folder_as_journal_is_one_sentence_the_add_on_can_show(user_dir):
    (user_dir / "journal.jsonl").mkdir()
    enable_and_use()
    problem = runtime().service().journal().problem
    assert problem and "is a folder, not a file" in problem and problem.endswith(".")


def test_every_good_job_of_a_damaged_journal_resumes_and_is_listed(user_dir, emu, tmp_path):
    from client import MeshyClient
    from client.models import RemeshRequest
    from client.uploads import FileInput

    glb = tmp_path / "ball.glb"
    glb.write_bytes(trimesh.creation.icosphere(subdivisions=2).export(file_type="glb"))
    client = MeshyClient(TEST_KEY, base_url=emu.base_url)
    ids = [client.create("remesh", RemeshRequest(model_url=FileInput.model(glb), target_polycount=100))
           for _ in range(3)]
    path = user_dir / "journal.jsonl"
    path.write_bytes(line("first", ids[0]) + GARBAGE + b'{"job_id": "x", "label": "' + b"y" * (50 * MIB) + b'"}\n'
                     + line("done", ids[1], "succeeded") + b'{"job_id": "torn", "state": "crea\n' + line("last", ids[2])
                     + b'{"job_id": "cut", "sta')
    old = time.time() - 3600
    os.utime(path, (old, old))  # idle long enough: enabling compacts it too
    rows = enable_and_use()
    assert {"first", "last"} <= set(runtime().service().tasks)  # resumed: followed, never created again
    assert {"first", "last"} <= {r.job_id for r in rows}
    assert set(runtime().service().journal().jobs()) >= {"first", "done", "last"}
    assert emu.create_count() == 3
    assert path.stat().st_size < 10_000  # compacted: the damaged lines are gone, the good jobs kept
