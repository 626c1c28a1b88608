"""Requests for characters: auto-rigging (a skeleton and skin for a humanoid model) and animation.

Rigging takes a SUCCEEDED model task or a GLB (GLB only), an optional height and an optional
PNG base colour; animation takes a SUCCEEDED rigging task and an action id of Meshy's Animation
Library (``client.animation_library``), optionally post-processed (a frame rate, USDZ, the
armature alone).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import ValidationError
from ..kinds import Kind
from ..uploads import FileInput
from .base import _check_source, _check_task_id, _check_type, _Request, _require_one

DEFAULT_HEIGHT_METERS = 1.7
POST_PROCESS_OPERATIONS = ("change_fps", "fbx2usdz", "extract_armature")
FPS_CHOICES = (24, 25, 30, 60)


@dataclass
class RiggingRequest(_Request):
    """Rig a humanoid (bipedal) character: ``input_task_id`` of a model task, or ``model_url`` (GLB)."""

    KIND: ClassVar[Kind] = Kind.RIGGING

    input_task_id: str | None = None
    model_url: str | FileInput | None = None
    height_meters: float | None = None
    texture_image_url: str | FileInput | None = None

    def _validate(self, require_input: bool = True) -> None:
        # Meshy does not say which wins when both are given: the add-on never sends both.
        _require_one("input_task_id", self.input_task_id, "model_url", self.model_url, both_ok=False,
                     required=require_input)
        if self.input_task_id is not None:
            _check_task_id("input_task_id", self.input_task_id)
        if self.model_url is not None:
            _check_source("model_url", self.model_url, "model", exts=(".glb",))
        if self.height_meters is not None:
            _check_type("height_meters", self.height_meters, (int, float))
            if not math.isfinite(self.height_meters) or self.height_meters <= 0:
                raise ValidationError(f"height_meters must be the character's height in metres, above 0, "
                                      f"not {self.height_meters}", "height_meters")
        if self.texture_image_url is not None:
            _check_source("texture_image_url", self.texture_image_url, "image", exts=(".png",))


def post_process(operation_type: str | None, fps: int | None = None) -> dict[str, Any] | None:
    """The ``post_process`` object for an operation (None: no post-processing), as the API spells it."""
    if not operation_type:
        return None
    return {"operation_type": operation_type, **({"fps": fps} if fps is not None else {})}


@dataclass
class AnimationRequest(_Request):
    """Play the Animation Library's ``action_id`` on the character of the SUCCEEDED rigging ``rig_task_id``."""

    KIND: ClassVar[Kind] = Kind.ANIMATION

    rig_task_id: str | None = None
    action_id: int | None = None
    post_process: dict[str, Any] | None = None

    def _validate(self, require_input: bool = True) -> None:
        if self.rig_task_id is not None:
            _check_task_id("rig_task_id", self.rig_task_id)
        elif require_input:
            raise ValidationError("rig_task_id is required for an animation: the id of a finished rigging task",
                                  "rig_task_id")
        if self.action_id is None:
            raise ValidationError("action_id is required for an animation: an id of Meshy's Animation Library",
                                  "action_id")
        if isinstance(self.action_id, bool) or not isinstance(self.action_id, int) or self.action_id < 0:
            raise ValidationError(f"action_id must be a whole number from 0 up (an id of Meshy's Animation "
                                  f"Library), not {self.action_id!r}", "action_id")
        if self.post_process is not None:
            _check_post_process(self.post_process)


def _check_post_process(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError(f"post_process must be an object with operation_type (and fps), not "
                              f"{type(value).__name__}", "post_process")
    extra = sorted(str(k) for k in value if k not in ("operation_type", "fps"))
    if extra:
        raise ValidationError(f"post_process takes only operation_type and fps, not {', '.join(extra)}",
                              "post_process")
    operation, fps = value.get("operation_type"), value.get("fps")
    if operation is None:
        raise ValidationError("post_process.operation_type is required: one of "
                              f"{', '.join(POST_PROCESS_OPERATIONS)}", "post_process.operation_type")
    if not isinstance(operation, str) or operation not in POST_PROCESS_OPERATIONS:
        raise ValidationError(f"post_process.operation_type must be one of {', '.join(POST_PROCESS_OPERATIONS)}, "
                              f"not {operation!r}", "post_process.operation_type")
    if operation != "change_fps":
        if fps is not None:
            raise ValidationError(f"post_process.fps goes only with change_fps, not with {operation}",
                                  "post_process.fps")
        return
    if fps is None:
        raise ValidationError("post_process.fps is required with change_fps: 24, 25, 30 or 60", "post_process.fps")
    if isinstance(fps, bool) or not isinstance(fps, int) or fps not in FPS_CHOICES:
        raise ValidationError(f"post_process.fps must be 24, 25, 30 or 60, not {fps!r}", "post_process.fps")
