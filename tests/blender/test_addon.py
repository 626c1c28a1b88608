"""The extension enables and disables cleanly, as Blender loads it for users."""

from __future__ import annotations

import sys

import addon_utils
import bpy
import pytest

from conftest import ADDON

OPERATORS = ("remesh", "retexture", "image_to_3d", "image_to_image", "cancel_task", "delete_task",
             "import_task", "resume")


def operator_exists(name: str) -> bool:
    return hasattr(bpy.types, f"MESHY_OT_{name}")


def test_enable_disable_enable_cycle(addon):
    assert all(operator_exists(name) for name in OPERATORS)
    addon_utils.disable(ADDON, default_set=True)
    assert not any(operator_exists(name) for name in OPERATORS)
    assert ADDON not in bpy.context.preferences.addons
    addon_utils.enable(ADDON, default_set=True)
    assert all(operator_exists(name) for name in OPERATORS)
    assert ADDON in bpy.context.preferences.addons


def test_package_name_comes_from_blender(addon):
    assert addon.__name__ == ADDON
    assert sys.modules[f"{ADDON}.preferences"].ADDON_ID == ADDON


def test_preferences_defaults(addon):
    prefs = bpy.context.preferences.addons[ADDON].preferences
    rna = prefs.bl_rna.properties
    assert rna["api_key"].subtype == "PASSWORD"
    assert rna["base_url"].default == "https://api.meshy.ai"
    assert rna["max_in_flight"].default == 10
    assert "download_dir" in rna


def test_environment_wins_over_preferences(addon, monkeypatch, tmp_path):
    prefs = bpy.context.preferences.addons[ADDON].preferences
    prefs.api_key, prefs.base_url = "msy_from_prefs_0000000000", "http://prefs.invalid"
    settings = sys.modules[f"{ADDON}.preferences"].settings
    assert settings().api_key == "msy_from_prefs_0000000000"
    monkeypatch.setenv("MESHY_API_KEY", "msy_from_env_00000000000")
    monkeypatch.setenv("MESHY_BASE_URL", "http://127.0.0.1:9/")
    s = settings()
    assert (s.api_key, s.base_url, s.key_from_env) == ("msy_from_env_00000000000", "http://127.0.0.1:9", True)


def test_user_files_live_outside_the_extension(addon, monkeypatch):
    monkeypatch.delenv("MESHY_TOOLS_DIR", raising=False)
    user_dir = sys.modules[f"{ADDON}.preferences"].user_dir()
    root = sys.modules[ADDON].__file__.rsplit("/", 1)[0]
    assert not str(user_dir.resolve()).startswith(str(__import__("pathlib").Path(root).resolve()))


@pytest.mark.parametrize("name", OPERATORS[:4])
def test_operators_have_plain_labels_and_tooltips(addon, name):
    op = getattr(bpy.types, f"MESHY_OT_{name}")
    assert op.bl_label and op.bl_description
    assert "_" not in op.bl_label
