"""Results as assets, without bpy: a catalog per kind, Blender's catalog file, and what an asset says.

Blender keeps an asset library's catalogs in ``blender_assets.cats.txt`` at
the library's root: comment lines (``#``), one ``VERSION 1`` line, then one
``uuid:catalog/path:simple name`` line per catalog. Each Meshy kind has one
catalog whose UUID is derived from the kind's name, so every run, every
machine and every library agree on it and a merge never adds it twice. The
file on disk is hostile: lines that are neither comments nor catalogs are
dropped, never fatal; the user's own catalogs and comments are kept as they
were. The description and tags come from the task's recorded settings.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .params import TITLES, has

CATS_FILE = "blender_assets.cats.txt"
LIBRARY_FILE = "meshy_results.blend"
ROOT = "Meshy"
AUTHOR = "Meshy"
#: Fixed forever: the catalogs' UUIDs are uuid5(NAMESPACE, "meshy_tools/<kind>").
NAMESPACE = uuid.UUID("6f1c5d2e-5a0b-4f43-9c7e-3b8e2d4a9f10")
VERSION_LINE = "VERSION 1"
HEADER = (
    "# This is an Asset Catalog Definition file for Blender.",
    "#",
    "# Empty lines and lines starting with `#` will be ignored.",
    "# The first non-ignored line should be the version indicator.",
    '# Other lines are of the format "UUID:catalog/path/for/assets:simple catalog name"',
)
MAX_READ = 4 * 1024 * 1024  # a catalog file is a few KB; more than this is not read past
MAX_LINE = 4096
MAX_DESCRIPTION = 2000
MAX_TAG = 64
#: Settings that hold the words a result was made from (the first one set goes into the description).
PROMPT_KEYS = ("prompt", "text_style_prompt", "texture_prompt", "object_prompt", "style_prompt")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_VERSION = re.compile(r"VERSION\s+\d+")


@dataclass(frozen=True)
class Catalog:
    """One catalog line: ``uuid:path:simple_name``."""

    uuid: str
    path: str
    simple_name: str

    def line(self) -> str:
        return f"{self.uuid}:{self.path}:{self.simple_name}"


def title(kind: str) -> str:
    """The kind as the sidebar names it (``Image to 3D``); a kind without a title keeps its id."""
    return TITLES.get(kind) or str(kind)


def catalog_for(kind: str) -> Catalog:
    """The catalog of a kind's results: ``Meshy/Image to 3D``, the same UUID everywhere."""
    path = f"{ROOT}/{_clean(title(kind)).replace(':', ' ').replace('/', ' ')}"
    return Catalog(str(uuid.uuid5(NAMESPACE, f"meshy_tools/{kind}")), path, path.replace("/", "-"))


def root_catalog() -> Catalog:
    """``Meshy``: the parent of every kind's catalog (Blender would make it up anyway; written, it is ours)."""
    return Catalog(str(uuid.uuid5(NAMESPACE, "meshy_tools")), ROOT, ROOT)


def catalogs_for(kinds: Iterable[str]) -> list[Catalog]:
    """The root catalog, then one per kind (each once, in order)."""
    out = [root_catalog()]
    for kind in kinds:
        if (c := catalog_for(kind)) not in out:
            out.append(c)
    return out


def parse_line(line: str) -> Catalog | None:
    """A catalog line as Blender writes it, or None for anything else (comment, version, garbage)."""
    parts = line.split(":", 2)
    if len(parts) < 2 or not parts[1].strip():
        return None
    try:
        ident = uuid.UUID(parts[0].strip())
    except ValueError:
        return None
    return Catalog(str(ident), parts[1].strip(), parts[2].strip() if len(parts) > 2 else "")


def merge(existing: str, catalogs: Iterable[Catalog]) -> str:
    """The catalog file's text with ``catalogs`` added: nothing duplicated, the user's lines kept in order.

    Kept from ``existing``: comments, blank lines, the first ``VERSION`` line and
    valid catalog lines (the first of each UUID). Dropped: a repeated
    ``VERSION`` line, lines too long or holding control characters, anything
    else that is not a catalog. A file without a version line gets one before
    its first catalog (Blender reads no catalog without it).
    """
    out: list[str] = []
    seen: set[str] = set()
    versioned = False
    for raw in existing.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if len(line) > MAX_LINE or _CONTROL.search(line.replace("\t", " ")):
            continue
        if not stripped or stripped.startswith("#"):
            out.append(line)
        elif _VERSION.fullmatch(stripped):
            if not versioned:
                versioned = True
                out.append(stripped)
        elif (entry := parse_line(stripped)) is not None and entry.uuid not in seen:
            if not versioned:
                versioned = True
                out.append(VERSION_LINE)
            seen.add(entry.uuid)
            out.append(stripped)
    if not any(line.strip() for line in out):
        out = [*HEADER, ""]
    while out and not out[-1].strip():
        out.pop()
    if not versioned:
        out += ["", VERSION_LINE]
    if _VERSION.fullmatch(out[-1]):
        out.append("")
    for catalog in catalogs:
        if catalog.uuid not in seen:
            seen.add(catalog.uuid)
            out.append(catalog.line())
    return "\n".join(out) + "\n"


def catalog_ids(text: str) -> set[str]:
    """The UUIDs of the catalogs a catalog file's text defines."""
    return {c.uuid for c in map(parse_line, (line.strip() for line in text.splitlines())) if c is not None}


def read_text(path: Path) -> str:
    """A catalog file's text, read as hostile: capped, undecodable bytes replaced; "" when missing."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_READ)
    except FileNotFoundError:
        return ""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    if len(data) == MAX_READ:  # cut mid-line: the last, partial line is not trusted
        text = text.rsplit("\n", 1)[0]
    return text


def write_catalogs(folder: Path, kinds: Iterable[str]) -> Path:
    """Add the kinds' catalogs to ``folder/blender_assets.cats.txt`` (atomically); returns its path."""
    folder = Path(folder)
    path = folder / CATS_FILE
    existing = read_text(path)
    text = merge(existing, catalogs_for(kinds))
    if text == existing:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{CATS_FILE}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def prompt_of(settings: Mapping[str, Any]) -> str:
    """The words the result was made from, if any."""
    for key in PROMPT_KEYS:
        value = settings.get(key)
        if isinstance(value, str) and value.strip():
            return _clean(value)
    return ""


def description(kind: str, task_id: str, settings: Mapping[str, Any]) -> str:
    """The asset's description: its prompt (if any), then which Meshy task made it."""
    made = f"Meshy {title(kind)}, task {_clean(str(task_id))}"
    prompt = prompt_of(settings)
    text = f"{prompt}\n{made}" if prompt else made
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - len(made) - 2] + "…\n" + made


def tags(kind: str, settings: Mapping[str, Any]) -> list[str]:
    """``meshy``, the kind, the AI model and the topology, each once.

    The model is the one the request named; a kind that takes one but was sent
    none ran on Meshy's default, which the API calls ``latest``.
    """
    model = settings.get("ai_model") or ("latest" if has(kind, "ai_model") else None)
    values = ["meshy", kind, model, settings.get("topology")]
    out: list[str] = []
    for value in values:
        if isinstance(value, str) and (tag := _clean(value)[:MAX_TAG]) and tag not in out:
            out.append(tag)
    return out


def _clean(text: str) -> str:
    """One line of plain text: control characters become spaces, runs of spaces one."""
    return " ".join(_CONTROL.sub(" ", text).split())
