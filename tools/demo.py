"""`make demo`: the whole product once, headless, in real Blender (the bpy module), ending in one picture.

image-to-image on the bundled reference image -> image-to-3d from that task
-> remesh to quads -> retexture with PBR maps, each step with the add-on's own
operator (each chains on the previous task by id: nothing is uploaded twice),
then a saved .blend and a contact sheet (``contact_sheet.png``): the
reference, the edited image, the model, the quad remesh with its wireframe
and the retexture, rendered with Cycles and captioned with each step and its
credits. Runs against the bundled emulator, or against Meshy itself when
MESHY_API_KEY is set (that spends credits: about 3 + 30 + 5 + 10). The
console gets a line per step; what Blender and the operators print goes to
``demo.log``.

    make demo                       # emulator
    MESHY_API_KEY=msy_... make demo # the real service
    .venv/bin/python tools/demo.py --out out/demo --samples 16 --tile 320
"""

from __future__ import annotations

import argparse
import json
import logging
import math
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
EDIT_PROMPT = "the same toy mushroom as a glossy ceramic figurine, studio light, plain background"
STYLE_PROMPT = "painted ceramic, red glaze with cream spots"
STEPS = (
    ("image-to-image", "Image to Image", "restyle the reference"),
    ("image-to-3d", "Image to 3D", "a textured model from that image"),
    ("remesh", "Remesh", "clean quads, 3,000 faces"),
    ("retexture", "Retexture", "PBR maps from a prompt"),
)
log = logging.getLogger("meshy.demo")


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


def quietly(what: str):  # type: ignore[no-untyped-def]
    """What Blender and the operator print in the block goes to demo.log (the add-on's own capture)."""
    console = sys.modules[f"{ADDON}.scene.console"]
    return console.captured_output(what, log)


def run_step(op, log_path: Path, **props) -> None:  # type: ignore[no-untyped-def]
    """Call an operator; in background Blender it blocks until the result is in the scene."""
    try:
        with quietly(op.idname_py()):
            result = op(**props)
    except RuntimeError as exc:
        raise SystemExit(f"demo: {op.idname_py()} failed: {exc}; the whole output is in {log_path}") from None
    if "FINISHED" not in result:
        raise SystemExit(f"demo: {op.idname_py()} did not finish ({result}); see {log_path}")


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


def credits(download_dir: Path, kind: str, task_id: str, settings: dict) -> tuple[int | None, int]:
    """(consumed_credits from the finished task, the add-on's estimate)."""
    from client.pricing import estimate_credits
    from client.results import result_dir

    used = None
    try:
        task = json.loads((result_dir(download_dir, kind, task_id) / "task.json").read_text())["task"]
        used = task.get("consumed_credits")
    except (OSError, ValueError, KeyError):
        pass
    return used, estimate_credits(kind, settings)


def faces(obj) -> str:  # type: ignore[no-untyped-def]
    sizes = [p.loop_total for p in obj.data.polygons]
    quads = sum(s == 4 for s in sizes) / max(1, len(sizes))
    return f"{len(sizes):,} faces" + (f", {quads:.0%} quads" if quads > 0.01 else ", triangles")


# -- the pictures ----------------------------------------------------------------------------


