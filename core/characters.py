"""Rig and Animate's own rules, for the operators, the sidebar and the batch alike (no bpy).

An animation is chosen by the name Meshy's Animation Library gives it
(``client/animation_library.py``); scripts may give ``action_id`` instead, which
wins. Post-processing comes as two flat values (an operation and a frame rate,
what a sidebar and a command line can hold) and is sent as Meshy's one
``post_process`` object. Rigging refuses a model over Meshy's face limit before
anything is exported or sent.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from ..client import animation_library as library
from ..client.errors import ValidationError
from ..client.models import post_process

#: Meshy rigs models of at most this many faces (triangles, as the GLB carries them).
MAX_RIG_FACES = 300_000
#: The rate Meshy's clips are sampled at; glTF stores times, not frames.
CLIP_FPS = 30
#: The basic clips a rigging task comes with, in the order they are put on the armature (the first plays).
CLIPS = (("walking", "Walking"), ("running", "Running"))
#: Values made into others before sending (``core/params.py``): the action's name, the frame rate.
DERIVED = ("action", "fps")
UNCONFIRMED = "from a public copy of Meshy's list; Meshy may have renamed or renumbered it"


def action_id(values: Mapping[str, Any]) -> int | None:
    """The ``action_id`` of what the caller set: ``action_id`` itself, else the Action's name (or id) resolved."""
    if values.get("action_id") is not None:
        return values["action_id"]
    name = str(values.get("action") or "").strip()
    return resolve(name) if name else None


def resolve(name: str) -> int:
    """An action id from a name or an id; an unknown name is one sentence naming the closest ones."""
    try:
        return library.resolve(name)
    except ValidationError:
        near = ", ".join(close_names(name))
        if near:
            raise ValidationError(f"Meshy's Animation Library has no action named {name!r} (did you mean {near}?)",
                                  "action_id") from None
        raise ValidationError(f"Meshy's Animation Library has no action named {name!r}; give its action id instead",
                              "action_id") from None


def close_names(text: str, limit: int = 3) -> list[str]:
    """Library names that hold every word typed, else those spelt most like it (a typo, a missing word)."""
    found = [a.name for a in library.search(text, limit)]
    if found:
        return found
    names = {_key(a.name): a.name for a in library.actions()}
    return [names[k] for k in difflib.get_close_matches(_key(text), list(names), n=limit, cutoff=0.6)]


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", text.strip()).lower()


def animation_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The caller's values with ``action_id`` and ``post_process`` made from the derived ones.

    An unknown action name raises one sentence with the nearest names. A frame
    rate goes with Change FPS only; given alone, it asks for Change FPS.
    """
    out = {k: v for k, v in values.items() if k not in DERIVED and k != "post_process"}
    chosen = action_id(values)
    if chosen is None:
        raise ValidationError("Choose an action of Meshy's Animation Library, by name (Walking_Woman) or by id",
                              "action_id")
    out["action_id"] = chosen
    operation = values.get("post_process") or ("change_fps" if values.get("fps") is not None else None)
    if operation:
        fps = values.get("fps", CLIP_FPS) if operation == "change_fps" else None
        out["post_process"] = post_process(operation, fps)
    return out


def suggest_actions(text: str) -> list[tuple[str, str]]:
    """(name, description) of the library's actions matching every word typed, for the Action field."""
    return [(a.name, describe(a)) for a in library.search(text or "")]


def describe(action: library.Action) -> str:
    """``WalkAndRun / Walking, id 1``, with the warning for an unconfirmed id."""
    where = f"{action.category} / {action.subcategory}, id {action.id}"
    return where if action.confirmed else f"{where} (unconfirmed: {UNCONFIRMED})"


def action_lines(value: str) -> list[tuple[str, str]]:
    """What the Animate panel says under the Action field: (sentence, icon)."""
    text = (value or "").strip()
    if not text:
        return [("Type to search Meshy's Animation Library (Walking, Idle, Attack...).", "INFO")]
    found = library.find(text)
    if found is not None:
        lines = [(f"{found.label}: {found.category} / {found.subcategory}, id {found.id}", "ANIM")]
        if not found.confirmed:
            lines.append((f"Unconfirmed id: {UNCONFIRMED}.", "ERROR"))
        return lines
    try:
        number = resolve(text)
        return [(f"Action id {number} (not named in the library copy here).", "QUESTION")]
    except ValidationError as exc:
        return [(exc.message.rstrip(".") + ".", "ERROR")]


def too_many_faces(name: str, faces: int) -> str:
    """The sentence for a model Meshy would refuse to rig ("" when it is within the limit)."""
    if faces <= MAX_RIG_FACES:
        return ""
    return (f"{name} has {faces:,} faces; Meshy rigs models of at most {MAX_RIG_FACES:,} faces "
            "(remesh it to fewer first)")
