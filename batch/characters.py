"""The rig and animate subcommands' own options, read before anything is planned or sent.

``--texture-image-path`` of ``rig`` goes up as a PNG (Meshy rigs with PNG
textures only; a JPEG is converted); ``animate``'s ``--action`` is a name (or
id) of Meshy's Animation Library and ``--post-process``/``--fps`` become
Meshy's one ``post_process`` object (``core/characters.py``, as the sidebar's).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..client import animation_library
from ..client.errors import ValidationError
from ..client.uploads import FileInput
from ..core import characters
from .args import UsageError

NO_ACTION = "animate needs --action: a name or id of Meshy's Animation Library (Walking_Woman, or 1)"


def task_args(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The options as the request takes them; a bad one is a usage error (exit 2)."""
    args = dict(params)
    try:
        if kind == "rigging" and args.get("texture_image_path"):
            path = Path(os.path.expanduser(args.pop("texture_image_path")))
            if not path.is_file():
                raise UsageError(f"The file {path} given to --texture-image-path does not exist")
            args.setdefault("texture_image_url", FileInput.image(path, png=True))
        if kind == "animations":
            if args.get("action") is None:
                raise UsageError(NO_ACTION)
            args = characters.animation_values(args)
    except ValidationError as exc:
        raise UsageError(exc.message.replace("action_id", "--action")) from None
    return args


def animation_key(params: dict[str, Any]) -> tuple[str, str]:
    """(asset key, name) of ``animate``'s one asset: the rig and the action, so another action is another asset."""
    rig = str(params.get("rig_task_id") or "")
    if not rig:
        raise UsageError("animate needs --rig-task-id: the id of a finished rigging task")
    try:
        action = characters.action_id(params)
    except ValidationError as exc:
        raise UsageError(exc.message) from None
    if action is None:
        raise UsageError(NO_ACTION)
    found = animation_library.action(action)
    return f"task:{rig}#action:{action}", f"{rig[:12]}_{found.name if found else f'action_{action}'}"
