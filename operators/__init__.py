"""The Meshy operators: one class per task a user can run (F3, menus, the sidebar, Python)."""

from __future__ import annotations

import bpy

from . import account, history, image_to_3d, image_to_image, remesh, retexture, run, runtime, tasks

classes = (
    *remesh.classes,
    *retexture.classes,
    *image_to_3d.classes,
    *image_to_image.classes,
    *run.classes,
    *tasks.classes,
    *account.classes,
    *history.classes,
)
_register_classes, _unregister_classes = bpy.utils.register_classes_factory(classes)


def register() -> None:
    _register_classes()
    account.register()
    runtime.register()


def unregister() -> None:
    runtime.unregister()
    account.unregister()
    _unregister_classes()
