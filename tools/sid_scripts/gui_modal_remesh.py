"""Inside the real Blender 5.2 GUI: run Remesh as a user does, modal, and take screenshots.

Opened with a saved scene (no splash screen). A timer starts
``meshy.remesh`` with INVOKE_DEFAULT in the 3D Viewport, so it runs modal on
its window timer; screenshots are taken while it waits and after the result
is in. Progress and the outcome go to /project/out/sid/gui.log.
"""

import subprocess
import sys

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
        bpy.app.timers.register(escape_phase, first_interval=2.0)
        return None
    return 1.0


# -- Esc: stop waiting, keep the task, import it later ------------------------------

STATE = {}


def runtime():
    """The add-on's job service (its task list is what the modal operator reads)."""
    return sys.modules["bl_ext.user_default.meshy_tools.runtime"].service()


def escape_phase():
    """A second task, modal; a real Esc key press in the window stops the wait."""
    window, area, region = view3d()
    target = next(o for o in bpy.data.objects if o.name.startswith("Chair_remesh_retexture_remesh"))
    for obj in bpy.context.view_layer.objects:
        obj.select_set(obj == target)
    with bpy.context.temp_override(window=window, area=area, region=region):
        result = bpy.ops.meshy.retexture("INVOKE_DEFAULT", text_style_prompt="blue glass")
    LOG.write(f"INVOKE2 {result}\n")
    bpy.app.timers.register(press_escape, first_interval=2.0)


def press_escape():
    subprocess.run(["xdotool", "mousemove", "600", "400"], check=False)
    subprocess.run(["xdotool", "key", "Escape"], check=False)
    bpy.app.timers.register(after_escape, first_interval=1.0)


def after_escape():
    entry = [e for e in runtime().tasks.values() if e.kind == "retexture"][-1]
    STATE["task_id"] = entry.task_id
    LOG.write(f"ESC state={entry.state} task={entry.task_id} objects={len(bpy.data.objects)}\n")
    bpy.app.timers.register(reimport, first_interval=3.0)


def reimport():
    """The task kept running on Meshy: Import by id brings its result in when it is done."""
    window, area, region = view3d()
    with bpy.context.temp_override(window=window, area=area, region=region):
        result = bpy.ops.meshy.import_task(task_id=STATE["task_id"], kind="RETEXTURE")
    LOG.write(f"IMPORT {result}\n")
    bpy.app.timers.register(imported, first_interval=1.0)


def imported():
    made = [o for o in bpy.data.objects if o.get("meshy_task_id") == STATE["task_id"]]
    if made:
        LOG.write(f"REIMPORTED {made[0].name}\n")
        return None
    return 1.0


bpy.app.timers.register(start, first_interval=3.0)
