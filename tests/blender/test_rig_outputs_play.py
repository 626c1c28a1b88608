"""The emulator's rigging and animation files play in Blender: imported by Blender's own glTF,
FBX and USD importers in a fresh bpy process (rig_probe.py), the armature deforms the mesh.

Runs in the tier-2 interpreters (bpy 5.0 and 4.2), so both make and read the files. Everything
is made and probed once for the module (~15 s); the tests read the report.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from emulator.rigging import animate, rig_character
from emulator.rigging.figure import humanoid, humanoid_glb
from emulator.rigging.skeleton import BONE_NAMES

PROBE = Path(__file__).with_name("rig_probe.py")


class _Notes(logging.Handler):
    def __init__(self):
        super().__init__()
        self.notes: list[dict] = []

    def emit(self, record):
        self.notes.append(record.args[1])


def _png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (128, 128), (200, 60, 40))
    ImageDraw.Draw(img).rectangle([0, 0, 63, 63], fill=(40, 160, 220))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _open_figure_with_loose_bits() -> bytes:
    """An A-pose figure with holes, plus small pieces floating off the body, as image-to-3d leaves them."""
    import trimesh

    parts = [humanoid("a", height=2.0, watertight=False)]
    for where in ([1.6, 0.2, 0.6], [0.0, 1.2, 0.6], [-1.0, 0.6, 0.4]):
        bit = trimesh.creation.icosphere(1, 0.02)
        bit.apply_translation(where)
        parts.append(bit)
    mesh = trimesh.util.concatenate(parts)
    mesh.visual = trimesh.visual.TextureVisuals(material=trimesh.visual.material.PBRMaterial(name="Body"))
    return mesh.export(file_type="glb")


def _mushroom() -> bytes:
    """The emulator's image-to-3d relief of the demo mushroom: not a humanoid, not watertight."""
    from PIL import Image

    from emulator.outputs.relief import relief

    mesh, _ = relief(Image.open(Path(__file__).parents[2] / "tools/demo_assets/mushroom.png"))
    return mesh.export(file_type="glb")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rig")
    handler = _Notes()
    logger = logging.getLogger("emulator.rigging")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        made = {"t": rig_character(humanoid_glb("t", height=1.0), 1.7)}     # alone: its notes come first
        with pytest.MonkeyPatch.context() as env:     # heat weighting skipped: nearest-bone weights
            env.setenv("MESHY_EMULATOR_HEAT_MAX_VERTICES", "1000")
            made["open"] = rig_character(_open_figure_with_loose_bits(), 1.2, texture_png=_png())
        rigged = made["t"]["rigged_character.glb"]
        jobs = {"jump": lambda: animate(rigged, 13, operation="change_fps", fps=24),
                "dead": lambda: animate(rigged, 8, operation="extract_armature"),
                "wave": lambda: animate(rigged, 28, operation="fbx2usdz"),
                "other": lambda: animate(rigged, 100_000)}
        mushroom = _mushroom()
        jobs["mushroom"] = lambda: rig_character(mushroom, 1.0)
        with ThreadPoolExecutor(max_workers=2) as pool:      # two Blender processes at a time
            futures = {label: pool.submit(job) for label, job in jobs.items()}
            made.update({label: future.result() for label, future in futures.items()})
    finally:
        logger.removeHandler(handler)
    wanted = {"t": list(made["t"]), "open": ["rigged_character.glb", "walking.glb", "running.fbx"],
              "mushroom": ["walking.glb"],
              "jump": ["animation.glb", "processed_animation_fps.fbx"],
              "dead": ["animation.fbx", "processed_armature.fbx"], "wave": ["processed.usdz"],
              "other": ["animation.glb"]}
    paths = []
    for label, names in wanted.items():
        for name in names:
            if label in made and name in made[label]:
                path = tmp / f"{label}__{name}"
                path.write_bytes(made[label][name])
                paths.append(str(path))
    out = tmp / "report.json"
    proc = subprocess.run([sys.executable, str(PROBE), str(out), *paths], capture_output=True, timeout=180)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    by_file = {Path(r["file"]).name: r for r in json.loads(out.read_text())}
    return {"files": by_file, "made": made, "notes": handler.notes}


def _clip(entry: dict) -> dict:
    assert "error" not in entry, entry.get("error")
    (clip,) = entry["clips"]
    return clip


def _assert_skinned(entry: dict) -> None:
    assert "error" not in entry, entry.get("error")
    assert entry["armatures"] == 1 and entry["skinned_meshes"] == 1
    assert set(BONE_NAMES) <= set(entry["bones"])
    assert entry["vertex_groups"] >= len(BONE_NAMES)
    assert entry["weighted_vertices"] == entry["vertices"] > 1000
    assert 2 <= entry["max_influences"] <= 4                 # smooth joints, and what glTF carries


def _assert_plays(clip: dict, height: float, loops: bool = True) -> None:
    assert clip["rest_offset"] < 1e-4 * height            # at rest the skin is exactly the mesh
    assert clip["max_move"] > 0.15 * height               # a limb travels
    assert clip["mean_move"] > 0.02 * height              # and the body as a whole moves
    if loops:
        assert clip["loop_gap"] < 1e-3 * height


