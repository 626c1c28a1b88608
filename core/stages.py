"""Text to 3D's two stages as every layer names them: which stage a job is, what links the two, names from words.

A preview and its refine are two tasks of one kind (``text-to-3d``); what tells
them apart here is the request's ``mode`` (in a job's ``meta["settings"]``, and
in the ``meshy_settings`` of a result object), and what links them is the
refine's ``preview_task_id`` (in its meta, on its objects). A preview sent with
``refine=True`` carries the refine's request under ``THEN`` until the service
chains it (``service/chains.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

KIND = "text-to-3d"
PREVIEW, REFINE = "preview", "refine"
#: A preview job's meta key: the refine request to chain on it once it has succeeded.
THEN = "then_refine"
#: The words a label from a prompt leaves out.
_SMALL = frozenset({"a", "an", "the", "of", "with", "and", "in", "on", "for", "to", "very", "some"})


def stage_of(kind: str, meta: Mapping[str, Any] | None) -> str:
    """``preview`` or ``refine`` for a text-to-3d job (from its meta), ``""`` for any other kind."""
    if kind != KIND:
        return ""
    meta = meta or {}
    settings = meta.get("settings") if isinstance(meta.get("settings"), Mapping) else {}
    if settings.get("mode") == REFINE or meta.get("preview_task_id"):
        return REFINE
    return PREVIEW


def preview_of(meta: Mapping[str, Any] | None) -> str:
    """The preview task a refine job textures ("" when unknown or not a refine)."""
    value = (meta or {}).get("preview_task_id")
    return value if isinstance(value, str) else ""


def chains_refine(meta: Mapping[str, Any] | None) -> bool:
    """Was this preview sent with ``refine=True`` (its refine is chained by the service)?"""
    return isinstance((meta or {}).get(THEN), Mapping)


def prompt_label(prompt: str, *, words: int = 4, limit: int = 40) -> str:
    """A short name from a prompt: its first content words, capitalised ("a red mushroom" -> "Red Mushroom")."""
    found = [w for w in re.findall(r"[^\W_]+", prompt or "") if w.lower() not in _SMALL]
    label = " ".join(w[:1].upper() + w[1:] for w in found[:words])
    return label[:limit].strip() or "Meshy"
