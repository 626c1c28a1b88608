"""Build the per-platform extension zips with Blender's own builder.

The committed manifest keeps ``wheels = []`` so the checkout works as a dev
extension (deps come from the venv). Here we stage a copy, list the pinned
wheels and their ``platforms`` in the staged manifest, run
``blender_ext.py build --split-platforms`` (one small zip per platform) and
``blender_ext.py validate`` on every zip, so a bad package fails the build.

Then it writes a remote extension repository (``dist/repo/``: the zips,
``index.json`` and ``index.html``) with ``blender_ext.py server-generate``,
which is what ``blender --command extension server-generate`` runs (Blender's
CLI only wraps ``blender_ext.main``), so a machine with just the bpy wheel
needs no Blender binary. Any static web server can host the folder.
``--version`` builds a copy with another version (the update test in
tools/sid_repo.py); the committed manifest is never edited.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fetch_wheels  # noqa: E402

ROOT = fetch_wheels.ROOT
# Blender's extension CLI, bundled with the bpy module; runs with plain Python.
BLENDER_EXT = next(
    (Path(sys.prefix) / "lib").glob("python3*/site-packages/bpy/*/scripts/addons_core/bl_pkg/cli/blender_ext.py"),
    None,
)
# The tag list Blender's own `--command extension build/validate` checks against (blender_ext.py alone checks none).
VALID_TAGS = BLENDER_EXT and BLENDER_EXT.parents[3] / "modules" / "_bpy_internal" / "extensions" / "tags.py"
# Never staged, whatever the manifest says (big and not part of the package).
ALWAYS_SKIP = {".git", "build", "dist", "wheels", "__pycache__"}


def _ext_cli(*args: str) -> str:
    if BLENDER_EXT is None:
        raise SystemExit("build_extension: bpy's blender_ext.py not found; run in the project venv")
    proc = subprocess.run([sys.executable, str(BLENDER_EXT), *args], capture_output=True, text=True)
    out = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        raise SystemExit(f"blender_ext {args[0]} failed:\n{out}")
    return out


def _top_level_skips(manifest: dict) -> list[str]:
    """Top-level globs from ``/name/`` or ``/name`` exclude patterns (the builder applies the rest)."""
    pats = manifest.get("build", {}).get("paths_exclude_pattern", [])
    return [p.strip("/") for p in pats if p.startswith("/") and "/" not in p.strip("/")]


def stage(source: Path, stage_dir: Path, wheels: list[Path], version: str | None = None) -> None:
    """Copy ``source`` to ``stage_dir`` with the wheels listed in its manifest (and ``version``, if given)."""
    text = (source / "blender_manifest.toml").read_text()
    skips = _top_level_skips(tomllib.loads(text))

    def ignore(dirpath: str, names: list[str]) -> set[str]:
        top = Path(dirpath) == source
        return {n for n in names if n in ALWAYS_SKIP or (top and any(fnmatch.fnmatch(n, s) for s in skips))}

    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    shutil.copytree(source, stage_dir, ignore=ignore)
    (stage_dir / "wheels").mkdir()
    for wheel in wheels:
        shutil.copy2(wheel, stage_dir / "wheels" / wheel.name)

    listed = ",\n".join(f'  "./wheels/{w.name}"' for w in wheels)
    platforms = ", ".join(f'"{p}"' for p in fetch_wheels.PLATFORMS)
    text = re.sub(r"(?ms)^platforms\s*=\s*\[.*?\]\n", "", text)
    text, n = re.subn(
        r"(?ms)^wheels\s*=\s*\[.*?\]", f"wheels = [\n{listed},\n]\nplatforms = [{platforms}]", text, count=1
    )
    if n != 1:
        raise SystemExit("build_extension: no top-level 'wheels = [...]' in blender_manifest.toml")
    if version is not None:
        text, n = re.subn(r'(?m)^version\s*=\s*"[^"\n]*"', f'version = "{version}"', text, count=1)
        if n != 1:
            raise SystemExit("build_extension: no top-level 'version = \"...\"' in blender_manifest.toml")
    tomllib.loads(text)  # fail here, not in Blender, if the edit broke the TOML
    (stage_dir / "blender_manifest.toml").write_text(text)


def write_repo(zips: list[Path], repo_dir: Path) -> dict:
    """Blender's own remote repository listing of ``zips`` in ``repo_dir``; returns its ``index.json``."""
    repo_dir.mkdir(parents=True, exist_ok=True)
    for old in [*repo_dir.glob("*.zip"), repo_dir / "index.json", repo_dir / "index.html"]:
        old.unlink(missing_ok=True)
    for z in zips:
        try:
            os.link(z, repo_dir / z.name)  # same bytes, no second copy on disk
        except OSError:
            shutil.copy2(z, repo_dir / z.name)
    print(_ext_cli("server-generate", "--repo-dir", str(repo_dir), "--html"))
    index = json.loads((repo_dir / "index.json").read_text())
    listed = sorted(entry["archive_url"].removeprefix("./") for entry in index["data"])
    if listed != sorted(z.name for z in zips):  # server-generate skips a bad zip with only a message
        raise SystemExit(f"build_extension: index.json lists {listed}, expected every zip")
    return index


def build(
    source: Path = ROOT,
    out_dir: Path = ROOT / "dist",
    wheel_dir: Path = ROOT / "wheels",
    stage_dir: Path = ROOT / "build" / "stage" / "meshy_tools",
    repo_dir: Path | None = None,
    version: str | None = None,
) -> list[Path]:
    """Fetch wheels, stage, build split zips into ``out_dir``, validate them, list them in ``repo_dir``.

    ``repo_dir`` defaults to ``out_dir / "repo"``; ``version`` overrides the manifest's in the staged copy.
    """
    wheels = fetch_wheels.fetch(wheel_dir)
    stage(source, stage_dir, wheels, version)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("meshy_tools-*.zip"):
        old.unlink()
    print(_ext_cli("build", "--source-dir", str(stage_dir), "--output-dir", str(out_dir), "--split-platforms",
                   "--valid-tags", str(VALID_TAGS)))
    zips = sorted(out_dir.glob("*.zip"))
    if len(zips) != len(fetch_wheels.PLATFORMS):
        raise SystemExit(f"build_extension: expected {len(fetch_wheels.PLATFORMS)} zips, got {zips}")
    for z in zips:
        print(f"validate {z.name}: {_ext_cli('validate', str(z), '--valid-tags', str(VALID_TAGS))}")
    write_repo(zips, repo_dir or out_dir / "repo")
    return zips


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=ROOT, help="extension source (default: repo root)")
    ap.add_argument("--out-dir", type=Path, default=ROOT / "dist")
    ap.add_argument("--wheel-dir", type=Path, default=ROOT / "wheels")
    ap.add_argument("--stage-dir", type=Path, default=ROOT / "build" / "stage" / "meshy_tools")
    ap.add_argument("--repo-dir", type=Path, help="the remote repository folder (default: OUT_DIR/repo)")
    ap.add_argument("--version", help="build with this version instead of the manifest's (the manifest is not edited)")
    args = ap.parse_args()
    repo_dir = (args.repo_dir or args.out_dir / "repo").resolve()
    zips = build(args.source.resolve(), args.out_dir.resolve(), args.wheel_dir.resolve(), args.stage_dir.resolve(),
                 repo_dir, args.version)
    for z in zips:
        print(f"{z.stat().st_size / 1e6:7.1f} MB  {z}")
    print(f"repository: {repo_dir / 'index.json'} (host the folder on any static web server)")


if __name__ == "__main__":
    main()
