"""Inside the real Blender 5.2 GUI: run Remesh as a user does, modal, and take screenshots.

Opened with a saved scene (no splash screen). A timer starts
``meshy.remesh`` with INVOKE_DEFAULT in the 3D Viewport, so it runs modal on
its window timer; screenshots are taken while it waits and after the result
is in. Progress and the outcome go to /project/out/sid/gui.log.
"""

import subprocess

import bpy

OUT = "/project/out/sid"
LOG = open(f"{OUT}/gui.log", "w", buffering=1)  # noqa: SIM115 - lives as long as Blender


def view3d():
    window = bpy.context.window_manager.windows[0]
    area = next(a for a in window.screen.areas if a.type == "VIEW_3D")
    region = next(r for r in area.regions if r.type == "WINDOW")
    return window, area, region


def shot(name: str) -> None:
    """The X screen as the user sees it (Blender's own screenshot reads a black buffer under Xvfb)."""
    subprocess.Popen(["import", "-window", "root", f"{OUT}/{name}.png"])
    LOG.write(f"SHOT {name}\n")


def start() -> None:
    window, area, region = view3d()
    area.spaces[0].shading.type = "MATERIAL"
    area.spaces[0].show_region_ui = True

    for obj in bpy.data.objects:
        obj.select_set(obj.name == "Chair_remesh_retexture")
        obj.hide_set(obj.name not in {"Chair_remesh_retexture", "Camera"})
    bpy.context.view_layer.objects.active = bpy.data.objects["Chair_remesh_retexture"]
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.view3d.view_selected()
        result = bpy.ops.meshy.remesh("INVOKE_DEFAULT", target_polycount=400, topology="TRIANGLE")
    LOG.write(f"INVOKE {result}\n")
    bpy.app.timers.register(lambda: shot("modal_waiting"), first_interval=4.0)
    bpy.app.timers.register(check, first_interval=1.0)


def check():
    names = sorted(o.name for o in bpy.data.objects)
    LOG.write(f"OBJECTS {names}\n")
    if any(n.startswith("Chair_remesh_retexture_remesh") for n in names):
        obj = next(o for o in bpy.data.objects if o.name.startswith("Chair_remesh_retexture_remesh"))
        LOG.write(f"DONE {obj.name} {len(obj.data.polygons)} faces task {obj['meshy_task_id']}\n")
        bpy.app.timers.register(lambda: shot("modal_done"), first_interval=1.0)
        return None
    return 1.0


bpy.app.timers.register(start, first_interval=3.0)
