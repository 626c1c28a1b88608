"""The shipped zips and the remote repository: built by Blender's tools, valid, small, right wheels.

Builds the real repo into a temp dir (wheels cached in ``wheels/``), so a
file that leaks into the package or a wheel missing for a platform fails here
rather than on a user's machine. The repository folder is served on loopback
and read by Blender's own repository client (``blender_ext.py sync`` and
``install``, what Blender runs for Get Extensions) of every bpy line here.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import re
import subprocess
import sys
import threading
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator
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
# Blender's extension CLI (validator, repository client) of each bpy line whose venv is here.
BPY_LINES = {
    line: next(ROOT.glob(f"{venv}/lib/python3*/site-packages/bpy/*/scripts/addons_core/bl_pkg/cli/blender_ext.py"),
               None)
    for line, venv in (("5.0", ".venv"), ("4.2", ".venv-bpy42"), ("4.5", ".venv-bpy45"))
}
ABIS = ("cp311", "cp313", "cp314")


def _pypi_reachable() -> bool:
    try:
        urllib.request.urlopen("https://pypi.org/simple/pillow/", timeout=15).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a real build: the zips, and the repository in ``repo/``."""
    try:
        fetch_wheels.fetch()
    except (SystemExit, subprocess.CalledProcessError):
        if not _pypi_reachable():
            pytest.skip("PyPI unreachable: cannot download the wheels to bundle")
        raise
    tmp = tmp_path_factory.mktemp("pkg")
    build_extension.build(out_dir=tmp / "dist", stage_dir=tmp / "stage" / "meshy_tools")
    return tmp / "dist"


@pytest.fixture(scope="module")
def zips(dist: Path) -> dict[str, Path]:
    """Blender platform -> built zip."""
    return {z.stem.split("-")[-1].replace("_", "-"): z for z in sorted(dist.glob("*.zip"))}


