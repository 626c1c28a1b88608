"""Real Blender (the bpy wheel) with the add-on loaded the way Blender loads it.

The checkout is linked as ``meshy_tools`` into a user extension repository,
and enabled as ``bl_ext.<repo>.meshy_tools``, so relative imports, the
package name and preferences behave as they do for users. A real emulator on
loopback plays Meshy. Every test starts from an empty scene with a fresh
journal and download folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

bpy = pytest.importorskip("bpy")
import addon_utils  # noqa: E402  (only importable once bpy is)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
REPO = "meshy_test_repo"
ADDON = f"bl_ext.{REPO}.meshy_tools"
TEST_KEY = "msy_dummy_api_key_for_test_mode_12345678"

_STATE = {"home": tempfile.mkdtemp(prefix="meshy-blender-")}


def _install_repo() -> None:
    home = Path(_STATE["home"])
    repo_dir = home / "repo"
    repo_dir.mkdir(exist_ok=True)
    link = repo_dir / "meshy_tools"
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    repos = bpy.context.preferences.extensions.repos
    if REPO not in {r.module for r in repos}:
        repo = repos.new(name=REPO, module=REPO, custom_directory=str(repo_dir), source="USER")
        repo.enabled = True


def addon_module():
    return sys.modules[ADDON]


@pytest.fixture(scope="session")
def addon() -> Iterator[object]:
    """The enabled add-on module (enabled once per session)."""
    os.environ.pop("MESHY_API_KEY", None)
    os.environ.pop("MESHY_BASE_URL", None)
    bpy.context.preferences.system.use_online_access = True
    _install_repo()
    addon_utils.enable(ADDON, default_set=True, handle_error=_raise)
    yield addon_module()
    addon_utils.disable(ADDON, default_set=True, handle_error=_raise)


def _raise(exc: BaseException) -> None:
    raise exc


@pytest.fixture
def emu() -> Iterator[object]:
    from emulator import Emulator

    server = Emulator(pending_seconds=0.05, run_seconds=0.2).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def meshy(addon, emu, tmp_path, monkeypatch) -> Iterator[object]:
    """Add-on pointed at the emulator, with its own download folder and journal."""
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.context.preferences.system.use_online_access = True
    prefs = bpy.context.preferences.addons[ADDON].preferences
    prefs.api_key = TEST_KEY
    prefs.base_url = emu.base_url
    prefs.download_dir = str(tmp_path / "downloads")
    prefs.keep_original = True
    runtime = sys.modules[f"{ADDON}.operators.runtime"]
    monkeypatch.setattr(sys.modules[f"{ADDON}.preferences"], "user_dir", lambda: tmp_path / "user")
    (tmp_path / "user").mkdir()
    runtime.RUNTIME.shutdown()
    runtime.RUNTIME.tasks.clear()
    yield runtime.RUNTIME
    runtime.RUNTIME.shutdown()
    runtime.RUNTIME.tasks.clear()
