"""Rigged sources stay rigged: a remeshed or retextured skinned mesh deforms with the source's armature.

A small skinned mesh (two bones, smooth weights, parented to the armature
with an Armature modifier) goes through the emulator; then a bone is posed
and the result's evaluated vertices must move as the source's do there.

    .venv/bin/python -m pytest tests/blender/test_rigged.py -q
"""

from __future__ import annotations

import math
import sys

import bpy
import pytest
from mathutils import Matrix, Vector, kdtree

from conftest import ADDON

pytestmark = pytest.mark.usefixtures("meshy")


def rigged_source() -> tuple[bpy.types.Object, bpy.types.Object]:
    """A capsule two units tall on a two-bone armature (lower, upper), blended weights around the joint."""
    arm = bpy.data.objects.new("Rig", bpy.data.armatures.new("Rig"))
    bpy.context.scene.collection.objects.link(arm)
    arm.location = (2.0, -1.0, 0.5)
    bpy.context.view_layer.objects.active = arm
    bpy.ops.object.mode_set(mode="EDIT")
    lower = arm.data.edit_bones.new("lower")
    lower.head, lower.tail = (0, 0, 0), (0, 0, 1)
    upper = arm.data.edit_bones.new("upper")
    upper.head, upper.tail = (0, 0, 1), (0, 0, 2)
    upper.parent = lower
    bpy.ops.object.mode_set(mode="OBJECT")

    bpy.ops.mesh.primitive_uv_sphere_add(segments=32, ring_count=24)
    body = bpy.context.object
    body.name = "Body"
    body.data.transform(Matrix.Translation((0, 0, 1)) @ Matrix.Diagonal((0.35, 0.35, 1.0, 1.0)))
    body.parent = arm
    body.matrix_world = arm.matrix_world.copy()
    low, up = body.vertex_groups.new(name="lower"), body.vertex_groups.new(name="upper")
    for v in body.data.vertices:
        t = min(max((v.co.z - 0.8) / 0.4, 0.0), 1.0)
        w = t * t * (3 - 2 * t)
        low.add([v.index], 1.0 - w, "REPLACE")
        up.add([v.index], w, "REPLACE")
    modifier = body.modifiers.new("Armature", "ARMATURE")
    modifier.object = arm
    return arm, body


def pose(arm: bpy.types.Object, angle: float) -> None:
    bone = arm.pose.bones["upper"]
    bone.rotation_mode = "XYZ"
    bone.rotation_euler = (angle, 0.0, 0.0)
    bpy.context.view_layer.update()


def evaluated_world(obj: bpy.types.Object) -> list[Vector]:
    depsgraph = bpy.context.evaluated_depsgraph_get()
    ev = obj.evaluated_get(depsgraph)
    mesh = ev.to_mesh()
    try:
        return [ev.matrix_world @ v.co for v in mesh.vertices]
    finally:
        ev.to_mesh_clear()


def rest_world(obj: bpy.types.Object) -> list[Vector]:
    return [obj.matrix_world @ v.co for v in obj.data.vertices]


def moves_like(made: bpy.types.Object, source: bpy.types.Object, arm: bpy.types.Object) -> tuple[float, float]:
    """(mean error, mean movement) of the result's posed vertices against the source's nearest vertex."""
    pose(arm, 0.0)
    src_rest, made_rest = rest_world(source), rest_world(made)
    pose(arm, math.radians(60))
    src_posed, made_posed = evaluated_world(source), evaluated_world(made)
    tree = kdtree.KDTree(len(src_rest))
    for i, co in enumerate(src_rest):
        tree.insert(co, i)
    tree.balance()
    errors, moves = [], []
    for rest, posed in zip(made_rest, made_posed, strict=True):
        _, index, _ = tree.find(rest)
        expected = posed - rest
        wanted = src_posed[index] - src_rest[index]
        errors.append((expected - wanted).length)
        moves.append(wanted.length)
    return sum(errors) / len(errors), sum(moves) / len(moves)


@pytest.mark.parametrize("kind", ["remesh", "retexture"])
def test_a_skinned_source_gives_a_result_that_deforms_with_its_armature(meshy, kind):
    arm, body = rigged_source()
    pose(arm, math.radians(45))  # posed while sent: Meshy must still get the rest shape
    bpy.ops.object.select_all(action="DESELECT")
    body.select_set(True)
    bpy.context.view_layer.objects.active = body
    if kind == "remesh":
        assert bpy.ops.meshy.remesh(topology="QUAD", target_polycount=1200) == {"FINISHED"}
    else:
        assert bpy.ops.meshy.retexture(text_style_prompt="red leather") == {"FINISHED"}
    (made,) = [o for o in bpy.data.objects if o.name.startswith(f"Body_{kind}")]
    assert made.parent == arm
    (modifier,) = made.modifiers
    assert modifier.type == "ARMATURE" and modifier.object == arm
    assert {g.name for g in made.vertex_groups} == {"lower", "upper"}
    top = max((made.matrix_world @ v.co).z for v in made.data.vertices)
    assert abs(top - (arm.location.z + 2.0)) < 0.05  # the rest shape, not the posed one
    body.hide_set(False)
    error, movement = moves_like(made, body, arm)
    assert movement > 0.2, movement  # the pose moves the upper half a lot
    assert error < 0.1 * movement, (error, movement)
    scene = sys.modules[f"{ADDON}.scene"]
    assert scene.task_source(made) == (kind, made["meshy_task_id"])  # posed, still chains by its id


def test_an_unrigged_source_gets_no_modifier(meshy):
    bpy.ops.mesh.primitive_uv_sphere_add()
    bpy.ops.meshy.remesh(target_polycount=400)
    made = bpy.data.objects["Sphere_remesh"]
    assert not made.modifiers and not made.vertex_groups and made.parent is None
