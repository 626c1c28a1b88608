"""The rigging and animation outputs without Blender in this process.

Pure parts (action library, clips, skeleton fit, fallback weights, argument checks) run in
milliseconds. One test runs Blender in a child process (rig once, animate twice, ~5 s) and
reads the GLB files it made with a small glTF reader; the playback in Blender itself is
checked in tests/blender/test_rig_outputs_play.py.
"""

from __future__ import annotations

import importlib.util
import json
import math
import struct
import subprocess
import sys

import numpy as np
import pytest

from emulator.rigging import ANIMATIONS, RIG_FILES, BlenderJobError, animate, rig_character
from emulator.rigging.figure import humanoid, humanoid_glb
from emulator.rigging.library import CONFIRMED, lookup
from emulator.rigging.motions import CLIPS, FAMILIES, clip, mirror
from emulator.rigging.skeleton import BONE_NAMES, fit_skeleton, nearest_bone_weights

HAVE_BPY = importlib.util.find_spec("bpy") is not None
needs_bpy = pytest.mark.skipif(not HAVE_BPY, reason="bpy is not installed in this interpreter")


def blender_axes(mesh) -> np.ndarray:
    """glTF (+Y up, facing +Z) to Blender (+Z up, facing -Y)."""
    v = np.asarray(mesh.vertices)
    return np.column_stack([v[:, 0], -v[:, 2], v[:, 1]])


# --- action library -------------------------------------------------------------------------

def test_library_has_meshy_names_and_a_family_for_each():
    expected = {0: ("Idle", "idle"), 1: ("Walking_Woman", "walk"), 4: ("Attack", "attack"), 8: ("Dead", "die"),
                13: ("Jump_Run", "jump"), 14: ("Run_02", "run"), 16: ("RunFast", "run"),
                22: ("FunnyDancing_01", "dance"), 28: ("Big_Wave_Hello", "wave"), 30: ("Casual_Walk", "walk"),
                92: ("Double_Combo_Attack", "attack"), 96: ("Kung_Fu_Punch", "attack")}
    for action_id, row in expected.items():
        assert ANIMATIONS[action_id] == row
    assert set(range(19)) <= CONFIRMED
    families = {family for _, family in ANIMATIONS.values()}
    assert families == set(FAMILIES)
    assert all(family in CLIPS for family in families)


def test_unknown_ids_animate_generically_and_bad_ids_are_refused():
    assert lookup(100_000) == ("Action_100000", "generic")
    assert 587 not in ANIMATIONS and lookup(587)[1] == "generic"
    for bad in (-1, True, 1.5, "3", None):
        with pytest.raises(ValueError):
            lookup(bad)


# --- clips ----------------------------------------------------------------------------------

@pytest.mark.parametrize("family", FAMILIES)
def test_every_clip_is_finite_closed_and_moves(family):
    c = clip(family)
    first, last = c.pose(0.0), c.pose(1.0)
    assert set(first) | set(c.pose(0.37)) <= set(BONE_NAMES)
    for t in np.linspace(0, 1, 41):
        for spec in c.pose(float(t)).values():
            for value in spec.values():
                for number in (value if isinstance(value, tuple) else (value,)):
                    assert math.isfinite(number)
    # Loops end where they start, and so do the one-shots, back at the standing pose; except dying.
    if family == "die":
        assert first["Hips"]["x"] == 0 and last["Hips"]["x"] < -60     # ends on its back
    else:
        for bone in first:
            for key, value in first[bone].items():
                assert np.allclose(value, last[bone][key], atol=1e-6), (family, bone, key)
    # Something changes within the clip by a visible angle.
    def angles(t):
        return np.array([float(v) for b in BONE_NAMES for k, v in sorted(c.pose(t).get(b, {}).items())
                         if k != "loc"])
    spread = max(np.abs(angles(t) - angles(0.0)).max() for t in np.linspace(0.05, 0.95, 19))
    assert spread > (2.0 if family == "idle" else 10.0)   # breathing is subtle


