"""Load the checkout into a bpy process the way Blender loads an installed extension.

Shared by the tests (fixtures and fresh-process scripts), the benchmarks and
the demo: the checkout is linked as ``meshy_tools`` into a user extension
repository and enabled as ``bl_ext.<repo>.meshy_tools``, so relative imports,
the package name and preferences behave as they do for users.
"""

from __future__ import annotations

import sys
from pathlib import Path

import addon_utils
import bpy

ROOT = Path(__file__).resolve().parents[1]
REPO = "meshy_test_repo"
ADDON = f"bl_ext.{REPO}.meshy_tools"
TEST_KEY = "msy_dummy_api_key_for_test_mode_12345678"


def _raise(exc: BaseException) -> None:
    raise exc


def enable_addon(home: str | Path, repo: str = REPO) -> object:
    """Link the checkout into a user repo under ``home`` and enable it; returns the add-on module."""
    repo_dir = Path(home) / "repo"
    repo_dir.mkdir(parents=True, exist_ok=True)
    link = repo_dir / "meshy_tools"
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    repos = bpy.context.preferences.extensions.repos
    if repo not in {r.module for r in repos}:
        repos.new(name=repo, module=repo, custom_directory=str(repo_dir), source="USER").enabled = True
    module = f"bl_ext.{repo}.meshy_tools"
    addon_utils.enable(module, default_set=True, handle_error=_raise)
    return sys.modules[module]


def disable_addon() -> None:
    addon_utils.disable(ADDON, default_set=True, handle_error=_raise)


def point_at(base_url: str, download_dir: str | Path, key: str = TEST_KEY) -> None:
    """Preferences for a test: the emulator, a scratch download folder, online."""
    bpy.context.preferences.system.use_online_access = True
    prefs = bpy.context.preferences.addons[ADDON].preferences
    prefs.api_key = key
    prefs.base_url = base_url
    prefs.download_dir = str(download_dir)
    prefs.keep_original = True
