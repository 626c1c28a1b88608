"""Headless batch CLI: registers ``blender --command meshy ...`` (Blender 4.2+).

Registration only; the work is in ``batch`` (imported when the command runs,
so enabling the add-on stays cheap). The handle is kept so that disabling the
add-on unregisters the command and enabling it again does not warn.
"""

from __future__ import annotations

from typing import Any

import bpy

_handle: Any = None


def _execute(argv: list[str]) -> int:
    from . import batch

    return batch.main(argv)


def register() -> None:
    global _handle
    register_cli = getattr(bpy.utils, "register_cli_command", None)
    if register_cli is not None and _handle is None:
        _handle = register_cli("meshy", _execute)


def unregister() -> None:
    global _handle
    if _handle is not None:
        bpy.utils.unregister_cli_command(_handle)
        _handle = None
