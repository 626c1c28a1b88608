"""`make demo`: the whole pipeline once, headless, in real Blender (the bpy module), ending in one picture.

A sentence -> text-to-image (three views) -> multi-image-to-3d from that task
-> remesh to quads -> retexture with PBR maps -> rig, with its walking clip;
each step is the add-on's own operator and chains on the previous task by id
(nothing is uploaded twice: the views are never sent back). Then a saved
.blend (press Play: the character walks) and a contact sheet
(``contact_sheet.png``): the views, the model, the quad remesh with its
wireframe, the retexture and four frames of the walk, rendered with Cycles and
captioned with each step and its credits. Runs against the bundled emulator,
or against Meshy itself when MESHY_API_KEY is set (that spends credits: about
9 + 30 + 5 + 10 + 5). The console gets a line per step; what Blender and the
operators print goes to ``demo.log``.

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
REPO = "meshy_demo_repo"
ADDON = f"bl_ext.{REPO}.meshy_tools"
TEST_KEY = "msy_dummy_api_key_for_test_mode_12345678"
SENTENCE = "a friendly blue robot with orange hands, standing"
STYLE_PROMPT = "painted blue metal with orange stripes"
HEIGHT_METERS = 1.7
WALK_FRAMES = 4  # evenly through one cycle of the Walking clip
STEPS = (
    ("text-to-image", "Text to Image", "three views of the sentence"),
    ("multi-image-to-3d", "Multi-Image to 3D", "a textured model from those views, by task id"),
    ("remesh", "Remesh", "clean quads, 3,000 faces"),
    ("retexture", "Retexture", "PBR maps from a prompt"),
    ("rigging", "Rig", "a skeleton, its skin, walking and running clips"),
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


def newest_object(kind: str, object_type: str = "MESH"):  # type: ignore[no-untyped-def]
    import bpy

    made = [o for o in bpy.data.objects if o.get("meshy_kind") == kind and o.type == object_type
            and not o.hide_get()]
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

    def frame(self, target, side: bool = False) -> None:  # type: ignore[no-untyped-def]
        """Frame `target` from the front, a little right (`side`: half from its right, where a stride shows)."""
        from mathutils import Vector

        corners = [target.matrix_world @ Vector(c) for c in target.bound_box]
        center = sum(corners, Vector()) / 8
        radius = max((c - center).length for c in corners) or 1.0
        # the models face -Y: front, a little right and above
        direction = Vector((1.0, -0.8, 0.2) if side else (0.35, -1.0, 0.28)).normalized()
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

    def render(self, shown: list, path: Path, *, reframe: bool = True) -> Path:  # type: ignore[no-untyped-def]
        """Render only `shown`, framed on its first object (`reframe=False`: the camera stays, for a clip)."""
        import bpy

        for obj in self.scene.objects:
            if obj.type == "MESH":
                obj.hide_render = obj not in shown
        if reframe:
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


def skin_of(armature):  # type: ignore[no-untyped-def]
    """The rig's mesh: the one its Armature modifier deforms."""
    import bpy

    return next(o for o in bpy.data.objects if o.type == "MESH"
                and any(m.type == "ARMATURE" and m.object == armature for m in o.modifiers))


