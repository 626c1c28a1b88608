"""The Meshy operators, their shared runtime (job engine, timers, resume)."""

from __future__ import annotations

import bpy

from . import image_to_3d, image_to_image, params, remesh, retexture, runtime, tasks

classes = (
    *params.classes,
    *remesh.classes,
    *retexture.classes,
    *image_to_3d.classes,
    *image_to_image.classes,
    *tasks.classes,
)
_register_classes, _unregister_classes = bpy.utils.register_classes_factory(classes)


def register() -> None:
    _register_classes()
    runtime.register()


def unregister() -> None:
    runtime.unregister()
    _unregister_classes()
