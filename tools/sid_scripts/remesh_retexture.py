"""Inside the real Blender 5.2 (blender-sid), in background: remesh, then retexture.

Run by tools/sid_real.py with the built extension installed from its zip, the
emulator's URL in MESHY_BASE_URL and the test key in MESHY_API_KEY. Saves
/project/out/sid/scene.blend (opened afterwards by the GUI run) and prints a
summary line per step that sid_real.py checks.
"""

import os
import sys

import bpy

OUT = "/project/out/sid"
os.makedirs(OUT, exist_ok=True)
assert "bl_ext.user_default.meshy_tools" in bpy.context.preferences.addons, "extension not enabled"
print("ONLINE", bpy.app.online_access, "PYTHON", sys.version.split()[0])

bpy.ops.wm.read_homefile(use_empty=True)
bpy.ops.mesh.primitive_uv_sphere_add(segments=64, ring_count=32, location=(0, 0, 1))
chair = bpy.context.object
chair.name = "Chair"
bpy.ops.object.camera_add(location=(4, -4, 3), rotation=(1.1, 0, 0.8))
bpy.context.scene.camera = bpy.context.object
bpy.ops.object.select_all(action="DESELECT")
chair.select_set(True)
bpy.context.view_layer.objects.active = chair

assert bpy.ops.meshy.remesh(target_polycount=1500, topology="QUAD") == {"FINISHED"}
remeshed = bpy.data.objects["Chair_remesh"]
print("REMESH", remeshed.name, len(remeshed.data.polygons), "faces, task", remeshed["meshy_task_id"])

bpy.ops.object.select_all(action="DESELECT")
remeshed.select_set(True)
assert bpy.ops.meshy.retexture(text_style_prompt="weathered bronze statue", enable_pbr=True) == {"FINISHED"}
textured = bpy.data.objects["Chair_remesh_retexture"]
links = sorted(link.to_socket.name for link in textured.active_material.node_tree.links)
print("RETEXTURE", textured.name, "material", textured.active_material.name, "links", links)

bpy.ops.wm.save_as_mainfile(filepath=f"{OUT}/scene.blend")
print("SAVED", f"{OUT}/scene.blend")
