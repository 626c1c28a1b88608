"""Shared fixtures: the repo root on sys.path and a fresh emulator per test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TEST_KEY = "msy_dummy_api_key_for_test_mode_12345678"


@pytest.fixture
def emu() -> Iterator[object]:
    """A real Meshy emulator on loopback with fast task timings."""
    from emulator import Emulator

    server = Emulator(pending_seconds=0.05, run_seconds=0.2).start()
    try:
        yield server
    finally:
        server.stop()
