"""The sidebar in real Blender (bpy wheel): what each panel shows from the scene, and its actions.

Background Blender has no window, hence no UILayout: these tests check what
the panels read from Blender (the scene's options, the selection, the
preferences) through the view-models, the controller's refresh on the timer,
and the operators behind the buttons. The view-models alone, in every state,
are tier 1 (tests/test_views.py). The real drawing is run in the GUI by
tools/screenshots.py (``MESHY_GUI_TESTS=1`` runs it here too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import bpy
import pytest

from conftest import ADDON

ROOT = Path(__file__).resolve().parents[2]


def mod(name: str):
    return sys.modules[f"{ADDON}.{name}"]


@pytest.fixture
def ui(meshy):
    """The job service, fresh (see conftest); online again afterwards."""
    yield meshy
    bpy.context.preferences.system.use_online_access = True


def blocker_of(context, kind: str) -> str:
    """Why the sidebar's Run is disabled, as the panel computes it from the scene."""
    group = mod("properties").options(context, kind)
    return mod("panels.operations").run_view(kind, context, group, None).blocker


def cube(name: str = "Chair") -> bpy.types.Object:
    bpy.ops.mesh.primitive_cube_add()
    bpy.context.object.name = name
    return bpy.context.object


# -- registration -------------------------------------------------------------


def test_panels_menus_and_scene_options_are_registered(ui):
    for name in ("account", "remesh", "retexture", "image_to_3d", "image_to_image", "tasks", "history"):
        panel = getattr(bpy.types, f"VIEW3D_PT_meshy_{name}")
        assert panel.bl_category == "Meshy" and panel.bl_region_type == "UI"
    assert hasattr(bpy.types, "MESHY_MT_object")
    scene = bpy.context.scene
    assert scene.meshy_remesh.target_polycount == 30000
    assert scene.meshy_image_to_image.ai_model == "NANO_BANANA"
    # every operator a user may look for in F3 has a plain name and a tooltip
    for idname in ("remesh", "retexture", "image_to_3d", "image_to_image", "import_task", "resume",
                   "refresh_account", "open_preferences", "open_download_folder", "history_page"):
        rna = getattr(bpy.ops.meshy, idname).get_rna_type()
        assert rna.name and rna.description, idname


# -- account ------------------------------------------------------------------


def test_refresh_account_reads_balance_and_spots_a_bad_key(ui, emu):
    account = ui.account
    assert account.needs_check(ui.settings())
    assert bpy.ops.meshy.refresh_account() == {"FINISHED"}
    assert account.key_status == "works" and account.balance == 10_000
    assert not account.needs_check(ui.settings())
    bpy.context.preferences.addons[ADDON].preferences.api_key = "msy_wrong_key_0000000000000000"
    assert account.needs_check(ui.settings())  # a new key is checked once by itself
    assert mod("runtime").controller().refresh()  # the timer's refresh starts the check
    assert account.key_status == "rejected" and account.balance is None
    assert "rejected" in mod("panels.account").current_view(bpy.context).key_text


def test_offline_refuses_with_the_way_to_allow_it(ui):
    bpy.context.preferences.system.use_online_access = False
    if bpy.app.online_access:
        pytest.skip("this Blender does not follow the preference at run time")
    with pytest.raises(RuntimeError, match="Online access is off"):
        bpy.ops.meshy.refresh_account()
    assert blocker_of(bpy.context, "remesh").startswith("Online access is off")
    mod("runtime").controller().refresh()  # no fetch, no error
    assert ui.account.error == "" and not ui.account.checking


# -- operations ---------------------------------------------------------------


def test_run_blocker_names_the_missing_input(ui):
    props, blocker = mod("properties"), blocker_of
    ctx = bpy.context
    retex, i23d = props.options(ctx, "retexture"), props.options(ctx, "image-to-3d")
    i2i = props.options(ctx, "image-to-image")
    assert blocker(ctx, "remesh") == "Select a mesh object to remesh"
    cube()
    assert blocker(ctx, "remesh") == ""
    assert "Describe the texture" in blocker(ctx, "retexture")
    retex.text_style_prompt = "rusty metal"
    assert blocker(ctx, "retexture") == ""
    assert blocker(ctx, "image-to-3d").startswith("Choose an image")
    i23d.use_render = True
    assert blocker(ctx, "image-to-3d") == ""
    assert blocker(ctx, "image-to-image") == "Write a prompt"
    i2i.prompt = "make it blue"
    assert blocker(ctx, "image-to-image") == "Add a reference image"
    i2i.reference_image_paths.add().name = "/tmp/a.png"
    assert blocker(ctx, "image-to-image") == ""
    bpy.context.preferences.addons[ADDON].preferences.api_key = ""
    assert "API key" in blocker(ctx, "remesh")


