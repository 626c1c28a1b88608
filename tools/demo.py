"""`make demo`: the whole product once, headless, in real Blender (the bpy module).

image-to-image on the bundled reference image -> image-to-3d from that task
-> remesh to quads -> retexture with PBR maps, each step with the add-on's own
operator (each chains on the previous task by id: nothing is uploaded twice),
then a saved .blend and a Cycles preview render. Runs against the bundled
emulator, or against Meshy itself when MESHY_API_KEY is set (that spends
credits: about 3 + 30 + 5 + 10). Prints where everything is and the credits.

    make demo                       # emulator
    MESHY_API_KEY=msy_... make demo # the real service
    .venv/bin/python tools/demo.py --out out/demo --samples 16
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tools" / "demo_assets" / "mushroom.png"
REPO = "meshy_demo_repo"
ADDON = f"bl_ext.{REPO}.meshy_tools"
TEST_KEY = "msy_dummy_api_key_for_test_mode_12345678"
STEPS = (
    ("image-to-image", "Image to Image: restyle the reference"),
    ("image-to-3d", "Image to 3D: a textured model from that image"),
    ("remesh", "Remesh: clean quads"),
    ("retexture", "Retexture: PBR materials"),
)


def say(text: str) -> None:
    print(f"[demo] {text}", flush=True)


def start_emulator() -> tuple[subprocess.Popen, str]:
    """The bundled Meshy emulator in its own process; its first line is the base URL."""
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--pending-seconds", "0.3",
                             "--run-seconds", "1.0"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip()
    if not base_url.startswith("http"):
        proc.kill()
        raise SystemExit("demo: the emulator did not start")
    return proc, base_url


def run_step(op, **props) -> None:  # type: ignore[no-untyped-def]
    """Call an operator; in background Blender it blocks until the result is in the scene."""
    result = op(**props)
    if "FINISHED" not in result:
        raise SystemExit(f"demo: {op.idname_py()} did not finish ({result}); see the message above")


def select_only(obj) -> None:  # type: ignore[no-untyped-def]
    import bpy

    for other in bpy.context.view_layer.objects:
        other.select_set(False)
    obj.select_set(True)
    bpy.context.view_layer.objects.active = obj


def newest_object(kind: str):  # type: ignore[no-untyped-def]
    import bpy

    made = [o for o in bpy.data.objects if o.get("meshy_kind") == kind and o.type == "MESH" and not o.hide_get()]
    if not made:
        raise SystemExit(f"demo: no {kind} result in the scene")
    return made[-1]


def stage_and_render(scene, target, path: Path, samples: int) -> None:  # type: ignore[no-untyped-def]
    """A camera framing the result, a sun and a sky, then Cycles on the CPU."""
    import bpy
    from mathutils import Vector

    corners = [target.matrix_world @ Vector(c) for c in target.bound_box]
    center = sum(corners, Vector()) / 8
    size = max((max(c[i] for c in corners) - min(c[i] for c in corners)) for i in range(3)) or 1.0
    cam_data = bpy.data.cameras.new("Demo Camera")
    cam = bpy.data.objects.new("Demo Camera", cam_data)
    scene.collection.objects.link(cam)
    cam.location = center + Vector((1.6, -2.2, 1.2)) * size
    cam.rotation_euler = (center - cam.location).to_track_quat("-Z", "Y").to_euler()
    scene.camera = cam
    sun = bpy.data.objects.new("Demo Sun", bpy.data.lights.new("Demo Sun", "SUN"))
    sun.data.energy = 3.0
    sun.rotation_euler = (0.7, 0.2, 0.6)
    scene.collection.objects.link(sun)
    world = scene.world or bpy.data.worlds.new("Demo World")
    scene.world = world
    if world.node_tree is None:
        world.use_nodes = True
    background = world.node_tree.nodes.get("Background")
    if background is not None:
        background.inputs["Color"].default_value = (0.55, 0.6, 0.7, 1.0)
        background.inputs["Strength"].default_value = 0.8
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    if hasattr(scene.cycles, "use_denoising"):
        scene.cycles.use_denoising = False  # OpenImageDenoise is not in every build
    scene.render.resolution_x = scene.render.resolution_y = 480
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)


def credits(download_dir: Path, kind: str, task_id: str, settings: dict) -> tuple[int | None, int]:
    """(consumed_credits from the finished task, the add-on's estimate)."""
    from client.downloads import safe_filename
    from client.pricing import estimate_credits

    used = None
    try:
        task = json.loads((download_dir / kind / safe_filename(task_id) / "task.json").read_text())["task"]
        used = task.get("consumed_credits")
    except (OSError, ValueError, KeyError):
        pass
    return used, estimate_credits(kind, settings)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "demo", help="where everything goes")
    ap.add_argument("--samples", type=int, default=16, help="Cycles samples for the preview")
    args = ap.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ["MESHY_TOOLS_DIR"] = str(out / "addon-data")  # journal and uploads, not the user's own

    real = bool(os.environ.get("MESHY_API_KEY"))
    emulator = None
    if real:
        base_url = os.environ.get("MESHY_BASE_URL", "https://api.meshy.ai")
        say(f"MESHY_API_KEY is set: using Meshy at {base_url} (this spends credits)")
    else:
        emulator, base_url = start_emulator()
        say(f"no MESHY_API_KEY: using the bundled Meshy emulator at {base_url} (no credits spent)")
    started = time.monotonic()
    try:
        import bpy

        say(f"Blender {bpy.app.version_string} as a Python module")
        bpy.context.preferences.system.use_online_access = True
        from addon_env import enable_addon  # tools/: loads the checkout as an installed extension

        enable_addon(Path(tempfile.mkdtemp(prefix="meshy-demo-")), repo=REPO)
        prefs = bpy.context.preferences.addons[ADDON].preferences
        if not real:
            prefs.api_key = TEST_KEY
            prefs.base_url = base_url
        downloads = out / "downloads"
        prefs.download_dir = str(downloads)
        bpy.ops.wm.read_homefile(use_empty=True)
        scene = bpy.context.scene
        ops = bpy.ops.meshy

        say(STEPS[0][1])
        run_step(ops.image_to_image, reference_image_paths=[{"name": str(REFERENCE)}], ai_model="NANO_BANANA",
                 prompt="the same toy mushroom as a glossy ceramic figurine, studio light, plain background")
        edited = next(i for i in bpy.data.images if i.get("meshy_kind") == "image-to-image")
        edited_png = out / "edited.png"
        edited.save(filepath=str(edited_png)) if not edited.packed_file else None

        say(STEPS[1][1])
        run_step(ops.image_to_3d, image_name=edited.name, should_texture=True)
        model = newest_object("image-to-3d")

        say(STEPS[2][1])
        select_only(model)
        run_step(ops.remesh, topology="QUAD", target_polycount=5000)
        remeshed = newest_object("remesh")

        say(STEPS[3][1])
        select_only(remeshed)
        run_step(ops.retexture, text_style_prompt="painted ceramic, red glaze with cream spots", enable_pbr=True)
        final = newest_object("retexture")

        blend = out / "demo.blend"
        preview = out / "preview.png"
        say(f"rendering {preview.name} with Cycles on the CPU, {args.samples} samples")
        stage_and_render(scene, final, preview, args.samples)
        bpy.ops.wm.save_as_mainfile(filepath=str(blend), check_existing=False)

        rows = []
        results = [("image-to-image", edited), ("image-to-3d", model), ("remesh", remeshed), ("retexture", final)]
        for kind, block in results:
            task_id = str(block["meshy_task_id"])
            settings = json.loads(block.get("meshy_settings") or "{}")
            used, estimate = credits(downloads, kind, task_id, settings)
            rows.append((kind, task_id, used, estimate, block.name))
        print()
        where = "real Meshy" if real else "emulator"
        print(f"Meshy Tools demo: done in {time.monotonic() - started:.0f} s, {where}")
        print(f"  reference image   {REFERENCE}")
        print(f"  edited image      {edited_png if edited_png.exists() else edited.filepath}")
        print(f"  scene             {blend}")
        print(f"  preview render    {preview}")
        print(f"  downloads         {downloads}/<kind>/<task id>/ (model.glb, PBR maps, task.json)")
        print("  steps:")
        for kind, task_id, used, estimate, name in rows:
            print(f"    {kind:<15} task {task_id}  {used if used is not None else '?':>3} credits "
                  f"(estimate {estimate})  -> {name}")
        total_used = sum(r[2] or 0 for r in rows)
        total_est = sum(r[3] for r in rows)
        what = "spent" if real else "it would have cost on Meshy"
        print(f"  credits: {total_used} {what} (the add-on's estimate: {total_est})")
        return 0
    finally:
        if emulator is not None:
            emulator.terminate()
            emulator.wait(10)


if __name__ == "__main__":
    sys.exit(main())
