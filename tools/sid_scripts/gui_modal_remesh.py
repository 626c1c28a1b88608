"""Inside the real Blender 5.2 GUI: run Remesh as a user does, modal, and take screenshots.

Opened with a saved scene (no splash screen). A timer starts
``meshy.remesh`` with INVOKE_DEFAULT in the 3D Viewport, so it runs modal on
its window timer; screenshots are taken while it waits and after the result
is in. Progress and the outcome go to /project/out/sid/gui.log.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

import bpy

OUT = "/project/out/sid"
LOG = open(f"{OUT}/gui.log", "w", buffering=1)  # noqa: SIM115 - lives as long as Blender
STARTED = time.monotonic()
#: the retexture Esc stops runs this long on the emulator: Esc lands while it runs even when Blender's
#: timers come late (Material Preview compiling its shaders on a software GL, on 2 busy cores)
ESC_TASK_SECONDS = 20.0


def note(line: str) -> None:
    LOG.write(f"{line}  [{time.monotonic() - STARTED:.1f} s]\n")


def emulator_config(**values: float) -> None:
    request = urllib.request.Request(f"{os.environ['MESHY_BASE_URL']}/_emulator/config", method="POST",
                                     data=json.dumps(values).encode(), headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).close()


def view3d():
    window = bpy.context.window_manager.windows[0]
    area = next(a for a in window.screen.areas if a.type == "VIEW_3D")
    region = next(r for r in area.regions if r.type == "WINDOW")
    return window, area, region


def shot(name: str) -> None:
    """The X screen as the user sees it (Blender's own screenshot reads a black buffer under Xvfb)."""
    subprocess.Popen(["import", "-window", "root", f"{OUT}/{name}.png"])
    note(f"SHOT {name}")


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
    note(f"INVOKE {result}")
    bpy.app.timers.register(lambda: shot("modal_waiting"), first_interval=4.0)
    bpy.app.timers.register(check, first_interval=1.0)


def check():
    names = sorted(o.name for o in bpy.data.objects)
    note(f"OBJECTS {names}")
    if any(n.startswith("Chair_remesh_retexture_remesh") for n in names):
        obj = next(o for o in bpy.data.objects if o.name.startswith("Chair_remesh_retexture_remesh"))
        note(f"DONE {obj.name} {len(obj.data.polygons)} faces task {obj['meshy_task_id']}")
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
    emulator_config(run_seconds=ESC_TASK_SECONDS)
    with bpy.context.temp_override(window=window, area=area, region=region):
        result = bpy.ops.meshy.retexture("INVOKE_DEFAULT", text_style_prompt="blue glass")
    note(f"INVOKE2 {result}")
    bpy.app.timers.register(press_escape, first_interval=0.5)


def press_escape():
    """Esc once the task is on Meshy and being waited for (its id known), not before."""
    entries = [e for e in runtime().tasks.values() if e.kind == "retexture" and e.task_id]
    if not entries:
        return 0.5
    emulator_config(run_seconds=2.0)  # the import by id later need not wait long
    subprocess.run(["xdotool", "mousemove", "600", "400"], check=False)
    subprocess.run(["xdotool", "key", "Escape"], check=False)
    note(f"ESC pressed, task {entries[-1].task_id} {entries[-1].state}")
    bpy.app.timers.register(after_escape, first_interval=1.0)
    return None


def after_escape():
    entry = [e for e in runtime().tasks.values() if e.kind == "retexture"][-1]
    STATE["task_id"] = entry.task_id
    note(f"ESC state={entry.state} task={entry.task_id} objects={len(bpy.data.objects)}")
    bpy.app.timers.register(reimport, first_interval=3.0)


def reimport():
    """The task kept running on Meshy: Import by id brings its result in when it is done."""
    window, area, region = view3d()
    with bpy.context.temp_override(window=window, area=area, region=region):
        result = bpy.ops.meshy.import_task(task_id=STATE["task_id"], kind="RETEXTURE")
    note(f"IMPORT {result}")
    bpy.app.timers.register(imported, first_interval=1.0)


def imported():
    made = [o for o in bpy.data.objects if o.get("meshy_task_id") == STATE["task_id"]]
    if made:
        note(f"REIMPORTED {made[0].name}")
        return None
    return 1.0


bpy.app.timers.register(start, first_interval=3.0)
