"""The shipped zips: built by Blender's builder, valid, small, with the right wheels.

Builds the real repo into a temp dir (wheels cached in ``wheels/``), so a
file that leaks into the package or a wheel missing for a platform fails here
rather than on a user's machine.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_extension  # noqa: E402
import fetch_wheels  # noqa: E402

FORBIDDEN_TOP = (
    "tests/",
    "emulator/",
    "bench/",
    "docs/",
    "tools/",
    ".venv",
    ".git",
    "build/",
    "dist/",
    "Makefile",
    "pyproject.toml",
    "requirements",
)
# The oldest supported Blender's own validator, when its venv is there.
BLENDER_EXT_42 = next(
    ROOT.glob(".venv-bpy42/lib/python3*/site-packages/bpy/*/scripts/addons_core/bl_pkg/cli/blender_ext.py"), None
)


def _pypi_reachable() -> bool:
    try:
        urllib.request.urlopen("https://pypi.org/simple/pillow/", timeout=15).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Blender platform -> built zip."""
    try:
        fetch_wheels.fetch()
    except (SystemExit, subprocess.CalledProcessError):
        if not _pypi_reachable():
            pytest.skip("PyPI unreachable: cannot download the wheels to bundle")
        raise
    tmp = tmp_path_factory.mktemp("pkg")
    built = build_extension.build(out_dir=tmp / "dist", stage_dir=tmp / "stage" / "meshy_tools")
    return {z.stem.split("-")[-1].replace("_", "-"): z for z in built}


def _manifest(z: zipfile.ZipFile) -> dict:
    return tomllib.loads(z.read("blender_manifest.toml").decode())


def test_one_zip_per_platform(zips: dict[str, Path]) -> None:
    assert sorted(zips) == sorted(fetch_wheels.PLATFORMS)
    for zp in zips.values():
        assert zp.stat().st_size < 30e6, f"{zp.name} is {zp.stat().st_size / 1e6:.1f} MB"


@pytest.mark.parametrize("platform", list(fetch_wheels.PLATFORMS))
def test_zip_contents(zips: dict[str, Path], platform: str) -> None:
    with zipfile.ZipFile(zips[platform]) as z:
        names = z.namelist()
        gen = _manifest(z)["build"]["generated"]
    assert "__init__.py" in names
    assert not [n for n in names if n.startswith(FORBIDDEN_TOP) or "__pycache__" in n or n.endswith(".pyc")]
    assert gen["platforms"] == [platform]
    listed = [w.removeprefix("./") for w in gen["wheels"]]
    assert sorted(listed) == sorted(n for n in names if n.endswith(".whl"))
    plat_glob = fetch_wheels.PLATFORMS[platform][1]
    for wheel in listed:
        assert wheel.endswith("-none-any.whl") or Path(wheel).match(f"*-{plat_glob}.whl"), wheel
    assert not any(Path(w).name.startswith("requests-") for w in listed), "requests ships with Blender"


def test_linux_x64_wheels(zips: dict[str, Path]) -> None:
    with zipfile.ZipFile(zips["linux-x64"]) as z:
        wheels = {Path(n).name for n in z.namelist() if n.endswith(".whl")}
    assert f"sseclient_py-{fetch_wheels.SSECLIENT}-py3-none-any.whl" in wheels
    for cp in ("cp311", "cp313", "cp314"):
        assert any(w.startswith(f"pillow-{fetch_wheels.PILLOW}-{cp}-{cp}-") for w in wheels), (cp, wheels)


@pytest.mark.skipif(BLENDER_EXT_42 is None, reason="no .venv-bpy42 (make venv)")
def test_blender42_validator(zips: dict[str, Path]) -> None:
    """build() already ran the 5.0 validator; 4.2 is blender_version_min."""
    python42 = ROOT / ".venv-bpy42" / "bin" / "python"
    for zp in zips.values():
        proc = subprocess.run([str(python42), str(BLENDER_EXT_42), "validate", str(zp)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
