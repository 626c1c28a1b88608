"""Rig and Animate without Blender: their table rows, rules, panel lines, history and command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from meshy_tools.batch import args as cli
from meshy_tools.batch import characters as batch_characters
from meshy_tools.client import animation_library as library
from meshy_tools.client.errors import ValidationError
from meshy_tools.client.uploads import FileInput
from meshy_tools.core import characters, params, requests
from meshy_tools.core.settings import Settings
from meshy_tools.core.snapshot import HistoryView
from meshy_tools.core.views import characters as views
from meshy_tools.core.views import history, operations
from meshy_tools.service.history import History


def settings(**kw) -> Settings:
    base = dict(api_key="msy_x", base_url="http://127.0.0.1:9", max_in_flight=10, download_dir=Path("/tmp/dl"),
                user_dir=Path("/tmp/user"))
    return Settings(**{**base, **kw})


def test_the_two_kinds_are_rows_of_the_table_like_the_others():
    assert {"rigging", "animations"} <= set(params.KINDS)
    assert params.OPERATORS["rigging"] == "rig" and params.OPERATORS["animations"] == "animate"
    assert ("RIGGING", "Rig", "Meshy Rig") in params.KIND_ITEMS and "rigging" in params.MODEL_KINDS
    assert params.param("rigging", "height_meters").default == 1.7
    assert params.param("animations", "action").suggest is characters.suggest_actions
    assert not params.param("animations", "action").api and params.param("animations", "action_id").api
    assert requests.can_chain("rigging", "image-to-3d") and requests.can_chain("rigging", "remesh")
    assert not requests.can_chain("rigging", "rigging")


def test_an_action_by_name_and_post_processing_become_the_request():
    values = characters.animation_values({"rig_task_id": "rig-1", "action": "walking woman", "post_process":
                                          "change_fps", "fps": 24})
    request = requests.build_request("animations", values, settings())
    assert request.to_payload() == {"rig_task_id": "rig-1", "action_id": 1,
                                    "post_process": {"operation_type": "change_fps", "fps": 24}}
    assert characters.animation_values({"action": "Dead", "fps": 60})["post_process"] == {
        "operation_type": "change_fps", "fps": 60}  # a frame rate alone asks for Change FPS
    assert characters.animation_values({"action": "Dead", "post_process": "change_fps"})["post_process"][
        "fps"] == 30  # the table's default
    assert characters.animation_values({"action_id": 2, "action": "Dead", "post_process": "fbx2usdz", "fps": 24}) == {
        "action_id": 2, "post_process": {"operation_type": "fbx2usdz"}}  # action_id wins; fps is Change FPS's
    assert characters.animation_values({"action": "92"})["action_id"] == 92


@pytest.mark.parametrize("typed, near", [("Walking Womann", "Walking_Woman"), ("jmp run", "Jump_Run"),
                                         ("walk woman", "Walking_Woman")])
def test_an_unknown_action_name_is_one_sentence_with_close_names(typed, near):
    with pytest.raises(ValidationError) as info:
        characters.animation_values({"action": typed})
    assert f"no action named {typed!r}" in info.value.message and near in info.value.message
    assert "\n" not in info.value.message


def test_the_action_field_suggests_and_explains_library_names():
    suggestions = dict(characters.suggest_actions("walking"))
    assert suggestions["Walking_Woman"] == "WalkAndRun / Walking, id 1"
    unconfirmed = [d for d in suggestions.values() if "unconfirmed" in d]
    assert unconfirmed and all("id " in d for d in unconfirmed)
    assert len(characters.suggest_actions("")) == len(library.actions()) > 300  # an empty field lists them all
    assert characters.action_lines("Jump_Run") == [("Jump Run: WalkAndRun / Running, id 13", "ANIM")]
    name = next(n for n, d in characters.suggest_actions("") if "unconfirmed" in d)
    assert [icon for _, icon in characters.action_lines(name)] == ["ANIM", "ERROR"]
    assert characters.action_lines("")[0][1] == "INFO"
    assert "did you mean Jump_Run" in characters.action_lines("Jmp run")[0][0]


def test_face_limit_sentence():
    assert characters.too_many_faces("Hero", 300_000) == ""
    assert characters.too_many_faces("Hero", 318_402) == (
        "Hero has 318,402 faces; Meshy rigs models of at most 300,000 faces (remesh it to fewer first)")


def test_run_blockers_and_costs_of_rig_and_animate():
    s = settings()
    rig = operations.run_view("rigging", {}, selected_meshes=0, settings=s, online=True, balance=100)
    assert rig.blocker == "Select a mesh character"
    rig = operations.run_view("rigging", {}, selected_meshes=2, settings=s, online=True, balance=100)
    assert (rig.blocker, rig.credits, rig.tasks) == ("", 10, 2)
    assert operations.run_view("rigging", {"input_task_id": "t"}, selected_meshes=0, settings=s, online=True,
                               balance=None).credits == 5
    anim = operations.run_view("animations", {"action": "Idle"}, selected_meshes=3, settings=s, online=True,
                               balance=100)
    assert anim.blocker == "Select a Meshy rig"
    anim = operations.run_view("animations", {"action": ""}, selected_meshes=0, selected_rigs=1, settings=s,
                               online=True, balance=100)
    assert anim.blocker == "Choose an action from the Animation Library"
    anim = operations.run_view("animations", {"action": "Idle"}, selected_meshes=0, selected_rigs=2, settings=s,
                               online=True, balance=100)
    assert (anim.blocker, anim.credits) == ("", 6)
    assert operations.blocker("animations", {}, selected_meshes=0, online=False, has_key=True).startswith("Online")


def test_panel_lines_for_the_selection_and_the_rig():
    assert views.selection_text([]) == "Selection: no mesh character"
    assert views.selection_text([("Hero", 1.2345)]) == "Selection: Hero, 1.23 m tall"
    assert views.selection_text([("Hero", 1.0), ("Ogre", 2.0)]) == "Selection: Hero and 1 more"
    assert views.rig_text([]) == ("Rig: select a Meshy rig (or its mesh)", "ERROR")
    assert views.rig_text([("Hero_rig", 2)]) == ("Rig: Hero_rig, clips: 2", "ARMATURE_DATA")


def test_history_says_meshy_lists_no_rigs_and_fetches_nothing():
    for kind in ("rigging", "animations"):
        ((text, icon),) = history.history_lines(kind, HistoryView())
        assert "keeps no list" in text and "Import Task by ID" in text and icon == "INFO"
        h = History(service=None)  # nothing of the service is reached: no settings, no client, no thread
        assert h.fetch(kind, 1, 10) == "" and not h.loading and kind not in h.error
    assert history.history_lines("remesh", HistoryView()) == [("Press Refresh to list your tasks on Meshy.", "INFO")]


def test_rig_and_animate_subcommands_come_from_the_table(tmp_path):
    ns = cli.parse(["rig", "hero.glb", "--out", "o", "--height-meters", "1.8", "--input-task-id", "t1"])
    assert cli.SUBCOMMANDS[ns.command] == "rigging"
    assert cli.task_options(ns) == {"height_meters": 1.8, "input_task_id": "t1"}
    ns = cli.parse(["animate", "--out", "o", "--rig-task-id", "r1", "--action", "Jump_Run", "--post-process",
                    "change_fps", "--fps", "24"])
    given = cli.task_options(ns)
    assert given == {"rig_task_id": "r1", "action": "Jump_Run", "post_process": "change_fps", "fps": 24}
    args = batch_characters.task_args("animations", given)
    assert args == {"rig_task_id": "r1", "action_id": 13, "post_process": {"operation_type": "change_fps", "fps": 24}}
    assert batch_characters.animation_key(given) == ("task:r1#action:13", "r1_Jump_Run")
    with pytest.raises(cli.UsageError, match="--post-process"):
        cli.parse(["animate", "--out", "o", "--post-process", "slowmo"])
    with pytest.raises(cli.UsageError, match="did you mean Jump_Run"):
        batch_characters.task_args("animations", {"rig_task_id": "r1", "action": "jmp run"})
    with pytest.raises(cli.UsageError, match="--rig-task-id"):
        batch_characters.animation_key({"action": "Idle"})
    with pytest.raises(cli.UsageError, match="--action"):
        batch_characters.animation_key({"rig_task_id": "r1"})


def test_rig_texture_goes_up_as_a_png(tmp_path):
    Image.new("RGB", (16, 16), (200, 30, 30)).save(tmp_path / "skin.jpg")
    args = batch_characters.task_args("rigging", {"texture_image_path": str(tmp_path / "skin.jpg")})
    texture = args["texture_image_url"]
    assert isinstance(texture, FileInput) and texture.mime == "image/png" and "texture_image_path" not in args
    requests.build_request("rigging", {**args, "input_task_id": "t1"}, settings())  # a PNG: accepted
    with pytest.raises(cli.UsageError, match="does not exist"):
        batch_characters.task_args("rigging", {"texture_image_path": str(tmp_path / "none.png")})


def test_an_animation_without_an_action_is_refused_with_a_sentence():
    with pytest.raises(ValidationError, match="Choose an action of Meshy's Animation Library"):
        characters.animation_values({"rig_task_id": "r1", "action": " "})


def test_the_command_line_names_rig_and_animate_refusals_by_their_flags():
    from meshy_tools.batch import checks

    with pytest.raises(cli.UsageError, match="^--height-meters must be the character's height"):
        checks.check_args("rigging", {"height_meters": 0.0}, False, settings(), given=["height_meters"])
    with pytest.raises(cli.UsageError, match="^--rig-task-id is required"):
        checks.check_args("animations", {"action_id": 1}, False, settings(), given=["action"])
    checks.check_args("rigging", {"height_meters": 1.8}, False, settings())  # a GLB to come: fine
    checks.check_args("animations", {"rig_task_id": "r1", "action_id": 1}, False, settings())
