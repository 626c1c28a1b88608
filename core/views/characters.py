"""The Rig and Animate panels: why Run is disabled, the character selected and its height, the rig selected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def character_blocker(kind: str, values: Mapping[str, Any], *, selected_meshes: int, selected_rigs: int) -> str:
    """Rig needs a mesh character (or a task id or URL); Animate a Meshy rig (or its task id) and an action."""
    if kind == "rigging":
        given = values.get("input_task_id") or values.get("model_url")
        return "" if given or selected_meshes else "Select a mesh character"
    if not (values.get("rig_task_id") or selected_rigs):
        return "Select a Meshy rig"
    if not (str(values.get("action") or "").strip() or values.get("action_id") is not None):
        return "Choose an action from the Animation Library"
    return ""


def selection_text(meshes: list[tuple[str, float]]) -> str:
    """``Selection: Hero, 1.02 m tall`` (the height as it stands in the scene; Height sets the rig's)."""
    if not meshes:
        return "Selection: no mesh character"
    name, height = meshes[0]
    if len(meshes) > 1:
        return f"Selection: {name} and {len(meshes) - 1} more"
    return f"Selection: {name}, {height:.2f} m tall"


def rig_text(rigs: list[tuple[str, int]]) -> tuple[str, str]:
    """(line, icon) for the selected Meshy rigs: name and how many clips it has."""
    if not rigs:
        return "Rig: select a Meshy rig (or its mesh)", "ERROR"
    name, clips = rigs[0]
    if len(rigs) > 1:
        return f"Rigs: {name} and {len(rigs) - 1} more", "ARMATURE_DATA"
    return f"Rig: {name}, clips: {clips}", "ARMATURE_DATA"
