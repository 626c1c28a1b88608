"""Every new kind end to end in a real Blender 5.2 binary (blender-sid) from the installed zip.

Text to 3D (preview, then refine replacing it in place), Text to Image
(a multi-view set) chained into Multi-Image to 3D by task id with no upload,
Rig on the emulator's humanoid figure (an armature whose clips move the
skin), Animate (one more clip on the same armature), and the bad inputs
(one sentence each, nothing sent, the scene unchanged): the assertions are in
tools/sid_scripts/kinds.py, run by ``blender -b --python``.

The emulator runs here on this checkout's Python; it rigs by running
emulator/rigging/build.py in a child process with ``bpy`` (runner.py: env
MESHY_EMULATOR_BLENDER, else MESHY_EMULATOR_BPY_PYTHON, else its own
interpreter). This script sets MESHY_EMULATOR_BPY_PYTHON to an interpreter it
has checked imports bpy, so rigging never depends on how it was started, and
drops MESHY_EMULATOR_BLENDER: pointing that at the chroot's Blender would mean
a second ``blender-sid run``, which remounts the one ``/project`` under this run.

Usage: ``python tools/sid_kinds.py [ZIP]`` (root; ``blender-sid setup`` done;
``make test-sid`` runs it, under ``flock /tmp/blender-sid.lock`` when shared).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sid_common import BLENDER_SID, ROOT, linux_zip

KEY = "msy_dummy_api_key_for_test_mode_12345678"


def bpy_python() -> str:
    """An interpreter with the bpy module for the emulator's rigging child (this one, as tier 2 uses)."""
    python = os.environ.get("MESHY_EMULATOR_BPY_PYTHON") or sys.executable
    probe = subprocess.run([python, "-c", "import bpy; print(bpy.app.version_string)"],
                           capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        raise SystemExit(f"sid_kinds: {python} has no bpy module for the emulator's rigging "
                         "(set MESHY_EMULATOR_BPY_PYTHON to one that has)")
    print(f"emulator rigs with bpy {probe.stdout.strip()} ({python})")
    return python


def assets(folder: Path) -> None:
    """The emulator's humanoid figure to rig, and a picture for the multi-image bad input."""
    from PIL import Image

    sys.path.insert(0, str(ROOT))
    from emulator.rigging.figure import humanoid_glb

    (folder / "hero.glb").write_bytes(humanoid_glb("a", height=1.0))
    Image.new("RGB", (64, 48), (200, 80, 40)).save(folder / "front.png")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("zip", nargs="?", type=Path, help="default: dist/*linux_x64.zip")
    args = ap.parse_args()
    zip_path = linux_zip(args.zip, "sid_kinds")
    start = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="meshy-sid-kinds-"))
    shutil.copy(zip_path, work / zip_path.name)
    shutil.copy(ROOT / "tools" / "sid_scripts" / "kinds.py", work / "kinds.py")
    assets(work)
    emulator_env = {**os.environ, "MESHY_EMULATOR_BPY_PYTHON": bpy_python()}
    emulator_env.pop("MESHY_EMULATOR_BLENDER", None)
    emulator = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--pending-seconds", "0.2",
                                 "--run-seconds", "0.5"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                env=emulator_env)
    try:
        assert emulator.stdout is not None
        base_url = emulator.stdout.readline().strip()
        script = (
            "set -e; export BLENDER_USER_RESOURCES=$(mktemp -d /tmp/meshy-sid-kinds.XXXX); "
            "trap 'rm -rf \"$BLENDER_USER_RESOURCES\"' EXIT; "
            f"blender --command extension install-file -r user_default --enable /project/{shlex.quote(zip_path.name)}; "
            "blender -b --online-mode --python-exit-code 1 --python /project/kinds.py -- /project"
        )
        env = {**os.environ, "MESHY_API_KEY": KEY, "MESHY_BASE_URL": base_url}
        proc = subprocess.run([str(BLENDER_SID), "run", "bash", "-c", script], cwd=work, capture_output=True,
                              text=True, env=env, timeout=900)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    out = proc.stdout + proc.stderr
    lines = [line for line in out.splitlines() if line.startswith("KIND")]
    print("\n".join(lines))
    ok = proc.returncode == 0 and "KIND-OK" in lines
    if not ok:
        print(out[-6000:])
    print(f"sid_kinds: {'PASS' if ok else f'FAIL (exit {proc.returncode})'} in {time.monotonic() - start:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
