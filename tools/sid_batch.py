"""A batch run in a real Blender 5.2 (blender-sid) from the installed zip, against the emulator.

Proof that the bundled wheels work where Blender has no Pillow or sseclient of
its own: the linux-x64 zip is installed with ``blender --command extension
install-file``, then ``blender --online-mode --command meshy remesh`` (an
image-to-image step too, which needs Pillow) runs against the emulator on this
machine's loopback, which the chroot shares; then the README's ``blender -b
--python`` script, taken from the README as written, retextures a .blend.
Checks the exit status, the reports, the saved .blend files and the
emulator's create count.
Needs root and ``blender-sid setup`` done; ``make build`` first (or give the zip).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sid_common import BLENDER_SID, ROOT, linux_zip

KEY = "msy_dummy_api_key_for_test_mode_12345678"


def _assets(folder: Path) -> None:
    import trimesh
    from PIL import Image, ImageDraw

    (folder / "models").mkdir()
    for i, mesh in enumerate((trimesh.creation.box(), trimesh.creation.icosphere(subdivisions=2))):
        mesh.export(folder / "models" / f"asset{i}.glb")
    (folder / "images").mkdir()
    img = Image.new("RGB", (64, 64), (240, 240, 240))
    ImageDraw.Draw(img).ellipse((10, 10, 54, 54), fill=(200, 40, 40))
    img.save(folder / "images" / "ball.png")


def _readme_script(folder: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split("The same entry works from a `blender -b --python` script", 1)[1]
    (folder / "script.py").write_text(re.search(r"```python\n(.*?)```", after, re.S).group(1), encoding="utf-8")


PROPS = ("import bpy; bpy.ops.wm.read_homefile(use_empty=True); bpy.ops.mesh.primitive_uv_sphere_add(); "
         "bpy.ops.wm.save_as_mainfile(filepath='/project/props.blend')")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("zip", nargs="?", type=Path, help="default: dist/*linux_x64.zip")
    args = ap.parse_args()
    zip_path = linux_zip(args.zip, "sid_batch")
    work = Path(tempfile.mkdtemp(prefix="meshy-sid-batch-"))
    shutil.copy(zip_path, work / zip_path.name)
    _assets(work)
    _readme_script(work)
    emulator = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--pending-seconds", "0.2",
                                 "--run-seconds", "0.5"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert emulator.stdout is not None
        base_url = emulator.stdout.readline().strip()
        blender = "blender --online-mode --command meshy"
        script = (
            "set -e; export BLENDER_USER_RESOURCES=$(mktemp -d /tmp/meshy-sid-batch.XXXX); "
            "trap 'rm -rf \"$BLENDER_USER_RESOURCES\"' EXIT; "
            f"blender --command extension install-file -r user_default --enable /project/{shlex.quote(zip_path.name)}; "
            f"{blender} --help | head -3; "
            f"{blender} remesh '/project/models/*.glb' --out /project/out-remesh --topology quad "
            "--target-polycount 500 -j 2; "
            f"{blender} image-to-image /project/images/ball.png --out /project/out-image --prompt 'make it gold'; "
            f"{blender} status --out /project/out-remesh; "
            f"blender -b --python-expr {shlex.quote(PROPS)} > /dev/null; "
            "cd /project && blender -b --online-mode --python /project/script.py"
        )
        env = {**os.environ, "MESHY_API_KEY": KEY, "MESHY_BASE_URL": base_url}
        proc = subprocess.run([str(BLENDER_SID), "run", "bash", "-c", script], cwd=work, env=env,
                              capture_output=True, text=True, timeout=600)
        print(proc.stdout + proc.stderr)
        problems = []
        if proc.returncode != 0:
            problems.append(f"exit {proc.returncode}")
        for name, count in (("out-remesh", 2), ("out-image", 1), ("out", 1)):
            try:
                report = json.loads((work / name / "report.json").read_text())
            except (OSError, ValueError):
                problems.append(f"no {name}/report.json")
                continue
            if report["summary"]["counts"] != {"succeeded": count}:
                problems.append(f"{name}: {report['summary']['counts']}")
            problems += [f"missing {e['outputs']['blend']}" for e in report["assets"]
                         if not (e["outputs"]["blend"] and Path(e["outputs"]["blend"].replace(
                             "/project", str(work), 1)).is_file())]
        import requests

        stats = requests.get(base_url + "/_emulator/stats", timeout=5).json()
        if stats["create_count"] != {"remesh": 2, "image-to-image": 1, "retexture": 1}:
            problems.append(f"creates: {stats['create_count']}")
    finally:
        emulator.terminate()
        emulator.wait(10)
    print("sid_batch:", "PASS" if not problems else "FAIL: " + "; ".join(problems), f"(files in {work})")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