def test_running_is_faster_and_bigger_than_walking():
    walk, run = clip("walk"), clip("run")
    assert 0.8 <= walk.duration <= 1.2 and run.duration < walk.duration and walk.loop and run.loop
    def swing(c, bone):
        return max(abs(c.pose(t)[bone]["x"] - c.pose(t + 0.5)[bone]["x"]) for t in np.linspace(0, 0.5, 11))
    for bone in ("LeftUpLeg", "RightArm"):
        assert swing(run, bone) > 1.4 * swing(walk, bone) > 0
    # Legs half a cycle apart, arms against the legs on the same side.
    p = walk.pose(0.25)
    assert p["LeftUpLeg"]["x"] < 0 < p["RightUpLeg"]["x"]     # left leg forward, right back
    assert p["LeftArm"]["x"] > 0 > p["RightArm"]["x"]         # left arm back, right forward
    assert clip("no-such-family") is CLIPS["generic"]


def test_mirror_flips_sideways_axes_only():
    assert mirror({"x": 10, "y": 5, "z": -3, "loc": (0.1, 0.2, 0.3)}) == {"x": 10, "y": -5, "z": 3,
                                                                        "loc": (-0.1, 0.2, 0.3)}


# --- skeleton fit ---------------------------------------------------------------------------

@pytest.mark.parametrize("pose", ["t", "a"])
def test_skeleton_fits_the_figure(pose):
    height = 1.7
    mesh = humanoid(pose, height)
    bones = {b.name: b for b in fit_skeleton(blender_axes(mesh), mesh.faces)}
    assert set(bones) == set(BONE_NAMES)
    head = {n: np.array(b.head) for n, b in bones.items()}
    h = height
    # The figure (figure.py, in units of its height): legs at x=±0.085 from 0.50 down to 0.055,
    # shoulders at (±0.15, 0.80), hands at (±0.52, 0.80) in T-pose or (±0.41, 0.54) in A-pose.
    assert abs(head["LeftUpLeg"][0] - 0.085 * h) < 0.03 * h and abs(head["RightUpLeg"][0] + 0.085 * h) < 0.03 * h
    assert 0.42 * h < head["LeftUpLeg"][2] < 0.55 * h
    assert abs(head["LeftLeg"][2] - 0.27 * h) < 0.05 * h
    assert head["LeftFoot"][2] < 0.08 * h and bones["LeftToeBase"].tail[1] < head["LeftFoot"][1] - 0.05 * h
    assert 0.75 * h < head["LeftArm"][2] < 0.85 * h and 0.08 * h < head["LeftArm"][0] < 0.17 * h
    hand = (0.52, 0.80) if pose == "t" else (0.41, 0.54)
    for side, sign in (("Left", 1), ("Right", -1)):
        tip = np.array(bones[side + "Hand"].tail)
        assert abs(tip[0] - sign * hand[0] * h) < 0.05 * h and abs(tip[2] - hand[1] * h) < 0.05 * h
        assert np.array(bones[side + "Hand"].head)[0] * sign > head[side + "ForeArm"][0] * sign > 0
    assert bones["Head"].tail[2] == pytest.approx(h, abs=0.01) and head["Head"][2] > head["Neck"][2]
    assert bones["Hips"].parent is None and bones["LeftForeArm"].parent == "LeftArm" and bones["LeftForeArm"].connected
    for b in bones.values():
        assert np.linalg.norm(np.subtract(b.tail, b.head)) > 0.01 * h


def test_skeleton_fit_survives_shapes_that_are_not_humanoid():
    import trimesh

    for mesh in (trimesh.creation.icosphere(3), trimesh.creation.box([0.3, 0.3, 2.0]), trimesh.creation.cone(0.5, 1)):
        v = np.asarray(mesh.vertices) - [0, 0, mesh.bounds[0][2]]
        bones = fit_skeleton(v, mesh.faces)
        assert {b.name for b in bones} == set(BONE_NAMES)
    with pytest.raises(ValueError):
        fit_skeleton(np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0.0]]), np.array([[0, 1, 2]]))