def test_estimated_credits_follow_model_options_and_selection(ui):
    props, ops = mod("properties"), mod("panels.operations")
    ctx = bpy.context
    i23d, i2i = props.options(ctx, "image-to-3d"), props.options(ctx, "image-to-image")

    def credits(kind, group):
        return ops.run_view(kind, ctx, group, balance=None).credits

    assert credits("image-to-3d", i23d) == 30
    i23d.ai_model, i23d.should_texture = "MESHY_5", False
    assert credits("image-to-3d", i23d) == 5
    assert credits("image-to-image", i2i) == 3
    i2i.ai_model, i2i.generate_multi_view = "NANO_BANANA_PRO", True
    assert credits("image-to-image", i2i) == 27
    cube("A")
    a = ctx.object
    cube("B")
    a.select_set(True)
    remesh = props.options(ctx, "remesh")
    assert credits("remesh", remesh) == 10
    view = ops.run_view("remesh", ctx, remesh, balance=7)
    assert not view.enough and "2 tasks" in view.cost_text and "7 left" in view.cost_text
    assert "Top up" in view.top_up and "10 credits" in view.top_up


def test_only_changed_options_are_sent(ui):
    props = mod("properties")
    group = props.options(bpy.context, "remesh")
    assert props.changed_values(group, "remesh") == {}  # keep-original is the preferences' (not the scene's)
    group.target_polycount, group.target_formats = 500, {"GLB", "FBX"}
    assert props.changed_values(group, "remesh") == {"target_polycount": 500, "target_formats": {"GLB", "FBX"}}


def test_sidebar_run_follows_the_keep_original_preference(ui, emu):
    """The user's preference reaches a sidebar run (it used to send the scene's own option)."""
    cube("Crate")
    bpy.context.preferences.addons[ADDON].preferences.keep_original = False
    assert bpy.ops.meshy.run(kind="REMESH") == {"FINISHED"}
    assert "Crate" not in bpy.data.objects and "Crate_remesh" in bpy.data.objects


def test_run_button_path_remeshes_the_selection_with_scene_options(ui, emu):
    source = cube("Crate")
    group = bpy.context.scene.meshy_remesh
    group.target_polycount = 200
    assert bpy.ops.meshy.run(kind="REMESH") == {"FINISHED"}
    (entry,) = ui.tasks.values()
    assert entry.state == "imported" and entry.label == "Crate"
    assert entry.meta["settings"] == {"target_polycount": 200}  # nothing else was sent
    assert source.name in bpy.data.objects
    rows = mod("core.views.tasks").task_rows(ui.tasks, {}, Path(entry.files["model"]).parents[2])
    assert rows[0].status_text == "Done, imported" and rows[0].imported and rows[0].can_import


def test_run_reports_the_operator_sentence(ui):
    with pytest.raises(RuntimeError, match="Select a mesh object"):
        bpy.ops.meshy.run(kind="REMESH")


def test_scene_options_are_saved_with_the_file(ui, tmp_path):
    bpy.context.scene.meshy_retexture.text_style_prompt = "oak wood"
    bpy.context.scene.meshy_image_to_3d.ai_model = "MESHY_5"
    path = str(tmp_path / "opts.blend")
    bpy.ops.wm.save_as_mainfile(filepath=path)
    bpy.ops.wm.read_homefile(use_empty=True)
    assert bpy.context.scene.meshy_retexture.text_style_prompt == ""
    bpy.ops.wm.open_mainfile(filepath=path)
    assert bpy.context.scene.meshy_retexture.text_style_prompt == "oak wood"
    assert bpy.context.scene.meshy_image_to_3d.ai_model == "MESHY_5"


