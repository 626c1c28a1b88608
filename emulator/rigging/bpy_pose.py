"""Key a procedural clip (motions.py) onto an armature as a Blender Action. Runs inside bpy only.

Each joint spec is given in the character's frame relative to the parent at rest, so it is
turned into a bone-local rotation by conjugating with the bone's rest orientation in world
space: q_local = (W·M)^-1 · R · (W·M). That makes the clips independent of bone rolls and of
how an importer rebuilt the bones (a glTF or FBX round trip changes both).
"""

from __future__ import annotations

import math

import bpy
import motions
from mathutils import Quaternion, Vector

FORWARD = Vector((0.0, -1.0, 0.0))
AXES = {"x": Vector((1.0, 0.0, 0.0)), "y": Vector((0.0, 1.0, 0.0)), "z": Vector((0.0, 0.0, 1.0))}
CHILD = {"Arm": "ForeArm", "ForeArm": "Hand", "UpLeg": "Leg", "Leg": "Foot", "Foot": "ToeBase"}


def canonical(name: str) -> str:
    """Bone name without a rig prefix ("mixamorig:Hips" -> "Hips")."""
    return name.rsplit(":", 1)[-1].rsplit("|", 1)[-1]


class Rest:
    """Rest orientations, directions and size of an armature, in world axes."""

    def __init__(self, arm: bpy.types.Object):
        self.arm = arm
        world = arm.matrix_world
        w_rot = world.to_quaternion()
        self.bones = {canonical(b.name): b for b in arm.data.bones}
        self.orient = {n: (w_rot @ b.matrix_local.to_quaternion()).normalized() for n, b in self.bones.items()}
        self.to_local = {n: (world.to_3x3() @ b.matrix_local.to_3x3()).inverted_safe()
                         for n, b in self.bones.items()}
        heads = {n: world @ b.head_local for n, b in self.bones.items()}
        self.dirs = {}
        for n, b in self.bones.items():
            child = next((side + CHILD[n[len(side):]] for side in ("Left", "Right")
                          if n.startswith(side) and n[len(side):] in CHILD), None)
            tip = heads[child] if child in heads else world @ b.tail_local
            d = tip - heads[n]
            self.dirs[n] = d.normalized() if d.length > 1e-9 else Vector((0.0, 0.0, 1.0))
        low = min(h.z for h in heads.values())
        self.hip_height = max((heads["Hips"].z - low) if "Hips" in heads else 1.0, 1e-3)

    def rotation(self, name: str, spec: motions.Spec) -> Quaternion:
        d0 = self.dirs[name]
        rot = Quaternion()
        if "down" in spec:
            a = math.radians(spec["down"])
            side = 1.0 if name.startswith("Left") else -1.0
            rot = d0.rotation_difference(Vector((side * math.cos(a), 0.0, -math.sin(a))))
        if "bend" in spec:
            axis = d0.cross(FORWARD)
            if axis.length > 1e-6:
                rot = Quaternion(axis.normalized(), math.radians(spec["bend"])) @ rot
        for key in ("x", "y", "z"):
            if key in spec:
                rot = Quaternion(AXES[key], math.radians(spec[key])) @ rot
        m = self.orient[name]
        return (m.inverted() @ rot @ m).normalized()

    def location(self, name: str, spec: motions.Spec) -> Vector:
        offset = Vector(spec.get("loc", (0.0, 0.0, 0.0))) * self.hip_height
        return self.to_local[name] @ offset


def reset_pose(arm: bpy.types.Object) -> None:
    for pb in arm.pose.bones:
        pb.rotation_mode = "QUATERNION"
        pb.rotation_quaternion = Quaternion()
        pb.location = Vector()
        pb.scale = Vector((1.0, 1.0, 1.0))


def key_clip(arm: bpy.types.Object, clip: motions.Clip, name: str, fps: int) -> bpy.types.Action:
    """A new Action on `arm` with every bone keyed on every frame 0..N (time 0 is frame 0)."""
    scene = bpy.context.scene
    scene.render.fps, scene.render.fps_base = int(fps), 1.0
    frames = max(2, round(clip.duration * fps))
    rest = Rest(arm)
    reset_pose(arm)
    data = arm.animation_data_create()
    action = bpy.data.actions.new(name)
    data.action = action
    pose_bones = {canonical(pb.name): pb for pb in arm.pose.bones}
    previous: dict[str, Quaternion] = {}
    for f in range(frames + 1):
        pose = clip.pose(f / frames)
        for bone_name, pb in pose_bones.items():
            spec = pose.get(bone_name, {})
            q = rest.rotation(bone_name, spec)
            if bone_name in previous:
                q.make_compatible(previous[bone_name])
            previous[bone_name] = q
            pb.rotation_quaternion = q
            pb.keyframe_insert("rotation_quaternion", frame=f, group=pb.name)
            if pb.parent is None:
                pb.location = rest.location(bone_name, spec)
                pb.keyframe_insert("location", frame=f, group=pb.name)
    if clip.loop and hasattr(action, "use_cyclic"):
        action.use_frame_range = True
        action.frame_start, action.frame_end = 0, frames
        action.use_cyclic = True
    scene.frame_start, scene.frame_end = 0, frames
    scene.name = name   # the FBX take is named after the scene: "Armature|<clip>" once imported
    scene.frame_set(0)
    reset_pose(arm)
    return action


def remove_actions(arm: bpy.types.Object) -> None:
    """Drop every Action so the next export carries one clip only, and put the rig at rest."""
    if arm.animation_data:
        arm.animation_data.action = None
    for action in list(bpy.data.actions):
        bpy.data.actions.remove(action)
    reset_pose(arm)
