"""Screenshots of the Meshy sidebar in a real Blender GUI (blender-sid), and a draw check.

For each state a fresh emulator runs on this machine's loopback and Blender
(Debian sid, 5.2) starts on a virtual screen with the add-on loaded from the
checkout (``/project`` linked into an extension repository), set up by
``GUI_SCRIPT`` below; then the screen is saved to docs/screenshots/. Blender's
output is searched for Python tracebacks: a draw error prints one there.

    python tools/screenshots.py             # all shots into docs/screenshots/
    python tools/screenshots.py --check     # also fail on any traceback; prints a JSON summary
    python tools/screenshots.py running     # only some states
    python tools/screenshots.py --language ja_JP tour   # the Interface language (file: sidebar_ja_JP.png)
    python tools/screenshots.py --languages             # tour in every language, and sidebar_languages.png

Needs root and ``blender-sid setup``. Pillow and sseclient for Blender's
Python 3.14 come from wheels/ (``make build`` fetches them), installed once
into /opt/meshy-site inside the chroot.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from sid_common import BLENDER_SID as SID  # noqa: E402
from sid_common import SID_ROOT, ensure_cjk_font  # noqa: E402

SITE = "/opt/meshy-site"
KEY = "msy_dummy_api_key_for_test_mode_12345678"

#: state -> (screenshot name or "", seconds to wait, emulator args, extra Blender args)
STATES: dict[str, tuple[str, int, list[str], list[str]]] = {
    "no_task": ("sidebar_no_key.png", 14, [], []),
    "running": ("sidebar_two_tasks_running.png", 26, ["--pending-seconds", "3", "--run-seconds", "90"], []),
    "done": ("retexture_material_preview.png", 60, ["--pending-seconds", "0.2", "--run-seconds", "1"], []),
    "history": ("history_thumbnails.png", 36, ["--pending-seconds", "0.1", "--run-seconds", "0.5"], []),
    "failed": ("error_not_enough_credits.png", 20, ["--balance", "12"], []),
    "offline": ("sidebar_offline.png", 14, [], ["--offline-mode"]),
    # results of a batch with --asset-library (written by this Blender 5.2), in the Asset Browser
    "asset_browser": ("asset_browser.png", 24, ["--pending-seconds", "0.1", "--run-seconds", "0.4"], []),
    # one of everything for the languages: the account, a Remesh with its options and cost, a running task
    "tour": ("sidebar.png", 24, ["--pending-seconds", "2", "--run-seconds", "300"], []),
    "rigged": ("rig_walking.png", 45, ["--pending-seconds", "0.2", "--run-seconds", "1"], []),
}
_QUICK = ["--pending-seconds", "0.2", "--run-seconds", "1"]
STATES.update({  # the kinds from words and views
    "text_to_3d_preview": ("text_to_3d_preview.png", 50, _QUICK, []),
    "text_to_3d_refined": ("text_to_3d_refined.png", 55, _QUICK, []),
    "multi_image": ("multi_image_to_3d.png", 60, _QUICK, []),
    "text_to_image": ("text_to_image.png", 50, _QUICK, []),
})
#: Languages for --language (Blender's locale ids) and the fonts they need (Blender's own CJK font covers both).
LANGUAGES = ("en_US", "ja_JP", "zh_HANS")
#: Where the sidebar is on the 1600x900 screen (factory layout): the README's side-by-side picture.
SIDEBAR_BOX = (1020, 80, 1290, 720)

GUI_SCRIPT = r'''
import sys, os, shutil, time, traceback
import bpy, addon_utils

args = dict(a.split("=", 1) for a in sys.argv[sys.argv.index("--") + 1:])
STATE, URL = args["state"], args["url"]
if args.get("lang"):  # before anything is drawn; Blender switches its fonts and the add-on's catalogs with it
    bpy.context.preferences.view.language = args["lang"]
    for flag in ("use_translate_interface", "use_translate_tooltips", "use_translate_reports"):
        setattr(bpy.context.preferences.view, flag, True)
if args.get("font"):  # a Blender without its own CJK font: the system's, as the interface font
    bpy.context.preferences.view.font_path_ui = args["font"]
if STATE != "offline":  # the preference, not --online-mode, which also syncs online asset libraries
    bpy.context.preferences.system.use_online_access = True
REPO = "meshy_gui"
MOD = f"bl_ext.{REPO}.meshy_tools"
repo_dir = "/tmp/meshy-gui-repo"
os.makedirs(repo_dir, exist_ok=True)
if not os.path.exists(repo_dir + "/meshy_tools"):
    os.symlink("/project", repo_dir + "/meshy_tools")
repos = bpy.context.preferences.extensions.repos
if REPO not in {r.module for r in repos}:
    repos.new(name=REPO, module=REPO, custom_directory=repo_dir, source="USER")
addon_utils.enable(MOD, default_set=True)
prefs = bpy.context.preferences.addons[MOD].preferences
prefs.base_url = URL
prefs.api_key = "" if STATE == "no_task" else args["key"]
prefs.download_dir = "/tmp/meshy-gui/downloads"
shutil.rmtree("/tmp/meshy-gui", ignore_errors=True)
user = sys.modules[MOD + ".preferences"].user_dir()
for name in ("journal.jsonl", "thumbnails"):
    shutil.rmtree(user / name, ignore_errors=True) if (user / name).is_dir() else (user / name).unlink(missing_ok=True)
rt = sys.modules[MOD + ".runtime"].service()
panels = sys.modules[MOD + ".panels"]

OPEN = {
    "no_task": {"account", "remesh"},
    "running": {"account", "tasks"},
    "done": {"account", "retexture", "tasks"},
    "history": {"account", "history"},
    "failed": {"account", "image_to_3d", "tasks"},
    "offline": {"account", "remesh"},
    "text_to_3d_preview": {"text_to_3d"},
    "text_to_3d_refined": {"tasks"},
    "multi_image": {"multi_image_to_3d", "tasks"},
    "text_to_image": {"text_to_image", "tasks"},
    "tour": {"account", "remesh", "tasks"},
    "rigged": {"rigging", "animations", "tasks"},
    "asset_browser": set(),
}[STATE]
# Which panels start open is the screenshot's choice: re-register with that default.
for cls in panels.classes:
    if cls.__name__.startswith("VIEW3D_PT_meshy_"):
        bpy.utils.unregister_class(cls)
        cls.bl_options = set() if cls.__name__[16:] in OPEN else {"DEFAULT_CLOSED"}
        bpy.utils.register_class(cls)

scene = bpy.context.scene
win = bpy.context.window_manager.windows[0]
area = next(a for a in win.screen.areas if a.type == "VIEW_3D")
region = next(r for r in area.regions if r.type == "WINDOW")


def ctx():
    return bpy.context.temp_override(window=win, area=area, region=region)


def select(*objs):
    for o in scene.objects:
        o.select_set(o in objs)
    bpy.context.view_layer.objects.active = objs[0]


def png(path, colour):
    img = bpy.data.images.new(os.path.basename(path), 64, 64)
    img.pixels = [c for _ in range(64 * 64) for c in (*colour, 1.0)]
    img.filepath_raw, img.file_format = path, "PNG"
    img.save()
    return img


def run(kind, **opts):
    group = getattr(scene, "meshy_" + kind.lower())
    for k, v in opts.items():
        setattr(group, k, v)
    with ctx():
        bpy.ops.meshy.run("EXEC_DEFAULT", kind=kind)


def wait_for(pred, then, every=0.5, limit=60):
    start = time.time()
    def check():
        if pred() or time.time() - start > limit:
            then()
            return None
        return every
    bpy.app.timers.register(check, first_interval=every)


def sidebar():
    space = area.spaces.active
    space.show_region_ui = True
    def tab():
        ui = next(r for r in area.regions if r.type == "UI")
        ui.active_panel_category = "Meshy"
    bpy.app.timers.register(lambda: (tab(), None)[1], first_interval=0.3)


def made(kind, stage=None):
    return [o for o in scene.objects
            if o.get("meshy_kind") == kind and (stage is None or o.get("meshy_stage") == stage)]


def look_at(objs, shading="SOLID"):
    if objs:
        area.spaces.active.shading.type = shading
        select(*objs)
        with ctx():
            bpy.ops.view3d.view_selected()


def image_editor(image):
    """The Properties editor becomes an Image Editor showing ``image`` (the 3D Viewport keeps the sidebar)."""
    props = next(a for a in win.screen.areas if a.type in ("PROPERTIES", "IMAGE_EDITOR"))
    props.type = "IMAGE_EDITOR"
    props.spaces.active.image = image
    def fit():
        region = next(r for r in props.regions if r.type == "WINDOW")
        with bpy.context.temp_override(window=win, area=props, region=region):
            bpy.ops.image.view_all(fit_view=True)
    bpy.app.timers.register(lambda: (fit(), None)[1], first_interval=0.5)


def text_images():
    return sorted((i for i in bpy.data.images if i.get("meshy_kind") == "text-to-image"), key=lambda i: i.name)


def more_kinds():
    """The states of Text to 3D, Multi-Image to 3D and Text to Image."""
    from mathutils import Euler

    bpy.data.objects.remove(scene.objects["Cube"])
    if STATE == "text_to_3d_preview":
        run("TEXT_TO_3D", prompt="a small red mushroom")
        def show():
            look_at(made("text-to-3d"))
            group = scene.meshy_text_to_3d
            group.enable_pbr, group.texture_prompt = True, "glossy red cap with white spots"
        wait_for(lambda: made("text-to-3d"), show)
    elif STATE == "text_to_3d_refined":
        run("TEXT_TO_3D", prompt="a small red mushroom", refine=True, enable_pbr=True,
            texture_prompt="glossy red cap with white spots")
        wait_for(lambda: made("text-to-3d", "refine"), lambda: look_at(made("text-to-3d"), "MATERIAL"), limit=90)
    elif STATE == "multi_image":
        run("TEXT_TO_IMAGE", prompt="a knight in armour", generate_multi_view=True)
        def views():
            for image in text_images():
                scene.meshy_multi_image_to_3d.image_names.add().name = image.name
            image_editor(text_images()[0])
            run("MULTI_IMAGE_TO_3D")
            def front():
                look_at(made("multi-image-to-3d"), "MATERIAL")
                region.data.view_rotation = Euler((1.35, 0.0, 0.35)).to_quaternion()  # front, a little turned
                with ctx():
                    bpy.ops.view3d.view_selected()
            wait_for(lambda: made("multi-image-to-3d"), front)
        wait_for(lambda: len(text_images()) >= 3, views)
    elif STATE == "text_to_image":
        run("TEXT_TO_IMAGE", prompt="a blue ceramic teapot, studio light", alpha_thumbnail=True)
        wait_for(lambda: text_images(), lambda: image_editor(text_images()[0]))


def asset_browser():
    """The big area as the Asset Browser, on the batch's library (registered here, as a user does once)."""
    libs = bpy.context.preferences.filepaths.asset_libraries
    if "Meshy Results" not in libs:
        libs.new(name="Meshy Results", directory=args["library"])
    area.ui_type = "ASSETS"
    def show():
        space = area.spaces.active
        params = space.params
        try:
            params.asset_library_reference = "Meshy Results"
        except TypeError:
            print("asset library enum:", [i.identifier for i in params.bl_rna.properties["asset_library_reference"]
                                           .enum_items])
            raise
        params.catalog_id = args["catalog"]
        if "display_size" in params.bl_rna.properties and params.bl_rna.properties["display_size"].type == "INT":
            params.display_size = 160
        space.show_region_toolbar = True  # the catalog tree
        area.tag_redraw()
    bpy.app.timers.register(lambda: (show(), None)[1], first_interval=1.0)