class Studio:
    """A camera, a key and a fill light and a grey sky: each model rendered alone, framed from the front-right."""

    def __init__(self, scene, size: int, samples: int) -> None:  # type: ignore[no-untyped-def]
        import _cycles
        import bpy

        self.scene = scene
        self.camera = bpy.data.objects.new("Demo Camera", bpy.data.cameras.new("Demo Camera"))
        self.camera.data.lens = 70
        scene.collection.objects.link(self.camera)
        scene.camera = self.camera
        self.lights = []
        for name, share in (("Key", 1.0), ("Fill", 0.3), ("Rim", 0.6)):
            light = bpy.data.objects.new(f"Demo {name}", bpy.data.lights.new(f"Demo {name}", "AREA"))
            scene.collection.objects.link(light)
            self.lights.append((light, share))
        world = scene.world or bpy.data.worlds.new("Demo World")
        scene.world = world
        if world.node_tree is None:
            world.use_nodes = True
        background = world.node_tree.nodes.get("Background")
        if background is not None:
            background.inputs["Color"].default_value = (0.82, 0.83, 0.85, 1.0)
            background.inputs["Strength"].default_value = 0.55
        scene.render.engine = "CYCLES"
        scene.cycles.device = "CPU"
        scene.cycles.samples = samples
        scene.cycles.use_denoising = bool(getattr(_cycles, "with_openimagedenoise", False))
        scene.view_settings.view_transform = "Standard"  # the maps' own colours, as a texture viewer shows them
        scene.render.resolution_x = scene.render.resolution_y = size
        scene.render.resolution_percentage = 100
        scene.render.image_settings.file_format = "PNG"

    def frame(self, target) -> None:  # type: ignore[no-untyped-def]
        from mathutils import Vector

        corners = [target.matrix_world @ Vector(c) for c in target.bound_box]
        center = sum(corners, Vector()) / 8
        radius = max((c - center).length for c in corners) or 1.0
        direction = Vector((0.35, -1.0, 0.28)).normalized()  # the relief faces -Y: front, a little right and above
        distance = radius / math.sin(self.camera.data.angle / 2) * 0.98
        self.camera.location = center + direction * distance
        self.camera.rotation_euler = (center - self.camera.location).to_track_quat("-Z", "Y").to_euler()
        self.camera.data.clip_end = distance * 10
        places = (Vector((-1.0, -1.3, 1.5)), Vector((1.5, -0.8, 0.2)), Vector((0.6, 1.5, 1.2)))
        for (light, share), where in zip(self.lights, places, strict=True):
            light.location = center + where.normalized() * radius * 4
            light.rotation_euler = (center - light.location).to_track_quat("-Z", "Y").to_euler()
            light.data.size = radius * 2.5
            light.data.energy = 36 * (radius * 4) ** 2 * share

    def render(self, shown: list, path: Path) -> Path:  # type: ignore[no-untyped-def]
        import bpy

        for obj in self.scene.objects:
            if obj.type == "MESH":
                obj.hide_render = obj not in shown
        self.frame(shown[0])
        self.scene.render.filepath = str(path)
        with quietly(f"render {path.name}"):
            bpy.ops.render.render(write_still=True)
        return path


def _material(name: str, colour: tuple[float, float, float], roughness: float):  # type: ignore[no-untyped-def]
    import bpy

    material = bpy.data.materials.new(name)
    if bpy.app.version < (5, 0, 0):
        material.use_nodes = True
    bsdf = material.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*colour, 1.0)
    bsdf.inputs["Roughness"].default_value = roughness
    return material


def culled_copy(scene, target) -> list:  # type: ignore[no-untyped-def]
    """A render copy whose back faces let light through, as Material Preview's backface culling shows a model.

    The emulator's image-to-3d relief is two-sided, its front and back meeting
    flat around the silhouette: there Cycles would see the back face and shade
    it with the front's shadow (black specks where the edge should be).
    """
    copy = target.copy()
    copy.name = "Demo Culled"
    scene.collection.objects.link(copy)
    for slot in copy.material_slots:
        if slot.material is None:
            continue
        material = slot.material.copy()
        tree = material.node_tree
        output = next(n for n in tree.nodes if n.type == "OUTPUT_MATERIAL")
        link = output.inputs["Surface"].links[0]
        mix, geometry = tree.nodes.new("ShaderNodeMixShader"), tree.nodes.new("ShaderNodeNewGeometry")
        clear = tree.nodes.new("ShaderNodeBsdfTransparent")
        tree.links.new(geometry.outputs["Backfacing"], mix.inputs["Fac"])
        tree.links.new(link.from_socket, mix.inputs[1])
        tree.links.new(clear.outputs["BSDF"], mix.inputs[2])
        tree.links.new(mix.outputs["Shader"], output.inputs["Surface"])
        slot.link = "OBJECT"
        slot.material = material
    return [copy]


