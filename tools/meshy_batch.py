"""The batch CLI without a Blender binary: `blender --command meshy ...` with the bpy module from PyPI.

    python3.11 -m venv v && v/bin/pip install bpy==5.0.1 sseclient-py pillow pybase64
    export MESHY_API_KEY=msy_...
    v/bin/python tools/meshy_batch.py --online-mode remesh "assets/*.glb" --out out/remeshed --topology quad

Everything after the launcher's own flags is what ``blender --command meshy``
takes (``status``, ``resume``, ``--help`` ...), and the exit status is the
same. The bpy module starts from factory settings: no extension is enabled
and online access is off, so this enables the add-on of this checkout the way
Blender enables an installed extension (linked into a scratch extension
repository, as ``bl_ext.meshy_cli.meshy_tools``: ``tools/addon_env.py``), and
goes online only with ``--online-mode``, as Blender does.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = "meshy_cli"
USAGE = "usage: meshy_batch.py [--online-mode | --offline-mode] [--launcher-help] <blender --command meshy arguments>"


def main(argv: list[str]) -> int:
    online = False
    while argv and argv[0] in {"--online-mode", "--offline-mode"}:
        online = argv.pop(0) == "--online-mode"
    if argv[:1] == ["--launcher-help"]:
        print(USAGE + "\n\n" + (__doc__ or ""))
        return 0
    try:
        import bpy
    except ImportError:
        print("meshy_batch.py: the bpy module is not installed here: pip install bpy (Python 3.11 for bpy 4.2-5.0)",
              file=sys.stderr)
        return 2
    sys.path.insert(0, str(HERE))
    from addon_env import enable_addon

    home = Path(tempfile.mkdtemp(prefix="meshy-cli-"))
    try:
        bpy.context.preferences.system.use_online_access = online
        addon = enable_addon(home, repo=REPO)
        batch = __import__(addon.__name__ + ".batch", fromlist=["main"])
        return int(batch.main(argv))
    finally:
        shutil.rmtree(home, ignore_errors=True)  # the link to this checkout and the scratch repository only


def _exit(code: int) -> None:
    """Exit with ``code``. The bpy 4.2 module crashes in its own teardown once the glTF exporter was imported
    (SIGSEGV freeing a SpaceType after Python finalized: ``import bpy``, one ``export_scene.gltf``, exit), after
    the batch has finished, so 4.2 skips the teardown: the journal, the report and the .blend files are written."""
    import bpy

    if bpy.app.version >= (4, 3, 0):
        sys.exit(code)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit(main(sys.argv[1:]))
