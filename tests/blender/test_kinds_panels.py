"""The new kinds in the sidebar, menus, F3 and history, in real Blender (bpy wheel) against the emulator.

Background Blender draws nothing (tools/screenshots.py draws in the GUI): what
is checked is what the panels read and run — their registration, their Run
blockers and costs from the scene's options, the sidebar's Run and Refine
buttons (the operators they call, with the options they pass), the view
lists, the Add menu, and the History rows of text-to-3d with their stages.
"""

from __future__ import annotations

import json
import sys

import bpy
import pytest

from conftest import ADDON

pytestmark = pytest.mark.usefixtures("meshy")


def mod(name: str):
    return sys.modules[f"{ADDON}.{name}"]


def run_view(kind: str):
    group = mod("properties").options(bpy.context, kind)
    return mod("panels.operations").run_view(kind, bpy.context, group, 100)


def test_panels_operators_and_menus_are_registered():
    for name in ("text_to_3d", "multi_image_to_3d", "text_to_image"):
        panel = getattr(bpy.types, f"VIEW3D_PT_meshy_{name}")
        assert panel.bl_category == "Meshy" and panel.bl_order < bpy.types.VIEW3D_PT_meshy_tasks.bl_order
    labels = {"text_to_3d": "Text to 3D with Meshy", "refine": "Refine Preview with Meshy",
              "multi_image_to_3d": "Multi-Image to 3D with Meshy", "text_to_image": "Text to Image with Meshy"}
    for idname, label in labels.items():  # what F3 searches
        rna = getattr(bpy.ops.meshy, idname).get_rna_type()
        assert rna.name == label and rna.description, idname
    assert hasattr(bpy.types, "MESHY_MT_add")
    assert mod("panels.menus")._add_menu in bpy.types.VIEW3D_MT_add._dyn_ui_initialize()
    items = {i.identifier for i in bpy.context.window_manager.meshy_history.bl_rna.properties["kind"].enum_items}
    assert {"TEXT_TO_3D", "MULTI_IMAGE_TO_3D", "TEXT_TO_IMAGE"} <= items  # the History lists them


def test_run_blockers_and_costs_come_from_the_scene():
    scene = bpy.context.scene
    assert run_view("text-to-3d").blocker == "Write a prompt"
    scene.meshy_text_to_3d.prompt = "a wooden barrel"
    view = run_view("text-to-3d")
    assert view.blocker == "" and view.credits == 20
    scene.meshy_text_to_3d.refine = True
    assert run_view("text-to-3d").credits == 30  # the refine chained on it
    scene.meshy_text_to_3d.ai_model = "MESHY_5"
    assert run_view("text-to-3d").credits == 15
    scene.meshy_text_to_3d.texture_prompt = "x" * 601
    assert "texture_prompt" in run_view("text-to-3d").blocker
    scene.meshy_text_to_image.prompt = "a cat"
    scene.meshy_text_to_image.aspect_ratio = "3:2"
    assert "not offered by nano-banana" in run_view("text-to-image").blocker
    scene.meshy_text_to_image.ai_model = "GPT_IMAGE_2"
    assert run_view("text-to-image").blocker == "" and run_view("text-to-image").credits == 9
    assert run_view("multi-image-to-3d").blocker.startswith("Add 1 to 4 views")


def test_sidebar_run_and_refine_button_use_the_scene_options(meshy, emu):
    options = bpy.context.scene.meshy_text_to_3d
    options.prompt = "a small red mushroom"
    assert bpy.ops.meshy.run(kind="TEXT_TO_3D") == {"FINISHED"}
    (preview,) = [o for o in bpy.data.objects if o.get("meshy_stage") == "preview"]
    options.enable_pbr, options.texture_prompt = True, "speckled red cap"
    bpy.ops.object.select_all(action="DESELECT")
    preview.select_set(True)
    bpy.context.view_layer.objects.active = preview
    assert bpy.ops.meshy.refine("INVOKE_DEFAULT", sidebar_options=True) == {"FINISHED"}  # the panel's button
    (refined,) = [o for o in bpy.data.objects if o.get("meshy_kind") == "text-to-3d"]
    sent = json.loads(refined["meshy_settings"])
    assert sent["enable_pbr"] is True and sent["texture_prompt"] == "speckled red cap"
    assert "prompt" not in sent  # the preview's own options stay with the preview

    assert bpy.ops.meshy.history_page(kind="TEXT_TO_3D", page=1, page_size=10) == {"FINISHED"}
    rows = meshy.history.rows["text-to-3d"]
    assert [r.stage for r in rows] == ["refine", "preview"]
    assert rows[0].preview_task_id == rows[1].task_id == refined["meshy_preview_task_id"]
    assert rows[0].stage_text == f"Refine of {rows[1].task_id[:8]}"


def test_view_lists_and_the_sidebar_run_of_multi_image(meshy, emu, tmp_path):
    from PIL import Image

    paths = []
    for n, colour in enumerate(((200, 30, 30), (30, 200, 30))):
        paths.append(tmp_path / f"view{n}.png")
        Image.new("RGB", (40, 40), colour).save(paths[-1])
    group = bpy.context.scene.meshy_multi_image_to_3d
    for path in paths:
        group.image_paths.add().name = str(path)
    picture = bpy.data.images.new("front", 8, 8)
    assert bpy.ops.meshy.add_view_image(image=picture.name) == {"FINISHED"}
    assert [i.name for i in group.image_names] == ["front"]
    assert bpy.ops.meshy.remove_view(list_name="image_names", index=0) == {"FINISHED"}
    for _ in range(2):
        bpy.ops.meshy.add_view_image(image=picture.name)
    with pytest.raises(RuntimeError, match="at most 4 images"):
        bpy.ops.meshy.add_view_image(image=picture.name)
    group.image_names.clear()
    assert run_view("multi-image-to-3d").blocker == ""
    assert bpy.ops.meshy.run(kind="MULTI_IMAGE_TO_3D") == {"FINISHED"}
    (model,) = [o for o in bpy.data.objects if o.get("meshy_kind") == "multi-image-to-3d"]
    assert model.name.startswith("view0_3d")


class Recorder:
    """Blender's UILayout where none can exist (background Blender has no window): records what is drawn."""

    def __init__(self, drawn: list[str]) -> None:
        self.drawn = drawn
        self.use_property_split = self.use_property_decorate = False

    def prop(self, _data, name, **_kw):
        self.drawn.append(name)

    def row(self, **_kw):
        return self

    column = box = row

    def label(self, **_kw):
        pass

    def panel(self, _idname, **_kw):
        self.drawn.append("[advanced]")
        return self, self


def test_the_prompt_dialogs_show_the_main_options_and_refine_under_its_switch():
    from types import SimpleNamespace

    dialogs = mod("panels.dialogs")
    drawn: list[str] = []
    dialogs.draw_dialog(Recorder(drawn), SimpleNamespace(refine=False), "text-to-3d")
    assert drawn[:3] == ["prompt", "model_type", "ai_model"] and "refine" in drawn and "enable_pbr" not in drawn
    assert drawn.index("[advanced]") < drawn.index("target_polycount")
    drawn.clear()
    dialogs.draw_dialog(Recorder(drawn), SimpleNamespace(refine=True), "text-to-3d")
    assert drawn.index("refine") < drawn.index("enable_pbr") < drawn.index("[advanced]")
    assert drawn.count("refine") == 1
    drawn.clear()
    dialogs.draw_dialog(Recorder(drawn), SimpleNamespace(), "text-to-image")
    assert drawn[:4] == ["ai_model", "prompt", "generate_multi_view", "aspect_ratio"] and "pack_images" in drawn