# -- tasks --------------------------------------------------------------------


def test_tick_loads_task_thumbnails_and_journal(ui, tmp_path):
    ctl, thumbs = mod("runtime").controller(), mod("panels.thumbnails")
    settings = ui.settings()
    folder = settings.download_dir / "remesh" / "t5"
    folder.mkdir(parents=True)
    img = bpy.data.images.new("thumb", 8, 8)
    img.filepath_raw, img.file_format = str(folder / "thumbnail.png"), "PNG"
    img.save()
    ui.journal(settings).record("j5", "succeeded", kind="remesh", task_id="t5", label="Pot")
    assert ctl.refresh()
    assert "j5" in mod("core.snapshot").current().journal_jobs  # what the Tasks panel draws from
    mod("core.snapshot").notify()  # the panels' own refresh, on the same timer
    assert thumbs.icon(str(folder / "thumbnail.png")) != 0 or bpy.app.background


def test_reading_the_settings_creates_no_folder(ui, tmp_path, monkeypatch):
    """A draw reads the preferences: that must not touch the disk (it used to create the user folder)."""
    monkeypatch.setenv("MESHY_TOOLS_DIR", str(tmp_path / "not-yet"))
    settings = mod("preferences").settings()
    mod("panels.account").current_view(bpy.context)
    mod("panels.operations").run_view("remesh", bpy.context, bpy.context.scene.meshy_remesh, None)
    assert settings.user_dir == tmp_path / "not-yet" and not settings.user_dir.exists()


# -- history ------------------------------------------------------------------


def test_history_page_lists_newest_first_and_imports(ui, emu):
    cube("Box")
    bpy.context.scene.meshy_remesh.target_polycount = 100
    for _ in range(3):
        assert bpy.ops.meshy.run(kind="REMESH") == {"FINISHED"}
    history, views = ui.history, mod("core.views.history")
    assert bpy.ops.meshy.history_page(kind="REMESH", page=1, page_size=2) == {"FINISHED"}
    rows = history.rows["remesh"]
    assert len(rows) == 2 and history.more["remesh"]
    assert rows[0].created_at >= rows[1].created_at and rows[0].thumbnail_url
    assert views.history_lines("remesh", mod("core.snapshot").current().history) == []
    assert bpy.ops.meshy.history_page(kind="REMESH", page=2, page_size=2) == {"FINISHED"}
    assert len(history.rows["remesh"]) == 1 and not history.more["remesh"]
    assert views.format_created(rows[0].created_at)[:2] == "20"
    before = len(bpy.data.objects)
    assert bpy.ops.meshy.import_task(task_id=rows[0].task_id, kind="REMESH") == {"FINISHED"}
    assert len(bpy.data.objects) == before + 1


def test_history_error_is_a_sentence(ui):
    bpy.context.preferences.addons[ADDON].preferences.api_key = ""
    with pytest.raises(RuntimeError, match="No Meshy API key"):
        bpy.ops.meshy.history_page(kind="IMAGE_TO_3D")
    assert "API key" in mod("core.views.history").history_lines("image-to-3d", ui.history)[0][0]


# -- real GUI (opt-in: needs root and blender-sid) ---------------------------------


@pytest.mark.skipif(os.environ.get("MESHY_GUI_TESTS") != "1", reason="set MESHY_GUI_TESTS=1 (needs blender-sid)")
@pytest.mark.timeout(900)  # thirteen GUI states, each a fresh Blender and emulator: ~8 minutes on 2 cores
def test_every_state_draws_in_the_real_gui_without_errors(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "screenshots.py"), "--check", "--out",
                          str(ROOT / "out" / "gui-check")],
                         capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["tracebacks"] == 0 and set(report["states"]) >= {"no_task", "running", "failed", "done",
                                                                     "offline"}


def test_messages_wrap_to_the_sidebar_width_and_long_words_are_cut(ui):
    wrap = mod("panels.common").wrap
    lines = wrap("top up at https://www.meshy.ai/settings/subscription now", 100, measure=lambda t: len(t) * 10)
    assert all(len(line) <= 10 for line in lines)
    assert "".join(lines).replace(" ", "") == "topupathttps://www.meshy.ai/settings/subscriptionnow"
    assert wrap("", 100) == [""]
