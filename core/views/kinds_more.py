"""Text to 3D, Multi-Image to 3D and Text to Image in the view-models: Run's blockers, costs, stages of rows.

``operations`` asks here what its own rules leave open for these kinds: why
Run is disabled (no prompt, no views, or an option Meshy would refuse, said
in the request model's own sentence), what a run costs (a preview, plus the
refine chained on it), and ``tasks``/``history`` how a text-to-3d row names
its stage and its link to the other one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...client.errors import ValidationError
from ...client.models import MAX_MULTI_IMAGES
from ...client.pricing import estimate_credits
from ..params import PARAMS, Param
from ..requests import check_values
from ..settings import Settings
from ..stages import KIND, PREVIEW, REFINE, chains_refine, preview_of, stage_of
from ..states import JobState

KINDS = ("text-to-3d", "multi-image-to-3d", "text-to-image")
#: The file a task row shows for kinds without a thumbnail of their own (their first picture).
THUMBNAIL = {"image-to-image": "image_0", "text-to-image": "image_0"}
#: States in which a preview can be refined from its row (Meshy has it finished).
REFINABLE = frozenset({JobState.SUCCEEDED, JobState.IMPORTED})
_REFINE_NAMES = frozenset(p.name for p in PARAMS["text-to-3d-refine"])


def blocker(kind: str, values: Mapping[str, Any]) -> str:
    """Why Run is disabled for one of these kinds ("" when it can run), inputs first."""
    if kind in ("text-to-3d", "text-to-image") and not str(values.get("prompt") or "").strip():
        return "Write a prompt"
    if kind == "multi-image-to-3d" and not values.get("input_task_id"):
        count = sum(len(values.get(n) or ()) for n in ("image_paths", "image_names", "image_urls"))
        if count == 0:
            return "Add 1 to 4 views: image files or Blender images"
        if count > MAX_MULTI_IMAGES:
            return f"Multi-Image to 3D takes 1 to {MAX_MULTI_IMAGES} images; {count} are listed"
    return ""


def sent_values(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The sidebar's options that differ from the table's defaults: what its Run sends."""
    return {p.name: values[p.name] for p in PARAMS[kind] if p.name in values and not _default(p, values[p.name])}


def _default(p: Param, value: Any) -> bool:
    if p.type == "enumset":
        return set(value or ()) == set(p.default)
    if p.type in {"files", "urls"}:
        return not value
    return value == p.default


def option_problem(kind: str, values: Mapping[str, Any], settings: Settings) -> str:
    """The sentence Meshy's rules give the options the sidebar would send ("" when they are fine)."""
    sent = sent_values(kind, values)
    try:
        check_values(kind, sent, settings)
        if kind == KIND and sent.get("refine"):
            check_values("text-to-3d-refine", {k: v for k, v in sent.items() if k in _REFINE_NAMES}, settings)
    except ValidationError as exc:
        return exc.message
    return ""


def extra_credits(kind: str, values: Mapping[str, Any], payload: Mapping[str, Any]) -> int:
    """Credits beyond the kind's own request: Text to 3D's chained refine."""
    if kind == KIND and values.get("refine"):
        return estimate_credits(KIND, {**payload, "mode": REFINE})
    return 0


# ----------------------------------------------------------------------------- rows: stages and their links


def stage_title(kind: str, stage: str, title: str) -> str:
    """``Text to 3D · Preview`` / ``Text to 3D · Refine``; other kinds keep their title."""
    return f"{title} · {stage.title()}" if stage else title


def row_stage(kind: str, meta: Mapping[str, Any] | None) -> tuple[str, str]:
    """(stage, the line that links it to the other stage) for a task row."""
    stage = stage_of(kind, meta)
    if stage == REFINE:
        preview = preview_of(meta)
        return stage, f"Refines preview {preview[:8]}" if preview else "Refines a preview"
    if stage == PREVIEW and chains_refine(meta):
        return stage, "Refine chained on it"
    return stage, ""


def can_refine(kind: str, meta: Mapping[str, Any] | None, state: str, task_id: str) -> bool:
    """A preview finished on Meshy and not sent with its own refine: the row offers Refine."""
    return (stage_of(kind, meta) == PREVIEW and bool(task_id) and state in REFINABLE
            and not chains_refine(meta))


def history_stage(task: Any) -> tuple[str, str]:
    """(stage, preview task id) of a listed text-to-3d task, from its ``type`` and fields."""
    kind_type = task.get("type") if isinstance(task.get("type"), str) else ""
    preview = task.get("preview_task_id") if isinstance(task.get("preview_task_id"), str) else ""
    if kind_type.endswith("refine") or preview:
        return REFINE, preview
    if kind_type.endswith("preview") or kind_type == KIND:
        return PREVIEW, ""
    return "", ""
