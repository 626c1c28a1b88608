"""Real Blender (the bpy wheel) with the add-on loaded the way Blender loads it.

The checkout is linked as ``meshy_tools`` into a user extension repository,
and enabled as ``bl_ext.<repo>.meshy_tools`` (see tools/addon_env.py), so relative
imports, the package name and preferences behave as they do for users. A real
emulator on loopback plays Meshy. Every test starts from an empty scene with
a fresh journal and download folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

bpy = pytest.importorskip("bpy")

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))  # addon_env (root: ../conftest.py)

from addon_env import ADDON, TEST_KEY, disable_addon, enable_addon, point_at  # noqa: E402

__all__ = ["ADDON", "TEST_KEY"]


@pytest.fixture(scope="session")
def addon() -> Iterator[object]:
    """The enabled add-on module (enabled once per session)."""
    for name in ("MESHY_API_KEY", "MESHY_BASE_URL", "MESHY_TOOLS_DIR"):
        os.environ.pop(name, None)
    bpy.context.preferences.system.use_online_access = True
    module = enable_addon(tempfile.mkdtemp(prefix="meshy-blender-"))
    yield module
    disable_addon()


@pytest.fixture
def meshy(addon, emu, tmp_path, monkeypatch) -> Iterator[object]:
    """Add-on pointed at the emulator, with its own download folder and journal; yields the job service."""
    bpy.ops.wm.read_homefile(use_empty=True)
    point_at(emu.base_url, tmp_path / "downloads")
    monkeypatch.setenv("MESHY_TOOLS_DIR", str(tmp_path / "user"))
    runtime = sys.modules[f"{ADDON}.runtime"]
    service = runtime.service()
    _fresh(service, runtime)
    yield service
    _fresh(service, runtime)


def _fresh(service, runtime) -> None:
    service.shutdown()
    service.tasks.clear()
    service.account.reset()
    service.history.reset()
    service.last_error = ""
    runtime.controller().reset()