def stage():
    if STATE in ("text_to_3d_preview", "text_to_3d_refined", "multi_image", "text_to_image"):
        try:
            sidebar()
            more_kinds()
        except Exception:
            traceback.print_exc()
        return None
    try:
        if STATE == "asset_browser":
            asset_browser()
            return None
        sidebar()
        cube = scene.objects.get("Cube")
        if STATE == "tour":
            select(cube)
            run("REMESH", target_polycount=8000, topology="QUAD")
        elif STATE in ("running",):
            bpy.ops.mesh.primitive_monkey_add(location=(3, 0, 0))
            monkey = bpy.context.object
            monkey.name = "Suzanne"
            select(cube)
            run("REMESH", target_polycount=2000)
            select(monkey)
            run("RETEXTURE", text_style_prompt="weathered bronze statue")
        elif STATE == "done":
            bpy.data.objects.remove(cube)
            bpy.ops.mesh.primitive_monkey_add()
            monkey = bpy.context.object
            monkey.name = "Suzanne"
            select(monkey)
            run("RETEXTURE", text_style_prompt="mossy stone with red lichen", enable_pbr=True)
            def show():
                space = area.spaces.active
                space.shading.type = "MATERIAL"
                names = [n for e in rt.tasks.values() for n in e.objects]
                result = [scene.objects[n] for n in names if n in scene.objects]
                if result:
                    select(*result)
                    with ctx():
                        bpy.ops.view3d.view_selected()
            wait_for(lambda: any(e.state == "imported" for e in rt.tasks.values()), show)
        elif STATE == "history":
            select(cube)
            for n in (800, 1500, 3000):
                run("REMESH", target_polycount=n)
            def listing():
                bpy.context.window_manager.meshy_history.kind = "REMESH"
                with ctx():
                    bpy.ops.meshy.history_page(kind="REMESH", page=1, page_size=10)
            wait_for(lambda: rt.tasks and all(not e.active for e in rt.tasks.values()), listing)
        elif STATE == "rigged":  # a character (the emulator's figure, written by shoot()) rigged, mid-walk
            bpy.data.objects.remove(cube)
            bpy.ops.import_scene.gltf(filepath=args["figure"])
            hero = next(o for o in bpy.context.selected_objects if o.type == "MESH")
            hero.name = "Hero"
            select(hero)
            run("RIGGING", height_meters=1.8)
            def pose():
                rig = next(o for o in scene.objects if o.type == "ARMATURE")
                rig.show_in_front = True
                select(rig)
                scene.meshy_animations.action = "Walking_Woman"
                scene.frame_set(8)  # a quarter into the walk: the left leg forward, the right arm forward
                space = area.spaces.active
                space.shading.type = "SOLID"
                space.overlay.show_floor = True
                with ctx():
                    bpy.ops.view3d.view_axis(type="RIGHT")
                    bpy.ops.view3d.view_selected()
                    bpy.ops.view3d.view_orbit(angle=0.6, type="ORBITLEFT")
            wait_for(lambda: any(e.state == "imported" for e in rt.tasks.values()), pose)
        elif STATE == "failed":
            png("/tmp/meshy-gui-chair.png", (0.8, 0.3, 0.1))
            scene.meshy_image_to_3d.image_path = "/tmp/meshy-gui-chair.png"
            run("IMAGE_TO_3D")
            # a second attempt after the balance is known shows the cost warning too
            with ctx():
                bpy.ops.meshy.refresh_account()
    except Exception:
        traceback.print_exc()
    return None


