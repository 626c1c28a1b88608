"""What the blender-sid scripts share: where the tool is, whether it is set up, which zip."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared/tools/blender-sid beside the checkout (as on the developers' machines and in CI)
BLENDER_SID = Path(os.environ.get("BLENDER_SID", ROOT.parent / "shared" / "tools" / "blender-sid"))
SID_ROOT = Path(os.environ.get("BLENDER_SID_ROOT", "/opt/blender-sid"))
READY = SID_ROOT / ".ready"


def linux_zip(given: Path | None, tool: str) -> Path:
    """The linux-x64 zip to install (given, or the one in dist/); exits 2 with a sentence if none."""
    zip_path = given or next(iter(sorted((ROOT / "dist").glob("meshy_tools-*-linux_x64.zip"))), None)
    if zip_path is None or not zip_path.is_file():
        print(f"{tool}: no linux_x64 zip; run 'make build' first", file=sys.stderr)
        raise SystemExit(2)
    if not READY.exists():
        print(f"{tool}: {READY} missing; run '{BLENDER_SID} setup' first", file=sys.stderr)
        raise SystemExit(2)
    return zip_path.resolve()