@pytest.fixture(scope="module")
def served_repo(dist: Path) -> Iterator[tuple[str, list[str]]]:
    """``dist/repo`` on a loopback static server: (index.json URL, paths requested so far)."""
    requested: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            requested.append(self.path.partition("?")[0])

    handler = functools.partial(Handler, directory=str(dist / "repo"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.json", requested
    finally:
        server.shutdown()
        server.server_close()


def _venv_python(cli: Path) -> Path:
    """The venv's python, for <venv>/lib/python3.x/site-packages/bpy/<v>/scripts/addons_core/bl_pkg/cli/..."""
    return cli.parents[9] / "bin" / "python"


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


@pytest.mark.parametrize("platform", list(fetch_wheels.PLATFORMS))
def test_compiled_wheels_for_every_python(zips: dict[str, Path], platform: str) -> None:
    """Pillow and pybase64 for each CPython ABI Blender uses (4.2-5.0, 5.1+, distro builds); sseclient once."""
    with zipfile.ZipFile(zips[platform]) as z:
        wheels = {Path(n).name for n in z.namelist() if n.endswith(".whl")}
    assert f"sseclient_py-{fetch_wheels.SSECLIENT}-py3-none-any.whl" in wheels
    for name, version in (("pillow", fetch_wheels.PILLOW), ("pybase64", fetch_wheels.PYBASE64)):
        for cp in ABIS:
            assert sum(w.startswith(f"{name}-{version}-{cp}-{cp}-") for w in wheels) == 1, (name, cp, wheels)


def test_repository_index_lists_every_zip(dist: Path, zips: dict[str, Path]) -> None:
    """``dist/repo/index.json`` is Blender's listing: one entry per platform, each naming its zip's bytes."""
    repo = dist / "repo"
    index = json.loads((repo / "index.json").read_text())
    assert index["version"] == "v1" and index["blocklist"] == []
    by_platform = {tuple(e["platforms"]): e for e in index["data"]}
    assert sorted(by_platform) == sorted((p,) for p in fetch_wheels.PLATFORMS)
    html = (repo / "index.html").read_text()
    for platform, zp in zips.items():
        entry = by_platform[(platform,)]
        with zipfile.ZipFile(zp) as z:
            manifest = _manifest(z)
        assert (entry["id"], entry["version"]) == (manifest["id"], manifest["version"])
        assert entry["archive_url"] == f"./{zp.name}" and f'href="./{zp.name}?' in html
        served = (repo / zp.name).read_bytes()
        assert served == zp.read_bytes()
        assert entry["archive_size"] == len(served)
        assert entry["archive_hash"] == "sha256:" + hashlib.sha256(served).hexdigest()
        assert entry["python_versions"] == ["3.11", "3.13", "3.14"]


@pytest.mark.parametrize("line", list(BPY_LINES))
def test_blender_installs_from_the_repository(
    served_repo: tuple[str, list[str]], tmp_path: Path, line: str
) -> None:
    """Each Blender line's own repository client syncs the index and installs this machine's zip from it."""
    cli = BPY_LINES[line]
    if cli is None:
        pytest.skip(f"no venv with bpy {line} (make venv)")
    python = _venv_python(cli)
    url, requested = served_repo
    del requested[:]
    local = tmp_path / "repo"
    local.mkdir()
    for args in (
        ["sync", "--remote-url", url, "--local-dir", str(local)],
        ["install", "--remote-url", url, "--local-dir", str(local), "--blender-version", f"{line}.0",
         "--python-version", "3.11.7", "meshy_tools"],
    ):
        proc = subprocess.run([str(python), str(cli), *args], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = tomllib.loads((local / "meshy_tools" / "blender_manifest.toml").read_text())
    (platform,) = installed["build"]["generated"]["platforms"]
    zip_name = f"meshy_tools-{installed['version']}-{platform.replace('-', '_')}.zip"
    assert requested == ["/index.json", f"/{zip_name}"]
    assert any((local / "meshy_tools" / "wheels").glob(f"pybase64-{fetch_wheels.PYBASE64}-cp311-*.whl"))


# Ways an add-on installs or updates itself (pip, a subprocess, fetched code): the repository is the
# only update path, and the zips carry every dependency.
SELF_INSTALL = re.compile(
    r"\bimport\s+(?:[\w.]+\s*,\s*)*(?:pip|ensurepip|subprocess)\b|\bfrom\s+(?:pip|ensurepip|subprocess)\b"
    r"|\bsubprocess\.\w+\s*\("
    r"|\bos\.(?:system|popen|exec\w*|spawn\w*|posix_spawn\w*)\s*\("
    r"|[\"']pip3?[\"']|\bpip3?\s+install\b|-m\s+pip\b"
    r"|\bsite\.addsitedir\b|\burlretrieve\b|\bzipimport\b"
)


def test_self_install_pattern_catches_the_usual_ways() -> None:
    for line in ('subprocess.run([sys.executable, "-m", "pip", "install", "pillow"])', "import pip",
                 "from subprocess import run", "os.system('pip install x')", "import ensurepip",
                 "import pathlib, subprocess, sys"):
        assert SELF_INSTALL.search(line), line
    assert not SELF_INSTALL.search("pipeline = build_pipeline(pipe)  # the ssl module's __file__")


def test_shipped_code_never_installs_or_updates_itself(zips: dict[str, Path]) -> None:
    with zipfile.ZipFile(zips["linux-x64"]) as z:
        hits = [
            f"{name}:{no}: {text.strip()}"
            for name in z.namelist() if name.endswith(".py")
            for no, text in enumerate(z.read(name).decode().splitlines(), 1)
            if SELF_INSTALL.search(text)
        ]
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize("line", ["4.2", "4.5"])
def test_lts_validators(zips: dict[str, Path], line: str) -> None:
    """build() already ran the 5.0 validator; 4.2 is blender_version_min and 4.5 the other LTS line."""
    cli = BPY_LINES[line]
    if cli is None:
        pytest.skip(f"no venv with bpy {line} (make venv)")
    python = _venv_python(cli)
    tags = cli.parents[3] / "modules" / "_bpy_internal" / "extensions" / "tags.py"
    for zp in zips.values():
        proc = subprocess.run([str(python), str(cli), "validate", str(zp), "--valid-tags", str(tags)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
