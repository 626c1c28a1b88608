"""The parameter tables of Rig and Animate (rows as in ``core/params.py``, which adds them to its tables).

Animate's ``action`` and ``fps`` are ``derived``: the add-on turns an action's
name into ``action_id`` and a frame rate into the ``post_process`` object
before sending (``core/characters.py``).
"""

from __future__ import annotations

from . import characters
from .param import _KEEP_ORIGINAL, Param, _p

RIGGING: tuple[Param, ...] = (
    _p("input_task_id", "str", label="Input Task ID", default="", advanced=True,
       description="A finished Meshy model task to rig instead of uploading (wins over the selection)"),
    _p("model_url", "str", label="Model URL", default="", advanced=True,
       description="An http(s) URL or data URI of a .glb model (wins over the selection)"),
    _p("height_meters", "float", default=1.7, soft_min=0.1, soft_max=10.0, label="Height",
       description="The character's height in metres, above 0 (Meshy's default: 1.7)"),
    _p("texture_image_url", "str", default="", label="Texture Image URL", advanced=True,
       description="An http(s) URL or data URI of a PNG: the UV-unwrapped base colour"),
    _p("texture_image_path", "path", default="", label="Texture Image File", role="input",
       fills="texture_image_url", advanced=True,
       description="A PNG (a JPEG is converted) of the UV-unwrapped base colour"),
    _p("keep_original", "bool", **_KEEP_ORIGINAL),
)

ANIMATION: tuple[Param, ...] = (
    _p("rig_task_id", "str", label="Rig Task ID", default="", advanced=True,
       description="A finished rigging task to animate (wins over the selected rig)"),
    _p("action", "str", default="", label="Action", role="derived", fills="action_id",
       suggest=characters.suggest_actions,
       description="An action of Meshy's Animation Library, by name (Walking_Woman) or id"),
    _p("action_id", "int", default=0, soft_min=0, soft_max=1000, label="Action ID", cli=False, sidebar=False,
       description="An action id of Meshy's Animation Library (wins over Action), for scripts"),
    # Sent as Meshy's object {"operation_type", "fps"}, made with FPS below (core/characters.py).
    _p("post_process", "enum", default="", label="Post-Process",
       items=(("", "None"), ("change_fps", "Change FPS"), ("fbx2usdz", "USDZ"),
              ("extract_armature", "Armature Only")),
       description="Also make a file with Meshy's post-processing: a frame rate (FBX), USDZ, "
                   "or the armature alone (FBX)"),
    _p("fps", "int", default=characters.CLIP_FPS, soft_min=24, soft_max=60, label="FPS", role="derived",
       fills="post_process", description="Frame rate for Change FPS: 24, 25, 30 or 60 (given alone, "
                                         "it asks for Change FPS)"),
)
