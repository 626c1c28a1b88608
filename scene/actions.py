"""Actions on an armature, the same way in Blender 4.2 to 5.2: curves, bones, NLA tracks, timing.

Blender 4.4 put an action's F-curves into layers, strips and slots (5.0
dropped the old ``action.fcurves``); ``fcurves`` reads both. A clip lands on
an armature as an NLA track of its own, one strip at the scene's first frame;
``play`` unmutes one track and mutes the others, so the Space bar plays that
clip at once and the others stay one checkbox away, all saved with the file
(an action no one uses is not). Main thread only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import bpy

from .common import SceneIOError

_BONE_PATH = re.compile(r'^pose\.bones\["((?:[^"\\]|\\.)*)"\]')
LOOP_TOLERANCE = 1e-4  # a clip whose last key repeats its first (in every curve) is a cycle


def fcurves(action: bpy.types.Action) -> list[bpy.types.FCurve]:
    """Every F-curve of an action: of its channel bags (slotted actions, 4.4+) or its own list."""
    if getattr(action, "layers", None):
        return [fc for layer in action.layers for strip in layer.strips
                for bag in getattr(strip, "channelbags", ()) for fc in bag.fcurves]
    return list(getattr(action, "fcurves", ()))


def _remove(action: bpy.types.Action, curve: bpy.types.FCurve) -> None:
    if getattr(action, "layers", None):
        for layer in action.layers:
            for strip in layer.strips:
                for bag in getattr(strip, "channelbags", ()):
                    if any(fc == curve for fc in bag.fcurves):
                        bag.fcurves.remove(curve)
                        return
    else:
        action.fcurves.remove(curve)


def bone_of(data_path: str) -> str | None:
    """``pose.bones["Hips"].location`` -> ``Hips``; None for a path that drives no bone."""
    match = _BONE_PATH.match(data_path)
    return match.group(1).replace('\\"', '"').replace("\\\\", "\\") if match else None


def retarget(action: bpy.types.Action, armature: bpy.types.Object) -> int:
    """Keep the curves of the bones ``armature`` has (matched by name); returns how many bones match.

    Meshy animates its own rig, so every name matches; curves of bones the
    armature lacks would only show as broken channels, and are dropped. No
    bone in common is an animation of another skeleton: refused.
    """
    names = {bone.name for bone in armature.data.bones}
    animated: set[str] = set()
    stray = []
    for curve in fcurves(action):
        bone = bone_of(curve.data_path)
        if bone in names:
            animated.add(bone)
        elif bone is not None:
            stray.append(curve)
    if not animated:
        raise SceneIOError(f"The animation moves no bone of {armature.name}: it was made for another skeleton")
    for curve in stray:
        _remove(action, curve)
    return len(animated)


def is_cycle(action: bpy.types.Action) -> bool:
    """Does the clip end where it began (a walk cycle), so its last frame can be left out of a loop?"""
    start, end = action.frame_range
    curves = fcurves(action)
    return bool(curves) and end > start and all(
        abs(fc.evaluate(start) - fc.evaluate(end)) <= LOOP_TOLERANCE for fc in curves)


def add_track(armature: bpy.types.Object, action: bpy.types.Action, name: str) -> bpy.types.NlaTrack:
    """A new NLA track on top holding ``action`` as one strip from the scene's first frame."""
    data = armature.animation_data or armature.animation_data_create()
    track = data.nla_tracks.new()
    track.name = name
    strip = track.strips.new(name, int(bpy.context.scene.frame_start), action)
    slots = getattr(action, "slots", None)
    if slots and hasattr(strip, "action_slot") and strip.action_slot is None:
        strip.action_slot = slots[0]
    return track


def play(armature: bpy.types.Object, track: bpy.types.NlaTrack, *, cycle: bool) -> None:
    """Unmute ``track`` alone and fit the scene's frame range to its clip (a cycle without its repeated end)."""
    for other in armature.animation_data.nla_tracks:
        other.mute = other != track
    strip = track.strips[0]
    scene = bpy.context.scene
    end = int(round(strip.frame_end)) - (1 if cycle else 0)
    scene.frame_start = int(round(strip.frame_start))
    scene.frame_end = max(scene.frame_start, end)


def is_animated(scene: bpy.types.Scene) -> bool:
    """Does anything in the scene play an action already (its own or on NLA tracks)?"""
    for obj in scene.objects:
        data = obj.animation_data
        if data is not None and (data.action is not None or len(data.nla_tracks)):
            return True
    return False


def use_rate(scene: bpy.types.Scene, fps: int) -> bool:
    """Set the scene to the clip's frame rate unless something in it is animated already; True if set.

    glTF stores seconds and Blender's importer turns them into frames at the
    scene's rate, so a clip plays at its speed at any rate; at its own rate its
    keys land on whole frames. A scene with animation of its own keeps its rate.
    """
    if is_animated(scene):
        return False
    scene.render.fps, scene.render.fps_base = int(fps), 1.0
    return True


@contextmanager
def timing_kept_on_error(scene: bpy.types.Scene) -> Iterator[None]:
    """Put the scene's frame rate and frame range back if the block raises (the rollback keeps datablocks)."""
    saved = (scene.render.fps, scene.render.fps_base, scene.frame_start, scene.frame_end)
    try:
        yield
    except BaseException:
        scene.render.fps, scene.render.fps_base = saved[0], saved[1]
        scene.frame_start, scene.frame_end = saved[2], saved[3]
        raise
