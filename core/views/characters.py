"""The Rig and Animate panels' lines: the character selected and its height, the rig selected."""

from __future__ import annotations


def selection_text(meshes: list[tuple[str, float]]) -> str:
    """``Selection: Hero, 1.02 m tall`` (the height as it stands in the scene; Height sets the rig's)."""
    if not meshes:
        return "Selection: no mesh character"
    name, height = meshes[0]
    more = f" and {len(meshes) - 1} more" if len(meshes) > 1 else f", {height:.2f} m tall"
    return f"Selection: {name}{more}"


def rig_text(rigs: list[tuple[str, int]]) -> tuple[str, str]:
    """(line, icon) for the selected Meshy rigs: name and how many clips it has."""
    if not rigs:
        return "Rig: select a Meshy rig (or its mesh)", "ERROR"
    name, clips = rigs[0]
    if len(rigs) > 1:
        return f"Rigs: {name} and {len(rigs) - 1} more", "ARMATURE_DATA"
    return f"Rig: {name}, {clips} clip{'s' if clips != 1 else ''}", "ARMATURE_DATA"
