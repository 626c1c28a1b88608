"""The operation panels' cost line and Run button: estimated credits, why Run is disabled.

``values`` are a kind's sidebar options as API values (``properties.scene_values``);
only options that differ from the table's defaults are sent, so the model of a
run is the sidebar's when changed, else the preferences' (``core.requests``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...client.pricing import estimate_credits
from .. import messages
from ..params import MODEL_KINDS, TITLES, has, param
from ..requests import effective_ai_model
from ..settings import Settings
from . import kinds_more
from .characters import character_blocker


@dataclass(frozen=True)
class RunView:
    """The cost line and the Run button's state."""

    cost_text: str
    enough: bool
    blocker: str
    tasks: int
    credits: int
    top_up: str = ""  # the 402 sentence with numbers, when the balance is short


def chosen_model(kind: str, values: Mapping[str, Any]) -> str | None:
    """The sidebar's model when it differs from the table's default (only then is it sent)."""
    if not has(kind, "ai_model"):
        return None
    value = values.get("ai_model")
    return value if value and value != param(kind, "ai_model").default else None


def task_count(kind: str, values: Mapping[str, Any], selected_meshes: int, selected_rigs: int = 0) -> int:
    """How many tasks one run makes: one per selected mesh for the kinds that take a model (per rig to animate)."""
    if kind in MODEL_KINDS and not (values.get("input_task_id") or values.get("model_url")):
        return selected_meshes
    if kind == "animations" and not values.get("rig_task_id"):
        return selected_rigs
    return 1


def estimate(kind: str, values: Mapping[str, Any], selected_meshes: int, settings: Settings,
             selected_rigs: int = 0) -> int:
    """Estimated credits of one run from the documented prices."""
    payload = {**values, "ai_model": effective_ai_model(kind, chosen_model(kind, values), settings)}
    own = estimate_credits(kind, payload) + kinds_more.extra_credits(kind, values, payload)  # + a chained refine
    return own * task_count(kind, values, selected_meshes, selected_rigs)


def image_given(values: Mapping[str, Any]) -> bool:
    return bool(values.get("image_path") or values.get("image_name") or values.get("use_render")
                or values.get("image_url") or values.get("input_task_id"))


def blocker(kind: str, values: Mapping[str, Any], *, selected_meshes: int, online: bool, has_key: bool,
            selected_rigs: int = 0) -> str:
    """Why the Run button is disabled, or ``""`` when it can run."""
    if not online:
        return "Online access is off (see Account)"
    if not has_key:
        return "Set your Meshy API key in the preferences"
    if kind in ("rigging", "animations"):
        return character_blocker(kind, values, selected_meshes=selected_meshes, selected_rigs=selected_rigs)
    if kind in MODEL_KINDS and not (values.get("input_task_id") or values.get("model_url")) and not selected_meshes:
        return f"Select a mesh object to {TITLES[kind].lower()}"
    if kind == "retexture" and not (values.get("text_style_prompt") or values.get("image_style_url")
                                    or values.get("style_image_path") or values.get("style_image_name")):
        return "Describe the texture or pick a style image"
    if kind == "image-to-3d" and not image_given(values):
        return "Choose an image: file, Blender image or render"
    if kind == "image-to-image":
        if not str(values.get("prompt") or "").strip():
            return "Write a prompt"
        if not (image_given(values) or values.get("reference_image_paths") or values.get("reference_image_urls")):
            return "Add a reference image"
    if kind in kinds_more.KINDS:
        return kinds_more.blocker(kind, values)
    return ""


def run_view(kind: str, values: Mapping[str, Any], *, selected_meshes: int, settings: Settings, online: bool,
             balance: int | None, selected_rigs: int = 0) -> RunView:
    credits = estimate(kind, values, selected_meshes, settings, selected_rigs)
    tasks = task_count(kind, values, selected_meshes, selected_rigs)
    per = f" ({tasks} tasks)" if tasks > 1 else ""
    have = f"{balance:,} left" if balance is not None else "balance unknown"
    enough = balance is None or credits <= balance
    reason = blocker(kind, values, selected_meshes=selected_meshes, online=online, has_key=bool(settings.api_key),
                     selected_rigs=selected_rigs)
    if not reason and kind in kinds_more.KINDS:  # an option Meshy would refuse, in its own sentence
        reason = kinds_more.option_problem(kind, values, settings)
    return RunView(f"≈ {credits} credits{per} · {have}", enough, reason, tasks, credits,
                   "" if enough else messages.top_up_hint(balance, credits))


def selection_text(mesh_names: list[str]) -> str:
    if not mesh_names:
        return "Selection: no mesh object"
    more = f" and {len(mesh_names) - 1} more" if len(mesh_names) > 1 else ""
    return f"Selection: {mesh_names[0]}{more}"
