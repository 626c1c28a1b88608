"""Meshy's Animation Library as data: an animation request's ``action_id`` by name, category and sub-category.

The rows live in ``animation_library.json`` beside this module (shipped with the add-on, read
once on first use). ``confirmed`` rows (ids 0-18, and 92 from Meshy's own usage example) are
as Meshy's own page lists them; the others come from a public mirror of that page, single-id
rows only, and may be renamed or renumbered by Meshy: the layers above mark them so. An id
that is not here may still be valid (the library is longer than any copy of it found), so
requests take any whole number; this module only names them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import ValidationError

DATA_FILE = Path(__file__).with_name("animation_library.json")
_SEPARATORS = re.compile(r"[\s_\-]+")


@dataclass(frozen=True)
class Action:
    """One animation of the library."""

    id: int
    name: str  # as Meshy spells it: ``Walking_Woman``
    category: str  # ``WalkAndRun``
    subcategory: str  # ``Walking``
    confirmed: bool  # the id and name are on Meshy's own page

    @property
    def label(self) -> str:
        """The name for people: ``Walking Woman``."""
        return _SEPARATORS.sub(" ", self.name).strip()


def _key(name: str) -> str:
    """``Walking_Woman``, ``walking woman`` and ``WALKING-woman`` are one name."""
    return _SEPARATORS.sub("_", name.strip()).lower()


@cache
def actions() -> tuple[Action, ...]:
    """Every action of the library, by id."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    rows = [Action(int(r["id"]), str(r["name"]), str(r["category"]), str(r["subcategory"]), bool(r["confirmed"]))
            for r in data["actions"]]
    return tuple(sorted(rows, key=lambda a: a.id))


@cache
def _by_id() -> dict[int, Action]:
    return {a.id: a for a in actions()}


@cache
def _by_name() -> dict[str, Action]:
    return {_key(a.name): a for a in actions()}


def action(action_id: int) -> Action | None:
    """The action with this id, or None when the library copy here does not name it."""
    return _by_id().get(action_id) if isinstance(action_id, int) and not isinstance(action_id, bool) else None


def find(name: str) -> Action | None:
    """The action of a name, case and separators aside (``Walking_Woman``, ``walking woman``), or of an id."""
    if not isinstance(name, str):
        return None
    text = name.strip()
    if text.isdigit():
        return action(int(text))
    return _by_name().get(_key(text))


def search(text: str, limit: int | None = None) -> list[Action]:
    """Actions whose name, category or sub-category holds every word of ``text`` (for a search box)."""
    words = [w for w in _key(text).split("_") if w] if isinstance(text, str) else []
    found = [a for a in actions()
             if all(w in _key(f"{a.name}_{a.category}_{a.subcategory}") for w in words)]
    return found[:limit] if limit is not None else found


def categories() -> dict[str, tuple[str, ...]]:
    """Category -> its sub-categories, in library order."""
    out: dict[str, dict[str, None]] = {}
    for a in actions():
        out.setdefault(a.category, {})[a.subcategory] = None
    return {c: tuple(subs) for c, subs in out.items()}


def resolve(value: int | str) -> int:
    """An ``action_id`` from an id or a name; a name the library does not know is one sentence."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    found = find(value) if isinstance(value, str) else None
    if found is not None:
        return found.id
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    near = ", ".join(a.name for a in search(value, 3)) if isinstance(value, str) else ""
    hint = f" (did you mean {near}?)" if near else "; give its action id instead"
    raise ValidationError(f"Meshy's Animation Library has no action named {value!r}{hint}", "action_id")
