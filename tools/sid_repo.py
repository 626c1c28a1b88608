"""The remote extension repository in a real Blender 5.2 (blender-sid): add, install, run, update.

What a user who adds ``dist/repo`` as a remote repository gets, end to end:

1. ``blender --command extension server-generate`` in the real 5.2 writes the
   same ``index.json`` as ``make build`` (which runs the bpy wheel's copy).
2. A loopback HTTP server serves ``dist/repo``; Blender adds it
   (``extension repo-add --url .../index.json``), syncs, installs Meshy Tools
   from it and enables it; the add-on loads with its bundled wheels.
3. Nothing writes into the extension's own folder at run time: once installed
   and enabled it holds exactly the zip's files, and a file-by-file hash of it
   (``__pycache__`` aside) is unchanged after
   Blender starts with the add-on enabled, runs Remesh against the emulator,
   disables, enables and disables it again; an audit hook (``sitecustomize``,
   loaded before any add-on) records every write, remove or rename in that
   folder, every ``pip``/``ensurepip`` import, and every process started from
   the extension's code: there must be none. The journal and downloads land in
   ``extension_path_user``.
4. A second repository with the version bumped (built from a staged copy, the
   committed manifest untouched) replaces the first at the same URL; Blender's
   ``extension sync`` sees the update, ``extension update`` applies it, the new
   version loads, its folder holds exactly the new zip's files, and the user's
   data from step 3 is still there.

Usage: ``python tools/sid_repo.py [--source DIR]`` (root; ``blender-sid setup``
done; ``make test-sid`` runs it after ``make build``). ``--source`` builds both
versions from another extension folder instead of using ``dist/repo``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import tomllib
import zipfile
from pathlib import Path

import build_extension
from sid_common import BLENDER_SID, READY, ROOT

KEY = "msy_dummy_api_key_for_test_mode_12345678"
REPO_ID = "meshy"
MODULE = f"bl_ext.{REPO_ID}.meshy_tools"
USER = "/project/user"  # BLENDER_USER_RESOURCES inside the chroot (the work dir is /project)
EXT_DIR = f"{USER}/extensions/{REPO_ID}/meshy_tools"

# Loaded by Blender's Python before any add-on (PYTHONPATH + --python-use-system-env).
AUDIT = r'''
"""Record what touches the extension's own folder, pip, or a process started from the extension."""
import os
import sys

EXT = os.environ["MESHY_AUDIT_EXT"]
_log = open(os.environ["MESHY_AUDIT_LOG"], "a", buffering=1)
_busy = False
SEEN = 0
PATH_EVENTS = {"os.remove", "os.rmdir", "os.mkdir", "os.truncate", "os.chmod", "shutil.rmtree", "shutil.copyfile",
               "shutil.copytree", "os.symlink", "os.link", "os.utime"}
SPAWN_EVENTS = {"subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.fork", "os.startfile"}


def _inside(path):
    if isinstance(path, int) or path is None:
        return False
    p = os.path.abspath(os.fsdecode(path))
    return (p == EXT or p.startswith(EXT + os.sep)) and "__pycache__" not in p


def _from_extension():
    f = sys._getframe(2)
    while f is not None:
        if f.f_code.co_filename.startswith(EXT + os.sep):
            return f.f_code.co_filename + ":" + str(f.f_lineno)
        f = f.f_back
    return None


