"""Meshy Tools: remesh, retexture, image to 3D and image to image in Blender.

Registration only, in dependency order: the translations (Japanese, Simplified Chinese: see
i18n/), preferences, the properties made from the parameter table, operators, panels and menus,
the job service's runtime (its one timer, resume on load), the batch CLI.
"""

from . import cli, operators, panels, preferences, properties, runtime
from .i18n import ui as i18n

_modules = (preferences, properties, operators, panels, runtime, cli)


def register() -> None:
    i18n.register(__package__)
    for module in _modules:
        module.register()


def unregister() -> None:
    for module in reversed(_modules):
        module.unregister()
    i18n.unregister(__package__)
