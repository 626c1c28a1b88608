"""What the blender-sid scripts share: where the tool is, whether it is set up, which zip."""

from __future__ import annotations

import os
import subprocess
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


#: Blender's own font for Japanese and Chinese (Debian's blender-data ships it in the Blender 5.2 chroot).
BLENDER_CJK_FONT = SID_ROOT / "usr/share/blender/datafiles/fonts/Noto Sans CJK Regular.woff2"
SYSTEM_CJK_FONT = SID_ROOT / "usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def ensure_cjk_font() -> Path:
    """A font with Japanese and Chinese glyphs for the chroot's Blender (no tofu in the screenshots).

    Blender draws with its bundled fonts first; a build without its CJK font falls back to
    fontconfig, so then ``fonts-noto-cjk`` is installed in the chroot (once: idempotent).
    """
    if BLENDER_CJK_FONT.is_file():
        return BLENDER_CJK_FONT
    if not SYSTEM_CJK_FONT.is_file():
        print(f"sid: {BLENDER_CJK_FONT.name} is not in Blender's fonts; installing fonts-noto-cjk in the chroot",
              file=sys.stderr)
        subprocess.run([str(BLENDER_SID), "run", "bash", "-c", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                        "--no-install-recommends fonts-noto-cjk >/dev/null"], cwd=ROOT, check=True)
    return SYSTEM_CJK_FONT