def test_nearest_bone_weights_follow_the_bones():
    heads = np.array([[0, 0, 1.0], [0.1, 0, 0.9]])
    tails = np.array([[0, 0, 1.5], [0.1, 0, 0.1]])
    pts = np.array([[0.0, 0.05, 1.2], [0.12, 0, 0.4], [0.05, 0, 0.95]])
    w = nearest_bone_weights(pts, heads, tails)
    assert np.allclose(w.sum(axis=1), 1)
    assert w[0, 0] > 0.95 and w[1, 1] > 0.95 and 0.05 < w[2, 0] < 0.95


# --- the public functions' guards -----------------------------------------------------------

def test_bad_arguments_are_value_errors_before_any_process():
    with pytest.raises(ValueError):
        rig_character(b"")
    for height in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            rig_character(b"glTF", height_meters=height)
    with pytest.raises(ValueError):
        animate(b"glTF", 0, operation="explode")
    with pytest.raises(ValueError):
        animate(b"glTF", 0, operation="change_fps")
    with pytest.raises(ValueError):
        animate(b"glTF", 0, fps=23)
    with pytest.raises(ValueError):
        animate(b"glTF", -3)


def test_importing_the_package_does_not_import_bpy():
    code = "import sys, emulator.rigging as r; r.ANIMATIONS; sys.exit('bpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=_root()).returncode == 0


def test_an_interpreter_without_bpy_is_one_clear_runtime_error(monkeypatch, tmp_path):
    no_bpy = tmp_path / "python-without-bpy"
    no_bpy.write_text(f"#!/bin/sh\nexec {sys.executable} -S -I \"$@\"\n")   # no site-packages: no bpy
    no_bpy.chmod(0o755)
    monkeypatch.setenv("MESHY_EMULATOR_BPY_PYTHON", str(no_bpy))
    with pytest.raises(RuntimeError, match=r"^Rigging failed: Blender's bpy module is not importable"):
        rig_character(humanoid_glb())


def test_a_missing_blender_binary_is_one_clear_runtime_error(monkeypatch, tmp_path):
    monkeypatch.setenv("MESHY_EMULATOR_BLENDER", str(tmp_path / "no-blender"))
    with pytest.raises(BlenderJobError, match="could not start Blender"):
        animate(b"glTF", 0)


@needs_bpy
def test_timeout_and_garbage_end_in_one_sentence():
    with pytest.raises(BlenderJobError, match=r"^Rigging did not finish within 0.2 s\.$"):
        rig_character(humanoid_glb(), timeout=0.2)
    with pytest.raises(BlenderJobError, match=r"^Rigging failed: the model could not be read as GLB .*\.$"):
        rig_character(b"glTF but not really")


@needs_bpy
def test_models_that_cannot_be_rigged_or_animated_say_why():
    doc = json.dumps({"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}],
                      "nodes": [{"name": "just an empty"}]}).encode()
    doc += b" " * (-len(doc) % 4)
    empty = b"glTF" + struct.pack("<II", 2, 20 + len(doc)) + struct.pack("<I", len(doc)) + b"JSON" + doc
    with pytest.raises(BlenderJobError, match=r"^Rigging failed: the model has no mesh to rig\.$"):
        rig_character(empty)
    with pytest.raises(BlenderJobError, match=r"^Rigging failed: the texture image could not be read as a PNG\.$"):
        rig_character(humanoid_glb(), texture_png=b"\x89PNG but truncated")
    with pytest.raises(BlenderJobError, match=r"^Animation failed: the model has no armature, so it is not a rigged"):
        animate(humanoid_glb(), 0)


# --- real outputs, read back as glTF ---------------------------------------------------------

