"""The real thing: the built zip in a real Blender 5.2 binary, headless and in the GUI.

1. Installs dist/*linux_x64.zip with ``blender --command extension install-file``
   (Debian's Blender 5.2, Python 3.14, no Pillow or sseclient of its own).
2. ``blender -b --python`` remeshes and retextures a scene against the emulator.
3. Opens that scene in the real GUI and runs Remesh modal (INVOKE_DEFAULT),
   taking screenshots while it waits and when the result is in; then starts a
   Retexture, presses Esc in the window (the wait stops, the task is kept) and
   imports that task by id once Meshy has finished it.

Usage: ``python tools/sid_real.py [--update-docs]`` (root; ``blender-sid setup``
done; ``make test-sid`` runs it). Screenshots land in out/sid/; with
``--update-docs`` they are copied to docs/screenshots/ for the README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import requests
from sid_common import BLENDER_SID, ROOT, linux_zip

OUT = ROOT / "out" / "sid"
KEY = "msy_dummy_api_key_for_test_mode_12345678"


def sid(*args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run([str(BLENDER_SID), *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise SystemExit(f"blender-sid {args[0]} failed ({proc.returncode}):\n{out[-3000:]}")
    return out


def main() -> int:
    if not list((ROOT / "dist").glob("meshy_tools-*-linux_x64.zip")):
        subprocess.run([sys.executable, "tools/build_extension.py"], cwd=ROOT, check=True)
    zip_path = linux_zip(None, "sid_real")
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    emulator = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--run-seconds", "2"],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True)
    base_url = emulator.stdout.readline().strip()
    env = {**os.environ, "MESHY_API_KEY": KEY, "MESHY_BASE_URL": base_url}
    try:
        print(sid("run", "blender", "--command", "extension", "install-file", "-r", "user_default",
                  "--enable", f"/project/dist/{zip_path.name}")[-400:])
        out = sid("run", "blender", "-b", "--online-mode", "--python-exit-code", "1",
                  "--python", "/project/tools/sid_scripts/remesh_retexture.py", env=env)
        print("\n".join(line for line in out.splitlines() if line.split(" ")[0] in
                        {"ONLINE", "REMESH", "RETEXTURE", "SAVED"}))
        requests.post(f"{base_url}/_emulator/config", json={"run_seconds": 8}, timeout=5)
        start = time.monotonic()
        out = sid("gui", "out/sid/final.png", "80", "--online-mode", "/project/out/sid/scene.blend",
                  "--python", "/project/tools/sid_scripts/gui_modal_remesh.py", env=env)
        print(f"GUI run {time.monotonic() - start:.0f} s; log:")
        print((OUT / "gui.log").read_text())
    finally:
        emulator.terminate()
    if "--update-docs" in sys.argv:  # refresh the README's pictures (make test leaves docs/ alone)
        shots = ROOT / "docs" / "screenshots"
        for name in ("modal_waiting.png", "modal_done.png"):
            if (OUT / name).exists():
                shutil.copy(OUT / name, shots / name)
                print("screenshot", shots / name)
    else:
        print(f"screenshots in {OUT} (--update-docs copies them to docs/screenshots)")
    log = (OUT / "gui.log").read_text()
    ok = "DONE" in log and "ESC state=canceled" in log and "REIMPORTED" in log
    print("sid_real:", "PASS" if ok else "FAIL (modal remesh, Esc or re-import missing in gui.log)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
