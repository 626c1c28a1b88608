"""Procedural motion clips as pure functions of time: no bpy, so they are tested in plain Python.

A clip is a duration and a pose function of the phase t in [0, 1]. A pose maps bone names
(skeleton.BONE_NAMES) to a joint spec in the character's frame (+X its left, +Y behind it,
+Z up), applied relative to the parent as it is at rest:

- ``x``, ``y``, ``z``: rotations in degrees about those axes, composed z·y·x. Positive x bends
  the spine and head forward, swings a leg or a lowered arm backward and bends a knee.
- ``down``: an upper arm first aimed at this angle below horizontal, out to its side
  (0 is a T-pose, 90 hangs it straight down, negative raises it), whatever the rest pose was.
- ``bend``: an elbow bent by this angle, the hand coming forward.
- ``loc``: the hips moved by (x, y, z) in units of the rest hip height.

Right-side joints are the mirror of the left (``mirror`` negates y and z), so each motion is
written once per limb. Looping clips return the same pose at t=0 and t=1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Spec = dict[str, float | tuple[float, float, float]]
Pose = dict[str, Spec]
TAU = 2 * math.pi
FAMILIES = ("idle", "walk", "run", "jump", "dance", "wave", "attack", "die", "generic")


@dataclass(frozen=True)
class Clip:
    family: str
    duration: float          # seconds
    loop: bool
    pose: Callable[[float], Pose]


def mirror(spec: Spec) -> Spec:
    """The same joint motion on the other side of the body."""
    out = dict(spec)
    for axis in ("y", "z"):
        if axis in out:
            out[axis] = -out[axis]
    if "loc" in out:
        x, y, z = out["loc"]
        out["loc"] = (-x, y, z)
    return out


def curve(t: float, points: list[tuple[float, float]]) -> float:
    """Smooth (ease in/out) interpolation through (time, value) points."""
    if t <= points[0][0]:
        return points[0][1]
    for (t0, v0), (t1, v1) in zip(points, points[1:], strict=False):
        if t <= t1:
            u = (t - t0) / (t1 - t0) if t1 > t0 else 1.0
            u = u * u * (3 - 2 * u)
            return v0 + (v1 - v0) * u
    return points[-1][1]


def planted_drop(thigh: float, knee: float) -> float:
    """How far the hips sink (in hip heights) when a leg bends by these angles with the foot down."""
    a = math.radians(thigh)
    b = math.radians(thigh + knee)
    return 1.0 - 0.5 * (math.cos(a) + math.cos(b))


def _leg(thigh: float, knee: float, flat: float = 1.0) -> dict[str, Spec]:
    """Hip, knee and ankle angles; the foot turned back towards flat by `flat` (0..1)."""
    return {"UpLeg": {"x": thigh}, "Leg": {"x": knee}, "Foot": {"x": -flat * (thigh + knee)}}


def _both(pose: Pose, left: dict[str, Spec], right: dict[str, Spec]) -> None:
    for part, spec in left.items():
        pose["Left" + part] = spec
    for part, spec in right.items():
        pose["Right" + part] = mirror(spec)


def _gait(t: float, *, thigh: float, thigh_bias: float, knee: float, knee_base: float, arm: float,
          arm_down: float, elbow: float, elbow_swing: float, bob: float, twist: float, lean: float) -> Pose:
    """A walk or run cycle in place: legs half a cycle apart, arms against the legs."""
    pose: Pose = {}
    limbs = []
    for phase in (0.0, 0.5):
        s, c = math.sin(TAU * (t + phase)), math.cos(TAU * (t + phase) - 0.35)
        th = thigh_bias - thigh * s
        kn = knee_base + knee * max(0.0, c) ** 2
        limb = _leg(th, kn, flat=0.7)
        limb["Arm"] = {"down": arm_down, "x": arm * s}
        limb["ForeArm"] = {"bend": elbow + elbow_swing * max(0.0, -s)}
        limbs.append(limb)
    _both(pose, limbs[0], limbs[1])
    s = math.sin(TAU * t)
    pose["Hips"] = {"z": -twist * s, "x": lean * 0.3, "loc": (0.0, 0.0, bob * math.cos(2 * TAU * t) - bob)}
    pose["Spine"] = {"z": twist * 0.5 * s, "x": lean * 0.4}
    pose["Spine1"] = {"z": twist * 0.4 * s, "x": lean * 0.3}
    pose["Spine2"] = {"z": twist * 0.3 * s}
    pose["Head"] = {"x": -lean * 0.6, "z": -twist * 0.2 * s}
    return pose


def walk(t: float) -> Pose:
    return _gait(t, thigh=24, thigh_bias=-2, knee=50, knee_base=6, arm=20, arm_down=74, elbow=14,
                 elbow_swing=12, bob=0.018, twist=6, lean=4)


def run(t: float) -> Pose:
    return _gait(t, thigh=42, thigh_bias=-10, knee=85, knee_base=16, arm=38, arm_down=66, elbow=80,
                 elbow_swing=15, bob=0.04, twist=10, lean=12)


def idle(t: float) -> Pose:
    b = math.sin(TAU * t)
    sway = math.sin(TAU * t + 1.0)
    pose: Pose = {"Hips": {"y": 1.5 * sway, "loc": (0.012 * sway, 0.0, -0.004 * (1 - b))},
                  "Spine": {"x": -1.2 * b}, "Spine1": {"x": -1.2 * b}, "Spine2": {"x": -1.8 * b},
                  "Neck": {"x": 1.0 * b}, "Head": {"z": 3 * math.sin(TAU * t + 0.3)}}
    arm = {"Arm": {"down": 76 + 2 * b, "x": -3}, "ForeArm": {"bend": 12 + 2 * b}, "UpLeg": {"y": -1.5 * sway}}
    _both(pose, arm, arm)
    return pose


def jump(t: float) -> Pose:
    crouch = curve(t, [(0, 0), (0.28, 1), (0.42, 0), (0.56, 0.35), (0.70, 0), (0.80, 0.8), (1, 0)])
    air = curve(t, [(0.40, 0), (0.55, 0.35), (0.70, 0)])
    reach = curve(t, [(0.25, 0), (0.45, 1), (0.65, 1), (0.85, 0)])
    thigh, knee = -58 * crouch, 105 * crouch
    leg = _leg(thigh, knee)
    leg["Arm"] = {"down": 75, "x": 35 * crouch - 150 * reach}
    leg["ForeArm"] = {"bend": 20 + 10 * crouch}
    pose: Pose = {"Hips": {"x": 8 * crouch, "loc": (0.0, 0.0, -planted_drop(thigh, knee) + air)},
                  "Spine": {"x": 14 * crouch}, "Spine1": {"x": 10 * crouch}, "Head": {"x": -12 * crouch}}
    _both(pose, leg, leg)
    return pose


def dance(t: float) -> Pose:
    beat = (1 - math.cos(2 * TAU * 2 * t)) / 2          # four knee bounces a cycle
    side = math.sin(TAU * t)
    thigh, knee = -14 * beat, 28 * beat
    pose: Pose = {"Hips": {"y": 7 * side, "z": 10 * math.sin(2 * TAU * t),
                           "loc": (0.05 * side, 0.0, -planted_drop(thigh, knee))},
                  "Spine": {"y": -6 * side}, "Spine1": {"y": -5 * side},
                  "Head": {"z": 12 * math.sin(2 * TAU * t), "x": 6 * beat}}
    limbs = []
    for phase in (0.0, 0.25):
        swing = math.sin(2 * TAU * (t + phase))
        limb = _leg(thigh, knee)
        limb["Arm"] = {"down": -25 + 35 * swing, "x": -15}
        limb["ForeArm"] = {"bend": 45 + 25 * swing}
        limbs.append(limb)
    left, right = limbs
    _both(pose, left, right)
    return pose


def wave(t: float) -> Pose:
    raise_ = curve(t, [(0, 0), (0.15, 1), (0.85, 1), (1, 0)])
    flap = math.sin(3 * TAU * t) * raise_
    pose: Pose = {"Spine": {"y": -2 * raise_}, "Spine1": {"y": -2 * raise_}, "Head": {"y": -5 * raise_, "x": -3}}
    left = {"Arm": {"down": 78}, "ForeArm": {"bend": 10}}
    right = {"Arm": {"down": 78 - 88 * raise_, "x": -15 * raise_},
             "ForeArm": {"y": -(80 * raise_ + 25 * flap)}}     # mirrored: lifts the right forearm
    _both(pose, left, right)
    return pose


def attack(t: float) -> Pose:
    guard = curve(t, [(0, 0), (0.15, 1), (0.85, 1), (1, 0)])
    right_hit = curve(t, [(0.25, 0), (0.35, 1), (0.48, 0)])
    left_hit = curve(t, [(0.52, 0), (0.62, 1), (0.75, 0)])
    thigh, knee = -20 * guard, 35 * guard
    turn = 18 * (right_hit - left_hit)
    pose: Pose = {"Hips": {"z": 0.5 * turn, "loc": (0.0, 0.0, -planted_drop(thigh, knee))},
                  "Spine": {"z": 0.5 * turn, "x": 6 * guard}, "Spine1": {"z": 0.5 * turn},
                  "Head": {"z": -turn, "x": -6 * guard}}
    limbs = []
    for hit in (left_hit, right_hit):
        limb = _leg(thigh, knee)
        limb["Arm"] = {"down": 70 - 55 * guard + 5 * hit, "x": -55 * guard - 35 * hit}
        limb["ForeArm"] = {"bend": 120 * guard * (1 - hit) + 5 * hit}
        limbs.append(limb)
    _both(pose, limbs[0], limbs[1])
    return pose


def die(t: float) -> Pose:
    hit = curve(t, [(0, 0), (0.15, 1), (0.35, 0.4), (1, 0.4)])
    buckle = curve(t, [(0.2, 0), (0.5, 1), (0.75, 0.3), (1, 0.3)])
    fall = curve(t, [(0.45, 0), (0.85, 1), (1, 1)])
    thigh, knee = -50 * buckle, 90 * buckle
    drop = planted_drop(thigh, knee) * (1 - fall) + 0.88 * fall
    leg = _leg(thigh, knee)
    leg["Arm"] = {"down": 70 - 40 * hit - 30 * fall, "x": -20 * hit}
    leg["ForeArm"] = {"bend": 30 * hit + 10}
    pose: Pose = {"Hips": {"x": -84 * fall + 10 * buckle * (1 - fall), "loc": (0.0, 0.85 * fall, -drop)},
                  "Spine": {"x": -12 * hit + 8 * buckle * (1 - fall)}, "Spine1": {"x": -8 * hit},
                  "Head": {"x": -20 * hit + 25 * fall}}
    _both(pose, leg, leg)
    return pose


def generic(t: float) -> Pose:
    s, s2 = math.sin(TAU * t), math.sin(2 * TAU * t)
    pose: Pose = {"Hips": {"y": 4 * s, "loc": (0.03 * s, 0.0, -0.01 * (1 + s2) / 2)},
                  "Spine": {"y": -3 * s, "z": 8 * s}, "Spine1": {"z": 6 * s}, "Head": {"x": 6 * s2, "z": -8 * s}}
    left = {"Arm": {"down": 60 + 20 * s, "x": -25 * s}, "ForeArm": {"bend": 40 + 30 * s}, "UpLeg": {"y": -4 * s}}
    right = {"Arm": {"down": 60 - 20 * s, "x": 25 * s}, "ForeArm": {"bend": 40 - 30 * s}, "UpLeg": {"y": -4 * s}}
    _both(pose, left, right)
    return pose


CLIPS: dict[str, Clip] = {
    "idle": Clip("idle", 2.5, True, idle),
    "walk": Clip("walk", 1.0, True, walk),
    "run": Clip("run", 0.7, True, run),
    "jump": Clip("jump", 1.4, False, jump),
    "dance": Clip("dance", 2.0, True, dance),
    "wave": Clip("wave", 2.0, False, wave),
    "attack": Clip("attack", 1.6, False, attack),
    "die": Clip("die", 2.0, False, die),
    "generic": Clip("generic", 2.0, True, generic),
}


def clip(family: str) -> Clip:
    """The clip for a family; an unknown family gets the generic motion."""
    return CLIPS.get(family, CLIPS["generic"])
