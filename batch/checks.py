"""The command line's own words: every refusal names the flag the user typed, not the API field.

The request models speak the API (``target_polycount must be between 100 and
300,000``); the command line speaks flags (``--target-polycount must be ...``).
The parameter table (``core/params.py``) knows each field's flag and which
file options fill it, so the translation is made from it, once, here: a field
is named by the flag the user typed for it, else by the file option that
fills it (``--style-image-path`` for ``image_style_url``), else by its own
flag; a field that only a positional input fills is "the input file". Pure
Python (no bpy), so tier 1 checks every sentence.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from ..client.errors import ValidationError
from ..core.params import PARAMS
from ..core.requests import build_request
from ..core.settings import Settings
from . import sources
from .args import UsageError

#: The field a positional input fills, per kind.
POSITIONAL = {"remesh": "model_url", "retexture": "model_url", "image-to-3d": "image_url",
              "image-to-image": "reference_image_urls", "rigging": "model_url"}  # animate takes no input file
#: Stand-ins for the inputs, so the checks that need one (a style for retexture) run before any file is read.
_PROBES: dict[str, dict[str, Any]] = {
    "remesh": {"model_url": "https://probe.invalid/model.glb"},
    "retexture": {"model_url": "https://probe.invalid/model.glb"},
    "image-to-3d": {"image_url": "https://probe.invalid/image.png"},
    "image-to-image": {"reference_image_urls": ["https://probe.invalid/image.png"]},
    "rigging": {"model_url": "https://probe.invalid/model.glb"},
    "animations": {},  # its one input is --rig-task-id, checked as given
}
POSITIONAL.update(sources.POSITIONAL)  # text-to-3d, multi-image-to-3d, text-to-image: prompts and views


@cache
def _candidates(kind: str) -> dict[str, tuple[tuple[str, str, bool], ...]]:
    """API field -> (option name, flag, fills from a file) for every CLI option that sets it."""
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for p in PARAMS[kind]:
        if not p.cli or p.role == "option":
            continue
        field = p.fills if p.role == "input" else p.name
        found.setdefault(field, []).append((p.name, p.flag, p.role == "input"))
    return {field: tuple(items) for field, items in found.items()}


def flag_words(kind: str, given: Iterable[str] = (), *, positional: bool = True) -> dict[str, str]:
    """API field -> how the command line names it (see the module's docstring)."""
    given = set(given)
    words: dict[str, str] = {}
    for field, items in _candidates(kind).items():
        typed = [flag for name, flag, _ in items if name in given]
        if typed:
            words[field] = typed[0]
        elif positional and field == POSITIONAL.get(kind):
            words[field] = "the input file"
        else:
            words[field] = max(items, key=lambda item: item[2])[1]  # a file option before a URL
    if positional and kind in POSITIONAL and POSITIONAL[kind] not in words:
        words[POSITIONAL[kind]] = "the input file"
    for p in PARAMS[kind]:  # fields with no option of their own keep their name as a flag would say it
        words.setdefault(p.name, p.flag)
    return words


def in_flags(message: str, kind: str, given: Iterable[str] = (), *, positional: bool = True) -> str:
    """``message`` with every API field of ``kind`` named as the command line names it; one sentence."""
    words = flag_words(kind, given, positional=positional)
    names = sorted(words, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(\[\d+\])?(?![\w-])")
    text = pattern.sub(lambda m: words[m.group(1)] + (m.group(2) or ""), message.strip())
    if text and text[0].islower() and not text.startswith("--"):
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def check_args(kind: str, args: Mapping[str, Any], explicit: bool, settings: Settings,
               given: Iterable[str] = ()) -> None:
    """Refuse a bad option (exit 2) before anything is planned or sent, in the command line's words.

    With input files the inputs exist only later, so stand-ins take their
    place: the checks that need an input (retexture's style) run now too.
    """
    probe = dict(args) if explicit else {**args, **_probe(kind, args)}
    try:
        build_request(kind, probe, settings, require_input=True)
        sources.check_refine(kind, args, settings)
    except ValidationError as exc:
        raise UsageError(in_flags(exc.message, kind, given, positional=not explicit)) from None


def _probe(kind: str, args: Mapping[str, Any]) -> dict[str, Any]:
    if kind in sources.KINDS:
        return sources.probe(kind, args)
    probe = dict(_PROBES[kind])
    if kind == "image-to-image":
        probe["reference_image_urls"] = [*probe["reference_image_urls"], *(args.get("reference_image_urls") or [])]
    return probe


def check_library(folder: Path | None) -> None:
    """``--asset-library DIR``: a folder (made if missing) where the library .blend can be written."""
    if folder is None:
        return
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--asset-library {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--asset-library {folder}: the folder cannot be made ({exc.strerror or exc})") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--asset-library {folder}: the folder cannot be written to")
