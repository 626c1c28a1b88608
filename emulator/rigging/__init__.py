"""Real outputs for Meshy's Auto-Rigging and Animation APIs, made by Blender in a child process.

```python
from emulator.rigging import rig_character, animate, ANIMATIONS
files = rig_character(model_glb, height_meters=1.7, texture_png=None, timeout=120)
files = animate(files["rigged_character.glb"], action_id=22, fps=None, operation=None, timeout=120)
```

Both return {file name: bytes}. Both raise ValueError for arguments the emulator should have
refused with a 400, and BlenderJobError (a RuntimeError) with one sentence when the work
cannot be done: bpy not importable in the interpreter used (see runner.py), a model that is
not a GLB or has no mesh, a rig without an armature, the timeout. The emulator turns that
into a FAILED task. bpy is never imported in this process.
"""

from __future__ import annotations

import math
import os

from .library import ANIMATIONS, CONFIRMED, lookup
from .runner import BlenderJobError, run_job

__all__ = ["ANIMATIONS", "CONFIRMED", "BlenderJobError", "RIG_FILES", "animate", "rig_character"]

RIG_FILES = ("rigged_character.glb", "rigged_character.fbx",
             "walking.glb", "walking.fbx", "walking_armature.glb",
             "running.glb", "running.fbx", "running_armature.glb")
ANIMATION_FILES = ("animation.glb", "animation.fbx", "processed_animation_fps.fbx",
                   "processed_armature.fbx", "processed.usdz")
OPERATIONS = ("change_fps", "fbx2usdz", "extract_armature")
FPS_CHOICES = (24, 25, 30, 60)
HEAT_MAX_VERTICES = 60_000
BASIC_CLIPS = ({"file": "walking", "name": "Walking", "family": "walk"},
               {"file": "running", "name": "Running", "family": "run"})


def rig_character(model_glb: bytes, height_meters: float = 1.7, texture_png: bytes | None = None,
                  timeout: float = 120) -> dict[str, bytes]:
    """Rig a standing character and make its walking and running clips (RIG_FILES).

    The model is taken as Meshy's characters come: glTF +Y up, facing +Z (Blender: -Y), left
    on +X. It is scaled to `height_meters` with its feet on the ground and its origin between
    them, given a 22-bone Mixamo-named skeleton fitted to its silhouette (Hips, Spine, Spine1,
    Spine2, Neck, Head, Left/Right Shoulder, Arm, ForeArm, Hand, UpLeg, Leg, Foot, ToeBase) and
    skinned with Blender's automatic weights (nearest-bone weights where those fail, and for
    meshes over MESHY_EMULATOR_HEAT_MAX_VERTICES vertices, default 60,000).
    `texture_png` becomes the base colour of every material. Clips are 30 fps, in place.
    """
    if not isinstance(model_glb, (bytes, bytearray)) or not model_glb:
        raise ValueError("model_glb must be the non-empty bytes of a GLB")
    if not isinstance(height_meters, (int, float)) or not math.isfinite(height_meters) or height_meters <= 0:
        raise ValueError("height_meters must be a positive number")
    job = {"mode": "rig", "height": float(height_meters), "fps": 30, "clips": list(BASIC_CLIPS),
           "heat_max_vertices": _heat_max_vertices()}
    inputs = {"model.glb": bytes(model_glb), "texture.png": bytes(texture_png) if texture_png else None}
    return run_job(job, inputs, RIG_FILES, timeout, "Rigging")


def _heat_max_vertices() -> int:
    """Above this many vertices heat weighting is skipped for nearest-bone weights (it gets slow):
    env MESHY_EMULATOR_HEAT_MAX_VERTICES, default 60,000."""
    try:
        return max(0, int(os.environ.get("MESHY_EMULATOR_HEAT_MAX_VERTICES", HEAT_MAX_VERTICES)))
    except ValueError:
        return HEAT_MAX_VERTICES


def animate(rigged_glb: bytes, action_id: int, *, fps: int | None = None, operation: str | None = None,
            timeout: float = 120) -> dict[str, bytes]:
    """The rigged character (rig_character's GLB) with the clip of `action_id`'s family.

    Returns animation.glb and animation.fbx (30 fps) and, per `operation`:
    processed_animation_fps.fbx ("change_fps", resampled at `fps`: 24, 25, 30 or 60; `fps`
    alone implies it), processed_armature.fbx ("extract_armature": the armature and clip only)
    or processed.usdz ("fbx2usdz", only where this Blender has its USD exporter).
    Ids not in ANIMATIONS get the generic motion.
    """
    if not isinstance(rigged_glb, (bytes, bytearray)) or not rigged_glb:
        raise ValueError("rigged_glb must be the non-empty bytes of a GLB")
    name, family = lookup(action_id)
    if fps is not None and operation is None:
        operation = "change_fps"
    if operation is not None and operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {', '.join(OPERATIONS)}")
    if operation == "change_fps" and fps not in FPS_CHOICES:
        raise ValueError("change_fps needs fps 24, 25, 30 or 60")
    job = {"mode": "animate", "name": name, "family": family, "operation": operation, "fps": fps}
    return run_job(job, {"model.glb": bytes(rigged_glb)}, ANIMATION_FILES, timeout, "Animation")