@pytest.mark.parametrize("name", ["rigged_character.glb", "rigged_character.fbx"])
def test_rigged_character_is_an_armature_with_the_skinned_mesh(report, name):
    entry = report["files"][f"t__{name}"]
    _assert_skinned(entry)
    assert entry["actions"] == []
    assert entry["materials"] == ["Body"]


@pytest.mark.parametrize("ext", ["glb", "fbx"])
def test_walking_and_running_play_and_move_the_mesh(report, ext):
    walk, run = (report["files"][f"t__{stem}.{ext}"] for stem in ("walking", "running"))
    for entry, name in ((walk, "Walking"), (run, "Running")):
        _assert_skinned(entry)
        clip = _clip(entry)
        assert clip["name"].endswith(name) or clip["name"].startswith(name)
        _assert_plays(clip, 1.7)
        assert clip["height"] == pytest.approx(1.7, abs=0.005) and abs(clip["min_z"]) < 1e-3
    fps = walk["fps"]
    walk_clip, run_clip = _clip(walk), _clip(run)
    assert (walk_clip["end"] - walk_clip["start"]) / fps == pytest.approx(1.0, abs=0.05)
    assert (run_clip["end"] - run_clip["start"]) / fps == pytest.approx(0.7, abs=0.05)
    assert run_clip["max_move"] > walk_clip["max_move"]


@pytest.mark.parametrize("name", ["walking.glb", "walking.fbx", "running.glb", "running_armature.glb"])
def test_the_character_faces_minus_y_and_swings_opposite_limbs(report, name):
    entry = report["files"][f"t__{name}"]
    rest = entry["rest"]
    assert rest["LeftToeBase"][1] < rest["LeftFoot"][1] - 0.05          # toes point to -Y: it faces -Y
    assert rest["LeftHand"][0] > 0.3 > -0.3 > rest["RightHand"][0]      # its left hand is on +X
    clip = _clip(entry)
    quarter, three_quarters = clip["at_0.25"], clip["at_0.75"]
    # A quarter into the cycle the left leg is forward and the left arm back; half a cycle on, the reverse.
    assert quarter["LeftFoot"][1] < quarter["RightFoot"][1] - 0.15
    assert quarter["LeftHand"][1] > quarter["RightHand"][1] + 0.05
    assert three_quarters["LeftFoot"][1] > three_quarters["RightFoot"][1] + 0.15
    assert three_quarters["LeftHand"][1] < three_quarters["RightHand"][1] - 0.05
    for pose in (quarter, three_quarters):                            # hands hang below the shoulders
        assert pose["LeftHand"][2] < 0.7 * 1.7 and pose["RightHand"][2] < 0.7 * 1.7


@pytest.mark.parametrize("stem", ["walking", "running"])
def test_armature_files_carry_the_clip_without_the_mesh(report, stem):
    entry = report["files"][f"t__{stem}_armature.glb"]
    assert entry["armatures"] == 1 and entry["skinned_meshes"] == 0
    assert set(BONE_NAMES) <= set(entry["bones"])
    assert _clip(entry)["max_move"] > 0.15 * 1.7


def test_an_open_a_pose_mesh_rigs_with_its_texture_at_the_asked_height(report):
    for name in ("rigged_character.glb", "walking.glb", "running.fbx"):
        entry = report["files"][f"open__{name}"]
        _assert_skinned(entry)
        assert "texture" in entry["images"]
    _assert_plays(_clip(report["files"]["open__walking.glb"]), 1.2)
    assert _clip(report["files"]["open__running.fbx"])["height"] == pytest.approx(1.2, abs=0.005)


def test_heat_weights_and_the_nearest_bone_fallback_both_skin_every_vertex(report):
    assert report["notes"][0]["weights"] == "heat"        # the closed figure
    assert report["notes"][1]["weights"] == "nearest"     # the open one, heat skipped by the setting
    for name in ("t__walking.glb", "open__walking.glb"):
        entry = report["files"][name]
        assert entry["weighted_vertices"] == entry["vertices"]


def test_a_relief_that_is_no_humanoid_still_rigs_and_plays(report):
    entry = report["files"]["mushroom__walking.glb"]
    _assert_skinned(entry)
    clip = _clip(entry)
    assert clip["rest_offset"] < 1e-4 and clip["max_move"] > 0.1 and clip["loop_gap"] < 1e-3


def test_animation_files_play_the_action_with_post_processing(report):
    files, made = report["files"], report["made"]
    jump = _clip(files["jump__animation.glb"])
    assert "Jump_Run" in jump["name"]
    _assert_plays(jump, 1.7)
    fps24 = files["jump__processed_animation_fps.fbx"]
    assert fps24["fps"] == 24
    clip = _clip(fps24)
    assert (clip["end"] - clip["start"]) / 24 == pytest.approx(1.4, abs=0.05)
    _assert_plays(clip, 1.7)

    dead = _clip(files["dead__animation.fbx"])
    assert dead["name"].endswith("Dead") and dead["max_move"] > 1.0       # falls over
    bones_only = files["dead__processed_armature.fbx"]
    assert bones_only["meshes"] == 0 and bones_only["armatures"] == 1
    assert _clip(bones_only)["max_move"] > 0.5

    if "processed.usdz" in made["wave"]:
        usd = files["wave__processed.usdz"]
        _assert_skinned(usd)
        _assert_plays(_clip(usd), 1.7)
    _assert_plays(_clip(files["other__animation.glb"]), 1.7)
