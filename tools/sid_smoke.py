"""Install the linux-x64 zip into a real Blender (blender-sid) and import its wheels.

Proves what a user gets: ``extension install-file --enable`` unpacks the
bundled wheels for Blender's own Python (3.14 on Debian sid, which has no
Pillow or sseclient of its own), and the enabled add-on can import them.
A fresh ``BLENDER_USER_RESOURCES`` dir keeps the chroot's own config clean.
Needs root and ``blender-sid setup`` done (``/opt/blender-sid/.ready``).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

from sid_common import BLENDER_SID, linux_zip

# Runs inside Blender: the add-on must be enabled and the imports must resolve
# to the extension's private site-packages, not to anything system-wide.
CHECK = r"""
import io, sys, importlib.metadata, PIL, sseclient
from PIL import Image
import PIL.features
mod = "bl_ext.user_default.meshy_tools"
enabled = mod in {a.module for a in __import__("bpy").context.preferences.addons}
assert enabled, "extension not enabled"
for m in (PIL, sseclient):
    assert "/extensions/.local/" in m.__file__, m.__file__
buf = io.BytesIO()
Image.new("RGB", (4, 4), "red").save(buf, "PNG")
assert Image.open(io.BytesIO(buf.getvalue())).getpixel((0, 0)) == (255, 0, 0)
print("SMOKE-OK python", sys.version.split()[0], "| Pillow", PIL.__version__, PIL.__file__,
      "| sseclient", importlib.metadata.version("sseclient-py"), sseclient.__file__,
      "| webp", PIL.features.check("webp"), "| enabled", enabled)
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("zip", nargs="?", type=Path, help="default: dist/*linux_x64.zip")
    args = ap.parse_args()
    zip_path = linux_zip(args.zip, "sid_smoke")
    zip_path = zip_path.resolve()
    script = (
        "set -e; export BLENDER_USER_RESOURCES=$(mktemp -d /tmp/meshy-smoke.XXXX); "
        "trap 'rm -rf \"$BLENDER_USER_RESOURCES\"' EXIT; "
        f"blender --command extension install-file -r user_default --enable /project/{shlex.quote(zip_path.name)}; "
        f"blender -b --python-exit-code 1 --python-expr {shlex.quote(CHECK)}"
    )
    proc = subprocess.run(
        [str(BLENDER_SID), "run", "bash", "-c", script], cwd=zip_path.parent, capture_output=True, text=True
    )
    out = proc.stdout + proc.stderr
    print(out)
    ok = proc.returncode == 0 and "SMOKE-OK" in out
    print("sid_smoke:", "PASS" if ok else f"FAIL (exit {proc.returncode})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