bpy.app.timers.register(stage, first_interval=1.5)
'''


LIBRARY_SCRIPT = r'''
import sys, os, addon_utils, bpy
args = dict(a.split("=", 1) for a in sys.argv[sys.argv.index("--") + 1:])
bpy.context.preferences.system.use_online_access = True
repo_dir = "/tmp/meshy-lib-repo"
os.makedirs(repo_dir, exist_ok=True)
if not os.path.exists(repo_dir + "/meshy_tools"):
    os.symlink("/project", repo_dir + "/meshy_tools")
repos = bpy.context.preferences.extensions.repos
if "meshy_lib" not in {r.module for r in repos}:
    repos.new(name="meshy_lib", module="meshy_lib", custom_directory=repo_dir, source="USER")
addon_utils.enable("bl_ext.meshy_lib.meshy_tools", default_set=True)
import importlib
batch = importlib.import_module("bl_ext.meshy_lib.meshy_tools.batch")
os.environ["MESHY_BASE_URL"] = args["url"]
code = 0
for i, run in enumerate(args["runs"].split(";")):  # one batch per prompt: the second ones append to the library
    prompt, inputs = run.split("|")
    code = code or batch.main(["image-to-3d", *inputs.split(","), "--out", f"{args['out']}{i}", "--asset-library",
                               args["library"], "--texture-prompt", prompt, "--quiet"])
