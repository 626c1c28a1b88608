"""Download the wheels the extension bundles into ``wheels/`` (gitignored).

Blender ships ``requests`` but not Pillow, pybase64 or sseclient-py, so the
extension zips must carry them: Pillow and pybase64 per CPython ABI (3.11 for
Blender 4.2-5.0, 3.13 for 5.1+, 3.14 for distro builds) and platform,
sseclient-py as a pure wheel. Versions are pinned so every build bundles the
same files. Idempotent: a wheel already in ``wheels/`` is not downloaded again.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PILLOW = "13.0.0"
PYBASE64 = "1.5.1"
SSECLIENT = "1.9.0"
# Compiled wheels bundled once per CPython ABI and platform: (file name prefix, pip requirement).
BINARY = (("pillow", f"pillow=={PILLOW}"), ("pybase64", f"pybase64=={PYBASE64}"))
PYTHONS = ("3.11", "3.13", "3.14")

# Blender platform -> (pip --platform tags, glob for the downloaded file's
# platform part). The first tag is the newest the Blender platform guarantees
# (glibc 2.28, macOS 11); pip expands macosx tags to older compatible ones, but
# not manylinux_2_28, so linux also names manylinux2014 (glibc 2.17, which pip
# expands to manylinux2010 and manylinux1): pybase64 ships only those tags.
PLATFORMS: dict[str, tuple[tuple[str, ...], str]] = {
    "windows-x64": (("win_amd64",), "win_amd64"),
    "windows-arm64": (("win_arm64",), "win_arm64"),
    "macos-x64": (("macosx_11_0_x86_64",), "macosx_*_x86_64"),
    "macos-arm64": (("macosx_11_0_arm64",), "macosx_*_arm64"),
    "linux-x64": (("manylinux_2_28_x86_64", "manylinux2014_x86_64"), "*manylinux*_x86_64"),
}


def _pip_download(wheel_dir: Path, spec: str, extra: list[str]) -> None:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--only-binary=:all:",
        "--no-deps",
        "-d",
        str(wheel_dir),
        *extra,
        spec,
    ]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def _one(wheel_dir: Path, pattern: str, spec: str, extra: list[str]) -> Path:
    """Return the wheel matching ``pattern``, downloading it first if absent."""
    found = sorted(wheel_dir.glob(pattern))
    if not found:
        _pip_download(wheel_dir, spec, extra)
        found = sorted(wheel_dir.glob(pattern))
    if not found:
        raise SystemExit(f"fetch_wheels: pip gave no file matching {pattern} for {spec}")
    return found[-1]


def fetch(wheel_dir: Path = ROOT / "wheels") -> list[Path]:
    """Make sure every pinned wheel is in ``wheel_dir``; return their paths."""
    wheel_dir.mkdir(parents=True, exist_ok=True)
    wheels = [_one(wheel_dir, f"sseclient_py-{SSECLIENT}-py*-none-any.whl", f"sseclient-py=={SSECLIENT}", [])]
    for tags, glob in PLATFORMS.values():
        for py in PYTHONS:
            cp = "cp" + py.replace(".", "")
            pip_args = [a for t in tags for a in ("--platform", t)]
            pip_args += ["--python-version", py, "--implementation", "cp", "--abi", cp]
            for name, spec in BINARY:
                version = spec.partition("==")[2]
                wheels.append(_one(wheel_dir, f"{name}-{version}-{cp}-{cp}-{glob}.whl", spec, pip_args))
    return wheels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel-dir", type=Path, default=ROOT / "wheels")
    args = ap.parse_args()
    for wheel in fetch(args.wheel_dir):
        print(wheel.relative_to(args.wheel_dir.parent) if wheel.is_relative_to(args.wheel_dir.parent) else wheel)


if __name__ == "__main__":
    main()
