"""Shared fixtures: the repo root on sys.path and a fresh emulator per test.

The add-on's bpy-free layers (``core``, ``service``, ``client``, the batch's
command line) use relative imports across packages (``from ..client import
...``), so tier 1 imports them as Blender does, inside one package:
``meshy_tools`` is that package here, made from the repo root without running
its ``__init__.py`` (which registers with Blender). ``client`` alone stays
importable as before.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ADDON_PACKAGE = "meshy_tools"
if ADDON_PACKAGE not in sys.modules:
    _package = types.ModuleType(ADDON_PACKAGE, "The add-on's root, for its bpy-free layers (tier 1).")
    _package.__path__ = [str(ROOT)]
    sys.modules[ADDON_PACKAGE] = _package

TEST_KEY = "msy_dummy_api_key_for_test_mode_12345678"


def fast_doubt(**kw):
    """The engine's patience with a doubtful create, in milliseconds (same logic as the default)."""
    from client.reconcile import DoubtPolicy

    kw.setdefault("looks", (0.05, 0.1, 0.2, 0.3))
    return DoubtPolicy(**kw)


def fast_follow(**kw):
    """Following a troubled task, in milliseconds: polls every few ms, lost after a second."""
    from client.follow import FollowPolicy

    for name, value in dict(poll_interval=0.02, poll_base=0.01, poll_cap=0.05, stream_retry=0.1,
                            stream_retry_cap=0.4, lost_after=1.0).items():
        kw.setdefault(name, value)
    return FollowPolicy(**kw)


@pytest.fixture
def emu() -> Iterator[object]:
    """A real Meshy emulator on loopback with fast task timings."""
    from emulator import Emulator

    server = Emulator(pending_seconds=0.05, run_seconds=0.2).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def glb(tmp_path: Path) -> Path:
    """A small real GLB model on disk."""
    import trimesh

    path = tmp_path / "sphere.glb"
    path.write_bytes(trimesh.creation.icosphere(subdivisions=3).export(file_type="glb"))
    return path
