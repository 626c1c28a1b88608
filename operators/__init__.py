"""The Meshy operators, their shared runtime (job engine, timers, resume)."""

from __future__ import annotations

import bpy

from . import account, history, image_to_3d, image_to_image, params, remesh, retexture, runtime, scene_settings, tasks

classes = (
    *params.classes,
    *remesh.classes,
    *retexture.classes,
    *image_to_3d.classes,
    *image_to_image.classes,
    *tasks.classes,
    *scene_settings.classes,
    *account.classes,
    *history.classes,
)
_register_classes, _unregister_classes = bpy.utils.register_classes_factory(classes)


def register() -> None:
    _register_classes()
    scene_settings.register()
    history.register()
    account.register()
    runtime.register()


def unregister() -> None:
    runtime.unregister()
    account.unregister()
    history.unregister()
    scene_settings.unregister()
    _unregister_classes()
