"""`make demo` as a user runs it: a screen of console lines and a contact sheet at the end.

Runs tools/demo.py in a fresh process of this tier's Python (the bpy module)
against the bundled emulator, with small tiles and few samples.

    .venv/bin/python -m pytest tests/blender/test_demo.py -q
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("bpy")
ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_prints_a_screen_and_ends_in_a_contact_sheet(tmp_path):
    from PIL import Image, ImageChops

    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHY_")}
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "demo.py"), "--out", str(tmp_path), "--samples", "2",
                           "--tile", "96"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = (proc.stdout + proc.stderr).splitlines()
    assert len(lines) <= 40, lines
    assert not [line for line in lines if "IN_PROGRESS" in line or "INFO" in line or "Saved" in line], lines
    assert any("3/5 Remesh" in line and "quads" in line for line in lines), lines
    assert any("5/5 Rig" in line and "Walking" in line for line in lines), lines
    sheet = Image.open(tmp_path / "contact_sheet.png")
    assert sheet.width >= 5 * 96 and sheet.height > 96
    tiles = sorted(p.name for p in (tmp_path / "sheet").iterdir())
    walk = [f"5_walking_{i}.png" for i in range(1, 5)]
    assert tiles == ["2_model.png", "3_remesh_wireframe.png", "4_retexture.png", *walk]
    for name in tiles:  # something was rendered in each: not one flat colour
        extrema = Image.open(tmp_path / "sheet" / name).convert("L").getextrema()
        assert extrema[1] - extrema[0] > 60, (name, extrema)
    frames = [Image.open(tmp_path / "sheet" / name).convert("L") for name in walk]
    for before, after in zip(frames, frames[1:], strict=False):  # the clip plays: the legs move every frame
        moved = (np.asarray(ImageChops.difference(before, after)) > 40).mean()
        assert moved > 0.01, moved  # ~11% of the pixels at 320 px
    log = (tmp_path / "demo.log").read_text()
    assert "IN_PROGRESS" in log and "render" in log  # Blender's and the operators' own lines: kept, not shown
    report = (proc.stdout + proc.stderr).split("credits")[-1]
    assert "it would have cost on Meshy (the add-on's estimate: 59)" in report, report
