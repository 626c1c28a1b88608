"""The view-models of Text to 3D, Multi-Image to 3D and Text to Image in a plain Python: every state, cheap."""

from __future__ import annotations

from pathlib import Path

from meshy_tools.client.tasks import Task
from meshy_tools.core.settings import Settings
from meshy_tools.core.stages import THEN, prompt_label
from meshy_tools.core.states import JobState
from meshy_tools.core.views import history, kinds_more, operations, tasks
from meshy_tools.service.tasks import TaskEntry


def settings(**kw) -> Settings:
    return Settings(**{**dict(api_key="msy_x", base_url="http://127.0.0.1:9", max_in_flight=10,
                              download_dir=Path("/tmp/dl"), user_dir=Path("/tmp/user")), **kw})


def view(kind: str, values: dict, balance: int | None = 100) -> operations.RunView:
    return operations.run_view(kind, values, selected_meshes=0, settings=settings(), online=True, balance=balance)


def test_blockers_name_the_missing_input_then_the_option_meshy_refuses():
    assert view("text-to-3d", {"prompt": " "}).blocker == "Write a prompt"
    assert view("text-to-image", {}).blocker == "Write a prompt"
    assert view("multi-image-to-3d", {}).blocker.startswith("Add 1 to 4 views")
    assert "5 are listed" in view("multi-image-to-3d", {"image_paths": ["a"] * 3, "image_names": ["b"] * 2}).blocker
    assert view("multi-image-to-3d", {"input_task_id": "t"}).blocker == ""
    assert "601 characters" in view("text-to-3d", {"prompt": "a" * 601}).blocker
    assert "3:2 is not offered by nano-banana" in view("text-to-image", {"prompt": "x", "aspect_ratio": "3:2"}).blocker
    both = {"prompt": "x", "generate_multi_view": True, "aspect_ratio": "16:9"}
    assert "generate_multi_view" in view("text-to-image", both).blocker
    assert view("text-to-image", {"prompt": "x", "generate_multi_view": True, "aspect_ratio": ""}).blocker == ""
    assert "texture_prompt" in view("text-to-3d", {"prompt": "x", "refine": True, "texture_prompt": "t" * 601}).blocker
    assert view("text-to-3d", {"prompt": "x", "refine": False, "texture_prompt": "t" * 601}).blocker == ""


def test_costs_count_the_chained_refine_and_the_views():
    assert view("text-to-3d", {"prompt": "x"}).credits == 20
    assert view("text-to-3d", {"prompt": "x", "refine": True}).credits == 30
    assert view("text-to-3d", {"prompt": "x", "ai_model": "meshy-5", "refine": True}).credits == 15
    assert view("text-to-3d", {"prompt": "x", "ai_model": "meshy-5", "model_type": "lowpoly"}).credits == 20
    assert view("text-to-image", {"prompt": "x", "ai_model": "nano-banana-pro", "generate_multi_view": True}
                ).credits == 27
    assert view("multi-image-to-3d", {"input_task_id": "t", "should_texture": False}).credits == 20
    short = view("text-to-3d", {"prompt": "x", "refine": True}, balance=25)
    assert not short.enough and "30" in short.top_up


def entry(job_id: str, meta: dict, state=JobState.IMPORTED, task_id: str = "") -> TaskEntry:
    return TaskEntry(job_id, "text-to-3d", "Barrel", meta, task_id=task_id or job_id + "-task", state=state)


def test_task_rows_name_each_stage_and_link_the_two():
    preview = entry("p", {"settings": {"mode": "preview"}, THEN: {"mode": "refine"}})
    refine = entry("p-refine", {"settings": {"mode": "refine"}, "preview_task_id": "p-task-0123456789"},
                   state=JobState.FOLLOWING)
    alone = entry("q", {"settings": {"mode": "preview"}})
    rows = {r.job_id: r for r in tasks.task_rows({e.job_id: e for e in (preview, refine, alone)}, {}, Path("/tmp"))}
    assert rows["p-refine"].kind_title == "Text to 3D · Refine" and rows["p-refine"].link == "Refines preview p-task-0"
    assert rows["p"].kind_title == "Text to 3D · Preview" and rows["p"].link == "Refine chained on it"
    assert not rows["p"].can_refine and rows["q"].can_refine and not rows["p-refine"].can_refine
    journal = {"j": {"job_id": "j", "kind": "text-to-3d", "task_id": "t1", "state": "imported", "time": 1,
                     "meta": {"settings": {"mode": "preview"}}}}
    (old,) = tasks.task_rows({}, journal, Path("/tmp"))
    assert old.stage == "preview" and old.can_refine
    other = tasks.entry_row(TaskEntry("r", "remesh", "Ball", {}, task_id="t", state=JobState.IMPORTED), Path("/tmp"))
    assert other.kind_title == "Remesh" and not other.link and not other.can_refine


def test_history_rows_of_text_to_3d_know_their_stage():
    def row(data: dict) -> history.HistoryRow:
        return history.row_from_task(Task.from_json({"id": "t-1", "status": "SUCCEEDED", **data}), "text-to-3d",
                                     Path("/tmp"))

    assert row({"type": "text-to-3d-preview", "prompt": "a barrel"}).stage_text == "Preview"
    refined = row({"type": "text-to-3d-refine", "preview_task_id": "abcdef123456"})
    assert refined.stage == "refine" and refined.stage_text == "Refine of abcdef12"
    assert row({"preview_task_id": 5}).stage == ""  # no type, a hostile field: the stage is not guessed
    plain = history.row_from_task(Task.from_json({"id": "x", "status": "SUCCEEDED"}), "remesh", Path("/tmp"))
    assert plain.stage == "" and plain.stage_text == ""
    assert kinds_more.history_stage(Task.from_json({"id": "x", "type": 7})) == ("", "")


def test_labels_from_prompts():
    assert prompt_label("a small red mushroom") == "Small Red Mushroom"
    assert prompt_label("The knight, in armour with a sword and shield") == "Knight Armour Sword Shield"
    assert prompt_label("!!!") == "Meshy" and len(prompt_label("x" * 600)) == 40
