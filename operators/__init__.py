"""The Meshy operators: one class per task a user can run (F3, menus, the sidebar, Python)."""

from __future__ import annotations

import bpy

from . import (
    account,
    animate,
    history,
    image_to_3d,
    image_to_image,
    multi_image_to_3d,
    remesh,
    retexture,
    rig,
    run,
    tasks,
    text_to_3d,
    text_to_image,
)

classes = (
    *remesh.classes,
    *retexture.classes,
    *image_to_3d.classes,
    *image_to_image.classes,
    *text_to_3d.classes,
    *multi_image_to_3d.classes,
    *text_to_image.classes,
    *rig.classes,
    *animate.classes,
    *run.classes,
    *tasks.classes,
    *account.classes,
    *history.classes,
)
register, unregister = bpy.utils.register_classes_factory(classes)
