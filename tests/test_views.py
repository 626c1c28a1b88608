"""The panels' view-models in a plain Python: what each panel shows in every state.

They were tested through Blender before (tests/blender/test_panels.py); they
are pure functions of values and a snapshot now, so every state is cheap here.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from meshy_tools.core import messages
from meshy_tools.core.settings import Settings
from meshy_tools.core.snapshot import HistoryView
from meshy_tools.core.states import JobState
from meshy_tools.core.views import account, history, operations, tasks
from meshy_tools.service.tasks import TaskEntry


def settings(**kw) -> Settings:
    base = dict(api_key="msy_x", base_url="http://127.0.0.1:9", max_in_flight=10, download_dir=Path("/tmp/dl"),
                user_dir=Path("/tmp/user"))
    return Settings(**{**base, **kw})


# ----------------------------------------------------------------- account


def test_account_view_for_every_key_state():
    view = account.account_view
    assert view("", False, True, "", None, False, "").key_text == "API key: not set"
    rejected = view("k", False, True, "rejected", None, False, "")
    assert "rejected" in rejected.key_text and rejected.key_icon == "ERROR"
    works = view("k", False, True, "works", 1234, False, "")
    assert works.key_text == "API key: works" and works.balance_text == "Credits: 1,234"
    offline = view("k", False, False, "", None, False, "")
    assert not offline.can_check and "Online access is off" in offline.notes[0][0]
    assert "Allow" in offline.notes[0][0]
    assert view("k", False, True, "", None, True, "").key_text == "API key: checking…"


# ----------------------------------------------------------------- operations: Run and its cost

REMESH = {"input_task_id": "", "model_url": "", "target_polycount": 30000}


def test_run_blocker_names_the_missing_input():
    def blocker(kind, values, meshes=0, online=True, key=True):
        return operations.blocker(kind, values, selected_meshes=meshes, online=online, has_key=key)

    assert blocker("remesh", REMESH) == "Select a mesh object to remesh"
    assert blocker("remesh", REMESH, meshes=1) == ""
    assert blocker("remesh", {**REMESH, "input_task_id": "t"}) == ""
    assert "Describe the texture" in blocker("retexture", {}, meshes=1)
    assert blocker("retexture", {"style_image_name": "Bricks"}, meshes=1) == ""
    assert blocker("image-to-3d", {}).startswith("Choose an image")
    assert blocker("image-to-3d", {"use_render": True}) == ""
    assert blocker("image-to-image", {"prompt": "  "}) == "Write a prompt"
    assert blocker("image-to-image", {"prompt": "blue"}) == "Add a reference image"
    assert blocker("image-to-image", {"prompt": "blue", "reference_image_paths": ["/a.png"]}) == ""
    assert "API key" in blocker("remesh", REMESH, meshes=1, key=False)
    assert blocker("remesh", REMESH, meshes=1, online=False).startswith("Online access is off")


def test_estimate_follows_the_model_the_options_and_the_selection():
    s = settings()
    assert operations.estimate("image-to-3d", {"ai_model": "latest", "should_texture": True}, 0, s) == 30
    assert operations.estimate("image-to-3d", {"ai_model": "meshy-5", "should_texture": False}, 0, s) == 5
    # the sidebar's model is the table's default: the preferences' model is used (and priced)
    assert operations.estimate("image-to-3d", {"ai_model": "latest"}, 0, settings(default_mesh_model="MESHY_5")) == 15
    assert operations.estimate("image-to-image", {"ai_model": "nano-banana"}, 0, s) == 3
    assert operations.estimate("image-to-image", {"ai_model": "nano-banana-pro", "generate_multi_view": True},
                               0, s) == 27
    assert operations.estimate("remesh", REMESH, 2, s) == 10
    view = operations.run_view("remesh", REMESH, selected_meshes=2, settings=s, online=True, balance=7)
    assert not view.enough and "2 tasks" in view.cost_text and "7 left" in view.cost_text
    assert "Top up" in view.top_up and "10 credits" in view.top_up
    assert operations.selection_text(["Chair", "Table"]) == "Selection: Chair and 1 more"


# ----------------------------------------------------------------- tasks


def entry(**kw) -> TaskEntry:
    base = dict(job_id="j1", kind="retexture", label="Chair", task_id="t1", started=time.time() - 75)
    return TaskEntry(**{**base, **kw})


def test_task_rows_for_each_state(tmp_path):
    assert tasks.task_rows({}, {}, tmp_path) == []  # no task
    pending = tasks.entry_row(entry(state=JobState.CREATED, status="PENDING", preceding_tasks=3), tmp_path)
    assert pending.status_text == "In Meshy's queue: 3 ahead" and pending.active and pending.elapsed == "1m 15s"
    running = tasks.entry_row(entry(state=JobState.FOLLOWING, status="IN_PROGRESS", progress=40), tmp_path)
    assert running.progress == pytest.approx(0.4) and running.status_text == "Running 40%"
    waiting = tasks.entry_row(entry(state=JobState.WAITING, message="Meshy's task queue is full"), tmp_path)
    assert "starts by itself" in waiting.status_text
    failed = tasks.entry_row(entry(state=JobState.FAILED, message="Your Meshy account does not have enough credits"),
                             tmp_path)
    assert failed.message and "Top up" in failed.advice and not failed.active and not failed.can_import
    done = tasks.entry_row(entry(state=JobState.SUCCEEDED, progress=100), tmp_path)
    assert done.can_import and not done.imported and done.thumb_path.endswith("retexture/t1/thumbnail.png")
    journal = {"old": {"job_id": "old", "kind": "remesh", "task_id": "t9", "state": "succeeded",
                       "label": "Vase", "time": time.time()},
               "gone": {"job_id": "gone", "kind": "remesh", "task_id": "t8", "state": "deleted"}}
    rows = tasks.task_rows({"j1": entry(state=JobState.CREATED)}, journal, tmp_path)
    assert [r.name for r in rows] == ["Chair", "Vase"] and rows[1].from_journal and rows[1].can_import


@pytest.mark.parametrize("state", [JobState.SUSPENDED, JobState.IN_DOUBT])
def test_a_job_kept_for_later_is_not_shown_as_failed(tmp_path, state):
    row = tasks.entry_row(entry(state=state, message=messages.KEPT), tmp_path)
    said = {JobState.SUSPENDED: "Paused: press Resume", JobState.IN_DOUBT: "Maybe created: looked for on Resume"}
    assert row.status_text == said[state] and row.icon != "ERROR" and not row.advice
    assert row.can_import and not row.active
    earlier = tasks.journal_row({"job_id": "j", "kind": "remesh", "task_id": "t", "state": str(state)}, tmp_path)
    assert earlier.status_text.startswith("Kept") and earlier.can_import


def test_a_failed_import_can_be_tried_again_from_its_files(tmp_path):
    row = tasks.entry_row(entry(state=JobState.FAILED, message="Blender could not import the model",
                                files={"model": "/x/model.glb"}), tmp_path)
    assert row.can_import
    rec = {"job_id": "j", "kind": "remesh", "task_id": "t", "state": "failed", "files": {"model": "/x/m.glb"}}
    assert tasks.journal_row(rec, tmp_path).can_import
    assert not tasks.journal_row({**rec, "files": None}, tmp_path).can_import


def test_advice_for_each_kind_of_failure():
    assert "preferences" in messages.advice("Meshy did not accept the API key, so check the key")
    assert "by itself" in messages.advice("Meshy's task queue is full")
    assert "retried" in messages.advice("Could not connect to Meshy")
    assert messages.advice("The model could not be processed").startswith("Try another input")
    assert messages.advice("") == ""


# ----------------------------------------------------------------- history


def test_history_lines_and_names():
    row = history.HistoryRow("abcdef123456", "remesh", "IN_PROGRESS", 40, 0, "abcdef12")
    assert history.display_name(row, {"j": {"task_id": "abcdef123456", "label": "Chair"}}) == "Chair · abcdef12"
    assert history.display_name(row, {}) == "abcdef12"
    assert row.state_text == "In Progress 40%" and row.icon == "PLAY"
    assert history.history_lines("remesh", HistoryView()) == [("Press Refresh to list your tasks on Meshy.", "INFO")]
    assert history.history_lines("remesh", HistoryView(loading=frozenset({"remesh"})))[0][0] == "Loading…"
    assert history.history_lines("remesh", HistoryView(rows={"remesh": ()}))[0][0].startswith("No tasks")
    assert history.history_lines("remesh", HistoryView(rows={"remesh": (row,)})) == []
    assert history.format_created(1_700_000_000_000)[:2] == "20" and history.format_created(0) == ""