print("LIBRARY_EXIT", code)
sys.exit(code)
'''


def build_library(url: str, work: Path) -> tuple[str, str]:
    """A batch with --asset-library in Blender 5.2 (background), on images of our own; -> (library, catalog id)."""
    from PIL import Image, ImageDraw

    shapes = {  # silhouettes the emulator lifts into a relief; the prompt picks the colours
        "toadstool": lambda d: (d.ellipse((14, 10, 82, 50), fill=(200, 40, 40)), d.rectangle((38, 46, 58, 86), fill=0)),
        "lantern": lambda d: d.rectangle((28, 12, 68, 84), fill=(230, 170, 40)),
        "crystal": lambda d: d.polygon([(48, 6), (80, 48), (48, 90), (16, 48)], fill=(90, 120, 230)),
        "cactus": lambda d: (d.rectangle((40, 10, 56, 88), fill=0), d.rectangle((18, 34, 78, 48), fill=0)),
    }
    paths = {}
    for name, draw in shapes.items():
        img = Image.new("RGB", (96, 96), (245, 245, 245))
        draw(ImageDraw.Draw(img))
        img.save(work / f"{name}.png")
        paths[name] = f"/project/{(work / f'{name}.png').relative_to(ROOT)}"
    runs = [("red toadstool with white spots", ["toadstool", "lantern"]),
            ("blue glowing crystal", ["crystal"]), ("green spiky cactus", ["cactus"])]
    runs_arg = ";".join(f"{prompt}|{','.join(paths[n] for n in names)}" for prompt, names in runs)
    (work / "library_setup.py").write_text(LIBRARY_SCRIPT)
    rel = work.relative_to(ROOT)
    env = {**os.environ, "PYTHONPATH": SITE, "MESHY_API_KEY": KEY}
    done = subprocess.run([str(SID), "run", "blender", "-b", "--factory-startup", "--python-use-system-env",
                           "--python", f"/project/{rel}/library_setup.py", "--", f"url={url}",
                           f"runs={runs_arg}", f"out=/project/{rel}/out", f"library=/project/{rel}/library"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if "LIBRARY_EXIT 0" not in done.stdout or not (work / "library" / "meshy_results.blend").is_file():
        sys.exit(f"screenshots: the asset library batch failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    import uuid

    catalog = str(uuid.uuid5(uuid.UUID("6f1c5d2e-5a0b-4f43-9c7e-3b8e2d4a9f10"), "meshy_tools/image-to-3d"))
    return f"/project/{rel}/library", catalog


def ensure_site() -> None:
    """Pillow and sseclient for the chroot's Python 3.14, from the local wheels."""
    if (SID_ROOT / SITE.lstrip("/") / "PIL").is_dir():
        return
    wheels = [str(p.relative_to(ROOT)) for p in (ROOT / "wheels").glob("*.whl")
              if "cp314-cp314-manylinux" in p.name or p.name.startswith("sseclient")]
    if len(wheels) < 2:
        sys.exit("screenshots: wheels/ lacks the cp314 Pillow or sseclient wheel; run make build first")
    subprocess.run([str(SID), "run", "python3", "-m", "pip", "install", "-q", "--break-system-packages",
                    "--no-index", "--target", SITE, *[f"/project/{w}" for w in wheels]], cwd=ROOT, check=True)


def start_emulator(extra: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "python"), "-m", "emulator", "--port", "0", *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def shot_name(state: str, language: str = "") -> str:
    name = STATES[state][0]
    return f"{name[:-4]}_{language}.png" if language else name


def shoot(state: str, out_dir: Path, script: Path, language: str = "", font: str = "") -> tuple[str, int]:
    """One state: returns (Blender's log, number of tracebacks in it)."""
    _, secs, emu_args, blender_args = STATES[state]
    name = shot_name(state, language)
    emu, url = start_emulator(emu_args)
    extra: list[str] = []
    try:
        if state == "asset_browser":
            library, catalog = build_library(url, script.parent)
            extra = [f"library={library}", f"catalog={catalog}"]
        env = {**os.environ, "PYTHONPATH": SITE}
        env.pop("MESHY_API_KEY", None)
        env.pop("MESHY_BASE_URL", None)
        xdo = script.parent / "xdo.txt"
        # dismiss the splash (Escape), then rest the mouse away from the sidebar
        xdo.write_text("key Escape\nsleep 1\nmousemove 60 600\nsleep 1\nkey Escape\nmousemove 700 450\nsleep 2\n")
        env["BLENDER_SID_XDO"] = str(xdo)
        shot = (out_dir / name).relative_to(ROOT)
        if state == "rigged":  # the character to rig: the emulator's humanoid figure, made here (trimesh)
            sys.path.insert(0, str(ROOT))
            from emulator.rigging.figure import humanoid_glb

            (script.parent / "hero.glb").write_bytes(humanoid_glb("a", height=1.0))
            extra.append(f"figure=/project/{(script.parent / 'hero.glb').relative_to(ROOT)}")
        cmd = [str(SID), "gui", str(shot), str(secs), "--factory-startup", "--python-use-system-env",
               *blender_args, "--python", f"/project/{script.relative_to(ROOT)}", "--",
               f"state={state}", f"url={url}", f"key={KEY}", f"lang={language}", f"font={font}", *extra]
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=secs + 120)
    finally:
        emu.terminate()
        emu.wait(timeout=10)
    log = (SID_ROOT / "tmp" / "blender-gui.log").read_text(errors="replace")
    return log, log.count("Traceback")


def side_by_side(shots: list[Path], out: Path) -> None:
    """The sidebars of ``shots`` next to each other (Pillow, from the dev venv)."""
    from PIL import Image

    crops = [Image.open(path).convert("RGB").crop(SIDEBAR_BOX) for path in shots]
    gap = 12
    sheet = Image.new("RGB", (sum(c.width for c in crops) + gap * (len(crops) - 1), crops[0].height), (29, 29, 29))
    for i, crop in enumerate(crops):
        sheet.paste(crop, (i * (crop.width + gap), 0))
    sheet.save(out)
    print(f"side by side: {out.relative_to(ROOT)}", file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("states", nargs="*", default=[s for s in STATES if s != "tour"])  # tour: --languages
    ap.add_argument("--check", action="store_true", help="fail on any traceback; print a JSON summary")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--language", choices=LANGUAGES, default="",
                    help="Blender's Interface language for the shots (the file name gets _<language>)")
    ap.add_argument("--languages", action="store_true",
                    help="the tour in every language, then their sidebars side by side (sidebar_languages.png)")
    args = ap.parse_args()
    runs = [(lang, ["tour"]) for lang in LANGUAGES] if args.languages else [(args.language, args.states)]
    ensure_site()
    font = ensure_cjk_font()
    font_arg = "" if font.name.endswith(".woff2") else "/" + str(font.relative_to(SID_ROOT))
    args.out = args.out.resolve()
    if not args.out.is_relative_to(ROOT):
        sys.exit(f"screenshots: --out must be inside the checkout ({ROOT}): Blender sees only that, as /project")
    args.out.mkdir(parents=True, exist_ok=True)
    (ROOT / "out").mkdir(exist_ok=True)  # git-ignored; inside the checkout so Blender sees it at /project
    tmp = Path(tempfile.mkdtemp(prefix="gui-", dir=ROOT / "out"))
    script = tmp / "gui_setup.py"
    script.write_text(GUI_SCRIPT)
    total = 0
    try:
        for language, states in runs:
            for state in states:
                log, count = shoot(state, args.out, script, language, font_arg)
                total += count
                print(f"{state}: {shot_name(state, language)} tracebacks={count}", file=sys.stderr)
                if count:
                    print(log[-4000:], file=sys.stderr)
        if args.languages:
            side_by_side([args.out / shot_name("tour", lang) for lang in LANGUAGES], args.out / "sidebar_languages.png")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({"states": [s for _, states in runs for s in states], "tracebacks": total}))
    return 1 if args.check and total else 0


if __name__ == "__main__":
    sys.exit(main())
