"""Meshy Tools: remesh, retexture, image to 3D and image to image in Blender.

Registration only, in dependency order: preferences, the properties made from
the parameter table, operators, panels and menus, the job service's runtime
(its one timer, resume on load), the batch CLI.
"""

from . import cli, operators, panels, preferences, properties, runtime

_modules = (preferences, properties, operators, panels, runtime, cli)


def register() -> None:
    for module in _modules:
        module.register()


def unregister() -> None:
    for module in reversed(_modules):
        module.unregister()