def walk_frames(studio: Studio, armature, folder: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    """WALK_FRAMES renders through the Walking clip, the camera framed once on the character at rest."""
    tracks = armature.animation_data.nla_tracks
    for track in tracks:
        track.mute = track.name != "Walking"
    strip = tracks["Walking"].strips[0]
    body, scene = skin_of(armature), studio.scene
    scene.frame_set(int(strip.frame_start))
    studio.frame(body, side=True)
    step = (strip.frame_end - strip.frame_start) / WALK_FRAMES
    paths = []
    for index in range(WALK_FRAMES):
        scene.frame_set(round(strip.frame_start + index * step))
        paths.append(studio.render([body], folder / f"5_walking_{index + 1}.png", reframe=False))
    scene.frame_set(int(strip.frame_start))
    return paths


def make_sheet(out: Path, scene, views: list[Path], models: dict, costs: dict, *, size: int, samples: int,
               where: str) -> Path:  # type: ignore[no-untyped-def]
    """Render the models and the walk, and lay out the five tiles."""
    sys.path.insert(0, str(ROOT / "tools"))
    import bpy
    from contact_sheet import Tile, contact_sheet

    tiles_dir = out / "sheet"
    tiles_dir.mkdir(exist_ok=True)
    studio = Studio(scene, size, samples)
    materials = set(bpy.data.materials)
    copies = culled_copy(scene, models["multi-image-to-3d"])
    model = studio.render(copies, tiles_dir / "2_model.png")
    copies += wireframe_copies(scene, models["remesh"])
    wire = studio.render(copies[1:], tiles_dir / "3_remesh_wireframe.png")
    for copy in copies:  # demo.blend keeps the results, not the render copies
        bpy.data.objects.remove(copy)
    for material in set(bpy.data.materials) - materials:
        bpy.data.materials.remove(material)
    retexture = studio.render([models["retexture"]], tiles_dir / "4_retexture.png")
    walk = walk_frames(studio, models["rigging"], tiles_dir)

    def cost(kind: str) -> str:
        used, estimate = costs[kind]
        return f"{used if used is not None else estimate} credits"

    tiles = [
        Tile(views, "1  Text to Image", cost("text-to-image"), f"“{SENTENCE}”: front, back, right"),
        Tile(model, "2  Multi-Image to 3D", cost("multi-image-to-3d"),
             f"{faces(models['multi-image-to-3d'])}, from the views by task id"),
        Tile(wire, "3  Remesh to quads", cost("remesh"), f"{faces(models['remesh'])}: its wireframe"),
        Tile(retexture, "4  Retexture, PBR", cost("retexture"), f"“{STYLE_PROMPT}”"),
        Tile(walk, "5  Rig, Walking", cost("rigging"),
             f"{len(models['rigging'].data.bones)} bones, {HEIGHT_METERS} m; {WALK_FRAMES} frames of its walk"),
    ]
    total = sum(u if u is not None else e for u, e in costs.values())
    return contact_sheet(tiles, out / "contact_sheet.png", tile=size,
                         title=f"Meshy Tools: a sentence to a walking character, {total} credits",
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
            shape = f"{faces(block)}, " if block.type == "MESH" else ""
            if kind == "rigging":
                shape = f"{len(block.data.bones)} bones, clips {', '.join(block.animation_data.nla_tracks.keys())}, "
            say(f"{index + 1}/{len(STEPS)} {title}: {what}: {shape}{used if used is not None else '?'} credits, "
                f"{time.monotonic() - t:.1f} s -> {block.name}")

        def views():  # type: ignore[no-untyped-def]
            run_step(ops.text_to_image, log_path, prompt=SENTENCE, generate_multi_view=True, pose_mode="A_POSE")
            made = [i for i in bpy.data.images if i.get("meshy_kind") == "text-to-image"]
            results["views"] = sorted(made, key=lambda i: i["meshy_view_index"])
            return results["views"][0]  # the set's task id and settings are on each view

        def model():  # type: ignore[no-untyped-def]
            run_step(ops.multi_image_to_3d, log_path, input_task_id=str(results["views"][0]["meshy_task_id"]))
            return newest_object("multi-image-to-3d")

        def remesh():  # type: ignore[no-untyped-def]
            select_only(results["multi-image-to-3d"])
            run_step(ops.remesh, log_path, topology="QUAD", target_polycount=3000)
            return newest_object("remesh")

        def retexture():  # type: ignore[no-untyped-def]
            select_only(results["remesh"])
            run_step(ops.retexture, log_path, text_style_prompt=STYLE_PROMPT, enable_pbr=True)
            return newest_object("retexture")

        def rig():  # type: ignore[no-untyped-def]
            select_only(results["retexture"])
            run_step(ops.rig, log_path, height_meters=HEIGHT_METERS)
            return newest_object("rigging", "ARMATURE")

        for index, run in enumerate((views, model, remesh, retexture, rig)):
            step(index, run)
        view_pngs = []
        for index, image in enumerate(results["views"]):
            path = out / f"view_{index + 1}.png"
            with quietly(f"save {path.name}"):  # the picture as Meshy sent it (no view transform)
                image.save(filepath=str(path)) if not image.packed_file else image.save_render(str(path))
            view_pngs.append(path)
        blend = out / "demo.blend"

        say(f"rendering the contact sheet: {3 + WALK_FRAMES} pictures with Cycles on the CPU, {args.samples} samples")
        costs = {kind: results[kind + ":credits"] for kind, _, _ in STEPS}
        models = {kind: results[kind] for kind in ("multi-image-to-3d", "remesh", "retexture", "rigging")}
        sheet = make_sheet(out, scene, view_pngs, models, costs, size=args.tile, samples=args.samples, where=where)
        walking = models["rigging"].animation_data.nla_tracks["Walking"].strips[0]
        scene.frame_start, scene.frame_end = int(walking.frame_start), int(walking.frame_end)
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