def read_glb(data: bytes) -> tuple[dict, bytes]:
    assert data[:4] == b"glTF" and struct.unpack("<I", data[4:8])[0] == 2
    length = struct.unpack("<I", data[12:16])[0]
    doc = json.loads(data[20:20 + length])
    binary = data[20 + length + 8:]
    return doc, binary


def accessor(doc: dict, binary: bytes, index: int) -> np.ndarray:
    acc = doc["accessors"][index]
    view = doc["bufferViews"][acc["bufferView"]]
    width = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}[acc["type"]]
    dtype = {5126: np.float32, 5125: np.uint32, 5123: np.uint16, 5121: np.uint8}[acc["componentType"]]
    start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    count = acc["count"] * width
    stride = view.get("byteStride")
    if stride and stride != width * np.dtype(dtype).itemsize:
        raise AssertionError("interleaved buffers are not expected from Blender's exporter")
    return np.frombuffer(binary, dtype=dtype, count=count, offset=start).reshape(acc["count"], width)


def clip_seconds(doc, binary, animation) -> float:
    return max(float(accessor(doc, binary, s["input"]).max()) for s in animation["samplers"])


@needs_bpy
def test_rig_and_animate_make_real_skinned_files():
    files = rig_character(humanoid_glb("t", height=1.0), height_meters=1.7)
    assert set(files) == set(RIG_FILES)
    for name, data in files.items():
        assert data[:4] == b"glTF" if name.endswith(".glb") else data.startswith(b"Kaydara FBX Binary")

    doc, binary = read_glb(files["rigged_character.glb"])
    assert "animations" not in doc
    (skin,) = doc["skins"]
    assert {doc["nodes"][j]["name"] for j in skin["joints"]} == set(BONE_NAMES)
    (mesh,) = doc["meshes"]
    attributes = mesh["primitives"][0]["attributes"]
    assert {"JOINTS_0", "WEIGHTS_0", "POSITION"} <= set(attributes)
    weights = accessor(doc, binary, attributes["WEIGHTS_0"]).astype(float)
    assert np.allclose(weights.sum(axis=1), 1, atol=0.01)
    pos = accessor(doc, binary, attributes["POSITION"])
    assert pos[:, 1].min() == pytest.approx(0, abs=1e-4) and pos[:, 1].max() == pytest.approx(1.7, abs=1e-3)

    for stem, seconds in (("walking", 1.0), ("running", 0.7)):
        doc, binary = read_glb(files[stem + ".glb"])
        (anim,) = doc["animations"]
        assert anim["name"] == stem.capitalize()
        targets = {doc["nodes"][c["target"]["node"]]["name"] for c in anim["channels"]}
        assert {"Hips", "LeftUpLeg", "RightLeg", "LeftArm"} <= targets
        assert clip_seconds(doc, binary, anim) == pytest.approx(seconds, abs=0.02)
        assert len(doc["meshes"]) == 1
        doc, _ = read_glb(files[stem + "_armature.glb"])
        assert "meshes" not in doc and len(doc["animations"]) == 1 and len(doc["skins"]) == 1

    dance = animate(files["rigged_character.glb"], 22)
    assert set(dance) == {"animation.glb", "animation.fbx"}
    doc, binary = read_glb(dance["animation.glb"])
    assert [a["name"] for a in doc["animations"]] == ["FunnyDancing_01"] and len(doc["meshes"]) == 1
    assert clip_seconds(doc, binary, doc["animations"][0]) == pytest.approx(2.0, abs=0.02)

    bones_only = animate(files["rigged_character.glb"], 92, operation="extract_armature")
    assert set(bones_only) == {"animation.glb", "animation.fbx", "processed_armature.fbx"}
    assert b"Character\x00\x01Model" in bones_only["animation.fbx"]          # the mesh object
    assert b"Character\x00\x01Model" not in bones_only["processed_armature.fbx"]
    assert b"Double_Combo_Attack" in bones_only["processed_armature.fbx"]    # the take


def _root() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent)