def wireframe_copies(scene, target) -> list:  # type: ignore[no-untyped-def]
    """The mesh in clay and its real edges as thin dark struts (a Wireframe modifier keeps quads as quads)."""
    from mathutils import Vector

    clay, ink = _material("Demo Clay", (0.62, 0.58, 0.52), 0.6), _material("Demo Ink", (0.02, 0.05, 0.14), 0.4)
    copies = []
    for name, material in (("Demo Clay", clay), ("Demo Wire", ink)):
        copy = target.copy()
        copy.name = name
        scene.collection.objects.link(copy)
        for slot in copy.material_slots:
            slot.link = "OBJECT"
            slot.material = material
        copies.append(copy)
    size = max((Vector(a) - Vector(b)).length for a in target.bound_box for b in target.bound_box)
    wire = copies[1].modifiers.new("Demo Wire", "WIREFRAME")
    wire.thickness = size * 0.003
    wire.use_even_offset = False  # even thickness spikes at the sharp corners of a rim
    wire.use_relative_offset = False
    wire.offset = 1.0  # outside the surface, so the clay never covers a strut
    return copies


def make_sheet(out: Path, scene, images: dict, models: dict, costs: dict, *, size: int, samples: int,
               where: str) -> Path:  # type: ignore[no-untyped-def]
    """Render the three models and lay out the five tiles."""
    sys.path.insert(0, str(ROOT / "tools"))
    import bpy
    from contact_sheet import Tile, contact_sheet

    tiles_dir = out / "sheet"
    tiles_dir.mkdir(exist_ok=True)
    studio = Studio(scene, size, samples)
    materials = set(bpy.data.materials)
    copies = culled_copy(scene, models["image-to-3d"])
    model = studio.render(copies, tiles_dir / "3_model.png")
    copies += wireframe_copies(scene, models["remesh"])
    wire = studio.render(copies[1:], tiles_dir / "4_remesh_wireframe.png")
    for copy in copies:  # demo.blend keeps the results, not the render copies
        bpy.data.objects.remove(copy)
    for material in set(bpy.data.materials) - materials:
        bpy.data.materials.remove(material)
    retexture = studio.render([models["retexture"]], tiles_dir / "5_retexture.png")

    def cost(kind: str) -> str:
        used, estimate = costs[kind]
        return f"{used if used is not None else estimate} credits"

    tiles = [
        Tile(REFERENCE, "1  Reference", "the input", "tools/demo_assets/mushroom.png"),
        Tile(images["edited"], "2  Image to Image", cost("image-to-image"), f"“{EDIT_PROMPT}”"),
        Tile(model, "3  Image to 3D", cost("image-to-3d"), f"{faces(models['image-to-3d'])}, textured from step 2"),
        Tile(wire, "4  Remesh to quads", cost("remesh"), f"{faces(models['remesh'])}: its wireframe"),
        Tile(retexture, "5  Retexture, PBR", cost("retexture"), f"“{STYLE_PROMPT}”, Cycles"),
    ]
    total = sum(u if u is not None else e for u, e in costs.values())
    return contact_sheet(tiles, out / "contact_sheet.png", tile=size,
                         title=f"Meshy Tools: one image to a textured quad model, {total} credits",
                         subtitle=f"Each step is the add-on's own operator in Blender {bpy.app.version_string}, "
                                  f"chained by task id ({where}); rendered with Cycles, {samples} samples")