def _hook(event, args):
    global _busy, SEEN
    if _busy:
        return
    _busy = True
    try:
        SEEN += 1
        if event == "open" and len(args) >= 3:
            path, mode, flags = args[0], args[1] or "", args[2] or 0
            writes = any(c in mode for c in "wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC)
            if writes and _inside(path):
                _log.write(f"WRITE {os.fsdecode(path)} mode={mode!r}\n")
        elif event in PATH_EVENTS and args and _inside(args[0]):
            _log.write(f"CHANGE {event} {os.fsdecode(args[0])}\n")
        elif event in ("os.rename", "os.replace") and (_inside(args[0]) or _inside(args[1])):
            _log.write(f"CHANGE {event} {os.fsdecode(args[0])} -> {os.fsdecode(args[1])}\n")
        elif event == "import" and str(args[0]).split(".")[0] in ("pip", "ensurepip"):
            _log.write(f"PIP import {args[0]}\n")
        elif event in SPAWN_EVENTS and (where := _from_extension()):
            _log.write(f"SPAWN {event} {args[:2]!r} from {where}\n")
    except Exception as exc:  # never break the audited call
        _log.write(f"HOOK-ERROR {event} {exc!r}\n")
    finally:
        _busy = False


sys.addaudithook(_hook)
'''

# Inside Blender: the add-on from the repository is enabled, and its wheels are Blender's own install of them.
CHECK = r"""
import os, sys, tomllib, bpy
mod = sys.modules.get("MODULE")
assert "MODULE" in {a.module for a in bpy.context.preferences.addons} and mod, "MODULE not enabled"
bpy.ops.meshy.remesh.get_rna_type()  # raises KeyError when the operator is not registered
import PIL, pybase64, sseclient
for m in (PIL, pybase64, sseclient):
    assert "/extensions/.local/" in m.__file__, m.__file__
assert pybase64.b64decode(pybase64.b64encode(b"meshy")) == b"meshy"
assert "C extension active" in pybase64.get_version(), pybase64.get_version()
with open(os.path.join(os.path.dirname(mod.__file__), "blender_manifest.toml"), "rb") as fh:
    version = tomllib.load(fh)["version"]
print("REPO-CHECK version", version, "| python", sys.version.split()[0], "| Pillow", PIL.__version__,
      "| pybase64", pybase64.get_version(), "| from", os.path.dirname(mod.__file__))
""".replace("MODULE", MODULE)

# Inside Blender, the add-on enabled at start-up: one operator against the emulator, then disable/enable/disable.
RUN = r"""
import os, sys, addon_utils, bpy
import sitecustomize
def fail(exc):
    raise exc
assert "MODULE" in {a.module for a in bpy.context.preferences.addons}, "not enabled at start-up"
bpy.ops.wm.read_homefile(use_empty=True)
bpy.ops.mesh.primitive_ico_sphere_add(subdivisions=3)
rock = bpy.context.object
rock.name = "Rock"
assert bpy.ops.meshy.remesh(target_polycount=300, topology="QUAD") == {"FINISHED"}
result = bpy.data.objects["Rock_remesh"]
print("RUN-REMESH", result.name, len(result.data.polygons), "faces, task", result["meshy_task_id"])
user = bpy.utils.extension_path_user("MODULE")
print("RUN-USERDATA", user, sum(len(f) for _, _, f in os.walk(user)), "files")
addon_utils.disable("MODULE", default_set=True, handle_error=fail)
addon_utils.enable("MODULE", default_set=True, handle_error=fail)
addon_utils.disable("MODULE", default_set=True, handle_error=fail)
addon_utils.enable("MODULE", default_set=True, handle_error=fail)  # leave it as it was
print("RUN-CYCLE disable, enable, disable, enable: ok | audit events seen", sitecustomize.SEEN)
""".replace("MODULE", MODULE)


class Results:
    """PASS/FAIL lines as the checks run, and the verdict."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.count = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        self.count += 1
        print(("PASS " if ok else "FAIL ") + what + ("" if ok or not detail else f": {detail}"), flush=True)
        if not ok:
            self.failed.append(what)
        return ok


class RepoServer:
    """A static file server on loopback whose folder can be swapped (a studio republishing the same URL)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.requested: list[str] = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: object, **kwargs: object) -> None:
                super().__init__(*args, directory=str(outer.folder), **kwargs)

            def log_message(self, format: str, *args: object) -> None:
                outer.requested.append(self.path.partition("?")[0])

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/index.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def sid_bash(script: str, work: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run ``script`` in the chroot with ``work`` at /project; print its output without download progress."""
    proc = subprocess.run([str(BLENDER_SID), "run", "bash", "-c", "set -e; " + script], cwd=work,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    print("\n".join(line for line in out.splitlines() if not line.startswith("PROGRESS")), flush=True)
    return proc.returncode, out


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder`` (``__pycache__`` aside); dirs as 'dir'."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.relative_to(folder).parts:
            continue
        rel = str(path.relative_to(folder))
        found[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def zip_files(zip_path: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file in the package, as ``snapshot`` names the installed ones."""
    with zipfile.ZipFile(zip_path) as z:
        return {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist() if not i.is_dir()}


def files_only(found: dict[str, str]) -> dict[str, str]:
    return {p: h for p, h in found.items() if h != "dir"}


def diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return ([f"+{p}" for p in sorted(after.keys() - before.keys())]
            + [f"-{p}" for p in sorted(before.keys() - after.keys())]
            + [f"~{p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]])


def bump(version: str) -> str:
    m = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    if not m:
        raise SystemExit(f"sid_repo: version {version!r} is not MAJOR.MINOR.PATCH")
    return f"{m[1]}.{m[2]}.{int(m[3]) + 1}"


def linux_version(repo: Path) -> str:
    index = json.loads((repo / "index.json").read_text())
    return next(e["version"] for e in index["data"] if e["platforms"] == ["linux-x64"])


def build_repo(source: Path, work: Path, name: str, version: str | None) -> Path:
    out = work / name
    build_extension.build(source, out / "dist", stage_dir=out / "stage" / "meshy_tools", version=version)
    return out / "dist" / "repo"


def check_server_generate(res: Results, repo: Path, work: Path) -> None:
    """The real Blender's server-generate lists the same zips exactly as the build's did."""
    gen = work / "gen"
    gen.mkdir()
    for z in repo.glob("*.zip"):
        os.link(z, gen / z.name)
    rc, _ = sid_bash("blender --command extension server-generate --repo-dir /project/gen --html", work)
    ours, blenders = (json.loads((d / "index.json").read_text()) for d in (repo, gen))

    def key(index: dict) -> list:
        return sorted(index["data"], key=lambda e: e["archive_url"])

    res.check(rc == 0 and ours["version"] == blenders["version"] and key(ours) == key(blenders),
              "Blender 5.2's own server-generate writes the same index.json as make build",
              f"exit {rc}, {len(ours['data'])} vs {len(blenders['data'])} entries")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, help="build both versions from this extension folder (default: dist/repo)")
    args = ap.parse_args()
    if not READY.exists():
        print(f"sid_repo: {READY} missing; run '{BLENDER_SID} setup' first", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="meshy-sid-repo-"))
    res = Results()
    if args.source:
        repo1 = build_repo(args.source.resolve(), work, "v1", None)
    else:
        repo1 = ROOT / "dist" / "repo"
        if not (repo1 / "index.json").is_file():
            print("sid_repo: no dist/repo/index.json; run 'make build' first", file=sys.stderr)
            return 2
    v1 = linux_version(repo1)
    v2 = bump(v1)
    repo2 = build_repo(args.source.resolve() if args.source else ROOT, work, "v2", v2)
    check_server_generate(res, repo1, work)

    server = RepoServer(repo1)
    user = work / "user"
    ext_dir = user / "extensions" / REPO_ID / "meshy_tools"
    user_data = user / "extensions" / ".user" / REPO_ID / "meshy_tools"
    blender_env = f"export BLENDER_USER_RESOURCES={USER}; "
    check = f"blender -b --python-exit-code 1 --python-expr {shlex.quote(CHECK)}"
    emulator = None
    try:
        # 2. Add the repository, sync, install from it, enable.
        rc, out = sid_bash(
            blender_env
            + f"blender --command extension repo-add --clear-all --name 'Meshy Tools' --url {server.url} {REPO_ID}; "
            "blender --command extension repo-list; "
            "blender --online-mode --command extension sync; "
            "blender --online-mode --command extension install --enable meshy_tools; "
            "blender --command extension list; " + check, work)
        res.check(rc == 0 and f"url: \"{server.url}\"" in out, "Blender added the remote repository", f"exit {rc}")
        zip1 = f"/meshy_tools-{v1}-linux_x64.zip"
        res.check(server.requested[:1] == ["/index.json"] and zip1 in server.requested,
                  f"Blender synced index.json and downloaded {zip1[1:]} from it", str(server.requested))
        res.check(f"REPO-CHECK version {v1} " in out, f"Meshy Tools {v1} installed from the repository, enabled, "
                  "loads with its bundled Pillow, pybase64 and sseclient")

        # 3. Nothing writes into the extension's folder while it runs.
        before = snapshot(ext_dir)
        shipped = diff(zip_files(repo1 / zip1[1:]), files_only(before))
        res.check(not shipped, "after install and enable the extension's folder holds exactly the zip's files",
                  " ".join(shipped[:20]))
        (work / "audit").mkdir()
        (work / "audit" / "sitecustomize.py").write_text(AUDIT)
        emulator = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--pending-seconds", "0.2",
                                     "--run-seconds", "0.5"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert emulator.stdout is not None
        base_url = emulator.stdout.readline().strip()
        rc, out = sid_bash(
            blender_env + f"export MESHY_AUDIT_EXT={EXT_DIR} MESHY_AUDIT_LOG=/project/audit.log; "
            f"blender -b --online-mode --python-use-system-env --python-exit-code 1 --python-expr {shlex.quote(RUN)}",
            work, {"MESHY_API_KEY": KEY, "MESHY_BASE_URL": base_url, "PYTHONPATH": "/project/audit"})
        import requests

        creates = requests.get(base_url + "/_emulator/stats", timeout=5).json()["create_count"]
        res.check(rc == 0 and "RUN-CYCLE" in out and creates == {"remesh": 1},
                  "Remesh ran against the emulator, then disable/enable/disable", f"exit {rc}, creates {creates}")
        changes = diff(before, snapshot(ext_dir))
        res.check(bool(before) and not changes, f"the extension's folder is unchanged ({len(before)} entries hashed)",
                  " ".join(changes[:20]))
        audit = (work / "audit.log").read_text().splitlines() if (work / "audit.log").exists() else ["no audit.log"]
        seen = re.search(r"audit events seen (\d+)", out)
        res.check(bool(seen) and int(seen[1]) > 0 and not audit,
                  "no write into the extension's folder, no pip, no process started by the extension (audit hook)",
                  "; ".join(audit[:20]))
        data = snapshot(user_data) if user_data.is_dir() else {}
        res.check(any(p.startswith("downloads") for p in data) and any("journal" in p for p in data),
                  f"the journal and downloads are under extension_path_user ({len(data)} entries)", str(list(data)[:8]))

        # 4. A new version at the same URL: Blender sees it and applies it.
        server.folder = repo2
        rc, out = sid_bash(
            blender_env + "blender --online-mode --command extension sync; blender --command extension list", work)
        res.check(rc == 0 and f"outdated: {v1} -> {v2}" in out, f"after sync Blender lists the update {v1} -> {v2}")
        rc, out = sid_bash(
            blender_env + "blender --online-mode --command extension update; blender --command extension list; "
            + check, work)
        installed = tomllib.loads((ext_dir / "blender_manifest.toml").read_text())["version"]
        res.check(rc == 0 and installed == v2 and f"REPO-CHECK version {v2} " in out,
                  f"extension update installed {v2}; it enables and loads", f"exit {rc}, installed {installed}")
        zip2 = f"/meshy_tools-{v2}-linux_x64.zip"
        res.check(zip2 in server.requested, f"the {v2} zip came from the repository")
        stale = diff(zip_files(repo2 / zip2[1:]), files_only(snapshot(ext_dir)))
        res.check(not stale, f"the extension's folder now holds exactly the {v2} zip's files", " ".join(stale[:20]))
        kept = snapshot(user_data) if user_data.is_dir() else {}
        res.check(bool(data) and kept == data, "the user's data (journal, downloads) survived the update",
                  " ".join(diff(data, kept)[:20]))
    finally:
        server.close()
        if emulator:
            emulator.terminate()
            emulator.wait(10)
    ok = not res.failed
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    print("sid_repo:", f"PASS ({res.count} checks)" if ok else f"FAIL ({len(res.failed)} of {res.count} checks; "
          f"files in {work})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
