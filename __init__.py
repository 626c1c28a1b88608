"""Meshy Tools: remesh, retexture, image to 3D and image to image in Blender.

Registration only, in dependency order: preferences, the properties made from
the parameter table, operators (with their runtime: job engine, timers, resume
on load), panels and menus, the batch CLI.
"""

from . import cli, operators, panels, preferences, properties

_modules = (preferences, properties, operators, panels, cli)


def register() -> None:
    for module in _modules:
        module.register()


def unregister() -> None:
    for module in reversed(_modules):
        module.unregister()