# -- the run ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "demo", help="where everything goes")
    ap.add_argument("--samples", type=int, default=16, help="Cycles samples per tile")
    ap.add_argument("--tile", type=int, default=320, help="size of each tile of the contact sheet, in pixels")
    args = ap.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ["MESHY_TOOLS_DIR"] = str(out / "addon-data")  # journal and uploads, not the user's own
    log_path = out / "demo.log"
    handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    for name in ("meshy.demo", "meshy.import"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
        logging.getLogger(name).propagate = False

    real = bool(os.environ.get("MESHY_API_KEY"))
    emulator = None
    if real:
        base_url = os.environ.get("MESHY_BASE_URL", "https://api.meshy.ai")
        where = f"Meshy at {base_url}"
        say(f"MESHY_API_KEY is set: using {where} (this spends credits)")
    else:
        emulator, base_url = start_emulator()
        where = "the bundled Meshy emulator"
        say(f"no MESHY_API_KEY: using {where} at {base_url} (no credits spent)")
    started = time.monotonic()
    try:
        import bpy

        say(f"Blender {bpy.app.version_string} as a Python module; Blender's own output goes to {log_path}")
        bpy.context.preferences.system.use_online_access = True
        from addon_env import enable_addon  # tools/: loads the checkout as an installed extension

        enable_addon(Path(tempfile.mkdtemp(prefix="meshy-demo-")), repo=REPO)
        prefs = bpy.context.preferences.addons[ADDON].preferences
        if not real:
            prefs.api_key = TEST_KEY
            prefs.base_url = base_url
        downloads = out / "downloads"
        prefs.download_dir = str(downloads)
        with quietly("new scene"):
            bpy.ops.wm.read_homefile(use_empty=True)
        scene = bpy.context.scene
        ops = bpy.ops.meshy
        results: dict = {}

        def step(index: int, run) -> None:  # type: ignore[no-untyped-def]
            kind, title, what = STEPS[index]
            t = time.monotonic()
            block = run()
            results[kind] = block
            task_id = str(block["meshy_task_id"])
            used, estimate = credits(downloads, kind, task_id, json.loads(block.get("meshy_settings") or "{}"))
            results[kind + ":credits"] = (used, estimate)
            shape = f"{faces(block)}, " if kind != "image-to-image" else ""
            say(f"{index + 1}/4 {title}: {what}: {shape}{used if used is not None else '?'} credits, "
                f"{time.monotonic() - t:.1f} s -> {block.name}")

        def edit():  # type: ignore[no-untyped-def]
            run_step(ops.image_to_image, log_path, reference_image_paths=[{"name": str(REFERENCE)}],
                     ai_model="NANO_BANANA", prompt=EDIT_PROMPT)
            return next(i for i in bpy.data.images if i.get("meshy_kind") == "image-to-image")

        def model():  # type: ignore[no-untyped-def]
            run_step(ops.image_to_3d, log_path, image_name=results["image-to-image"].name, should_texture=True)
            return newest_object("image-to-3d")

        def remesh():  # type: ignore[no-untyped-def]
            select_only(results["image-to-3d"])
            run_step(ops.remesh, log_path, topology="QUAD", target_polycount=3000)
            return newest_object("remesh")

        def retexture():  # type: ignore[no-untyped-def]
            select_only(results["remesh"])
            run_step(ops.retexture, log_path, text_style_prompt=STYLE_PROMPT, enable_pbr=True)
            return newest_object("retexture")

        for index, run in enumerate((edit, model, remesh, retexture)):
            step(index, run)
        edited_png = out / "edited.png"
        edited = results["image-to-image"]
        with quietly("save edited.png"):
            edited.save(filepath=str(edited_png)) if not edited.packed_file else edited.save_render(str(edited_png))
        blend = out / "demo.blend"

        say(f"rendering the contact sheet: 3 tiles with Cycles on the CPU, {args.samples} samples")
        costs = {kind: results[kind + ":credits"] for kind, _, _ in STEPS}
        models = {kind: results[kind] for kind in ("image-to-3d", "remesh", "retexture")}
        sheet = make_sheet(out, scene, {"edited": edited_png}, models, costs, size=args.tile,
                           samples=args.samples, where=where)
        with quietly("save demo.blend"):
            bpy.ops.wm.save_as_mainfile(filepath=str(blend), check_existing=False)

        total_used = sum(u or 0 for u, _ in costs.values())
        total_est = sum(e for _, e in costs.values())
        what = "spent" if real else "it would have cost on Meshy"
        print()
        print(f"Meshy Tools demo: done in {time.monotonic() - started:.0f} s, {where}")
        print(f"  contact sheet   {sheet}")
        print(f"  scene           {blend}")
        print(f"  downloads       {downloads}/<kind>/<task id>/ (model.glb, model_obj.obj, PBR maps, task.json)")
        print(f"  console log     {log_path}")
        print(f"  credits         {total_used} {what} (the add-on's estimate: {total_est})")
        return 0
    finally:
        if emulator is not None:
            emulator.terminate()
            emulator.wait(10)


if __name__ == "__main__":
    sys.exit(main())
